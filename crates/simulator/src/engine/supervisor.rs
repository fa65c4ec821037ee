//! Supervisor monitoring: bringing an armed supervisor into the monitored agent's call, the
//! supervisor's own call (`SwitchTo*`, `MuteMonitoredUser`), and leaving it.
//!
//! The supervisor's call lists the other parties (customer and agent, seed 003), has the DNIS of
//! the monitored agent, `mute` On in ListenIn, and capabilities K / L of gws-api.md §10.1.
//! Monitored agents see `supervisorListeningIn: true` while a supervisor is on their call;
//! supervisors never appear in anybody's `participants`.

use super::{
    Arc, CallState, CallType, ConvId, Engine, EngineError, MonitorLeg, MonitorMode,
    NotificationType, Out, PartyId,
};

impl Engine {
    /// The monitoring pass, run after every command: brings armed supervisors into the call
    /// their target is talking on, and retires `NextCall` set-ups whose call is over.
    pub(crate) fn monitoring_pass(&mut self, now: u64, out: &mut Out) {
        // Only supervisors can arm monitoring (their device alone lists ListenIn/Coach/BargeIn),
        // so the pass visits them, not every agent.
        let index = Arc::clone(&self.index);
        for &supervisor in &index.supervisors {
            let Some(setup) = self.agents[supervisor].monitoring.clone() else {
                continue;
            };
            if self.monitoring_leg(supervisor).is_some() {
                continue;
            }
            if let Some(joined) = setup.joined {
                if !setup.all_calls {
                    self.agent_mut(supervisor).monitoring = None;
                    self.emit_device(supervisor, out);
                    continue;
                }
                let still_there = self
                    .agent_parties(joined)
                    .iter()
                    .any(|&p| !self.is_monitor(p) && self.leg(p).agent == setup.target_device);
                if still_there {
                    // The supervisor left this call on purpose: wait for the next one.
                    continue;
                }
                if let Some(m) = self.agent_mut(supervisor).monitoring.as_mut() {
                    m.joined = None;
                }
            }
            let target_call = self
                .calls_of_agent(setup.target_device)
                .into_iter()
                .find(|&p| self.state(p) == CallState::Established && !self.is_monitor(p));
            if let Some(target) = target_call {
                let conv = self.conv_of(target);
                self.join_monitoring(now, supervisor, setup.mode, target, conv, out);
            }
        }
    }

    fn monitoring_leg(&self, supervisor: usize) -> Option<PartyId> {
        self.calls_of_agent(supervisor)
            .into_iter()
            .find(|&p| self.is_monitor(p))
    }

    fn join_monitoring(
        &mut self,
        now: u64,
        supervisor: usize,
        mode: MonitorMode,
        target: PartyId,
        conv: ConvId,
        out: &mut Out,
    ) {
        let dnis = self.agents[self.leg(target).agent].spec.dn.clone();
        let party = self.add_agent(
            now,
            conv,
            supervisor,
            CallState::Established,
            CallType::Internal,
            &dnis,
        );
        let leg = self.leg_mut(party);
        leg.monitor = Some(MonitorLeg {
            mode,
            coach_left: false,
        });
        leg.mute = mode == MonitorMode::ListenIn;
        if let Some(m) = self.agent_mut(supervisor).monitoring.as_mut() {
            m.joined = Some(conv);
        }
        self.emit(now, party, out);
        self.emit_monitored_flag(now, conv, out);
    }

    /// A supervisor joined or left: the monitored agents' `supervisorListeningIn` changed.
    pub(crate) fn emit_monitored_flag(&mut self, now: u64, conv: ConvId, out: &mut Out) {
        for party in self.agent_parties(conv) {
            if !self.is_monitor(party) && self.state(party) != CallState::Ringing {
                self.emit(now, party, out);
            }
        }
    }

    /// The supervisor's monitoring call (if any) ends for them.
    pub(crate) fn leave_monitoring_call(&mut self, now: u64, supervisor: usize, out: &mut Out) {
        if let Some(party) = self.monitoring_leg(supervisor) {
            self.leave(now, party, out);
        }
    }

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
