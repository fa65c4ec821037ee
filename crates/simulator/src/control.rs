//! The control API at `/sim` (no authentication): inject calls, hang up simulated parties,
//! reset, inspect, inject faults, publish raw notifications. The demo page's simulator
//! console and every test drive the simulator through it.

use crate::engine::Command;
use crate::faults::FaultRequest;
use crate::http::{ApiError, JsonBody};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

/// The `/sim` router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", post(inject_call))
        .route("/calls/{id}/hangup", post(remote_hangup))
        .route("/phones/{number}/hangup", post(phone_hangup))
        .route("/reset", post(reset))
        .route("/state", get(dump))
        .route("/faults", get(get_faults).post(post_faults))
        .route("/publish", post(publish))
        .route("/burst", post(burst))
        .route("/users/{name}/password", post(set_password))
        .route("/users/{name}/disconnect", post(disconnect_user))
}

fn object(body: &Bytes, allow_empty: bool) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if allow_empty {
            Ok(Map::new())
        } else {
            Err(ApiError::missing("Request body is missing"))
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::invalid("Request body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(format!("Malformed JSON body: {e}"))),
    }
}

fn number_field(map: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ApiError::invalid(format!(
            "'{name}' must be a phone number string"
        ))),
    }
}

/// `POST /sim/calls {"from":"5000","to":"5005"|"queue","userData":{…}?}` →
/// `{"statusCode":0,"id":"<call id>"}` (`from` defaults to 5000).
async fn inject_call(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body, false)?;
    let to =
        number_field(&map, "to")?.ok_or_else(|| ApiError::missing("Parameter 'to' is missing"))?;
    let from = number_field(&map, "from")?.unwrap_or_else(|| "5000".into());
    let user_data = match map.get("userData") {
        None | Some(Value::Null) => None,
        Some(Value::Object(data)) => Some(data.clone()),
        Some(_) => return Err(ApiError::invalid("'userData' must be an object")),
    };
    let outcome = state.execute(Command::InjectCall {
        from: from.clone(),
        to: to.clone(),
        user_data,
    })?;
    tracing::info!(%from, %to, id = ?outcome.call_id, "injected call");
    Ok(Json(json!({"statusCode": 0, "id": outcome.call_id})))
}

/// `POST /sim/calls/{id}/hangup {"number":"5000"?}`: the simulated party hangs up.
async fn remote_hangup(
    State(state): State<AppState>,
    Path(call_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body, true)?;
    let number = number_field(&map, "number")?;
    state.execute(Command::RemoteHangup { call_id, number })?;
    Ok(Json(json!({"statusCode": 0})))
}

/// `POST /sim/phones/{number}/hangup`: that simulated phone hangs up on every call it is on.
async fn phone_hangup(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<Value>, ApiError> {
    state.execute(Command::PhoneHangsUp { number })?;
    Ok(Json(json!({"statusCode": 0})))
}

/// `POST /sim/reset`: every call released and removed, agents back to their initial state
/// (and login state), passwords back to the configured ones. CometD sessions and HTTP sessions
/// (CSRF tokens) are kept, so open widgets carry on.
async fn reset(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.execute(Command::Reset)?;
    state.restore_passwords();
    tracing::info!("reset");
    Ok(Json(json!({"statusCode": 0})))
}

/// `GET /sim/state`: users, devices, calls, conversations, CometD sessions, pending faults.
async fn dump(State(state): State<AppState>) -> Json<Value> {
    let mut model = state.read(|engine, now| engine.snapshot(now));
    if let Some(object) = model.as_object_mut() {
        object.insert("statusCode".into(), json!(0));
        object.insert("cometdSessions".into(), state.hub().snapshot());
        object.insert("faults".into(), json!(*state.faults()));
        object.insert("externalUrl".into(), json!(state.external_url()));
        object.insert("stateFile".into(), json!(state.state_file()));
        object.insert("pendingTimers".into(), json!(state.pending_timers()));
    }
    Json(model)
}

async fn get_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"statusCode": 0, "faults": *state.faults()}))
}

/// `POST /sim/faults`: see [`crate::faults`] for the body.
async fn post_faults(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body, true)?;
    let request: FaultRequest = serde_json::from_value(Value::Object(map))
        .map_err(|e| ApiError::invalid(format!("Invalid faults: {e}")))?;
    let mut dropped = 0;
    if request.expire_sessions || request.restart_cometd {
        dropped = state.hub().drop_all();
    }
    if request.rotate_csrf {
        state.auth().clear();
    }
    state.faults().add(&request);
    tracing::info!(?request, dropped, "faults injected");
    Ok(Json(
        json!({"statusCode": 0, "droppedSessions": dropped, "faults": *state.faults()}),
    ))
}

