//! Who may drive the simulator: `/sim` writes need `Content-Type: application/json`, CORS
//! answers allowed origins only, the `Host` must be a loopback name or an `--allow-host`
//! value, and the state file is private (`0600`) and written atomically. And what one agent
//! may do to another: a call's user data is bounded, so no agent can make the other's calls
//! unreadable.

mod common;

use axum::http::{Method, StatusCode};
use common::{DEVICE1, TestApp, basic, config, spawn_server};
use gws_sim::SimConfig;
use gws_sim::engine::USER_DATA_MAX_BYTES;
use gws_sim::state::hub::{ConnectPoll, ConnectStart};
use serde_json::{Value, json};

fn calls_in(app: &TestApp) -> usize {
    app.state.read(|engine, _| engine.call_count())
}

/// The GWS error shape: `{statusCode: n, statusMessage: "…"}`.
fn assert_gws_error(text: &str, code: i64) {
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(body["statusCode"], code, "{text}");
    assert!(
        body["statusMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{text}"
    );
}

#[tokio::test]
async fn a_text_plain_post_to_sim_reset_is_415_and_resets_nothing() {
    let app = TestApp::new(config());
    app.inject("5000", "5005").await;
    for headers in [
        &[("content-type", "text/plain")][..],
        &[("content-type", "text/plain;charset=UTF-8")][..],
        &[][..],
    ] {
        let reply = app.request(Method::POST, "/sim/reset", headers, "{}").await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{headers:?}"
        );
        assert_gws_error(&reply.text, 2);
        assert_eq!(calls_in(&app), 1, "nothing reset ({headers:?})");
    }
    // JSON with parameters, in any case, is fine.
    let reply = app
        .request(
            Method::POST,
            "/sim/reset",
            &[("content-type", "Application/JSON; charset=utf-8")],
            "{}",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(calls_in(&app), 0);
}

#[tokio::test]
async fn form_and_multipart_posts_to_sim_are_415_and_change_nothing() {
    let app = TestApp::new(config());
    for (uri, content_type, body) in [
        (
            "/sim/calls",
            "application/x-www-form-urlencoded",
            r#"{"from":"5000","to":"5005"}"#,
        ),
        ("/sim/calls", "multipart/form-data; boundary=x", "--x--"),
        ("/sim/faults", "text/plain", r#"{"expireSessions":true}"#),
        (
            "/sim/publish",
            "text/plain",
            r#"{"user":"agent1","channel":"/v2/me/calls","data":1}"#,
        ),
        (
            "/sim/users/agent1/password",
            "text/plain",
            r#"{"password":"x"}"#,
        ),
        ("/sim/phones/5000/hangup", "text/plain", ""),
    ] {
        let reply = app
            .request(Method::POST, uri, &[("content-type", content_type)], body)
            .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{uri}");
        assert_gws_error(&reply.text, 2);
    }
    assert_eq!(calls_in(&app), 0);
    assert_eq!(
        app.state.check_password("agent1", "agent1").as_deref(),
        Some("agent1"),
        "password unchanged"
    );
    // GETs need no body type.
    let reply = app.request(Method::GET, "/sim/state", &[], "").await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn loopback_and_allow_origin_origins_get_credentialed_cors() {
    let app = TestApp::new(SimConfig {
        allow_origins: vec!["https://crm.example.com".into()],
        ..config()
    });
    for origin in [
        "http://127.0.0.1:5173",
        "http://localhost:3000",
        "https://localhost",
        "http://[::1]:8081",
        "https://crm.example.com",
    ] {
        for (uri, auth) in [("/sim/state", None), ("/api/v2/me", Some(basic("agent1")))] {
            let mut headers = vec![("origin", origin)];
            if let Some(auth) = &auth {
                headers.push(("authorization", auth));
            }
            let reply = app.request(Method::GET, uri, &headers, "").await;
            assert_eq!(reply.status, StatusCode::OK, "{origin} {uri}");
            assert_eq!(
                reply.header("access-control-allow-origin"),
                Some(origin),
                "{uri}"
            );
            assert_eq!(
                reply.header("access-control-allow-credentials"),
                Some("true")
            );
        }
        let preflight = app
            .request(
                Method::OPTIONS,
                "/sim/reset",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type"),
                ],
                "",
            )
            .await;
        assert_eq!(preflight.status, StatusCode::NO_CONTENT, "{origin}");
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some(origin)
        );
    }
}

#[tokio::test]
async fn a_disallowed_origin_gets_no_cors_headers_its_preflight_and_writes_are_refused() {
    let app = TestApp::new(config());
    app.inject("5000", "5005").await;
    let agent1 = basic("agent1");
    for origin in [
        "https://evil.example",
        "http://127.0.0.2:8000",
        "http://localhost.evil.example",
        "null",
    ] {
        for (uri, headers) in [
            ("/sim/state", vec![("origin", origin)]),
            (
                "/api/v2/me",
                vec![("origin", origin), ("authorization", agent1.as_str())],
            ),
        ] {
            let reply = app.request(Method::GET, uri, &headers, "").await;
            for name in [
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-expose-headers",
            ] {
                assert_eq!(reply.header(name), None, "{origin} {uri}: {name}");
            }
        }
        let preflight = app
            .request(
                Method::OPTIONS,
                "/sim/reset",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type"),
                ],
                "",
            )
            .await;
        assert_eq!(preflight.status, StatusCode::FORBIDDEN, "{origin}");
        assert_gws_error(&preflight.text, 3);
        for name in [
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-allow-credentials",
        ] {
            assert_eq!(preflight.header(name), None, "{origin}: {name}");
        }
        // A write that gets through anyway (no pre-flight sent) changes nothing.
        let reply = app
            .request(
                Method::POST,
                "/sim/reset",
                &[("origin", origin), ("content-type", "application/json")],
                "{}",
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin}");
        assert_gws_error(&reply.text, 3);
        assert_eq!(calls_in(&app), 1, "{origin}: nothing reset");
    }
}

