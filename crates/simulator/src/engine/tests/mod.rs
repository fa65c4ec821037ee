//! Engine unit tests: each operation's notifications, errors leave the state untouched.

use super::*;
use gws_protocol::{
    Call, CallNotification, CallState, CallType, Device, OnOff, Participant, StatusCode,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub(crate) const AGENT1: &str = "agent1";
pub(crate) const AGENT2: &str = "agent2";
pub(crate) const DEVICE1: &str = "efe1ab32-53f9-43ce-b65e-5768c61f7d4a";

/// The default configuration with agents logged in to voice (most tests need agents taking
/// calls; the session tests start from [`EngineConfig::default`], logged out).
pub(crate) fn config() -> EngineConfig {
    EngineConfig {
        agents_logged_in: true,
        ..EngineConfig::default()
    }
}

pub(crate) fn engine() -> Engine {
    Engine::new(config())
}

/// The call notifications of an outcome, with their addressee.
pub(crate) fn call_events(outcome: &Outcome) -> Vec<(String, CallNotification)> {
    outcome
        .notifications
        .iter()
        .filter(|n| n.data["messageType"] == "CallStateChangeMessage")
        .map(|n| {
            (
                n.user.clone(),
                serde_json::from_value(n.data.clone()).expect("call notification"),
            )
        })
        .collect()
}

/// The call notifications for one user.
pub(crate) fn calls_for(outcome: &Outcome, user: &str) -> Vec<Call> {
    call_events(outcome)
        .into_iter()
        .filter(|(u, _)| u == user)
        .map(|(_, n)| n.call)
        .collect()
}

/// The one call notification `user` got in `outcome`, checked against their re-read of `call_id`
/// at `now`, which it returns: a notification that disagrees with a re-read leaves a card stale
/// until the next outage, which is what the call-model walk kept finding.
pub(crate) fn told_once(
    engine: &Engine,
    now: u64,
    outcome: &Outcome,
    user: &str,
    call_id: &str,
) -> Call {
    let told = calls_for(outcome, user);
    assert_eq!(told.len(), 1, "{user} is told once");
    let read = engine.call_of(now, user, call_id).expect("the user's call");
    assert_eq!(told[0], read, "what {user} was told is what {user} reads");
    read
}

pub(crate) fn caps(call: &Call) -> BTreeSet<String> {
    call.capabilities
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

pub(crate) fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

pub(crate) fn op(user: &str, call_id: &str, body: Value) -> Command {
    Command::CallOperation {
        user: user.into(),
        call_id: call_id.into(),
        request: serde_json::from_value(body).expect("operation body"),
    }
}

pub(crate) fn inject(engine: &mut Engine, now: u64, from: &str, to: &str) -> (String, Outcome) {
    let outcome = engine
        .handle(
            now,
            Command::InjectCall {
                from: from.into(),
                to: to.into(),
                user_data: None,
            },
        )
        .expect("injected");
    (outcome.call_id.clone().expect("call id"), outcome)
}

pub(crate) const SET_A: [&str; 5] = [
    "Answer",
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "DeleteUserDataPair",
];
pub(crate) const SET_D: [&str; 11] = [
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "DeleteUserDataPair",
    "Hangup",
    "Hold",
    "SendDtmf",
    "InitiateConference",
    "InitiateTransfer",
    "SingleStepConference",
    "SingleStepTransfer",
];

#[test]
fn an_injected_call_rings_the_agent_like_seed_000() {
    let mut engine = engine();
    let (id, outcome) = inject(&mut engine, 0, "5000", "5005");
    let calls = calls_for(&outcome, AGENT1);
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.id, id);
    assert_eq!(call.state, CallState::Ringing);
    assert_eq!(caps(call), set(&SET_A));
    assert_eq!(call.call_type, Some(CallType::Internal));
    assert_eq!(call.participants, vec![Participant::internal("5000")]);
    assert_eq!(call.dnis.as_deref(), Some("5005"));
    assert_eq!(call.duration.as_deref(), Some("0"));
    assert_eq!(call.call_uuid.as_deref(), Some(id.as_str()));
    assert_eq!(call.conn_id.as_deref().map(str::len), Some(16));
    assert_eq!(
        call.device_uri.as_deref(),
        Some(format!("http://127.0.0.1:8080/api/v2/devices/{DEVICE1}").as_str())
    );
    assert_eq!(
        call.uri.as_deref(),
        Some(format!("http://127.0.0.1:8080/api/v2/me/calls/{id}").as_str())
    );
    assert_eq!(call.path.as_deref(), Some(format!("/calls/{id}").as_str()));
    let data = &outcome.notifications[0].data;
    assert_eq!(data["phoneNumber"], "5005");
    assert_eq!(
        data["extensions"],
        json!({"WrapUpTime": 0, "BusinessCall": 0})
    );
    assert_eq!(outcome.notifications[0].channel, "/v2/me/calls");
}

#[test]
fn answer_establishes_the_call_with_set_d_and_duration_in_whole_seconds() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    let outcome = engine
        .handle(5_900, op(AGENT1, &id, json!({"operationName": "Answer"})))
        .expect("answered");
    let calls = calls_for(&outcome, AGENT1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].state, CallState::Established);
    assert_eq!(caps(&calls[0]), set(&SET_D));
    assert_eq!(calls[0].duration.as_deref(), Some("5"));
}

