//! The simulator's control API (`/sim/*`): inject calls, reset. Used by the browser tests only:
//! the widget never calls it (a real GWS has no such API), and the demo page's console is plain
//! JavaScript (`www/demo.js`), so none of this ships in the widget's wasm.

use gloo_net::http::Request;
use gws_widget::error::ApiError;
use serde_json::{Value, json};

/// Asks the simulator to ring `to` with a call from `from`. Returns the new call id.
pub async fn inject_call(
    base: &str,
    from: &str,
    to: &str,
    user_data: Option<Value>,
) -> Result<String, ApiError> {
    let mut body = json!({ "from": from, "to": to });
    if let Some(user_data) = user_data {
        body["userData"] = user_data;
    }
    let reply = post(base, "/sim/calls", &body).await?;
    reply
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ApiError::Decode("no call id in the simulator's reply".into()))
}

/// The simulator's whole state (`GET /sim/state`): its users, calls and CometD sessions.
pub async fn state(base: &str) -> Value {
    let url = format!("{}/sim/state", base.trim_end_matches('/'));
    let response = Request::get(&url).send().await.expect("state");
    response.json::<Value>().await.expect("json")
}

/// Releases every call and resets agents.
pub async fn reset(base: &str) -> Result<(), ApiError> {
    post(base, "/sim/reset", &json!({})).await.map(|_| ())
}

/// POSTs a JSON body to a `/sim` endpoint and returns the JSON reply (statusCode 0 required).
pub async fn post(base: &str, path: &str, body: &Value) -> Result<Value, ApiError> {
    let url = format!("{}{}", base.trim_end_matches('/'), path);
    let response = Request::post(&url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .map_err(|e| ApiError::Network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let reply: Value = serde_json::from_str(&text).map_err(|_| ApiError::Http(status))?;
    match reply.get("statusCode").and_then(Value::as_i64) {
        Some(0) => Ok(reply),
        Some(code) => Err(ApiError::Rejected {
            code,
            message: reply
                .get("statusMessage")
                .and_then(Value::as_str)
                .unwrap_or("refused")
                .to_string(),
        }),
        None => Err(ApiError::Http(status)),
    }
}

/// The simulated phones on call `call_id` (an agent's call id) hang up, as a customer would.
pub async fn remote_hangup(base: &str, call_id: &str) -> Result<(), ApiError> {
    post(base, &format!("/sim/calls/{call_id}/hangup"), &json!({}))
        .await
        .map(|_| ())
}

/// The live (not released) calls of `user` in a [`state`] dump, as the simulator renders them.
pub fn live_calls<'a>(state: &'a Value, user: &str) -> Vec<&'a Value> {
    state["users"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["userName"] == user)
        .flat_map(|u| u["calls"].as_array().into_iter().flatten())
        .filter(|c| c["state"] != "Released")
        .collect()
}

/// Whether the simulator still has timers to fire (a simulated phone about to answer or to
/// report busy): until then the calls are not settled.
pub fn timers_pending(state: &Value) -> bool {
    state["pendingTimers"]
        .as_array()
        .is_some_and(|timers| !timers.is_empty())
}
