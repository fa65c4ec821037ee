//! `/meta/handshake`: a new session for the authenticated user.

use super::reply_to;
use crate::state::AppState;
use gws_protocol::bayeux::LONG_POLLING;
use gws_protocol::{Advice, Message, Reconnect};
use serde_json::json;

/// Creates a session and answers with its `clientId`, the only transport (`long-polling`) and
/// the connect advice (`timeout` = how long connects are held, `maxInterval` = session life
/// without a connect).
pub fn handle(state: &AppState, user: &str, request: &Message) -> Message {
    if let Some(types) = &request.supported_connection_types
        && !types.is_empty()
        && !types.iter().any(|t| t.as_str() == Some(LONG_POLLING))
    {
        return Message {
            error: "400::Unsupported connection types".into(),
            supported_connection_types: Some(vec![json!(LONG_POLLING)]),
            advice: Some(Advice {
                reconnect: Some(Reconnect::None),
                ..Advice::default()
            }),
            ..reply_to(request, false)
        };
    }
    let client_id = state.hub().handshake(user);
    tracing::debug!(%user, %client_id, "handshake");
    Message {
        client_id: Some(client_id).into(),
        version: "1.0".into(),
        supported_connection_types: Some(vec![json!(LONG_POLLING)]),
        advice: Some(Advice {
            reconnect: Some(Reconnect::Retry),
            interval: Some(0),
            timeout: Some(state.hub().timeout.as_millis() as u64),
            max_interval: Some(state.hub().max_interval.as_millis() as u64),
            multiple_clients: Default::default(),
        }),
        ..reply_to(request, true)
    }
}
