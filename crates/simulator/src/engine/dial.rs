//! Dial (`POST /api/v2/me/devices/{id}/calls`).

use super::model::routing::{Ring, Target};
use super::params::{check_user_data_bound, destination_of, optional_user_data};
use super::{Engine, EngineError, Out, error_codes};
use gws_protocol::api::OperationRequest;
use gws_protocol::{CALLS_CHANNEL, CallState, CallType, Operation};

impl Engine {
    /// `Dial {destination, userData?}`: a new `Dialing` call (callType Internal, no parent even
    /// when another call is held — seed 000 S2 #4); the destination rings (an agent gets their
    /// own `Ringing` call, a simulated phone answers after the delay). An active call on the
    /// device (established, or still dialing) is held first. An invalid destination yields an
    /// `ErrorMessage` and no call; user data over the bound (`params.rs`) is refused, since the
    /// callee receives it too.
    pub(crate) fn dial(
        &mut self,
        now: u64,
        user: &str,
        device_id: &str,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let agent = self.require_logged_in(self.own_device(user, device_id)?)?;
        if request.operation_name != Operation::Dial {
            return Err(EngineError::Invalid(format!(
                "Operation {} is not valid on a device's calls; use Dial",
                request.operation_name
            )));
        }
        let destination = destination_of(request)?;
        let user_data = optional_user_data(request)?;
        if let Some(data) = &user_data {
            check_user_data_bound(data)?;
        }
        let target = self.resolve(&destination, Some(agent));
        if target == Target::Invalid {
            let message = format!("Invalid destination {destination}");
            self.emit_device_error(
                agent,
                CALLS_CHANNEL,
                &Operation::Dial,
                error_codes::INVALID_DESTINATION,
                &message,
                out,
            );
            return Ok(());
        }
        self.hold_active_calls(now, agent, None, out);
        let conv = self.new_conversation(user_data.filter(|data| !data.is_empty()));
        let me = self.add_agent(
            now,
            conv,
            agent,
            CallState::Dialing,
            CallType::Internal,
            &destination,
        );
        let callee = self.place(
            now,
            conv,
            &target,
            Ring {
                call_type: CallType::Internal,
                dnis: &destination,
                inviter: Some((me, Operation::Dial)),
            },
            out,
        );
        self.emit(now, me, out);
        if let Some(callee) =
            callee.filter(|p| self.parties.get(p).is_some_and(|p| p.leg().is_some()))
        {
            self.emit(now, callee, out);
        }
        out.outcome.call_id = Some(self.leg(me).call_id.clone());
        Ok(())
    }
}
