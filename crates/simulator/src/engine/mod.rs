//! The call model: a pure state machine from commands to notifications.
//!
//! Why pure: the seeds fix the exact sequence of notifications an operation causes, and the only
//! way to check that cheaply is to run the model without sockets or clocks. The caller supplies
//! `now_ms`; the engine returns what to publish (each notification addressed to a user) and which
//! timers to schedule ("the simulated phone answers in 1000 ms"). The server owns the real clock
//! and the CometD fan-out.
//!
//! Model: a *conversation* is one physical call (T-Server call) joining *parties*. A party is
//! either a simulated phone (just a number) or an agent device; an agent party carries a [`Leg`],
//! the GWS call resource that agent sees (`/api/v2/me/calls/{id}`). Transfers and conferences
//! move parties between conversations; a conversation with fewer than two talking parties ends.
//!
//! Layout:
//! - `mod.rs`: the model types, [`Engine`], [`Command`], [`Outcome`], rendering of calls/devices.
//! - [`capabilities`]: capability sets from call state and context (gws-api.md §10.1).
//! - [`ids`]: callUuid-style ids and 16-hex connIds.
//! - `inject.rs`: calls from simulated phones (`/sim/calls`), remote hang-ups, queue routing.
//! - `answer_hangup.rs`: Answer, Hangup, remote answer/busy timers, releasing parties.
//! - `dial.rs`, `hold.rs`, `transfer.rs`, `conference.rs`, `swap_merge.rs`, `dtmf_mute.rs`,
//!   `user_data.rs`, `supervisor.rs`, `recording.rs`: one file per call-operation family.
//! - `agent.rs`: agent state, device operations, contact-center session.

pub mod capabilities;
pub mod ids;
pub mod persist;

mod agent;
mod answer_hangup;
mod conference;
mod dial;
mod dtmf_mute;
mod hold;
mod inject;
mod recording;
mod supervisor;
mod swap_merge;
mod transfer;
mod user_data;

use gws_protocol::api::{AgentStateSetting, OperationRequest};
use gws_protocol::notification::NotificationType;
use gws_protocol::{
    CALLS_CHANNEL, Call, CallNotification, CallState, CallType, DEVICES_CHANNEL, Device,
    ErrorNotification, Notification, OnOff, Operation, Participant, StatusCode, UserState,
};
use imbl::{OrdMap, Vector};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub use capabilities::{CallContext, MonitorMode, Recording};

/// Identifies a party across conversations (parties move on transfer/conference).
pub type PartyId = u64;
/// Identifies a conversation (one physical call).
pub type ConvId = u64;

/// T-Server-style error codes carried by asynchronous `ErrorMessage` notifications.
pub mod error_codes {
    /// The destination is busy (reserved number, or an agent in do-not-disturb).
    pub const BUSY: i64 = 56;
    /// The destination is not a valid number.
    pub const INVALID_DESTINATION: i64 = 57;
    /// The operation is not supported on this kind of call (e.g. a supervisor's monitoring call).
    pub const NOT_SUPPORTED: i64 = 58;
}

/// Reserved numbers with scripted behaviour, documented in the crate README.
pub mod reserved {
    /// Always busy: the dialled leg is released and an `ErrorMessage` (code 56) is published.
    pub const BUSY: &str = "9000";
    /// Rings forever; nobody answers.
    pub const NO_ANSWER: &str = "9001";
    /// Not a valid destination: an `ErrorMessage` (code 57), nothing is dialled.
    pub const INVALID: &str = "9002";
}

/// One configured user with their single device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSpec {
    /// Login name (also the Basic-auth user).
    pub user_name: String,
    /// Basic-auth password.
    pub password: String,
    /// User id (the `id` of `GET /api/v2/me`).
    pub id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// `ROLE_AGENT`, `ROLE_SUPERVISOR`…
    pub roles: Vec<String>,
    /// The device's DN.
    pub dn: String,
    /// The device's UUID.
    pub device_id: String,
    /// Agent state at start-up and after `/sim/reset`: `Ready` (default) or `NotReady`.
    #[serde(default)]
    pub initial_state: Option<String>,
}

impl UserSpec {
    fn is_supervisor(&self) -> bool {
        self.roles.iter().any(|role| role == "ROLE_SUPERVISOR")
    }
}

/// The engine's configuration: users, agent states, the public base URL and id seeds.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Base used in every `uri` field, e.g. `http://127.0.0.1:8080` (no trailing slash).
    pub external_url: String,
    /// How long a simulated phone takes to answer (or to report busy).
    pub answer_delay_ms: u64,
    /// The users and their devices.
    pub users: Vec<UserSpec>,
    /// Configured agent states, including NotReady reason codes.
    pub agent_states: Vec<AgentStateSetting>,
    /// The constant part of generated call ids (see [`ids`]).
    pub id_prefix: String,
    /// The base of generated connIds.
    pub conn_id_base: u64,
    /// Whether call recording exists (`api-voice-recording`): calls then carry
    /// `recordingState` and the recording capabilities (situation J). Off by default because
    /// the seeds' sets D/E have no recording capability.
    pub recording: bool,
    /// Whether an agent's own established, unmuted call lists `MuteCall` in its capabilities.
    /// GWS accepts MuteCall there either way; off by default because the seeds' sets D/E do
    /// not list it, on for capability-driven clients that should offer Mute.
    pub advertise_mute: bool,
}

impl EngineConfig {
    /// The built-in users: agent1 (5005), agent2 (5001), supervisor1 (5010).
    pub fn builtin_users() -> Vec<UserSpec> {
        let user =
            |name: &str, first: &str, last: &str, id: &str, role: &str, dn: &str, device: &str| {
                UserSpec {
                    user_name: name.into(),
                    password: name.into(),
                    id: id.into(),
                    first_name: first.into(),
                    last_name: last.into(),
                    roles: vec![role.into()],
                    dn: dn.into(),
                    device_id: device.into(),
                    initial_state: None,
                }
            };
        vec![
            user(
                "agent1",
                "Alice",
                "Agent",
                "0c9d2b6d5a0b4f4e9a3c1f0e6b7d8a01",
                "ROLE_AGENT",
                "5005",
                "efe1ab32-53f9-43ce-b65e-5768c61f7d4a",
            ),
            user(
                "agent2",
                "Bob",
                "Agent",
                "0c9d2b6d5a0b4f4e9a3c1f0e6b7d8a02",
                "ROLE_AGENT",
                "5001",
                "9c14cad7-17c4-48d0-8492-7cf0ff92c224",
            ),
            user(
                "supervisor1",
                "Sam",
                "Supervisor",
                "0c9d2b6d5a0b4f4e9a3c1f0e6b7d8a10",
                "ROLE_SUPERVISOR",
                "5010",
                "631608b3-ceb1-472b-ba05-2ae39555b0d1",
            ),
        ]
    }

