//! HTTP behaviour through `tower::ServiceExt::oneshot`: auth, CSRF, CORS, REST shapes, errors.

mod common;

use axum::http::{Method, StatusCode};
use common::{DEVICE1, TestApp, basic, config};
use gws_sim::SimConfig;
use serde_json::{Value, json};

fn app() -> TestApp {
    TestApp::new(config())
}

#[tokio::test]
async fn no_credentials_get_401_with_status_code_20_and_no_browser_dialog() {
    let app = app();
    let reply = app.request(Method::GET, "/api/v2/me", &[], "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json(),
        json!({"statusCode": 20, "statusMessage": "Access denied: authentication required"})
    );
    assert!(reply.header("www-authenticate").is_none());
}

#[tokio::test]
async fn wrong_password_is_401_even_with_a_valid_session_cookie() {
    let app = app();
    let login = app.get("agent1", "/api/v2/me").await;
    let cookie = login
        .header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let bad = format!("Basic {}", base64_of("agent1:wrong"));
    let reply = app
        .request(
            Method::GET,
            "/api/v2/me",
            &[("authorization", &bad), ("cookie", &cookie)],
            "",
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn the_session_cookie_alone_authenticates_after_a_basic_login() {
    let app = app();
    let login = app.get("agent1", "/api/v2/me").await;
    let set_cookie = login.header("set-cookie").expect("cookie").to_string();
    assert!(set_cookie.starts_with("JSESSIONID="));
    assert!(
        set_cookie.contains("Path=/")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
    );
    let cookie = set_cookie.split(';').next().expect("pair").to_string();
    let reply = app
        .request(Method::GET, "/api/v2/me", &[("cookie", &cookie)], "")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["user"]["userName"], "agent1");
}

#[tokio::test]
async fn the_basic_header_wins_over_another_users_cookie() {
    let app = app();
    let login = app.get("agent1", "/api/v2/me").await;
    let cookie = login
        .header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let reply = app
        .request(
            Method::GET,
            "/api/v2/me",
            &[("authorization", &basic("agent2")), ("cookie", &cookie)],
            "",
        )
        .await;
    assert_eq!(reply.json()["user"]["userName"], "agent2");
}

#[tokio::test]
async fn get_responses_carry_a_stable_csrf_token_per_user() {
    let app = app();
    let first = app.get("agent1", "/api/v2/me").await;
    assert_eq!(first.header("x-csrf-header"), Some("X-CSRF-TOKEN"));
    let token = first.header("x-csrf-token").expect("token").to_string();
    assert_eq!(token.len(), 36, "a uuid");
    assert_eq!(app.csrf("agent1").await, token);
    assert_ne!(app.csrf("agent2").await, token);
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_403_with_the_gws_text() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let uri = format!("/api/v2/me/calls/{id}");
    let reply = app
        .request(
            Method::POST,
            &uri,
            &[("authorization", &basic("agent1"))],
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.text, "Missing or invalid Csrf token");
    let wrong = app
        .request(
            Method::POST,
            &uri,
            &[
                ("authorization", &basic("agent1")),
                ("x-csrf-token", "nope"),
            ],
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other_users = app.csrf("agent2").await;
    let crossed = app
        .request(
            Method::POST,
            &uri,
            &[
                ("authorization", &basic("agent1")),
                ("x-csrf-token", &other_users),
            ],
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("agent1", &uri).await.json()["call"]["state"],
        "Ringing",
        "nothing changed"
    );
}

#[tokio::test]
async fn no_csrf_disables_the_token_check() {
    let app = TestApp::new(SimConfig {
        csrf: false,
        ..config()
    });
    let id = app.inject("5000", "5005").await;
    let reply = app
        .request(
            Method::POST,
            &format!("/api/v2/me/calls/{id}"),
            &[("authorization", &basic("agent1"))],
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn preflight_is_answered_204_without_auth_and_echoes_the_origin() {
    let app = app();
    let origin = "http://127.0.0.1:9999";
    let reply = app
        .request(
            Method::OPTIONS,
            "/api/v2/me/calls/x",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,x-csrf-token",
                ),
            ],
            "",
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("access-control-allow-origin"), Some(origin));
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    let methods = reply
        .header("access-control-allow-methods")
        .expect("methods");
    assert!(
        ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
            .iter()
            .all(|m| methods.contains(m))
    );
    let headers = reply
        .header("access-control-allow-headers")
        .expect("headers")
        .to_ascii_lowercase();
    for name in [
        "authorization",
        "content-type",
        "x-csrf-token",
        "x-requested-with",
        "accept",
        "origin",
    ] {
        assert!(headers.contains(name), "{name} allowed");
    }
}

#[tokio::test]
async fn api_and_control_responses_echo_the_origin_and_expose_the_csrf_headers() {
    let app = app();
    let origin = "http://127.0.0.1:9999";
    let api = app
        .request(
            Method::GET,
            "/api/v2/me",
            &[("authorization", &basic("agent1")), ("origin", origin)],
            "",
        )
        .await;
    assert_eq!(api.header("access-control-allow-origin"), Some(origin));
    assert_eq!(
        api.header("access-control-expose-headers"),
        Some("X-CSRF-HEADER,X-CSRF-TOKEN")
    );
    let denied = app
        .request(Method::GET, "/api/v2/me", &[("origin", origin)], "")
        .await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        denied.header("access-control-allow-origin"),
        Some(origin),
        "errors are readable cross-origin"
    );
    let sim = app
        .request(Method::GET, "/sim/state", &[("origin", origin)], "")
        .await;
    assert_eq!(sim.header("access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn me_with_subresources_embeds_devices_and_settings() {
    let app = app();
    let plain = app.get("agent1", "/api/v2/me").await.json();
    assert_eq!(plain["statusCode"], 0);
    let user = &plain["user"];
    assert_eq!(user["userName"], "agent1");
    assert_eq!(user["firstName"], "Alice");
    assert_eq!(user["roles"], json!(["ROLE_AGENT"]));
    assert!(
        user["uri"]
            .as_str()
            .expect("uri")
            .starts_with("http://127.0.0.1:8080/api/v2/users/")
    );
    assert!(user["path"].as_str().expect("path").starts_with("/users/"));
    assert!(user.get("devices").is_none());
    let full = app.get("agent1", "/api/v2/me?subresources=*").await.json();
    let device = &full["user"]["devices"][0];
    assert_eq!(device["id"], DEVICE1);
    assert_eq!(device["phoneNumber"], "5005");
    assert_eq!(device["deviceState"], "Active");
    assert_eq!(device["userState"]["state"], "Ready");
    assert!(full["user"]["settings"].is_object());
    let supervisor = app
        .get("supervisor1", "/api/v2/me?subresources=*")
        .await
        .json();
    assert_eq!(supervisor["user"]["roles"], json!(["ROLE_SUPERVISOR"]));
    assert_eq!(supervisor["user"]["devices"][0]["phoneNumber"], "5010");
}

#[tokio::test]
async fn devices_are_listed_as_uris_or_as_objects() {
    let app = app();
    let uris = app.get("agent2", "/api/v2/me/devices").await.json();
    assert_eq!(
        uris["uris"][0],
        format!(
            "http://127.0.0.1:8080/api/v2/me/devices/{}",
            common::DEVICE2
        )
    );
    let objects = app
        .get("agent2", "/api/v2/me/devices?fields=*")
        .await
        .json();
    assert_eq!(objects["devices"][0]["phoneNumber"], "5001");
    let one = app
        .get("agent2", &format!("/api/v2/me/devices/{}", common::DEVICE2))
        .await
        .json();
    assert_eq!(one["device"]["id"], common::DEVICE2);
    assert_eq!(
        app.get("agent2", &format!("/api/v2/me/devices/{DEVICE1}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn calls_are_listed_as_uris_or_objects_and_released_ones_disappear() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let uris = app.get("agent1", "/api/v2/me/calls").await.json();
    assert_eq!(
        uris,
        json!({"statusCode": 0, "uris": [format!("http://127.0.0.1:8080/api/v2/me/calls/{id}")]})
    );
    let calls = app.get("agent1", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(calls["statusCode"], 0);
    assert_eq!(calls["calls"][0]["id"], id.as_str());
    assert_eq!(calls["calls"][0]["state"], "Ringing");
    let one = app
        .get("agent1", &format!("/api/v2/me/calls/{id}"))
        .await
        .json();
    assert_eq!(one["call"]["id"], id.as_str());
    assert_eq!(
        app.get("agent2", "/api/v2/me/calls?fields=*").await.json()["calls"],
        json!([])
    );
    assert_eq!(
        app.post(
            "agent1",
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Answer"}"#
        )
        .await
        .json(),
        json!({"statusCode": 0})
    );
    assert_eq!(
        app.post(
            "agent1",
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Hangup"}"#
        )
        .await
        .json(),
        json!({"statusCode": 0})
    );
    assert_eq!(
        app.get("agent1", "/api/v2/me/calls?fields=*").await.json()["calls"],
        json!([])
    );
}

async fn error_of(app: &TestApp, user: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let reply = app.post(user, uri, body).await;
    (reply.status, reply.json())
}

#[tokio::test]
async fn an_unknown_call_is_404_with_status_code_6() {
    let app = app();
    let (status, body) = error_of(
        &app,
        "agent1",
        "/api/v2/me/calls/NOPE",
        r#"{"operationName":"Answer"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["statusCode"], 6);
    assert!(
        body["statusMessage"]
            .as_str()
            .expect("message")
            .contains("NOPE")
    );
    let get = app.get("agent1", "/api/v2/me/calls/NOPE").await;
    assert_eq!(get.status, StatusCode::NOT_FOUND);
    assert_eq!(get.json()["statusCode"], 6);
}

#[tokio::test]
async fn bad_bodies_are_400_with_status_code_1_or_2_and_change_nothing() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let uri = format!("/api/v2/me/calls/{id}");
    let cases = [
        ("{not json", 2),
        ("[1,2]", 2),
        ("", 1),
        (r#"{"digits":"1"}"#, 1),
        (r#"{"operationName":42}"#, 2),
        (r#"{"operationName":"Hangup"}"#, 2),
        (r#"{"operationName":"Teleport"}"#, 2),
    ];
    for (body, code) in cases {
        let (status, reply) = error_of(&app, "agent1", &uri, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply["statusCode"], code, "{body}: {reply}");
        assert!(reply["statusMessage"].is_string());
    }
    assert_eq!(
        app.get("agent1", &uri).await.json()["call"]["state"],
        "Ringing"
    );
}

#[tokio::test]
async fn another_users_call_is_404_and_not_revealed() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let (status, body) = error_of(
        &app,
        "agent2",
        &format!("/api/v2/me/calls/{id}"),
        r#"{"operationName":"Answer"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["statusCode"], 6);
    assert_eq!(
        app.get("agent2", &format!("/api/v2/me/calls/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn sim_calls_reports_unknown_dns_and_bad_bodies() {
    let app = app();
    let unknown = app
        .sim("/sim/calls", r#"{"from":"5000","to":"4242"}"#)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["statusCode"], 6);
    assert!(
        unknown.json()["statusMessage"]
            .as_str()
            .expect("message")
            .contains("4242")
    );
    assert_eq!(
        app.sim("/sim/calls", "{oops").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.sim("/sim/calls", r#"{"from":"5000"}"#).await.status,
        StatusCode::BAD_REQUEST
    );
    let ok = app
        .sim(
            "/sim/calls",
            r#"{"from":"5000","to":"5005","userData":{"Segment":"Gold"}}"#,
        )
        .await
        .json();
    assert_eq!(ok["statusCode"], 0);
    assert_eq!(ok["id"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn sim_reset_clears_calls_and_sim_state_dumps_the_model() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let state = app.request(Method::GET, "/sim/state", &[], "").await.json();
    assert_eq!(state["users"][0]["userName"], "agent1");
    assert_eq!(state["users"][0]["calls"][0]["id"], id.as_str());
    assert!(state["cometdSessions"].is_array());
    assert_eq!(
        app.sim("/sim/reset", "").await.json(),
        json!({"statusCode": 0})
    );
    assert_eq!(
        app.get("agent1", "/api/v2/me/calls?fields=*").await.json()["calls"],
        json!([])
    );
}

#[tokio::test]
async fn the_root_explains_how_to_build_the_widget_when_none_is_built() {
    let app = app();
    let reply = app.request(Method::GET, "/", &[], "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text.contains("scripts/demo.sh"));
}

#[tokio::test]
async fn a_built_widget_is_served_at_the_root() {
    let dir = std::env::temp_dir().join(format!("gws-sim-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<html>widget</html>").expect("index");
    let app = TestApp::new(SimConfig {
        static_dir: Some(dir.clone()),
        ..config()
    });
    assert!(
        app.request(Method::GET, "/", &[], "")
            .await
            .text
            .contains("widget")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_crm_demo_page_is_served_under_a_strict_content_security_policy() {
    let dir = std::env::temp_dir().join(format!("gws-sim-csp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<html>widget</html>").expect("index");
    std::fs::write(dir.join("crm-demo.html"), "<html>crm</html>").expect("crm");
    std::fs::write(dir.join("embed.js"), "export {};").expect("embed");
    let app = TestApp::new(SimConfig {
        static_dir: Some(dir.clone()),
        ..config()
    });
    let crm = app.request(Method::GET, "/crm-demo.html", &[], "").await;
    assert_eq!(crm.status, StatusCode::OK);
    assert!(crm.text.contains("crm"));
    assert_eq!(
        crm.header("content-security-policy"),
        Some(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
             style-src 'self'"
        )
    );
    // Only that page: the demo console (trunk's inline start-up script) and the widget's files
    // keep their plain headers.
    for path in ["/", "/index.html", "/embed.js"] {
        let reply = app.request(Method::GET, path, &[], "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.header("content-security-policy"), None, "{path}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_widget_files_can_be_loaded_cross_origin_by_a_module_script_embed() {
    let dir = std::env::temp_dir().join(format!("gws-sim-embed-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("snippets/gws-widget-1/src")).expect("dir");
    std::fs::write(dir.join("index.html"), "<html>widget</html>").expect("index");
    std::fs::write(dir.join("embed.js"), "import './gws-widget.js';").expect("embed");
    std::fs::write(dir.join("gws-widget.js"), "export default 1;").expect("module");
    std::fs::write(
        dir.join("snippets/gws-widget-1/src/inline0.js"),
        "export {};",
    )
    .expect("snippet");
    std::fs::write(dir.join("gws-widget_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    let app = TestApp::new(SimConfig {
        static_dir: Some(dir.clone()),
        ..config()
    });
    let origin = [("origin", "https://crm.example.com")];
    for (path, mime) in [
        ("/embed.js", "javascript"),
        ("/gws-widget.js", "javascript"),
        ("/snippets/gws-widget-1/src/inline0.js", "javascript"),
        ("/gws-widget_bg.wasm", "application/wasm"),
    ] {
        let reply = app.request(Method::GET, path, &origin, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        assert_eq!(
            reply.header("access-control-allow-credentials"),
            None,
            "{path}"
        );
        assert_eq!(
            reply.header("cross-origin-resource-policy"),
            Some("cross-origin")
        );
        assert!(
            reply
                .header("content-type")
                .is_some_and(|t| t.contains(mime)),
            "{path}: {:?}",
            reply.header("content-type")
        );
    }
    // The API's credentialed CORS answers allowed origins only: not this one by default…
    let reply = app.request(Method::GET, "/sim/state", &origin, "").await;
    assert_eq!(reply.header("access-control-allow-origin"), None);
    // …but once `--allow-origin https://crm.example.com` lists it.
    let allowed = TestApp::new(SimConfig {
        static_dir: Some(dir.clone()),
        allow_origins: vec!["https://crm.example.com".into()],
        ..config()
    });
    let reply = allowed
        .request(Method::GET, "/sim/state", &origin, "")
        .await;
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://crm.example.com")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_version_needs_no_authentication() {
    let app = app();
    let reply = app
        .request(Method::GET, "/api/v2/diagnostics/version", &[], "")
        .await;
    assert_eq!(reply.json()["statusCode"], 0);
}

#[tokio::test]
async fn the_bayeux_endpoint_needs_auth_and_csrf_and_accepts_an_appended_type() {
    let app = app();
    let handshake = r#"[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]"#;
    assert_eq!(
        app.request(Method::POST, "/api/v2/notifications", &[], handshake)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let no_token = app
        .request(
            Method::POST,
            "/api/v2/notifications",
            &[("authorization", &basic("agent1"))],
            handshake,
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let reply = app
        .post("agent1", "/api/v2/notifications/handshake", handshake)
        .await
        .json();
    assert_eq!(reply[0]["successful"], true);
    assert_eq!(reply[0]["version"], "1.0");
    assert_eq!(
        reply[0]["supportedConnectionTypes"],
        json!(["long-polling"])
    );
    assert_eq!(
        reply[0]["advice"],
        json!({"reconnect": "retry", "interval": 0, "timeout": 2000, "maxInterval": 1000})
    );
    let single = app
        .post(
            "agent1",
            "/api/v2/notifications",
            r#"{"channel":"/meta/handshake","version":"1.0"}"#,
        )
        .await
        .json();
    assert_eq!(
        single[0]["successful"], true,
        "a single message object is accepted"
    );
}

/// Found by `fuzz_cometd`: a body over the 1 MiB limit got axum's plain-text 413, the one
/// answer of the Bayeux endpoint that was not a JSON array of replies.
#[tokio::test]
async fn a_bayeux_body_over_the_limit_is_a_413_in_the_bayeux_shape() {
    let app = app();
    let huge = "7".repeat(gws_sim::http::MAX_BODY_BYTES + 1);
    let body = json!([{"channel": "/meta/handshake", "ext": {"big": huge}}]).to_string();
    let reply = app.post("agent1", "/api/v2/notifications", &body).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        reply.json(),
        json!([{"successful": false, "error": "413::Request body too large"}])
    );
    assert!(app.state.hub().is_empty(), "nothing was handshaken");
}

#[tokio::test]
async fn forbidden_subscriptions_fail_with_403_and_unknown_clients_with_402() {
    let app = app();
    let reply = app
        .post(
            "agent1",
            "/api/v2/notifications",
            r#"[{"channel":"/meta/handshake","version":"1.0"}]"#,
        )
        .await
        .json();
    let client = reply[0]["clientId"].as_str().expect("client").to_string();
    let body = json!([{"channel": "/meta/subscribe", "clientId": client, "subscription": ["/v2/me/calls", "/v2/users"], "id": "7"}]);
    let reply = app
        .post("agent1", "/api/v2/notifications", &body.to_string())
        .await
        .json();
    assert_eq!(reply[0]["successful"], false);
    assert!(
        reply[0]["error"]
            .as_str()
            .expect("error")
            .starts_with("403::")
    );
    assert_eq!(reply[0]["id"], "7");
    let body = json!([{"channel": "/meta/subscribe", "clientId": "bogus", "subscription": "/v2/me/calls"}]);
    let reply = app
        .post("agent1", "/api/v2/notifications", &body.to_string())
        .await
        .json();
    assert_eq!(reply[0]["error"], "402::Unknown client");
    assert_eq!(
        reply[0]["advice"],
        json!({"reconnect": "handshake", "interval": 0})
    );
    // The session is checked first, as CometD does: another user's client asking for a channel
    // nobody may have is told it is unknown (and to handshake), not that the channel is denied.
    let body =
        json!([{"channel": "/meta/subscribe", "clientId": client, "subscription": "/v2/users"}]);
    let reply = app
        .post("agent2", "/api/v2/notifications", &body.to_string())
        .await
        .json();
    assert_eq!(reply[0]["error"], "402::Unknown client");
}

/// A message without a channel is a bad message (400), not a publish to refuse (403).
#[tokio::test]
async fn a_message_without_a_channel_is_a_400_and_a_publish_a_403() {
    let app = app();
    let reply = app
        .post(
            "agent1",
            "/api/v2/notifications",
            r#"[{"id":"1"},{"channel":"/v2/me/calls","data":{}}]"#,
        )
        .await
        .json();
    assert_eq!(reply[0]["error"], "400::Missing channel", "{reply}");
    assert_eq!(reply[0]["id"], "1");
    assert_eq!(
        reply[1]["error"], "403::Publishing is not allowed",
        "{reply}"
    );
}

#[tokio::test]
async fn unknown_api_paths_are_gws_404s() {
    let app = app();
    let reply = app.get("agent1", "/api/v2/nowhere").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["statusCode"], 6);
}
