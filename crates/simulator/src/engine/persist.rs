//! The model as data: what `--state-file` writes after every command and reads at start-up,
//! so that a simulator killed and restarted on the same port keeps every call.
//!
//! Why a separate, checked form instead of trusting the file: the engine indexes agents by
//! position and looks up parties it took from its own maps (a miss is an invariant failure,
//! see `unreachable_leg`). A file edited by hand, written by another configuration or
//! truncated must be refused as a whole, never half-loaded into a model that panics later.
//! The derived indexes (call id → party, agent → calls) are not stored: they are rebuilt, so
//! they cannot disagree with the parties.

use super::model::{
    Agent, AgentIndex, Conversation, DISPOSITION_REPORTS, DispositionReport, Leg, MonitoringSetup,
    Party, PartyKind, RECENT_RELEASED_PER_AGENT, ReleasedCall,
};
use super::{ConvId, Engine, EngineConfig, PartyId, ids};
use gws_protocol::UserState;
use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The dynamic state of one agent and their device (their configuration is not stored: it
/// comes from the users of the running configuration, matched by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRecord {
    user_name: String,
    dnd: bool,
    forward_to: Option<String>,
    user_state: UserState,
    logged_in: bool,
    monitoring: Option<MonitoringSetup>,
    idle_since_ms: u64,
    /// Recently released calls (for a disposition after the release). Absent in older files,
    /// and when empty, so a file without any stays as it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    released: Vec<ReleasedCall>,
}

/// The whole call model: agents, conversations, parties with their GWS calls (ids, connIds,
/// creation times for `duration`, user data) and the id counters. Times are on the engine's
/// clock (milliseconds since the simulator's clock started; see `AppState`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistedModel {
    /// The constant part of call ids, kept so ids continue in the same series.
    id_prefix: String,
    /// The connId base, for the same reason.
    conn_id_base: u64,
    agents: Vec<AgentRecord>,
    conversations: BTreeMap<ConvId, Conversation>,
    parties: BTreeMap<PartyId, Party>,
    next_conv: ConvId,
    next_party: PartyId,
    next_call_seq: u64,
    /// Disposition reports of released calls (same compatibility rule as `released`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dispositions: Vec<DispositionReport>,
}

/// Why a stored model cannot be used with this configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The stored users are not the configured ones (another `--config`).
    #[error("the state belongs to other users ({stored} stored, {configured} configured)")]
    OtherUsers {
        /// Stored user names, comma-separated.
        stored: String,
        /// Configured user names, comma-separated.
        configured: String,
    },
    /// The model contradicts itself (edited or damaged file).
    #[error("inconsistent state: {0}")]
    Inconsistent(String),
}

impl Engine {
    /// The model as data (cheap to take: the maps are shared until serialized).
    pub fn persisted(&self) -> PersistedModel {
        PersistedModel {
            id_prefix: self.config.id_prefix.clone(),
            conn_id_base: self.config.conn_id_base,
            agents: self
                .agents
                .iter()
                .map(|a| AgentRecord {
                    user_name: a.spec.user_name.clone(),
                    dnd: a.dnd,
                    forward_to: a.forward_to.clone(),
                    user_state: a.user_state.clone(),
                    logged_in: a.logged_in,
                    monitoring: a.monitoring.clone(),
                    idle_since_ms: a.idle_since_ms,
                    released: a.released.iter().cloned().collect(),
                })
                .collect(),
            conversations: self
                .conversations
                .iter()
                .map(|(id, c)| (*id, Conversation::clone(c)))
                .collect(),
            parties: self
                .parties
                .iter()
                .map(|(id, p)| (*id, Party::clone(p)))
                .collect(),
            next_conv: self.next_conv,
            next_party: self.next_party,
            next_call_seq: self.next_call_seq,
            dispositions: self.dispositions.iter().cloned().collect(),
        }
    }

