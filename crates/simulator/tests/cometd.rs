//! The Bayeux server over a real socket on 127.0.0.1:0, driven like a browser widget.

mod common;

use common::{Agent, cap_set, config, fixture, spawn_server};
use gws_sim::SimConfig;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn inject(http: &common::Http, from: &str, to: &str) -> String {
    let (status, _, body) = http
        .request(
            "POST",
            "/sim/calls",
            &[("Content-Type", "application/json")],
            &json!({"from": from, "to": to}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// Compares what the seeds fix: state, capability set, callType, participants, dnis, the
/// message envelope.
fn assert_like_seed(actual: &Value, expected: &Value) {
    assert_eq!(actual["channel"], expected["channel"]);
    let (a, e) = (&actual["data"], &expected["data"]);
    for key in [
        "messageType",
        "notificationType",
        "phoneNumber",
        "extensions",
    ] {
        assert_eq!(a[key], e[key], "data.{key}");
    }
    let (ac, ec) = (&a["call"], &e["call"]);
    for key in [
        "state",
        "callType",
        "participants",
        "dnis",
        "mute",
        "supervisorListeningIn",
        "monitoredUserMuted",
    ] {
        assert_eq!(ac[key], ec[key], "call.{key}");
    }
    assert_eq!(cap_set(ac), cap_set(ec), "capability set");
    assert_eq!(
        ac.get("parentCallUri").is_some(),
        ec.get("parentCallUri").is_some()
    );
    let id = ac["id"].as_str().expect("id");
    assert_eq!(ac["callUuid"], id);
    assert_eq!(
        ac["uri"]
            .as_str()
            .map(|u| u.ends_with(&format!("/api/v2/me/calls/{id}"))),
        Some(true)
    );
    let device_tail = |call: &Value| {
        call["deviceUri"]
            .as_str()
            .and_then(|u| u.split("/api/").nth(1))
            .map(str::to_string)
    };
    assert_eq!(device_tail(ac), device_tail(ec), "same device");
}

#[tokio::test]
async fn a_held_connect_delivers_ringing_then_answer_and_hangup_like_seed_000() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let seed = fixture("seed000_swapcalls_sample2");

    let held = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !held.is_finished(),
        "the connect is held while nothing happens"
    );
    let id = inject(&http, "5000", "5005").await;
    let reply = tokio::time::timeout(Duration::from_secs(2), held)
        .await
        .expect("released")
        .expect("joined");
    assert_eq!(reply.len(), 2, "{reply:?}");
    assert_like_seed(&reply[0], &seed[0]);
    assert_eq!(reply[0]["data"]["call"]["id"], id.as_str());
    assert_eq!(reply[0]["data"]["call"]["duration"], "0");
    assert_eq!(reply[1]["channel"], "/meta/connect");
    assert_eq!(reply[1]["successful"], true);
    assert_eq!(
        reply[1]["advice"],
        json!({"reconnect": "retry", "interval": 0, "timeout": 2000})
    );

    let (status, body) = agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!((status, body), (200, json!({"statusCode": 0})));
    let established = agent.collect(1).await;
    assert_like_seed(&established[0], &seed[1]);

    agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Hangup"}"#,
        )
        .await;
    let released = agent.collect(1).await;
    let call = &released[0]["data"]["call"];
    assert_eq!(call["state"], "Released");
    assert_eq!(call["capabilities"], json!([]));
}

#[tokio::test]
async fn an_unknown_client_gets_402_with_handshake_advice() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.client_id = "not-a-client".into();
    let reply = agent.connect().await;
    assert_eq!(reply.len(), 1);
    assert_eq!(reply[0]["channel"], "/meta/connect");
    assert_eq!(reply[0]["successful"], false);
    assert_eq!(reply[0]["error"], "402::Unknown client");
    assert_eq!(
        reply[0]["advice"],
        json!({"reconnect": "handshake", "interval": 0})
    );
}

#[tokio::test]
async fn a_client_id_belongs_to_the_user_who_handshook() {
    let (http, _stop) = spawn_server(config()).await;
    let mut alice = Agent::login(&http, "agent1").await;
    alice.connect_cometd().await;
    let mut bob = Agent::login(&http, "agent2").await;
    bob.client_id = alice.client_id.clone();
    assert_eq!(bob.connect().await[0]["error"], "402::Unknown client");
}

