//! The call resource, as returned by `GET /api/v2/me/calls?fields=*` and carried whole in every
//! `CallStateChangeMessage` (gws-api.md §7).

use crate::lenient::{Flag, Object, Text, TextOrNumber, any_items, skip_bad_items};
use crate::operation::Operation;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

crate::string_enum! {
    /// The state of a call on the agent's device.
    pub enum CallState {
        Ringing = "Ringing",
        Dialing = "Dialing",
        Established = "Established",
        Held = "Held",
        Released = "Released",
    }
}

impl Default for CallState {
    fn default() -> Self {
        CallState::Unknown(String::new())
    }
}

impl CallState {
    /// Whether the device is on this call now: `Established`, or `Dialing` (ringing out, it
    /// connects on its own when answered). A device has at most one active call, and the
    /// pairing operations (SwapCalls, MergeWithOtherCall, Complete*) take one held call and one
    /// active one — the widget offering a pair and the simulator accepting it use this one rule.
    pub fn is_active(&self) -> bool {
        matches!(self, CallState::Dialing | CallState::Established)
    }
}

crate::string_enum! {
    /// The kind of call. GWS documents the list as "such as", hence `Unknown`.
    pub enum CallType {
        Internal = "Internal",
        Inbound = "Inbound",
        Outbound = "Outbound",
        Consult = "Consult",
    }
}

crate::string_enum! {
    /// `"On"` / `"Off"` flags (mute, do-not-disturb).
    pub enum OnOff {
        On = "On",
        Off = "Off",
    }
}

/// One remote party of a call. All fields are optional on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// E.164 form; empty for internal numbers.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub e164_number: TextOrNumber,
    /// Human formatting, e.g. `(916) 555-0104`.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub formatted_phone_number: TextOrNumber,
    /// The number as dialled.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub phone_number: TextOrNumber,
    /// Digits only.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub digits: TextOrNumber,
    /// Geographic hint for E.164 numbers.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub location: Text,
    /// Country object for E.164 numbers, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Value>,
}

impl Participant {
    /// An internal participant shaped like the seeds (`e164Number` empty, the rest = `number`).
    pub fn internal(number: &str) -> Self {
        Participant {
            e164_number: "".into(),
            formatted_phone_number: number.into(),
            phone_number: number.into(),
            digits: number.into(),
            location: Text(None),
            country: None,
        }
    }

    /// The best number to dial or match on: `phoneNumber`, else `digits`, else formatted.
    pub fn number(&self) -> &str {
        [
            self.phone_number.get(),
            self.digits.get(),
            self.formatted_phone_number.get(),
            self.e164_number.get(),
        ]
        .into_iter()
        .flatten()
        .find(|n| !n.is_empty())
        .unwrap_or("")
    }

    /// The best text to show a person: formatted number, else [`Participant::number`].
    pub fn display(&self) -> &str {
        match self.formatted_phone_number.get() {
            Some(formatted) if !formatted.is_empty() => formatted,
            _ => self.number(),
        }
    }
}

/// Accepts both the current object form and the obsolete 2013 string form (`["5001"]`); any
/// other entry is skipped.
fn participants<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Participant>, D::Error> {
    let entries: Vec<ParticipantEntry> = skip_bad_items(deserializer)?;
    Ok(entries.into_iter().map(|entry| entry.0).collect())
}

/// One entry of `participants`, in either form.
struct ParticipantEntry(Participant);

impl<'de> Deserialize<'de> for ParticipantEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = ParticipantEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a participant")
            }
            fn visit_str<E: de::Error>(self, number: &str) -> Result<ParticipantEntry, E> {
                Ok(ParticipantEntry(Participant::internal(number)))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ParticipantEntry, A::Error> {
                Participant::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ParticipantEntry)
            }
        }
        deserializer.deserialize_any(Entry)
    }
}

