//! `POST /sim/publish`: raw notifications for the client's reliability tests.

mod common;

use axum::http::StatusCode;
use common::{Agent, Http, TestApp, config, spawn_server};
use serde_json::{Value, json};

async fn publish(http: &Http, body: &str) -> (u16, Value) {
    let (status, _, text) = http
        .request(
            "POST",
            "/sim/publish",
            &[("Content-Type", "application/json")],
            body,
        )
        .await;
    (status, serde_json::from_str(&text).expect("JSON reply"))
}

#[tokio::test]
async fn published_data_reaches_every_subscribed_session_of_the_user_verbatim_and_in_order() {
    let (http, _stop) = spawn_server(config()).await;
    let mut first = Agent::login(&http, "agent1").await;
    first.connect_cometd().await;
    let mut second = Agent::login(&http, "agent1").await;
    second.connect_cometd().await;
    let mut other = Agent::login(&http, "agent2").await;
    other.connect_cometd().await;
    let payloads = [
        Value::Null,
        json!(42),
        json!("not an object"),
        json!([1, {"call": null}]),
        json!({"messageType": "NoSuchMessage", "call": 7}),
        json!({"messageType": "CallStateChangeMessage", "notificationType": "StatusChange", "call": "wrong type"}),
    ];
    for data in &payloads {
        let body = json!({"user": "agent1", "channel": "/v2/me/calls", "data": data});
        let (status, reply) = publish(&http, &body.to_string()).await;
        assert_eq!(
            (status, &reply),
            (200, &json!({"statusCode": 0, "delivered": 2}))
        );
    }
    for agent in [&first, &second] {
        let got = agent.collect(payloads.len()).await;
        let data: Vec<Value> = got.iter().map(|m| m["data"].clone()).collect();
        assert_eq!(data, payloads);
        assert!(got.iter().all(|m| m["channel"] == "/v2/me/calls"));
    }
    // agent2's session got nothing: a publish of its own arrives alone.
    let (_, reply) = publish(
        &http,
        r#"{"user":"agent2","channel":"/v2/me/devices","data":{"n":1}}"#,
    )
    .await;
    assert_eq!(reply["delivered"], 1);
    let got = other.collect(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["data"], json!({"n": 1}));
}

#[tokio::test]
async fn count_queues_that_many_copies_at_once_and_is_bounded() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let body = json!({"user": "agent1", "channel": "/v2/me/calls", "data": {"n": 1}, "count": 250});
    let (status, reply) = publish(&http, &body.to_string()).await;
    assert_eq!((status, reply["delivered"].clone()), (200, json!(1)));
    // Queued in one step: the next connect carries every copy.
    let got: Vec<Value> = agent
        .connect()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "/v2/me/calls")
        .collect();
    assert_eq!(got.len(), 250);
    assert!(got.iter().all(|m| m["data"] == json!({"n": 1})));
    for count in [json!(0), json!(10_001), json!(-1), json!(1.5), json!("5")] {
        let body = json!({"user": "agent1", "channel": "/v2/me/calls", "data": 1, "count": count});
        let (status, reply) = publish(&http, &body.to_string()).await;
        assert_eq!(
            (status, reply["statusCode"].clone()),
            (400, json!(2)),
            "{count}"
        );
    }
}

#[tokio::test]
async fn a_huge_string_under_the_body_limit_is_delivered_intact() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let huge = "x".repeat(512 * 1024);
    let body = json!({"user": "agent1", "channel": "/v2/me/calls", "data": {"call": {"id": huge}}});
    assert_eq!(publish(&http, &body.to_string()).await.0, 200);
    let got = agent.collect(1).await;
    assert_eq!(
        got[0]["data"]["call"]["id"].as_str().map(str::len),
        Some(huge.len())
    );
}

#[tokio::test]
async fn publish_refuses_unknown_users_missing_fields_bad_channels_and_oversized_bodies() {
    let app = TestApp::new(config());
    let call = app.inject("5000", "5005").await;
    let before = app
        .request(axum::http::Method::GET, "/sim/state", &[], "")
        .await
        .json();
    let cases = [
        (
            r#"{"user":"nobody","channel":"/v2/me/calls","data":1}"#.to_string(),
            StatusCode::NOT_FOUND,
            6,
        ),
        (
            r#"{"channel":"/v2/me/calls","data":1}"#.into(),
            StatusCode::BAD_REQUEST,
            1,
        ),
        (
            r#"{"user":"agent1","data":1}"#.into(),
            StatusCode::BAD_REQUEST,
            1,
        ),
        (
            r#"{"user":"agent1","channel":"/v2/me/calls"}"#.into(),
            StatusCode::BAD_REQUEST,
            1,
        ),
        ("".into(), StatusCode::BAD_REQUEST, 1),
        (
            r#"{"user":5,"channel":"/v2/me/calls","data":1}"#.into(),
            StatusCode::BAD_REQUEST,
            2,
        ),
        (
            r#"{"user":"agent1","channel":"/meta/connect","data":1}"#.into(),
            StatusCode::BAD_REQUEST,
            2,
        ),
        (
            r#"{"user":"agent1","channel":"v2","data":1}"#.into(),
            StatusCode::BAD_REQUEST,
            2,
        ),
        ("[1,2]".into(), StatusCode::BAD_REQUEST, 2),
        ("{not json".into(), StatusCode::BAD_REQUEST, 2),
        (
            format!(
                r#"{{"user":"agent1","channel":"/v2/me/calls","data":"{}"}}"#,
                "x".repeat(gws_sim::http::MAX_BODY_BYTES)
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            10,
        ),
    ];
    for (body, status, code) in cases {
        let reply = app.sim("/sim/publish", &body).await;
        let preview: String = body.chars().take(80).collect();
        assert_eq!(reply.status, status, "{preview}: {}", reply.text);
        assert_eq!(reply.json()["statusCode"], code, "{preview}");
        assert!(reply.json()["statusMessage"].is_string(), "{preview}");
    }
    let accepted = app
        .sim(
            "/sim/publish",
            r#"{"user":"agent1","channel":"/v2/me/calls","data":{"call":{"id":"x","state":"Released"}}}"#,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK);
    let after = app
        .request(axum::http::Method::GET, "/sim/state", &[], "")
        .await
        .json();
    let devices = |state: &Value| -> Vec<Value> {
        state["users"]
            .as_array()
            .map(|users| users.iter().map(|u| u["device"].clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(devices(&before), devices(&after), "engine state untouched");
    assert_eq!(before["conversations"], after["conversations"]);
    assert_eq!(
        app.get("agent1", &format!("/api/v2/me/calls/{call}"))
            .await
            .json()["call"]["state"],
        "Ringing"
    );
}
