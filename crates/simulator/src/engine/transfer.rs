//! InitiateTransfer / InitiateConference (the consult leg), CompleteTransfer, SingleStepTransfer.

use super::model::routing::{PhoneBehaviour, Ring, Target};
use super::params::{check_user_data_bound, optional_user_data};
use super::{Engine, EngineError, Out, PartyId, error_codes};
use gws_protocol::api::OperationRequest;
use gws_protocol::{CallState, CallType};

impl Engine {
    /// `InitiateTransfer` / `InitiateConference {destination}`: this call `Held` first (also when
    /// it was held already), then the new consult call `Dialing` (callType Consult,
    /// `parentCallUri` = this call), then — when the destination is an agent — their `Ringing`
    /// consult call (seed 001 S2 #3–#4). The consult inherits the call's user data plus the
    /// request's, bounded like an attach.
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
        let parent_conv = self.conv_of(party);
        let mut data = self
            .conversations
            .get(&parent_conv)
            .and_then(|c| c.user_data.clone())
            .unwrap_or_default();
        data.extend(optional_user_data(request)?.unwrap_or_default());
        check_user_data_bound(&data)?;
        // This call's `Held` comes first, also when it was held already (InitiateTransfer and
        // InitiateConference are offered on a held call, situation F): it is the notification
        // that confirms the operation to the agent who asked for it on this call, and without it
        // their control stays pending until it times out although the consult is dialing. Then
        // any other active call of the device (a consultation still ringing out): the device
        // talks on the new consultation next.
        let agent = self.leg(party).agent;
        if self.state(party) == CallState::Held {
            self.emit(now, party, out);
        }
        self.hold_active_calls(now, agent, None, out);
        let conv = self.new_conversation(if data.is_empty() { None } else { Some(data) });
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

    /// `CompleteTransfer {consultCallUri?}`: the original (held) call `Released`, then the
    /// consult `Released` (seed 001 S2 #5–#6); the remote parties stay connected to each other —
    /// an agent among them gets `ParticipantsUpdated` (even while still ringing), and so does a
    /// supervisor monitoring the call (the monitoring scope is the call, so they stay on it).
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
        self.forget_party(now, held);
        self.forget_party(now, active);
        self.agent_mut(agent).idle_since_ms = now;
        self.merge_conversations(active_conv, held_conv);
        self.emit_participants_updated(now, held_conv, None, out);
        self.settle(now, held_conv, None, out);
        Ok(())
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
        let Some((destination, target)) = self.single_step_target(party, request, out)? else {
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
            let data = c.user_data.get_or_insert_with(Default::default);
            data.extend(extra);
            check_user_data_bound(data)?;
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
