//! Supervisor monitoring: ListenIn / Coach / BargeIn / Cancel and the supervisor's own call.

use super::*;

fn target() -> String {
    format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE1}")
}

fn arm(engine: &mut Engine, operation: &str, mode: Option<&str>) -> Outcome {
    let mut body = json!({"operationName": operation, "targetDeviceUri": target()});
    if let Some(mode) = mode {
        body["supervisorMonitoringMode"] = json!(mode);
    }
    ok(engine, 0, device_op(SUPERVISOR, DEVICE_SUP, body))
}

#[test]
fn listen_in_arms_monitoring_and_joins_the_next_call_muted() {
    let mut engine = engine();
    let armed = arm(&mut engine, "ListenIn", None);
    let device = &devices_for(&armed, SUPERVISOR)[0];
    let monitoring = device
        .supervisor_monitoring_state
        .clone()
        .expect("monitoring state");
    assert_eq!(monitoring["state"], "ListenIn");
    assert_eq!(monitoring["mode"], "AllCalls");
    assert_eq!(monitoring["scope"], "Call");
    assert_eq!(monitoring["targetDeviceUri"], target());
    assert!(device.can(&Operation::CancelSupervisorMonitoring));
    assert!(
        calls_for(&armed, SUPERVISOR).is_empty(),
        "agent1 is not on a call yet"
    );

    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    let answered = ok(
        &mut engine,
        0,
        op(AGENT1, &id, json!({"operationName": "Answer"})),
    );
    let supervisor = calls_for(&answered, SUPERVISOR);
    assert_eq!(supervisor.len(), 1);
    let call = &supervisor[0];
    assert_eq!(call.state, CallState::Established);
    assert_eq!(call.mute, Some(OnOff::On));
    assert_eq!(
        call.participants,
        vec![Participant::internal("5000"), Participant::internal("5005")]
    );
    assert_eq!(call.dnis.as_deref(), Some("5005"));
    assert!(caps(call).contains("SwitchToBargeIn") && caps(call).contains("SwitchToCoach"));
    let agent = calls_for(&answered, AGENT1);
    assert_eq!(
        agent.last().expect("agent update").supervisor_listening_in,
        Some(true)
    );
    assert_eq!(
        agent.last().expect("agent update").participants,
        vec![Participant::internal("5000")],
        "supervisors are not listed"
    );
}

#[test]
fn arming_while_the_agent_talks_joins_at_once_and_the_call_end_releases_the_supervisor() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let armed = arm(&mut engine, "BargeIn", None);
    let call = &calls_for(&armed, SUPERVISOR)[0];
    assert_eq!(call.mute, Some(OnOff::Off));
    assert!(caps(call).contains("SwitchToListenIn"));
    let ended = ok(
        &mut engine,
        0,
        op(AGENT1, &id, json!({"operationName": "Hangup"})),
    );
    assert_eq!(calls_for(&ended, SUPERVISOR)[0].state, CallState::Released);
    assert!(
        engine.devices_of(SUPERVISOR)[0]
            .supervisor_monitoring_state
            .is_some(),
        "AllCalls stays armed"
    );
}

#[test]
fn coach_can_switch_to_listen_in_and_barge_in_but_never_back_to_coach() {
    let mut engine = engine();
    established(&mut engine, 0);
    let armed = arm(&mut engine, "Coach", None);
    let id = calls_for(&armed, SUPERVISOR)[0].id.clone();
    let listen = ok(
        &mut engine,
        0,
        op(
            SUPERVISOR,
            &id,
            json!({"operationName": "SwitchToListenIn"}),
        ),
    );
    let call = &calls_for(&listen, SUPERVISOR)[0];
    assert_eq!(call.mute, Some(OnOff::On));
    assert!(!caps(call).contains("SwitchToCoach"));
    let coach = engine.handle(
        0,
        op(SUPERVISOR, &id, json!({"operationName": "SwitchToCoach"})),
    );
    assert!(matches!(coach, Err(EngineError::Invalid(_))));
    let barge = ok(
        &mut engine,
        0,
        op(SUPERVISOR, &id, json!({"operationName": "SwitchToBargeIn"})),
    );
    let call = &calls_for(&barge, SUPERVISOR)[0];
    assert_eq!(call.mute, Some(OnOff::Off));
    assert_eq!(caps(call).len(), 13);
    assert!(caps(call).contains("SwitchToListenIn"));
}

