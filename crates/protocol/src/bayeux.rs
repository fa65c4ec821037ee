//! Bayeux 1.0 messages as CometD 3 servers and clients exchange them over long-polling.
//!
//! A request or response body is a JSON array of [`Message`]s (a single object is accepted
//! too). Fields are optional because each meta channel uses a different subset.

mod reader;

pub use reader::{MAX_MESSAGE_BYTES, MessageReader};

use crate::lenient::{Flag, Loose, Text, TextOrNumber};
use crate::redacted_error;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

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
        skip_serializing_if = "Flag::is_absent"
    )]
    pub multiple_clients: Flag,
}

/// Accepts non-negative integers (also as floats or strings); anything else is absent.
fn millis<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Loose::deserialize(deserializer)? {
        Loose::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        }),
        Loose::Text(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// A subscription field: one channel or several.
///
/// Decoded by hand (a string or a list of strings): `#[serde(untagged)]` would buffer the value
/// in serde's generic `Content` tree and try each variant, code the wasm otherwise does not need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Subscription {
    /// One channel.
    One(String),
    /// Several channels in one message (CometD batches them this way).
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for Subscription {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SubscriptionVisitor;
        impl<'de> serde::de::Visitor<'de> for SubscriptionVisitor {
            type Value = Subscription;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a channel or a list of channels")
            }
            fn visit_str<E: serde::de::Error>(self, channel: &str) -> Result<Subscription, E> {
                Ok(Subscription::One(channel.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Subscription, A::Error> {
                let mut channels = Vec::new();
                while let Some(channel) = seq.next_element::<String>()? {
                    channels.push(channel);
                }
                Ok(Subscription::Many(channels))
            }
        }
        deserializer.deserialize_any(SubscriptionVisitor)
    }
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

/// The `data` of a received message, kept as the JSON text the server sent.
///
/// Why raw: a client only routes messages; the application decodes `data` straight into its
/// own typed notification. Building a `serde_json::Value` tree first and converting it after
/// cost two passes and an allocation per field on every notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawData(Box<RawValue>);

impl RawData {
    /// The payload's JSON text, exactly as received.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Wraps JSON text (which must be valid JSON).
    pub fn from_json(json: String) -> Result<RawData, serde_json::Error> {
        RawValue::from_string(json).map(RawData)
    }
}

impl PartialEq for RawData {
    /// Payloads compare by their JSON text.
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

/// A message as a client receives it: `data` left undecoded ([`RawData`]).
pub type Received = Message<RawData>;

/// One Bayeux message. `D` is the type of `data`: a [`Value`] when building or inspecting
/// messages, [`RawData`] when receiving them (see [`parse_messages`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "D: Deserialize<'de>"))]
pub struct Message<D = Value> {
    /// Meta or application channel.
    #[serde(default)]
    pub channel: String,
    /// Message id, echoed in the reply.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub id: TextOrNumber,
    /// Session id from the handshake.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub client_id: Text,
    /// Reply outcome of meta messages.
    #[serde(default, skip_serializing_if = "Flag::is_absent")]
    pub successful: Flag,
    /// `code::args::text`, e.g. `402::Unknown client`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub error: Text,
    /// Server advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
    /// Subscribe / unsubscribe target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    /// Application payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
    /// Handshake: protocol version.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub version: Text,
    /// Handshake: minimum version.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub minimum_version: Text,
    /// Handshake: transports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_connection_types: Option<Vec<Value>>,
    /// Connect: transport in use.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub connection_type: Text,
    /// Extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<Value>,
}

// Not derived: a derive would demand `D: Default`, which `RawData` is not.
impl<D> Default for Message<D> {
    fn default() -> Self {
        Message {
            channel: String::new(),
            id: Default::default(),
            client_id: Default::default(),
            successful: Default::default(),
            error: Default::default(),
            advice: None,
            subscription: None,
            data: None,
            version: Default::default(),
            minimum_version: Default::default(),
            supported_connection_types: None,
            connection_type: Default::default(),
            ext: None,
        }
    }
}

impl<D> Message<D> {
    /// Whether this is a reply on a `/meta/*` channel.
    pub fn is_meta(&self) -> bool {
        self.channel.starts_with("/meta/")
    }

    /// The numeric code of `error`: what comes before its first `:` (`"402::Unknown client"`,
    /// and the Bayeux spec's `"402:<clientId>:Unknown Client ID"` with arguments → 402). Split on
    /// `::` instead, an error with arguments had no code, and a `402` without `reconnect` advice
    /// was retried as a plain connect failure with the session the server no longer knows.
    pub fn error_code(&self) -> Option<u16> {
        self.error
            .as_deref()?
            .split(':')
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
/// and go on with the rest. Error texts never quote the body (see [`redacted_error`]): they
/// are logged, and a body can carry customer data. `D` is what `data` becomes: [`RawData`] for a client, which hands
/// it on undecoded, or [`Value`].
///
/// A well-formed array is decoded in one pass, without a tree. Otherwise the body is read into
/// borrowed slices of its items and each item is decoded on its own, so one bad item costs only
/// itself.
pub fn parse_messages<D: DeserializeOwned>(
    body: &str,
) -> Result<Vec<Result<Message<D>, String>>, String> {
    if let Ok(messages) = serde_json::from_str::<Vec<Message<D>>>(body) {
        return Ok(messages.into_iter().map(Ok).collect());
    }
    let not_json = |e: serde_json::Error| format!("not JSON: {}", redacted_error(&e));
    let items: Vec<&RawValue> = match body.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(body).map_err(not_json)?,
        Some(b'{') => vec![serde_json::from_str(body).map_err(not_json)?],
        _ => {
            return Err(match serde_json::from_str::<&RawValue>(body) {
                Ok(_) => "not a message array".to_string(),
                Err(e) => not_json(e),
            });
        }
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            if item.get().starts_with('{') {
                serde_json::from_str::<Message<D>>(item.get())
                    .map_err(|e| format!("message {index}: {}", redacted_error(&e)))
            } else {
                Err(format!("item {index} is not a message"))
            }
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
        let messages = parse_messages::<RawData>(body).expect("array");
        let reply = messages[0].as_ref().expect("message");
        assert_eq!(reply.error_code(), Some(402));
        assert_eq!(
            reply.advice.as_ref().and_then(|a| a.reconnect.clone()),
            Some(Reconnect::Handshake)
        );
    }

    #[test]
    fn the_error_code_is_read_with_or_without_arguments() {
        let code = |error: &str| {
            let body = serde_json::json!([{"channel": "/meta/connect", "error": error}]);
            let messages = parse_messages::<RawData>(&body.to_string()).expect("array");
            messages[0].as_ref().expect("message").error_code()
        };
        assert_eq!(code("402::Unknown client"), Some(402));
        assert_eq!(code("402:c1:Unknown Client ID"), Some(402));
        assert_eq!(code("403:c1,/v2/me/calls:Subscription denied"), Some(403));
        assert_eq!(code(" 401 ::No client ID"), Some(401));
        assert_eq!(code("Unknown client"), None);
        assert_eq!(code(""), None);
    }

    #[test]
    fn a_subscription_is_one_channel_or_several() {
        let parse = |json: &str| serde_json::from_str::<Subscription>(json);
        assert_eq!(
            parse(r#""/v2/me/calls""#).ok(),
            Some(Subscription::One("/v2/me/calls".into()))
        );
        assert_eq!(
            parse(r#"["/a", "/b"]"#).ok(),
            Some(Subscription::Many(vec!["/a".into(), "/b".into()]))
        );
        assert!(parse("7").is_err() && parse(r#"["/a", 7]"#).is_err());
        assert_eq!(
            serde_json::to_string(&Subscription::Many(vec!["/a".into()])).ok(),
            Some(r#"["/a"]"#.to_string())
        );
    }

    #[test]
    fn bad_items_are_errors_in_place() {
        let messages = parse_messages::<Value>(r#"[1, {"channel": "/x"}, "s"]"#).expect("array");
        assert!(messages[0].is_err());
        assert!(messages[1].is_ok());
        assert!(messages[2].is_err());
        assert!(parse_messages::<Value>("").is_err());
        assert!(parse_messages::<Value>("42").is_err());
        assert!(parse_messages::<Value>("[1,").is_err());
        assert!(parse_messages::<Value>("[{}] trailing").is_err());
    }

    #[test]
    fn errors_never_quote_the_body() {
        let secret = "John Smith";
        let items = parse_messages::<RawData>(
            r#"[{"channel":"/x","supportedConnectionTypes":"John Smith"}, "John Smith"]"#,
        )
        .expect("array");
        let errors: Vec<String> = items.into_iter().filter_map(Result::err).collect();
        assert_eq!(errors.len(), 2);
        for body in [
            r#""John Smith""#,
            r#"["John Smith""#,
            r#"{"a":"John Smith"}}"#,
        ] {
            errors
                .iter()
                .chain(&parse_messages::<RawData>(body).err())
                .for_each(|error| {
                    assert!(!error.contains(secret), "{error}");
                });
            assert!(parse_messages::<RawData>(body).is_err(), "{body}");
        }
        assert_eq!(
            errors[0],
            "message 0: unexpected type or value at line 1 column 55"
        );
    }

    #[test]
    fn a_single_object_body_is_one_message() {
        let messages =
            parse_messages::<RawData>(r#" {"channel":"/x","data":{"a":1}}"#).expect("object");
        let message = messages[0].as_ref().expect("message");
        assert_eq!(message.data.as_ref().map(|d| d.get()), Some(r#"{"a":1}"#));
    }

    #[test]
    fn raw_data_keeps_the_payload_text_for_the_application() {
        let body = r#"[{"channel":"/v2/me/calls","data":{"messageType":"X","n":[1,2]}},
                       {"channel":"/v2/me/calls","data":null},{"channel":"/v2/me/calls"}]"#;
        let messages = parse_messages::<RawData>(body).expect("array");
        let texts: Vec<Option<&str>> = messages
            .iter()
            .map(|m| m.as_ref().expect("message").data.as_ref().map(|d| d.get()))
            .collect();
        assert_eq!(
            texts,
            // `null` is no payload, as it was with a `Value`.
            [Some(r#"{"messageType":"X","n":[1,2]}"#), None, None]
        );
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
