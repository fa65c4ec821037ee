//! `POST /sim/burst`: whole call lifecycles queued at once, so a client meets a backlog.

mod common;

use axum::http::{Method, StatusCode};
use common::{Agent, TestApp, config, spawn_server};
use serde_json::{Value, json};
use std::collections::BTreeMap;

async fn burst(http: &common::Http, body: &Value) -> (u16, Value) {
    let (status, _, text) = http
        .request(
            "POST",
            "/sim/burst",
            &[("Content-Type", "application/json")],
            &body.to_string(),
        )
        .await;
    (status, serde_json::from_str(&text).expect("JSON reply"))
}

#[tokio::test]
async fn a_burst_arrives_as_one_backlog_of_whole_lifecycles_in_order() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let (status, reply) = burst(&http, &json!({"user": "agent1", "count": 40})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["statusCode"], 0);
    assert_eq!(reply["lifecycles"], 40);
    let delivered = reply["delivered"].as_u64().expect("delivered") as usize;
    // Ring, answer and release at least, each on the agent's one session.
    assert!(delivered >= 3 * 40, "{delivered}");

    // Queued before the connect went out: the very next reply carries all of it.
    let backlog: Vec<Value> = agent
        .connect()
        .await
        .into_iter()
        .filter(|m| !m["channel"].as_str().unwrap_or("").starts_with("/meta/"))
        .collect();
    assert_eq!(backlog.len(), delivered);

    let mut states: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for message in backlog.iter().filter(|m| m["channel"] == "/v2/me/calls") {
        let call = &message["data"]["call"];
        if let (Some(id), Some(state)) = (call["id"].as_str(), call["state"].as_str()) {
            let seen = states.entry(id.to_string()).or_default();
            if seen.last().map(String::as_str) != Some(state) {
                seen.push(state.to_string());
            }
        }
    }
    assert_eq!(states.len(), 40, "one call per lifecycle");
    for (id, seen) in &states {
        assert_eq!(
            seen.first().map(String::as_str),
            Some("Ringing"),
            "{id}: {seen:?}"
        );
        assert!(seen.iter().any(|s| s == "Established"), "{id}: {seen:?}");
        assert_eq!(
            seen.last().map(String::as_str),
            Some("Released"),
            "{id}: {seen:?}"
        );
    }
    let (_, calls) = agent.get("/api/v2/me/calls").await;
    assert_eq!(calls["uris"], json!([]), "every burst call ended: {calls}");
}

#[tokio::test]
async fn the_largest_burst_is_accepted() {
    let app = TestApp::new(config());
    let reply = app
        .sim(
            "/sim/burst",
            r#"{"user":"agent1","from":"5550123","count":10000}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json()["lifecycles"], 10_000);
    // No CometD session: nothing delivered, and nothing left over in the model.
    assert_eq!(reply.json()["delivered"], 0);
    let calls = app.get("agent1", "/api/v2/me/calls").await.json();
    assert_eq!(calls["uris"], json!([]));
}

#[tokio::test]
async fn bad_bursts_are_refused_with_the_gws_error_shape_and_change_nothing() {
    let app = TestApp::new(config());
    let call = app.inject("5000", "5005").await;
    let state = || async {
        let mut state = app.request(Method::GET, "/sim/state", &[], "").await.json();
        // Only what the model holds: the clock moves on by itself.
        for volatile in ["now", "nowMs", "clockMs", "cometdSessions", "pendingTimers"] {
            state.as_object_mut().map(|o| o.remove(volatile));
        }
        state
    };
    let before = state().await;
    let cases = [
        (r#"{"user":"agent1","count":0}"#, StatusCode::BAD_REQUEST, 2),
        (
            r#"{"user":"agent1","count":10001}"#,
            StatusCode::BAD_REQUEST,
            2,
        ),
        (
            r#"{"user":"agent1","count":"5"}"#,
            StatusCode::BAD_REQUEST,
            2,
        ),
        (r#"{"user":"agent1"}"#, StatusCode::BAD_REQUEST, 1),
        (r#"{"count":3}"#, StatusCode::BAD_REQUEST, 1),
        (r#"{"user":"nobody","count":3}"#, StatusCode::NOT_FOUND, 6),
        // An agent DN cannot be the simulated caller: refused before anything is queued.
        (
            r#"{"user":"agent1","from":"5005","count":3}"#,
            StatusCode::BAD_REQUEST,
            2,
        ),
        ("{not json", StatusCode::BAD_REQUEST, 2),
    ];
    for (body, status, code) in cases {
        let reply = app.sim("/sim/burst", body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        assert_eq!(reply.json()["statusCode"], code, "{body}");
        assert!(reply.json()["statusMessage"].is_string(), "{body}");
    }
    assert_eq!(state().await, before, "refused bursts changed the model");
    // The call injected before is still there, untouched.
    let calls = app.get("agent1", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(calls["calls"][0]["id"], call.as_str(), "{calls}");
}
