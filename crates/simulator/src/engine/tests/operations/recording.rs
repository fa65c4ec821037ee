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
}
