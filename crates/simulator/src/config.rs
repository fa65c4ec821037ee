//! Runtime configuration: command-line flags plus the optional JSON users file.

use crate::engine::{EngineConfig, UserSpec};
use gws_protocol::api::AgentStateSetting;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything the server needs besides the listener.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Base of every `uri` field; `None` = `http://<listener address>`.
    pub external_url: Option<String>,
    /// How long simulated phones take to answer (or to report busy).
    pub answer_delay_ms: u64,
    /// How long a `/meta/connect` is held.
    pub cometd_timeout_ms: u64,
    /// How long a CometD session survives without a connect.
    pub max_interval_ms: u64,
    /// Whether POST/PUT/DELETE need the CSRF token.
    pub csrf: bool,
    /// The built widget to serve at `/` (`None`: the "how to build it" page).
    pub static_dir: Option<PathBuf>,
    /// Users and their devices.
    pub users: Vec<UserSpec>,
    /// Agent states (NotReady reason codes) for `/api/v2/settings/agent-states`.
    pub agent_states: Vec<AgentStateSetting>,
    /// Generate inbound traffic for demos.
    pub autopilot: bool,
    /// Mean time between autopilot calls.
    pub autopilot_interval_ms: u64,
    /// Simulate call recording (`recordingState`, Start/Pause/Resume/StopCallRecording).
    pub recording: bool,
    /// List `MuteCall` in the capabilities of an agent's established, unmuted call.
    pub advertise_mute: bool,
    /// Keep the engine's state in this file across restarts ([`crate::state_file`]).
    pub state_file: Option<PathBuf>,
    /// Start agents (and return them on `/sim/reset`) logged in to voice (`--agents-logged-in`,
    /// or `"agentsLoggedIn": true` in the users file); off: logged out, as after a real GWS
    /// restart, until StartContactCenterSession.
    pub agents_logged_in: bool,
    /// Origins (`scheme://host[:port]`) besides the loopback ones whose pages may call `/api`
    /// and `/sim` with credentials (`--allow-origin`, repeatable; [`crate::guard`]).
    pub allow_origins: Vec<String>,
    /// `Host` values besides the loopback names the simulator answers to (`--allow-host`,
    /// repeatable; `name` = any port, `name:port` = that port only; [`crate::guard`]).
    pub allow_hosts: Vec<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            external_url: None,
            answer_delay_ms: 1000,
            cometd_timeout_ms: 30_000,
            max_interval_ms: 10_000,
            csrf: true,
            static_dir: None,
            users: EngineConfig::builtin_users(),
            agent_states: EngineConfig::default_agent_states(),
            autopilot: false,
            autopilot_interval_ms: 8000,
            recording: false,
            advertise_mute: false,
            state_file: None,
            agents_logged_in: false,
            allow_origins: Vec::new(),
            allow_hosts: Vec::new(),
        }
    }
}

/// One user in the `--config` file; only `userName`, `password` and `dn` are required.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserEntry {
    user_name: String,
    password: String,
    dn: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    roles: Option<Vec<String>>,
    #[serde(default)]
    device_id: Option<String>,
    #[serde(default)]
    initial_state: Option<String>,
    #[serde(default)]
    place: Option<String>,
}

/// The `--config` file: `{"users":[…], "agentStates":[…], "agentsLoggedIn":bool}`, all
/// optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    users: Option<Vec<UserEntry>>,
    /// `true` turns `--agents-logged-in` on (`false` does not turn the flag off).
    #[serde(default)]
    agents_logged_in: bool,
    #[serde(default)]
    agent_states: Option<Vec<AgentStateSetting>>,
}

/// Why the config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Unreadable file.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not the expected JSON.
    #[error("invalid config {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// Duplicate user names, DNs, device ids or places.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl SimConfig {
    /// Replaces users / agent states with those of a JSON config file.
    pub fn load_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: ConfigFile =
            serde_json::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_path_buf(),
                source,
            })?;
        if let Some(users) = file.users {
            self.users = users
                .into_iter()
                .map(|u| UserSpec {
                    id: u
                        .id
                        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()),
                    first_name: u.first_name.unwrap_or_else(|| u.user_name.clone()),
                    last_name: u.last_name.unwrap_or_default(),
                    roles: u.roles.unwrap_or_else(|| vec!["ROLE_AGENT".into()]),
                    device_id: u
                        .device_id
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                    user_name: u.user_name,
                    password: u.password,
                    dn: u.dn,
                    initial_state: u.initial_state,
                    place: u.place,
                })
                .collect();
        }
        if let Some(states) = file.agent_states {
            self.agent_states = states;
        }
        self.agents_logged_in |= file.agents_logged_in;
        self.validate()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::BTreeSet::new();
        for user in &self.users {
            for key in [
                format!("user {}", user.user_name),
                format!("dn {}", user.dn),
                format!("device {}", user.device_id),
                format!("place {}", user.place_name()),
            ] {
                if !seen.insert(key.clone()) {
                    return Err(ConfigError::Invalid(format!("duplicate {key}")));
                }
            }
        }
        Ok(())
    }

    /// The engine configuration for a resolved external URL.
    pub fn engine_config(&self, external_url: &str) -> EngineConfig {
        let random = uuid::Uuid::new_v4();
        let bytes = random.as_bytes();
        let base = u64::from_be_bytes([0, 0x71, 0x02, bytes[0], bytes[1], bytes[2], 0, 0]);
        EngineConfig {
            external_url: external_url.trim_end_matches('/').to_string(),
            answer_delay_ms: self.answer_delay_ms,
            users: self.users.clone(),
            agent_states: self.agent_states.clone(),
            id_prefix: crate::engine::ids::prefix_from_bytes(&bytes[3..]),
            conn_id_base: base,
            recording: self.recording,
            advertise_mute: self.advertise_mute,
            agents_logged_in: self.agents_logged_in,
        }
    }
}

/// The default `--static-dir`: `dist` in the working directory if it exists, else the
/// workspace's `dist` (next to this crate's `../../`).
pub fn default_static_dir() -> PathBuf {
    let local = PathBuf::from("dist");
    if local.join("index.html").is_file() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist")
}
