//! `/meta/disconnect`: ends the session (a held connect of it is released).

use super::{client_id, reply_to, unknown_client};
use crate::state::AppState;
use gws_protocol::Message;

/// Removes the session.
pub fn handle(state: &AppState, user: &str, request: &Message) -> Message {
    let id = match client_id(request) {
        Ok(id) => id,
        Err(reply) => return *reply,
    };
    match state.hub().disconnect(id, user) {
        Ok(()) => reply_to(request, true),
        Err(_) => unknown_client(request),
    }
}