    /// A model restored from `model` under `config` (whose id prefix and connId base are
    /// replaced by the stored ones). Refused as a whole if the users differ or anything in
    /// it is inconsistent.
    pub fn restore(
        mut config: EngineConfig,
        model: PersistedModel,
    ) -> Result<Engine, RestoreError> {
        let stored: Vec<&str> = model.agents.iter().map(|a| a.user_name.as_str()).collect();
        let configured: Vec<&str> = config.users.iter().map(|u| u.user_name.as_str()).collect();
        if stored != configured {
            return Err(RestoreError::OtherUsers {
                stored: stored.join(","),
                configured: configured.join(","),
            });
        }
        check(&model)?;
        config.id_prefix = model.id_prefix;
        config.conn_id_base = model.conn_id_base;
        let agents: Vector<Arc<Agent>> = config
            .users
            .iter()
            .zip(model.agents)
            .map(|(spec, record)| {
                Arc::new(Agent {
                    spec: spec.clone(),
                    dnd: record.dnd,
                    forward_to: record.forward_to,
                    user_state: record.user_state,
                    logged_in: record.logged_in,
                    monitoring: record.monitoring,
                    idle_since_ms: record.idle_since_ms,
                    released: record.released.into_iter().collect(),
                })
            })
            .collect();
        let mut calls = OrdMap::new();
        let mut agent_calls = OrdMap::new();
        for (&id, party) in &model.parties {
            if let PartyKind::Agent(leg) = &party.kind {
                calls.insert(leg.call_id.clone(), id);
                agent_calls.insert((leg.agent, leg.call_id.clone()), id);
            }
        }
        Ok(Engine {
            index: Arc::new(AgentIndex::new(&config.users)),
            config: Arc::new(config),
            agents,
            conversations: model
                .conversations
                .into_iter()
                .map(|(id, c)| (id, Arc::new(c)))
                .collect(),
            parties: model
                .parties
                .into_iter()
                .map(|(id, p)| (id, Arc::new(p)))
                .collect(),
            calls,
            agent_calls,
            next_conv: model.next_conv,
            next_party: model.next_party,
            next_call_seq: model.next_call_seq,
            dispositions: model.dispositions.into_iter().collect(),
        })
    }
}

/// The sequence number of a call id of the series `prefix` (the inverse of [`ids::call_id`]).
fn call_seq(prefix: &str, call_id: &str) -> Option<u64> {
    const BASE32: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    let digits = call_id.strip_prefix(prefix)?;
    if digits.len() != 6 {
        return None;
    }
    digits
        .chars()
        .try_fold(0u64, |seq, c| BASE32.find(c).map(|d| seq * 32 + d as u64))
}

/// Every reference in the model points at something that exists, once, and the counters are
/// ahead of every id in use (so new ids never collide with restored ones).
fn check(model: &PersistedModel) -> Result<(), RestoreError> {
    let bad = |what: String| Err(RestoreError::Inconsistent(what));
    let agent_count = model.agents.len();
    if model.id_prefix.len() != ids::DEFAULT_PREFIX.len() {
        return bad(format!("call id prefix {:?}", model.id_prefix));
    }
    for agent in &model.agents {
        if let Some(monitoring) = &agent.monitoring
            && monitoring.target_device >= agent_count
        {
            return bad(format!("{} monitors an unknown device", agent.user_name));
        }
    }
    // The memory of released calls and reports is bounded in the model; a file is held to it.
    for agent in &model.agents {
        if agent.released.len() > RECENT_RELEASED_PER_AGENT {
            return bad(format!(
                "{} remembers more than {RECENT_RELEASED_PER_AGENT} released calls",
                agent.user_name
            ));
        }
    }
    if model.dispositions.len() > DISPOSITION_REPORTS {
        return bad(format!(
            "more than {DISPOSITION_REPORTS} disposition reports"
        ));
    }
    let mut call_ids = BTreeSet::new();
    for (&id, party) in &model.parties {
        if id >= model.next_party {
            return bad(format!("party {id} is not below the party counter"));
        }
        let listed = model
            .conversations
            .get(&party.conv)
            .map(|c| c.parties.iter().filter(|&&p| p == id).count());
        if listed != Some(1) {
            return bad(format!(
                "party {id} is not listed once by its conversation {}",
                party.conv
            ));
        }
        if let Some((inviter, _)) = &party.inviter
            && !model.parties.contains_key(inviter)
        {
            // A departed inviter is normal (the busy timer checks it); an id from the future
            // is not.
            if *inviter >= model.next_party {
                return bad(format!("party {id} was invited by unknown party {inviter}"));
            }
        }
        if let PartyKind::Agent(leg) = &party.kind {
            check_leg(model, id, leg, &mut call_ids)?;
        }
    }
    for (&conv, conversation) in &model.conversations {
        if conv >= model.next_conv {
            return bad(format!("conversation {conv} is not below the counter"));
        }
        for party in &conversation.parties {
            if model.parties.get(party).map(|p| p.conv) != Some(conv) {
                return bad(format!(
                    "conversation {conv} lists a party not on it: {party}"
                ));
            }
        }
    }
    Ok(())
}

