//! The model: conversations, parties, agent legs and the agents' dynamic state, with the
//! primitives that keep its invariants.
//!
//! A *conversation* is one physical call (T-Server call) joining *parties*. A party is either a
//! simulated phone (just a number) or an agent device; an agent party carries a [`Leg`], the
//! GWS call resource that agent sees (`/api/v2/me/calls/{id}`). Transfers and conferences move
//! parties between conversations.
//!
//! Invariants (checked again by `persist` on a restored model): every party is listed once by
//! its conversation; the call index (call id → party) and the per-agent index list exactly the
//! agent legs. Parties are added, moved and forgotten through [`build`], which keeps the
//! indexes in step; that is why command files call it instead of writing the maps (only
//! `reset.rs` empties them all at once).
//!
//! Layout:
//! - this file: the types and [`Engine`] itself.
//! - [`lookup`]: read access (by user, DN, device, call id; parties of a conversation, …).
//! - [`build`]: adding, moving and forgetting parties and conversations.
//! - [`routing`]: where a dialled number goes and how the destination rings.

pub(super) mod build;
pub(super) mod lookup;
pub(super) mod routing;

use super::api::{ConvId, PartyId};
use super::capabilities::{MonitorMode, Recording};
use super::config::{EngineConfig, UserSpec};
use gws_protocol::{CallState, CallType, Operation, UserState};
use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Supervisor monitoring armed on a supervisor's device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MonitoringSetup {
    pub(in crate::engine) mode: MonitorMode,
    pub(in crate::engine) target_device: usize,
    /// `AllCalls` (stays armed) or `NextCall` (cancelled after one call).
    pub(in crate::engine) all_calls: bool,
    pub(in crate::engine) scope: String,
    /// The conversation the supervisor was brought into; not re-joined after leaving it.
    pub(in crate::engine) joined: Option<ConvId>,
}

/// Dynamic state of one agent and their device.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    pub(in crate::engine) spec: UserSpec,
    pub(in crate::engine) dnd: bool,
    pub(in crate::engine) forward_to: Option<String>,
    pub(in crate::engine) user_state: UserState,
    pub(in crate::engine) logged_in: bool,
    pub(in crate::engine) monitoring: Option<MonitoringSetup>,
    /// When the agent last became idle; queue routing picks the longest idle.
    pub(in crate::engine) idle_since_ms: u64,
    /// The agent's last [`RECENT_RELEASED_PER_AGENT`] released calls, oldest first.
    pub(in crate::engine) released: Vector<ReleasedCall>,
}

/// How many released calls each agent's device remembers.
///
/// Why remember any: a released call is no longer a resource (`/api/v2/me/calls/{id}` is 404),
/// yet the agent's wrap-up disposition usually comes after the customer hung up; GWS takes it on
/// the device (`SetCallDisposition` with `callUuid`/`callUri`, gws-api.md §4.1, §5.2) and
/// sends it to reporting. Why a bound: a disposition comes during wrap-up, minutes after the
/// call, not days; 20 covers any plausible backlog while keeping an agent's memory constant.
pub const RECENT_RELEASED_PER_AGENT: usize = 20;

/// How many disposition reports of released calls the simulator keeps (the newest), shown by
/// `GET /sim/state` as `dispositions`.
pub const DISPOSITION_REPORTS: usize = 100;

/// A call of one agent, released: what a disposition set after the release names and reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReleasedCall {
    /// The call id, which is also its `callUuid` in this simulator.
    pub(in crate::engine) call_id: String,
    pub(in crate::engine) conn_id: String,
    pub(in crate::engine) released_ms: u64,
}

/// A disposition set on a released call: what GWS sends to reporting (T-Server
/// `EventUserEvent`) instead of a notification. Kept so that tests and the demo console can see
/// it in `GET /sim/state` (`dispositions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DispositionReport {
    pub(in crate::engine) user_name: String,
    pub(in crate::engine) call_id: String,
    pub(in crate::engine) call_uuid: String,
    pub(in crate::engine) conn_id: String,
    pub(in crate::engine) key: String,
    pub(in crate::engine) disposition: String,
    /// On the engine's clock (milliseconds), like every other time in the model.
    pub(in crate::engine) time_ms: u64,
}

/// The GWS call resource one agent sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Leg {
    pub(in crate::engine) call_id: String,
    pub(in crate::engine) conn_id: String,
    /// Index into `Engine::agents`.
    pub(in crate::engine) agent: usize,
    pub(in crate::engine) call_type: CallType,
    pub(in crate::engine) parent: Option<String>,
    pub(in crate::engine) dnis: String,
    pub(in crate::engine) created_ms: u64,
    pub(in crate::engine) mute: bool,
    pub(in crate::engine) monitored_user_muted: bool,
    pub(in crate::engine) recording: Recording,
    pub(in crate::engine) conference_owner: bool,
    pub(in crate::engine) monitor: Option<MonitorLeg>,
}