#[tokio::test]
async fn a_connect_with_nothing_to_deliver_returns_after_the_timeout_with_advice() {
    let (http, _stop) = spawn_server(SimConfig {
        cometd_timeout_ms: 300,
        ..config()
    })
    .await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let started = Instant::now();
    let reply = agent.connect().await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(280) && waited < Duration::from_millis(1500),
        "{waited:?}"
    );
    assert_eq!(
        reply,
        vec![json!({
            "channel": "/meta/connect", "clientId": agent.client_id, "successful": true,
            "advice": {"reconnect": "retry", "interval": 0, "timeout": 300}
        })]
    );
}

#[tokio::test]
async fn several_messages_are_batched_into_one_connect_reply_in_publish_order() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let first = inject(&http, "5000", "5005").await;
    let second = inject(&http, "5002", "5005").await;
    let reply = agent.connect().await;
    assert_eq!(reply.len(), 3, "{reply:?}");
    assert_eq!(reply[0]["data"]["call"]["id"], first.as_str());
    assert_eq!(reply[1]["data"]["call"]["id"], second.as_str());
    assert_eq!(reply[2]["channel"], "/meta/connect");
}

#[tokio::test]
async fn two_users_each_see_only_their_own_calls() {
    let (http, _stop) = spawn_server(config()).await;
    let mut alice = Agent::login(&http, "agent1").await;
    alice.connect_cometd().await;
    let mut bob = Agent::login(&http, "agent2").await;
    bob.connect_cometd().await;
    let to_alice = inject(&http, "5000", "5005").await;
    let to_bob = inject(&http, "5002", "5001").await;
    let alice_got = alice.connect().await;
    let bob_got = bob.connect().await;
    assert_eq!(alice_got.len(), 2);
    assert_eq!(alice_got[0]["data"]["call"]["id"], to_alice.as_str());
    assert_eq!(bob_got.len(), 2);
    assert_eq!(bob_got[0]["data"]["call"]["id"], to_bob.as_str());
    assert_eq!(bob_got[0]["data"]["phoneNumber"], "5001");
}

#[tokio::test]
async fn a_second_connect_releases_the_held_one_with_an_empty_reply() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let held = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    let first = tokio::time::timeout(Duration::from_secs(1), held)
        .await
        .expect("released")
        .expect("joined");
    assert_eq!(first, Vec::<Value>::new());
    inject(&http, "5000", "5005").await;
    let second = tokio::time::timeout(Duration::from_secs(2), second)
        .await
        .expect("released")
        .expect("joined");
    assert_eq!(second.len(), 2);
}

#[tokio::test]
async fn a_session_without_connects_expires_after_max_interval() {
    let (http, _stop) = spawn_server(SimConfig {
        max_interval_ms: 200,
        ..config()
    })
    .await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let reply = agent.connect().await;
    assert_eq!(reply[0]["error"], "402::Unknown client");
    assert_eq!(reply[0]["advice"]["reconnect"], "handshake");
}

#[tokio::test]
async fn unsubscribe_stops_delivery_and_disconnect_ends_the_session() {
    let (http, _stop) = spawn_server(SimConfig {
        cometd_timeout_ms: 200,
        ..config()
    })
    .await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let reply = agent
        .bayeux(json!([{"channel": "/meta/unsubscribe", "clientId": agent.client_id, "subscription": "/v2/me/*"}]))
        .await;
    assert_eq!(reply[0]["successful"], true);
    inject(&http, "5000", "5005").await;
    assert_eq!(agent.connect().await.len(), 1, "only the connect reply");
    let reply = agent
        .bayeux(json!([{"channel": "/meta/disconnect", "clientId": agent.client_id}]))
        .await;
    assert_eq!(reply[0]["successful"], true);
    assert_eq!(agent.connect().await[0]["error"], "402::Unknown client");
}

#[tokio::test]
async fn the_server_prints_nothing_but_serves_on_an_ephemeral_port() {
    let (http, _stop) = spawn_server(config()).await;
    let (status, _, body) = http
        .request("GET", "/api/v2/diagnostics/version", &[], "")
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, _, state) = http.request("GET", "/sim/state", &[], "").await;
    let state: Value = serde_json::from_str(&state).expect("json");
    assert_eq!(
        state["externalUrl"],
        http.base.as_str(),
        "uris use the real port"
    );
}

#[tokio::test]
async fn a_connect_advising_timeout_zero_is_answered_at_once() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let started = Instant::now();
    let reply = agent
        .bayeux(json!([{"channel": "/meta/connect", "clientId": agent.client_id, "connectionType": "long-polling", "advice": {"timeout": 0}}]))
        .await;
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(reply[0]["successful"], true);
}
