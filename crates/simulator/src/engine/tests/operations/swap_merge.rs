//! SwapCalls and MergeWithOtherCall.

use super::*;

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

#[test]
fn merge_is_refused_while_the_active_call_is_still_dialing() {
    // Found by the call-model walk: agent1 dialled agent2 twice (the first call held while
    // still ringing out) and merged the two: agent1's call became Established in a conference
    // where nobody had answered. CompleteConference is refused there too.
    let mut engine = engine();
    let first = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"))
        .call_id
        .expect("id");
    let second = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"))
        .call_id
        .expect("id");
    for (on, other) in [(&first, &second), (&second, &first)] {
        let body = json!({
            "operationName": "MergeWithOtherCall",
            "otherCallUri": format!("http://127.0.0.1:8080/api/v2/me/calls/{other}"),
        });
        assert!(matches!(
            refused(&mut engine, AGENT1, on, body),
            EngineError::Invalid(_)
        ));
    }
}
