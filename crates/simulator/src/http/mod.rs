//! The REST API under `/api/v2`.
//!
//! Layout:
//! - [`error`]: GWS error bodies.
//! - [`me`]: the user, devices, agent state, session, settings.
//! - [`calls`]: calls listing and call operations, Dial.
//! - [`notifications`]: the HTTP side of the CometD endpoint.

pub mod calls;
pub mod error;
pub mod me;
pub mod notifications;

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gws_protocol::api::OperationRequest;
use serde_json::{Value, json};

pub use error::ApiError;

/// The `/api/v2` router (authentication applied to everything but `diagnostics/version`).
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/me", get(me::get_me).post(me::post_me))
        .route("/me/devices", get(me::get_devices))
        .route(
            "/me/devices/{id}",
            get(me::get_device).post(me::post_device),
        )
        .route("/me/devices/{id}/calls", post(calls::dial))
        .route("/me/calls", get(calls::list))
        .route("/me/calls/{id}", get(calls::get_one).post(calls::operation))
        .route("/me/channels/voice", post(me::post_voice_channel))
        .route("/settings/agent-states", get(me::agent_states))
        .route("/notifications", post(notifications::endpoint))
        .route("/notifications/", post(notifications::endpoint))
        .route("/notifications/{*rest}", post(notifications::endpoint))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::require_auth,
        ))
        .route("/diagnostics/version", get(version))
        .fallback(not_found)
}

async fn version() -> axum::Json<Value> {
    axum::Json(json!({"statusCode": 0, "version": "8.5.200.50"}))
}

async fn not_found() -> ApiError {
    ApiError::not_found("Resource not found")
}

/// The largest request body accepted (`/api/v2` and `/sim`): GWS bodies are a few hundred
/// bytes, `/sim/publish` may carry deliberately huge notifications. Why a bound at all: a
/// reliability test that sends garbage must not make the simulator buffer without limit.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request body of at most [`MAX_BODY_BYTES`] (set by the app's `DefaultBodyLimit`).
/// Why not plain `Bytes`: its rejections are plain text, and every answer of the API must be
/// a GWS body — an oversized body is `413` with `statusCode` 10 (input validation error).
#[derive(Debug, Clone)]
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(JsonBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::too_large(format!(
                    "Request body is larger than {MAX_BODY_BYTES} bytes"
                )))
            }
            Err(rejection) => Err(ApiError::invalid(format!(
                "Request body unreadable: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// Parses an operation body: empty → missing (1); not JSON / not an object → invalid (2);
/// no `operationName` → missing (1).
pub fn parse_operation(body: &Bytes) -> Result<OperationRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::missing("Request body is missing"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("Malformed JSON body: {e}")))?;
    let Value::Object(object) = &value else {
        return Err(ApiError::invalid("Request body must be a JSON object"));
    };
    match object.get("operationName") {
        None | Some(Value::Null) => {
            return Err(ApiError::missing("Parameter 'operationName' is missing"));
        }
        Some(Value::String(name)) if !name.is_empty() => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "Parameter 'operationName' must be a non-empty string",
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::invalid(format!("Invalid operation body: {e}")))
}
