//! Call recording (`--recording`) and SetCallDisposition.

use super::*;

#[test]
fn without_recording_calls_have_no_recording_state_or_capabilities() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let call = engine.call_of(0, AGENT1, &id).expect("call");
    assert_eq!(call.recording_state, None);
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "StartCallRecording"})
        ),
        EngineError::Invalid(_)
    ));
}

#[test]
fn recording_starts_pauses_resumes_and_stops_with_its_own_notification_type() {
    let mut engine = Engine::new(EngineConfig {
        recording: true,
        ..crate::engine::tests::config()
    });
    let id = established(&mut engine, 0);
    let call = engine.call_of(0, AGENT1, &id).expect("call");
    assert_eq!(call.recording_state.as_deref(), Some("Stopped"));
    assert!(caps(&call).contains("StartCallRecording"));
    let steps = [
        (
            "StartCallRecording",
            "Recording",
            "ON",
            &["PauseCallRecording", "StopCallRecording"][..],
        ),
        (
            "PauseCallRecording",
            "Paused",
            "PAUSED",
            &["ResumeCallRecording", "StopCallRecording"][..],
        ),
        (
            "ResumeCallRecording",
            "Recording",
            "ON",
            &["PauseCallRecording", "StopCallRecording"][..],
        ),
        (
            "StopCallRecording",
            "Stopped",
            "OFF",
            &["StartCallRecording"][..],
        ),
    ];
    for (operation, state, flag, offered) in steps {
        let outcome = call_op(
            &mut engine,
            0,
            AGENT1,
            &id,
            json!({"operationName": operation}),
        );
        let (_, n) = &call_events(&outcome)[0];
        assert_eq!(
            n.notification_type,
            gws_protocol::notification::NotificationType::CallRecordingStateChange
        );
        assert_eq!(
            n.call.recording_state.as_deref(),
            Some(state),
            "{operation}"
        );
        assert_eq!(
            n.call.user_data.as_ref().and_then(|d| d.get("GSIP_RECORD")),
            Some(&json!(flag))
        );
        for capability in offered {
            assert!(
                caps(&n.call).contains(*capability),
                "{operation} offers {capability}"
            );
        }
    }
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "PauseCallRecording"})
        ),
        EngineError::Invalid(_)
    ));
}

#[test]
fn the_other_agent_on_the_call_is_told_of_the_recording_flags_in_the_user_data() {
    // Found by the call-model walk: the flags went into the conversation's user data, which
    // agent2's call renders too, but only agent1 was notified — agent2's widget showed other
    // user data than a re-read of its calls.
    let mut engine = Engine::new(EngineConfig {
        recording: true,
        ..crate::engine::tests::config()
    });
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let mine = dialled.call_id.clone().expect("id");
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    call_op(
        &mut engine,
        0,
        AGENT2,
        &theirs,
        json!({"operationName": "Answer"}),
    );
    for operation in [
        "StartCallRecording",
        "PauseCallRecording",
        "StopCallRecording",
    ] {
        let outcome = call_op(
            &mut engine,
            0,
            AGENT1,
            &mine,
            json!({"operationName": operation}),
        );
        let told: Vec<_> = call_events(&outcome)
            .into_iter()
            .filter(|(user, _)| user == AGENT2)
            .collect();
        assert_eq!(told.len(), 1, "{operation}: agent2 is told once");
        assert_eq!(
            told[0].1.notification_type,
            gws_protocol::notification::NotificationType::AttachedDataChanged
        );
        assert_eq!(
            told[0].1.call,
            engine.call_of(0, AGENT2, &theirs).expect("agent2's call"),
            "{operation}: what agent2 was told is what agent2 reads"
        );
    }
}