#[test]
fn mute_monitored_user_publishes_its_own_notification_type() {
    let mut engine = engine();
    established(&mut engine, 0);
    let id = calls_for(&arm(&mut engine, "BargeIn", None), SUPERVISOR)[0]
        .id
        .clone();
    let muted = ok(
        &mut engine,
        0,
        op(
            SUPERVISOR,
            &id,
            json!({"operationName": "MuteMonitoredUser"}),
        ),
    );
    let (_, n) = &call_events(&muted)[0];
    assert_eq!(
        n.notification_type,
        gws_protocol::notification::NotificationType::MonitoredUserMutedStateChange
    );
    assert_eq!(n.call.monitored_user_muted, Some(true));
    let again = engine.handle(
        0,
        op(
            SUPERVISOR,
            &id,
            json!({"operationName": "MuteMonitoredUser"}),
        ),
    );
    assert!(matches!(again, Err(EngineError::Invalid(_))));
    let unmuted = ok(
        &mut engine,
        0,
        op(
            SUPERVISOR,
            &id,
            json!({"operationName": "UnmuteMonitoredUser"}),
        ),
    );
    assert_eq!(
        call_events(&unmuted)[0].1.call.monitored_user_muted,
        Some(false)
    );
}

#[test]
fn cancel_monitoring_releases_the_supervisors_call_and_clears_the_state() {
    let mut engine = engine();
    established(&mut engine, 0);
    arm(&mut engine, "ListenIn", None);
    let cancelled = ok(
        &mut engine,
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({"operationName": "CancelSupervisorMonitoring"}),
        ),
    );
    assert!(
        devices_for(&cancelled, SUPERVISOR)[0]
            .supervisor_monitoring_state
            .is_none()
    );
    assert_eq!(
        calls_for(&cancelled, SUPERVISOR)[0].state,
        CallState::Released
    );
    assert_eq!(
        calls_for(&cancelled, AGENT1)
            .last()
            .expect("agent")
            .supervisor_listening_in,
        Some(false)
    );
    let again = engine.handle(
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({"operationName": "CancelSupervisorMonitoring"}),
        ),
    );
    assert!(
        matches!(again, Err(EngineError::Invalid(_))),
        "nothing to cancel"
    );
}

#[test]
fn next_call_monitoring_is_cancelled_after_that_call() {
    let mut engine = engine();
    arm(&mut engine, "ListenIn", Some("NextCall"));
    let id = established(&mut engine, 0);
    let ended = ok(
        &mut engine,
        0,
        op(AGENT1, &id, json!({"operationName": "Hangup"})),
    );
    assert!(
        devices_for(&ended, SUPERVISOR)[0]
            .supervisor_monitoring_state
            .is_none()
    );
    let (next, _) = inject(&mut engine, 0, "5002", "5005");
    let answered = ok(
        &mut engine,
        0,
        op(AGENT1, &next, json!({"operationName": "Answer"})),
    );
    assert!(calls_for(&answered, SUPERVISOR).is_empty());
}

#[test]
fn a_supervisor_who_hangs_up_is_not_pulled_back_into_the_same_call() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let sup = calls_for(&arm(&mut engine, "ListenIn", None), SUPERVISOR)[0]
        .id
        .clone();
    let left = ok(
        &mut engine,
        0,
        op(SUPERVISOR, &sup, json!({"operationName": "Hangup"})),
    );
    assert_eq!(calls_for(&left, SUPERVISOR).len(), 1, "only the Released");
    assert_eq!(
        engine.call_of(0, AGENT1, &id).expect("agent call").state,
        CallState::Established
    );
    ok(
        &mut engine,
        0,
        op(AGENT1, &id, json!({"operationName": "Hangup"})),
    );
    let (next, _) = inject(&mut engine, 0, "5002", "5005");
    let answered = ok(
        &mut engine,
        0,
        op(AGENT1, &next, json!({"operationName": "Answer"})),
    );
    assert_eq!(
        calls_for(&answered, SUPERVISOR).len(),
        1,
        "but joins the next one"
    );
}