/// A GWS call resource. Only `id` is required; everything else degrades to a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// Opaque id used in `/me/calls/{id}` (equal to `callUuid` in current GWS).
    pub id: String,
    /// Current state on this device.
    #[serde(default)]
    pub state: CallState,
    /// T-Server CallUUID.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub call_uuid: TextOrNumber,
    /// T-Lib connection id (16 hex chars).
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub conn_id: TextOrNumber,
    /// The device the call is on (`…/api/v2/devices/{id}`, no `/me`).
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub device_uri: Text,
    /// The other parties.
    #[serde(default, deserialize_with = "participants")]
    pub participants: Vec<Participant>,
    /// Dialled number identification.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub dnis: TextOrNumber,
    /// Caller number (external calls).
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub ani: TextOrNumber,
    /// Internal / Inbound / Outbound / Consult.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_type: Option<CallType>,
    /// Operations allowed now. Order carries no meaning.
    #[serde(default, deserialize_with = "any_items")]
    pub capabilities: Vec<Operation>,
    /// For consult calls: the call that was put on hold.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub parent_call_uri: Text,
    /// For consult calls, sometimes: `/calls/{parentId}`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub parent_call_path: Text,
    /// Attached data; absent when there is none.
    #[serde(default, skip_serializing_if = "Object::is_absent")]
    pub user_data: Object,
    /// Whole seconds since the call appeared on this device, as a string.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub duration: TextOrNumber,
    /// Own mute state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute: Option<OnOff>,
    /// `Stopped` / `Recording` / `Paused`, only where recording exists.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub recording_state: Text,
    /// Set on an agent's call while a supervisor monitors it.
    #[serde(default, skip_serializing_if = "Flag::is_absent")]
    pub supervisor_listening_in: Flag,
    /// Supervisor's view: the monitored agent is muted.
    #[serde(default, skip_serializing_if = "Flag::is_absent")]
    pub monitored_user_muted: Flag,
    /// Undocumented flag, present in some samples only.
    #[serde(default, skip_serializing_if = "Flag::is_absent")]
    pub monitoring: Flag,
    /// Absolute URI of this call.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub uri: Text,
    /// `/calls/{id}` (sometimes without the leading slash).
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub path: Text,
}

impl Call {
    /// Whether the server currently allows `operation` on this call.
    pub fn can(&self, operation: &Operation) -> bool {
        self.capabilities.contains(operation)
    }

    /// `duration` in whole seconds, truncated (0 when absent or not a non-negative number; an
    /// exponent is read too). Read without a float parser: `str::parse::<f64>` brought core's
    /// `dec2flt` and its tables into the widget's wasm (13.4 KB gzip) for a number GWS sends
    /// whole.
    pub fn duration_secs(&self) -> u64 {
        self.duration.as_deref().map_or(0, whole_seconds)
    }

    /// The id of the parent call of a consult, taken from the trailing segment of its URI.
    pub fn parent_call_id(&self) -> Option<&str> {
        self.parent_call_uri
            .as_deref()
            .or(self.parent_call_path.as_deref())
            .and_then(trailing_id)
    }

    /// Whether the agent's microphone is muted on this call.
    pub fn is_muted(&self) -> bool {
        self.mute == Some(OnOff::On)
    }
}

/// Whole seconds of a non-negative decimal as `str::parse::<f64>` reads it (`12`, `+12.75`,
/// ` 3 `, `1.5e3`; a float written by the lenient field can have an exponent), truncated; 0 for
/// anything else (a minus sign, letters, `NaN`, `inf`); saturates at `u64::MAX`.
fn whole_seconds(text: &str) -> u64 {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let (negative, magnitude) = match exponent.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, exponent.strip_prefix('+').unwrap_or(exponent)),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || magnitude.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || !digits(magnitude)
    {
        return 0;
    }
    // Where the decimal point lands among the mantissa's digits; bounded, as beyond ±1 000 the
    // result is 0 or saturated anyway.
    let shift = magnitude
        .bytes()
        .fold(0i64, |n, b| (n * 10 + i64::from(b - b'0')).min(1_000));
    let point = whole.len() as i64 + if negative { -shift } else { shift };
    let mut mantissa_digits = whole.bytes().chain(fraction.bytes());
    let mut secs = 0u64;
    for _ in 0..point.max(0) {
        let digit = mantissa_digits.next().map_or(0, |b| u64::from(b - b'0'));
        secs = secs.saturating_mul(10).saturating_add(digit);
    }
    secs
}

