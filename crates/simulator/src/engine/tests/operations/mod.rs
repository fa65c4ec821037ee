//! One test (or more) per call operation: the happy path and each error.
//!
//! One file per operation family, as in the engine; the helpers here are shared by all.

mod advertise_mute;
mod conference;
mod dial;
mod hold_dtmf_mute;
mod recording;
mod refresh;
mod swap_merge;
mod transfer;
mod user_data;

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
