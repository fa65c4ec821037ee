//! The Bayeux (CometD 3, long-polling) server at `/api/v2/notifications`.
//!
//! Why hand-written: the protocol surface GWS uses is small (five meta channels, server-side
//! publishing only), and owning it lets tests and fault injection reach every corner — a held
//! connect, a superseded connect, an expired session.
//!
//! Layout:
//! - [`Hub`] (`state/hub.rs`, data owned by the shared state): sessions, per-client queues,
//!   per-user fan-out, expiry; re-exported here.
//! - [`handshake`], [`connect`], [`subscribe`], [`unsubscribe`], [`disconnect`]: one file per
//!   meta channel, each turning a request message into its reply.
//! - this file: the batch dispatcher and the reply helpers the meta channels share.

pub mod connect;
pub mod disconnect;
pub mod handshake;
pub mod subscribe;
pub mod unsubscribe;

use crate::state::AppState;
use gws_protocol::bayeux::{
    META_CONNECT, META_DISCONNECT, META_HANDSHAKE, META_SUBSCRIBE, META_UNSUBSCRIBE,
};
use gws_protocol::{Advice, Message, Reconnect};

pub use crate::state::hub::{Hub, HubError, Queued};

/// One element of a reply array: a message built for this request, or a published message
/// already serialized by the hub (shared by every session it reached).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A meta reply (or anything built for this request).
    Message(Box<Message>),
    /// A published message, as the hub serialized it.
    Published(Queued),
}

/// The JSON array body of a batch reply, published messages copied verbatim.
pub fn reply_body(replies: &[Reply]) -> Result<Vec<u8>, serde_json::Error> {
    let mut body = Vec::with_capacity(
        2 + replies
            .iter()
            .map(|r| match r {
                Reply::Message(_) => 256,
                Reply::Published(json) => json.len() + 1,
            })
            .sum::<usize>(),
    );
    body.push(b'[');
    for (i, reply) in replies.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        match reply {
            Reply::Message(message) => serde_json::to_writer(&mut body, message)?,
            Reply::Published(json) => body.extend_from_slice(json.as_bytes()),
        }
    }
    body.push(b']');
    Ok(body)
}

/// A reply on the request's channel, echoing its `id` and `clientId`.
pub(crate) fn reply_to(request: &Message, successful: bool) -> Message {
    Message {
        channel: request.channel.clone(),
        id: request.id.clone(),
        client_id: request.client_id.clone(),
        successful: Some(successful).into(),
        ..Message::default()
    }
}

/// `402::Unknown client` with `reconnect: handshake`: the client must handshake again.
pub(crate) fn unknown_client(request: &Message) -> Message {
    Message {
        error: Some(HubError::UnknownClient.to_string()).into(),
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
        error: Some(error.to_string()).into(),
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
) -> Vec<Reply> {
    let mut replies = Vec::new();
    let mut connect = None;
    for item in batch {
        let message = match item {
            Ok(message) => message,
            Err(problem) => {
                tracing::debug!(%problem, "malformed Bayeux message");
                replies.push(Message {
                    channel: String::new(),
                    successful: Some(false).into(),
                    error: "400::Malformed message".into(),
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
            // A message must name its channel; one that does not is no publish to refuse.
            "" => replies.push(failure(&message, "400::Missing channel")),
            _ => replies.push(failure(&message, "403::Publishing is not allowed")),
        }
    }
    let mut replies: Vec<Reply> = replies
        .into_iter()
        .map(|m| Reply::Message(Box::new(m)))
        .collect();
    if let Some(message) = connect {
        replies.extend(connect::handle(state, user, &message).await);
    }
    replies
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn a_reply_body_is_a_json_array_with_published_messages_verbatim_and_in_order() {
        let published: Queued = r#"{"channel":"/v2/me/calls","data":{"n":1}}"#.into();
        let connect = Message {
            channel: "/meta/connect".into(),
            successful: Some(true).into(),
            ..Message::default()
        };
        let body = reply_body(&[
            Reply::Published(published),
            Reply::Message(Box::new(connect)),
        ])
        .expect("serialized");
        let parsed: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(
            parsed,
            json!([
                {"channel": "/v2/me/calls", "data": {"n": 1}},
                {"channel": "/meta/connect", "successful": true}
            ])
        );
        assert_eq!(reply_body(&[]).expect("serialized"), b"[]");
    }
}
