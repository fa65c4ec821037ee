//! One test (or more) per call operation: the happy path and each error.

use super::*;

fn call_op(engine: &mut Engine, now: u64, user: &str, id: &str, body: Value) -> Outcome {
    ok(engine, now, op(user, id, body))
}

fn refused(engine: &mut Engine, user: &str, id: &str, body: Value) -> EngineError {
    let before = engine.snapshot(0);
    let error = engine.handle(0, op(user, id, body)).expect_err("refused");
    assert_eq!(
        engine.snapshot(0),
        before,
        "a refused operation changes nothing"
    );
    error
}

fn states(calls: &[Call]) -> Vec<(String, CallState)> {
    calls
        .iter()
        .map(|c| (c.id.clone(), c.state.clone()))
        .collect()
}

// ------------------------------------------------------------------------------------ Dial

#[test]
fn dial_to_a_simulated_phone_dials_then_establishes_when_the_timer_fires() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5002"));
    let calls = calls_for(&dialled, AGENT1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].state, CallState::Dialing);
    assert_eq!(
        caps(&calls[0]),
        set(&[
            "AttachUserData",
            "UpdateUserData",
            "DeleteUserData",
            "DeleteUserDataPair",
            "Hangup",
            "SendDtmf"
        ])
    );
    assert_eq!(calls[0].dnis.as_deref(), Some("5002"));
    assert_eq!(calls[0].participants, vec![Participant::internal("5002")]);
    assert_eq!(dialled.call_id.as_deref(), Some(calls[0].id.as_str()));
    assert_eq!(
        dialled.timers,
        vec![Timer {
            after_ms: 1000,
            event: dialled.timers[0].event.clone()
        }]
    );
    let answered = fire(&mut engine, 1000, &dialled);
    let calls = calls_for(&answered[0], AGENT1);
    assert_eq!(calls[0].state, CallState::Established);
    assert_eq!(caps(&calls[0]), set(&SET_D));
}

#[test]
fn dial_to_another_agent_rings_their_own_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    assert!(dialled.timers.is_empty(), "agents answer themselves");
    let ringing = calls_for(&dialled, AGENT2);
    assert_eq!(ringing.len(), 1);
    assert_eq!(ringing[0].state, CallState::Ringing);
    assert_eq!(ringing[0].participants, vec![Participant::internal("5005")]);
    assert_eq!(ringing[0].dnis.as_deref(), Some("5001"));
    let answered = call_op(
        &mut engine,
        3000,
        AGENT2,
        &ringing[0].id,
        json!({"operationName": "Answer"}),
    );
    let order: Vec<String> = call_events(&answered).into_iter().map(|(u, _)| u).collect();
    assert_eq!(
        order,
        vec![AGENT2, AGENT1],
        "the answering side first, then the caller"
    );
    assert_eq!(
        calls_for(&answered, AGENT1)[0].state,
        CallState::Established
    );
    let hung_up = call_op(
        &mut engine,
        4000,
        AGENT2,
        &ringing[0].id,
        json!({"operationName": "Hangup"}),
    );
    assert_eq!(
        calls_for(&hung_up, AGENT1)[0].state,
        CallState::Released,
        "the other side sees the hang-up"
    );
}

#[test]
fn dial_refuses_a_missing_destination_another_users_device_and_other_operations() {
    let mut engine = engine();
    let missing = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(json!({"operationName": "Dial"})).expect("body"),
    };
    assert!(matches!(
        engine.handle(0, missing),
        Err(EngineError::MissingParameter(_))
    ));
    assert!(matches!(
        engine.handle(0, dial(AGENT2, DEVICE1, "5002")),
        Err(EngineError::NotFound(_))
    ));
    let wrong = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(json!({"operationName": "Answer"})).expect("body"),
    };
    assert!(matches!(
        engine.handle(0, wrong),
        Err(EngineError::Invalid(_))
    ));
    assert!(engine.calls_of(0, AGENT1).is_empty());
}