#[test]
fn monitoring_needs_a_target_and_refuses_bad_modes() {
    let mut engine = engine();
    let missing = engine.handle(
        0,
        device_op(SUPERVISOR, DEVICE_SUP, json!({"operationName": "ListenIn"})),
    );
    assert!(matches!(missing, Err(EngineError::MissingParameter(_))));
    let unknown = engine.handle(
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({"operationName": "ListenIn", "targetDeviceUri": "http://h/api/v2/devices/nope"}),
        ),
    );
    assert!(matches!(unknown, Err(EngineError::NotFound(_))));
    let mode = engine.handle(
        0,
        device_op(SUPERVISOR, DEVICE_SUP, json!({"operationName": "ListenIn", "phoneNumber": "5005", "supervisorMonitoringMode": "Often"})),
    );
    assert!(matches!(mode, Err(EngineError::Invalid(_))));
    let by_number = ok(
        &mut engine,
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({"operationName": "ListenIn", "phoneNumber": "5001"}),
        ),
    );
    assert!(
        devices_for(&by_number, SUPERVISOR)[0]
            .supervisor_monitoring_state
            .is_some()
    );
}

#[test]
fn transfers_from_the_monitoring_call_are_refused_with_an_error_message() {
    let mut engine = engine();
    established(&mut engine, 0);
    let id = calls_for(&arm(&mut engine, "BargeIn", None), SUPERVISOR)[0]
        .id
        .clone();
    let body =
        json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": "5002"}});
    let outcome = ok(&mut engine, 0, op(SUPERVISOR, &id, body));
    assert_eq!(
        errors_for(&outcome, SUPERVISOR)[0]["errorCode"],
        error_codes::NOT_SUPPORTED
    );
    let held = ok(
        &mut engine,
        0,
        op(SUPERVISOR, &id, json!({"operationName": "Hold"})),
    );
    assert_eq!(errors_for(&held, SUPERVISOR).len(), 1);
    assert_eq!(
        engine.call_of(0, SUPERVISOR, &id).expect("call").state,
        CallState::Established
    );
}

#[test]
fn the_supervisor_can_remove_the_agent_from_the_monitored_call() {
    let mut engine = engine();
    let agent_call = established(&mut engine, 0);
    let id = calls_for(&arm(&mut engine, "BargeIn", None), SUPERVISOR)[0]
        .id
        .clone();
    let removed = ok(
        &mut engine,
        0,
        op(
            SUPERVISOR,
            &id,
            json!({"operationName": "RemoveParticipantFromConference", "participant": "5005"}),
        ),
    );
    let agent = calls_for(&removed, AGENT1);
    assert_eq!(
        (agent[0].id.clone(), agent[0].state.clone()),
        (agent_call, CallState::Released)
    );
}

/// agent1 on an established call (its id) that the supervisor barged into (their call's id).
fn barged_in() -> (Engine, String, String) {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let armed = arm(&mut engine, "BargeIn", None);
    let supervisor_call = calls_for(&armed, SUPERVISOR)[0].id.clone();
    (engine, id, supervisor_call)
}

#[test]
fn a_supervisor_on_the_call_is_told_when_its_user_data_changes() {
    // Found by the call-model walk: the supervisor's call renders the conversation's user
    // data, but only the agents were told of a change — the supervisor's widget kept the old
    // data until a re-read.
    let (mut engine, id, supervisor_call) = barged_in();
    for body in [
        json!({"operationName": "AttachUserData", "userData": {"Account": "42"}}),
        json!({"operationName": "DeleteUserData"}),
    ] {
        let outcome = ok(&mut engine, 0, op(AGENT1, &id, body.clone()));
        let told = calls_for(&outcome, SUPERVISOR);
        assert_eq!(told.len(), 1, "{body}: the supervisor is told once");
        assert_eq!(
            told[0],
            engine
                .call_of(0, SUPERVISOR, &supervisor_call)
                .expect("the supervisor's call"),
            "{body}: what the supervisor was told is what they read"
        );
    }
}

