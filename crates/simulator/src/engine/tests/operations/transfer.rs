//! InitiateTransfer, CompleteTransfer, SingleStepTransfer.

use super::*;

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

/// Found by the widget's random walk (tests/random_walk_e2e.rs): a consult started from a call
/// the agent had already held sent nothing about that call, so the agent's control stayed
/// pending (it waits for a notification of the call it acted on) until it timed out.
#[test]
fn a_consult_from_a_held_call_reports_the_held_call_first() {
    for operation in ["InitiateTransfer", "InitiateConference"] {
        let mut engine = engine();
        let id = established(&mut engine, 0);
        call_op(
            &mut engine,
            0,
            AGENT1,
            &id,
            json!({"operationName": "Hold"}),
        );
        let body = json!({"operationName": operation, "destination": {"phoneNumber": "5001"}});
        let initiated = call_op(&mut engine, 0, AGENT1, &id, body);
        let calls = calls_for(&initiated, AGENT1);
        assert_eq!(
            calls
                .iter()
                .map(|c| (c.id == id, c.state.clone()))
                .collect::<Vec<_>>(),
            vec![(true, CallState::Held), (false, CallState::Dialing)],
            "{operation}: this call first, then the consult"
        );
    }
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

/// How many of `user`'s calls are in `state`.
fn in_state(engine: &Engine, user: &str, state: CallState) -> usize {
    engine
        .calls_of(0, user)
        .iter()
        .filter(|c| c.state == state)
        .count()
}

/// An engine whose phones answer after 500 ms, agent1 on an established call (its id returned),
/// and a conference consultation from it to `destination` still ringing out (its outcome, whose
/// timers answer it).
fn consulting_from_a_call(destination: &str) -> (Engine, String, Outcome) {
    let mut engine = Engine::new(EngineConfig {
        answer_delay_ms: 500,
        ..crate::engine::tests::config()
    });
    let original = established(&mut engine, 0);
    let first = call_op(
        &mut engine,
        0,
        AGENT1,
        &original,
        json!({"operationName": "InitiateConference", "destination": {"phoneNumber": destination}}),
    );
    (engine, original, first)
}

#[test]
fn a_second_consultation_from_the_held_call_holds_the_first_one_still_ringing_out() {
    // Found by the call-model walk: InitiateConference is offered on the held call (set F); a
    // second one while the first consultation still rang out left that one Dialing, and when
    // both phones answered the device talked on two calls at once.
    let (mut engine, original, first) = consulting_from_a_call("7000");
    let second = call_op(
        &mut engine,
        0,
        AGENT1,
        &original,
        json!({"operationName": "InitiateConference", "destination": {"phoneNumber": "7001"}}),
    );
    let first_consult = calls_for(&first, AGENT1)
        .into_iter()
        .find(|c| c.state == CallState::Dialing)
        .expect("the first consultation")
        .id;
    assert_eq!(
        calls_for(&second, AGENT1)
            .into_iter()
            .map(|c| (c.id == original, c.id == first_consult, c.state))
            .collect::<Vec<_>>(),
        vec![
            (true, false, CallState::Held),
            (false, true, CallState::Held),
            (false, false, CallState::Dialing)
        ],
        "the held call the agent acted on, the first consultation held, then the second one dials"
    );
    fire(&mut engine, 500, &first);
    fire(&mut engine, 500, &second);
    assert_eq!(in_state(&engine, AGENT1, CallState::Established), 1);
    assert_eq!(in_state(&engine, AGENT1, CallState::Held), 2);
}

#[test]
fn a_call_held_while_ringing_out_is_retrieved_into_dialing_until_answered() {
    // The first consultation, held before its destination answered, goes back to ringing out
    // when retrieved: Established would claim a conversation nobody has answered yet.
    let (mut engine, original, first) = consulting_from_a_call("9001");
    call_op(
        &mut engine,
        0,
        AGENT1,
        &original,
        json!({"operationName": "InitiateConference", "destination": {"phoneNumber": "7001"}}),
    );
    let held_consult = calls_for(&first, AGENT1)[1].id.clone();
    let retrieved = call_op(
        &mut engine,
        0,
        AGENT1,
        &held_consult,
        json!({"operationName": "Retrieve"}),
    );
    let last = calls_for(&retrieved, AGENT1)
        .pop()
        .expect("the retrieved call");
    assert_eq!((last.id, last.state), (held_consult, CallState::Dialing));
}

#[test]
fn a_single_step_operation_to_an_agent_already_on_the_call_errors_and_changes_nothing() {
    // Found by the call-model walk: agent2 consults agent1, who single-step transferred the
    // consultation back to agent2 — agent2's consult leg stayed Established, talking to
    // agent2's own phone ringing on the same call.
    let mut engine = engine();
    let (original, _) = inject(&mut engine, 0, "5000", "5001");
    call_op(
        &mut engine,
        0,
        AGENT2,
        &original,
        json!({"operationName": "Answer"}),
    );
    let consulted = call_op(
        &mut engine,
        0,
        AGENT2,
        &original,
        json!({"operationName": "InitiateConference", "destination": {"phoneNumber": "5005"}}),
    );
    let agent1s = calls_for(&consulted, AGENT1)[0].id.clone();
    call_op(
        &mut engine,
        0,
        AGENT1,
        &agent1s,
        json!({"operationName": "Answer"}),
    );
    for operation in ["SingleStepTransfer", "SingleStepConference"] {
        let (snapshot, persisted) = (engine.snapshot(0), engine.persisted());
        let outcome = call_op(
            &mut engine,
            0,
            AGENT1,
            &agent1s,
            json!({"operationName": operation, "destination": {"phoneNumber": "5001"}}),
        );
        let errors = errors_for(&outcome, AGENT1);
        assert_eq!(errors.len(), 1, "{operation}: {:?}", outcome.notifications);
        assert_eq!(errors[0]["errorCode"], 57, "{operation}");
        assert!(call_events(&outcome).is_empty(), "{operation}");
        assert_eq!(engine.snapshot(0), snapshot, "{operation}");
        assert_eq!(engine.persisted(), persisted, "{operation}");
    }
}

#[test]
fn an_agent_still_ringing_is_told_when_a_single_step_transfer_changes_who_calls() {
    // Found by the call-model walk: agent1 rings agent2, holds that call (dialing 7000
    // instead) and single-step transfers it to 7002; agent2's ringing call now listed 7002
    // as its caller on a re-read, but agent2 was not told and still showed 5005.
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let mine = dialled.call_id.clone().expect("id");
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    ok(&mut engine, 0, dial(AGENT1, DEVICE1, "7000"));
    let transferred = call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": "7002"}}),
    );
    let now = told_once(&engine, 0, &transferred, AGENT2, &theirs);
    assert_eq!(now.state, CallState::Ringing);
    assert_eq!(now.participants, vec![Participant::internal("7002")]);
}
