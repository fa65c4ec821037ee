//! Agent state (`/me/channels/voice`) and device operations (`/me/devices/{id}`) of a
//! logged-in agent. Results are `DeviceStateChangeMessage`s on `/v2/me/devices`.

use super::config::user_state_of;
use super::model::MonitoringSetup;
use super::params::{call_id_param, is_dialable};
use super::{Engine, EngineError, MonitorMode, Out};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use serde_json::Value;

impl Engine {
    /// `Ready {workmode?}` / `NotReady {reasonCode?}` / `AfterCallWork {wrapUpTime?}` /
    /// `AuxWork` on `/api/v2/me/channels/voice`. A NotReady reason must be one of the configured codes
    /// (`GET /api/v2/settings/agent-states`).
    pub(crate) fn agent_state_operation(
        &mut self,
        _now: u64,
        user: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let agent = self.require_logged_in(self.agent_of(user)?)?;
        let operation = request.operation_name.as_str().to_string();
        let state = match request.operation_name {
            Operation::Ready => {
                let mut state = self.config.user_state_or("Ready", None, "Ready", "Ready");
                match &request.workmode {
                    None | Some(Value::Null) => {}
                    Some(Value::String(mode)) if mode == "ManualIn" || mode == "AutoIn" => {
                        state.work_mode = Some(mode.clone()).into();
                    }
                    Some(other) => {
                        return Err(EngineError::Invalid(format!(
                            "workmode {other} is not ManualIn or AutoIn"
                        )));
                    }
                }
                state
            }
            Operation::NotReady => {
                let reason = match request
                    .reason_code
                    .as_ref()
                    .or_else(|| request.other.get("reason"))
                {
                    None | Some(Value::Null) => None,
                    Some(Value::String(code)) if !code.is_empty() => Some(code.clone()),
                    Some(other) => {
                        return Err(EngineError::Invalid(format!(
                            "reasonCode {other} must be a string"
                        )));
                    }
                };
                match reason {
                    None => self
                        .config
                        .user_state_or("NotReady", None, "Not Ready", "NotReady"),
                    Some(code) => self
                        .config
                        .agent_state("NotReady", Some(&code))
                        .map(user_state_of)
                        .ok_or_else(|| {
                            EngineError::Invalid(format!("Unknown NotReady reason code '{code}'"))
                        })?,
                }
            }
            Operation::AfterCallWork => {
                if let Some(time) = &request.wrap_up_time
                    && !(time.is_null() || time.is_string() || time.is_number())
                {
                    return Err(EngineError::Invalid(
                        "wrapUpTime must be a string of seconds".into(),
                    ));
                }
                let mut state =
                    self.config
                        .user_state_or("AfterCallWork", None, "AfterCallWork", "NotReady");
                state.work_mode = "AfterCallWork".into();
                state
            }
            // gws-api.md §5.1 [doc AgentStateAuxWork]: `NotReady` in work mode `AuxWork`.
            Operation::AuxWork => {
                let mut state = self
                    .config
                    .user_state_or("AuxWork", None, "AuxWork", "NotReady");
                state.work_mode = "AuxWork".into();
                state
            }
            _ => {
                return Err(EngineError::Invalid(format!(
                    "Operation {operation} is not an agent-state operation (Ready, NotReady, AfterCallWork, AuxWork)"
                )));
            }
        };
        self.agent_mut(agent).user_state = state;
        self.emit_device(agent, out);
        Ok(())
    }