#[test]
fn dial_to_an_invalid_number_reports_an_error_message_and_creates_nothing() {
    let mut engine = engine();
    for number in [reserved::INVALID, "abc", "5005"] {
        let outcome = ok(&mut engine, 0, dial(AGENT1, DEVICE1, number));
        let errors = errors_for(&outcome, AGENT1);
        assert_eq!(errors.len(), 1, "{number}");
        assert_eq!(errors[0]["errorCode"], error_codes::INVALID_DESTINATION);
        assert_eq!(errors[0]["operationName"], "Dial");
        assert!(
            errors[0]["deviceUri"]
                .as_str()
                .expect("device")
                .ends_with(DEVICE1)
        );
        assert_eq!(outcome.notifications[0].channel, "/v2/me/calls");
        assert!(engine.calls_of(0, AGENT1).is_empty());
    }
}

#[test]
fn dial_to_the_busy_number_errors_then_releases_the_dialing_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, reserved::BUSY));
    assert_eq!(calls_for(&dialled, AGENT1)[0].state, CallState::Dialing);
    let busy = fire(&mut engine, 1000, &dialled).remove(0);
    let kinds: Vec<&Value> = busy
        .notifications
        .iter()
        .map(|n| &n.data["messageType"])
        .collect();
    assert_eq!(kinds, vec!["ErrorMessage", "CallStateChangeMessage"]);
    let error = &errors_for(&busy, AGENT1)[0];
    assert_eq!(error["errorCode"], error_codes::BUSY);
    assert_eq!(
        error["callUri"],
        calls_for(&dialled, AGENT1)[0]
            .uri
            .clone()
            .expect("uri")
            .as_str()
    );
    assert_eq!(calls_for(&busy, AGENT1)[0].state, CallState::Released);
    assert!(engine.calls_of(1000, AGENT1).is_empty());
}

#[test]
fn dial_to_the_no_answer_number_rings_until_hung_up() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, reserved::NO_ANSWER));
    assert!(dialled.timers.is_empty());
    let id = dialled.call_id.expect("id");
    let hung_up = call_op(
        &mut engine,
        60_000,
        AGENT1,
        &id,
        json!({"operationName": "Hangup"}),
    );
    assert_eq!(calls_for(&hung_up, AGENT1)[0].state, CallState::Released);
}

#[test]
fn dial_while_talking_holds_the_established_call_first() {
    let mut engine = engine();
    let first = established(&mut engine, 0);
    let dialled = ok(&mut engine, 1000, dial(AGENT1, DEVICE1, "5002"));
    let calls = calls_for(&dialled, AGENT1);
    assert_eq!(states(&calls)[0], (first.clone(), CallState::Held));
    assert_eq!(calls[1].state, CallState::Dialing);
    assert_eq!(calls[1].call_type, Some(CallType::Internal));
    assert_eq!(
        calls[1].parent_call_uri, None,
        "a plain Dial has no parent (seed 000)"
    );
    assert!(caps(&calls[1]).contains("SwapCalls") && caps(&calls[1]).contains("CompleteTransfer"));
}

#[test]
fn dial_carries_user_data() {
    let mut engine = engine();
    let body = json!({"operationName": "Dial", "destination": {"phoneNumber": "5002"}, "userData": {"Case": "42"}});
    let command = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(body).expect("body"),
    };
    let outcome = ok(&mut engine, 0, command);
    assert_eq!(
        calls_for(&outcome, AGENT1)[0].user_data,
        json!({"Case": "42"}).as_object().cloned()
    );
}

// ------------------------------------------------------------------------------------ Hold, Retrieve

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

// ------------------------------------------------------------------------------------ transfers

#[test]
fn initiate_transfer_to_an_invalid_number_errors_and_leaves_the_call_established() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let body = json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": reserved::INVALID}});
    let outcome = call_op(&mut engine, 0, AGENT1, &id, body);
    assert_eq!(errors_for(&outcome, AGENT1).len(), 1);
    assert!(calls_for(&outcome, AGENT1).is_empty());
    assert_eq!(
        engine.call_of(0, AGENT1, &id).expect("call").state,
        CallState::Established
    );
}

#[test]
fn initiate_transfer_needs_a_destination() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let error = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "InitiateTransfer"}),
    );
    assert!(matches!(error, EngineError::MissingParameter(_)));
    let error = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "InitiateTransfer", "destination": {}}),
    );
    assert!(matches!(error, EngineError::MissingParameter(_)));
}