#[test]
fn hangup_releases_with_no_capabilities_and_the_call_is_no_longer_listed() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    engine
        .handle(1000, op(AGENT1, &id, json!({"operationName": "Answer"})))
        .expect("answered");
    let outcome = engine
        .handle(2000, op(AGENT1, &id, json!({"operationName": "Hangup"})))
        .expect("hung up");
    let calls = calls_for(&outcome, AGENT1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].state, CallState::Released);
    assert!(calls[0].capabilities.is_empty());
    assert_eq!(
        calls[0].participants,
        vec![Participant::internal("5000")],
        "released calls keep their parties"
    );
    assert!(engine.calls_of(3000, AGENT1).is_empty());
    assert_eq!(
        engine.handle(3000, op(AGENT1, &id, json!({"operationName": "Hangup"}))),
        Err(EngineError::NotFound(format!("Call {id} not found")))
    );
}

#[test]
fn an_operation_outside_the_capabilities_is_refused_and_changes_nothing() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    let before = engine.calls_of(0, AGENT1);
    let error = engine
        .handle(0, op(AGENT1, &id, json!({"operationName": "Hangup"})))
        .expect_err("refused");
    assert_eq!(error.status_code(), StatusCode::PARAMETER_INVALID);
    assert_eq!(engine.calls_of(0, AGENT1), before);
}

#[test]
fn another_users_call_is_not_found_rather_than_forbidden() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    let error = engine
        .handle(0, op(AGENT2, &id, json!({"operationName": "Answer"})))
        .expect_err("refused");
    assert!(matches!(error, EngineError::NotFound(_)));
    assert!(engine.call_of(0, AGENT2, &id).is_none());
    assert!(engine.call_of(0, AGENT1, &id).is_some());
}

#[test]
fn an_unknown_operation_name_is_invalid() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    let error = engine
        .handle(0, op(AGENT1, &id, json!({"operationName": "Teleport"})))
        .expect_err("refused");
    assert_eq!(error.status_code(), StatusCode::PARAMETER_INVALID);
}

#[test]
fn injecting_to_an_unknown_dn_or_from_an_agent_dn_is_refused() {
    let mut engine = engine();
    let unknown = engine.handle(
        0,
        Command::InjectCall {
            from: "5000".into(),
            to: "4242".into(),
            user_data: None,
        },
    );
    assert!(matches!(unknown, Err(EngineError::NotFound(_))));
    let from_agent = engine.handle(
        0,
        Command::InjectCall {
            from: "5001".into(),
            to: "5005".into(),
            user_data: None,
        },
    );
    assert!(matches!(from_agent, Err(EngineError::Invalid(_))));
    assert!(engine.calls_of(0, AGENT1).is_empty());
}

