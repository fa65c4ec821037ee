//! The call model: a pure state machine from commands to notifications.
//!
//! Why pure: the seeds fix the exact sequence of notifications an operation causes, and the only
//! way to check that cheaply is to run the model without sockets or clocks. The caller supplies
//! `now_ms`; the engine returns what to publish (each notification addressed to a user) and which
//! timers to schedule ("the simulated phone answers in 1000 ms"). The server owns the real clock
//! and the CometD fan-out.
//!
//! Model: a *conversation* is one physical call (T-Server call) joining *parties*. A party is
//! either a simulated phone (just a number) or an agent device; an agent party carries a leg,
//! the GWS call resource that agent sees (`/api/v2/me/calls/{id}`). Transfers and conferences
//! move parties between conversations; a conversation with fewer than two talking parties ends.
//!
//! Layout, by concern (each layer uses only the layers above it):
//! - [`config`]: users, agent states and reserved numbers (inputs fixed at start);
//!   [`api`]: [`Command`], [`Outcome`], [`EngineError`], ids — what callers see;
//!   `params.rs`: parameter parsing shared by the operations (pure functions of the request)
//!   and the bound on a call's user data.
//! - `model/`: the types and the primitives that keep the model consistent — lookups
//!   (`model/lookup.rs`), adding/moving/forgetting parties (`model/build.rs`), where a dialled
//!   number goes and how it rings (`model/routing.rs`).
//! - [`capabilities`]: capability sets from call state and context (gws-api.md §10.1);
//!   `render.rs`: calls and devices as GWS resources, every `emit_*`.
//! - `lifecycle.rs`: connecting, leaving, releasing a leg, merging into a conference — the steps
//!   every operation shares, with their notifications.
//! - `operands.rs`: the destination of a consultation, the held/active pair of
//!   Complete*/Swap/Merge — operands several operation families resolve the same way.
//! - `monitoring.rs`: the pass that brings armed supervisors into calls; `refresh.rs`: the
//!   capability refresh; both run after every command.
//! - Commands, one file per operation family, each depending only on the layers above, never
//!   on another command file: `inject.rs` (`/sim/calls`, remote hang-ups, queue routing),
//!   `answer_hangup.rs` (Answer, Hangup, the simulated phones' answer/busy timers), `dial.rs`,
//!   `hold.rs`, `transfer.rs`, `conference.rs`, `swap_merge.rs`, `dtmf_mute.rs`, `user_data.rs`,
//!   `supervisor.rs`, `recording.rs`, `agent.rs` (agent state, device operations),
//!   `session.rs` (the contact-center session: voice login on a place, logout),
//!   `reset.rs` (`/sim/reset`).
//! - `queries.rs`: read-only views for REST and `/sim/state`; [`persist`]: the model as data for
//!   `--state-file`; [`ids`]: callUuid-style ids and 16-hex connIds.
//! - this file: [`Engine::new`], [`Engine::handle`] and the routing of commands to their files.

pub mod api;
pub mod capabilities;
pub mod config;
pub mod ids;
pub mod persist;

// The layers the commands are built on (see the layout above).
mod lifecycle;
mod model;
mod monitoring;
mod operands;
mod params;
mod queries;
mod refresh;
mod render;

// Commands: one file per operation family; none uses another.
mod agent;
mod answer_hangup;
mod conference;
mod dial;
mod dtmf_mute;
mod hold;
mod inject;
mod recording;
mod reset;
mod session;
mod supervisor;
mod swap_merge;
mod transfer;
mod user_data;

pub use api::{
    Addressed, ChannelResult, Command, ConvId, EngineError, Outcome, PartyId, Timer, TimerEvent,
    error_codes,
};
pub use capabilities::{CallContext, MonitorMode, Recording};
pub use config::{EngineConfig, UserSpec, reserved};
pub use model::{DISPOSITION_REPORTS, Engine, RECENT_RELEASED_PER_AGENT};
pub use params::{USER_DATA_MAX_BYTES, USER_DATA_MAX_KEYS};

pub(crate) use api::Out;
use model::{Agent, AgentIndex};

use gws_protocol::api::OperationRequest;
use gws_protocol::{Operation, UserState};
use imbl::{OrdMap, Vector};
use std::sync::Arc;

impl Engine {
    /// A fresh model: every agent idle in their initial state (logged in to voice only with
    /// [`EngineConfig::agents_logged_in`]), no calls.
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
                    released: Vector::new(),
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
            dispositions: Vector::new(),
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

    /// Routes a command to the file of its family.
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
            } if request.operation_name == Operation::SetCallDisposition => {
                self.device_disposition(now, &user, &device_id, &request, out)
            }
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

    /// SetCallDisposition posted on the device (`callUuid` / `callUri` name the call), the
    /// form the older sample and the iOS client use, and the only one that reaches a call after
    /// its release (`/api/v2/me/calls/{id}` is then 404, and stays so: the resource is gone).
    /// A live call of the agent gets exactly the call-level operation (`AttachedDataChanged` to
    /// every agent on the conversation); a recently released one is reported without any
    /// notification (`user_data.rs`). Accepted although no device capability lists it
    /// ([`capabilities::device_capabilities`]).
    fn device_disposition(
        &mut self,
        now: u64,
        user: &str,
        device_id: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        match self.disposition_target(user, device_id, request)? {
            user_data::DispositionTarget::Live(call_id) => {
                self.call_operation(now, user, &call_id, request, out)
            }
            user_data::DispositionTarget::Released(agent, call) => {
                self.report_disposition(now, agent, &call, request)
            }
        }
    }

    /// Routes a fired timer to what the simulated phone does.
    fn timer(&mut self, now: u64, event: TimerEvent, out: &mut Out) {
        match event {
            TimerEvent::PhoneAnswers { party } => self.phone_answers(now, party, out),
            TimerEvent::PhoneBusy { party } => self.phone_busy(now, party, out),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