#[test]
fn a_busy_consult_errors_and_leaves_the_original_call_held() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let body = json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": reserved::BUSY}});
    let initiated = call_op(&mut engine, 0, AGENT1, &id, body);
    let busy = fire(&mut engine, 1000, &initiated).remove(0);
    assert_eq!(
        errors_for(&busy, AGENT1)[0]["operationName"],
        "InitiateTransfer"
    );
    let consult = &calls_for(&busy, AGENT1)[0];
    assert_eq!(
        (consult.state.clone(), consult.call_type.clone()),
        (CallState::Released, Some(CallType::Consult))
    );
    let original = engine.call_of(1000, AGENT1, &id).expect("still there");
    assert_eq!(original.state, CallState::Held);
    assert!(caps(&original).contains("Retrieve"));
}

#[test]
fn complete_transfer_to_an_agent_who_answered_connects_them_to_the_customer() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let body = json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "5001"}});
    let initiated = call_op(&mut engine, 0, AGENT1, &id, body);
    let theirs = calls_for(&initiated, AGENT2)[0].id.clone();
    call_op(
        &mut engine,
        0,
        AGENT2,
        &theirs,
        json!({"operationName": "Answer"}),
    );
    let consult = other_call(&engine, AGENT1, &[&id]);
    let uri = format!("http://somewhere.else/api/v2/me/calls/{consult}");
    let completed = call_op(
        &mut engine,
        0,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteTransfer", "consultCallUri": uri}),
    );
    assert_eq!(
        states(&calls_for(&completed, AGENT1)),
        vec![(id, CallState::Released), (consult, CallState::Released)]
    );
    let agent2 = calls_for(&completed, AGENT2);
    assert_eq!(agent2[0].participants, vec![Participant::internal("5000")]);
    assert_eq!(agent2[0].state, CallState::Established);
    let hung_up = ok(
        &mut engine,
        0,
        Command::PhoneHangsUp {
            number: "5000".into(),
        },
    );
    assert_eq!(
        calls_for(&hung_up, AGENT2)[0].state,
        CallState::Released,
        "the customer hanging up reaches agent2"
    );
}

#[test]
fn complete_transfer_with_an_unknown_consult_uri_is_not_found() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "5002"}}),
    );
    let consult = other_call(&engine, AGENT1, &[&id]);
    let body = json!({"operationName": "CompleteTransfer", "consultCallUri": "http://x/api/v2/me/calls/NOPE"});
    assert!(matches!(
        refused(&mut engine, AGENT1, &consult, body),
        EngineError::NotFound(_)
    ));
}

#[test]
fn complete_transfer_is_not_offered_on_the_held_call() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "5002"}}),
    );
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &id,
            json!({"operationName": "CompleteTransfer"})
        ),
        EngineError::Invalid(_)
    ));
}

#[test]
fn single_step_transfer_releases_the_call_and_rings_the_destination_with_the_customer() {
    let mut engine = engine();
    let data = json!({"Account": "7"}).as_object().cloned();
    let injected = ok(
        &mut engine,
        0,
        Command::InjectCall {
            from: "5000".into(),
            to: "5005".into(),
            user_data: data.clone(),
        },
    );
    let id = injected.call_id.expect("id");
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Answer"}),
    );
    let body =
        json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": "5001"}});
    let moved = call_op(&mut engine, 2000, AGENT1, &id, body);
    assert_eq!(calls_for(&moved, AGENT1)[0].state, CallState::Released);
    let ringing = &calls_for(&moved, AGENT2)[0];
    assert_eq!(ringing.state, CallState::Ringing);
    assert_eq!(ringing.participants, vec![Participant::internal("5000")]);
    assert_eq!(ringing.user_data, data, "user data travels with the call");
    let order: Vec<String> = call_events(&moved).into_iter().map(|(u, _)| u).collect();
    assert_eq!(order, vec![AGENT1, AGENT2]);
}

#[test]
fn single_step_transfer_to_a_busy_or_invalid_number_errors_and_changes_nothing() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    for (number, code) in [
        (reserved::BUSY, error_codes::BUSY),
        (reserved::INVALID, error_codes::INVALID_DESTINATION),
    ] {
        let body =
            json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": number}});
        let outcome = call_op(&mut engine, 0, AGENT1, &id, body);
        assert_eq!(errors_for(&outcome, AGENT1)[0]["errorCode"], code);
        assert!(calls_for(&outcome, AGENT1).is_empty());
        assert_eq!(
            engine.call_of(0, AGENT1, &id).expect("call").state,
            CallState::Established
        );
    }
}

