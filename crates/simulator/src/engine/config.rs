//! Configuration and fixtures: the users and agent states a simulator starts with, the
//! reserved numbers with scripted behaviour.
//!
//! Why apart from the model: these are inputs fixed at start (from flags and `--config`), shared
//! by every copy of the model through an `Arc`; nothing here changes while commands run.

use super::ids;
use gws_protocol::UserState;
use gws_protocol::api::AgentStateSetting;
use serde::{Deserialize, Serialize};

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
    /// The user's default place, which owns their device (`None`: `Place_<dn>`).
    /// StartContactCenterSession without `place` logs in there.
    #[serde(default)]
    pub place: Option<String>,
}

impl UserSpec {
    pub(crate) fn is_supervisor(&self) -> bool {
        self.roles.iter().any(|role| role == "ROLE_SUPERVISOR")
    }

    /// The name of the user's default place: the configured one, else `Place_<dn>`.
    pub fn place_name(&self) -> String {
        self.place
            .clone()
            .unwrap_or_else(|| format!("Place_{}", self.dn))
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
    /// Whether agents start (and return on `/sim/reset`) logged in to the voice channel.
    /// Off by default: after a real GWS restart every agent is logged out until their client
    /// sends StartContactCenterSession; on for load tests that need agents taking calls at once.
    pub agents_logged_in: bool,
}

impl EngineConfig {
    /// The configured agent state of `operation` (with NotReady `reason`), if any.
    pub(crate) fn agent_state(
        &self,
        operation: &str,
        reason: Option<&str>,
    ) -> Option<&AgentStateSetting> {
        self.agent_states.iter().find(|s| {
            s.operation_name.as_deref() == Some(operation) && s.reason_code.as_deref() == reason
        })
    }

    /// The `userState` `operation` leads to: the configured one, else a bare state named
    /// `display` / `state`. Why a fallback: a `--config` may list agent states without the
    /// plain Ready / NotReady / AfterCallWork entries, and agents must still be able to change
    /// state (and start, after `/sim/reset`, in their initial one).
    pub(crate) fn user_state_or(
        &self,
        operation: &str,
        reason: Option<&str>,
        display: &str,
        state: &str,
    ) -> UserState {
        self.agent_state(operation, reason)
            .map(user_state_of)
            .unwrap_or_else(|| UserState {
                id: Default::default(),
                display_name: display.into(),
                state: state.into(),
                work_mode: Default::default(),
                reason: Default::default(),
            })
    }

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
                    place: None,
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
                id: id.into(),
                display_name: display.into(),
                state: state.into(),
                operation_name: op.into(),
                reason_code: reason.map(Into::into).into(),
                work_mode: mode.map(Into::into).into(),
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
            state(
                "2B36138D-0005-4A5B-8C9D-0E1F2A3B4C05",
                "AuxWork",
                "NotReady",
                "AuxWork",
                None,
                Some("AuxWork"),
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
            agents_logged_in: false,
        }
    }
}

/// The `userState` a configured agent state produces.
pub(crate) fn user_state_of(spec: &AgentStateSetting) -> UserState {
    UserState {
        id: spec.id.clone(),
        display_name: spec.display_name.clone(),
        state: spec.state.clone(),
        work_mode: spec.work_mode.clone(),
        reason: spec.reason_code.clone(),
    }
}