#[test]
fn injected_user_data_is_on_the_ringing_call() {
    let mut engine = engine();
    let data = json!({"AccountNumber": "12345678"}).as_object().cloned();
    let outcome = engine
        .handle(
            0,
            Command::InjectCall {
                from: "5000".into(),
                to: "5005".into(),
                user_data: data.clone(),
            },
        )
        .expect("injected");
    assert_eq!(calls_for(&outcome, AGENT1)[0].user_data, data);
}

#[test]
fn the_remote_party_hanging_up_releases_the_agent_call() {
    let mut engine = engine();
    let (id, _) = inject(&mut engine, 0, "5000", "5005");
    engine
        .handle(0, op(AGENT1, &id, json!({"operationName": "Answer"})))
        .expect("answered");
    let outcome = engine
        .handle(
            9000,
            Command::RemoteHangup {
                call_id: id.clone(),
                number: None,
            },
        )
        .expect("hung up");
    let calls = calls_for(&outcome, AGENT1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].state, CallState::Released);
    assert_eq!(calls[0].participants, vec![Participant::internal("5000")]);
    assert!(engine.calls_of(9000, AGENT1).is_empty());
}

#[test]
fn reset_releases_every_call_and_restores_the_agents() {
    let mut engine = engine();
    inject(&mut engine, 0, "5000", "5005");
    inject(&mut engine, 0, "5002", "5001");
    let outcome = engine.handle(1000, Command::Reset).expect("reset");
    assert_eq!(calls_for(&outcome, AGENT1)[0].state, CallState::Released);
    assert_eq!(calls_for(&outcome, AGENT2)[0].state, CallState::Released);
    assert!(engine.calls_of(1000, AGENT1).is_empty() && engine.calls_of(1000, AGENT2).is_empty());
    let (id, _) = inject(&mut engine, 2000, "5000", "5005");
    assert!(
        engine.call_of(2000, AGENT1, &id).is_some(),
        "ids keep growing after a reset"
    );
}

#[test]
fn queue_calls_go_to_the_longest_idle_ready_agent() {
    let mut engine = engine();
    let (first, outcome) = inject(&mut engine, 0, "5000", "queue");
    assert_eq!(
        calls_for(&outcome, AGENT1).len(),
        1,
        "agent1 is first in the list"
    );
    let (_, outcome) = inject(&mut engine, 0, "5002", "queue");
    assert_eq!(
        calls_for(&outcome, AGENT2).len(),
        1,
        "agent1 is busy, agent2 gets it"
    );
    let none = engine.handle(
        0,
        Command::InjectCall {
            from: "5003".into(),
            to: "queue".into(),
            user_data: None,
        },
    );
    assert!(
        matches!(none, Err(EngineError::NotFound(_))),
        "the supervisor takes no queue calls"
    );
    let _ = first;
}

#[test]
fn capabilities_are_offered_in_a_stable_order() {
    let mut engine = engine();
    let (a, first) = inject(&mut engine, 0, "5000", "5005");
    let (_, second) = inject(&mut engine, 0, "5002", "5001");
    let names = |o: &Outcome, u: &str| calls_for(o, u)[0].capabilities.clone();
    assert_eq!(names(&first, AGENT1), names(&second, AGENT2));
    let _ = a;
}

mod agent;
mod operations;
mod seeds;
mod session;
mod supervisor;

pub(crate) fn errors_for(outcome: &Outcome, user: &str) -> Vec<Value> {
    outcome
        .notifications
        .iter()
        .filter(|n| n.user == user && n.data["messageType"] == "ErrorMessage")
        .map(|n| n.data.clone())
        .collect()
}

