//! `/meta/unsubscribe`.

use super::{client_id, failure, reply_to, unknown_client};
use crate::state::AppState;
use gws_protocol::Message;

/// Removes the channels of `subscription` from the session.
pub fn handle(state: &AppState, user: &str, request: &Message) -> Message {
    let id = match client_id(request) {
        Ok(id) => id,
        Err(reply) => return *reply,
    };
    let channels = request
        .subscription
        .as_ref()
        .map(|s| s.channels())
        .unwrap_or_default();
    if channels.is_empty() {
        return Message {
            subscription: request.subscription.clone(),
            ..failure(request, "400::Missing subscription")
        };
    }
    match state.hub().unsubscribe(id, user, &channels) {
        Ok(()) => Message {
            subscription: request.subscription.clone(),
            ..reply_to(request, true)
        },
        Err(_) => Message {
            subscription: request.subscription.clone(),
            ..unknown_client(request)
        },
    }
}
