//! The Bayeux (CometD 3, long-polling) server at `/api/v2/notifications`.
//!
//! Why hand-written: the protocol surface GWS uses is small (five meta channels, server-side
//! publishing only), and owning it lets tests and fault injection reach every corner — a held
//! connect, a superseded connect, an expired session.
//!
//! Layout:
//! - [`hub`]: sessions, per-client queues, per-user fan-out, expiry.
//! - [`handshake`], [`connect`], [`subscribe`], [`unsubscribe`], [`disconnect`]: one file per
//!   meta channel, each turning a request message into its reply.
//! - this file: the batch dispatcher and the reply helpers the meta channels share.

pub mod connect;
pub mod disconnect;
pub mod handshake;
pub mod hub;
pub mod subscribe;
pub mod unsubscribe;

use crate::state::AppState;
use gws_protocol::bayeux::{
    META_CONNECT, META_DISCONNECT, META_HANDSHAKE, META_SUBSCRIBE, META_UNSUBSCRIBE,
};
use gws_protocol::{Advice, Message, Reconnect};

pub use hub::{Hub, HubError};

/// A reply on the request's channel, echoing its `id` and `clientId`.
pub(crate) fn reply_to(request: &Message, successful: bool) -> Message {
    Message {
        channel: request.channel.clone(),
        id: request.id.clone(),
        client_id: request.client_id.clone(),
        successful: Some(successful),
        ..Message::default()
    }
}

/// `402::Unknown client` with `reconnect: handshake`: the client must handshake again.
pub(crate) fn unknown_client(request: &Message) -> Message {
    Message {
        error: Some(HubError::UnknownClient.to_string()),
        advice: Some(Advice {
            reconnect: Some(Reconnect::Handshake),
            interval: Some(0),
            ..Advice::default()
        }),
        ..reply_to(request, false)
    }
}

/// A failed reply with a Bayeux error string (`code::text`).
pub(crate) fn failure(request: &Message, error: &str) -> Message {
    Message {
        error: Some(error.to_string()),
        ..reply_to(request, false)
    }
}

/// The client id of a request, or the `402` reply to send.
pub(crate) fn client_id(request: &Message) -> Result<&str, Box<Message>> {
    request
        .client_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Box::new(unknown_client(request)))
}

/// Handles one request body (already parsed) for `user`. Meta messages are answered in order;
/// a `/meta/connect` is answered last because it may wait.
pub async fn handle_batch(
    state: &AppState,
    user: &str,
    batch: Vec<Result<Message, String>>,
) -> Vec<Message> {
    let mut replies = Vec::new();
    let mut connect = None;
    for item in batch {
        let message = match item {
            Ok(message) => message,
            Err(problem) => {
                tracing::debug!(%problem, "malformed Bayeux message");
                replies.push(Message {
                    channel: String::new(),
                    successful: Some(false),
                    error: Some("400::Malformed message".into()),
                    ..Message::default()
                });
                continue;
            }
        };
        match message.channel.as_str() {
            META_HANDSHAKE => replies.push(handshake::handle(state, user, &message)),
            META_SUBSCRIBE => replies.push(subscribe::handle(state, user, &message)),
            META_UNSUBSCRIBE => replies.push(unsubscribe::handle(state, user, &message)),
            META_DISCONNECT => replies.push(disconnect::handle(state, user, &message)),
            META_CONNECT if connect.is_none() => connect = Some(message),
            META_CONNECT => {
                replies.push(failure(&message, "400::Only one /meta/connect per request"))
            }
            channel if channel.starts_with("/meta/") => {
                replies.push(failure(&message, "400::Unknown meta channel"))
            }
            _ => replies.push(failure(&message, "403::Publishing is not allowed")),
        }
    }
    if let Some(message) = connect {
        replies.extend(connect::handle(state, user, &message).await);
    }
    replies
}
