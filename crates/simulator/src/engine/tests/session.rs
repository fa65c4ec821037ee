//! The contact-center session: voice login on a place, logout, and what a logged-out agent
//! can and cannot do.

use super::*;

fn session(user: &str, body: Value) -> Command {
    Command::Session {
        user: user.into(),
        request: serde_json::from_value(body).expect("operation body"),
    }
}

fn start(user: &str) -> Command {
    session(
        user,
        json!({"operationName": "StartContactCenterSession", "channels": ["voice"]}),
    )
}

fn end(user: &str) -> Command {
    session(user, json!({"operationName": "EndContactCenterSession"}))
}

/// A fresh engine as the binary starts it: every agent logged out.
fn logged_out() -> Engine {
    Engine::new(EngineConfig::default())
}

/// Refused, with the model unchanged.
fn refused(engine: &mut Engine, command: Command) -> EngineError {
    let before = engine.persisted();
    let error = engine.handle(0, command).expect_err("refused");
    assert_eq!(
        engine.persisted(),
        before,
        "a refused command changed the model"
    );
    error
}

fn device_json(engine: &Engine, user: &str) -> Value {
    serde_json::to_value(&engine.devices_of(user)[0]).expect("device")
}

#[test]
fn agents_start_logged_out_with_an_inactive_device_without_capabilities() {
    let engine = logged_out();
    assert_eq!(
        device_json(&engine, AGENT1),
        json!({
            "id": DEVICE1,
            "deviceState": "Inactive",
            "userState": {"state": "LoggedOut", "displayName": "Logged out"},
            "phoneNumber": "5005",
            "e164Number": "5005",
            "telephonyNetwork": "Private",
            "doNotDisturb": "Off",
            "voiceEnvironmentUri": "http://127.0.0.1:8080/api/v2/voice-environments/370ef5e6-9e3c-4d91-9588-7f4dfe67e011",
            "capabilities": []
        })
    );
    assert_eq!(engine.snapshot(0)["users"][0]["loggedIn"], json!(false));
    assert_eq!(engine.snapshot(0)["users"][0]["place"], json!("Place_5005"));
}

#[test]
fn the_logged_in_flag_starts_agents_logged_in_and_reset_returns_each_to_its_initial_login() {
    let mut engine = engine();
    assert_eq!(device_json(&engine, AGENT1)["deviceState"], "Active");
    ok(&mut engine, 0, end(AGENT1));
    ok(&mut engine, 0, Command::Reset);
    assert_eq!(device_json(&engine, AGENT1)["deviceState"], "Active");

    let mut engine = logged_out();
    ok(&mut engine, 0, start(AGENT1));
    let reset = ok(&mut engine, 0, Command::Reset);
    let device = &devices_for(&reset, AGENT1)[0];
    assert_eq!(device.device_state.as_deref(), Some("Inactive"));
}

#[test]
fn starting_without_a_place_logs_in_on_the_default_place_not_ready_and_notifies_the_device() {
    let mut engine = logged_out();
    let started = ok(
        &mut engine,
        0,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession"}),
        ),
    );
    assert_eq!(started.partial, None);
    assert!(started.ended_sessions.is_empty());
    let devices = devices_for(&started, AGENT1);
    assert_eq!(devices.len(), 1);
    let device = serde_json::to_value(&devices[0]).expect("device");
    assert_eq!(device["deviceState"], "Active");
    assert_eq!(
        device["userState"],
        json!({"id": "900D55CC-2BB0-431F-8BF9-D3525B383BE6", "displayName": "Not Ready", "state": "NotReady"})
    );
    assert_eq!(
        device["capabilities"],
        json!(["ForwardCallsOn", "DoNotDisturbOn"])
    );
    assert_eq!(device_json(&engine, AGENT1), device);
}

#[test]
fn starting_again_on_the_same_place_succeeds_and_notifies_the_device_again_unchanged() {
    let mut engine = logged_out();
    ok(&mut engine, 0, start(AGENT1));
    ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "Ready"})),
    );
    let again = ok(
        &mut engine,
        0,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession", "channels": ["voice"],
                   "place": "Place_5005", "loginCode": "5005", "queue": "8000", "devicePath": "5005"}),
        ),
    );
    let device = &devices_for(&again, AGENT1)[0];
    assert_eq!(
        device.user_state.clone().and_then(|s| s.state.0).as_deref(),
        Some("Ready"),
        "an idempotent login keeps the agent state"
    );
}

