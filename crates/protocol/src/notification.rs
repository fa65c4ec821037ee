//! The `data` of a GWS CometD message: `data.messageType` says which other fields exist
//! (gws-api.md §6.3–6.6).
//!
//! Parsing is split from the Bayeux layer on purpose: the Bayeux client delivers
//! `(channel, data)` pairs and knows nothing about calls; this module turns `data` into a typed
//! [`Notification`], and any failure is a value the caller logs and skips.

use crate::call::Call;
use crate::device::Device;
use crate::lenient::{Object, Text, TextOrNumber, skip_bad_items};
use crate::redacted_error;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

crate::string_enum! {
    /// Why a `CallStateChangeMessage` was sent.
    pub enum NotificationType {
        StatusChange = "StatusChange",
        ParticipantsUpdated = "ParticipantsUpdated",
        AttachedDataChanged = "AttachedDataChanged",
        DtmfSent = "DtmfSent",
        CallRecordingStateChange = "CallRecordingStateChange",
        MonitoredUserMutedStateChange = "MonitoredUserMutedStateChange",
    }
}

/// `CallStateChangeMessage`: the whole call after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallNotification {
    /// What changed.
    #[serde(default = "status_change")]
    pub notification_type: NotificationType,
    /// The full call resource after the change.
    pub call: Call,
    /// The agent's own DN.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub phone_number: TextOrNumber,
    /// T-Server extensions of the underlying event, kept as sent.
    #[serde(default, skip_serializing_if = "Object::is_absent")]
    pub extensions: Object,
    /// DTMF digits, on `DtmfSent` (not in any sample; harmless when absent).
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub dtmf_digits: TextOrNumber,
}

fn status_change() -> NotificationType {
    NotificationType::StatusChange
}

/// `DeviceStateChangeMessage`: full device resources after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceNotification {
    /// Devices whose state changed (items that do not parse are skipped).
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub devices: Vec<Device>,
}

/// `ErrorMessage`: the back end rejected an operation that had been accepted with `statusCode 0`.
///
/// Only `messageType` and `errorMessage` are evidenced in public material; the rest is what our
/// simulator adds so a client can put the error on the right card (gws-api.md §6.6).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorNotification {
    /// Back-end error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<Value>,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub error_message: Text,
    /// The operation that failed.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub operation_name: Text,
    /// The call the operation targeted.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub call_uri: Text,
    /// The device the operation targeted.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub device_uri: Text,
}

impl ErrorNotification {
    /// The id of the call this error is about, if it names one.
    pub fn call_id(&self) -> Option<&str> {
        self.call_uri.as_deref().and_then(crate::call::trailing_id)
    }
}

/// A `CallStateChangeMessage` with its `messageType`: what [`CallNotification`] reads, plus the
/// type, so that one pass over `data` reads both. GWS sends `messageType` last: reading it first
/// is a second scan of the whole `data` (a fifth of a call notification's decoding). Nearly every
/// notification is a call's, so [`Notification::from_json`] reads `data` as one of these first;
/// another type is then read as that type. It is also how a call message is read once its type is
/// known, so the widget holds one decoder of call messages, not two;
/// `call_messages_read_as_call_notification_reads_them` checks it reads what
/// `CallNotification`'s own decoder reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallMessage<'a> {
    #[serde(borrow, default)]
    message_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(default = "status_change")]
    notification_type: NotificationType,
    /// Optional here so that a message of another type, without a call, reads too.
    #[serde(default)]
    call: Option<Call>,
    #[serde(default)]
    phone_number: TextOrNumber,
    #[serde(default)]
    extensions: Object,
    #[serde(default)]
    dtmf_digits: TextOrNumber,
}

