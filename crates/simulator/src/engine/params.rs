//! Parameter parsing shared by the operations: destinations, user data, call URIs. Pure
//! functions of the request; resolving them against the model is `operands.rs`.
//!
//! Why shared: GWS answers a missing parameter with statusCode 1 and an invalid one with 2, in
//! the same words for every operation; one parser per parameter keeps those answers the same.

use super::EngineError;
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
