//! The call resource's lenient fields, declared two ways with the same decoding rules:
//! [`attrs`] as the protocol crate does today (`deserialize_with` per field), [`newtypes`] with
//! field types that carry the rule. Built alone (feature `attrs` or `newtypes`) to wasm, each
//! exports `decode`, so the size of one way can be read off its wasm.

use serde::Deserialize;

/// Today's form: `Option<String>` / `Option<bool>` / `Option<Map>` fields with a helper each.
pub mod attrs {
    use super::Deserialize;
    use gws_protocol::lenient::{lenient_bool, object_or_none, string_or_none, string_or_number};
    use serde_json::{Map, Value};

    #[derive(Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Participant {
        #[serde(default, deserialize_with = "string_or_number")]
        pub e164_number: Option<String>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub formatted_phone_number: Option<String>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub phone_number: Option<String>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub digits: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub location: Option<String>,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Call {
        pub id: String,
        #[serde(default, deserialize_with = "string_or_number")]
        pub call_uuid: Option<String>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub conn_id: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub device_uri: Option<String>,
        #[serde(default)]
        pub participants: Vec<Participant>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub dnis: Option<String>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub ani: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub parent_call_uri: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub parent_call_path: Option<String>,
        #[serde(default, deserialize_with = "object_or_none")]
        pub user_data: Option<Map<String, Value>>,
        #[serde(default, deserialize_with = "string_or_number")]
        pub duration: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub recording_state: Option<String>,
        #[serde(default, deserialize_with = "lenient_bool")]
        pub supervisor_listening_in: Option<bool>,
        #[serde(default, deserialize_with = "lenient_bool")]
        pub monitored_user_muted: Option<bool>,
        #[serde(default, deserialize_with = "lenient_bool")]
        pub monitoring: Option<bool>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub uri: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        pub path: Option<String>,
    }
}

/// The newtype form: each field's type carries its rule (`Text`, `TextOrNumber`, `Flag`,
/// `Object`), so a field needs only `#[serde(default)]`.
pub mod newtypes {
    use super::Deserialize;
    // The protocol crate's own lenient field types (what its structs use since this measurement).
    pub use gws_protocol::lenient::{Flag, Object, Text, TextOrNumber};

    #[derive(Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Participant {
        #[serde(default)]
        pub e164_number: TextOrNumber,
        #[serde(default)]
        pub formatted_phone_number: TextOrNumber,
        #[serde(default)]
        pub phone_number: TextOrNumber,
        #[serde(default)]
        pub digits: TextOrNumber,
        #[serde(default)]
        pub location: Text,
    }

    #[derive(Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Call {
        pub id: String,
        #[serde(default)]
        pub call_uuid: TextOrNumber,
        #[serde(default)]
        pub conn_id: TextOrNumber,
        #[serde(default)]
        pub device_uri: Text,
        #[serde(default)]
        pub participants: Vec<Participant>,
        #[serde(default)]
        pub dnis: TextOrNumber,
        #[serde(default)]
        pub ani: TextOrNumber,
        #[serde(default)]
        pub parent_call_uri: Text,
        #[serde(default)]
        pub parent_call_path: Text,
        #[serde(default)]
        pub user_data: Object,
        #[serde(default)]
        pub duration: TextOrNumber,
        #[serde(default)]
        pub recording_state: Text,
        #[serde(default)]
        pub supervisor_listening_in: Flag,
        #[serde(default)]
        pub monitored_user_muted: Flag,
        #[serde(default)]
        pub monitoring: Flag,
        #[serde(default)]
        pub uri: Text,
        #[serde(default)]
        pub path: Text,
    }
}

/// A call as the seeds carry it, with odd types in some lenient fields.
pub const SAMPLE: &str = r#"{"id":"007D029CD6C5E006","callUuid":"3MNV7PGNQ56CLAR6CRR6NNNCHC000002","connId":"007d029cd6c5e006","deviceUri":"http://127.0.0.1:8080/api/v2/devices/efe1ab32-53f9-43ce-b65e-5768c61f7d4a","participants":[{"e164Number":"","formattedPhoneNumber":"5001","phoneNumber":"5001","digits":5001,"location":null}],"dnis":"5005","ani":5001,"parentCallUri":"http://127.0.0.1:8080/api/v2/me/calls/007D029CD6C5E005","userData":{"CaseId":"12345","Segment":"Gold"},"duration":"12","recordingState":7,"supervisorListeningIn":"false","monitoredUserMuted":false,"uri":"http://127.0.0.1:8080/api/v2/me/calls/007D029CD6C5E006","path":"/calls/007D029CD6C5E006"}"#;

/// Decodes a call from `len` bytes at `ptr` (the wasm export whose size is measured) and
/// returns how many of its lenient fields were present, so nothing is optimised away.
///
/// # Safety
/// `ptr..ptr+len` must be readable.
#[cfg(any(feature = "attrs", feature = "newtypes"))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn decode(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller passes a readable range.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    #[cfg(feature = "attrs")]
    let present = serde_json::from_slice::<attrs::Call>(bytes)
        .map(|c| c.participants.len() as u32 + c.duration.is_some() as u32 + c.monitoring.is_some() as u32)
        .unwrap_or(0);
    #[cfg(feature = "newtypes")]
    let present = serde_json::from_slice::<newtypes::Call>(bytes)
        .map(|c| c.participants.len() as u32 + c.duration.0.is_some() as u32 + c.monitoring.0.is_some() as u32)
        .unwrap_or(0);
    present
}

/// The allocator and JSON plumbing every variant shares: the baseline the sizes are read from.
#[cfg(not(any(feature = "attrs", feature = "newtypes")))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn decode(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the caller passes a readable range.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    serde_json::from_slice::<serde_json::Value>(bytes).map(|v| v.is_object() as u32).unwrap_or(0)
}
