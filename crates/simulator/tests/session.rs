//! The voice session over HTTP: login on places and its errors, the logged-out device, what
//! logout ends (CometD sessions, the cookie), the Bayeux endpoint on every path, password
//! changes.

mod common;

use axum::http::{Method, StatusCode};
use common::{Agent, DEVICE1, TestApp, basic, config, logged_out, spawn_server};
use serde_json::{Value, json};

const START: &str = r#"{"operationName":"StartContactCenterSession","channels":["voice"]}"#;
const END: &str = r#"{"operationName":"EndContactCenterSession"}"#;

/// The logged-out device (its whole JSON is pinned by the engine's session tests): `Inactive`,
/// `LoggedOut`, no capabilities.
fn assert_logged_out(device: &Value) {
    assert_eq!(device["id"], DEVICE1, "{device}");
    assert_eq!(device["deviceState"], "Inactive", "{device}");
    assert_eq!(
        device["userState"],
        json!({"state": "LoggedOut", "displayName": "Logged out"}),
        "{device}"
    );
    assert_eq!(device["capabilities"], json!([]), "{device}");
}

async fn device(app: &TestApp, user: &str) -> Value {
    app.get(user, "/api/v2/me/devices?fields=*").await.json()["devices"][0].clone()
}

#[tokio::test]
async fn agents_start_logged_out_and_me_and_devices_show_the_inactive_device() {
    let app = TestApp::new(logged_out());
    let me = app.get("agent1", "/api/v2/me?subresources=*").await.json();
    let listed = device(&app, "agent1").await;
    assert_logged_out(&listed);
    assert_eq!(me["user"]["devices"][0], listed, "{me}");
    let state = app.request(Method::GET, "/sim/state", &[], "").await.json();
    assert_eq!(state["users"][0]["device"], listed);
    assert_eq!(state["users"][0]["loggedIn"], false);
    assert_eq!(state["users"][0]["place"], "Place_5005");
}

#[tokio::test]
async fn the_flag_starts_agents_logged_in_and_reset_returns_to_the_flags_login_state() {
    let app = TestApp::new(config());
    assert_eq!(device(&app, "agent1").await["deviceState"], "Active");
    assert_eq!(
        app.post("agent1", "/api/v2/me", END).await.status,
        StatusCode::OK
    );
    assert_eq!(app.sim("/sim/reset", "").await.status, StatusCode::OK);
    assert_eq!(device(&app, "agent1").await["deviceState"], "Active");

    let app = TestApp::new(logged_out());
    assert_eq!(
        app.post("agent1", "/api/v2/me", START).await.status,
        StatusCode::OK
    );
    assert_eq!(app.sim("/sim/reset", "").await.status, StatusCode::OK);
    assert_logged_out(&device(&app, "agent1").await);
}

#[tokio::test]
async fn login_errors_have_the_gws_shape_and_change_nothing() {
    let app = TestApp::new(logged_out());
    let cases = [
        (
            r#"{"operationName":"StartContactCenterSession","channels":["voice"],"place":"Nowhere"}"#,
            StatusCode::NOT_FOUND,
            json!({"statusCode": 6, "statusMessage": "Place 'Nowhere' not found"}),
        ),
        (
            r#"{"operationName":"StartContactCenterSession","channels":["chat"]}"#,
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 2, "statusMessage": "Channel 'chat' is not available: the simulator has the voice channel only"}),
        ),
        (
            r#"{"operationName":"StartContactCenterSession","channels":[]}"#,
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 1, "statusMessage": "Parameter 'channels' is empty"}),
        ),
    ];
    for (body, http, expected) in cases {
        let reply = app.post("agent1", "/api/v2/me", body).await;
        assert_eq!((reply.status, reply.json()), (http, expected), "{body}");
    }
    assert_logged_out(&device(&app, "agent1").await);
}

#[tokio::test]
async fn a_place_another_user_is_logged_in_on_is_in_use() {
    let app = TestApp::new(logged_out());
    assert_eq!(
        app.post("agent2", "/api/v2/me", START).await.status,
        StatusCode::OK
    );
    let reply = app
        .post(
            "agent1",
            "/api/v2/me",
            r#"{"operationName":"StartContactCenterSession","channels":["voice"],"place":"Place_5001"}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(
        reply.json(),
        json!({"statusCode": 19, "statusMessage": "Place 'Place_5001' is in use: agent2 is logged in on its device 5001"})
    );
    assert_logged_out(&device(&app, "agent1").await);
}

#[tokio::test]
async fn voice_with_an_unsupported_channel_is_a_partial_success() {
    let app = TestApp::new(logged_out());
    let reply = app
        .post(
            "agent1",
            "/api/v2/me",
            r#"{"operationName":"StartContactCenterSession","channels":["voice","chat"]}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "statusCode": 7,
            "statusMessage": "Partial success: channel(s) chat not started",
            "channels": [
                {"channel": "voice", "statusCode": 0},
                {"channel": "chat", "statusCode": 2,
                 "statusMessage": "Channel 'chat' is not available: the simulator has the voice channel only"}
            ]
        })
    );
    assert_eq!(device(&app, "agent1").await["deviceState"], "Active");
}