/// The supervisor's side of a monitored call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MonitorLeg {
    pub(in crate::engine) mode: MonitorMode,
    /// Once Coach has been left it cannot be re-entered (seed 003).
    pub(in crate::engine) coach_left: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum PartyKind {
    Phone,
    Agent(Box<Leg>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Party {
    pub(in crate::engine) conv: ConvId,
    pub(in crate::engine) number: String,
    pub(in crate::engine) state: CallState,
    pub(in crate::engine) kind: PartyKind,
    /// A phone destination that is busy: answers with busy instead of picking up.
    pub(in crate::engine) busy: bool,
    /// The agent party that dialled this one and with which operation (it receives the
    /// `ErrorMessage` if the destination is busy).
    pub(in crate::engine) inviter: Option<(PartyId, Operation)>,
}

impl Party {
    pub(crate) fn leg(&self) -> Option<&Leg> {
        match &self.kind {
            PartyKind::Agent(leg) => Some(leg),
            PartyKind::Phone => None,
        }
    }

    /// Whether this party is a supervisor's monitoring leg.
    pub(crate) fn is_monitor(&self) -> bool {
        self.leg().is_some_and(|leg| leg.monitor.is_some())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Conversation {
    pub(in crate::engine) parties: Vec<PartyId>,
    pub(in crate::engine) user_data: Option<Map<String, Value>>,
}

/// The simulator's call model.
///
/// Why persistent maps (`imbl`) of `Arc`s: [`Engine::handle`] works on a copy so that a
/// refused or panicking command leaves the model untouched, and compares the copy with the
/// original to find calls whose capabilities changed. With plain maps both cost the size of
/// the whole contact center on every command (measured: ~20 ms per command with 1 000 agents,
/// `bench/RESULTS.md`); with structural sharing the copy is O(1), a change copies one path, and
/// `OrdMap::diff` skips the shared parts, so a command costs what it touches.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(in crate::engine) config: Arc<EngineConfig>,
    /// Users, DNs and devices by name: fixed at start, shared by every copy.
    pub(in crate::engine) index: Arc<AgentIndex>,
    pub(in crate::engine) agents: Vector<Arc<Agent>>,
    pub(in crate::engine) conversations: OrdMap<ConvId, Arc<Conversation>>,
    pub(in crate::engine) parties: OrdMap<PartyId, Arc<Party>>,
    /// Call id → agent party.
    pub(in crate::engine) calls: OrdMap<String, PartyId>,
    /// (agent, call id) → party: each agent's live calls in call-id order, so that a call's
    /// siblings are found without scanning every call.
    pub(in crate::engine) agent_calls: OrdMap<(usize, String), PartyId>,
    pub(in crate::engine) next_conv: ConvId,
    pub(in crate::engine) next_party: PartyId,
    pub(in crate::engine) next_call_seq: u64,
    /// Dispositions sent to reporting, oldest first, at most [`DISPOSITION_REPORTS`].
    pub(in crate::engine) dispositions: Vector<DispositionReport>,
}

/// Agent indexes by user name, DN and device id (the first agent wins on duplicates, as a
/// linear search would).
#[derive(Debug, Default)]
pub(crate) struct AgentIndex {
    pub(in crate::engine) by_user: HashMap<String, usize>,
    pub(in crate::engine) by_dn: HashMap<String, usize>,
    pub(in crate::engine) by_device: HashMap<String, usize>,
    /// Places by name: each user's default place owns their device.
    pub(in crate::engine) by_place: HashMap<String, usize>,
    /// Agents with the supervisor role, ascending: only they can arm monitoring.
    pub(in crate::engine) supervisors: Vec<usize>,
}

impl AgentIndex {
    pub(crate) fn new(users: &[UserSpec]) -> Self {
        let mut index = AgentIndex::default();
        for (i, user) in users.iter().enumerate() {
            index.by_user.entry(user.user_name.clone()).or_insert(i);
            index.by_dn.entry(user.dn.clone()).or_insert(i);
            index.by_device.entry(user.device_id.clone()).or_insert(i);
            index.by_place.entry(user.place_name()).or_insert(i);
            if user.is_supervisor() {
                index.supervisors.push(i);
            }
        }
        index
    }
}

/// Legs are looked up only by party ids the engine took from its own maps, so a miss is a bug
/// in the engine. Panicking is contained: [`Engine::handle`] works on a copy, so the committed
/// model stays consistent, and the server recovers the lock from poisoning.
#[track_caller]
pub(crate) fn unreachable_leg(party: PartyId) -> ! {
    panic!("engine invariant broken: party {party} is not an agent leg")
}
