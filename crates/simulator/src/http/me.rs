//! `/api/v2/me`, its devices, the voice channel (agent state) and settings.

use super::{ApiError, JsonBody, parse_operation};
use crate::auth::AuthUser;
use crate::engine::Command;
use crate::state::AppState;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// `?fields=` / `?subresources=`.
#[derive(Debug, Default, Deserialize)]
pub struct Expand {
    /// `*` or a field list: objects instead of URIs.
    pub fields: Option<String>,
    /// `*` or a list: embed devices, channels, settings.
    pub subresources: Option<String>,
}

/// `GET /api/v2/me[?subresources=*]`.
pub async fn get_me(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Query(expand): Query<Expand>,
) -> Result<Json<Value>, ApiError> {
    let subresources = expand.subresources.is_some_and(|s| !s.is_empty());
    let me = state
        .read(|engine, _| engine.me(&user, subresources))
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    Ok(Json(json!({"statusCode": 0, "user": me})))
}

/// `POST /api/v2/me`: StartContactCenterSession / EndContactCenterSession. A session that
/// started some channels but not all answers `200` with `statusCode` 7 (partial success) and
/// each channel's `statusCode` / `statusMessage` in `channels`.
pub async fn post_me(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request = parse_operation(&body)?;
    let outcome = state.execute(Command::Session { user, request })?;
    Ok(Json(match outcome.partial {
        None => json!({"statusCode": 0}),
        Some(channels) => {
            let failed: Vec<&str> = channels
                .iter()
                .filter(|c| !c.status.is_ok())
                .map(|c| c.channel.as_str())
                .collect();
            json!({
                "statusCode": PARTIAL_SUCCESS,
                "statusMessage": format!("Partial success: channel(s) {} not started", failed.join(", ")),
                "channels": channels,
            })
        }
    }))
}

/// `statusCode` 7: some channels of a multi-channel request succeeded (gws-api.md §1.3).
pub const PARTIAL_SUCCESS: i64 = 7;

/// `GET /api/v2/me/devices[?fields=*]`.
pub async fn get_devices(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Query(expand): Query<Expand>,
) -> Json<Value> {
    let devices = state.read(|engine, _| engine.devices_of(&user));
    if expand.fields.is_some() {
        return Json(json!({"statusCode": 0, "devices": devices}));
    }
    let uris: Vec<String> = state.read(|engine, _| {
        devices
            .iter()
            .map(|d| engine.device_uri_of(&d.id))
            .collect()
    });
    Json(json!({"statusCode": 0, "uris": uris}))
}

/// `GET /api/v2/me/devices/{id}`.
pub async fn get_device(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let device = state
        .read(|engine, _| engine.device_of(&user, &id))
        .ok_or_else(|| ApiError::not_found(format!("Device {id} not found")))?;
    Ok(Json(json!({"statusCode": 0, "device": device})))
}

/// `POST /api/v2/me/devices/{id}`: DND, forwarding, supervisor monitoring, and
/// SetCallDisposition naming a call by `callUuid` / `callUri` (live or recently released).
pub async fn post_device(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Path(device_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request = parse_operation(&body)?;
    state.execute(Command::DeviceOperation {
        user,
        device_id,
        request,
    })?;
    Ok(Json(json!({"statusCode": 0})))
}

/// `POST /api/v2/me/channels/voice`: Ready / NotReady / AfterCallWork / AuxWork.
pub async fn post_voice_channel(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request = parse_operation(&body)?;
    state.execute(Command::AgentState { user, request })?;
    Ok(Json(json!({"statusCode": 0})))
}

/// `GET /api/v2/settings/agent-states`: the configured states and NotReady reason codes.
pub async fn agent_states(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"statusCode": 0, "settings": state.config().agent_states}))
}