// ------------------------------------------------------------------------------------ conferences

/// agent1 talks to 5000, consults agent2 who answers; returns (original, consult, agent2's).
fn consulted(engine: &mut Engine, operation: &str) -> (String, String, String) {
    let id = established(engine, 0);
    let initiated = call_op(
        engine,
        1000,
        AGENT1,
        &id,
        json!({"operationName": operation, "destination": {"phoneNumber": "5001"}}),
    );
    let theirs = calls_for(&initiated, AGENT2)[0].id.clone();
    call_op(
        engine,
        2000,
        AGENT2,
        &theirs,
        json!({"operationName": "Answer"}),
    );
    let consult = other_call(engine, AGENT1, &[&id]);
    (id, consult, theirs)
}

#[test]
fn complete_conference_releases_the_consult_first_then_establishes_the_conference() {
    let mut engine = engine();
    let (id, consult, theirs) = consulted(&mut engine, "InitiateConference");
    assert!(
        caps(&engine.call_of(0, AGENT1, &consult).expect("consult")).contains("CompleteConference")
    );
    let done = call_op(
        &mut engine,
        3000,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteConference"}),
    );
    let mine = calls_for(&done, AGENT1);
    assert_eq!(
        states(&mine),
        vec![
            (consult, CallState::Released),
            (id.clone(), CallState::Established)
        ]
    );
    assert_eq!(
        mine[1].participants,
        vec![Participant::internal("5000"), Participant::internal("5001")]
    );
    assert!(
        caps(&mine[1]).contains("RemoveParticipantFromConference"),
        "the owner may remove parties"
    );
    let agent2 = call_events(&done)
        .into_iter()
        .filter(|(u, _)| u == AGENT2)
        .map(|(_, n)| n)
        .collect::<Vec<_>>();
    assert_eq!(
        agent2[0].notification_type,
        gws_protocol::notification::NotificationType::ParticipantsUpdated
    );
    assert_eq!(agent2[0].call.id, theirs);
    assert_eq!(
        agent2[0].call.participants,
        vec![Participant::internal("5000"), Participant::internal("5005")]
    );
}

#[test]
fn complete_conference_is_refused_while_the_consult_is_still_dialing() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "InitiateConference", "destination": {"phoneNumber": "5002"}}),
    );
    let consult = other_call(&engine, AGENT1, &[&id]);
    assert!(matches!(
        refused(
            &mut engine,
            AGENT1,
            &consult,
            json!({"operationName": "CompleteConference"})
        ),
        EngineError::Invalid(_)
    ));
}

#[test]
fn single_step_conference_adds_the_party_when_it_answers() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let body =
        json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": "5002"}});
    let added = call_op(&mut engine, 0, AGENT1, &id, body);
    assert!(
        calls_for(&added, AGENT1).is_empty(),
        "nothing changes until the party answers"
    );
    let answered = fire(&mut engine, 1000, &added).remove(0);
    let (_, update) = &call_events(&answered)[0];
    assert_eq!(
        update.notification_type,
        gws_protocol::notification::NotificationType::ParticipantsUpdated
    );
    assert_eq!(
        update.call.participants,
        vec![Participant::internal("5000"), Participant::internal("5002")]
    );
}

#[test]
fn single_step_conference_to_a_busy_number_errors_and_keeps_the_call() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let body = json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": reserved::BUSY}});
    let added = call_op(&mut engine, 0, AGENT1, &id, body);
    let busy = fire(&mut engine, 1000, &added).remove(0);
    assert_eq!(
        errors_for(&busy, AGENT1)[0]["operationName"],
        "SingleStepConference"
    );
    let call = engine.call_of(1000, AGENT1, &id).expect("call");
    assert_eq!(call.state, CallState::Established);
    assert_eq!(call.participants, vec![Participant::internal("5000")]);
}

