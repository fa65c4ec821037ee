//! Parameter parsing shared by the operations: destinations, user data, call URIs, and the
//! two resolutions several operation families share (the destination of a consultation or
//! single-step operation, the held/active pair of a Complete*/Swap/Merge).
//!
//! Why shared: GWS answers a missing parameter with statusCode 1 and an invalid one with 2, in
//! the same words for every operation; one parser per parameter keeps those answers the same.

use super::model::routing::Target;
use super::{Engine, EngineError, Out, PartyId, error_codes};
use gws_protocol::CallState;
use gws_protocol::api::OperationRequest;
use serde_json::{Map, Value};

/// Whether `destination` is something a phone system could dial: digits, optionally a leading `+`.
pub(crate) fn is_dialable(destination: &str) -> bool {
    let digits = destination.strip_prefix('+').unwrap_or(destination);
    !digits.is_empty() && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The `destination` parameter of a call operation, checked for presence.
pub(crate) fn destination_of(request: &OperationRequest) -> Result<String, EngineError> {
    match &request.destination {
        None | Some(Value::Null) => Err(EngineError::MissingParameter(
            "Parameter 'destination' is missing".into(),
        )),
        Some(_) => request
            .destination_number()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                EngineError::MissingParameter(
                    "Parameter 'destination.phoneNumber' is missing".into(),
                )
            }),
    }
}

/// A user-data object parameter (`userData`), checked for presence and shape.
pub(crate) fn user_data_param(
    request: &OperationRequest,
) -> Result<Map<String, Value>, EngineError> {
    match &request.user_data {
        None | Some(Value::Null) => Err(EngineError::MissingParameter(
            "Parameter 'userData' is missing".into(),
        )),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(EngineError::Invalid(
            "Parameter 'userData' must be an object".into(),
        )),
    }
}

/// An optional user-data object parameter; a non-object is invalid.
pub(crate) fn optional_user_data(
    request: &OperationRequest,
) -> Result<Option<Map<String, Value>>, EngineError> {
    match &request.user_data {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(EngineError::Invalid(
            "Parameter 'userData' must be an object".into(),
        )),
    }
}

/// Resolves a call URI parameter (`otherCallUri`, `consultCallUri`) by its trailing id.
pub(crate) fn call_id_param(value: &Value, name: &str) -> Result<String, EngineError> {
    value
        .as_str()
        .and_then(gws_protocol::call::trailing_id)
        .map(str::to_string)
        .ok_or_else(|| EngineError::Invalid(format!("Parameter '{name}' is not a call URI")))
}

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
}
