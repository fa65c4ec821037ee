//! `/sim/faults` over a real socket: what the client's reliability tests rely on.

mod common;

use common::{Agent, Http, JSON, config, spawn_server};
use gws_sim::SimConfig;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn fault(http: &Http, body: Value) -> Value {
    let (status, _, text) = http
        .request(
            "POST",
            "/sim/faults",
            &[("Content-Type", "application/json")],
            &body.to_string(),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("json")
}

async fn inject(http: &Http) {
    let (status, _, _) = http
        .request(
            "POST",
            "/sim/calls",
            &[JSON],
            r#"{"from":"5000","to":"5005"}"#,
        )
        .await;
    assert_eq!(status, 200);
}

/// agent1 connected to CometD, with a `/meta/connect` held by the server (the spawned task
/// yields its reply).
async fn hold_a_connect(http: &Http) -> (Agent, tokio::task::JoinHandle<Vec<Value>>) {
    let mut agent = Agent::login(http, "agent1").await;
    agent.connect_cometd().await;
    let held = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    (agent, held)
}

#[tokio::test]
async fn expiring_sessions_answers_a_held_connect_with_402() {
    let (http, _stop) = spawn_server(config()).await;
    let (mut agent, held) = hold_a_connect(&http).await;
    assert_eq!(
        fault(&http, json!({"expireSessions": true})).await["droppedSessions"],
        1
    );
    let reply = tokio::time::timeout(Duration::from_secs(1), held)
        .await
        .expect("answered")
        .expect("joined");
    assert_eq!(reply[0]["error"], "402::Unknown client");
    assert_eq!(reply[0]["advice"]["reconnect"], "handshake");
    // A new handshake works and calls survive a CometD restart.
    inject(&http).await;
    fault(&http, json!({"restartCometd": true})).await;
    agent.connect_cometd().await;
    let (_, calls) = agent.get("/api/v2/me/calls?fields=*").await;
    assert_eq!(calls["calls"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_next_requests_fail_with_503_and_the_gws_body() {
    let (http, _stop) = spawn_server(config()).await;
    let agent = Agent::login(&http, "agent1").await;
    fault(&http, json!({"failNext": 2})).await;
    for _ in 0..2 {
        let (status, body) = agent.get("/api/v2/me").await;
        assert_eq!(status, 503);
        assert_eq!(
            body,
            json!({"statusCode": 4, "statusMessage": "Voice service is not available at this time"})
        );
    }
    assert_eq!(agent.get("/api/v2/me").await.0, 200);
}

#[tokio::test]
async fn failures_can_target_the_notifications_endpoint_only() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    fault(
        &http,
        json!({"failNext": 1, "failStatus": 500, "failPath": "/api/v2/notifications"}),
    )
    .await;
    assert_eq!(agent.get("/api/v2/me").await.0, 200);
    let (status, _) = agent
        .post(
            "/api/v2/notifications",
            r#"[{"channel":"/meta/handshake","version":"1.0"}]"#,
        )
        .await;
    assert_eq!(status, 500);
    agent.connect_cometd().await;
}

#[tokio::test]
async fn the_next_requests_can_be_delayed() {
    let (http, _stop) = spawn_server(config()).await;
    let agent = Agent::login(&http, "agent1").await;
    fault(&http, json!({"delayNext": 1, "delayMs": 300})).await;
    let started = Instant::now();
    assert_eq!(agent.get("/api/v2/me").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(290));
    let started = Instant::now();
    agent.get("/api/v2/me").await;
    assert!(started.elapsed() < Duration::from_millis(290));
}

#[tokio::test]
async fn a_dropped_connect_response_never_arrives_and_messages_wait_for_the_next_connect() {
    let (http, _stop) = spawn_server(SimConfig {
        max_interval_ms: 5_000,
        ..config()
    })
    .await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    fault(&http, json!({"dropConnects": 1})).await;
    inject(&http).await;
    let dropped = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(500), dropped)
            .await
            .is_err(),
        "no response"
    );
    let reply = agent.connect().await;
    assert_eq!(
        reply.len(),
        2,
        "the ringing call is still delivered: {reply:?}"
    );
}

#[tokio::test]
async fn a_stalled_body_arrives_whole_after_the_hold_and_only_once() {
    let (http, _stop) = spawn_server(config()).await;
    let (_agent, held) = hold_a_connect(&http).await;
    // Injected while the connect is held: that connect's reply is the one that stalls.
    fault(&http, json!({"stallBodies": 1, "stallMs": 400})).await;
    let started = Instant::now();
    inject(&http).await;
    let reply = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("answered")
        .expect("joined");
    assert!(
        started.elapsed() >= Duration::from_millis(390),
        "the rest of the body waited for the hold"
    );
    assert_eq!(reply.len(), 2, "nothing of the body is lost: {reply:?}");
    let call = reply
        .iter()
        .find(|message| message["channel"] == "/v2/me/calls")
        .expect("the call's notification");
    assert_eq!(call["data"]["call"]["state"], "Ringing", "{call}");
    let pending = http.request("GET", "/sim/faults", &[], "").await.2;
    assert!(pending.contains("\"stallBodies\":0"), "{pending}");
}

#[tokio::test]
async fn rotating_csrf_tokens_makes_old_tokens_fail() {
    let (http, _stop) = spawn_server(config()).await;
    let agent = Agent::login(&http, "agent1").await;
    fault(&http, json!({"rotateCsrf": true})).await;
    let (status, body) = agent
        .post("/api/v2/me/channels/voice", r#"{"operationName":"Ready"}"#)
        .await;
    assert_eq!(status, 403);
    assert_eq!(body, Value::String("Missing or invalid Csrf token".into()));
    let fresh = Agent::login(&http, "agent1").await;
    assert_eq!(
        fresh
            .post("/api/v2/me/channels/voice", r#"{"operationName":"Ready"}"#)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn pending_faults_are_visible_and_can_be_cleared() {
    let (http, _stop) = spawn_server(config()).await;
    fault(&http, json!({"failNext": 3, "dropConnects": 2})).await;
    let (_, _, text) = http.request("GET", "/sim/faults", &[], "").await;
    let pending: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(pending["faults"]["failNext"], 3);
    assert_eq!(pending["faults"]["dropConnects"], 2);
    let cleared = fault(&http, json!({"clear": true})).await;
    assert_eq!(cleared["faults"]["failNext"], 0);
}

#[tokio::test]
async fn ending_the_session_drops_the_users_cometd_sessions() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let (status, _) = agent
        .post(
            "/api/v2/me",
            r#"{"operationName":"EndContactCenterSession"}"#,
        )
        .await;
    assert_eq!(status, 200);
    let fresh = Agent {
        client_id: agent.client_id.clone(),
        ..Agent::login(&http, "agent1").await
    };
    assert_eq!(fresh.connect().await[0]["error"], "402::Unknown client");
}

#[tokio::test]
async fn device_notifications_arrive_on_the_devices_channel() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    agent
        .post(
            "/api/v2/me/channels/voice",
            r#"{"operationName":"NotReady","reasonCode":"Lunch"}"#,
        )
        .await;
    let got = agent.collect(1).await;
    assert_eq!(got[0]["channel"], "/v2/me/devices");
    assert_eq!(got[0]["data"]["messageType"], "DeviceStateChangeMessage");
    assert_eq!(got[0]["data"]["devices"][0]["userState"]["reason"], "Lunch");
}

#[tokio::test]
async fn asynchronous_errors_arrive_as_error_messages() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let device = common::DEVICE1;
    let (status, body) = agent
        .post(
            &format!("/api/v2/me/devices/{device}/calls"),
            r#"{"operationName":"Dial","destination":{"phoneNumber":"9002"}}"#,
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"statusCode": 0})),
        "accepted, then rejected asynchronously"
    );
    let got = agent.collect(1).await;
    assert_eq!(got[0]["channel"], "/v2/me/calls");
    assert_eq!(got[0]["data"]["messageType"], "ErrorMessage");
    assert_eq!(got[0]["data"]["operationName"], "Dial");
    assert!(got[0]["data"]["errorMessage"].is_string());
}

/// `refuseSubscriptions`: the next N subscribe messages are refused as for a channel the user
/// may not see; the one after is granted (what the widget's retry of a refused channel meets).
#[tokio::test]
async fn the_next_subscriptions_can_be_refused() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    fault(&http, json!({"refuseSubscriptions": 1})).await;
    // A subscribe of an unknown client does not use the refusal up (it is answered 402 first).
    let stranger = json!([{"channel": "/meta/subscribe", "clientId": "bogus",
                            "subscription": "/v2/me/calls"}]);
    let unknown = agent.bayeux(stranger).await;
    assert_eq!(unknown[0]["error"], "402::Unknown client", "{unknown:?}");
    let subscribe = json!([{"channel": "/meta/subscribe", "clientId": agent.client_id,
                            "subscription": "/v2/me/calls", "id": "9"}]);
    let refused = agent.bayeux(subscribe.clone()).await;
    assert_eq!(refused[0]["successful"], false, "{refused:?}");
    assert_eq!(refused[0]["error"], "403::Subscription denied");
    assert_eq!(refused[0]["subscription"], "/v2/me/calls");
    let granted = agent.bayeux(subscribe).await;
    assert_eq!(granted[0]["successful"], true, "{granted:?}");
}