#[test]
fn remove_participant_updates_the_conference_and_the_removed_agent_is_released() {
    let mut engine = engine();
    let (id, consult, theirs) = consulted(&mut engine, "InitiateConference");
    call_op(
        &mut engine,
        3000,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteConference"}),
    );
    let removed = call_op(
        &mut engine,
        4000,
        AGENT1,
        &id,
        json!({"operationName": "RemoveParticipantFromConference", "participant": "5001"}),
    );
    let agent2 = calls_for(&removed, AGENT2);
    assert_eq!(
        (agent2[0].id.clone(), agent2[0].state.clone()),
        (theirs, CallState::Released)
    );
    let (_, update) = call_events(&removed)
        .into_iter()
        .find(|(u, _)| u == AGENT1)
        .expect("owner told");
    assert_eq!(
        update.notification_type,
        gws_protocol::notification::NotificationType::ParticipantsUpdated
    );
    assert_eq!(
        update.call.participants,
        vec![Participant::internal("5000")]
    );
    assert!(
        !caps(&update.call).contains("RemoveParticipantFromConference"),
        "no conference any more"
    );
}

#[test]
fn remove_participant_needs_a_participant_that_is_on_the_call() {
    let mut engine = engine();
    let (id, consult, _) = consulted(&mut engine, "InitiateConference");
    call_op(
        &mut engine,
        3000,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteConference"}),
    );
    let missing = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "RemoveParticipantFromConference"}),
    );
    assert!(matches!(missing, EngineError::MissingParameter(_)));
    let unknown = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "RemoveParticipantFromConference", "participant": "7777"}),
    );
    assert!(matches!(unknown, EngineError::Invalid(_)));
}

#[test]
fn a_conference_shrunk_to_two_parties_no_longer_offers_removal() {
    let mut engine = engine();
    let (id, consult, _) = consulted(&mut engine, "InitiateConference");
    call_op(
        &mut engine,
        3000,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteConference"}),
    );
    call_op(
        &mut engine,
        4000,
        AGENT1,
        &id,
        json!({"operationName": "RemoveParticipantFromConference", "participant": "5001"}),
    );
    let again = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "RemoveParticipantFromConference", "participant": "5000"}),
    );
    assert!(matches!(again, EngineError::Invalid(_)));
    let ended = ok(
        &mut engine,
        5000,
        Command::PhoneHangsUp {
            number: "5000".into(),
        },
    );
    assert_eq!(calls_for(&ended, AGENT1)[0].state, CallState::Released);
}

#[test]
fn a_party_leaving_a_conference_updates_the_others() {
    let mut engine = engine();
    let (id, consult, theirs) = consulted(&mut engine, "InitiateConference");
    call_op(
        &mut engine,
        3000,
        AGENT1,
        &consult,
        json!({"operationName": "CompleteConference"}),
    );
    let left = call_op(
        &mut engine,
        4000,
        AGENT2,
        &theirs,
        json!({"operationName": "Hangup"}),
    );
    assert_eq!(calls_for(&left, AGENT2)[0].state, CallState::Released);
    let mine = calls_for(&left, AGENT1);
    assert_eq!(mine[0].id, id);
    assert_eq!(mine[0].participants, vec![Participant::internal("5000")]);
}

// ------------------------------------------------------------------------------------ swap, merge

#[test]
fn swap_calls_needs_a_held_other_call() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let missing = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "SwapCalls"}),
    );
    assert!(
        matches!(missing, EngineError::Invalid(_)),
        "SwapCalls is not offered without a held call"
    );
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Hold"}),
    );
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5002"));
    let active = dialled.call_id.clone().expect("id");
    fire(&mut engine, 1000, &dialled);
    let none = refused(
        &mut engine,
        AGENT1,
        &active,
        json!({"operationName": "SwapCalls"}),
    );
    assert!(matches!(none, EngineError::MissingParameter(_)));
    let unknown = refused(
        &mut engine,
        AGENT1,
        &active,
        json!({"operationName": "SwapCalls", "otherCallUri": "http://h/api/v2/me/calls/NOPE"}),
    );
    assert!(matches!(unknown, EngineError::NotFound(_)));
    let bad = refused(
        &mut engine,
        AGENT1,
        &active,
        json!({"operationName": "SwapCalls", "otherCallUri": 5}),
    );
    assert!(matches!(bad, EngineError::Invalid(_)));
}