/// The last non-empty path segment of a URI or path: how GWS resources are matched by id
/// (`otherCallUri` may name another host than the one the server knows itself by).
pub fn trailing_id(uri: &str) -> Option<&str> {
    let without_query = uri.split(['?', '#']).next().unwrap_or(uri);
    without_query
        .trim()
        .rsplit('/')
        .find(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn call_with_only_an_id_parses_with_defaults() {
        let call: Call = serde_json::from_value(json!({"id": "c1"})).expect("parses");
        assert_eq!(call.id, "c1");
        assert_eq!(call.state, CallState::Unknown(String::new()));
        assert!(call.capabilities.is_empty());
    }

    #[test]
    fn odd_values_degrade_instead_of_failing() {
        let call: Call = serde_json::from_value(json!({
            "id": "c1",
            "state": "Teleporting",
            "duration": 12,
            "capabilities": ["Answer", 7, {"x": 1}, "Hangup", "Levitate"],
            "participants": ["5001", 12, {"phoneNumber": "5002"}],
            "userData": "not an object",
            "mute": true,
            "monitoring": "false",
            "newField": {"deep": [1, 2, 3]}
        }))
        .expect("parses");
        assert_eq!(call.state, CallState::Unknown("Teleporting".into()));
        assert_eq!(call.duration_secs(), 12);
        assert_eq!(
            call.capabilities,
            vec![
                Operation::Answer,
                Operation::Unknown("7".into()),
                Operation::Unknown("{\"x\":1}".into()),
                Operation::Hangup,
                Operation::Unknown("Levitate".into())
            ]
        );
        assert_eq!(call.participants.len(), 2);
        assert_eq!(call.participants[0].number(), "5001");
        assert_eq!(call.participants[1].number(), "5002");
        assert_eq!(call.user_data, None);
        assert_eq!(call.mute, Some(OnOff::Unknown("true".into())));
        assert_eq!(call.monitoring, Some(false));
    }

    #[test]
    fn trailing_id_ignores_host_slashes_and_query() {
        assert_eq!(
            trailing_id("http://localhost:8080/api/v2/me/calls/ABC"),
            Some("ABC")
        );
        assert_eq!(trailing_id("/calls/ABC/"), Some("ABC"));
        assert_eq!(trailing_id("calls/ABC?x=1"), Some("ABC"));
        assert_eq!(trailing_id(""), None);
    }

    #[test]
    fn a_duration_is_its_whole_seconds() {
        for (raw, secs) in [
            (json!(12), 12),
            (json!(12.75), 12),
            (json!(" 7 "), 7),
            (json!("0.5"), 0),
            (json!("99999999999999999999999"), u64::MAX),
            (json!("+3"), 3),
            (json!("1e3"), 1000),
            (json!("1.5E+3"), 1500),
            (json!("125e-1"), 12),
            (json!("5e-1"), 0),
            (json!(1e300), u64::MAX),
            (json!("1e99999999999"), u64::MAX),
        ] {
            let call: Call =
                serde_json::from_value(json!({"id": "c", "duration": raw})).expect("parses");
            assert_eq!(call.duration_secs(), secs, "{raw}");
        }
    }

    #[test]
    fn negative_or_garbage_duration_is_zero() {
        for raw in [
            json!("-5"),
            json!("abc"),
            json!(null),
            json!("NaN"),
            json!(""),
            json!("."),
            json!("1.2.3"),
            json!("-0"),
            json!("inf"),
            json!("1e"),
            json!("e3"),
            json!("1e3.5"),
        ] {
            let call: Call =
                serde_json::from_value(json!({"id": "c", "duration": raw})).expect("parses");
            assert_eq!(call.duration_secs(), 0);
        }
    }
}
