//! `/meta/subscribe`: only the user's own voice topics may be subscribed.

use super::{client_id, failure, reply_to, unknown_client};
use crate::state::AppState;
use gws_protocol::Message;

/// The channels a client may subscribe to: GWS only lets a user see their own topics.
pub const ALLOWED: [&str; 4] = ["/v2/me/calls", "/v2/me/devices", "/v2/me/*", "/v2/me/**"];

/// Subscribes to every channel of `subscription` (a string or an array), or to none if one of
/// them is not allowed (`403`). The session is checked first, as CometD does: a client the
/// server does not know (or another user's) gets `402::Unknown client` and the handshake
/// advice whatever it asked for, and a fault armed to refuse a subscription is kept for a
/// subscription that would otherwise have been made.
pub fn handle(state: &AppState, user: &str, request: &Message) -> Message {
    let id = match client_id(request) {
        Ok(id) => id,
        Err(reply) => return *reply,
    };
    if !state.hub().knows(id, user) {
        return Message {
            subscription: request.subscription.clone(),
            ..unknown_client(request)
        };
    }
    let channels = request
        .subscription
        .as_ref()
        .map(|s| s.channels())
        .unwrap_or_default();
    let base = Message {
        subscription: request.subscription.clone(),
        ..reply_to(request, true)
    };
    if channels.is_empty() {
        return Message {
            subscription: request.subscription.clone(),
            ..failure(request, "400::Missing subscription")
        };
    }
    if state.faults().take_refuse_subscription() {
        tracing::debug!(%user, "subscription refused (fault)");
        return Message {
            subscription: request.subscription.clone(),
            ..failure(request, "403::Subscription denied")
        };
    }
    if let Some(denied) = channels.iter().find(|c| !ALLOWED.contains(c)) {
        tracing::debug!(%user, channel = %denied, "subscription denied");
        return Message {
            subscription: request.subscription.clone(),
            ..failure(request, "403::Subscription denied")
        };
    }
    match state.hub().subscribe(id, user, &channels) {
        Ok(()) => base,
        Err(_) => Message {
            subscription: request.subscription.clone(),
            ..unknown_client(request)
        },
    }
}