#[test]
fn an_unknown_place_is_not_found() {
    let mut engine = logged_out();
    let error = refused(
        &mut engine,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession", "channels": ["voice"], "place": "Nowhere"}),
        ),
    );
    assert_eq!(error.status_code(), StatusCode::NOT_FOUND);
    assert_eq!(error.to_string(), "Place 'Nowhere' not found");
}

#[test]
fn another_users_place_is_refused_in_use_while_they_are_logged_in_on_it_and_assigned_otherwise() {
    let mut engine = logged_out();
    let body = json!({"operationName": "StartContactCenterSession", "place": "Place_5001"});
    let assigned = refused(&mut engine, session(AGENT1, body.clone()));
    assert_eq!(assigned.status_code(), StatusCode(19));
    assert_eq!(
        assigned.to_string(),
        "Place 'Place_5001': its device 5001 is assigned to agent2"
    );
    ok(&mut engine, 0, start(AGENT2));
    let busy = refused(&mut engine, session(AGENT1, body));
    assert_eq!(busy.status_code(), StatusCode(19));
    assert_eq!(
        busy.to_string(),
        "Place 'Place_5001' is in use: agent2 is logged in on its device 5001"
    );
}

#[test]
fn voice_with_an_unsupported_channel_is_a_partial_success_with_each_channels_status() {
    let mut engine = logged_out();
    let started = ok(
        &mut engine,
        0,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession", "channels": ["voice", "chat"]}),
        ),
    );
    let partial = serde_json::to_value(started.partial.clone().expect("partial")).expect("json");
    assert_eq!(
        partial,
        json!([
            {"channel": "voice", "statusCode": 0},
            {"channel": "chat", "statusCode": 2,
             "statusMessage": "Channel 'chat' is not available: the simulator has the voice channel only"}
        ])
    );
    assert_eq!(devices_for(&started, AGENT1).len(), 1);
    assert_eq!(device_json(&engine, AGENT1)["deviceState"], "Active");
}

#[test]
fn when_every_channel_fails_only_one_channels_error_is_returned() {
    let mut engine = logged_out();
    let chat = refused(
        &mut engine,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession", "channels": ["chat", "email"]}),
        ),
    );
    assert_eq!(
        chat,
        EngineError::Invalid(
            "Channel 'chat' is not available: the simulator has the voice channel only".into()
        )
    );
    // With voice among them, voice's error is the one returned.
    let voice_error = refused(
        &mut engine,
        session(
            AGENT1,
            json!({"operationName": "StartContactCenterSession", "channels": ["chat", "voice"], "place": "Nowhere"}),
        ),
    );
    assert_eq!(voice_error.status_code(), StatusCode::NOT_FOUND);
}

#[test]
fn malformed_session_parameters_are_refused() {
    let mut engine = logged_out();
    for (body, code) in [
        (json!({"channels": "voice"}), StatusCode::PARAMETER_INVALID),
        (json!({"channels": []}), StatusCode::PARAMETER_MISSING),
        (json!({"place": 12.5e300}), StatusCode::NOT_FOUND),
        (
            json!({"place": {"name": "x"}}),
            StatusCode::PARAMETER_INVALID,
        ),
        (json!({"loginCode": ["x"]}), StatusCode::PARAMETER_INVALID),
        (json!({"queue": true}), StatusCode::PARAMETER_INVALID),
        (json!({"devicePath": ""}), StatusCode::PARAMETER_INVALID),
    ] {
        let mut request = body.clone();
        request["operationName"] = json!("StartContactCenterSession");
        let error = refused(&mut engine, session(AGENT1, request));
        assert_eq!(error.status_code(), code, "{body}");
    }
    let other = refused(
        &mut engine,
        session(AGENT1, json!({"operationName": "Answer"})),
    );
    assert_eq!(other.status_code(), StatusCode::PARAMETER_INVALID);
}

