//! `/meta/connect`: the long poll.
//!
//! The first connect after a handshake answers at once; later ones are held until a message is
//! queued for the client or the advised `timeout` elapses. The reply carries every queued
//! message (all channels, publish order) followed by the connect reply. A second connect of the
//! same client releases the held one with an empty body (`[]`). A connect carrying
//! `advice.timeout: 0` is answered at once.

use super::{Reply, client_id, reply_to, unknown_client};
use crate::state::AppState;
use crate::state::hub::{ConnectPoll, ConnectStart, Hub, Queued};
use gws_protocol::{Advice, Message, Reconnect};
use std::sync::Arc;

/// Marks the hold as abandoned if the HTTP request is dropped while waiting.
struct HoldGuard {
    hub: Arc<Hub>,
    id: String,
    seq: u64,
}

impl Drop for HoldGuard {
    fn drop(&mut self) {
        self.hub.abandon_connect(&self.id, self.seq);
    }
}

/// The reply to a connect of a session the server ended: CometD's answer to a server-side
/// disconnect, `reconnect: none` — the client must not come back on its own.
fn ended(request: &Message) -> Vec<Reply> {
    vec![Reply::Message(Box::new(Message {
        advice: Some(Advice {
            reconnect: Some(Reconnect::None),
            ..Advice::default()
        }),
        ..reply_to(request, true)
    }))]
}

fn connected(state: &AppState, request: &Message, queued: Vec<Queued>) -> Vec<Reply> {
    let mut messages: Vec<Reply> = queued.into_iter().map(Reply::Published).collect();
    messages.push(Reply::Message(Box::new(Message {
        advice: Some(Advice {
            reconnect: Some(Reconnect::Retry),
            interval: Some(0),
            timeout: Some(state.hub().timeout.as_millis() as u64),
            ..Advice::default()
        }),
        ..reply_to(request, true)
    })));
    messages
}

/// Answers one connect, waiting when there is nothing to deliver.
pub async fn handle(state: &AppState, user: &str, request: &Message) -> Vec<Reply> {
    let id = match client_id(request) {
        Ok(id) => id.to_string(),
        Err(reply) => return vec![Reply::Message(reply)],
    };
    let hub = state.hub_arc();
    let (seq, notify) = match hub.begin_connect(&id, user) {
        Err(_) => return vec![Reply::Message(Box::new(unknown_client(request)))],
        Ok(ConnectStart::Immediate(messages)) => return connected(state, request, messages),
        Ok(ConnectStart::Ended) => return ended(request),
        Ok(ConnectStart::Hold { seq, notify }) => (seq, notify),
    };
    let _guard = HoldGuard {
        hub: hub.clone(),
        id: id.clone(),
        seq,
    };
    // cometd.js sends `advice: {timeout: 0}` when it wants an immediate answer.
    let wait = match request.advice.as_ref().and_then(|advice| advice.timeout) {
        Some(0) => tokio::time::Duration::ZERO,
        _ => hub.timeout,
    };
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Register interest before looking, so a publish between the look and the wait is
        // not missed.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        match hub.poll_connect(&id, seq, false) {
            ConnectPoll::Ready(messages) => return connected(state, request, messages),
            ConnectPoll::Superseded => return Vec::new(),
            ConnectPoll::Ended => return ended(request),
            ConnectPoll::Gone => return vec![Reply::Message(Box::new(unknown_client(request)))],
            ConnectPoll::Pending => {}
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(deadline) => break,
        }
    }
    match hub.poll_connect(&id, seq, true) {
        ConnectPoll::Ready(messages) => connected(state, request, messages),
        ConnectPoll::Superseded => Vec::new(),
        ConnectPoll::Ended => ended(request),
        ConnectPoll::Gone | ConnectPoll::Pending => {
            vec![Reply::Message(Box::new(unknown_client(request)))]
        }
    }
}