#[tokio::test]
async fn the_simulators_own_origin_may_write_from_an_allowed_host() {
    // A demo page served by the simulator under an --allow-host name posts same-origin.
    let app = TestApp::new(SimConfig {
        allow_hosts: vec!["sim.lan".into()],
        ..config()
    });
    let reply = app
        .request(
            Method::POST,
            "/sim/calls",
            &[
                ("host", "sim.lan:8080"),
                ("origin", "http://sim.lan:8080"),
                ("content-type", "application/json"),
            ],
            r#"{"to":"5005"}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // Another port of that host is another origin.
    let reply = app
        .request(
            Method::POST,
            "/sim/reset",
            &[
                ("host", "sim.lan:8080"),
                ("origin", "http://sim.lan:9999"),
                ("content-type", "application/json"),
            ],
            "{}",
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(calls_in(&app), 1);
}

#[tokio::test]
async fn a_foreign_host_is_refused_loopback_names_and_allow_host_values_are_served() {
    let app = TestApp::new(SimConfig {
        allow_hosts: vec!["sim.test".into(), "box.lan:9000".into()],
        ..config()
    });
    app.inject("5000", "5005").await;
    for host in [
        "evil.example",
        "evil.example:8080",
        "127.0.0.1.evil.example",
        "box.lan:9001",
    ] {
        for (method, uri) in [
            (Method::GET, "/sim/state"),
            (Method::GET, "/api/v2/me"),
            (Method::GET, "/"),
            (Method::POST, "/sim/reset"),
        ] {
            let reply = app
                .request(
                    method.clone(),
                    uri,
                    &[
                        ("host", host),
                        ("authorization", &basic("agent1")),
                        ("content-type", "application/json"),
                    ],
                    "{}",
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::MISDIRECTED_REQUEST,
                "{host} {uri}"
            );
            assert_gws_error(&reply.text, 3);
        }
    }
    assert_eq!(calls_in(&app), 1, "nothing reset");
    for host in [
        "127.0.0.1:8080",
        "127.0.0.1",
        "127.0.0.2:8080",
        "localhost",
        "localhost:8080",
        "[::1]:8080",
        "sim.test",
        "sim.test:1234",
        "box.lan:9000",
    ] {
        let reply = app
            .request(Method::GET, "/sim/state", &[("host", host)], "")
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn over_a_socket_the_loopback_host_is_served_and_requests_without_origin_work() {
    let (http, stop) = spawn_server(config()).await;
    // The client sends `Host: 127.0.0.1:<port>` and no Origin, like Node's fetch.
    let (status, _, text) = http
        .request(
            "POST",
            "/sim/calls",
            &[("Content-Type", "application/json")],
            r#"{"to":"5005"}"#,
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let (status, _, text) = http.request("GET", "/sim/state", &[], "").await;
    assert_eq!(status, 200);
    let state: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        state["users"][0]["calls"].as_array().map(Vec::len),
        Some(1),
        "{state}"
    );
    let _ = stop.send(());
}

#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_written_0600_through_a_fresh_temporary_file() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};
    let dir = std::env::temp_dir().join(format!("gws-sim-security-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("state.json");
    // An old, world-readable (and unusable: set aside as `.rejected`) state file, and a link
    // planted where the temporary file goes.
    std::fs::write(&path, "{}").expect("old file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let target = dir.join("planted-target");
    std::fs::write(&target, "untouched").expect("target");
    symlink(&target, dir.join("state.json.tmp")).expect("symlink");

    let app = TestApp::new(SimConfig {
        state_file: Some(path.clone()),
        ..config()
    });
    let id = app.inject("5000", "5005").await;
    // Written before the answer, with the call, readable by the owner only.
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("json");
    assert!(saved.to_string().contains(&id), "the call is saved");
    let mode = std::fs::metadata(&path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    assert_eq!(
        std::fs::read_to_string(&target).expect("target"),
        "untouched",
        "not written through the planted link"
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["planted-target", "state.json", "state.json.rejected"],
        "no temporary file left"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// How many messages a CometD session of `user` (subscribed to the calls channel) has queued;
/// empties the queue. The first call only opens the session.
fn queued(app: &TestApp, client: &str, user: &str) -> usize {
    match app
        .state
        .hub()
        .begin_connect(client, user)
        .expect("session")
    {
        ConnectStart::Immediate(messages) => messages.len(),
        ConnectStart::Hold { seq, .. } => match app.state.hub().poll_connect(client, seq, true) {
            ConnectPoll::Ready(messages) => messages.len(),
            other => panic!("{other:?}"),
        },
        ConnectStart::Ended => panic!("session ended"),
    }
}

/// agent1 dials agent2; returns (agent1's call uri, agent2's CometD client id).
async fn agent1_calls_agent2(app: &TestApp) -> (String, String) {
    let dial = app
        .post(
            "agent1",
            &format!("/api/v2/me/devices/{DEVICE1}/calls"),
            r#"{"operationName":"Dial","destination":{"phoneNumber":"5001"}}"#,
        )
        .await;
    assert_eq!(dial.status, StatusCode::OK, "{}", dial.text);
    let calls = app.get("agent1", "/api/v2/me/calls?fields=*").await.json();
    let id = calls["calls"][0]["id"].as_str().expect("id").to_string();
    let client = app.state.hub().handshake("agent2");
    app.state
        .hub()
        .subscribe(&client, "agent2", &[gws_protocol::CALLS_CHANNEL])
        .expect("subscribed");
    assert_eq!(queued(app, &client, "agent2"), 0, "the session is open");
    (format!("/api/v2/me/calls/{id}"), client)
}

fn theirs(calls: &Value) -> Value {
    calls["calls"][0]["userData"].clone()
}

#[tokio::test]
async fn an_attach_too_large_for_the_other_agent_is_400_and_neither_stored_nor_published() {
    let app = TestApp::new(config());
    let (uri, client) = agent1_calls_agent2(&app).await;
    let small = app
        .post(
            "agent1",
            &uri,
            r#"{"operationName":"AttachUserData","userData":{"Case":"42"}}"#,
        )
        .await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.text);
    assert_eq!(queued(&app, &client, "agent2"), 1, "AttachedDataChanged");
    // What the attack sent: ~0.9 MB, under the 1 MiB body cap.
    let body = json!({"operationName": "AttachUserData",
                      "userData": {"Blob": "x".repeat(900_000)}});
    let reply = app.post("agent1", &uri, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_gws_error(&reply.text, 2);
    assert_eq!(queued(&app, &client, "agent2"), 0, "nothing published");
    let calls = app.get("agent2", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(
        theirs(&calls),
        json!({"Case": "42"}),
        "stored data unchanged"
    );
}

#[tokio::test]
async fn repeated_attaches_stop_at_the_bound_and_the_other_agents_calls_stay_small() {
    let app = TestApp::new(config());
    let (uri, client) = agent1_calls_agent2(&app).await;
    let piece = USER_DATA_MAX_BYTES / 4;
    let mut accepted = 0;
    let refused = loop {
        let body = json!({"operationName": "AttachUserData",
                          "userData": {format!("K{accepted}"): "x".repeat(piece)}});
        let reply = app.post("agent1", &uri, &body.to_string()).await;
        if reply.status != StatusCode::OK {
            break reply;
        }
        accepted += 1;
        assert!(accepted < 10, "attaches never stop");
    };
    assert_eq!(
        accepted, 3,
        "three quarters fit, the fourth with its key does not"
    );
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_gws_error(&refused.text, 2);
    assert_eq!(
        queued(&app, &client, "agent2"),
        accepted,
        "one per accepted attach"
    );
    let calls = app.get("agent2", "/api/v2/me/calls?fields=*").await;
    assert_eq!(theirs(&calls.json()).as_object().map(|d| d.len()), Some(3));
    assert!(
        calls.text.len() < 2 * USER_DATA_MAX_BYTES,
        "{}",
        calls.text.len()
    );
}

#[tokio::test]
async fn a_dial_or_injected_call_with_too_much_user_data_is_400_and_places_no_call() {
    let app = TestApp::new(config());
    let huge = "x".repeat(USER_DATA_MAX_BYTES);
    let dial = json!({"operationName": "Dial", "destination": {"phoneNumber": "5001"},
                      "userData": {"Blob": huge}});
    let reply = app
        .post(
            "agent1",
            &format!("/api/v2/me/devices/{DEVICE1}/calls"),
            &dial.to_string(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_gws_error(&reply.text, 2);
    let inject = json!({"from": "5000", "to": "5005", "userData": {"Blob": huge}});
    let reply = app.sim("/sim/calls", &inject.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_gws_error(&reply.text, 2);
    assert_eq!(calls_in(&app), 0);
}