/// `POST /sim/users/{name}/password {"password":"new"}` → `{"statusCode":0}`: the user's
/// Basic credentials change, and their HTTP session (cookie, CSRF token) and CometD sessions
/// end, so a client still using the old password gets `401` and must re-authenticate.
/// Unknown user → 404/6; missing `password` → 400/1; empty or not a string → 400/2.
async fn set_password(
    State(state): State<AppState>,
    Path(name): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body, false)?;
    let password = text_field(&map, "password")?;
    if !state.set_password(&name, &password) {
        return Err(ApiError::not_found(format!("User {name} not found")));
    }
    tracing::info!(user = %name, "password changed; sessions ended");
    Ok(Json(json!({"statusCode": 0})))
}

/// `POST /sim/users/{name}/disconnect` → `{"statusCode":0,"sessions":n}`: the server ends the
/// user's CometD sessions (`reconnect: none` on their long polls), as an administrator's
/// disconnect would. Their HTTP session stays; a new handshake works.
async fn disconnect_user(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sessions = state
        .end_notification_sessions(&name)
        .ok_or_else(|| ApiError::not_found(format!("User {name} not found")))?;
    tracing::info!(user = %name, sessions, "notification sessions ended by the server");
    Ok(Json(json!({"statusCode": 0, "sessions": sessions})))
}

/// A non-empty string field: absent or `null` → missing (1), another type → invalid (2).
fn text_field(map: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => {
            Err(ApiError::missing(format!("Parameter '{name}' is missing")))
        }
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(ApiError::invalid(format!(
            "'{name}' must be a non-empty string"
        ))),
    }
}

/// Most copies one `POST /sim/publish` may queue (a flood stays bounded).
pub const MAX_PUBLISH_COPIES: u64 = 10_000;

/// `POST /sim/publish {"user":"agent1","channel":"/v2/me/calls","data":<any JSON>,"count":1}`
/// → `{"statusCode":0,"delivered":N}`: `data` goes verbatim to every CometD session of `user`
/// subscribed to `channel` (N of them), bypassing the engine; `count` (1 to
/// [`MAX_PUBLISH_COPIES`], default 1) queues that many copies at once, for throughput
/// benchmarks that need the server to push faster than a client can take.
///
/// Why no validation of `data`: this exists for the client's reliability tests, which need
/// the notifications a real server must never send (`null`, numbers, wrong types, unknown
/// `messageType`s, huge strings) to prove the widget survives them. The engine's state is
/// not touched, so a later real notification still describes the true call state. `data`
/// may be `null` (present but null); only an absent `data` is missing.
async fn publish(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let mut map = object(&body, false)?;
    let user = text_field(&map, "user")?;
    let channel = text_field(&map, "channel")?;
    if !channel.starts_with('/') || channel.starts_with("/meta/") {
        return Err(ApiError::invalid(
            "'channel' must be an application channel such as /v2/me/calls",
        ));
    }
    let data = map
        .remove("data")
        .ok_or_else(|| ApiError::missing("Parameter 'data' is missing"))?;
    let count = match map.get("count") {
        None | Some(Value::Null) => 1,
        Some(value) => value
            .as_u64()
            .filter(|n| (1..=MAX_PUBLISH_COPIES).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "'count' must be an integer from 1 to {MAX_PUBLISH_COPIES}"
                ))
            })?,
    };
    if !state.has_user(&user) {
        return Err(ApiError::not_found(format!("User {user} not found")));
    }
    let delivered = state
        .hub()
        .publish_copies(&user, &channel, &data, count as usize);
    tracing::debug!(%user, %channel, delivered, count, "raw notification published");
    Ok(Json(json!({"statusCode": 0, "delivered": delivered})))
}

/// Most lifecycles one `POST /sim/burst` may queue.
pub const MAX_BURST: u64 = 10_000;

/// `POST /sim/burst {"user":"agent1","from":"5000"?,"count":N}` →
/// `{"statusCode":0,"lifecycles":N,"delivered":M}`: `count` (1 to [`MAX_BURST`]) whole
/// ring → answer → hang-up lifecycles on `user`'s device, queued at once on their CometD
/// sessions (M deliveries), so a widget receives them as a backlog in one or few long-poll
/// replies. Why: issue 14 (burst memory) — what a client keeps while it works through a
/// backlog is only visible when a backlog actually arrives, which paced injections never make.
/// Unknown user → 404/6; `count` missing → 400/1, out of range → 400/2; nothing changes then.
async fn burst(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let map = object(&body, false)?;
    let user = text_field(&map, "user")?;
    let from = number_field(&map, "from")?.unwrap_or_else(|| "5000".into());
    let count = match map.get("count") {
        None | Some(Value::Null) => return Err(ApiError::missing("Parameter 'count' is missing")),
        Some(value) => value
            .as_u64()
            .filter(|n| (1..=MAX_BURST).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(format!("'count' must be an integer from 1 to {MAX_BURST}"))
            })?,
    };
    if !state.has_user(&user) {
        return Err(ApiError::not_found(format!("User {user} not found")));
    }
    let delivered = state.execute_burst(&user, &from, count as usize)?;
    tracing::info!(%user, %from, count, delivered, "burst queued");
    Ok(Json(
        json!({"statusCode": 0, "lifecycles": count, "delivered": delivered}),
    ))
}
