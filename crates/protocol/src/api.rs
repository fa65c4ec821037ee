//! REST envelopes and request bodies (gws-api.md §1–§5).

use crate::call::Call;
use crate::device::Device;
use crate::lenient::{Text, TextOrNumber, skip_bad_items};
use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// GWS `statusCode` values (gws-api.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusCode(pub i64);

impl StatusCode {
    /// Success (for operations: accepted and forwarded).
    pub const OK: StatusCode = StatusCode(0);
    /// A required parameter is missing.
    pub const PARAMETER_MISSING: StatusCode = StatusCode(1);
    /// A parameter value is not valid for the current state.
    pub const PARAMETER_INVALID: StatusCode = StatusCode(2);
    /// Operation forbidden.
    pub const FORBIDDEN: StatusCode = StatusCode(3);
    /// Internal server error.
    pub const INTERNAL_ERROR: StatusCode = StatusCode(4);
    /// Caller lacks permission.
    pub const NOT_PERMITTED: StatusCode = StatusCode(5);
    /// Resource not found.
    pub const NOT_FOUND: StatusCode = StatusCode(6);
    /// Input validation error.
    pub const INVALID_INPUT: StatusCode = StatusCode(10);
    /// User not authenticated.
    pub const NOT_AUTHENTICATED: StatusCode = StatusCode(20);
}

/// The envelope every GWS response has: `statusCode` and, when non-zero, `statusMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStatus {
    /// 0 on success.
    #[serde(default = "unknown_status")]
    pub status_code: i64,
    /// Human text for failures.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub status_message: Text,
}

fn unknown_status() -> i64 {
    -1
}

impl ApiStatus {
    /// `{"statusCode":0}`.
    pub fn ok() -> Self {
        ApiStatus {
            status_code: 0,
            status_message: Text(None),
        }
    }

    /// A failure with its message.
    pub fn error(code: StatusCode, message: impl Into<String>) -> Self {
        ApiStatus {
            status_code: code.0,
            status_message: Text(Some(message.into())),
        }
    }

    /// Whether this is `statusCode 0`.
    pub fn is_ok(&self) -> bool {
        self.status_code == 0
    }
}

/// The user resource of `GET /api/v2/me` (with `?subresources=*`: devices embedded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// User id.
    #[serde(default)]
    pub id: TextOrNumber,
    /// Login name.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub user_name: Text,
    /// First name.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub first_name: Text,
    /// Last name.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub last_name: Text,
    /// `ROLE_AGENT`, `ROLE_SUPERVISOR`, …
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub roles: Vec<String>,
    /// Embedded devices (with `subresources`).
    #[serde(
        default,
        deserialize_with = "skip_bad_items",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub devices: Vec<Device>,
    /// Absolute URI.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub uri: Text,
    /// `/users/{id}`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub path: Text,
}

impl User {
    /// "First Last", falling back to the user name.
    pub fn display_name(&self) -> String {
        let full = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if full.is_empty() {
            self.user_name.0.clone().unwrap_or_default()
        } else {
            full
        }
    }

    /// Whether the user has the supervisor role.
    pub fn is_supervisor(&self) -> bool {
        self.roles.iter().any(|role| role == "ROLE_SUPERVISOR")
    }
}

/// `GET /api/v2/me?subresources=*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    /// 0 on success.
    #[serde(default)]
    pub status_code: i64,
    /// The user, devices embedded.
    pub user: User,
}

/// `GET /api/v2/me/calls?fields=*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallsResponse {
    /// 0 on success.
    #[serde(default)]
    pub status_code: i64,
    /// Every call on the user's devices (items that do not parse are skipped).
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub calls: Vec<Call>,
}

/// `GET /api/v2/me/devices?fields=*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesResponse {
    /// 0 on success.
    #[serde(default)]
    pub status_code: i64,
    /// The user's devices.
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub devices: Vec<Device>,
}

/// `{"phoneNumber": "5001"}`: the destination object of call operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// Number to dial.
    pub phone_number: String,
}

