//! Capability refresh: a call whose capabilities change as a side effect is notified.

use super::*;

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