fn check_leg(
    model: &PersistedModel,
    party: PartyId,
    leg: &Leg,
    call_ids: &mut BTreeSet<String>,
) -> Result<(), RestoreError> {
    let bad = |what: String| Err(RestoreError::Inconsistent(what));
    if leg.agent >= model.agents.len() {
        return bad(format!("party {party} is on an unknown device"));
    }
    if leg.call_id.is_empty() || !call_ids.insert(leg.call_id.clone()) {
        return bad(format!("call id {:?} empty or used twice", leg.call_id));
    }
    if let Some(seq) = call_seq(&model.id_prefix, &leg.call_id)
        && seq >= model.next_call_seq
    {
        return bad(format!(
            "call {} is not below the call counter",
            leg.call_id
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Command;
    use crate::engine::tests::{AGENT1, DEVICE2, dial, engine, fire, inject, ok, op};
    use serde_json::json;

    /// A model with several calls in different states: a held inbound call with user data, a
    /// consult call, a call still ringing on agent2, an agent in NotReady with DND on.
    fn busy_engine() -> Engine {
        let mut engine = engine();
        let (first, _) = inject(&mut engine, 1_000, "5000", "5005");
        ok(
            &mut engine,
            1_500,
            op(AGENT1, &first, json!({"operationName": "Answer"})),
        );
        ok(
            &mut engine,
            2_000,
            op(
                AGENT1,
                &first,
                json!({"operationName": "AttachUserData", "userData": {"Account": "42", "Tier": 3}}),
            ),
        );
        let outcome = ok(
            &mut engine,
            3_000,
            op(
                AGENT1,
                &first,
                json!({"operationName": "InitiateTransfer", "destination": {"phoneNumber": "7000"}}),
            ),
        );
        fire(&mut engine, 3_100, &outcome);
        inject(&mut engine, 4_000, "5002", "5001");
        ok(
            &mut engine,
            4_500,
            Command::AgentState {
                user: "supervisor1".into(),
                request: serde_json::from_value(
                    json!({"operationName": "NotReady", "reasonCode": "Break"}),
                )
                .expect("request"),
            },
        );
        engine
    }

    fn round_trip(engine: &Engine) -> Engine {
        let text = serde_json::to_string(&engine.persisted()).expect("serialized");
        let model: PersistedModel = serde_json::from_str(&text).expect("parsed");
        Engine::restore(crate::engine::tests::config(), model).expect("restored")
    }

    #[test]
    fn a_model_with_several_calls_survives_a_save_and_load_unchanged() {
        let engine = busy_engine();
        assert_eq!(engine.calls.len(), 3, "{:?}", engine.calls);
        let restored = round_trip(&engine);
        assert_eq!(restored.persisted(), engine.persisted());
        assert_eq!(restored.calls, engine.calls);
        assert_eq!(restored.agent_calls, engine.agent_calls);
        let now = 65_000;
        for user in ["agent1", "agent2", "supervisor1"] {
            assert_eq!(
                serde_json::to_value(restored.calls_of(now, user)).expect("json"),
                serde_json::to_value(engine.calls_of(now, user)).expect("json"),
                "{user}"
            );
            assert_eq!(restored.devices_of(user), engine.devices_of(user));
        }
        let calls = engine.calls_of(now, AGENT1);
        assert!(calls.iter().any(|c| c.duration.as_deref() == Some("64")));
        assert!(
            calls
                .iter()
                .any(|c| c.user_data.as_ref().is_some_and(|d| d["Account"] == "42"))
        );
    }

    #[test]
    fn released_calls_and_disposition_reports_survive_a_save_and_load() {
        let mut engine = engine();
        let (id, _) = inject(&mut engine, 1_000, "5000", "5005");
        ok(
            &mut engine,
            1_500,
            op(AGENT1, &id, json!({"operationName": "Answer"})),
        );
        ok(
            &mut engine,
            2_000,
            op(AGENT1, &id, json!({"operationName": "Hangup"})),
        );
        let set = |n: &str| Command::DeviceOperation {
            user: AGENT1.into(),
            device_id: crate::engine::tests::DEVICE1.into(),
            request: serde_json::from_value(
                json!({"operationName": "SetCallDisposition", "callUuid": id, "disposition": n}),
            )
            .expect("request"),
        };
        ok(&mut engine, 3_000, set("Sale"));
        let mut restored = round_trip(&engine);
        assert_eq!(restored.persisted(), engine.persisted());
        assert_eq!(restored.snapshot(0), engine.snapshot(0));
        // Still remembered: a second disposition after the restart is reported too.
        ok(&mut restored, 4_000, set("Callback"));
        assert_eq!(
            restored.snapshot(0)["dispositions"][1]["disposition"],
            "Callback"
        );
        // A file over the bounds is refused.
        let mut model = engine.persisted();
        let report = model.dispositions[0].clone();
        model.dispositions = vec![report; DISPOSITION_REPORTS + 1];
        assert!(matches!(
            Engine::restore(crate::engine::tests::config(), model),
            Err(RestoreError::Inconsistent(_))
        ));
    }

    #[test]
    fn a_restored_model_goes_on_with_new_ids_and_operations_on_old_calls() {
        let engine = busy_engine();
        let mut restored = round_trip(&engine);
        let mut original = engine.clone();
        // The same command gives the same notifications on both: same ids, connIds, states.
        let ringing = restored.calls_of(10_000, "agent2")[0].id.clone();
        let answer = || op("agent2", &ringing, json!({"operationName": "Answer"}));
        assert_eq!(
            ok(&mut restored, 10_000, answer()),
            ok(&mut original, 10_000, answer())
        );
        let (new_restored, _) = inject(&mut restored, 11_000, "5003", "5010");
        let (new_original, _) = inject(&mut original, 11_000, "5003", "5010");
        assert_eq!(new_restored, new_original);
        assert!(engine.calls.get(&new_restored).is_none(), "a fresh id");
        let dialled = ok(&mut restored, 12_000, dial("agent2", DEVICE2, "7001"));
        assert!(!dialled.notifications.is_empty());
    }

    #[test]
    fn another_configurations_users_are_refused() {
        let model = busy_engine().persisted();
        let mut config = crate::engine::tests::config();
        config.users.pop();
        assert!(matches!(
            Engine::restore(config, model),
            Err(RestoreError::OtherUsers { .. })
        ));
    }

    #[test]
    fn dangling_references_and_stale_counters_are_refused() {
        let model = busy_engine().persisted();
        type Edit = Box<dyn Fn(&mut PersistedModel)>;
        let edits: Vec<Edit> = vec![
            Box::new(|m| m.next_party = 1),
            Box::new(|m| m.next_conv = 1),
            Box::new(|m| m.next_call_seq = 1),
            Box::new(|m| {
                m.conversations.clear();
            }),
            Box::new(|m| {
                if let Some(p) = m.parties.values_mut().next() {
                    p.conv = 999;
                }
            }),
            Box::new(|m| {
                for p in m.parties.values_mut() {
                    if let PartyKind::Agent(leg) = &mut p.kind {
                        leg.agent = 7;
                    }
                }
            }),
            Box::new(|m| {
                let ids: Vec<String> = m
                    .parties
                    .values()
                    .filter_map(|p| p.leg().map(|l| l.call_id.clone()))
                    .collect();
                for p in m.parties.values_mut() {
                    if let PartyKind::Agent(leg) = &mut p.kind {
                        leg.call_id = ids[0].clone();
                    }
                }
            }),
            Box::new(|m| m.id_prefix = "short".into()),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut broken = model.clone();
            edit(&mut broken);
            assert!(
                matches!(
                    Engine::restore(crate::engine::tests::config(), broken),
                    Err(RestoreError::Inconsistent(_))
                ),
                "edit {i} accepted"
            );
        }
    }

    #[test]
    fn call_sequence_numbers_are_read_back_from_call_ids() {
        let prefix = ids::DEFAULT_PREFIX;
        for seq in [0, 1, 31, 32, 12_345, 32u64.pow(6) - 1] {
            assert_eq!(call_seq(prefix, &ids::call_id(prefix, seq)), Some(seq));
        }
        assert_eq!(call_seq(prefix, "other"), None);
    }
}