/// The body of an operation: `operationName` plus the parameters it takes, all top-level keys.
///
/// One struct for every operation keeps client and simulator on the same field names; a field
/// an operation does not take is simply absent. Decoded by hand (see the `Deserialize` impl).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationRequest {
    /// The operation.
    pub operation_name: Operation,
    /// Call ops: `{"phoneNumber"}` object; `ForwardCallsOn`: a plain string. Kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Value>,
    /// Multi-site location hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
    /// Key/value data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<Value>,
    /// `DeleteUserDataPair`: the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// `SendDtmf`: digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<Value>,
    /// `SwapCalls` / `MergeWithOtherCall`: the other call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_call_uri: Option<Value>,
    /// `CompleteTransfer` / `CompleteConference`: the consult call (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consult_call_uri: Option<Value>,
    /// `RemoveParticipantFromConference`: the number to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<Value>,
    /// Supervisor monitoring: the monitored device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_device_uri: Option<Value>,
    /// Supervisor monitoring: the monitored number (latest docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<Value>,
    /// Supervisor monitoring scope (`Agent` / `Call`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_monitoring_scope: Option<Value>,
    /// Supervisor monitoring mode (`NextCall` / `AllCalls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_monitoring_mode: Option<Value>,
    /// NotReady reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<Value>,
    /// AfterCallWork wrap-up time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up_time: Option<Value>,
    /// Ready work mode (`ManualIn` / `AutoIn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workmode: Option<Value>,
    /// StartContactCenterSession channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Value>,
    /// Anything else the caller sent, kept so a server can reject or ignore it knowingly.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Decoded through a JSON object rather than derived: `#[serde(flatten)]` makes the derive buffer
/// every field in serde's generic `Content` tree, code the widget (which decodes a request only
/// when another tab relays one) would otherwise carry for nothing. Same result as the derive: a
/// `null` parameter is absent, unknown keys land in `other`, `operationName` is required.
impl<'de> Deserialize<'de> for OperationRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let fields = Map::<String, Value>::deserialize(deserializer)?;
        let mut operation_name = None;
        // The operation is set once the fields are read (`operationName` can come anywhere).
        let mut request = OperationRequest::new(Operation::Unknown(String::new()));
        // One pass over the fields (a `remove` per known name compiled the map's removal, 4.5 KB
        // of wasm, for this decoder alone). A null parameter is absent.
        for (name, value) in fields {
            let slot = match name.as_str() {
                "operationName" => {
                    operation_name = Some(value);
                    continue;
                }
                "destination" => &mut request.destination,
                "location" => &mut request.location,
                "userData" => &mut request.user_data,
                "key" => &mut request.key,
                "digits" => &mut request.digits,
                "otherCallUri" => &mut request.other_call_uri,
                "consultCallUri" => &mut request.consult_call_uri,
                "participant" => &mut request.participant,
                "targetDeviceUri" => &mut request.target_device_uri,
                "phoneNumber" => &mut request.phone_number,
                "supervisorMonitoringScope" => &mut request.supervisor_monitoring_scope,
                "supervisorMonitoringMode" => &mut request.supervisor_monitoring_mode,
                "reasonCode" => &mut request.reason_code,
                "wrapUpTime" => &mut request.wrap_up_time,
                "workmode" => &mut request.workmode,
                "channels" => &mut request.channels,
                _ => {
                    request.other.insert(name, value);
                    continue;
                }
            };
            *slot = Some(value).filter(|value| !value.is_null());
        }
        // What `Operation`'s own decoder makes of the value, without decoding from a `Value`
        // (the widget's only use of `Value` as a deserializer: 3 KB of wasm).
        request.operation_name = match operation_name {
            Some(Value::String(name)) => Operation::parse(&name),
            Some(other) => Operation::Unknown(serde_json::to_string(&other).unwrap_or_default()),
            None => return Err(D::Error::missing_field("operationName")),
        };
        Ok(request)
    }
}

impl OperationRequest {
    /// A request with no parameters.
    pub fn new(operation: Operation) -> Self {
        OperationRequest {
            operation_name: operation,
            destination: None,
            location: None,
            user_data: None,
            key: None,
            digits: None,
            other_call_uri: None,
            consult_call_uri: None,
            participant: None,
            target_device_uri: None,
            phone_number: None,
            supervisor_monitoring_scope: None,
            supervisor_monitoring_mode: None,
            reason_code: None,
            wrap_up_time: None,
            workmode: None,
            channels: None,
            other: Map::new(),
        }
    }

    /// Sets `destination` to the `{"phoneNumber": …}` object call operations take.
    pub fn with_destination(mut self, phone_number: &str) -> Self {
        self.destination = Some(Self::destination_of(Value::String(phone_number.into())));
        self
    }