impl CallMessage<'_> {
    /// The call notification, once `messageType` said it is one.
    fn into_notification(self) -> Result<Notification, NotificationError> {
        let call = self.call.ok_or_else(|| {
            NotificationError(format!(
                "{}: missing field `call`",
                Notification::CALL_MESSAGE
            ))
        })?;
        Ok(Notification::Call(Box::new(CallNotification {
            notification_type: self.notification_type,
            call,
            phone_number: self.phone_number,
            extensions: self.extensions,
            dtmf_digits: self.dtmf_digits,
        })))
    }
}

/// A typed notification.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    /// `CallStateChangeMessage`.
    Call(Box<CallNotification>),
    /// `DeviceStateChangeMessage`.
    Device(DeviceNotification),
    /// `ErrorMessage`.
    Error(ErrorNotification),
    /// A message type this version does not handle (kept so it can be logged).
    Other {
        /// The unknown `messageType`.
        message_type: String,
    },
}

/// Why a notification's `data` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationError(pub String);

impl fmt::Display for NotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed notification: {}", self.0)
    }
}

impl std::error::Error for NotificationError {}

impl Notification {
    /// The `messageType` of a call notification.
    pub const CALL_MESSAGE: &'static str = "CallStateChangeMessage";
    /// The `messageType` of a device notification.
    pub const DEVICE_MESSAGE: &'static str = "DeviceStateChangeMessage";
    /// The `messageType` of an asynchronous error.
    pub const ERROR_MESSAGE: &'static str = "ErrorMessage";

    /// Reads the `data` of a CometD message. Never panics; unknown types are `Other`.
    pub fn from_data(data: &Value) -> Result<Notification, NotificationError> {
        let object = data
            .as_object()
            .ok_or_else(|| NotificationError("data is not an object".into()))?;
        let message_type = object
            .get("messageType")
            .and_then(Value::as_str)
            .ok_or_else(|| NotificationError("no messageType".into()))?;
        // Deserialising from `&Value` reads the tree in place: no deep copy per notification.
        Self::of_type(message_type, data)
    }

