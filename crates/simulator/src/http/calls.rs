//! `/api/v2/me/calls` and Dial. Accepted operations reply `{"statusCode":0}`; the state change
//! itself is only published over CometD.

use super::{ApiError, JsonBody, parse_operation};
use crate::auth::AuthUser;
use crate::engine::Command;
use crate::http::me::Expand;
use crate::state::AppState;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

/// `GET /api/v2/me/calls[?fields=*]`: URIs, or the call objects (released calls not listed).
pub async fn list(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Query(expand): Query<Expand>,
) -> Json<Value> {
    let calls = state.read(|engine, now| engine.calls_of(now, &user));
    if expand.fields.is_some() {
        return Json(json!({"statusCode": 0, "calls": calls}));
    }
    let uris: Vec<Value> = calls.iter().map(|c| json!(c.uri)).collect();
    Json(json!({"statusCode": 0, "uris": uris}))
}

/// `GET /api/v2/me/calls/{id}` → `{"statusCode":0,"call":{…}}`.
pub async fn get_one(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let call = state
        .read(|engine, now| engine.call_of(now, &user, &id))
        .ok_or_else(|| ApiError::not_found(format!("Call {id} not found")))?;
    Ok(Json(json!({"statusCode": 0, "call": call})))
}

/// `POST /api/v2/me/calls/{id}`: a call operation.
pub async fn operation(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Path(call_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request = parse_operation(&body)?;
    tracing::info!(%user, %call_id, operation = %request.operation_name, "call operation");
    state.execute(Command::CallOperation {
        user,
        call_id,
        request,
    })?;
    Ok(Json(json!({"statusCode": 0})))
}

/// `POST /api/v2/me/devices/{id}/calls`: Dial.
pub async fn dial(
    State(state): State<AppState>,
    Extension(AuthUser(user)): Extension<AuthUser>,
    Path(device_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let request = parse_operation(&body)?;
    tracing::info!(%user, %device_id, "dial");
    state.execute(Command::Dial {
        user,
        device_id,
        request,
    })?;
    Ok(Json(json!({"statusCode": 0})))
}
