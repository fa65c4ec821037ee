//! Answer and Hangup, what the simulated phones do on their own (answer, busy), and the common
//! "a party leaves" logic every release goes through.

use super::{CallState, ConvId, Engine, EngineError, NotificationType, Out, PartyId, error_codes};

impl Engine {
    /// `Answer`: the ringing call is established; whoever dialled it connects. An established
    /// call on the same device is put on hold first, as a SIP phone does.
    pub(crate) fn answer(
        &mut self,
        now: u64,
        party: PartyId,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        self.hold_active_siblings(now, party, out);
        self.set_state(party, CallState::Established);
        self.emit(now, party, out);
        self.connected(now, party, out);
        Ok(())
    }

    /// `Hangup`: this party leaves its conversation.
    pub(crate) fn hangup(
        &mut self,
        now: u64,
        party: PartyId,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        self.leave(now, party, out);
        Ok(())
    }

    /// Puts every established call of the device of `party` (except `party`) on hold.
    pub(crate) fn hold_active_siblings(&mut self, now: u64, party: PartyId, out: &mut Out) {
        for sibling in self.sibling_calls(party) {
            if self.state(sibling) == CallState::Established {
                self.set_state(sibling, CallState::Held);
                self.emit(now, sibling, out);
            }
        }
    }

    /// `party` has just connected: everyone still dialling it is now established, and agents
    /// already talking in the conversation see one more participant.
    pub(crate) fn connected(&mut self, now: u64, party: PartyId, out: &mut Out) {
        for other in self.others(party) {
            let is_agent = self.parties.get(&other).is_some_and(|p| p.leg().is_some());
            match self.state(other) {
                CallState::Dialing => {
                    self.set_state(other, CallState::Established);
                    if is_agent {
                        self.emit(now, other, out);
                    }
                }
                CallState::Established | CallState::Held if is_agent && !self.is_monitor(other) => {
                    self.emit_kind(now, other, NotificationType::ParticipantsUpdated, out);
                }
                _ => {}
            }
        }
    }

    /// Timer: a simulated phone picks up (if it is still ringing).
    pub(crate) fn phone_answers(&mut self, now: u64, party: PartyId, out: &mut Out) {
        let ringing = self
            .parties
            .get(&party)
            .is_some_and(|p| p.leg().is_none() && p.state == CallState::Ringing && !p.busy);
        if ringing {
            self.set_state(party, CallState::Established);
            self.connected(now, party, out);
        }
    }

    /// Timer: a simulated phone (or a DND agent) turns out busy. The agent who dialled gets an
    /// `ErrorMessage`, then its leg is released if nobody else is on it.
    pub(crate) fn phone_busy(&mut self, now: u64, party: PartyId, out: &mut Out) {
        let Some(p) = self.parties.get(&party) else {
            return;
        };
        if p.state != CallState::Ringing {
            return;
        }
        let number = p.number.clone();
        let inviter = p.inviter.clone();
        let conv = p.conv;
        self.forget_party(party);
        if let Some((inviter, operation)) = inviter
            && self.parties.contains_key(&inviter)
        {
            let message = format!("Destination {number} is busy");
            self.emit_call_error(inviter, &operation, error_codes::BUSY, &message, out);
        }
        self.settle(now, conv, None, out);
    }

    /// Whether `party` is a supervisor's monitoring leg.
    pub(crate) fn is_monitor(&self, party: PartyId) -> bool {
        self.parties.get(&party).is_some_and(|p| p.is_monitor())
    }

    /// Number of parties that make a conversation a call (supervisors do not count).
    fn talking(&self, conv: ConvId) -> usize {
        self.conversations
            .get(&conv)
            .map(|c| c.parties.iter().filter(|p| !self.is_monitor(**p)).count())
            .unwrap_or(0)
    }

    /// `party` leaves its conversation (hang-up, transfer away, removal). If fewer than two
    /// parties would remain, the conversation ends and every agent on it sees `Released`,
    /// the leaver first; otherwise the remaining agents get `ParticipantsUpdated`.
    pub(crate) fn leave(&mut self, now: u64, party: PartyId, out: &mut Out) {
        let Some(p) = self.parties.get(&party) else {
            return;
        };
        let conv = p.conv;
        let visible = p.state != CallState::Ringing;
        let monitor = p.is_monitor();
        let remaining = self.talking(conv).saturating_sub(usize::from(!monitor));
        if remaining < 2 {
            self.end_conversation(now, conv, Some(party), out);
            return;
        }
        if p.leg().is_some() {
            self.release_leg(now, party, out);
        } else {
            self.forget_party(party);
        }
        if monitor {
            self.emit_monitored_flag(now, conv, out);
        } else if visible {
            self.emit_participants_updated(now, conv, None, out);
        }
    }

    /// Ends a conversation if it no longer has two talking parties.
    pub(crate) fn settle(&mut self, now: u64, conv: ConvId, first: Option<PartyId>, out: &mut Out) {
        if self.conversations.contains_key(&conv) && self.talking(conv) < 2 {
            self.end_conversation(now, conv, first, out);
        }
    }

    /// Releases every agent leg of `conv` (`first` first, then in joining order) with the
    /// participants they had, then forgets the conversation.
    pub(crate) fn end_conversation(
        &mut self,
        now: u64,
        conv: ConvId,
        first: Option<PartyId>,
        out: &mut Out,
    ) {
        let mut order: Vec<PartyId> = first.into_iter().collect();
        order.extend(
            self.agent_parties(conv)
                .into_iter()
                .filter(|p| Some(*p) != first),
        );
        for party in order {
            if self.parties.get(&party).is_some_and(|p| p.leg().is_some()) {
                self.set_state(party, CallState::Released);
                self.emit(now, party, out);
            }
        }
        let parties = self
            .conversations
            .remove(&conv)
            .map(|c| c.parties.clone())
            .unwrap_or_default();
        for party in parties {
            if let Some(agent) = self
                .parties
                .get(&party)
                .and_then(|p| p.leg())
                .map(|leg| leg.agent)
            {
                self.forget_party(party);
                self.after_release(now, agent);
            } else {
                self.parties.remove(&party);
            }
        }
    }

    /// Emits `Released` for one leg and forgets it (the conversation goes on without it).
    pub(crate) fn release_leg(&mut self, now: u64, party: PartyId, out: &mut Out) {
        self.set_state(party, CallState::Released);
        self.emit(now, party, out);
        let agent = self.leg(party).agent;
        self.forget_party(party);
        self.after_release(now, agent);
    }

    /// Book-keeping after one of `agent`'s legs went away.
    fn after_release(&mut self, now: u64, agent: usize) {
        if self.calls_of_agent(agent).is_empty() {
            self.agent_mut(agent).idle_since_ms = now;
        }
    }
}
