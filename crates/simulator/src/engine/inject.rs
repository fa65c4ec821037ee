//! Calls that enter from outside (`/sim/calls`), queue routing, remote hang-ups, and the routing
//! of a dialled number to an agent device or a simulated phone.

use super::model::PartyKind;
use super::model::routing::{PhoneBehaviour, Target};
use super::params::{check_user_data_bound, is_dialable};
use super::{Engine, EngineError, Out, PartyId};
use gws_protocol::{CallState, CallType};
use serde_json::{Map, Value};

impl Engine {
    /// `/sim/calls`: the simulated phone `from` calls an agent DN (or the queue). Its user data
    /// is bounded like an agent's (`params.rs`): the control API must not build a call the
    /// widget cannot read.
    pub(crate) fn inject_call(
        &mut self,
        now: u64,
        from: &str,
        to: &str,
        user_data: Option<Map<String, Value>>,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        if self.agent_by_dn(from).is_some() {
            return Err(EngineError::Invalid(format!(
                "'from' must be a simulated phone, {from} is an agent DN (agents use Dial)"
            )));
        }
        if !is_dialable(from) {
            return Err(EngineError::Invalid(format!(
                "'from' {from:?} is not a phone number"
            )));
        }
        if let Some(data) = &user_data {
            check_user_data_bound(data)?;
        }
        let agent = if to.eq_ignore_ascii_case("queue") {
            self.pick_queue_agent().ok_or_else(|| {
                EngineError::NotFound("No agent is Ready to take a queue call".into())
            })?
        } else {
            self.agent_by_dn(to)
                .ok_or_else(|| EngineError::NotFound(format!("DN {to} is not a known agent DN")))?
        };
        let dn = self.agents[agent].spec.dn.clone();
        let target = self.resolve(&dn, None);
        let conv = self.new_conversation(user_data.filter(|data| !data.is_empty()));
        match target {
            Target::Agent(ringing) => {
                self.add_phone(conv, from, CallState::Dialing);
                let party = self.add_agent(
                    now,
                    conv,
                    ringing,
                    CallState::Ringing,
                    CallType::Internal,
                    &dn,
                );
                self.emit(now, party, out);
                out.outcome.call_id = Some(self.leg(party).call_id.clone());
                Ok(())
            }
            Target::Phone {
                behaviour: PhoneBehaviour::Busy,
                number,
            } => {
                self.conversations.remove(&conv);
                let logged_out = self
                    .agent_by_dn(&number)
                    .is_some_and(|a| !self.agents[a].logged_in);
                Err(EngineError::Busy(if logged_out {
                    format!("DN {number} is logged out of voice (no StartContactCenterSession)")
                } else {
                    format!("DN {number} is busy (do not disturb)")
                }))
            }
            // Forwarded to a simulated phone: the call leaves the contact center.
            Target::Phone { .. } | Target::Invalid => {
                self.conversations.remove(&conv);
                Ok(())
            }
        }
    }

    /// The Ready agent idle the longest: logged in, not in DND, no call, not a supervisor.
    fn pick_queue_agent(&self) -> Option<usize> {
        (0..self.agents.len())
            .filter(|&i| {
                let agent = &self.agents[i];
                agent.logged_in
                    && !agent.dnd
                    && !agent.spec.is_supervisor()
                    && agent.user_state.state.as_deref() == Some("Ready")
                    && self.calls_of_agent(i).is_empty()
            })
            .min_by_key(|&i| (self.agents[i].idle_since_ms, i))
    }

    /// A simulated party of the conversation of `call_id` hangs up.
    pub(crate) fn remote_hangup(
        &mut self,
        now: u64,
        call_id: &str,
        number: Option<&str>,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let party = *self
            .calls
            .get(call_id)
            .ok_or_else(|| EngineError::NotFound(format!("Call {call_id} not found")))?;
        let leaving: Vec<PartyId> = self
            .others(party)
            .into_iter()
            .filter(|p| {
                self.parties.get(p).is_some_and(|o| match number {
                    Some(n) => o.number == n,
                    None => matches!(o.kind, PartyKind::Phone),
                })
            })
            .collect();
        if leaving.is_empty() {
            return Err(EngineError::NotFound(match number {
                Some(n) => format!("{n} is not on call {call_id}"),
                None => format!("No simulated phone on call {call_id}"),
            }));
        }
        for p in leaving {
            self.leave(now, p, out);
        }
        Ok(())
    }

    /// Every party of the simulated phone `number` hangs up.
    pub(crate) fn phone_hangs_up(
        &mut self,
        now: u64,
        number: &str,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let parties: Vec<PartyId> = self
            .parties
            .iter()
            .filter(|(_, p)| p.number == number && matches!(p.kind, PartyKind::Phone))
            .map(|(id, _)| *id)
            .collect();
        if parties.is_empty() {
            return Err(EngineError::NotFound(format!(
                "{number} is not on any call"
            )));
        }
        for party in parties {
            self.leave(now, party, out);
        }
        Ok(())
    }
}
