//! Answer and Hangup, what the simulated phones do on their own (answer, busy), and the common
//! "a party leaves" logic every release goes through.

use super::{Engine, EngineError, Out, PartyId, error_codes};
use gws_protocol::CallState;

impl Engine {
    /// `Answer`: the ringing call is established; whoever dialled it connects. An active call
    /// on the same device (established, or still dialing) is put on hold first, as a SIP phone
    /// does.
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
    /// `ErrorMessage`, then its leg is released if nobody else is on it; agents whose call
    /// still rings (or dials) with the busy party listed it, and are told it left.
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
        self.forget_party(now, party);
        if let Some((inviter, operation)) = inviter
            && self.parties.contains_key(&inviter)
        {
            let message = format!("Destination {number} is busy");
            self.emit_call_error(inviter, &operation, error_codes::BUSY, &message, out);
        }
        self.settle(now, conv, None, out);
        if self.conversations.contains_key(&conv) {
            self.emit_ringing_party_changed(now, conv, None, out);
        }
    }
}
