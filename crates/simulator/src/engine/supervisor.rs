//! Supervisor monitoring: the supervisor's own call while monitoring, SwitchTo*, and
//! MuteMonitoredUser / UnmuteMonitoredUser.

use super::{ConvId, Engine, EngineError, MonitorMode, Out, PartyId};

impl Engine {
    /// Brings in every supervisor whose monitoring is armed on an agent talking in `conv`.
    pub(crate) fn join_armed_supervisors(&mut self, _now: u64, _conv: ConvId, _out: &mut Out) {}

    /// After a monitored call ended: `NextCall` monitoring is cancelled.
    pub(crate) fn disarm_next_call_monitoring(&mut self, _agent: usize, _out: &mut Out) {}

    /// A supervisor joined or left: the monitored agents' `supervisorListeningIn` changed.
    pub(crate) fn emit_monitored_flag(&mut self, _now: u64, _conv: ConvId, _out: &mut Out) {}

    /// `SwitchToListenIn` / `SwitchToBargeIn` / `SwitchToCoach`.
    pub(crate) fn switch_monitor(
        &mut self,
        _now: u64,
        _party: PartyId,
        _mode: MonitorMode,
        _out: &mut Out,
    ) -> Result<(), EngineError> {
        Err(EngineError::Invalid("not supported yet".into()))
    }

    /// `MuteMonitoredUser` / `UnmuteMonitoredUser`.
    pub(crate) fn mute_monitored_user(
        &mut self,
        _now: u64,
        _party: PartyId,
        _mute: bool,
        _out: &mut Out,
    ) -> Result<(), EngineError> {
        Err(EngineError::Invalid("not supported yet".into()))
    }
}