#[test]
fn set_call_disposition_writes_the_disposition_into_user_data() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let outcome = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "SetCallDisposition", "disposition": "Sale"}),
    );
    assert_eq!(
        calls_for(&outcome, AGENT1)[0].user_data,
        json!({"DispositionCode": "Sale"}).as_object().cloned()
    );
    let keyed = json!({"operationName": "SetCallDisposition", "disposition": "x", "dispositionKey": "Outcome"});
    let outcome = call_op(&mut engine, 0, AGENT1, &id, keyed);
    assert_eq!(
        calls_for(&outcome, AGENT1)[0]
            .user_data
            .as_ref()
            .and_then(|d| d.get("Outcome")),
        Some(&json!("x"))
    );
    let missing = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "SetCallDisposition"}),
    );
    assert!(matches!(missing, EngineError::MissingParameter(_)));
    for wrong in [
        json!({"operationName": "SetCallDisposition", "disposition": {"code": 1}}),
        json!({"operationName": "SetCallDisposition", "disposition": "x", "dispositionKey": []}),
    ] {
        assert!(matches!(
            refused(&mut engine, AGENT1, &id, wrong),
            EngineError::Invalid(_)
        ));
    }
}

/// SetCallDisposition posted on agent1's device with `fields` (callUuid/callUri, disposition…).
fn disposition_on_device(fields: Value) -> Command {
    let mut body = json!({"operationName": "SetCallDisposition"});
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    device_op(AGENT1, DEVICE1, body)
}

/// A command that must be refused, leaving the model (what `/sim/state` and the state file
/// show) exactly as it was.
fn refused_command(engine: &mut Engine, command: Command) -> EngineError {
    let (snapshot, persisted) = (engine.snapshot(0), engine.persisted());
    let error = engine.handle(0, command).expect_err("refused");
    assert_eq!(engine.snapshot(0), snapshot, "{error}: /sim/state changed");
    assert_eq!(engine.persisted(), persisted, "{error}: the model changed");
    error
}

/// agent1's call from 5000, answered then released by the customer hanging up.
fn released_by_the_customer(engine: &mut Engine, now: u64) -> String {
    let id = established(engine, now);
    ok(
        engine,
        now,
        Command::RemoteHangup {
            call_id: id.clone(),
            number: None,
        },
    );
    assert!(engine.call_of(now, AGENT1, &id).is_none());
    id
}

fn reports(engine: &Engine) -> Vec<Value> {
    engine.snapshot(0)["dispositions"]
        .as_array()
        .expect("dispositions")
        .clone()
}

#[test]
fn set_call_disposition_on_the_device_for_a_live_call_is_the_call_level_operation() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let mine = dialled.call_id.clone().expect("id");
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    let uri = format!("http://127.0.0.1:8080/api/v2/me/calls/{mine}");
    for reference in [json!({"callUuid": mine}), json!({"callUri": uri})] {
        let mut fields = json!({"disposition": "Sale", "dispositionKey": "Outcome"});
        if let (Some(fields), Some(reference)) = (fields.as_object_mut(), reference.as_object()) {
            fields.extend(reference.clone());
        }
        let mut call_level = engine.clone();
        let expected = ok(
            &mut call_level,
            7,
            op(
                AGENT1,
                &mine,
                json!({"operationName": "SetCallDisposition", "disposition": "Sale",
                       "dispositionKey": "Outcome"}),
            ),
        );
        let outcome = ok(&mut engine, 7, disposition_on_device(fields));
        assert_eq!(outcome, expected, "{reference}");
        let order: Vec<String> = call_events(&outcome).into_iter().map(|(u, _)| u).collect();
        assert_eq!(order, vec![AGENT1, AGENT2]);
        assert_eq!(
            call_events(&outcome)[0].1.notification_type,
            gws_protocol::notification::NotificationType::AttachedDataChanged
        );
        assert_eq!(
            engine.call_of(0, AGENT2, &theirs).expect("call").user_data,
            json!({"Outcome": "Sale"}).as_object().cloned()
        );
        assert!(reports(&engine).is_empty(), "a live call is not reported");
    }
}

