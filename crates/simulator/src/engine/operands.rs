//! The operands several operation families share, resolved against the model: the destination
//! of a consultation or single-step operation ([`Engine::consult_target`],
//! [`Engine::single_step_target`]) and the held/active pair of CompleteTransfer,
//! CompleteConference, SwapCalls and MergeWithOtherCall ([`Engine::call_pair`]).
//!
//! Why not in a command file: transfers, conferences and swap/merge each need them, and a
//! command file never depends on another; why not in `params.rs`: they read the model and
//! publish the asynchronous `ErrorMessage` GWS sends for a destination it rejects.

use super::model::routing::Target;
use super::params::{call_id_param, destination_of, optional_user_data};
use super::{Engine, EngineError, Out, PartyId, error_codes};
use gws_protocol::CallState;
use gws_protocol::api::OperationRequest;

impl Engine {
    /// Checks a destination for the operations that dial from a call. Returns the target, or
    /// `None` after publishing the asynchronous `ErrorMessage` GWS would send.
    pub(crate) fn consult_target(
        &self,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<Option<(String, Target)>, EngineError> {
        let destination = destination_of(request)?;
        optional_user_data(request)?;
        let operation = &request.operation_name;
        if self.is_monitor(party) {
            let message = format!("{operation} is not supported on a supervisor's monitoring call");
            self.emit_call_error(party, operation, error_codes::NOT_SUPPORTED, &message, out);
            return Ok(None);
        }
        let target = self.resolve(&destination, Some(self.leg(party).agent));
        if target == Target::Invalid {
            let message = format!("Invalid destination {destination}");
            self.emit_call_error(
                party,
                operation,
                error_codes::INVALID_DESTINATION,
                &message,
                out,
            );
            return Ok(None);
        }
        Ok(Some((destination, target)))
    }

    /// [`Engine::consult_target`] for the single-step operations, which ring the destination
    /// into this call's own conversation: an agent already on it cannot be rung into it again
    /// (they would be talking to their own ringing phone), so that destination is refused with
    /// the same `ErrorMessage` as an invalid number, and nothing changes.
    pub(crate) fn single_step_target(
        &self,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<Option<(String, Target)>, EngineError> {
        let Some((destination, target)) = self.consult_target(party, request, out)? else {
            return Ok(None);
        };
        if let Target::Agent(agent) = target {
            let conv = self.conv_of(party);
            let on_the_call = self
                .agent_parties(conv)
                .into_iter()
                .any(|p| self.leg(p).agent == agent);
            if on_the_call {
                let message = format!("Invalid destination {destination}: already on this call");
                self.emit_call_error(
                    party,
                    &request.operation_name,
                    error_codes::INVALID_DESTINATION,
                    &message,
                    out,
                );
                return Ok(None);
            }
        }
        Ok(Some((destination, target)))
    }

    /// The (held, active) pair a Complete*/Merge works on: `other` names the second call, else
    /// the consult's parent, else this call's consult, else the only other call on the device.
    pub(crate) fn call_pair(
        &self,
        party: PartyId,
        other: Option<&serde_json::Value>,
        name: &str,
    ) -> Result<(PartyId, PartyId), EngineError> {
        let agent = self.leg(party).agent;
        let user = self.agents[agent].spec.user_name.clone();
        let siblings = self.sibling_calls(party);
        // A URI naming the call itself (a client posting on the consult and naming it) is
        // treated like no URI: the related call is found instead.
        let named = match other {
            Some(value) if !value.is_null() => {
                let id = call_id_param(value, name)?;
                Some(self.own_call(&user, &id)?).filter(|&other| other != party)
            }
            _ => None,
        };
        let other = match named {
            Some(other) => other,
            None => {
                let own_id = self.leg(party).call_id.clone();
                let parent = self
                    .leg(party)
                    .parent
                    .as_deref()
                    .and_then(|id| self.calls.get(id).copied());
                let child = siblings
                    .iter()
                    .copied()
                    .find(|&p| self.leg(p).parent.as_deref() == Some(own_id.as_str()));
                match (parent.filter(|p| siblings.contains(p)), child) {
                    (Some(parent), _) => parent,
                    (None, Some(child)) => child,
                    (None, None) if siblings.len() == 1 => siblings[0],
                    _ => {
                        return Err(EngineError::MissingParameter(format!(
                            "Parameter '{name}' is missing and no related call was found"
                        )));
                    }
                }
            }
        };
        match (self.state(party), self.state(other)) {
            (CallState::Held, theirs) if theirs.is_active() => Ok((party, other)),
            (mine, CallState::Held) if mine.is_active() => Ok((other, party)),
            (mine, theirs) => Err(EngineError::Invalid(format!(
                "One call must be held and the other active (calls are {mine} and {theirs})"
            ))),
        }
    }
}
