//! The monitoring pass, run after every command: brings armed supervisors into the call their
//! target is talking on, retires `NextCall` set-ups whose call is over, and takes a supervisor
//! out of their monitoring call when monitoring is cancelled or replaced.
//!
//! Why not in a command file: monitoring follows from any command (an Answer, a transfer, a
//! device operation), so [`Engine::handle`] runs it after each one; the supervisor's own
//! operations (`SwitchTo*`, `MuteMonitoredUser`) stay in `supervisor.rs`.

use super::capabilities::MonitorMode;
use super::model::MonitorLeg;
use super::{ConvId, Engine, Out, PartyId};
use gws_protocol::{CallState, CallType};
use std::sync::Arc;

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
            // Not a call the supervisor is already talking on: their device would be on it
            // twice, listening to themselves.
            let target_call = self
                .calls_of_agent(setup.target_device)
                .into_iter()
                .find(|&p| {
                    self.state(p) == CallState::Established
                        && !self.is_monitor(p)
                        && !self
                            .agent_parties(self.conv_of(p))
                            .into_iter()
                            .any(|q| self.leg(q).agent == supervisor)
                });
            if let Some(target) = target_call {
                let conv = self.conv_of(target);
                self.join_monitoring(now, supervisor, setup.mode, target, conv, out);
            }
        }
    }

    /// The supervisor's monitoring call, if they are on one.
    pub(crate) fn monitoring_leg(&self, supervisor: usize) -> Option<PartyId> {
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

    /// The supervisor's monitoring call (if any) ends for them.
    pub(crate) fn leave_monitoring_call(&mut self, now: u64, supervisor: usize, out: &mut Out) {
        if let Some(party) = self.monitoring_leg(supervisor) {
            self.leave(now, party, out);
        }
    }
}
