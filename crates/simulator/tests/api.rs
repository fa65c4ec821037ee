//! REST endpoints beyond calls: Dial, devices, agent state, settings, the contact-center
//! session, `/sim/calls/{id}/hangup`, `/sim/phones/{n}/hangup` (through `oneshot`).

mod common;

use axum::http::{Method, StatusCode};
use common::{DEVICE_SUP, DEVICE1, TestApp, basic, config};
use serde_json::json;

fn app() -> TestApp {
    TestApp::new(config())
}

#[tokio::test]
async fn dial_on_the_devices_calls_creates_a_dialing_call() {
    let app = app();
    let uri = format!("/api/v2/me/devices/{DEVICE1}/calls");
    let reply = app
        .post(
            "agent1",
            &uri,
            r#"{"operationName":"Dial","destination":{"phoneNumber":"5001"}}"#,
        )
        .await;
    assert_eq!(reply.json(), json!({"statusCode": 0}));
    let calls = app.get("agent1", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(calls["calls"][0]["state"], "Dialing");
    assert_eq!(calls["calls"][0]["dnis"], "5001");
    let theirs = app.get("agent2", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(theirs["calls"][0]["state"], "Ringing");
}

#[tokio::test]
async fn dial_errors_use_the_gws_shape() {
    let app = app();
    let missing = app
        .post(
            "agent1",
            &format!("/api/v2/me/devices/{DEVICE1}/calls"),
            r#"{"operationName":"Dial"}"#,
        )
        .await;
    assert_eq!(
        (missing.status, missing.json()["statusCode"].clone()),
        (StatusCode::BAD_REQUEST, json!(1))
    );
    let foreign = app
        .post(
            "agent2",
            &format!("/api/v2/me/devices/{DEVICE1}/calls"),
            r#"{"operationName":"Dial","destination":{"phoneNumber":"5002"}}"#,
        )
        .await;
    assert_eq!(
        (foreign.status, foreign.json()["statusCode"].clone()),
        (StatusCode::NOT_FOUND, json!(6))
    );
}

#[tokio::test]
async fn agent_state_and_device_operations_are_accepted_and_reflected_in_the_device() {
    let app = app();
    let reply = app
        .post(
            "agent1",
            "/api/v2/me/channels/voice",
            r#"{"operationName":"NotReady","reasonCode":"Break"}"#,
        )
        .await;
    assert_eq!(reply.json(), json!({"statusCode": 0}));
    let reply = app
        .post(
            "agent1",
            &format!("/api/v2/me/devices/{DEVICE1}"),
            r#"{"operationName":"DoNotDisturbOn"}"#,
        )
        .await;
    assert_eq!(reply.json(), json!({"statusCode": 0}));
    let device = app
        .get("agent1", "/api/v2/me/devices?fields=*")
        .await
        .json()["devices"][0]
        .clone();
    assert_eq!(device["userState"]["state"], "NotReady");
    assert_eq!(device["userState"]["reason"], "Break");
    assert_eq!(device["doNotDisturb"], "On");
    let again = app
        .post(
            "agent1",
            &format!("/api/v2/me/devices/{DEVICE1}"),
            r#"{"operationName":"DoNotDisturbOn"}"#,
        )
        .await;
    assert_eq!(
        (again.status, again.json()["statusCode"].clone()),
        (StatusCode::BAD_REQUEST, json!(2))
    );
    let unknown = app
        .post(
            "agent1",
            "/api/v2/me/channels/voice",
            r#"{"operationName":"NotReady","reasonCode":"Nap"}"#,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn agent_states_list_the_reason_codes_with_their_operations() {
    let app = app();
    let settings = app
        .get("agent1", "/api/v2/settings/agent-states")
        .await
        .json();
    let parsed: gws_protocol::api::AgentStatesResponse =
        serde_json::from_value(settings).expect("protocol type");
    assert!(
        parsed
            .settings
            .iter()
            .any(|s| s.operation_name.as_deref() == Some("Ready"))
    );
    assert!(
        parsed
            .settings
            .iter()
            .any(|s| s.operation_name.as_deref() == Some("NotReady")
                && s.reason_code.as_deref() == Some("Lunch"))
    );
    assert!(
        parsed
            .settings
            .iter()
            .any(|s| s.work_mode.as_deref() == Some("AfterCallWork"))
    );
}

#[tokio::test]
async fn supervisors_arm_monitoring_on_their_device() {
    let app = app();
    let body = json!({"operationName": "ListenIn", "targetDeviceUri": format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE1}")});
    let reply = app
        .post(
            "supervisor1",
            &format!("/api/v2/me/devices/{DEVICE_SUP}"),
            &body.to_string(),
        )
        .await;
    assert_eq!(reply.json(), json!({"statusCode": 0}));
    let device = app
        .get("supervisor1", &format!("/api/v2/me/devices/{DEVICE_SUP}"))
        .await
        .json();
    assert_eq!(
        device["device"]["supervisorMonitoringState"]["state"],
        "ListenIn"
    );
    let id = app.inject("5000", "5005").await;
    app.post(
        "agent1",
        &format!("/api/v2/me/calls/{id}"),
        r#"{"operationName":"Answer"}"#,
    )
    .await;
    let calls = app
        .get("supervisor1", "/api/v2/me/calls?fields=*")
        .await
        .json();
    assert_eq!(calls["calls"][0]["mute"], "On");
    assert_eq!(
        calls["calls"][0]["participants"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn ending_the_contact_center_session_invalidates_cookie_and_token() {
    let app = app();
    let login = app.get("agent1", "/api/v2/me").await;
    let cookie = login
        .header("set-cookie")
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let token = login.header("x-csrf-token").expect("token").to_string();
    let reply = app
        .request(
            Method::POST,
            "/api/v2/me",
            &[
                ("authorization", &basic("agent1")),
                ("x-csrf-token", &token),
            ],
            r#"{"operationName":"EndContactCenterSession"}"#,
        )
        .await;
    assert_eq!(reply.json(), json!({"statusCode": 0}));
    assert!(
        reply.header("set-cookie").is_none(),
        "no new session is handed out"
    );
    assert_eq!(
        app.request(Method::GET, "/api/v2/me", &[("cookie", &cookie)], "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_ne!(
        app.csrf("agent1").await,
        token,
        "a new login gets a new token"
    );
    let device = app
        .get("agent1", "/api/v2/me/devices?fields=*")
        .await
        .json();
    assert_eq!(device["devices"][0]["deviceState"], "Inactive");
    let start = app
        .post(
            "agent1",
            "/api/v2/me",
            r#"{"operationName":"StartContactCenterSession","channels":["voice"]}"#,
        )
        .await;
    assert_eq!(start.json(), json!({"statusCode": 0}));
    let device = app
        .get("agent1", "/api/v2/me/devices?fields=*")
        .await
        .json();
    assert_eq!(device["devices"][0]["deviceState"], "Active");
}

#[tokio::test]
async fn simulated_parties_hang_up_through_the_control_api() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    app.post(
        "agent1",
        &format!("/api/v2/me/calls/{id}"),
        r#"{"operationName":"Answer"}"#,
    )
    .await;
    assert_eq!(
        app.sim(&format!("/sim/calls/{id}/hangup"), "").await.json(),
        json!({"statusCode": 0})
    );
    assert_eq!(
        app.get("agent1", "/api/v2/me/calls?fields=*").await.json()["calls"],
        json!([])
    );
    assert_eq!(
        app.sim(&format!("/sim/calls/{id}/hangup"), "").await.status,
        StatusCode::NOT_FOUND
    );
    app.inject("5003", "5005").await;
    assert_eq!(
        app.sim("/sim/phones/5003/hangup", "").await.json(),
        json!({"statusCode": 0})
    );
    assert_eq!(
        app.sim("/sim/phones/5003/hangup", "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn queue_calls_report_when_no_agent_is_ready() {
    let app = app();
    app.post(
        "agent1",
        "/api/v2/me/channels/voice",
        r#"{"operationName":"NotReady"}"#,
    )
    .await;
    app.post(
        "agent2",
        "/api/v2/me/channels/voice",
        r#"{"operationName":"NotReady"}"#,
    )
    .await;
    let reply = app
        .sim("/sim/calls", r#"{"from":"5000","to":"queue"}"#)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["statusCode"], 6);
    app.post(
        "agent2",
        "/api/v2/me/channels/voice",
        r#"{"operationName":"Ready"}"#,
    )
    .await;
    let routed = app
        .sim("/sim/calls", r#"{"from":"5000","to":"queue"}"#)
        .await
        .json();
    let calls = app.get("agent2", "/api/v2/me/calls?fields=*").await.json();
    assert_eq!(calls["calls"][0]["id"], routed["id"]);
}

#[tokio::test]
async fn a_dnd_agent_is_busy_for_injected_calls() {
    let app = app();
    app.post(
        "agent1",
        &format!("/api/v2/me/devices/{DEVICE1}"),
        r#"{"operationName":"DoNotDisturbOn"}"#,
    )
    .await;
    let reply = app
        .sim("/sim/calls", r#"{"from":"5000","to":"5005"}"#)
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json()["statusCode"], 19);
}

#[tokio::test(start_paused = true)]
async fn the_autopilot_routes_customer_calls_to_ready_agents_and_the_customers_hang_up() {
    let state = gws_sim::AppState::new(gws_sim::SimConfig {
        autopilot_interval_ms: 1_000,
        ..config()
    });
    let live = |state: &gws_sim::AppState| {
        state.read(|engine, now| {
            [
                engine.calls_of(now, "agent1"),
                engine.calls_of(now, "agent2"),
            ]
            .concat()
        })
    };
    let pilot = tokio::spawn(gws_sim::autopilot::run(state.clone()));
    tokio::time::sleep(std::time::Duration::from_millis(1_600)).await;
    pilot.abort();
    let calls = live(&state);
    assert!(!calls.is_empty(), "a customer is ringing");
    assert!(
        calls[0]
            .user_data
            .as_ref()
            .is_some_and(|d| d.contains_key("CustomerName")),
        "with screen-pop data"
    );
    tokio::time::sleep(std::time::Duration::from_secs(80)).await;
    assert!(
        live(&state).is_empty(),
        "every customer gave up within 75 s"
    );
}

#[tokio::test]
async fn set_call_disposition_on_the_device_reaches_a_call_the_customer_hung_up() {
    let app = app();
    let id = app.inject("5000", "5005").await;
    let answered = app
        .post(
            "agent1",
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(answered.json(), json!({"statusCode": 0}));
    let hangup = app.sim(&format!("/sim/calls/{id}/hangup"), "").await;
    assert_eq!(hangup.status, StatusCode::OK, "{}", hangup.text);
    // The call resource is gone: the call-level form is 404 + 6 and stays so.
    let call_level = app
        .post(
            "agent1",
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"SetCallDisposition","disposition":"Sale"}"#,
        )
        .await;
    assert_eq!(
        (call_level.status, call_level.json()["statusCode"].clone()),
        (StatusCode::NOT_FOUND, json!(6))
    );
    // On the device, as the older sample and the iOS client post it: accepted and reported.
    let device = format!("/api/v2/me/devices/{DEVICE1}");
    let body = json!({
        "operationName": "SetCallDisposition",
        "callUri": format!("http://127.0.0.1:8080/api/v2/me/calls/{id}"),
        "disposition": "Sale",
    });
    let reply = app.post("agent1", &device, &body.to_string()).await;
    assert_eq!(
        (reply.status, reply.json()),
        (StatusCode::OK, json!({"statusCode": 0}))
    );
    let state = app.request(Method::GET, "/sim/state", &[], "").await.json();
    let reports = state["dispositions"].as_array().expect("dispositions");
    assert_eq!(reports.len(), 1, "{state}");
    assert_eq!(reports[0]["userName"], "agent1");
    assert_eq!(reports[0]["callId"], json!(id));
    assert_eq!(reports[0]["callUuid"], json!(id));
    assert_eq!(reports[0]["key"], "DispositionCode");
    assert_eq!(reports[0]["disposition"], "Sale");
    assert!(reports[0]["timeMs"].is_u64());
    // Refusals keep the GWS shape.
    let cases = [
        (
            json!({"operationName": "SetCallDisposition", "callUuid": id}),
            StatusCode::BAD_REQUEST,
            1,
        ),
        (
            json!({"operationName": "SetCallDisposition", "disposition": "Sale"}),
            StatusCode::BAD_REQUEST,
            1,
        ),
        (
            json!({"operationName": "SetCallDisposition", "callUuid": id, "disposition": true}),
            StatusCode::BAD_REQUEST,
            2,
        ),
        (
            json!({"operationName": "SetCallDisposition", "callUuid": "nope", "disposition": "x"}),
            StatusCode::NOT_FOUND,
            6,
        ),
    ];
    for (body, status, code) in cases {
        let reply = app.post("agent1", &device, &body.to_string()).await;
        let json = reply.json();
        assert_eq!(
            (reply.status, json["statusCode"].clone()),
            (status, json!(code)),
            "{body}"
        );
        assert!(
            json["statusMessage"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // Another agent cannot post on agent1's device, nor name agent1's call on their own.
    let foreign = app.post("agent2", &device, &body.to_string()).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let body2 = json!({"operationName": "SetCallDisposition", "callUuid": id, "disposition": "x"});
    let theirs = app
        .post(
            "agent2",
            &format!("/api/v2/me/devices/{}", common::DEVICE2),
            &body2.to_string(),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let state = app.request(Method::GET, "/sim/state", &[], "").await.json();
    assert_eq!(state["dispositions"].as_array().map(Vec::len), Some(1));
    // Reset forgets the released call and the reports.
    assert_eq!(app.sim("/sim/reset", "").await.status, StatusCode::OK);
    let state = app.request(Method::GET, "/sim/state", &[], "").await.json();
    assert_eq!(state["dispositions"], json!([]));
    let after_reset = app.post("agent1", &device, &body.to_string()).await;
    assert_eq!(after_reset.status, StatusCode::NOT_FOUND);
}
