//! InitiateConference, CompleteConference, SingleStepConference, RemoveParticipantFromConference.

use super::*;

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

#[test]
fn an_agent_still_ringing_is_told_when_a_single_step_conference_adds_a_party() {
    // Found by the call-model walk: agent2 rang into agent1's call (SingleStepConference),
    // then agent1 single-step conferenced 9001 too; agent2's ringing call lists the parties
    // ringing with it, so a re-read showed 9001 while agent2 had not been told.
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let conference = |number: &str| json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": number}});
    let rung = call_op(&mut engine, 0, AGENT1, &id, conference("5001"));
    let theirs = calls_for(&rung, AGENT2)[0].id.clone();
    let added = call_op(&mut engine, 0, AGENT1, &id, conference(reserved::NO_ANSWER));
    let now = told_once(&engine, 0, &added, AGENT2, &theirs);
    assert_eq!(now.state, CallState::Ringing);
    assert!(
        now.participants
            .contains(&Participant::internal(reserved::NO_ANSWER))
    );
    assert!(
        calls_for(&added, AGENT1).is_empty(),
        "agent1's connected call shows 9001 only when it answers"
    );
}

/// agent1 answers 5000, single-step conferences `first`, then agent2 (5001): agent2's call
/// rings with both 5000 and `first` listed. Returns agent1's and agent2's call ids and the
/// outcome of the first conference (its timers).
fn agent2_ringing_with(engine: &mut Engine, first: &str) -> (String, String, Outcome) {
    let id = established(engine, 0);
    let conference = |number: &str| json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": number}});
    let first = call_op(engine, 0, AGENT1, &id, conference(first));
    let rung = call_op(engine, 0, AGENT1, &id, conference("5001"));
    let theirs = calls_for(&rung, AGENT2)[0].id.clone();
    (id, theirs, first)
}

#[test]
fn an_agent_still_ringing_is_told_when_a_party_ringing_with_them_turns_out_busy() {
    // Found by the call-model walk: 9000 rang into the call, agent2 too; when 9000 turned
    // out busy agent2's ringing call no longer listed it on a re-read, but agent2 was not told.
    let mut engine = engine();
    let (_, theirs, first) = agent2_ringing_with(&mut engine, reserved::BUSY);
    let busy = fire(&mut engine, 1000, &first).remove(0);
    let now = told_once(&engine, 1000, &busy, AGENT2, &theirs);
    assert_eq!(
        now.participants,
        vec![Participant::internal("5000"), Participant::internal("5005")]
    );
}

#[test]
fn an_agent_still_ringing_is_told_when_a_party_ringing_with_them_hangs_up() {
    let mut engine = engine();
    let (id, theirs, _) = agent2_ringing_with(&mut engine, reserved::NO_ANSWER);
    let hung_up = ok(
        &mut engine,
        0,
        Command::RemoteHangup {
            call_id: id,
            number: Some(reserved::NO_ANSWER.into()),
        },
    );
    let now = told_once(&engine, 0, &hung_up, AGENT2, &theirs);
    assert_eq!(
        now.participants,
        vec![Participant::internal("5000"), Participant::internal("5005")]
    );
}

#[test]
fn the_call_ends_when_the_last_party_that_answered_hangs_up_while_the_others_still_ring() {
    // Found by the call-model walk: agent2 rang into 5000's call (SingleStepConference), agent1
    // single-step transferred their side to 9001, then 5000 hung up. Nobody left on the call
    // had answered, yet it went on: agent2 answered into it and was Established talking to a
    // phone that still rang. Like a caller abandoning a call that still rings, it ends.
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let rung = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "SingleStepConference", "destination": {"phoneNumber": "5001"}}),
    );
    let theirs = calls_for(&rung, AGENT2)[0].id.clone();
    call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "SingleStepTransfer", "destination": {"phoneNumber": reserved::NO_ANSWER}}),
    );
    let hung_up = ok(
        &mut engine,
        0,
        Command::RemoteHangup {
            call_id: theirs.clone(),
            number: Some("5000".into()),
        },
    );
    assert_eq!(
        states(&calls_for(&hung_up, AGENT2)),
        vec![(theirs, CallState::Released)]
    );
    assert!(engine.calls_of(0, AGENT2).is_empty());
}
