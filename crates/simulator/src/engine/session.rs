//! The contact-center session (`POST /api/v2/me`, gws-api.md §2.5): StartContactCenterSession
//! logs the agent in to the voice channel on a place, EndContactCenterSession logs out and ends
//! the user's HTTP and CometD sessions.
//!
//! Places: each user's default place (`Place_<dn>` unless the users file names it) owns their
//! device. A device stays assigned to its user (gws-api.md §2.5, 8.5.0: "fail if a device is
//! already assigned to another user"), so another user's place is refused — "in use" while that
//! user is logged in on it, "assigned" otherwise — and only voice is simulated, so any other
//! channel fails on its own: statusCode 7 (partial success) when voice started.

use super::api::ChannelResult;
use super::{Engine, EngineError, Out};
use gws_protocol::api::OperationRequest;
use gws_protocol::{ApiStatus, Operation};
use serde_json::Value;

/// The only channel the simulator has.
const VOICE: &str = "voice";

impl Engine {
    /// `POST /api/v2/me`: StartContactCenterSession / EndContactCenterSession.
    pub(crate) fn session_operation(
        &mut self,
        now: u64,
        user: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let agent = self.agent_of(user)?;
        match request.operation_name {
            Operation::StartContactCenterSession => self.start_session(agent, request, out),
            Operation::EndContactCenterSession => self.end_session(now, agent, out),
            ref other => Err(EngineError::Invalid(format!(
                "Operation {other} is not a session operation (StartContactCenterSession, EndContactCenterSession)"
            ))),
        }
    }

    /// StartContactCenterSession {channels?, place?, loginCode?, queue?, devicePath?}: each
    /// channel started on its own; every channel failing → the voice channel's error (else the
    /// first one's); some failing → `partial`. Logging in again on the same place succeeds and
    /// notifies the device again.
    fn start_session(
        &mut self,
        agent: usize,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let channels = requested_channels(request)?;
        let mut results: Vec<(String, Result<(), EngineError>)> = Vec::new();
        for channel in channels {
            let result = if channel == VOICE {
                self.login_voice(agent, request, out)
            } else {
                Err(EngineError::Invalid(format!(
                    "Channel '{channel}' is not available: the simulator has the voice channel only"
                )))
            };
            results.push((channel, result));
        }
        if results.iter().all(|(_, r)| r.is_ok()) {
            return Ok(());
        }
        if results.iter().all(|(_, r)| r.is_err()) {
            let index = results.iter().position(|(c, _)| c == VOICE).unwrap_or(0);
            return results.swap_remove(index).1;
        }
        out.outcome.partial = Some(
            results
                .into_iter()
                .map(|(channel, result)| ChannelResult {
                    channel,
                    status: match result {
                        Ok(()) => ApiStatus::ok(),
                        Err(error) => ApiStatus::error(error.status_code(), error.to_string()),
                    },
                })
                .collect(),
        );
        Ok(())
    }

    /// Logs `agent` in to voice on the requested place (default: theirs), NotReady; already
    /// logged in there → the device is notified again.
    fn login_voice(
        &mut self,
        agent: usize,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        for name in ["loginCode", "queue", "devicePath"] {
            optional_text(request, name)?;
        }
        if let Some(place) = optional_text(request, "place")? {
            let owner = self
                .agent_by_place(&place)
                .ok_or_else(|| EngineError::NotFound(format!("Place '{place}' not found")))?;
            if owner != agent {
                let holder = &self.agents[owner];
                let (user, dn) = (&holder.spec.user_name, &holder.spec.dn);
                return Err(EngineError::Busy(if holder.logged_in {
                    format!("Place '{place}' is in use: {user} is logged in on its device {dn}")
                } else {
                    format!("Place '{place}': its device {dn} is assigned to {user}")
                }));
            }
        }
        if !self.agents[agent].logged_in {
            let state = self
                .config
                .user_state_or("NotReady", None, "Not Ready", "NotReady");
            let a = self.agent_mut(agent);
            a.logged_in = true;
            a.user_state = state;
        }
        self.emit_device(agent, out);
        Ok(())
    }

    /// EndContactCenterSession: refused while the device has calls (a supervisor's monitoring
    /// call is left); otherwise logs out (monitoring cancelled), notifies the `Inactive` device
    /// and ends the user's HTTP and CometD sessions. Already logged out: the sessions end all
    /// the same (it is the client's last request either way).
    fn end_session(&mut self, now: u64, agent: usize, out: &mut Out) -> Result<(), EngineError> {
        let live = self
            .calls_of_agent(agent)
            .into_iter()
            .filter(|&p| !self.is_monitor(p))
            .count();
        if live > 0 {
            let dn = &self.agents[agent].spec.dn;
            return Err(EngineError::Invalid(format!(
                "Cannot log out of voice with {live} call(s) on DN {dn}: hang up first"
            )));
        }
        if self.agent_mut(agent).monitoring.take().is_some() {
            self.leave_monitoring_call(now, agent, out);
        }
        self.agent_mut(agent).logged_in = false;
        self.emit_device(agent, out);
        let user = self.agents[agent].spec.user_name.clone();
        out.outcome.ended_sessions.push(user);
        Ok(())
    }
}

/// The requested channels, duplicates dropped: absent or `null` → voice; not an array → 2;
/// empty → 1. A non-string entry is a channel that fails (named by its JSON).
fn requested_channels(request: &OperationRequest) -> Result<Vec<String>, EngineError> {
    let list = match &request.channels {
        None | Some(Value::Null) => return Ok(vec![VOICE.into()]),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(EngineError::Invalid(format!(
                "channels must be an array of channel names, not {other}"
            )));
        }
    };
    if list.is_empty() {
        return Err(EngineError::MissingParameter(
            "Parameter 'channels' is empty".into(),
        ));
    }
    let mut channels: Vec<String> = Vec::new();
    for value in list {
        let name = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        if !channels.contains(&name) {
            channels.push(name);
        }
    }
    Ok(channels)
}

/// An optional string parameter (a number is taken as its digits); another type → 2.
fn optional_text(request: &OperationRequest, name: &str) -> Result<Option<String>, EngineError> {
    match request.other.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if !text.is_empty() => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(EngineError::Invalid(format!(
            "{name} must be a non-empty string, not {other}"
        ))),
    }
}
