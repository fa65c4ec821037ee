//! Agent state, device operations, contact-center session, queue routing.

use super::*;

#[test]
fn ready_not_ready_with_a_reason_and_after_call_work_publish_device_state_changes() {
    let mut engine = engine();
    let not_ready = ok(
        &mut engine,
        0,
        voice(
            AGENT1,
            json!({"operationName": "NotReady", "reasonCode": "Lunch"}),
        ),
    );
    let device = &devices_for(&not_ready, AGENT1)[0];
    assert_eq!(device.id, DEVICE1);
    let state = device.user_state.clone().expect("userState");
    assert_eq!(
        (
            state.state.as_deref(),
            state.reason.as_deref(),
            state.display_name.as_deref()
        ),
        (Some("NotReady"), Some("Lunch"), Some("Lunch"))
    );
    let plain = ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "NotReady"})),
    );
    let state = devices_for(&plain, AGENT1)[0]
        .user_state
        .clone()
        .expect("userState");
    assert_eq!(
        (state.state.as_deref(), state.reason.0),
        (Some("NotReady"), None)
    );
    let acw = ok(
        &mut engine,
        0,
        voice(
            AGENT1,
            json!({"operationName": "AfterCallWork", "wrapUpTime": "0"}),
        ),
    );
    let state = devices_for(&acw, AGENT1)[0]
        .user_state
        .clone()
        .expect("userState");
    assert_eq!(
        (state.state.as_deref(), state.work_mode.as_deref()),
        (Some("NotReady"), Some("AfterCallWork"))
    );
    let ready = ok(
        &mut engine,
        0,
        voice(
            AGENT1,
            json!({"operationName": "Ready", "workmode": "ManualIn"}),
        ),
    );
    let state = devices_for(&ready, AGENT1)[0]
        .user_state
        .clone()
        .expect("userState");
    assert_eq!(
        (state.state.as_deref(), state.work_mode.as_deref()),
        (Some("Ready"), Some("ManualIn"))
    );
    assert!(
        devices_for(&ready, AGENT2).is_empty(),
        "only the agent is told"
    );
}

/// gws-api.md §5.1 [doc AgentStateAuxWork]: `AuxWork` puts the agent in `NotReady` with work
/// mode `AuxWork`, with the configured state's id and display name.
#[test]
fn aux_work_is_not_ready_in_its_own_work_mode() {
    let mut engine = engine();
    let aux = ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "AuxWork"})),
    );
    let state = devices_for(&aux, AGENT1)[0]
        .user_state
        .clone()
        .expect("userState");
    assert_eq!(
        (
            state.state.as_deref(),
            state.work_mode.as_deref(),
            state.display_name.as_deref(),
            state.id.as_deref()
        ),
        (
            Some("NotReady"),
            Some("AuxWork"),
            Some("AuxWork"),
            Some("2B36138D-0005-4A5B-8C9D-0E1F2A3B4C05")
        )
    );
}

#[test]
fn agent_state_refuses_unknown_reasons_and_other_operations() {
    let mut engine = engine();
    let unknown = engine.handle(
        0,
        voice(
            AGENT1,
            json!({"operationName": "NotReady", "reasonCode": "Nap"}),
        ),
    );
    assert!(matches!(unknown, Err(EngineError::Invalid(_))));
    let other = engine.handle(0, voice(AGENT1, json!({"operationName": "Hold"})));
    assert!(matches!(other, Err(EngineError::Invalid(_))));
    let mode = engine.handle(
        0,
        voice(
            AGENT1,
            json!({"operationName": "Ready", "workmode": "Sometimes"}),
        ),
    );
    assert!(matches!(mode, Err(EngineError::Invalid(_))));
    assert_eq!(
        engine.devices_of(AGENT1)[0]
            .user_state
            .clone()
            .and_then(|s| s.state.0)
            .as_deref(),
        Some("Ready")
    );
}

#[test]
fn not_ready_and_dnd_agents_get_no_queue_calls() {
    let mut engine = engine();
    ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "NotReady"})),
    );
    ok(
        &mut engine,
        0,
        device_op(AGENT2, DEVICE2, json!({"operationName": "DoNotDisturbOn"})),
    );
    let none = engine.handle(
        0,
        Command::InjectCall {
            from: "5000".into(),
            to: "queue".into(),
            user_data: None,
        },
    );
    assert!(matches!(none, Err(EngineError::NotFound(_))));
    ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "Ready"})),
    );
    let (_, routed) = inject(&mut engine, 0, "5000", "queue");
    assert_eq!(calls_for(&routed, AGENT1).len(), 1);
}

