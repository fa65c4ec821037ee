//! How parties connect and leave, with the notifications that go with it: putting the other
//! calls of a device on hold, connecting the parties that dialled, a party leaving (the
//! conversation ends when fewer than two talking parties remain), releasing one leg, joining a
//! consultation into a conference.
//!
//! Why a layer of its own: Answer, Hangup, transfers, conferences, removals, remote hang-ups and
//! supervisors leaving all go through the same steps in the same order (the seeds fix it); the
//! command files call these instead of each other.

use super::{ConvId, Engine, Out, PartyId};
use gws_protocol::CallState;
use gws_protocol::notification::NotificationType;

impl Engine {
    /// Puts every active call of the device of `party` (except `party`) on hold.
    pub(crate) fn hold_active_siblings(&mut self, now: u64, party: PartyId, out: &mut Out) {
        let agent = self.leg(party).agent;
        self.hold_active_calls(now, agent, Some(party), out);
    }

    /// Puts every active call of `agent`'s device (except `except`) on hold: the device is about
    /// to talk on another call (Answer, Retrieve, Dial, a consultation). Active means
    /// `Established` or `Dialing`: a call still ringing out connects on its own when its
    /// destination answers, so left active it would leave the device talking on two calls at
    /// once. Held while dialing, it connects held (and is retrieved into `Established`).
    pub(crate) fn hold_active_calls(
        &mut self,
        now: u64,
        agent: usize,
        except: Option<PartyId>,
        out: &mut Out,
    ) {
        for call in self.calls_of_agent(agent) {
            if Some(call) != except && self.state(call).is_active() {
                self.set_state(call, CallState::Held);
                self.emit(now, call, out);
            }
        }
    }

    /// The state a held call returns to (Retrieve, SwapCalls): `Established` once another party
    /// of its conversation has connected, else `Dialing` — it was held while its destination
    /// still rang, and is still ringing out.
    pub(crate) fn resumed_state(&self, party: PartyId) -> CallState {
        let connected = self
            .others(party)
            .into_iter()
            .any(|other| !self.is_monitor(other) && self.state(other) != CallState::Ringing);
        if connected {
            CallState::Established
        } else {
            CallState::Dialing
        }
    }

    /// `party` has just connected: everyone still dialling it is now established, and agents
    /// already talking in the conversation see one more participant (a supervisor monitoring
    /// it too: their call lists the same participants).
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
                CallState::Established | CallState::Held if is_agent => {
                    self.emit_kind(now, other, NotificationType::ParticipantsUpdated, out);
                }
                _ => {}
            }
        }
    }

    /// `party` leaves its conversation (hang-up, transfer away, removal). If fewer than two
    /// parties would remain, or only parties still ringing, the conversation ends and every
    /// agent on it sees `Released`, the leaver first; otherwise the remaining agents get
    /// `ParticipantsUpdated` (for a party that left still ringing, only those whose own call
    /// lists it: calls not connected yet).
    pub(crate) fn leave(&mut self, now: u64, party: PartyId, out: &mut Out) {
        let Some(p) = self.parties.get(&party) else {
            return;
        };
        let conv = p.conv;
        let visible = p.state != CallState::Ringing;
        let monitor = p.is_monitor();
        let remaining = self.talking(conv).saturating_sub(usize::from(!monitor));
        // The last party that had answered (or placed the call) leaves while everyone else
        // still rings: nobody is left to connect them to, as when a caller abandons a call
        // that still rings.
        let abandoned = visible
            && !monitor
            && self
                .others(party)
                .into_iter()
                .all(|o| self.is_monitor(o) || self.state(o) == CallState::Ringing);
        if remaining < 2 || abandoned {
            self.end_conversation(now, conv, Some(party), out);
            return;
        }
        if p.leg().is_some() {
            self.release_leg(now, party, out);
        } else {
            self.forget_party(now, party);
        }
        if monitor {
            self.emit_monitored_flag(now, conv, out);
        } else if visible {
            self.emit_participants_updated(now, conv, None, out);
        } else {
            self.emit_ringing_party_changed(now, conv, None, out);
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
                self.forget_party(now, party);
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
        self.forget_party(now, party);
        self.after_release(now, agent);
    }

    /// Book-keeping after one of `agent`'s legs went away.
    fn after_release(&mut self, now: u64, agent: usize) {
        if self.calls_of_agent(agent).is_empty() {
            self.agent_mut(agent).idle_since_ms = now;
        }
    }

    /// Joins the conversation of the active call into the held one: active `Released`, held
    /// `Established` as conference owner, the other agents `ParticipantsUpdated`.
    pub(crate) fn conference_merge(
        &mut self,
        now: u64,
        held: PartyId,
        active: PartyId,
        out: &mut Out,
    ) {
        let held_conv = self.conv_of(held);
        let active_conv = self.conv_of(active);
        self.set_state(active, CallState::Released);
        self.emit(now, active, out);
        self.forget_party(now, active);
        self.merge_conversations(active_conv, held_conv);
        self.set_state(held, CallState::Established);
        self.leg_mut(held).conference_owner = true;
        self.emit(now, held, out);
        self.emit_participants_updated(now, held_conv, Some(held), out);
        self.settle(now, held_conv, None, out);
    }
}
