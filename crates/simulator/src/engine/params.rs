//! Parameter parsing shared by the operations: destinations, user data (and the bound on what a
//! call may hold), call URIs. Pure functions of the request; resolving them against the model
//! is `operands.rs`.
//!
//! Why shared: GWS answers a missing parameter with statusCode 1 and an invalid one with 2, in
//! the same words for every operation; one parser per parameter keeps those answers the same.

use super::EngineError;
use gws_protocol::api::OperationRequest;
use serde_json::{Map, Value};

/// The most a call's user data may take when serialized as JSON: 64 KiB.
///
/// Why: user data belongs to the conversation, so what one agent attaches every other agent on
/// the call receives — in each `AttachedDataChanged` and in every `GET /api/v2/me/calls`. Bounded
/// only by the 1 MiB request body, one agent could grow it past the widget's own caps (1 MiB per
/// Bayeux message, 8 MiB per REST reply) and leave the other agent unable to read their calls.
/// 64 KiB keeps one call far below the message cap and the widget's 64 stored calls (4 MiB)
/// below the REST cap, while leaving ample room for real CRM data (a few hundred bytes).
pub const USER_DATA_MAX_BYTES: usize = 64 * 1024;

/// The most keys a call's user data may hold. Why: the widget renders every pair; a few dozen
/// is what a CRM attaches, so 100 refuses a flood of tiny pairs that the byte cap alone allows.
pub const USER_DATA_MAX_KEYS: usize = 100;

// One call's user data must fit in one Bayeux message with room for the rest of the call.
const _: () = assert!(USER_DATA_MAX_BYTES * 8 <= gws_protocol::bayeux::MAX_MESSAGE_BYTES);

/// Refuses user data over [`USER_DATA_MAX_KEYS`] or [`USER_DATA_MAX_BYTES`]. Called on the
/// data a request would *result* in (stored data merged with the request's), so that many
/// small attaches cannot add up past the bound either.
pub(crate) fn check_user_data_bound(data: &Map<String, Value>) -> Result<(), EngineError> {
    if data.len() > USER_DATA_MAX_KEYS {
        return Err(EngineError::Invalid(format!(
            "Parameter 'userData' would leave the call with {} keys; at most {USER_DATA_MAX_KEYS} are allowed",
            data.len()
        )));
    }
    let bytes = json_len(data);
    if bytes > USER_DATA_MAX_BYTES {
        return Err(EngineError::Invalid(format!(
            "Parameter 'userData' would leave the call with {bytes} bytes of user data; at most {USER_DATA_MAX_BYTES} are allowed"
        )));
    }
    Ok(())
}

/// The length of `data` serialized as compact JSON, counted without building the string.
fn json_len(data: &Map<String, Value>) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a JSON map into a counter cannot fail (string keys, no I/O).
    let _ = serde_json::to_writer(&mut count, data);
    count.0
}

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

/// The key SetCallDisposition writes when the request names none. GWS's default is configured
/// on the server (gws-api.md §4.1); `DispositionCode` is the one GWS samples show in user data.
pub(crate) const DEFAULT_DISPOSITION_KEY: &str = "DispositionCode";

/// SetCallDisposition's `disposition` and `dispositionKey`, as (key, disposition).
///
/// `disposition` is required: a string, or a number taken as its text (a disposition code may
/// be numeric); anything else is invalid. `dispositionKey` is optional: absent, `null` or empty
/// means [`DEFAULT_DISPOSITION_KEY`]; a non-string is invalid.
pub(crate) fn disposition_param(
    request: &OperationRequest,
) -> Result<(String, String), EngineError> {
    let disposition = match request.other.get("disposition") {
        None | Some(Value::Null) => {
            return Err(EngineError::MissingParameter(
                "Parameter 'disposition' is missing".into(),
            ));
        }
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(_) => {
            return Err(EngineError::Invalid(
                "Parameter 'disposition' must be a string".into(),
            ));
        }
    };
    let key = match request.other.get("dispositionKey") {
        None | Some(Value::Null) => DEFAULT_DISPOSITION_KEY.to_string(),
        Some(Value::String(key)) if key.is_empty() => DEFAULT_DISPOSITION_KEY.to_string(),
        Some(Value::String(key)) => key.clone(),
        Some(_) => {
            return Err(EngineError::Invalid(
                "Parameter 'dispositionKey' must be a string".into(),
            ));
        }
    };
    Ok((key, disposition))
}

/// The call a device-level operation names: `callUuid`, or the trailing id of `callUri`
/// (both may be given if they agree). Neither → missing; a non-string, an empty id or two
/// different calls → invalid.
pub(crate) fn named_call_param(request: &OperationRequest) -> Result<String, EngineError> {
    let uuid = match request.other.get("callUuid") {
        None | Some(Value::Null) => None,
        Some(Value::String(uuid)) if !uuid.trim().is_empty() => Some(uuid.trim().to_string()),
        Some(_) => {
            return Err(EngineError::Invalid(
                "Parameter 'callUuid' must be a non-empty string".into(),
            ));
        }
    };
    let by_uri = match request.other.get("callUri") {
        None | Some(Value::Null) => None,
        Some(value) => Some(call_id_param(value, "callUri")?),
    };
    match (uuid, by_uri) {
        (None, None) => Err(EngineError::MissingParameter(
            "Parameter 'callUuid' or 'callUri' is missing".into(),
        )),
        (Some(uuid), Some(id)) if uuid != id => Err(EngineError::Invalid(format!(
            "Parameters 'callUuid' ({uuid}) and 'callUri' ({id}) name different calls"
        ))),
        (Some(id), _) | (None, Some(id)) => Ok(id),
    }
}