#[test]
fn set_call_disposition_on_the_device_for_a_released_call_is_reported_without_notification() {
    let mut engine = engine();
    let id = released_by_the_customer(&mut engine, 1_000);
    // The call resource is gone: the call-level form stays refused.
    refused_command(
        &mut engine,
        op(
            AGENT1,
            &id,
            json!({"operationName": "SetCallDisposition", "disposition": "Sale"}),
        ),
    );
    let outcome = ok(
        &mut engine,
        5_000,
        disposition_on_device(json!({"callUuid": id, "disposition": "Sale"})),
    );
    assert_eq!(outcome, Outcome::default(), "no notification, no timer");
    let uri = format!("http://127.0.0.1:8080/api/v2/me/calls/{id}");
    let outcome = ok(
        &mut engine,
        6_000,
        disposition_on_device(json!({"callUri": uri, "disposition": 42, "dispositionKey": "Code"})),
    );
    assert!(outcome.notifications.is_empty());
    let conn_id = engine.snapshot(0)["users"][0]["releasedCalls"][0]["connId"].clone();
    assert_eq!(conn_id.as_str().map(str::len), Some(16));
    assert_eq!(
        reports(&engine),
        vec![
            json!({"userName": AGENT1, "callId": id, "callUuid": id, "connId": conn_id,
                   "key": "DispositionCode", "disposition": "Sale", "timeMs": 5_000}),
            json!({"userName": AGENT1, "callId": id, "callUuid": id, "connId": conn_id,
                   "key": "Code", "disposition": "42", "timeMs": 6_000}),
        ]
    );
    assert!(
        engine.calls_of(0, AGENT1).is_empty(),
        "the call stays released"
    );
    assert!(
        engine.snapshot(0)["conversations"]
            .as_array()
            .expect("list")
            .is_empty()
    );
}

#[test]
fn a_call_released_by_a_transfer_can_be_dispositioned_while_the_conversation_goes_on() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    ok(
        &mut engine,
        0,
        op(
            AGENT1,
            &id,
            json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": "5001"}}),
        ),
    );
    let outcome = ok(
        &mut engine,
        0,
        disposition_on_device(json!({"callUuid": id, "disposition": "Transferred"})),
    );
    assert!(outcome.notifications.is_empty(), "agent2 is not told");
    let theirs = other_call(&engine, AGENT2, &[]);
    assert_eq!(
        engine.call_of(0, AGENT2, &theirs).expect("call").user_data,
        None,
        "the conversation's user data is untouched"
    );
    assert_eq!(reports(&engine).len(), 1);
}

