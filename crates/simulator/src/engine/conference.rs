//! CompleteConference, SingleStepConference, RemoveParticipantFromConference.

use super::model::routing::Ring;
use super::{Engine, EngineError, Out, PartyId};
use gws_protocol::CallType;
use gws_protocol::api::OperationRequest;
use gws_protocol::notification::NotificationType;
use serde_json::Value;

impl Engine {
    /// `CompleteConference {consultCallUri?}`: the consult `Released` first (doc), then the
    /// original call `Established` (StatusChange) listing every remote party; other agents on
    /// the conference get `ParticipantsUpdated`.
    pub(crate) fn complete_conference(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let (held, active) =
            self.call_pair(party, request.consult_call_uri.as_ref(), "consultCallUri")?;
        self.conference_merge(now, held, active, out);
        Ok(())
    }

    /// `SingleStepConference {destination}`: the destination rings into this call; when it
    /// answers, every agent on the call gets `ParticipantsUpdated` (an agent whose own call
    /// still rings gets it at once: that call lists the parties ringing with it). Busy →
    /// `ErrorMessage`.
    pub(crate) fn single_step_conference(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let Some((destination, target)) = self.single_step_target(party, request, out)? else {
            return Ok(());
        };
        let conv = self.conv_of(party);
        let operation = request.operation_name.clone();
        self.leg_mut(party).conference_owner = true;
        let callee = self.place(
            now,
            conv,
            &target,
            Ring {
                call_type: CallType::Internal,
                dnis: &destination,
                inviter: Some((party, operation)),
            },
            out,
        );
        if let Some(callee) = callee {
            if self.parties.get(&callee).is_some_and(|p| p.leg().is_some()) {
                self.emit(now, callee, out);
            }
            self.emit_ringing_party_changed(now, conv, Some(callee), out);
        }
        Ok(())
    }

    /// `RemoveParticipantFromConference {participant}`: that party leaves; the rest get
    /// `ParticipantsUpdated` (or everybody `Released` when only one party would remain).
    pub(crate) fn remove_participant(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let number = match &request.participant {
            None | Some(Value::Null) => {
                return Err(EngineError::MissingParameter(
                    "Parameter 'participant' is missing".into(),
                ));
            }
            Some(Value::String(number)) if !number.trim().is_empty() => number.trim().to_string(),
            Some(Value::Number(number)) => number.to_string(),
            Some(_) => {
                return Err(EngineError::Invalid(
                    "Parameter 'participant' must be a phone number string".into(),
                ));
            }
        };
        let victim = self
            .others(party)
            .into_iter()
            .find(|p| {
                self.parties
                    .get(p)
                    .is_some_and(|o| o.number == number && !o.is_monitor())
            })
            .ok_or_else(|| {
                EngineError::Invalid(format!("{number} is not a participant of this call"))
            })?;
        self.leave(now, victim, out);
        // The owner always hears about it, even if it was the only agent left talking.
        if self.parties.contains_key(&party)
            && !out
                .outcome
                .notifications
                .iter()
                .any(|n| n.data["call"]["id"].as_str() == Some(self.leg(party).call_id.as_str()))
        {
            self.emit_kind(now, party, NotificationType::ParticipantsUpdated, out);
        }
        Ok(())
    }
}
