//! `--advertise-mute`: MuteCall listed exactly where it is accepted.

use super::*;

fn advertising_mute() -> Engine {
    Engine::new(EngineConfig {
        advertise_mute: true,
        ..crate::engine::tests::config()
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
