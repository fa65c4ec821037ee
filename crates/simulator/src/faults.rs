//! Fault injection (`POST /sim/faults`) for the client's reliability tests.
//!
//! Request body (every field optional; counts add up):
//! `{"expireSessions":true, "restartCometd":true, "rotateCsrf":true,
//!   "failNext":2, "failStatus":503, "failPath":"/api/v2/notifications",
//!   "delayNext":1, "delayMs":3000, "delayPath":"/api/v2",
//!   "dropConnects":1, "stallBodies":1, "stallMs":20000, "refuseSubscriptions":1,
//!   "clear":true}`

use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use gws_protocol::ApiStatus;
use tokio::time::Duration;

// The pending faults are data the shared state owns (`state/faults.rs`); re-exported here,
// where they have always been named.
pub use crate::state::faults::{FaultRequest, Faults};

/// Middleware for `/api`: applies pending fail/delay faults.
pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Inside the nested `/api/v2` router the URI is stripped; match on the original path.
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map(|uri| uri.path().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let (fail, delay) = {
        let mut faults = state.faults();
        let fail = (faults.fail_next > 0 && path.starts_with(&faults.fail_path)).then(|| {
            faults.fail_next -= 1;
            faults.fail_status
        });
        let delay = (fail.is_none()
            && faults.delay_next > 0
            && path.starts_with(&faults.delay_path))
        .then(|| {
            faults.delay_next -= 1;
            faults.delay_ms
        });
        (fail, delay)
    };
    if let Some(status) = fail {
        tracing::info!(%path, status, "injected failure");
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let body = ApiStatus::error(
            gws_protocol::StatusCode::INTERNAL_ERROR,
            "Voice service is not available at this time",
        );
        return (status, axum::Json(body)).into_response();
    }
    if let Some(ms) = delay {
        tracing::info!(%path, ms, "injected delay");
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let response = next.run(request).await;
    // Taken when the reply is ready, so a connect already held when the fault was injected
    // (the usual case) is the one that stalls.
    let stall = (response.status() == StatusCode::OK && path.starts_with(NOTIFICATIONS))
        .then(|| {
            let mut faults = state.faults();
            (faults.stall_bodies > 0).then(|| {
                faults.stall_bodies -= 1;
                faults.stall_ms
            })
        })
        .flatten();
    match stall {
        Some(ms) => stall_body(response, Duration::from_millis(ms)).await,
        None => response,
    }
}

/// The CometD endpoint, whose replies a stall fault holds.
const NOTIFICATIONS: &str = "/api/v2/notifications";

/// `response` with its body sent as its first byte at once and the rest after `hold`: a client
/// reading it has begun a body whose end is held back (what a slow network, or a huge backlog,
/// looks like from the browser).
async fn stall_body(response: Response, hold: Duration) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    tracing::info!(ms = hold.as_millis() as u64, "injected body stall");
    let first = bytes.slice(..bytes.len().min(1));
    let rest = bytes.slice(first.len()..);
    let pieces = stream::once(async move { first }).chain(stream::once(async move {
        tokio::time::sleep(hold).await;
        rest
    }));
    let body = Body::from_stream(pieces.map(Ok::<_, std::convert::Infallible>));
    Response::from_parts(parts, body)
}
