//! Seed replays: the engine driven through the seed scenarios produces, for the seed's agent,
//! exactly the seed's notifications — same order, state, capability set, callType,
//! parentCallUri, participants, dnis, duration and envelope.

use super::*;
use std::collections::HashMap;

const SEED000_S2: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../protocol/tests/fixtures/seed000_swapcalls_sample2.json"
));
const SEED001_S2: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../protocol/tests/fixtures/seed001_initiatetransfer_sample2.json"
));
const SEED003: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../protocol/tests/fixtures/seed003_switchtolistenin.json"
));

fn seed(text: &str) -> Vec<Value> {
    serde_json::from_str(text).expect("fixture")
}

/// Compares our messages for one user with the seed's, mapping seed call ids to ours.
struct Replay {
    seed: Vec<Value>,
    seen: Vec<Addressed>,
    ids: HashMap<String, String>,
}

impl Replay {
    fn new(text: &str) -> Self {
        Replay {
            seed: seed(text),
            seen: Vec::new(),
            ids: HashMap::new(),
        }
    }

    fn record(&mut self, user: &str, outcome: &Outcome) {
        self.seen.extend(
            outcome
                .notifications
                .iter()
                .filter(|n| n.user == user)
                .cloned(),
        );
    }

    fn our_id(&mut self, seed_id: &str, ours: &str) -> String {
        self.ids
            .entry(seed_id.to_string())
            .or_insert_with(|| ours.to_string())
            .clone()
    }

    fn check(mut self) {
        assert_eq!(
            self.seen.len(),
            self.seed.len(),
            "number of notifications: {:#?}",
            self.seen
        );
        let seed = std::mem::take(&mut self.seed);
        let seen = std::mem::take(&mut self.seen);
        for (index, (actual, expected)) in seen.iter().zip(&seed).enumerate() {
            let at = format!("message #{}", index + 1);
            assert_eq!(actual.channel, expected["channel"], "{at}: channel");
            let (a, e) = (&actual.data, &expected["data"]);
            for key in [
                "messageType",
                "notificationType",
                "phoneNumber",
                "extensions",
            ] {
                assert_eq!(a[key], e[key], "{at}: data.{key}");
            }
            let (ac, ec) = (&a["call"], &e["call"]);
            for key in [
                "state",
                "callType",
                "participants",
                "dnis",
                "duration",
                "mute",
                "supervisorListeningIn",
                "monitoredUserMuted",
                "userData",
            ] {
                assert_eq!(ac[key], ec[key], "{at}: call.{key}");
            }
            let set = |call: &Value| -> BTreeSet<String> {
                call["capabilities"]
                    .as_array()
                    .expect("caps")
                    .iter()
                    .map(|c| c.to_string())
                    .collect()
            };
            assert_eq!(set(ac), set(ec), "{at}: capability set");
            let our = ac["id"].as_str().expect("id");
            let mapped = self.our_id(ec["id"].as_str().expect("seed id"), our);
            assert_eq!(
                our, mapped,
                "{at}: the same seed call is the same call here"
            );
            assert_eq!(ac["callUuid"], our);
            let conn = ac["connId"].as_str().expect("connId");
            assert!(
                conn.len() == 16 && conn.chars().all(|c| c.is_ascii_hexdigit()),
                "{at}: connId {conn}"
            );
            let device_tail = |call: &Value| {
                call["deviceUri"]
                    .as_str()
                    .and_then(|u| u.split("/api/").nth(1))
                    .map(str::to_string)
            };
            assert_eq!(device_tail(ac), device_tail(ec), "{at}: deviceUri");
            match ec.get("parentCallUri").and_then(Value::as_str) {
                None => assert!(ac.get("parentCallUri").is_none(), "{at}: no parentCallUri"),
                Some(parent) => {
                    let seed_parent = gws_protocol::call::trailing_id(parent).expect("parent id");
                    let our_parent = self
                        .ids
                        .get(seed_parent)
                        .expect("parent seen before")
                        .clone();
                    assert_eq!(
                        ac["parentCallUri"],
                        format!("http://127.0.0.1:8080/api/v2/me/calls/{our_parent}"),
                        "{at}"
                    );
                }
            }
        }
    }
}

fn config_without_agent2() -> EngineConfig {
    let mut config = super::config();
    config.users.retain(|u| u.user_name != AGENT2);
    config
}