pub(crate) fn devices_for(outcome: &Outcome, user: &str) -> Vec<Device> {
    outcome
        .notifications
        .iter()
        .filter(|n| n.user == user && n.data["messageType"] == "DeviceStateChangeMessage")
        .map(|n| {
            assert_eq!(n.channel, "/v2/me/devices");
            serde_json::from_value::<gws_protocol::DeviceNotification>(n.data.clone())
                .expect("device message")
                .devices[0]
                .clone()
        })
        .collect()
}

/// Runs a command that must succeed.
pub(crate) fn ok(engine: &mut Engine, now: u64, command: Command) -> Outcome {
    engine
        .handle(now, command)
        .unwrap_or_else(|e| panic!("command failed: {e}"))
}

/// An inbound call from 5000 answered by agent1 at `now`.
pub(crate) fn established(engine: &mut Engine, now: u64) -> String {
    let (id, _) = inject(engine, now, "5000", "5005");
    ok(
        engine,
        now,
        op(AGENT1, &id, json!({"operationName": "Answer"})),
    );
    id
}

/// Fires every timer of an outcome (in order) at `now`, collecting the outcomes.
pub(crate) fn fire(engine: &mut Engine, now: u64, outcome: &Outcome) -> Vec<Outcome> {
    outcome
        .timers
        .iter()
        .map(|t| ok(engine, now, Command::Timer(t.event.clone())))
        .collect()
}

/// The id of the only live call of `user` that is not `except`.
pub(crate) fn other_call(engine: &Engine, user: &str, except: &[&str]) -> String {
    let calls: Vec<String> = engine
        .calls_of(0, user)
        .into_iter()
        .map(|c| c.id)
        .filter(|id| !except.contains(&id.as_str()))
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    calls[0].clone()
}

pub(crate) fn device_op(user: &str, device: &str, body: Value) -> Command {
    Command::DeviceOperation {
        user: user.into(),
        device_id: device.into(),
        request: serde_json::from_value(body).expect("operation body"),
    }
}

pub(crate) fn dial(user: &str, device: &str, number: &str) -> Command {
    Command::Dial {
        user: user.into(),
        device_id: device.into(),
        request: serde_json::from_value(
            json!({"operationName": "Dial", "destination": {"phoneNumber": number}}),
        )
        .expect("operation body"),
    }
}

pub(crate) fn voice(user: &str, body: Value) -> Command {
    Command::AgentState {
        user: user.into(),
        request: serde_json::from_value(body).expect("operation body"),
    }
}

pub(crate) const DEVICE2: &str = "9c14cad7-17c4-48d0-8492-7cf0ff92c224";
pub(crate) const DEVICE_SUP: &str = "631608b3-ceb1-472b-ba05-2ae39555b0d1";
pub(crate) const SUPERVISOR: &str = "supervisor1";

#[test]
fn a_command_copies_only_the_parts_of_the_model_it_touches() {
    // Why: every command works on a copy of the model; with thousands of agents and calls the
    // copy must share what the command does not change (bench/RESULTS.md, issue 3).
    let mut engine = engine();
    let (theirs, _) = inject(&mut engine, 0, "5002", "5001");
    let (mine, _) = inject(&mut engine, 0, "5000", "5005");
    let before = engine.clone();
    ok(
        &mut engine,
        0,
        op(AGENT1, &mine, json!({"operationName": "Answer"})),
    );
    let party = |e: &Engine, id: &str| e.parties.get(&e.calls[id]).cloned().expect("party");
    assert!(
        Arc::ptr_eq(&party(&before, &theirs), &party(&engine, &theirs)),
        "agent2's call is shared, not copied"
    );
    assert!(!Arc::ptr_eq(&party(&before, &mine), &party(&engine, &mine)));
    let agent2 = engine.agent_by_user(AGENT2).expect("agent2");
    assert!(Arc::ptr_eq(&before.agents[agent2], &engine.agents[agent2]));
}
