//! SendDtmf (`DtmfSent`) and MuteCall / UnmuteCall.

use super::{Engine, EngineError, Out, PartyId};
use gws_protocol::api::OperationRequest;
use gws_protocol::notification::NotificationType;
use serde_json::Value;

impl Engine {
    /// `SendDtmf {digits}`: one `DtmfSent` notification carrying the digits; state unchanged.
    pub(crate) fn send_dtmf(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let digits = match &request.digits {
            None | Some(Value::Null) => {
                return Err(EngineError::MissingParameter(
                    "Parameter 'digits' is missing".into(),
                ));
            }
            Some(Value::String(digits)) => digits.clone(),
            Some(Value::Number(number)) => number.to_string(),
            Some(_) => {
                return Err(EngineError::Invalid(
                    "Parameter 'digits' must be a string".into(),
                ));
            }
        };
        if digits.is_empty()
            || !digits
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        {
            return Err(EngineError::Invalid(format!(
                "Parameter 'digits' {digits:?} must be digits 0-9, * or #"
            )));
        }
        out.push(self.call_notification(now, party, NotificationType::DtmfSent, Some(digits)));
        Ok(())
    }

    /// `MuteCall` / `UnmuteCall`: a `StatusChange` with `mute` On / Off.
    pub(crate) fn set_mute(
        &mut self,
        now: u64,
        party: PartyId,
        mute: bool,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        self.leg_mut(party).mute = mute;
        self.emit(now, party, out);
        Ok(())
    }
}