/// Seed 000 sample 2 (SwapCalls): R rings, is answered, held; S is dialled, answered; swap.
fn replay_swap_calls(five_thousand_one_is_an_agent: bool) {
    let mut engine = Engine::new(if five_thousand_one_is_an_agent {
        super::config()
    } else {
        config_without_agent2()
    });
    let mut replay = Replay::new(SEED000_S2);
    let (r, outcome) = inject(&mut engine, 0, "5000", "5005");
    replay.record(AGENT1, &outcome);
    replay.record(
        AGENT1,
        &ok(
            &mut engine,
            5_000,
            op(AGENT1, &r, json!({"operationName": "Answer"})),
        ),
    );
    replay.record(
        AGENT1,
        &ok(
            &mut engine,
            10_000,
            op(AGENT1, &r, json!({"operationName": "Hold"})),
        ),
    );
    let dialled = ok(&mut engine, 19_000, dial(AGENT1, DEVICE1, "5001"));
    replay.record(AGENT1, &dialled);
    let s = dialled.call_id.clone().expect("dialled call");
    if five_thousand_one_is_an_agent {
        let ringing = calls_for(&dialled, AGENT2);
        assert_eq!(ringing.len(), 1, "agent2 rings");
        assert_eq!(ringing[0].participants, vec![Participant::internal("5005")]);
        replay.record(
            AGENT1,
            &ok(
                &mut engine,
                29_000,
                op(AGENT2, &ringing[0].id, json!({"operationName": "Answer"})),
            ),
        );
    } else {
        assert_eq!(dialled.timers.len(), 1, "the phone will answer");
        for outcome in fire(&mut engine, 29_000, &dialled) {
            replay.record(AGENT1, &outcome);
        }
    }
    let swap = json!({"operationName": "SwapCalls", "otherCallUri": format!("http://localhost:8080/api/v2/me/calls/{r}")});
    replay.record(AGENT1, &ok(&mut engine, 60_000, op(AGENT1, &s, swap)));
    replay.check();
}

#[test]
fn seed_000_swap_calls_sample_2_replays_exactly_with_an_agent_at_5001() {
    replay_swap_calls(true);
}

#[test]
fn seed_000_swap_calls_sample_2_replays_exactly_with_a_simulated_phone_at_5001() {
    replay_swap_calls(false);
}

/// Seed 001 sample 2 (InitiateTransfer): P0 rings, is answered, consult to 5001, complete on
/// the consult while it still dials.
fn replay_initiate_transfer(five_thousand_one_is_an_agent: bool) {
    let mut engine = Engine::new(if five_thousand_one_is_an_agent {
        super::config()
    } else {
        config_without_agent2()
    });
    let mut replay = Replay::new(SEED001_S2);
    let (p0, outcome) = inject(&mut engine, 0, "5000", "5005");
    replay.record(AGENT1, &outcome);
    replay.record(
        AGENT1,
        &ok(
            &mut engine,
            10_000,
            op(AGENT1, &p0, json!({"operationName": "Answer"})),
        ),
    );
    let initiate =
        json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "5001"}});
    let initiated = ok(&mut engine, 36_000, op(AGENT1, &p0, initiate));
    replay.record(AGENT1, &initiated);
    let consult = other_call(&engine, AGENT1, &[&p0]);
    let completed = ok(
        &mut engine,
        48_000,
        op(
            AGENT1,
            &consult,
            json!({"operationName": "CompleteTransfer"}),
        ),
    );
    replay.record(AGENT1, &completed);
    replay.check();
    if five_thousand_one_is_an_agent {
        let ringing = calls_for(&initiated, AGENT2);
        assert_eq!(ringing[0].call_type, Some(CallType::Consult));
        assert_eq!(
            ringing[0].parent_call_uri, None,
            "only the initiator's consult names a parent"
        );
        let updated = calls_for(&completed, AGENT2);
        assert_eq!(updated.len(), 1);
        assert_eq!(
            updated[0].state,
            CallState::Ringing,
            "the transfer completed before 5001 answered"
        );
        assert_eq!(
            updated[0].participants,
            vec![Participant::internal("5000")],
            "5001 now rings with the customer"
        );
    }
    assert!(engine.calls_of(48_000, AGENT1).is_empty());
}

#[test]
fn seed_001_initiate_transfer_sample_2_replays_exactly_with_an_agent_at_5001() {
    replay_initiate_transfer(true);
}

#[test]
fn seed_001_initiate_transfer_sample_2_replays_exactly_with_a_simulated_phone_at_5001() {
    replay_initiate_transfer(false);
}

#[test]
fn seed_003_switch_to_listen_in_after_coach_replays_exactly() {
    // Seed 003: the supervisor is on DN 5005 (device efe1ab32…) monitoring the agent on 5001.
    let mut config = super::config();
    config.users.retain(|u| u.user_name != AGENT1);
    for user in &mut config.users {
        if user.user_name == SUPERVISOR {
            user.dn = "5005".into();
            user.device_id = DEVICE1.into();
        }
    }
    let mut engine = Engine::new(config);
    let (call, _) = inject(&mut engine, 0, "5000", "5001");
    ok(
        &mut engine,
        0,
        op(AGENT2, &call, json!({"operationName": "Answer"})),
    );
    let target = format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE2}");
    let armed = ok(
        &mut engine,
        0,
        device_op(
            SUPERVISOR,
            DEVICE1,
            json!({"operationName": "Coach", "targetDeviceUri": target}),
        ),
    );
    let joined = calls_for(&armed, SUPERVISOR);
    assert_eq!(joined.len(), 1, "the supervisor joins the established call");
    assert!(
        caps(&joined[0]).contains("SwitchToListenIn")
            && caps(&joined[0]).contains("SwitchToBargeIn")
    );
    let mut replay = Replay::new(SEED003);
    replay.record(
        SUPERVISOR,
        &ok(
            &mut engine,
            75_000,
            op(
                SUPERVISOR,
                &joined[0].id,
                json!({"operationName": "SwitchToListenIn"}),
            ),
        ),
    );
    replay.check();
}
