//! Golden fixtures: every CometD message of the seed documents parses and round-trips exactly.

use gws_protocol::notification::NotificationType;
use gws_protocol::{CallState, CallType, Notification, Operation};
use serde_json::Value;

const FIXTURES: &[(&str, &str)] = &[
    (
        "seed000_swapcalls_sample1",
        include_str!("fixtures/seed000_swapcalls_sample1.json"),
    ),
    (
        "seed000_swapcalls_sample2",
        include_str!("fixtures/seed000_swapcalls_sample2.json"),
    ),
    (
        "seed001_initiatetransfer_sample1",
        include_str!("fixtures/seed001_initiatetransfer_sample1.json"),
    ),
    (
        "seed001_initiatetransfer_sample2",
        include_str!("fixtures/seed001_initiatetransfer_sample2.json"),
    ),
    (
        "seed003_switchtolistenin",
        include_str!("fixtures/seed003_switchtolistenin.json"),
    ),
];

fn messages(name: &str) -> Vec<Value> {
    let (_, text) = FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("fixture exists");
    serde_json::from_str(text).expect("fixture is JSON")
}

fn call_notification(message: &Value) -> gws_protocol::CallNotification {
    match Notification::from_data(&message["data"]).expect("parses") {
        Notification::Call(call) => *call,
        other => panic!("expected a call notification, got {other:?}"),
    }
}

#[test]
fn every_seed_message_parses_and_round_trips_exactly() {
    let mut count = 0;
    for (name, _) in FIXTURES {
        for message in messages(name) {
            assert_eq!(message["channel"], "/v2/me/calls", "{name}");
            let parsed = Notification::from_data(&message["data"]).expect("parses");
            assert_eq!(
                parsed.to_data(),
                message["data"],
                "{name}: round trip differs"
            );
            count += 1;
        }
    }
    assert_eq!(count, 18, "all seed messages were checked");
}

#[test]
fn swapcalls_sample2_reads_as_the_documented_sequence() {
    let states: Vec<(String, CallState)> = messages("seed000_swapcalls_sample2")
        .iter()
        .map(call_notification)
        .map(|n| (n.call.id[n.call.id.len() - 1..].to_string(), n.call.state))
        .collect();
    use CallState::*;
    let expected = [
        ("R", Ringing),
        ("R", Established),
        ("R", Held),
        ("S", Dialing),
        ("S", Established),
        ("S", Held),
        ("R", Established),
    ];
    let expected: Vec<(String, CallState)> = expected
        .iter()
        .map(|(id, s)| (id.to_string(), s.clone()))
        .collect();
    assert_eq!(states, expected);
}

#[test]
fn initiate_transfer_consult_names_its_parent() {
    let sample = messages("seed001_initiatetransfer_sample2");
    let consult = call_notification(&sample[3]);
    assert_eq!(consult.call.call_type, Some(CallType::Consult));
    assert_eq!(
        consult.call.parent_call_id(),
        Some("011DJV5JI898NB2L04000VTAES000005")
    );
    assert!(consult.call.can(&Operation::CompleteTransfer));
    assert_eq!(consult.notification_type, NotificationType::StatusChange);
    let released = call_notification(&sample[4]);
    assert!(released.call.capabilities.is_empty());
    assert_eq!(released.call.duration_secs(), 48);
}

#[test]
fn switch_to_listen_in_is_muted_with_barge_in_offered() {
    let n = call_notification(&messages("seed003_switchtolistenin")[0]);
    assert!(n.call.is_muted());
    assert!(n.call.can(&Operation::SwitchToBargeIn));
    assert!(!n.call.can(&Operation::SwitchToCoach));
    assert_eq!(n.call.participants.len(), 2);
}