    /// `POST /api/v2/me/devices/{id}`: DoNotDisturbOn/Off, ForwardCallsOn {destination} /
    /// ForwardCallsOff, and for supervisors ListenIn / Coach / BargeIn {targetDeviceUri |
    /// phoneNumber, supervisorMonitoringScope?, supervisorMonitoringMode?} and
    /// CancelSupervisorMonitoring. Only operations in the device's capabilities are accepted.
    /// (SetCallDisposition on the device is about a call, not the device: it is routed to
    /// `user_data.rs` before this, see `Engine::device_disposition`.)
    pub(crate) fn device_operation(
        &mut self,
        now: u64,
        user: &str,
        device_id: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let agent = self.require_logged_in(self.own_device(user, device_id)?)?;
        let operation = &request.operation_name;
        let device = self.render_device(agent);
        if !device.capabilities.contains(operation) {
            return Err(EngineError::Invalid(format!(
                "Operation {operation} is not allowed on device {device_id} now"
            )));
        }
        match operation {
            Operation::DoNotDisturbOn => self.agent_mut(agent).dnd = true,
            Operation::DoNotDisturbOff => self.agent_mut(agent).dnd = false,
            Operation::ForwardCallsOn => {
                let destination = match &request.destination {
                    None | Some(Value::Null) => {
                        return Err(EngineError::MissingParameter(
                            "Parameter 'destination' is missing".into(),
                        ));
                    }
                    Some(_) => request
                        .destination_number()
                        .map(|d| d.trim().to_string())
                        .unwrap_or_default(),
                };
                if !is_dialable(&destination) || destination == self.agents[agent].spec.dn {
                    return Err(EngineError::Invalid(format!(
                        "Cannot forward to '{destination}'"
                    )));
                }
                self.agent_mut(agent).forward_to = Some(destination);
            }
            Operation::ForwardCallsOff => self.agent_mut(agent).forward_to = None,
            Operation::ListenIn => {
                self.arm_monitoring(now, agent, MonitorMode::ListenIn, request, out)?
            }
            Operation::Coach => {
                self.arm_monitoring(now, agent, MonitorMode::Coach, request, out)?
            }
            Operation::BargeIn => {
                self.arm_monitoring(now, agent, MonitorMode::BargeIn, request, out)?
            }
            Operation::CancelSupervisorMonitoring => {
                self.agent_mut(agent).monitoring = None;
                self.emit_device(agent, out);
                self.leave_monitoring_call(now, agent, out);
                return Ok(());
            }
            other => {
                return Err(EngineError::Invalid(format!(
                    "Operation {other} is not a device operation"
                )));
            }
        }
        self.emit_device(agent, out);
        Ok(())
    }

    /// Validates and stores a supervisor's monitoring set-up. The supervisor is brought into
    /// the target's current call by the engine's monitoring pass.
    fn arm_monitoring(
        &mut self,
        now: u64,
        supervisor: usize,
        mode: MonitorMode,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let by_uri = match &request.target_device_uri {
            None | Some(Value::Null) => None,
            Some(value) => Some(call_id_param(value, "targetDeviceUri")?),
        };
        let target = match (
            by_uri,
            request.phone_number.as_ref().and_then(Value::as_str),
        ) {
            (Some(device), _) => self.agent_by_device(&device),
            (None, Some(dn)) => self.agent_by_dn(dn),
            (None, None) => {
                return Err(EngineError::MissingParameter(
                    "Parameter 'targetDeviceUri' is missing".into(),
                ));
            }
        }
        .ok_or_else(|| EngineError::NotFound("Target device not found".into()))?;
        if target == supervisor {
            return Err(EngineError::Invalid(
                "A supervisor cannot monitor their own device".into(),
            ));
        }
        let taken = self.agents.iter().enumerate().any(|(i, a)| {
            i != supervisor
                && a.monitoring
                    .as_ref()
                    .is_some_and(|m| m.target_device == target)
        });
        if taken {
            return Err(EngineError::Invalid(
                "That device is already monitored by another supervisor".into(),
            ));
        }
        let text =
            |value: &Option<Value>| value.as_ref().and_then(Value::as_str).map(str::to_string);
        let scope = text(&request.supervisor_monitoring_scope).unwrap_or_else(|| "Call".into());
        if scope != "Call" && scope != "Agent" {
            return Err(EngineError::Invalid(format!(
                "supervisorMonitoringScope '{scope}' is not Agent or Call"
            )));
        }
        let all_calls = match text(&request.supervisor_monitoring_mode).as_deref() {
            None | Some("AllCalls") => true,
            Some("NextCall") => false,
            Some(other) => {
                return Err(EngineError::Invalid(format!(
                    "supervisorMonitoringMode '{other}' is not NextCall or AllCalls"
                )));
            }
        };
        // Re-arming replaces the previous set-up (and its call, if another agent was monitored).
        if self.agents[supervisor]
            .monitoring
            .as_ref()
            .is_some_and(|m| m.target_device != target)
        {
            self.leave_monitoring_call(now, supervisor, out);
        }
        self.agent_mut(supervisor).monitoring = Some(MonitoringSetup {
            mode,
            target_device: target,
            all_calls,
            scope,
            joined: None,
        });
        Ok(())
    }
}
