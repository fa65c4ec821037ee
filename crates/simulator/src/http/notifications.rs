//! `POST /api/v2/notifications`, `/api/v2/notifications/` and `/api/v2/notifications/{anything}`:
//! the HTTP transport of the Bayeux server, one handler for every path. Why: cometd.js appends
//! the message type to the URL by default (`appendMessageTypeToURL`: `/handshake`, `/connect`)
//! and posts batches — a handshake callback's subscribes — to the URL with a trailing `/`; the
//! channels are in the body, so the path carries nothing the server needs.

use crate::auth::AuthUser;
use crate::state::AppState;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gws_protocol::bayeux::{META_CONNECT, parse_messages};
use tokio::time::Duration;

/// A refusal of the whole body, in the Bayeux shape every other answer has: a JSON array with
/// one unsuccessful reply.
fn refused(status: StatusCode, error: &str) -> Response {
    (
        status,
        Json(serde_json::json!([{"successful": false, "error": error}])),
    )
        .into_response()
}

/// Parses the batch (an array, or one message object), answers it as a JSON array.
///
/// Why the body's rejection is taken by hand: axum answers a body over
/// [`super::MAX_BODY_BYTES`] with a plain-text `413`, and a Bayeux client reads every answer of
/// this endpoint as a JSON array of replies.
pub async fn endpoint(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::debug!(%rejection, "Bayeux body too large");
            return refused(StatusCode::PAYLOAD_TOO_LARGE, "413::Request body too large");
        }
        Err(rejection) => {
            tracing::debug!(%rejection, "Bayeux body unreadable");
            return refused(StatusCode::BAD_REQUEST, "400::Malformed request");
        }
    };
    let text = String::from_utf8_lossy(&body);
    let batch = match parse_messages(&text) {
        Ok(batch) => batch,
        Err(problem) => {
            tracing::debug!(%problem, "bad Bayeux body");
            return refused(StatusCode::BAD_REQUEST, "400::Malformed request");
        }
    };
    let has_connect = batch
        .iter()
        .any(|m| m.as_ref().is_ok_and(|m| m.channel == META_CONNECT));
    if has_connect && state.faults().take_drop_connect() {
        tracing::info!(%user, "injected fault: connect response dropped");
        // Never answer: the client's own request timeout is what is being tested. The wait ends
        // when the client closes the request (the future is dropped) or after a long while.
        tokio::time::sleep(state.hub().timeout + Duration::from_secs(120)).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    let replies = crate::cometd::handle_batch(&state, &user, batch).await;
    match crate::cometd::reply_body(&replies) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(error) => {
            tracing::error!(%error, "Bayeux reply not serializable");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