#[test]
fn set_call_disposition_on_the_device_refuses_like_gws_and_changes_nothing() {
    let mut engine = engine();
    let live = established(&mut engine, 0);
    let released = released_by_the_customer(&mut engine, 0);
    let dialled = ok(&mut engine, 0, dial(AGENT2, DEVICE2, "5000"));
    let agent2s = dialled.call_id.expect("id");
    let agent2s_released = {
        let outcome = ok(&mut engine, 0, dial(AGENT2, DEVICE2, "5003"));
        let id = outcome.call_id.expect("id");
        ok(
            &mut engine,
            0,
            op(AGENT2, &id, json!({"operationName": "Hangup"})),
        );
        id
    };
    use StatusCode as S;
    let cases = [
        (json!({"callUuid": released}), S::PARAMETER_MISSING),
        (
            json!({"callUuid": released, "disposition": null}),
            S::PARAMETER_MISSING,
        ),
        (json!({"disposition": "Sale"}), S::PARAMETER_MISSING),
        (
            json!({"disposition": "Sale", "callUuid": null, "callUri": null}),
            S::PARAMETER_MISSING,
        ),
        (
            json!({"callUuid": released, "disposition": {"a": 1}}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": released, "disposition": true}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": released, "disposition": ["Sale"]}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": released, "disposition": "Sale", "dispositionKey": 7}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": 7, "disposition": "Sale"}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": "", "disposition": "Sale"}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUri": {"id": released}, "disposition": "Sale"}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": released, "callUri": format!("http://h/api/v2/me/calls/{live}"),
                "disposition": "Sale"}),
            S::PARAMETER_INVALID,
        ),
        (
            json!({"callUuid": "013V08JRL498H1OI04000VTAESZZZZZZ", "disposition": "Sale"}),
            S::NOT_FOUND,
        ),
        (
            json!({"callUuid": agent2s, "disposition": "Sale"}),
            S::NOT_FOUND,
        ),
        (
            json!({"callUuid": agent2s_released, "disposition": "Sale"}),
            S::NOT_FOUND,
        ),
        (
            json!({"callUri": format!("http://h/api/v2/me/calls/{agent2s}"), "disposition": "Sale"}),
            S::NOT_FOUND,
        ),
    ];
    for (fields, code) in cases {
        let error = refused_command(&mut engine, disposition_on_device(fields.clone()));
        assert_eq!(error.status_code(), code, "{fields}: {error}");
    }
    // Another agent's device, and a device logged out of voice.
    let body =
        json!({"operationName": "SetCallDisposition", "callUuid": released, "disposition": "x"});
    let error = refused_command(&mut engine, device_op(AGENT1, DEVICE2, body.clone()));
    assert_eq!(error.status_code(), S::NOT_FOUND);
    let mut logged_out = Engine::new(EngineConfig::default());
    let error = refused_command(&mut logged_out, device_op(AGENT1, DEVICE1, body));
    assert_eq!(error.status_code(), S::FORBIDDEN);
    // The live call is untouched by all of it.
    assert_eq!(
        engine.call_of(0, AGENT1, &live).expect("call").user_data,
        None
    );
    assert!(reports(&engine).is_empty());
}

#[test]
fn set_call_disposition_is_not_a_device_capability() {
    let mut engine = engine();
    released_by_the_customer(&mut engine, 0);
    for user in [AGENT1, SUPERVISOR] {
        let device = &engine.devices_of(user)[0];
        assert!(
            !device
                .capabilities
                .contains(&gws_protocol::Operation::SetCallDisposition),
            "{user}: {:?}",
            device.capabilities
        );
    }
}

#[test]
fn released_calls_and_reports_are_bounded_and_reset_forgets_them() {
    use crate::engine::{DISPOSITION_REPORTS, RECENT_RELEASED_PER_AGENT};
    let mut engine = engine();
    let ids: Vec<String> = (0..RECENT_RELEASED_PER_AGENT + 5)
        .map(|n| released_by_the_customer(&mut engine, n as u64))
        .collect();
    let remembered = engine.snapshot(0)["users"][0]["releasedCalls"]
        .as_array()
        .expect("list")
        .len();
    assert_eq!(remembered, RECENT_RELEASED_PER_AGENT);
    for forgotten in &ids[..5] {
        let error = refused_command(
            &mut engine,
            disposition_on_device(json!({"callUuid": forgotten, "disposition": "x"})),
        );
        assert!(matches!(error, EngineError::NotFound(_)), "{forgotten}");
    }
    let oldest_kept = &ids[5];
    for n in 0..DISPOSITION_REPORTS + 3 {
        ok(
            &mut engine,
            n as u64,
            disposition_on_device(json!({"callUuid": oldest_kept, "disposition": n.to_string()})),
        );
    }
    let kept = reports(&engine);
    assert_eq!(kept.len(), DISPOSITION_REPORTS);
    assert_eq!(kept[0]["disposition"], "3", "the oldest reports go first");
    assert_eq!(
        kept[DISPOSITION_REPORTS - 1]["disposition"],
        (DISPOSITION_REPORTS + 2).to_string()
    );
    ok(&mut engine, 0, Command::Reset);
    assert!(reports(&engine).is_empty());
    assert_eq!(engine.snapshot(0)["users"][0]["releasedCalls"], json!([]));
    let error = refused_command(
        &mut engine,
        disposition_on_device(json!({"callUuid": ids[24], "disposition": "x"})),
    );
    assert!(matches!(error, EngineError::NotFound(_)));
}