#[test]
fn do_not_disturb_toggles_the_device_and_makes_the_agent_busy() {
    let mut engine = engine();
    let on = ok(
        &mut engine,
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "DoNotDisturbOn"})),
    );
    let device = &devices_for(&on, AGENT1)[0];
    assert_eq!(device.do_not_disturb, Some(OnOff::On));
    assert_eq!(
        device.capabilities,
        vec![Operation::ForwardCallsOn, Operation::DoNotDisturbOff]
    );
    let again = engine.handle(
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "DoNotDisturbOn"})),
    );
    assert!(matches!(again, Err(EngineError::Invalid(_))));
    let busy = engine.handle(
        0,
        Command::InjectCall {
            from: "5000".into(),
            to: "5005".into(),
            user_data: None,
        },
    );
    assert!(matches!(busy, Err(EngineError::Busy(_))));
    let dialled = ok(&mut engine, 0, dial(AGENT2, DEVICE2, "5005"));
    let failed = fire(&mut engine, 1000, &dialled).remove(0);
    assert_eq!(
        errors_for(&failed, AGENT2)[0]["errorCode"],
        error_codes::BUSY
    );
    let off = ok(
        &mut engine,
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "DoNotDisturbOff"})),
    );
    assert_eq!(
        devices_for(&off, AGENT1)[0].do_not_disturb,
        Some(OnOff::Off)
    );
}

#[test]
fn forwarding_sends_calls_to_the_forward_destination() {
    let mut engine = engine();
    let missing = engine.handle(
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "ForwardCallsOn"})),
    );
    assert!(matches!(missing, Err(EngineError::MissingParameter(_))));
    let on = ok(
        &mut engine,
        0,
        device_op(
            AGENT1,
            DEVICE1,
            json!({"operationName": "ForwardCallsOn", "destination": "5001"}),
        ),
    );
    let device = &devices_for(&on, AGENT1)[0];
    assert_eq!(device.forward_to.as_deref(), Some("5001"));
    assert!(device.can(&Operation::ForwardCallsOff));
    let (_, outcome) = inject(&mut engine, 0, "5000", "5005");
    assert!(calls_for(&outcome, AGENT1).is_empty());
    assert_eq!(calls_for(&outcome, AGENT2)[0].state, CallState::Ringing);
    let off = ok(
        &mut engine,
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "ForwardCallsOff"})),
    );
    assert_eq!(devices_for(&off, AGENT1)[0].forward_to, None);
}

#[test]
fn device_operations_on_someone_elses_device_are_not_found() {
    let mut engine = engine();
    let error = engine.handle(
        0,
        device_op(AGENT2, DEVICE1, json!({"operationName": "DoNotDisturbOn"})),
    );
    assert!(matches!(error, Err(EngineError::NotFound(_))));
}

#[test]
fn agents_cannot_use_supervisor_monitoring() {
    let mut engine = engine();
    let target = format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE2}");
    let error = engine.handle(
        0,
        device_op(
            AGENT1,
            DEVICE1,
            json!({"operationName": "ListenIn", "targetDeviceUri": target}),
        ),
    );
    assert!(matches!(error, Err(EngineError::Invalid(_))));
}

#[test]
fn reset_restores_agent_state_dnd_and_forwarding() {
    let mut engine = engine();
    ok(
        &mut engine,
        0,
        voice(AGENT1, json!({"operationName": "NotReady"})),
    );
    ok(
        &mut engine,
        0,
        device_op(AGENT1, DEVICE1, json!({"operationName": "DoNotDisturbOn"})),
    );
    let reset = ok(&mut engine, 0, Command::Reset);
    let device = &devices_for(&reset, AGENT1)[0];
    assert_eq!(device.do_not_disturb, Some(OnOff::Off));
    assert_eq!(
        device.user_state.clone().and_then(|s| s.state.0).as_deref(),
        Some("Ready")
    );
}
