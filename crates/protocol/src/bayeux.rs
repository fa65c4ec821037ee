//! Bayeux 1.0 messages as CometD 3 servers and clients exchange them over long-polling.
//!
//! A request or response body is a JSON array of [`Message`]s (a single object is accepted
//! too). Fields are optional because each meta channel uses a different subset.

use crate::lenient::{lenient_bool, string_or_none, string_or_number};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `/meta/handshake`.
pub const META_HANDSHAKE: &str = "/meta/handshake";
/// `/meta/connect`.
pub const META_CONNECT: &str = "/meta/connect";
/// `/meta/subscribe`.
pub const META_SUBSCRIBE: &str = "/meta/subscribe";
/// `/meta/unsubscribe`.
pub const META_UNSUBSCRIBE: &str = "/meta/unsubscribe";
/// `/meta/disconnect`.
pub const META_DISCONNECT: &str = "/meta/disconnect";
/// The only transport GWS supports for browsers.
pub const LONG_POLLING: &str = "long-polling";

crate::string_enum! {
    /// `advice.reconnect`.
    pub enum Reconnect {
        Retry = "retry",
        Handshake = "handshake",
        None = "none",
    }
}

/// Server `advice` (client-side advice in a handshake uses the same shape).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Advice {
    /// What to do after this reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<Reconnect>,
    /// Milliseconds to wait before the next connect.
    #[serde(
        default,
        deserialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub interval: Option<u64>,
    /// Milliseconds the server may hold a connect.
    #[serde(
        default,
        deserialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<u64>,
    /// Milliseconds the server keeps a session without a connect.
    #[serde(
        default,
        deserialize_with = "millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_interval: Option<u64>,
    /// Another client of this browser holds a long poll.
    #[serde(
        default,
        rename = "multiple-clients",
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub multiple_clients: Option<bool>,
}

/// Accepts non-negative integers (also as floats or strings); anything else is absent.
fn millis<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Number(number)) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    })
}

/// A subscription field: one channel or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Subscription {
    /// One channel.
    One(String),
    /// Several channels in one message (CometD batches them this way).
    Many(Vec<String>),
}

impl Subscription {
    /// The channels named.
    pub fn channels(&self) -> Vec<&str> {
        match self {
            Subscription::One(channel) => vec![channel.as_str()],
            Subscription::Many(channels) => channels.iter().map(String::as_str).collect(),
        }
    }
}

/// One Bayeux message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Meta or application channel.
    #[serde(default)]
    pub channel: String,
    /// Message id, echoed in the reply.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Session id from the handshake.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_id: Option<String>,
    /// Reply outcome of meta messages.
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub successful: Option<bool>,
    /// `code::args::text`, e.g. `402::Unknown client`.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub error: Option<String>,
    /// Server advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
    /// Subscribe / unsubscribe target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    /// Application payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Handshake: protocol version.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    /// Handshake: minimum version.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_version: Option<String>,
    /// Handshake: transports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_connection_types: Option<Vec<Value>>,
    /// Connect: transport in use.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_type: Option<String>,
    /// Extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<Value>,
}

impl Message {
    /// Whether this is a reply on a `/meta/*` channel.
    pub fn is_meta(&self) -> bool {
        self.channel.starts_with("/meta/")
    }

    /// The numeric code of `error` (`"402::Unknown client"` → 402).
    pub fn error_code(&self) -> Option<u16> {
        self.error
            .as_deref()?
            .split("::")
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Whether this reply reports success.
    pub fn is_successful(&self) -> bool {
        self.successful == Some(true)
    }
}

/// Parses a response or request body: an array of messages or one message object.
/// Array items that are not messages are returned as errors in place, so a caller can log them
/// and go on with the rest.
pub fn parse_messages(body: &str) -> Result<Vec<Result<Message, String>>, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        other => return Err(format!("not a message array: {other}")),
    };
    Ok(items
        .into_iter()
        .map(|item| match item {
            Value::Object(_) => serde_json::from_value::<Message>(item).map_err(|e| e.to_string()),
            other => Err(format!("not a message: {other}")),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unknown_client_reply() {
        let body = r#"[{"channel":"/meta/connect","successful":false,"error":"402::Unknown client",
                        "advice":{"reconnect":"handshake","interval":0}}]"#;
        let messages = parse_messages(body).expect("array");
        let reply = messages[0].as_ref().expect("message");
        assert_eq!(reply.error_code(), Some(402));
        assert_eq!(
            reply.advice.as_ref().and_then(|a| a.reconnect.clone()),
            Some(Reconnect::Handshake)
        );
    }

    #[test]
    fn bad_items_are_errors_in_place() {
        let messages = parse_messages(r#"[1, {"channel": "/x"}, "s"]"#).expect("array");
        assert!(messages[0].is_err());
        assert!(messages[1].is_ok());
        assert!(messages[2].is_err());
        assert!(parse_messages("").is_err());
        assert!(parse_messages("42").is_err());
    }

    #[test]
    fn odd_advice_values_degrade() {
        let advice: Advice =
            serde_json::from_str(r#"{"timeout":"30000","interval":-1,"reconnect":"later"}"#)
                .expect("parses");
        assert_eq!(advice.timeout, Some(30000));
        assert_eq!(advice.interval, None);
        assert_eq!(advice.reconnect, Some(Reconnect::Unknown("later".into())));
    }
}