    /// Reads the `data` of a CometD message from its JSON text, as the Bayeux client delivers
    /// it ([`crate::bayeux::RawData`]): decoded straight into the typed notification, without
    /// an intermediate `Value` tree. Never panics; unknown types are `Other`.
    pub fn from_json(data: &str) -> Result<Notification, NotificationError> {
        if !data.trim_start().starts_with('{') {
            return Err(NotificationError("data is not an object".into()));
        }
        let Ok(mut message) = serde_json::from_str::<CallMessage<'_>>(data) else {
            // Malformed, or another type with a field of one of these names in another shape:
            // the type first, then `data` as that type.
            return Self::type_first(data);
        };
        match message.message_type.take() {
            Some(kind) if kind == Self::CALL_MESSAGE => message.into_notification(),
            // The pass read the whole object, so it is well-formed: read it as its type.
            Some(kind) => Self::of_type(&kind, &mut serde_json::Deserializer::from_str(data)),
            None => Err(NotificationError("no messageType".into())),
        }
    }

    /// Reads `messageType` (every other field skipped unread), then `data` as that type.
    fn type_first(data: &str) -> Result<Notification, NotificationError> {
        /// Only the discriminant.
        #[derive(Deserialize)]
        struct Kind<'a> {
            #[serde(rename = "messageType", borrow, default)]
            message_type: Option<std::borrow::Cow<'a, str>>,
        }
        let kind: Kind<'_> =
            serde_json::from_str(data).map_err(|_| NotificationError("no messageType".into()))?;
        let message_type = kind
            .message_type
            .ok_or_else(|| NotificationError("no messageType".into()))?;
        Self::of_type(&message_type, &mut serde_json::Deserializer::from_str(data))
    }

    /// Decodes `data` (any deserializer of it) as the notification `message_type` names.
    fn of_type<'de, D>(message_type: &str, data: D) -> Result<Notification, NotificationError>
    where
        D: serde::Deserializer<'de, Error = serde_json::Error>,
    {
        // Category and position only: serde's text can quote customer data.
        let parse_err = |e: serde_json::Error| {
            NotificationError(format!("{message_type}: {}", redacted_error(&e)))
        };
        Ok(match message_type {
            Self::CALL_MESSAGE => CallMessage::deserialize(data)
                .map_err(parse_err)?
                .into_notification()?,
            Self::DEVICE_MESSAGE => {
                Notification::Device(DeviceNotification::deserialize(data).map_err(parse_err)?)
            }
            Self::ERROR_MESSAGE => {
                Notification::Error(ErrorNotification::deserialize(data).map_err(parse_err)?)
            }
            other => Notification::Other {
                message_type: other.to_string(),
            },
        })
    }

    /// Builds the `data` object a server publishes for this notification.
    pub fn to_data(&self) -> Value {
        let (message_type, body) = match self {
            Notification::Call(call) => (Self::CALL_MESSAGE, serde_json::to_value(call)),
            Notification::Device(device) => (Self::DEVICE_MESSAGE, serde_json::to_value(device)),
            Notification::Error(error) => (Self::ERROR_MESSAGE, serde_json::to_value(error)),
            Notification::Other { message_type } => {
                (message_type.as_str(), Ok(Value::Object(Map::new())))
            }
        };
        let mut body = match body {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        body.insert(
            "messageType".into(),
            Value::String(message_type.to_string()),
        );
        Value::Object(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_message_type_is_other_not_error() {
        let n = Notification::from_data(&json!({"messageType": "ChannelStateChangeMessageV2"}));
        assert_eq!(
            n,
            Ok(Notification::Other {
                message_type: "ChannelStateChangeMessageV2".into()
            })
        );
    }

    #[test]
    fn call_message_without_call_is_an_error_value() {
        let n = Notification::from_data(&json!({"messageType": "CallStateChangeMessage"}));
        assert!(n.is_err());
        assert!(Notification::from_data(&json!([1, 2])).is_err());
        assert!(Notification::from_data(&json!({"x": 1})).is_err());
    }

    #[test]
    fn error_message_names_its_call() {
        let n = Notification::from_data(&json!({
            "messageType": "ErrorMessage", "errorCode": 56, "errorMessage": "Busy",
            "callUri": "http://h/api/v2/me/calls/ABC"
        }))
        .expect("parses");
        let Notification::Error(error) = n else {
            panic!("not an error")
        };
        assert_eq!(error.call_id(), Some("ABC"));
        assert_eq!(error.error_message.as_deref(), Some("Busy"));
    }

    #[test]
    fn decoding_errors_do_not_quote_customer_data() {
        let data = json!({"messageType": "CallStateChangeMessage", "call": "John Smith"});
        for error in [
            Notification::from_json(&data.to_string()).expect_err("not a call"),
            Notification::from_data(&data).expect_err("not a call"),
        ] {
            assert!(!error.0.contains("John Smith"), "{error:?}");
            assert!(
                error
                    .0
                    .starts_with("CallStateChangeMessage: unexpected type"),
                "{error:?}"
            );
        }
    }

    #[test]
    fn from_json_reads_what_from_data_reads() {
        let samples = [
            json!({"messageType": "CallStateChangeMessage", "notificationType": "StatusChange",
                   "call": {"id": "C1", "state": "Ringing", "capabilities": ["Answer", "Fly"],
                            "participants": [{"number": "5001"}], "userData": {"k": "<b>"}}}),
            json!({"messageType": "ErrorMessage", "errorCode": 56, "errorMessage": "Busy"}),
            json!({"messageType": "DeviceStateChangeMessage", "devices": [{"id": "d1"}]}),
            json!({"messageType": "ChannelStateChangeMessageV2", "x": [1, {"y": null}]}),
            json!({"messageType": "CallStateChangeMessage"}),
            json!({"messageType": 7}),
            json!({"x": 1}),
            json!([1, 2]),
            json!("text"),
        ];
        for sample in samples {
            let text = sample.to_string();
            assert_eq!(
                Notification::from_json(&text).is_ok(),
                Notification::from_data(&sample).is_ok(),
                "{text}"
            );
            if let Ok(typed) = Notification::from_data(&sample) {
                assert_eq!(Notification::from_json(&text), Ok(typed), "{text}");
            }
        }
        assert!(Notification::from_json("").is_err());
        assert!(Notification::from_json("{\"messageType\":").is_err());
    }

    /// Call messages, `messageType` anywhere, read as `CallNotification`'s own decoder reads
    /// them; messages of other types and malformed ones as reading the type first reads them.
    #[test]
    fn call_messages_read_as_call_notification_reads_them() {
        let call = r#"{"id":"C1","state":"Ringing","capabilities":["Answer"],"participants":[{"number":"5001"}]}"#;
        let calls = [
            // GWS's order: `messageType` last.
            format!(
                r#"{{"notificationType":"StatusChange","call":{call},"phoneNumber":"15000","extensions":{{"BusinessCall":0}},"messageType":"CallStateChangeMessage"}}"#
            ),
            format!(r#"{{"messageType":"CallStateChangeMessage","call":{call}}}"#),
            format!(
                r#"{{"call":{call},"messageType":"CallStateChangeMessage","dtmfDigits":"12#","unknown":[1,{{"x":null}}]}}"#
            ),
            format!(
                r#"{{"call":{call},"notificationType":"SomethingNew","messageType":"CallStateChangeMessage"}}"#
            ),
            format!(
                r#"{{"call":{call},"phoneNumber":15000,"messageType":"CallStateChange\u004dessage"}}"#
            ),
            // A call without state: the store skips it later, the decoder keeps it.
            r#"{"call":{"id":"C1"},"messageType":"CallStateChangeMessage"}"#.to_string(),
        ];
        for text in &calls {
            let expected = serde_json::from_str::<CallNotification>(text).expect(text);
            assert_eq!(
                Notification::from_json(text),
                Ok(Notification::Call(Box::new(expected))),
                "{text}"
            );
        }
        let refused_calls = [
            r#"{"call":null,"messageType":"CallStateChangeMessage"}"#.to_string(),
            r#"{"call":5,"messageType":"CallStateChangeMessage"}"#.to_string(),
            r#"{"messageType":"CallStateChangeMessage"}"#.to_string(),
            format!(r#"{{"call":{call},"messageType":"CallStateChangeMessage"}} trailing"#),
        ];
        for text in &refused_calls {
            assert!(
                serde_json::from_str::<CallNotification>(text).is_err(),
                "{text}"
            );
            assert!(Notification::from_json(text).is_err(), "{text}");
        }
        let others = [
            format!(r#"{{"call":{call},"messageType":"ErrorMessage","errorMessage":"Busy"}}"#),
            format!(r#"{{"call":{call},"messageType":"DeviceStateChangeMessage","devices":[]}}"#),
            r#"{"devices":[{"id":"d1"}],"messageType":"DeviceStateChangeMessage"}"#.to_string(),
            r#"{"call":5,"messageType":"ChannelStateChangeMessageV2"}"#.to_string(),
            format!(r#"{{"call":{call}}}"#),
            format!(r#"{{"call":{call},"messageType":7}}"#),
            format!(
                r#"{{"call":{call},"messageType":"CallStateChangeMessage","messageType":"CallStateChangeMessage"}}"#
            ),
        ];
        for text in &others {
            assert_eq!(
                Notification::from_json(text),
                Notification::type_first(text),
                "{text}"
            );
        }
        assert!(matches!(
            Notification::from_json(&others[0]),
            Ok(Notification::Error(ref error)) if error.error_message == Text::from("Busy")
        ));
        assert!(matches!(
            Notification::from_json(&others[3]),
            Ok(Notification::Other { ref message_type }) if message_type == "ChannelStateChangeMessageV2"
        ));
        for text in &others[4..] {
            assert!(Notification::from_json(text).is_err(), "{text}");
        }
    }
}
