//! SwapCalls and MergeWithOtherCall (both take `otherCallUri`, resolved by its trailing id).

use super::{Engine, EngineError, Out, PartyId};
use gws_protocol::CallState;
use gws_protocol::api::OperationRequest;
use serde_json::Value;

impl Engine {
    /// `SwapCalls {otherCallUri}` on the active call: this call `Held` first, then the other
    /// call `Established` (seed 000 S2 #6–#7; `Dialing` if it was held while still ringing out).
    pub(crate) fn swap_calls(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let other = match &request.other_call_uri {
            None | Some(Value::Null) => {
                return Err(EngineError::MissingParameter(
                    "Parameter 'otherCallUri' is missing".into(),
                ));
            }
            Some(value) => self.call_pair(party, Some(value), "otherCallUri")?,
        };
        let (held, active) = other;
        if active != party {
            return Err(EngineError::Invalid(
                "SwapCalls must be requested on the active call".into(),
            ));
        }
        self.set_state(active, CallState::Held);
        self.emit(now, active, out);
        let state = self.resumed_state(held);
        self.set_state(held, state);
        self.emit(now, held, out);
        Ok(())
    }

    /// `MergeWithOtherCall {otherCallUri}`: one held and one established call become one
    /// conference on the held call's connection (T-Lib TMergeCalls); same notifications as
    /// CompleteConference. Refused, like CompleteConference, while the active call still rings
    /// out: the merged call would be established with nobody having answered it.
    pub(crate) fn merge_with_other_call(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let (held, active) = match &request.other_call_uri {
            None | Some(Value::Null) => {
                return Err(EngineError::MissingParameter(
                    "Parameter 'otherCallUri' is missing".into(),
                ));
            }
            Some(value) => self.call_pair(party, Some(value), "otherCallUri")?,
        };
        if self.state(active) == CallState::Dialing {
            return Err(EngineError::Invalid(
                "MergeWithOtherCall needs the active call answered; it is still dialing".into(),
            ));
        }
        self.conference_merge(now, held, active, out);
        Ok(())
    }
}