    /// The `{"phoneNumber": …}` destination object. Built as a map: `json!` with a variable goes
    /// through `serde_json::to_value`, which compiled serde_json's `Value` serializer into the
    /// widget's wasm for this object alone.
    pub fn destination_of(phone_number: Value) -> Value {
        let mut destination = Map::new();
        destination.insert("phoneNumber".into(), phone_number);
        Value::Object(destination)
    }

    /// The destination number, whether sent as an object or a plain string.
    pub fn destination_number(&self) -> Option<String> {
        match self.destination.as_ref()? {
            Value::String(number) => Some(number.clone()),
            Value::Object(map) => match map.get("phoneNumber")? {
                Value::String(number) => Some(number.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            },
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operation_request_serialises_only_given_parameters() {
        let body =
            serde_json::to_value(OperationRequest::new(Operation::Dial).with_destination("5001"))
                .expect("serialises");
        assert_eq!(
            body,
            json!({"operationName": "Dial", "destination": {"phoneNumber": "5001"}})
        );
    }

    #[test]
    fn operation_request_decodes_like_the_derive_would() {
        let request: OperationRequest = serde_json::from_value(json!({
            "operationName": "NotReady", "reasonCode": "Lunch",
            "digits": null, "reason": "Lunch", "disposition": 3,
        }))
        .expect("parses");
        assert_eq!(request.operation_name, Operation::NotReady);
        assert_eq!(request.reason_code, Some(json!("Lunch")));
        assert_eq!(request.digits, None, "a null parameter is absent");
        assert_eq!(
            Value::Object(request.other.clone()),
            json!({"reason": "Lunch", "disposition": 3}),
            "unknown keys are kept, known ones are not repeated"
        );
        let round_trip: OperationRequest =
            serde_json::from_value(serde_json::to_value(&request).expect("serialises"))
                .expect("parses");
        assert_eq!(round_trip, request);
        // A name that is not a string is an unknown operation, kept as its JSON text (what
        // `Operation`'s own decoder makes of it).
        for (name, kept) in [
            (json!(7), "7"),
            (json!({"a": [1]}), r#"{"a":[1]}"#),
            (json!(null), "null"),
        ] {
            let request: OperationRequest =
                serde_json::from_str(&json!({"operationName": name}).to_string()).expect("parses");
            assert_eq!(request.operation_name, Operation::Unknown(kept.into()));
            let direct: Operation = serde_json::from_str(&name.to_string()).expect("parses");
            assert_eq!(request.operation_name, direct, "{name}");
        }
        for bad in [json!({"digits": "1"}), json!([]), json!("Hold")] {
            assert!(
                serde_json::from_value::<OperationRequest>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn destination_accepts_object_string_and_number() {
        let parse = |v: Value| -> OperationRequest { serde_json::from_value(v).expect("parses") };
        let object = parse(json!({"operationName": "Dial", "destination": {"phoneNumber": "1"}}));
        let plain = parse(json!({"operationName": "ForwardCallsOn", "destination": "2"}));
        let number = parse(json!({"operationName": "Dial", "destination": {"phoneNumber": 3}}));
        assert_eq!(object.destination_number().as_deref(), Some("1"));
        assert_eq!(plain.destination_number().as_deref(), Some("2"));
        assert_eq!(number.destination_number().as_deref(), Some("3"));
    }

    #[test]
    fn status_without_code_is_not_ok() {
        let status: ApiStatus = serde_json::from_value(json!({})).expect("parses");
        assert!(!status.is_ok());
    }
}

/// One entry of `GET /api/v2/settings/agent-states`: a state the agent can choose and the
/// operation that selects it (NotReady reason codes are entries with a `reasonCode`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStateSetting {
    /// Id of the definition (matches `userState.id`).
    #[serde(default)]
    pub id: TextOrNumber,
    /// Label.
    #[serde(default)]
    pub display_name: Text,
    /// `Ready` / `NotReady`.
    #[serde(default)]
    pub state: Text,
    /// The operation to POST to `/api/v2/me/channels/voice`.
    #[serde(default)]
    pub operation_name: Text,
    /// Reason code to send as `reasonCode`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub reason_code: Text,
    /// `AfterCallWork` / `AuxWork`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub work_mode: Text,
}

/// `GET /api/v2/settings/agent-states`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStatesResponse {
    /// 0 on success.
    #[serde(default)]
    pub status_code: i64,
    /// The configured states (entries that do not parse are skipped).
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub settings: Vec<AgentStateSetting>,
}