#[test]
fn merge_with_other_call_joins_the_active_call_into_the_held_one() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Hold"}),
    );
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5002"));
    let active = dialled.call_id.clone().expect("id");
    fire(&mut engine, 1000, &dialled);
    let body = json!({"operationName": "MergeWithOtherCall", "otherCallUri": format!("http://h/api/v2/me/calls/{id}")});
    let merged = call_op(&mut engine, 2000, AGENT1, &active, body);
    let mine = calls_for(&merged, AGENT1);
    assert_eq!(
        states(&mine),
        vec![
            (active, CallState::Released),
            (id.clone(), CallState::Established)
        ]
    );
    assert_eq!(
        mine[1].participants,
        vec![Participant::internal("5000"), Participant::internal("5002")]
    );
    assert_eq!(engine.calls_of(2000, AGENT1).len(), 1);
}

#[test]
fn merge_needs_another_call() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let error = refused(
        &mut engine,
        AGENT1,
        &id,
        json!({"operationName": "MergeWithOtherCall", "otherCallUri": "x/calls/y"}),
    );
    assert!(matches!(error, EngineError::Invalid(_)));
}

// ------------------------------------------------------------------------------------ user data

#[test]
fn user_data_operations_publish_attached_data_changed_and_delete_removes_the_property() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let kind = |o: &Outcome| call_events(o)[0].1.notification_type.clone();
    let attached = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "AttachUserData", "userData": {"A": "1", "B": "2"}}),
    );
    assert_eq!(
        kind(&attached),
        gws_protocol::notification::NotificationType::AttachedDataChanged
    );
    assert_eq!(
        calls_for(&attached, AGENT1)[0].user_data,
        json!({"A": "1", "B": "2"}).as_object().cloned()
    );
    let updated = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "UpdateUserData", "userData": {"B": "3"}}),
    );
    assert_eq!(
        calls_for(&updated, AGENT1)[0].user_data,
        json!({"A": "1", "B": "3"}).as_object().cloned()
    );
    let pair = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "DeleteUserDataPair", "key": "A"}),
    );
    assert_eq!(
        calls_for(&pair, AGENT1)[0].user_data,
        json!({"B": "3"}).as_object().cloned()
    );
    let all = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "DeleteUserData"}),
    );
    assert_eq!(calls_for(&all, AGENT1)[0].user_data, None);
    assert!(
        all.notifications[0].data["call"].get("userData").is_none(),
        "userData is absent, not empty"
    );
}

#[test]
fn user_data_operations_check_their_parameters() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let cases = [
        (
            json!({"operationName": "AttachUserData"}),
            StatusCode::PARAMETER_MISSING,
        ),
        (
            json!({"operationName": "UpdateUserData", "userData": "x"}),
            StatusCode::PARAMETER_INVALID,
        ),
        (
            json!({"operationName": "DeleteUserDataPair"}),
            StatusCode::PARAMETER_MISSING,
        ),
        (
            json!({"operationName": "DeleteUserDataPair", "key": "Nope"}),
            StatusCode::PARAMETER_INVALID,
        ),
    ];
    for (body, code) in cases {
        assert_eq!(
            refused(&mut engine, AGENT1, &id, body.clone()).status_code(),
            code,
            "{body}"
        );
    }
}

#[test]
fn user_data_is_shared_by_every_agent_on_the_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    let mine = dialled.call_id.expect("id");
    let attached = call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "AttachUserData", "userData": {"K": "V"}}),
    );
    let order: Vec<String> = call_events(&attached).into_iter().map(|(u, _)| u).collect();
    assert_eq!(order, vec![AGENT1, AGENT2]);
    assert_eq!(
        engine.call_of(0, AGENT2, &theirs).expect("call").user_data,
        json!({"K": "V"}).as_object().cloned()
    );
}

// ------------------------------------------------------------------------------------ side effects

#[test]
fn a_call_whose_capabilities_change_as_a_side_effect_is_refreshed() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Hold"}),
    );
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5002"));
    let active = dialled.call_id.clone().expect("id");
    fire(&mut engine, 1000, &dialled);
    assert!(caps(&engine.call_of(0, AGENT1, &active).expect("active")).contains("SwapCalls"));
    let hung_up = call_op(
        &mut engine,
        2000,
        AGENT1,
        &id,
        json!({"operationName": "Hangup"}),
    );
    let mine = calls_for(&hung_up, AGENT1);
    assert_eq!(
        states(&mine),
        vec![(id, CallState::Released), (active, CallState::Established)]
    );
    assert_eq!(
        caps(&mine[1]),
        set(&SET_D),
        "SwapCalls is withdrawn with a StatusChange"
    );
}

