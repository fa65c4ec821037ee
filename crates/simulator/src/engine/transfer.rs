//! InitiateTransfer / InitiateConference (the consult leg), CompleteTransfer, SingleStepTransfer.

use super::inject::{PhoneBehaviour, Ring, Target};
use super::{
    CallState, CallType, Engine, EngineError, OperationRequest, Out, PartyId, call_id_param,
    destination_of, error_codes, optional_user_data,
};

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

    /// `InitiateTransfer` / `InitiateConference {destination}`: this call `Held` first, then the
    /// new consult call `Dialing` (callType Consult, `parentCallUri` = this call), then — when
    /// the destination is an agent — their `Ringing` consult call (seed 001 S2 #3–#4).
    pub(crate) fn initiate_consult(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let Some((destination, target)) = self.consult_target(party, request, out)? else {
            return Ok(());
        };
        if self.state(party) == CallState::Established {
            self.set_state(party, CallState::Held);
            self.emit(now, party, out);
        }
        let parent_conv = self.conv_of(party);
        let mut data = self
            .conversations
            .get(&parent_conv)
            .and_then(|c| c.user_data.clone())
            .unwrap_or_default();
        data.extend(optional_user_data(request)?.unwrap_or_default());
        let conv = self.new_conversation(if data.is_empty() { None } else { Some(data) });
        let agent = self.leg(party).agent;
        let consult = self.add_agent(
            now,
            conv,
            agent,
            CallState::Dialing,
            CallType::Consult,
            &destination,
        );
        self.leg_mut(consult).parent = Some(self.leg(party).call_id.clone());
        let operation = request.operation_name.clone();
        let callee = self.place(
            now,
            conv,
            &target,
            Ring {
                call_type: CallType::Consult,
                dnis: &destination,
                inviter: Some((consult, operation)),
            },
            out,
        );
        self.emit(now, consult, out);
        if let Some(callee) =
            callee.filter(|p| self.parties.get(p).is_some_and(|p| p.leg().is_some()))
        {
            self.emit(now, callee, out);
        }
        Ok(())
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
            (CallState::Held, CallState::Dialing | CallState::Established) => Ok((party, other)),
            (CallState::Dialing | CallState::Established, CallState::Held) => Ok((other, party)),
            (mine, theirs) => Err(EngineError::Invalid(format!(
                "One call must be held and the other active (calls are {mine} and {theirs})"
            ))),
        }
    }

    /// `CompleteTransfer {consultCallUri?}`: the original (held) call `Released`, then the
    /// consult `Released` (seed 001 S2 #5–#6); the remote parties stay connected to each other —
    /// an agent among them gets `ParticipantsUpdated` (even while still ringing).
    pub(crate) fn complete_transfer(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let (held, active) =
            self.call_pair(party, request.consult_call_uri.as_ref(), "consultCallUri")?;
        let held_conv = self.conv_of(held);
        let active_conv = self.conv_of(active);
        self.set_state(held, CallState::Released);
        self.emit(now, held, out);
        self.set_state(active, CallState::Released);
        self.emit(now, active, out);
        let agent = self.leg(held).agent;
        self.forget_party(held);
        self.forget_party(active);
        self.agent_mut(agent).idle_since_ms = now;
        self.merge_conversations(active_conv, held_conv);
        for other in self.agent_parties(held_conv) {
            if !self.is_monitor(other) {
                self.emit_kind(
                    now,
                    other,
                    super::NotificationType::ParticipantsUpdated,
                    out,
                );
            }
        }
        self.settle(now, held_conv, None, out);
        Ok(())
    }

    /// Moves every party of `from` into `into` and drops `from`.
    pub(crate) fn merge_conversations(&mut self, from: super::ConvId, into: super::ConvId) {
        let parties = self
            .conversations
            .get(&from)
            .map(|c| c.parties.clone())
            .unwrap_or_default();
        for party in parties {
            self.move_party(party, into);
        }
        self.conversations.remove(&from);
    }

    /// `SingleStepTransfer {destination}`: this call `Released`; the destination rings with the
    /// remaining parties. A busy or invalid destination is refused with an `ErrorMessage` and
    /// nothing changes (T-Server rejects the request).
    pub(crate) fn single_step_transfer(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let Some((destination, target)) = self.consult_target(party, request, out)? else {
            return Ok(());
        };
        let operation = request.operation_name.clone();
        if let Target::Phone {
            behaviour: PhoneBehaviour::Busy,
            number,
        } = &target
        {
            let message = format!("Destination {number} is busy");
            self.emit_call_error(party, &operation, error_codes::BUSY, &message, out);
            return Ok(());
        }
        let conv = self.conv_of(party);
        if let Some(extra) = optional_user_data(request)?
            && let Some(c) = self.conversation_mut(conv)
        {
            c.user_data
                .get_or_insert_with(Default::default)
                .extend(extra);
        }
        self.release_leg(now, party, out);
        let callee = self.place(
            now,
            conv,
            &target,
            Ring {
                call_type: CallType::Internal,
                dnis: &destination,
                inviter: None,
            },
            out,
        );
        if let Some(callee) =
            callee.filter(|p| self.parties.get(p).is_some_and(|p| p.leg().is_some()))
        {
            self.emit(now, callee, out);
        }
        self.emit_participants_updated(now, conv, callee, out);
        self.settle(now, conv, None, out);
        Ok(())
    }
}