    /// The default agent-state list: Ready, Not Ready, three reason codes, AfterCallWork.
    pub fn default_agent_states() -> Vec<AgentStateSetting> {
        let state = |id: &str,
                     display: &str,
                     state: &str,
                     op: &str,
                     reason: Option<&str>,
                     mode: Option<&str>| {
            AgentStateSetting {
                id: Some(id.into()),
                display_name: Some(display.into()),
                state: Some(state.into()),
                operation_name: Some(op.into()),
                reason_code: reason.map(Into::into),
                work_mode: mode.map(Into::into),
            }
        };
        vec![
            state(
                "9430250E-0A1B-421F-B372-F29E69366DED",
                "Ready",
                "Ready",
                "Ready",
                None,
                None,
            ),
            state(
                "900D55CC-2BB0-431F-8BF9-D3525B383BE6",
                "Not Ready",
                "NotReady",
                "NotReady",
                None,
                None,
            ),
            state(
                "6B1C2D3E-0001-4A5B-8C9D-0E1F2A3B4C01",
                "Break",
                "NotReady",
                "NotReady",
                Some("Break"),
                None,
            ),
            state(
                "6B1C2D3E-0002-4A5B-8C9D-0E1F2A3B4C02",
                "Lunch",
                "NotReady",
                "NotReady",
                Some("Lunch"),
                None,
            ),
            state(
                "6B1C2D3E-0003-4A5B-8C9D-0E1F2A3B4C03",
                "Meeting",
                "NotReady",
                "NotReady",
                Some("Meeting"),
                None,
            ),
            state(
                "D3663509-0004-4A5B-8C9D-0E1F2A3B4C04",
                "AfterCallWork",
                "NotReady",
                "AfterCallWork",
                None,
                Some("AfterCallWork"),
            ),
        ]
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            external_url: "http://127.0.0.1:8080".into(),
            answer_delay_ms: 1000,
            users: Self::builtin_users(),
            agent_states: Self::default_agent_states(),
            id_prefix: ids::DEFAULT_PREFIX.into(),
            conn_id_base: ids::DEFAULT_CONN_BASE,
            recording: false,
            advertise_mute: false,
        }
    }
}

/// What the engine is asked to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// `/sim/calls`: a simulated phone `from` calls `to` (an agent DN, or `"queue"`).
    InjectCall {
        /// The calling simulated phone.
        from: String,
        /// An agent DN or `queue`.
        to: String,
        /// Attached data of the new call.
        user_data: Option<Map<String, Value>>,
    },
    /// The simulated party (or the given number) on the conversation of `call_id` hangs up.
    RemoteHangup {
        /// Any agent call id of the conversation.
        call_id: String,
        /// Which remote number hangs up; default: every simulated phone on it.
        number: Option<String>,
    },
    /// The simulated phone `number` hangs up wherever it is (transfers move customers between
    /// agents, so a customer is found by number, not by call id).
    PhoneHangsUp {
        /// The simulated phone.
        number: String,
    },
    /// `/sim/reset`: release and forget every call, agents back to their initial state.
    Reset,
    /// `POST /api/v2/me/calls/{id}`.
    CallOperation {
        /// Authenticated user.
        user: String,
        /// Call id from the path.
        call_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/devices/{id}/calls` (Dial).
    Dial {
        /// Authenticated user.
        user: String,
        /// Device id from the path.
        device_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/devices/{id}` (DND, forwarding, supervisor monitoring).
    DeviceOperation {
        /// Authenticated user.
        user: String,
        /// Device id from the path.
        device_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/channels/voice` (Ready / NotReady / AfterCallWork).
    AgentState {
        /// Authenticated user.
        user: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me` (Start/EndContactCenterSession).
    Session {
        /// Authenticated user.
        user: String,
        /// The body.
        request: OperationRequest,
    },
    /// A timer the engine asked for earlier has fired.
    Timer(TimerEvent),
}

/// Something that happens later on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum TimerEvent {
    /// The simulated phone `party` answers (if it still rings).
    PhoneAnswers {
        /// The ringing phone party.
        party: PartyId,
    },
    /// The simulated phone `party` turns out to be busy.
    PhoneBusy {
        /// The ringing phone party.
        party: PartyId,
    },
}

/// A timer to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Delay from the command's `now_ms`.
    pub after_ms: u64,
    /// What to feed back as [`Command::Timer`].
    pub event: TimerEvent,
}

/// A CometD message for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct Addressed {
    /// Receiving user name.
    pub user: String,
    /// CometD channel (`/v2/me/calls`, `/v2/me/devices`).
    pub channel: &'static str,
    /// The `data` of the message.
    pub data: Value,
}

/// The result of a command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Notifications to publish, in order.
    pub notifications: Vec<Addressed>,
    /// Timers to schedule.
    pub timers: Vec<Timer>,
    /// The call id a command created for the caller (`/sim/calls`, Dial).
    pub call_id: Option<String>,
    /// Users whose contact-center session ended: their HTTP and CometD sessions must go.
    pub ended_sessions: Vec<String>,
}

/// Why a command was refused. The state is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Unknown (or someone else's) call, device or user: statusCode 6.
    #[error("{0}")]
    NotFound(String),
    /// A required parameter is missing: statusCode 1.
    #[error("{0}")]
    MissingParameter(String),
    /// A parameter is invalid, or the operation is not allowed in the current state: statusCode 2.
    #[error("{0}")]
    Invalid(String),
    /// The operation is forbidden for this user: statusCode 3.
    #[error("{0}")]
    Forbidden(String),
    /// The destination cannot take the call now (control API only): statusCode 19.
    #[error("{0}")]
    Busy(String),
}

impl EngineError {
    /// The GWS `statusCode` of this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            EngineError::NotFound(_) => StatusCode::NOT_FOUND,
            EngineError::MissingParameter(_) => StatusCode::PARAMETER_MISSING,
            EngineError::Invalid(_) => StatusCode::PARAMETER_INVALID,
            EngineError::Forbidden(_) => StatusCode::FORBIDDEN,
            EngineError::Busy(_) => StatusCode(19),
        }
    }
}

/// Supervisor monitoring armed on a supervisor's device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MonitoringSetup {
    mode: MonitorMode,
    target_device: usize,
    /// `AllCalls` (stays armed) or `NextCall` (cancelled after one call).
    all_calls: bool,
    scope: String,
    /// The conversation the supervisor was brought into; not re-joined after leaving it.
    joined: Option<ConvId>,
}

