//! Hold and Retrieve.

use super::{Engine, EngineError, Out, PartyId, error_codes};
use gws_protocol::{CallState, Operation};

impl Engine {
    /// `Hold`: Established → Held.
    pub(crate) fn hold(
        &mut self,
        now: u64,
        party: PartyId,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        if self.is_monitor(party) {
            let message = "Hold is not supported on a supervisor's monitoring call";
            self.emit_call_error(
                party,
                &Operation::Hold,
                error_codes::NOT_SUPPORTED,
                message,
                out,
            );
            return Ok(());
        }
        self.set_state(party, CallState::Held);
        self.emit(now, party, out);
        Ok(())
    }

    /// `Retrieve`: Held → Established (or back to Dialing if it was held while its destination
    /// still rang). An active call on the same device is held first (reported first, like
    /// SwapCalls).
    pub(crate) fn retrieve(
        &mut self,
        now: u64,
        party: PartyId,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        self.hold_active_siblings(now, party, out);
        let state = self.resumed_state(party);
        self.set_state(party, state);
        self.emit(now, party, out);
        Ok(())
    }
}