#[test]
fn a_logged_out_agent_cannot_change_state_use_the_device_or_dial() {
    let mut engine = logged_out();
    for command in [
        voice(AGENT1, json!({"operationName": "Ready"})),
        voice(AGENT1, json!({"operationName": "NotReady"})),
        device_op(AGENT1, DEVICE1, json!({"operationName": "DoNotDisturbOn"})),
        dial(AGENT1, DEVICE1, "5000"),
    ] {
        let error = refused(&mut engine, command);
        assert_eq!(error.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(
            error.to_string(),
            "agent1 is not logged in to the voice channel on DN 5005: StartContactCenterSession first"
        );
    }
    // Someone else's device stays "not found", logged in or not.
    let error = refused(
        &mut engine,
        device_op(AGENT1, DEVICE2, json!({"operationName": "DoNotDisturbOn"})),
    );
    assert_eq!(error.status_code(), StatusCode::NOT_FOUND);
}

#[test]
fn calls_to_a_logged_out_dn_are_refused_when_injected_and_busy_when_dialled() {
    let mut engine = logged_out();
    let error = refused(
        &mut engine,
        Command::InjectCall {
            from: "5000".into(),
            to: "5001".into(),
            user_data: None,
        },
    );
    assert_eq!(
        error,
        EngineError::Busy("DN 5001 is logged out of voice (no StartContactCenterSession)".into())
    );
    let queue = refused(
        &mut engine,
        Command::InjectCall {
            from: "5000".into(),
            to: "queue".into(),
            user_data: None,
        },
    );
    assert_eq!(queue.status_code(), StatusCode::NOT_FOUND);
    // agent1 logs in and dials agent2 (logged out): the leg rings, then busy (56).
    ok(&mut engine, 0, start(AGENT1));
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    assert!(calls_for(&dialled, AGENT2).is_empty());
    let busy = fire(&mut engine, 1000, &dialled);
    let errors: Vec<Value> = busy.iter().flat_map(|o| errors_for(o, AGENT1)).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["errorCode"], json!(error_codes::BUSY));
}

#[test]
fn logging_out_with_a_live_call_is_refused_and_without_one_ends_the_users_sessions() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let error = refused(&mut engine, end(AGENT1));
    assert_eq!(
        error,
        EngineError::Invalid(
            "Cannot log out of voice with 1 call(s) on DN 5005: hang up first".into()
        )
    );
    ok(
        &mut engine,
        0,
        op(AGENT1, &id, json!({"operationName": "Hangup"})),
    );
    let ended = ok(&mut engine, 0, end(AGENT1));
    assert_eq!(ended.ended_sessions, vec![AGENT1.to_string()]);
    let device = serde_json::to_value(&devices_for(&ended, AGENT1)[0]).expect("device");
    assert_eq!(device["deviceState"], "Inactive");
    assert_eq!(device["userState"]["state"], "LoggedOut");
    assert_eq!(device["capabilities"], json!([]));
    // Logging out again still ends the sessions (the client's last request either way).
    let again = ok(&mut engine, 0, end(AGENT1));
    assert_eq!(again.ended_sessions, vec![AGENT1.to_string()]);
}

#[test]
fn a_supervisor_logging_out_cancels_monitoring_and_leaves_the_monitored_call() {
    let mut engine = engine();
    let target = format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE1}");
    ok(
        &mut engine,
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({"operationName": "ListenIn", "targetDeviceUri": target}),
        ),
    );
    established(&mut engine, 0);
    assert_eq!(engine.calls_of(0, SUPERVISOR).len(), 1);
    let ended = ok(&mut engine, 0, end(SUPERVISOR));
    assert!(engine.calls_of(0, SUPERVISOR).is_empty());
    let device = &devices_for(&ended, SUPERVISOR)[0];
    assert_eq!(device.supervisor_monitoring_state, None);
    assert_eq!(device.device_state.as_deref(), Some("Inactive"));
}

#[test]
fn the_login_state_survives_the_state_file_round_trip() {
    let mut engine = logged_out();
    ok(&mut engine, 0, start(AGENT2));
    let text = serde_json::to_string(&engine.persisted()).expect("serialized");
    let restored = Engine::restore(
        EngineConfig::default(),
        serde_json::from_str(&text).expect("parsed"),
    )
    .expect("restored");
    assert_eq!(device_json(&restored, AGENT1)["deviceState"], "Inactive");
    assert_eq!(device_json(&restored, AGENT2)["deviceState"], "Active");
    assert_eq!(restored.persisted(), engine.persisted());
}
