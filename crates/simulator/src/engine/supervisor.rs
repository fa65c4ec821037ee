//! Supervisor monitoring: bringing an armed supervisor into the monitored agent's call, the
//! supervisor's own call (`SwitchTo*`, `MuteMonitoredUser`), and leaving it.
//!
//! The supervisor's call lists the other parties (customer and agent, seed 003), has the DNIS of
//! the monitored agent, `mute` On in ListenIn, and capabilities K / L of gws-api.md §10.1.
//! Monitored agents see `supervisorListeningIn: true` while a supervisor is on their call;
//! supervisors never appear in anybody's `participants`.

use super::{Engine, EngineError, MonitorMode, Out, PartyId};
use gws_protocol::notification::NotificationType;

impl Engine {
    /// `SwitchToListenIn` / `SwitchToBargeIn` / `SwitchToCoach` on the supervisor's call:
    /// a `StatusChange` with the new `mute` (On only in ListenIn) and capabilities. Once Coach
    /// is left it is not offered again (seed 003).
    pub(crate) fn switch_monitor(
        &mut self,
        now: u64,
        party: PartyId,
        mode: MonitorMode,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let leg = self.leg_mut(party);
        let Some(monitor) = leg.monitor.as_mut() else {
            return Err(EngineError::Invalid(
                "Only a supervisor's monitoring call can switch mode".into(),
            ));
        };
        if monitor.mode == MonitorMode::Coach && mode != MonitorMode::Coach {
            monitor.coach_left = true;
        }
        monitor.mode = mode;
        leg.mute = mode == MonitorMode::ListenIn;
        self.emit(now, party, out);
        Ok(())
    }

    /// `MuteMonitoredUser` / `UnmuteMonitoredUser`: `MonitoredUserMutedStateChange` with
    /// `monitoredUserMuted` true / false on the supervisor's call.
    pub(crate) fn mute_monitored_user(
        &mut self,
        now: u64,
        party: PartyId,
        mute: bool,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        self.leg_mut(party).monitored_user_muted = mute;
        self.emit_kind(
            now,
            party,
            NotificationType::MonitoredUserMutedStateChange,
            out,
        );
        Ok(())
    }
}