#[tokio::test]
async fn voice_operations_of_a_logged_out_agent_are_forbidden_and_calls_to_them_refused() {
    let app = TestApp::new(logged_out());
    let forbidden = json!({
        "statusCode": 3,
        "statusMessage": "agent1 is not logged in to the voice channel on DN 5005: StartContactCenterSession first"
    });
    for (uri, body) in [
        (
            "/api/v2/me/channels/voice",
            r#"{"operationName":"Ready"}"#.to_string(),
        ),
        (
            &format!("/api/v2/me/devices/{DEVICE1}") as &str,
            r#"{"operationName":"DoNotDisturbOn"}"#.to_string(),
        ),
        (
            &format!("/api/v2/me/devices/{DEVICE1}/calls"),
            r#"{"operationName":"Dial","destination":{"phoneNumber":"5000"}}"#.to_string(),
        ),
    ] {
        let reply = app.post("agent1", uri, &body).await;
        assert_eq!(
            (reply.status, reply.json()),
            (StatusCode::FORBIDDEN, forbidden.clone()),
            "{uri}"
        );
    }
    let injected = app
        .sim("/sim/calls", r#"{"from":"5000","to":"5005"}"#)
        .await;
    assert_eq!(
        (injected.status, injected.json()),
        (
            StatusCode::CONFLICT,
            json!({"statusCode": 19, "statusMessage": "DN 5005 is logged out of voice (no StartContactCenterSession)"})
        )
    );
}

#[tokio::test]
async fn logging_out_with_a_live_call_is_refused() {
    let app = TestApp::new(config());
    app.inject("5000", "5005").await;
    let reply = app.post("agent1", "/api/v2/me", END).await;
    assert_eq!(
        (reply.status, reply.json()),
        (
            StatusCode::BAD_REQUEST,
            json!({"statusCode": 2, "statusMessage": "Cannot log out of voice with 1 call(s) on DN 5005: hang up first"})
        )
    );
    assert_eq!(device(&app, "agent1").await["deviceState"], "Active");
}

#[tokio::test]
async fn login_notifies_the_device_and_logging_in_again_notifies_it_again() {
    let (http, _stop) = spawn_server(logged_out()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    for _ in 0..2 {
        let (status, body) = agent.post("/api/v2/me", START).await;
        assert_eq!((status, body), (200, json!({"statusCode": 0})));
        let got = agent.collect(1).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["channel"], "/v2/me/devices");
        let device = &got[0]["data"]["devices"][0];
        assert_eq!(device["deviceState"], "Active");
        assert_eq!(device["userState"]["state"], "NotReady");
    }
}

#[tokio::test]
async fn logout_ends_every_cometd_session_and_the_cookie_but_basic_auth_logs_in_again() {
    let (http, _stop) = spawn_server(config()).await;
    let mut first = Agent::login(&http, "agent1").await;
    first.connect_cometd().await;
    let mut second = Agent::login(&http, "agent1").await;
    second.connect_cometd().await;
    let cookie = http.login(&basic("agent1")).await.cookie.expect("cookie");
    let (status, _, _) = http
        .request("GET", "/api/v2/me", &[("Cookie", &cookie)], "")
        .await;
    assert_eq!(status, 200, "the cookie works before the logout");

    let (status, body) = first.post("/api/v2/me", END).await;
    assert_eq!((status, body), (200, json!({"statusCode": 0})));

    // A new login (new CSRF token) presenting the old clientIds.
    for old in [&first, &second] {
        let agent = Agent {
            client_id: old.client_id.clone(),
            ..Agent::login(&http, "agent1").await
        };
        let reply = agent.connect().await;
        assert_eq!(reply[0]["error"], "402::Unknown client", "{reply:?}");
        assert_eq!(reply[0]["advice"]["reconnect"], "handshake");
    }
    let (status, _, body) = http
        .request("GET", "/api/v2/me", &[("Cookie", &cookie)], "")
        .await;
    assert_eq!(status, 401, "{body}");
    let fresh = http.login(&basic("agent1")).await;
    assert_eq!(fresh.status, 200, "Basic auth starts a new HTTP session");
    assert_ne!(fresh.cookie.expect("new cookie"), cookie);
    let mut again = Agent::login(&http, "agent1").await;
    again.connect_cometd().await;
}

#[tokio::test]
async fn the_bayeux_endpoint_answers_on_the_bare_path_the_trailing_slash_and_any_suffix() {
    let (http, _stop) = spawn_server(config()).await;
    let agent = Agent::login(&http, "agent1").await;
    for path in [
        "/api/v2/notifications",
        "/api/v2/notifications/",
        "/api/v2/notifications/handshake",
        "/api/v2/notifications/connect",
        "/api/v2/notifications/x/y",
    ] {
        let (status, reply) = agent
            .post(
                path,
                r#"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"id":"1"}]"#,
            )
            .await;
        assert_eq!(status, 200, "{path}: {reply}");
        assert_eq!(reply[0]["successful"], true, "{path}: {reply}");
        let id = reply[0]["clientId"].as_str().expect("clientId");
        let batch = json!([
            {"channel": "/meta/subscribe", "clientId": id, "subscription": "/v2/me/calls", "id": "2"},
            {"channel": "/meta/subscribe", "clientId": id, "subscription": "/v2/me/devices", "id": "3"},
            {"channel": "/meta/connect", "clientId": id, "connectionType": "long-polling", "id": "4"}
        ]);
        let (status, reply) = agent.post(path, &batch.to_string()).await;
        assert_eq!(status, 200, "{path}: {reply}");
        let replies = reply.as_array().expect("array");
        assert_eq!(replies.len(), 3, "{path}: {reply}");
        assert!(
            replies.iter().all(|r| r["successful"] == true),
            "{path}: {reply}"
        );
    }
}

#[tokio::test]
async fn a_password_change_ends_the_users_sessions_and_only_the_new_password_works() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let sim = |path: &'static str, body: &'static str| {
        let http = http.clone();
        async move {
            let (status, _, text) = http
                .request("POST", path, &[("Content-Type", "application/json")], body)
                .await;
            (status, serde_json::from_str::<Value>(&text).expect("json"))
        }
    };
    assert_eq!(
        sim("/sim/users/agent1/password", r#"{"password":"s3cret"}"#).await,
        (200, json!({"statusCode": 0}))
    );
    let (status, body) = agent.get("/api/v2/me").await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"statusCode": 20, "statusMessage": "Access denied: authentication required"})
        )
    );
    let new_basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "agent1:s3cret")
    );
    let login = http.login(&new_basic).await;
    assert_eq!(login.status, 200);
    let token = login.token.expect("token");
    assert_ne!(token, agent.token, "the old session's token is gone");
    // The CometD session made with the old password is gone too.
    let (status, _, text) = http
        .request(
            "POST",
            "/api/v2/notifications",
            &[("Authorization", &new_basic), ("X-CSRF-TOKEN", &token)],
            &json!([{"channel": "/meta/connect", "clientId": agent.client_id, "connectionType": "long-polling"}])
                .to_string(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(text.contains("402::Unknown client"), "{text}");

    assert_eq!(
        sim("/sim/users/nobody/password", r#"{"password":"x"}"#).await,
        (
            404,
            json!({"statusCode": 6, "statusMessage": "User nobody not found"})
        )
    );
    assert_eq!(
        sim("/sim/users/agent1/password", "{}").await.1["statusCode"],
        1
    );
    assert_eq!(
        sim("/sim/users/agent1/password", r#"{"password":""}"#)
            .await
            .1["statusCode"],
        2
    );
    // /sim/reset puts the configured password back.
    assert_eq!(sim("/sim/reset", "").await.0, 200);
    assert_eq!(agent.get("/api/v2/me").await.0, 200);
}

/// `/sim/users/{name}/disconnect`: the server ends the user's CometD sessions. The held long
/// poll is answered with `reconnect: none` (the client must not come back on its own), the
/// session is gone after that, another user's session is untouched, and a new handshake works.
#[tokio::test]
async fn a_server_side_disconnect_answers_the_held_connect_with_reconnect_none() {
    let (http, _stop) = spawn_server(config()).await;
    let mut agent = Agent::login(&http, "agent1").await;
    agent.connect_cometd().await;
    let mut other = Agent::login(&http, "agent2").await;
    other.connect_cometd().await;
    let held = {
        let agent = agent.clone();
        tokio::spawn(async move { agent.connect().await })
    };
    // Ends the session whether the connect is already held or not yet (its next look says so).
    let (status, _, text) = http
        .request(
            "POST",
            "/sim/users/agent1/disconnect",
            &[("Content-Type", "application/json")],
            "",
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("json"),
        json!({"statusCode": 0, "sessions": 1})
    );
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), held)
        .await
        .expect("answered at once, not after the hold")
        .expect("task");
    let last = reply.last().expect("connect reply");
    assert_eq!(last["channel"], "/meta/connect", "{reply:?}");
    assert_eq!(last["advice"]["reconnect"], "none", "{reply:?}");
    let again = agent.connect().await;
    assert!(
        again[0]["error"].as_str().unwrap_or("").starts_with("402"),
        "the session is gone: {again:?}"
    );
    let state = http.request("GET", "/sim/state", &[], "").await.2;
    let sessions: Value = serde_json::from_str(&state).expect("json");
    assert!(
        sessions.to_string().contains(&other.client_id),
        "another user's session stays"
    );
    agent.connect_cometd().await;

    let (status, _, text) = http
        .request(
            "POST",
            "/sim/users/nobody/disconnect",
            &[("Content-Type", "application/json")],
            "",
        )
        .await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&text).expect("json")),
        (
            404,
            json!({"statusCode": 6, "statusMessage": "User nobody not found"})
        )
    );
}