/// Dynamic state of one agent and their device.
#[derive(Debug, Clone)]
pub(crate) struct Agent {
    spec: UserSpec,
    dnd: bool,
    forward_to: Option<String>,
    user_state: UserState,
    logged_in: bool,
    monitoring: Option<MonitoringSetup>,
    /// When the agent last became idle; queue routing picks the longest idle.
    idle_since_ms: u64,
}

/// The GWS call resource one agent sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Leg {
    call_id: String,
    conn_id: String,
    /// Index into `Engine::agents`.
    agent: usize,
    call_type: CallType,
    parent: Option<String>,
    dnis: String,
    created_ms: u64,
    mute: bool,
    monitored_user_muted: bool,
    recording: Recording,
    conference_owner: bool,
    monitor: Option<MonitorLeg>,
}

/// The supervisor's side of a monitored call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MonitorLeg {
    mode: MonitorMode,
    /// Once Coach has been left it cannot be re-entered (seed 003).
    coach_left: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum PartyKind {
    Phone,
    Agent(Box<Leg>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Party {
    conv: ConvId,
    number: String,
    state: CallState,
    kind: PartyKind,
    /// A phone destination that is busy: answers with busy instead of picking up.
    busy: bool,
    /// The agent party that dialled this one and with which operation (it receives the
    /// `ErrorMessage` if the destination is busy).
    inviter: Option<(PartyId, Operation)>,
}

impl Party {
    fn leg(&self) -> Option<&Leg> {
        match &self.kind {
            PartyKind::Agent(leg) => Some(leg),
            PartyKind::Phone => None,
        }
    }

    fn is_monitor(&self) -> bool {
        self.leg().is_some_and(|leg| leg.monitor.is_some())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Conversation {
    parties: Vec<PartyId>,
    user_data: Option<Map<String, Value>>,
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
    config: Arc<EngineConfig>,
    /// Users, DNs and devices by name: fixed at start, shared by every copy.
    index: Arc<AgentIndex>,
    agents: Vector<Arc<Agent>>,
    conversations: OrdMap<ConvId, Arc<Conversation>>,
    parties: OrdMap<PartyId, Arc<Party>>,
    /// Call id → agent party.
    calls: OrdMap<String, PartyId>,
    /// (agent, call id) → party: each agent's live calls in call-id order, so that a call's
    /// siblings are found without scanning every call.
    agent_calls: OrdMap<(usize, String), PartyId>,
    next_conv: ConvId,
    next_party: PartyId,
    next_call_seq: u64,
}

/// Agent indexes by user name, DN and device id (the first agent wins on duplicates, as a
/// linear search would).
#[derive(Debug, Default)]
struct AgentIndex {
    by_user: HashMap<String, usize>,
    by_dn: HashMap<String, usize>,
    by_device: HashMap<String, usize>,
    /// Agents with the supervisor role, ascending: only they can arm monitoring.
    supervisors: Vec<usize>,
}

impl AgentIndex {
    fn new(users: &[UserSpec]) -> Self {
        let mut index = AgentIndex::default();
        for (i, user) in users.iter().enumerate() {
            index.by_user.entry(user.user_name.clone()).or_insert(i);
            index.by_dn.entry(user.dn.clone()).or_insert(i);
            index.by_device.entry(user.device_id.clone()).or_insert(i);
            if user.is_supervisor() {
                index.supervisors.push(i);
            }
        }
        index
    }
}

/// Builds an `Outcome` step by step; helpers push notifications in the order the seeds show.
#[derive(Debug, Default)]
pub(crate) struct Out {
    outcome: Outcome,
}

impl Out {
    fn push(&mut self, addressed: Addressed) {
        self.outcome.notifications.push(addressed);
    }

    fn timer(&mut self, after_ms: u64, event: TimerEvent) {
        self.outcome.timers.push(Timer { after_ms, event });
    }

    fn finish(self) -> Outcome {
        self.outcome
    }
}

impl Engine {
    /// A fresh model: every agent idle in their initial state, no calls.
    pub fn new(config: EngineConfig) -> Self {
        let agents = config
            .users
            .iter()
            .map(|spec| {
                Arc::new(Agent {
                    spec: spec.clone(),
                    dnd: false,
                    forward_to: None,
                    user_state: UserState::default(),
                    logged_in: true,
                    monitoring: None,
                    idle_since_ms: 0,
                })
            })
            .collect();
        let mut engine = Engine {
            index: Arc::new(AgentIndex::new(&config.users)),
            config: Arc::new(config),
            agents,
            conversations: OrdMap::new(),
            parties: OrdMap::new(),
            calls: OrdMap::new(),
            agent_calls: OrdMap::new(),
            next_conv: 1,
            next_party: 1,
            next_call_seq: 1,
        };
        for index in 0..engine.agents.len() {
            engine.reset_agent(index);
        }
        engine
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Applies one command at time `now_ms`. On error nothing changed.
    pub fn handle(&mut self, now_ms: u64, command: Command) -> Result<Outcome, EngineError> {
        // Work on a copy (cheap: structural sharing) so that a failure half-way leaves the
        // model untouched; `self` stays the "before" model until the end.
        let mut next = self.clone();
        let mut out = Out::default();
        next.dispatch(now_ms, command, &mut out)?;
        let (touched, _) = self.touched(&next);
        next.collect_garbage(&touched);
        next.monitoring_pass(now_ms, &mut out);
        next.refresh_capabilities(now_ms, self, &mut out);
        *self = next;
        Ok(out.finish())
    }

    /// The conversations and agents whose parties differ between `self` (before) and `next`
    /// (after): only their calls can have changed capabilities.
    fn touched(&self, next: &Engine) -> (BTreeSet<ConvId>, BTreeSet<usize>) {
        let mut convs = BTreeSet::new();
        let mut agents = BTreeSet::new();
        let mut note = |party: &Party| {
            convs.insert(party.conv);
            if let Some(leg) = party.leg() {
                agents.insert(leg.agent);
            }
        };
        for item in self.parties.diff(&next.parties) {
            match item {
                imbl::ordmap::DiffItem::Add(_, party)
                | imbl::ordmap::DiffItem::Remove(_, party) => note(party),
                imbl::ordmap::DiffItem::Update { old, new } => {
                    note(old.1);
                    note(new.1);
                }
            }
        }
        for item in self.conversations.diff(&next.conversations) {
            let conv = match item {
                imbl::ordmap::DiffItem::Add(id, _) | imbl::ordmap::DiffItem::Remove(id, _) => *id,
                imbl::ordmap::DiffItem::Update { new, .. } => *new.0,
            };
            convs.insert(conv);
        }
        (convs, agents)
    }

    fn capability_names(&self, party: PartyId) -> Vec<String> {
        let mut names: Vec<String> = self
            .call_context(party)
            .capabilities()
            .iter()
            .map(|op| op.as_str().to_string())
            .collect();
        names.sort();
        names
    }

    /// A call whose capabilities changed only as a side effect (e.g. the held call next to it
    /// was released, so `SwapCalls` no longer applies) gets a `StatusChange`, so that a client
    /// drawing buttons from capabilities never offers a stale operation. None of the seed
    /// sequences has such a change, so this adds nothing to them.
    ///
    /// Only calls that can have changed are looked at: those in a conversation or on a device
    /// whose parties changed, and those notified by this command; in call-id order, as a scan
    /// of every call would visit them.
    fn refresh_capabilities(&self, now: u64, before: &Engine, out: &mut Out) {
        let (convs, agents) = before.touched(self);
        let mut candidates: BTreeMap<String, PartyId> = BTreeMap::new();
        let mut add = |engine: &Engine, party: PartyId| {
            if let Some(leg) = engine.parties.get(&party).and_then(|p| p.leg())
                && engine.calls.get(&leg.call_id) == Some(&party)
            {
                candidates.insert(leg.call_id.clone(), party);
            }
        };
        for &conv in &convs {
            for party in self.agent_parties(conv) {
                add(self, party);
            }
        }
        for &agent in &agents {
            for party in self.calls_of_agent(agent) {
                add(self, party);
            }
        }
        for n in &out.outcome.notifications {
            if let Some(&party) = n.data["call"]["id"]
                .as_str()
                .and_then(|id| self.calls.get(id))
            {
                add(self, party);
            }
        }
        #[cfg(test)]
        self.assert_candidates_cover_every_change(before, &candidates, out);
        for (id, party) in candidates {
            let last_sent = out.outcome.notifications.iter().rev().find_map(|n| {
                (n.data["call"]["id"].as_str() == Some(id.as_str())).then(|| {
                    let mut names: Vec<String> = n.data["call"]["capabilities"]
                        .as_array()
                        .map(|caps| {
                            caps.iter()
                                .filter_map(|c| c.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    names.sort();
                    names
                })
            });
            let reference = last_sent.or_else(|| {
                before
                    .calls
                    .get(&id)
                    .map(|&old| before.capability_names(old))
            });
            let Some(reference) = reference else {
                continue;
            };
            if reference != self.capability_names(party) {
                self.emit(now, party, out);
            }
        }
    }

    /// Test builds check that restricting the refresh to `candidates` loses nothing: every
    /// other live call has the capabilities it had before and was not notified.
    #[cfg(test)]
    fn assert_candidates_cover_every_change(
        &self,
        before: &Engine,
        candidates: &BTreeMap<String, PartyId>,
        out: &Out,
    ) {
        for (id, &party) in self.calls.iter() {
            if candidates.contains_key(id) {
                continue;
            }
            assert!(
                out.outcome
                    .notifications
                    .iter()
                    .all(|n| n.data["call"]["id"].as_str() != Some(id.as_str())),
                "call {id} was notified but is not a refresh candidate"
            );
            if let Some(&old) = before.calls.get(id) {
                assert_eq!(
                    before.capability_names(old),
                    self.capability_names(party),
                    "call {id} changed capabilities but is not a refresh candidate"
                );
            }
        }
    }

    fn dispatch(&mut self, now: u64, command: Command, out: &mut Out) -> Result<(), EngineError> {
        match command {
            Command::InjectCall {
                from,
                to,
                user_data,
            } => self.inject_call(now, &from, &to, user_data, out),
            Command::RemoteHangup { call_id, number } => {
                self.remote_hangup(now, &call_id, number.as_deref(), out)
            }
            Command::PhoneHangsUp { number } => self.phone_hangs_up(now, &number, out),
            Command::Reset => {
                self.reset(now, out);
                Ok(())
            }
            Command::CallOperation {
                user,
                call_id,
                request,
            } => self.call_operation(now, &user, &call_id, &request, out),
            Command::Dial {
                user,
                device_id,
                request,
            } => self.dial(now, &user, &device_id, &request, out),
            Command::DeviceOperation {
                user,
                device_id,
                request,
            } => self.device_operation(now, &user, &device_id, &request, out),
            Command::AgentState { user, request } => {
                self.agent_state_operation(now, &user, &request, out)
            }
            Command::Session { user, request } => self.session_operation(now, &user, &request, out),
            Command::Timer(event) => {
                self.timer(now, event, out);
                Ok(())
            }
        }
    }

    /// Routes a call operation to its family after the common checks: the call exists, belongs
    /// to `user`, and the operation is currently allowed.
    fn call_operation(
        &mut self,
        now: u64,
        user: &str,
        call_id: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let party = self.own_call(user, call_id)?;
        let operation = &request.operation_name;
        if let Operation::Unknown(name) = operation {
            return Err(EngineError::Invalid(format!("Unknown operation '{name}'")));
        }
        let context = self.call_context(party);
        if !context.allows(operation) {
            let state = self.parties[&party].state.clone();
            return Err(EngineError::Invalid(format!(
                "Operation {operation} is not allowed on call {call_id} in state {state}"
            )));
        }
        match operation {
            Operation::Answer => self.answer(now, party, out),
            Operation::Hangup => self.hangup(now, party, out),
            Operation::Hold => self.hold(now, party, out),
            Operation::Retrieve => self.retrieve(now, party, out),
            Operation::SendDtmf => self.send_dtmf(now, party, request, out),
            Operation::MuteCall => self.set_mute(now, party, true, out),
            Operation::UnmuteCall => self.set_mute(now, party, false, out),
            Operation::InitiateTransfer | Operation::InitiateConference => {
                self.initiate_consult(now, party, request, out)
            }
            Operation::CompleteTransfer => self.complete_transfer(now, party, request, out),
            Operation::CompleteConference => self.complete_conference(now, party, request, out),
            Operation::SingleStepTransfer => self.single_step_transfer(now, party, request, out),
            Operation::SingleStepConference => {
                self.single_step_conference(now, party, request, out)
            }
            Operation::SwapCalls => self.swap_calls(now, party, request, out),
            Operation::MergeWithOtherCall => self.merge_with_other_call(now, party, request, out),
            Operation::RemoveParticipantFromConference => {
                self.remove_participant(now, party, request, out)
            }
            Operation::AttachUserData
            | Operation::UpdateUserData
            | Operation::DeleteUserData
            | Operation::DeleteUserDataPair
            | Operation::SetCallDisposition => self.user_data_operation(now, party, request, out),
            Operation::SwitchToListenIn => {
                self.switch_monitor(now, party, MonitorMode::ListenIn, out)
            }
            Operation::SwitchToBargeIn => {
                self.switch_monitor(now, party, MonitorMode::BargeIn, out)
            }
            Operation::SwitchToCoach => self.switch_monitor(now, party, MonitorMode::Coach, out),
            Operation::MuteMonitoredUser => self.mute_monitored_user(now, party, true, out),
            Operation::StartCallRecording | Operation::ResumeCallRecording => {
                self.set_recording(now, party, Recording::Recording, out)
            }
            Operation::PauseCallRecording => self.set_recording(now, party, Recording::Paused, out),
            Operation::StopCallRecording => self.set_recording(now, party, Recording::Stopped, out),
            Operation::UnmuteMonitoredUser => self.mute_monitored_user(now, party, false, out),
            other => Err(EngineError::Invalid(format!(
                "Operation {other} is not a call operation"
            ))),
        }
    }

    fn timer(&mut self, now: u64, event: TimerEvent, out: &mut Out) {
        match event {
            TimerEvent::PhoneAnswers { party } => self.phone_answers(now, party, out),
            TimerEvent::PhoneBusy { party } => self.phone_busy(now, party, out),
        }
    }

    // ------------------------------------------------------------------------ lookups

    fn agent_by_user(&self, user: &str) -> Option<usize> {
        self.index.by_user.get(user).copied()
    }

    fn agent_by_dn(&self, dn: &str) -> Option<usize> {
        self.index.by_dn.get(dn).copied()
    }

    fn agent_by_device(&self, device_id: &str) -> Option<usize> {
        self.index.by_device.get(device_id).copied()
    }

    /// An agent, to change (copied first if another model shares it).
    fn agent_mut(&mut self, agent: usize) -> &mut Agent {
        Arc::make_mut(&mut self.agents[agent])
    }

    /// A party, to change (copied first if another model shares it).
    fn party_mut(&mut self, party: PartyId) -> Option<&mut Party> {
        self.parties.get_mut(&party).map(Arc::make_mut)
    }

    /// A conversation, to change (copied first if another model shares it).
    fn conversation_mut(&mut self, conv: ConvId) -> Option<&mut Conversation> {
        self.conversations.get_mut(&conv).map(Arc::make_mut)
    }

    /// The party of `call_id` if it belongs to `user`; another user's call is "not found" so
    /// that its existence is not revealed.
    fn own_call(&self, user: &str, call_id: &str) -> Result<PartyId, EngineError> {
        let not_found = || EngineError::NotFound(format!("Call {call_id} not found"));
        let party = *self.calls.get(call_id).ok_or_else(not_found)?;
        let leg = self
            .parties
            .get(&party)
            .and_then(|p| p.leg())
            .ok_or_else(not_found)?;
        if self.agents[leg.agent].spec.user_name != user {
            return Err(not_found());
        }
        Ok(party)
    }

    /// The user's device index, if `device_id` is theirs.
    fn own_device(&self, user: &str, device_id: &str) -> Result<usize, EngineError> {
        self.agent_by_device(device_id)
            .filter(|&index| self.agents[index].spec.user_name == user)
            .ok_or_else(|| EngineError::NotFound(format!("Device {device_id} not found")))
    }

    fn leg(&self, party: PartyId) -> &Leg {
        match self.parties.get(&party).map(|p| &p.kind) {
            Some(PartyKind::Agent(leg)) => leg,
            _ => unreachable_leg(party),
        }
    }

    fn leg_mut(&mut self, party: PartyId) -> &mut Leg {
        match self.party_mut(party).map(|p| &mut p.kind) {
            Some(PartyKind::Agent(leg)) => leg,
            _ => unreachable_leg(party),
        }
    }

    fn state(&self, party: PartyId) -> CallState {
        self.parties
            .get(&party)
            .map(|p| p.state.clone())
            .unwrap_or(CallState::Released)
    }

    fn set_state(&mut self, party: PartyId, state: CallState) {
        if self.parties.get(&party).is_some_and(|p| p.state != state)
            && let Some(p) = self.party_mut(party)
        {
            p.state = state;
        }
    }

    fn conv_of(&self, party: PartyId) -> ConvId {
        self.parties.get(&party).map(|p| p.conv).unwrap_or_default()
    }

    /// Every party of the conversation of `party` except itself, in joining order.
    fn others(&self, party: PartyId) -> Vec<PartyId> {
        let conv = self.conv_of(party);
        self.conversations
            .get(&conv)
            .map(|c| c.parties.iter().copied().filter(|&p| p != party).collect())
            .unwrap_or_default()
    }

    /// The agent parties (legs) of a conversation, in joining order.
    fn agent_parties(&self, conv: ConvId) -> Vec<PartyId> {
        self.conversations
            .get(&conv)
            .map(|c| {
                c.parties
                    .iter()
                    .copied()
                    .filter(|p| {
                        self.parties
                            .get(p)
                            .is_some_and(|party| party.leg().is_some())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The other live calls on the same device.
    fn sibling_calls(&self, party: PartyId) -> Vec<PartyId> {
        let agent = self.leg(party).agent;
        self.calls_of_agent(agent)
            .into_iter()
            .filter(|&p| p != party)
            .collect()
    }

    /// The agent's live calls, in call-id order.
    fn calls_of_agent(&self, agent: usize) -> Vec<PartyId> {
        self.agent_calls
            .range((agent, String::new())..(agent + 1, String::new()))
            .map(|(_, &party)| party)
            .collect()
    }

    fn call_uri(&self, call_id: &str) -> String {
        format!("{}/api/v2/me/calls/{call_id}", self.config.external_url)
    }

    fn device_uri(&self, agent: usize) -> String {
        format!(
            "{}/api/v2/devices/{}",
            self.config.external_url, self.agents[agent].spec.device_id
        )
    }

    // ------------------------------------------------------------------------ building blocks

    fn new_conversation(&mut self, user_data: Option<Map<String, Value>>) -> ConvId {
        let id = self.next_conv;
        self.next_conv += 1;
        self.conversations.insert(
            id,
            Arc::new(Conversation {
                parties: Vec::new(),
                user_data,
            }),
        );
        id
    }

    fn add_phone(&mut self, conv: ConvId, number: &str, state: CallState) -> PartyId {
        let id = self.next_party;
        self.next_party += 1;
        self.parties.insert(
            id,
            Arc::new(Party {
                conv,
                number: number.to_string(),
                state,
                kind: PartyKind::Phone,
                busy: false,
                inviter: None,
            }),
        );
        if let Some(c) = self.conversation_mut(conv) {
            c.parties.push(id);
        }
        id
    }

    /// Adds an agent party with a fresh GWS call (new callUuid and connId).
    fn add_agent(
        &mut self,
        now: u64,
        conv: ConvId,
        agent: usize,
        state: CallState,
        call_type: CallType,
        dnis: &str,
    ) -> PartyId {
        let id = self.next_party;
        self.next_party += 1;
        let seq = self.next_call_seq;
        self.next_call_seq += 1;
        let call_id = ids::call_id(&self.config.id_prefix, seq);
        let leg = Leg {
            call_id: call_id.clone(),
            conn_id: ids::conn_id(self.config.conn_id_base, seq),
            agent,
            call_type,
            parent: None,
            dnis: dnis.to_string(),
            created_ms: now,
            mute: false,
            monitored_user_muted: false,
            recording: Recording::Stopped,
            conference_owner: false,
            monitor: None,
        };
        let number = self.agents[agent].spec.dn.clone();
        self.parties.insert(
            id,
            Arc::new(Party {
                conv,
                number,
                state,
                kind: PartyKind::Agent(Box::new(leg)),
                busy: false,
                inviter: None,
            }),
        );
        self.agent_calls.insert((agent, call_id.clone()), id);
        self.calls.insert(call_id, id);
        if let Some(c) = self.conversation_mut(conv) {
            c.parties.push(id);
        }
        id
    }

    /// Moves `party` into conversation `to` (transfers and conferences).
    fn move_party(&mut self, party: PartyId, to: ConvId) {
        let from = self.conv_of(party);
        if from == to {
            return;
        }
        if let Some(c) = self.conversation_mut(from) {
            c.parties.retain(|&p| p != party);
        }
        if let Some(c) = self.conversation_mut(to) {
            c.parties.push(party);
        }
        if let Some(p) = self.party_mut(party) {
            p.conv = to;
        }
    }

    /// Removes a party from the model (its call, if any, is forgotten: released calls are not
    /// listed by GWS).
    fn forget_party(&mut self, party: PartyId) {
        let Some(removed) = self.parties.remove(&party) else {
            return;
        };
        if let Some(c) = self.conversation_mut(removed.conv) {
            c.parties.retain(|&p| p != party);
        }
        if let PartyKind::Agent(leg) = &removed.kind {
            self.calls.remove(&leg.call_id);
            self.agent_calls.remove(&(leg.agent, leg.call_id.clone()));
        }
    }

    /// Drops conversations without agents (nobody can observe them any more). Only the
    /// conversations this command touched can have lost their last agent.
    fn collect_garbage(&mut self, touched: &BTreeSet<ConvId>) {
        let empty: Vec<ConvId> = touched
            .iter()
            .copied()
            .filter(|&id| self.conversations.contains_key(&id) && self.agent_parties(id).is_empty())
            .collect();
        for conv in empty {
            if let Some(c) = self.conversations.remove(&conv) {
                for party in &c.parties {
                    self.parties.remove(party);
                }
            }
        }
    }

    // ------------------------------------------------------------------------ rendering

    /// The context capabilities are computed from.
    fn call_context(&self, party: PartyId) -> CallContext {
        let leg = self.leg(party);
        let state = self.state(party);
        let siblings = self.sibling_calls(party);
        let other_held = siblings.iter().any(|&p| self.state(p) == CallState::Held);
        let other_active = siblings
            .iter()
            .any(|&p| matches!(self.state(p), CallState::Established | CallState::Dialing));
        let talking_others = self
            .others(party)
            .into_iter()
            .filter(|&p| {
                self.parties
                    .get(&p)
                    .is_some_and(|o| !o.is_monitor() && o.state != CallState::Ringing)
            })
            .count();
        CallContext {
            state,
            other_held,
            other_active,
            // A supervisor's mute follows the monitoring mode, not MuteCall.
            muted: leg.mute && leg.monitor.is_none(),
            monitor: leg.monitor.map(|m| (m.mode, !m.coach_left)),
            conference_owner: leg.conference_owner && talking_others >= 2,
            recording: self.config.recording.then_some(leg.recording),
            monitored_user_muted: leg.monitored_user_muted,
            advertise_mute: self.config.advertise_mute,
        }
    }

    /// The remote parties shown in `participants`: everyone else except supervisors, and except
    /// parties still ringing into a call that is already connected (they join when they answer).
    fn participants(&self, party: PartyId) -> Vec<Participant> {
        let own_state = self.state(party);
        let connected = matches!(own_state, CallState::Established | CallState::Held);
        self.others(party)
            .into_iter()
            .filter_map(|p| self.parties.get(&p))
            .filter(|o| !o.is_monitor())
            .filter(|o| !(connected && o.state == CallState::Ringing))
            .map(|o| Participant::internal(&o.number))
            .collect()
    }

    /// The GWS call resource of an agent party.
    fn render_call(&self, now: u64, party: PartyId) -> Call {
        let leg = self.leg(party);
        let state = self.state(party);
        let conv = self.conversations.get(&self.conv_of(party));
        let capabilities = if state == CallState::Released {
            Vec::new()
        } else {
            self.call_context(party).capabilities()
        };
        let monitored = leg.monitor.is_none()
            && self
                .others(party)
                .iter()
                .any(|p| self.parties.get(p).is_some_and(|p| p.is_monitor()));
        Call {
            id: leg.call_id.clone(),
            state,
            call_uuid: Some(leg.call_id.clone()),
            conn_id: Some(leg.conn_id.clone()),
            device_uri: Some(self.device_uri(leg.agent)),
            participants: self.participants(party),
            dnis: Some(leg.dnis.clone()),
            ani: None,
            call_type: Some(leg.call_type.clone()),
            capabilities,
            parent_call_uri: leg.parent.as_deref().map(|id| self.call_uri(id)),
            parent_call_path: None,
            user_data: conv
                .and_then(|c| c.user_data.clone())
                .filter(|data| !data.is_empty()),
            duration: Some((now.saturating_sub(leg.created_ms) / 1000).to_string()),
            mute: Some(if leg.mute { OnOff::On } else { OnOff::Off }),
            recording_state: self
                .config
                .recording
                .then(|| leg.recording.as_str().to_string()),
            supervisor_listening_in: Some(monitored),
            monitored_user_muted: Some(leg.monitored_user_muted),
            monitoring: None,
            uri: Some(self.call_uri(&leg.call_id)),
            path: Some(format!("/calls/{}", leg.call_id)),
        }
    }

    fn call_notification(
        &self,
        now: u64,
        party: PartyId,
        kind: NotificationType,
        dtmf_digits: Option<String>,
    ) -> Addressed {
        let leg = self.leg(party);
        let agent = &self.agents[leg.agent];
        let mut extensions = Map::new();
        extensions.insert("WrapUpTime".into(), json!(0));
        extensions.insert("BusinessCall".into(), json!(0));
        let notification = CallNotification {
            notification_type: kind,
            call: self.render_call(now, party),
            phone_number: Some(agent.spec.dn.clone()),
            extensions: Some(extensions),
            dtmf_digits,
        };
        Addressed {
            user: agent.spec.user_name.clone(),
            channel: CALLS_CHANNEL,
            data: Notification::Call(Box::new(notification)).to_data(),
        }
    }

    /// Publishes a `StatusChange` for an agent party.
    fn emit(&self, now: u64, party: PartyId, out: &mut Out) {
        out.push(self.call_notification(now, party, NotificationType::StatusChange, None));
    }

    /// Publishes a notification of the given type for an agent party.
    fn emit_kind(&self, now: u64, party: PartyId, kind: NotificationType, out: &mut Out) {
        out.push(self.call_notification(now, party, kind, None));
    }

    /// Publishes `ParticipantsUpdated` to every other agent on the conversation of `party`
    /// (`party` itself included when `include_self`).
    fn emit_participants_updated(
        &self,
        now: u64,
        conv: ConvId,
        except: Option<PartyId>,
        out: &mut Out,
    ) {
        for p in self.agent_parties(conv) {
            if Some(p) != except && self.state(p) != CallState::Ringing {
                self.emit_kind(now, p, NotificationType::ParticipantsUpdated, out);
            }
        }
    }

    /// An asynchronous `ErrorMessage` about a call (the back end rejected an accepted request).
    fn emit_call_error(
        &self,
        party: PartyId,
        operation: &Operation,
        code: i64,
        message: &str,
        out: &mut Out,
    ) {
        let leg = self.leg(party);
        let error = ErrorNotification {
            error_code: Some(json!(code)),
            error_message: Some(message.to_string()),
            operation_name: Some(operation.as_str().to_string()),
            call_uri: Some(self.call_uri(&leg.call_id)),
            device_uri: Some(self.device_uri(leg.agent)),
        };
        out.push(Addressed {
            user: self.agents[leg.agent].spec.user_name.clone(),
            channel: CALLS_CHANNEL,
            data: Notification::Error(error).to_data(),
        });
    }

    /// An asynchronous `ErrorMessage` about a device operation (Dial without a call yet, …).
    fn emit_device_error(
        &self,
        agent: usize,
        channel: &'static str,
        operation: &Operation,
        code: i64,
        message: &str,
        out: &mut Out,
    ) {
        let error = ErrorNotification {
            error_code: Some(json!(code)),
            error_message: Some(message.to_string()),
            operation_name: Some(operation.as_str().to_string()),
            call_uri: None,
            device_uri: Some(self.device_uri(agent)),
        };
        out.push(Addressed {
            user: self.agents[agent].spec.user_name.clone(),
            channel,
            data: Notification::Error(error).to_data(),
        });
    }

    /// The device resource of an agent.
    fn render_device(&self, agent: usize) -> Device {
        let a = &self.agents[agent];
        let monitoring = a.monitoring.as_ref().map(|m| {
            json!({
                "state": m.mode.as_str(),
                "mode": if m.all_calls { "AllCalls" } else { "NextCall" },
                "scope": m.scope,
                "targetDeviceUri": self.device_uri(m.target_device),
            })
        });
        Device {
            id: a.spec.device_id.clone(),
            device_state: Some(if a.logged_in { "Active" } else { "Inactive" }.into()),
            user_state: Some(a.user_state.clone()),
            phone_number: Some(a.spec.dn.clone()),
            e164_number: Some(a.spec.dn.clone()),
            telephony_network: Some("Private".into()),
            do_not_disturb: Some(if a.dnd { OnOff::On } else { OnOff::Off }),
            forward_to: a.forward_to.clone(),
            voice_environment_uri: Some(format!(
                "{}/api/v2/voice-environments/370ef5e6-9e3c-4d91-9588-7f4dfe67e011",
                self.config.external_url
            )),
            capabilities: capabilities::device_capabilities(
                a.dnd,
                a.forward_to.is_some(),
                a.spec.is_supervisor(),
                a.monitoring.is_some(),
            ),
            supervisor_monitoring_state: monitoring,
        }
    }

    fn emit_device(&self, agent: usize, out: &mut Out) {
        let data = Notification::Device(gws_protocol::DeviceNotification {
            devices: vec![self.render_device(agent)],
        })
        .to_data();
        out.push(Addressed {
            user: self.agents[agent].spec.user_name.clone(),
            channel: DEVICES_CHANNEL,
            data,
        });
    }

    // ------------------------------------------------------------------------ queries

    /// Checks Basic-auth credentials; returns the canonical user name.
    pub fn authenticate(&self, user: &str, password: &str) -> Option<String> {
        self.agent_by_user(user)
            .map(|i| &self.agents[i].spec)
            .filter(|spec| spec.password == password)
            .map(|spec| spec.user_name.clone())
    }

    /// Whether the user exists.
    pub fn has_user(&self, user: &str) -> bool {
        self.agent_by_user(user).is_some()
    }

    /// Live GWS calls (agent legs) in the model.
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// The user resource of `GET /api/v2/me`, with devices and settings when `subresources`.
    pub fn me(&self, user: &str, subresources: bool) -> Option<Value> {
        let index = self.agent_by_user(user)?;
        let spec = &self.agents[index].spec;
        let mut me = json!({
            "id": spec.id,
            "userName": spec.user_name,
            "firstName": spec.first_name,
            "lastName": spec.last_name,
            "roles": spec.roles,
            "enabled": true,
            "changePasswordOnFirstLogin": false,
            "uri": format!("{}/api/v2/users/{}", self.config.external_url, spec.id),
            "path": format!("/users/{}", spec.id),
        });
        if subresources && let Some(object) = me.as_object_mut() {
            object.insert("devices".into(), json!([self.render_device(index)]));
            object.insert(
                "channels".into(),
                json!([{ "channel": "voice", "userState": self.agents[index].user_state }]),
            );
            object.insert(
                "settings".into(),
                json!({ "agent-states": self.config.agent_states }),
            );
        }
        Some(me)
    }

    /// The user's devices.
    pub fn devices_of(&self, user: &str) -> Vec<Device> {
        self.agent_by_user(user)
            .map(|i| vec![self.render_device(i)])
            .unwrap_or_default()
    }

    /// One of the user's devices.
    pub fn device_of(&self, user: &str, device_id: &str) -> Option<Device> {
        self.own_device(user, device_id)
            .ok()
            .map(|i| self.render_device(i))
    }

    /// The URI of a device (for `uris` listings).
    pub fn device_uri_of(&self, device_id: &str) -> String {
        format!("{}/api/v2/me/devices/{device_id}", self.config.external_url)
    }

    /// The user's live calls (released calls are not listed), oldest first.
    pub fn calls_of(&self, now: u64, user: &str) -> Vec<Call> {
        let Some(agent) = self.agent_by_user(user) else {
            return Vec::new();
        };
        let mut parties = self.calls_of_agent(agent);
        parties.sort_by_key(|&p| (self.leg(p).created_ms, p));
        parties
            .into_iter()
            .map(|p| self.render_call(now, p))
            .collect()
    }

    /// One of the user's calls.
    pub fn call_of(&self, now: u64, user: &str, call_id: &str) -> Option<Call> {
        self.own_call(user, call_id)
            .ok()
            .map(|p| self.render_call(now, p))
    }

    /// A JSON dump of the whole model for `GET /sim/state`.
    pub fn snapshot(&self, now: u64) -> Value {
        let users: Vec<Value> = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "userName": a.spec.user_name,
                    "roles": a.spec.roles,
                    "dn": a.spec.dn,
                    "loggedIn": a.logged_in,
                    "device": self.render_device(i),
                    "calls": self.calls_of(now, &a.spec.user_name),
                })
            })
            .collect();
        let conversations: Vec<Value> = self
            .conversations
            .iter()
            .map(|(id, c)| {
                let parties: Vec<Value> = c
                    .parties
                    .iter()
                    .filter_map(|p| self.parties.get(p))
                    .map(|p| {
                        json!({
                            "number": p.number,
                            "state": p.state,
                            "callId": p.leg().map(|l| l.call_id.clone()),
                            "monitor": p.leg().and_then(|l| l.monitor.map(|m| m.mode.as_str())),
                        })
                    })
                    .collect();
                json!({ "id": id, "parties": parties, "userData": c.user_data })
            })
            .collect();
        json!({ "users": users, "conversations": conversations })
    }

    // ------------------------------------------------------------------------ reset

    fn reset_agent(&mut self, index: usize) {
        let initial = self.agents[index]
            .spec
            .initial_state
            .clone()
            .unwrap_or_else(|| "Ready".into());
        let state = self
            .config
            .agent_states
            .iter()
            .find(|s| {
                s.operation_name.as_deref() == Some(initial.as_str()) && s.reason_code.is_none()
            })
            .map(user_state_of)
            .unwrap_or_else(|| UserState {
                id: None,
                display_name: Some(initial.clone()),
                state: Some(initial.clone()),
                work_mode: None,
                reason: None,
            });
        let agent = self.agent_mut(index);
        agent.user_state = state;
        agent.dnd = false;
        agent.forward_to = None;
        agent.logged_in = true;
        agent.monitoring = None;
        agent.idle_since_ms = 0;
    }

    fn reset(&mut self, now: u64, out: &mut Out) {
        // Every agent sees their calls released (so open widgets clear), then the model empties.
        let parties: Vec<PartyId> = self.calls.values().copied().collect();
        for party in parties {
            self.set_state(party, CallState::Released);
            self.emit(now, party, out);
        }
        self.conversations.clear();
        self.parties.clear();
        self.calls.clear();
        self.agent_calls.clear();
        for index in 0..self.agents.len() {
            self.reset_agent(index);
            self.emit_device(index, out);
        }
    }
}

/// The `userState` a configured agent state produces.
fn user_state_of(spec: &AgentStateSetting) -> UserState {
    UserState {
        id: spec.id.clone(),
        display_name: spec.display_name.clone(),
        state: spec.state.clone(),
        work_mode: spec.work_mode.clone(),
        reason: spec.reason_code.clone(),
    }
}

/// Legs are looked up only by party ids the engine took from its own maps, so a miss is a bug
/// in the engine. Panicking is contained: [`Engine::handle`] works on a copy, so the committed
/// model stays consistent, and the server recovers the lock from poisoning.
#[track_caller]
fn unreachable_leg(party: PartyId) -> ! {
    panic!("engine invariant broken: party {party} is not an agent leg")
}

/// Whether `destination` is something a phone system could dial: digits, optionally a leading `+`.
fn is_dialable(destination: &str) -> bool {
    let digits = destination.strip_prefix('+').unwrap_or(destination);
    !digits.is_empty() && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The `destination` parameter of a call operation, checked for presence.
fn destination_of(request: &OperationRequest) -> Result<String, EngineError> {
    match &request.destination {
        None | Some(Value::Null) => Err(EngineError::MissingParameter(
            "Parameter 'destination' is missing".into(),
        )),
        Some(_) => request
            .destination_number()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                EngineError::MissingParameter(
                    "Parameter 'destination.phoneNumber' is missing".into(),
                )
            }),
    }
}

/// A user-data object parameter (`userData`), checked for presence and shape.
fn user_data_param(request: &OperationRequest) -> Result<Map<String, Value>, EngineError> {
    match &request.user_data {
        None | Some(Value::Null) => Err(EngineError::MissingParameter(
            "Parameter 'userData' is missing".into(),
        )),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(EngineError::Invalid(
            "Parameter 'userData' must be an object".into(),
        )),
    }
}

/// An optional user-data object parameter; a non-object is invalid.
fn optional_user_data(
    request: &OperationRequest,
) -> Result<Option<Map<String, Value>>, EngineError> {
    match &request.user_data {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(EngineError::Invalid(
            "Parameter 'userData' must be an object".into(),
        )),
    }
}

/// Resolves a call URI parameter (`otherCallUri`, `consultCallUri`) by its trailing id.
fn call_id_param(value: &Value, name: &str) -> Result<String, EngineError> {
    value
        .as_str()
        .and_then(gws_protocol::call::trailing_id)
        .map(str::to_string)
        .ok_or_else(|| EngineError::Invalid(format!("Parameter '{name}' is not a call URI")))
}

#[cfg(test)]
pub(crate) mod tests;
