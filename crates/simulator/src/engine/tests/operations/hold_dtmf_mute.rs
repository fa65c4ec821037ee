//! Hold and Retrieve, SendDtmf, MuteCall and UnmuteCall.

use super::*;

#[test]
fn hold_and_retrieve_toggle_between_sets_d_and_f() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let held = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Hold"}),
    );
    let call = &calls_for(&held, AGENT1)[0];
    assert_eq!(call.state, CallState::Held);
    assert!(
        caps(call).contains("Retrieve")
            && !caps(call).contains("Hold")
            && !caps(call).contains("SendDtmf")
    );
    let retrieved = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Retrieve"}),
    );
    assert_eq!(
        calls_for(&retrieved, AGENT1)[0].state,
        CallState::Established
    );
    assert_eq!(caps(&calls_for(&retrieved, AGENT1)[0]), set(&SET_D));
}

#[test]
fn hold_on_a_held_call_and_retrieve_on_an_established_call_are_refused() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "Retrieve"})
        ),
        EngineError::Invalid(_)
    ));
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Hold"}),
    );
    assert!(matches!(
        refused(&mut engine, AGENT1, &id, json!({"operationName": "Hold"})),
        EngineError::Invalid(_)
    ));
}

#[test]
fn retrieve_while_another_call_is_established_holds_that_one_first() {
    let mut engine = engine();
    let first = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &first,
        json!({"operationName": "Hold"}),
    );
    let (second, _) = inject(&mut engine, 0, "5002", "5005");
    call_op(
        &mut engine,
        0,
        AGENT1,
        &second,
        json!({"operationName": "Answer"}),
    );
    let retrieved = call_op(
        &mut engine,
        0,
        AGENT1,
        &first,
        json!({"operationName": "Retrieve"}),
    );
    assert_eq!(
        states(&calls_for(&retrieved, AGENT1)),
        vec![(second, CallState::Held), (first, CallState::Established)]
    );
}

#[test]
fn answering_while_talking_holds_the_established_call_first() {
    let mut engine = engine();
    let first = established(&mut engine, 0);
    let (second, _) = inject(&mut engine, 0, "5002", "5005");
    let answered = call_op(
        &mut engine,
        0,
        AGENT1,
        &second,
        json!({"operationName": "Answer"}),
    );
    let calls = calls_for(&answered, AGENT1);
    assert_eq!(
        states(&calls),
        vec![(first, CallState::Held), (second, CallState::Established)]
    );
    assert!(
        caps(&calls[1]).contains("SwapCalls"),
        "the active call next to a held one is set E"
    );
}

// ------------------------------------------------------------------------------------ SendDtmf, Mute

#[test]
fn send_dtmf_publishes_dtmf_sent_with_the_digits_and_no_state_change() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let sent = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "SendDtmf", "digits": "12#"}),
    );
    let (_, notification) = &call_events(&sent)[0];
    assert_eq!(
        notification.notification_type,
        gws_protocol::notification::NotificationType::DtmfSent
    );
    assert_eq!(notification.dtmf_digits.as_deref(), Some("12#"));
    assert_eq!(notification.call.state, CallState::Established);
}

#[test]
fn send_dtmf_needs_digits() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "SendDtmf"})
        ),
        EngineError::MissingParameter(_)
    ));
    let bad = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "SendDtmf", "digits": "12a"}),
    );
    assert!(matches!(bad, EngineError::Invalid(_)));
    let ringing = inject(&mut engine, 0, "5002", "5005").0;
    let not_yet = refused(
        &mut engine,
        AGENT1,
        &ringing,
        json!({"operationName": "SendDtmf", "digits": "1"}),
    );
    assert!(matches!(not_yet, EngineError::Invalid(_)));
}

#[test]
fn mute_and_unmute_change_mute_and_the_unmute_capability() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let muted = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "MuteCall"}),
    );
    let call = &calls_for(&muted, AGENT1)[0];
    assert_eq!(call.mute, Some(OnOff::On));
    assert!(caps(call).contains("UnmuteCall"));
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "MuteCall"})
        ),
        EngineError::Invalid(_)
    ));
    let unmuted = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "UnmuteCall"}),
    );
    assert_eq!(calls_for(&unmuted, AGENT1)[0].mute, Some(OnOff::Off));
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "UnmuteCall"})
        ),
        EngineError::Invalid(_)
    ));
}