// ------------------------------------------------------------------------------------ recording

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
        ..EngineConfig::default()
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

// ------------------------------------------------------------------------------------ advertise mute

fn advertising_mute() -> Engine {
    Engine::new(EngineConfig {
        advertise_mute: true,
        ..EngineConfig::default()
    })
}

/// The capabilities agent1's call `id` has now.
fn caps_now(engine: &Engine, user: &str, id: &str) -> BTreeSet<String> {
    caps(&engine.call_of(0, user, id).expect("call"))
}

fn with(base: &[&str], extra: &[&str]) -> BTreeSet<String> {
    let mut all = set(base);
    all.extend(set(extra));
    all
}

#[test]
fn with_advertise_mute_an_established_call_lists_mute_call_on_top_of_set_d() {
    let mut engine = advertising_mute();
    let (id, rung) = inject(&mut engine, 0, "5000", "5005");
    assert_eq!(
        caps(&calls_for(&rung, AGENT1)[0]),
        set(&SET_A),
        "a ringing call cannot be muted"
    );
    let answered = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "Answer"}),
    );
    assert_eq!(
        caps(&calls_for(&answered, AGENT1)[0]),
        with(&SET_D, &["MuteCall"])
    );
}

#[test]
fn with_advertise_mute_a_muted_call_offers_unmute_instead_of_mute() {
    let mut engine = advertising_mute();
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
    assert_eq!(caps(call), with(&SET_D, &["UnmuteCall"]));
    let unmuted = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "UnmuteCall"}),
    );
    assert_eq!(
        caps(&calls_for(&unmuted, AGENT1)[0]),
        with(&SET_D, &["MuteCall"])
    );
}

#[test]
fn with_advertise_mute_a_held_call_does_not_list_mute_call_but_the_active_one_does() {
    let mut engine = advertising_mute();
    let first = established(&mut engine, 0);
    let held = call_op(
        &mut engine,
        0,
        AGENT1,
        &first,
        json!({"operationName": "Hold"}),
    );
    assert!(!caps(&calls_for(&held, AGENT1)[0]).contains("MuteCall"));
    let (second, _) = inject(&mut engine, 0, "5002", "5005");
    call_op(
        &mut engine,
        0,
        AGENT1,
        &second,
        json!({"operationName": "Answer"}),
    );
    assert!(!caps_now(&engine, AGENT1, &first).contains("MuteCall"));
    assert_eq!(
        caps_now(&engine, AGENT1, &second),
        with(
            &SET_D,
            &[
                "SwapCalls",
                "CompleteTransfer",
                "CompleteConference",
                "MuteCall"
            ]
        ),
        "set E plus MuteCall"
    );
}

#[test]
fn with_advertise_mute_a_supervisors_monitoring_call_never_lists_mute_call() {
    let mut engine = advertising_mute();
    established(&mut engine, 0);
    let armed = ok(
        &mut engine,
        0,
        device_op(
            SUPERVISOR,
            DEVICE_SUP,
            json!({
                "operationName": "BargeIn",
                "targetDeviceUri": format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE1}"),
            }),
        ),
    );
    let call = &calls_for(&armed, SUPERVISOR)[0];
    assert_eq!(call.state, CallState::Established);
    assert_eq!(call.mute, Some(OnOff::Off), "barging in: not muted");
    assert!(!caps(call).contains("MuteCall"));
}

#[test]
fn without_advertise_mute_the_seed_sets_d_e_and_i_are_unchanged_and_mute_is_still_accepted() {
    let mut engine = engine();
    let first = established(&mut engine, 0);
    assert_eq!(caps_now(&engine, AGENT1, &first), set(&SET_D));
    let muted = call_op(
        &mut engine,
        0,
        AGENT1,
        &first,
        json!({"operationName": "MuteCall"}),
    );
    assert_eq!(
        caps(&calls_for(&muted, AGENT1)[0]),
        with(&SET_D, &["UnmuteCall"])
    );
    call_op(
        &mut engine,
        0,
        AGENT1,
        &first,
        json!({"operationName": "UnmuteCall"}),
    );
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
    assert_eq!(
        caps_now(&engine, AGENT1, &second),
        with(
            &SET_D,
            &["SwapCalls", "CompleteTransfer", "CompleteConference"]
        )
    );
}