#[test]
fn a_supervisor_on_the_call_is_told_when_a_party_answers_into_it() {
    // Found by the call-model walk: agent1 single-step conferenced agent2 into the monitored
    // call; when agent2 answered, the supervisor's call listed agent2 on a re-read, but only the
    // agents had been told.
    let (mut engine, id, supervisor_call) = barged_in();
    let rung = ok(
        &mut engine,
        0,
        op(
            AGENT1,
            &id,
            json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": "5001"}}),
        ),
    );
    let theirs = calls_for(&rung, AGENT2)[0].id.clone();
    let answered = ok(
        &mut engine,
        0,
        op(AGENT2, &theirs, json!({"operationName": "Answer"})),
    );
    let now = told_once(&engine, 0, &answered, SUPERVISOR, &supervisor_call);
    assert!(now.participants.contains(&Participant::internal("5001")));
}

#[test]
fn a_supervisor_on_the_call_is_told_when_the_agent_completes_a_transfer() {
    // Found by the call-model walk: the monitoring scope is the call, so the supervisor stays
    // on it when agent1 transfers it to agent2 — but CompleteTransfer told only the agents,
    // and the supervisor's call still listed agent1 instead of agent2.
    let (mut engine, id, supervisor_call) = barged_in();
    let consulted = ok(
        &mut engine,
        0,
        op(
            AGENT1,
            &id,
            json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "5001"}}),
        ),
    );
    let consult = calls_for(&consulted, AGENT1)
        .into_iter()
        .find(|c| c.state == CallState::Dialing)
        .expect("the consultation")
        .id;
    let theirs = calls_for(&consulted, AGENT2)[0].id.clone();
    ok(
        &mut engine,
        0,
        op(AGENT2, &theirs, json!({"operationName": "Answer"})),
    );
    let completed = ok(
        &mut engine,
        0,
        op(
            AGENT1,
            &consult,
            json!({"operationName": "CompleteTransfer"}),
        ),
    );
    let now = told_once(&engine, 0, &completed, SUPERVISOR, &supervisor_call);
    assert_eq!(
        now.participants,
        vec![Participant::internal("5000"), Participant::internal("5001")]
    );
}

#[test]
fn an_agent_still_ringing_is_told_when_a_supervisor_joins_the_call() {
    // Found by the call-model walk: agent2 rang into agent1's call (SingleStepConference) when
    // the supervisor joined it; agent2's ringing call then read supervisorListeningIn true,
    // but only the agents already talking were told.
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let rung = ok(
        &mut engine,
        0,
        op(
            AGENT1,
            &id,
            json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": "5001"}}),
        ),
    );
    let theirs = calls_for(&rung, AGENT2)[0].id.clone();
    let armed = arm(&mut engine, "BargeIn", None);
    let now = told_once(&engine, 0, &armed, AGENT2, &theirs);
    assert_eq!(now.state, CallState::Ringing);
}

#[test]
fn a_supervisor_does_not_monitor_a_call_they_are_talking_on() {
    // Found by the call-model walk: the supervisor talked with agent1, then barged in on
    // agent1 — and joined their own call a second time, as its monitor, so that their device
    // was on one call twice (and a CompleteConference of the two legs emptied it).
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(SUPERVISOR, DEVICE_SUP, "5005"));
    let own = dialled.call_id.clone().expect("id");
    let theirs = calls_for(&dialled, AGENT1)[0].id.clone();
    ok(
        &mut engine,
        0,
        op(AGENT1, &theirs, json!({"operationName": "Answer"})),
    );
    let armed = arm(&mut engine, "BargeIn", None);
    assert!(
        calls_for(&armed, SUPERVISOR).is_empty(),
        "no monitoring call"
    );
    let calls: Vec<String> = engine
        .calls_of(0, SUPERVISOR)
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(calls, vec![own]);
}
