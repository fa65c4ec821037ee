//! `gws-protocol`: the wire types of the Genesys Web Services (GWS) API v2 voice channel and of
//! the Bayeux (CometD) protocol that carries its notifications.
//!
//! Pure serde types, no I/O. Every type that comes from a peer is parsed **tolerantly**: unknown
//! fields are ignored, unknown enum values (call states, capabilities, message types…) become an
//! `Unknown(String)` variant instead of an error, and list items of the wrong shape are skipped.
//! A real GWS differs between versions (see `gws-api.md` §7.3), and a browser widget must never
//! die because a server sent one more capability than we knew about.
//!
//! Layout:
//! - [`call`]: the call resource (`Call`, `CallState`, `CallType`, `Participant`, `OnOff`).
//! - [`operation`]: operation / capability names (`Operation`).
//! - [`device`]: the device resource and the agent's `UserState`.
//! - [`notification`]: the `data` payloads published on `/v2/me/calls` and `/v2/me/devices`.
//! - [`api`]: REST envelopes (`statusCode`), operation request bodies, snapshot responses.
//! - [`bayeux`]: Bayeux messages and `advice`.
//! - [`lenient`]: the tolerant-deserialisation helpers used above.

pub mod api;
pub mod bayeux;
pub mod call;
pub mod device;
pub mod lenient;
pub mod notification;
pub mod operation;

pub use api::{ApiStatus, StatusCode};
pub use bayeux::{Advice, Message, Reconnect};
pub use call::{Call, CallState, CallType, OnOff, Participant};
pub use device::{Device, UserState};
pub use notification::{CallNotification, DeviceNotification, ErrorNotification, Notification};
pub use operation::Operation;

/// A JSON decoding error told without the input it may quote: its category and position only.
///
/// `serde_json::Error`'s text echoes values of the data (`invalid type: string "John Smith",
/// expected i64`), and these errors end up in console lines and on cards: customer names,
/// numbers and attached data must not. What is left still says what went wrong, and where.
pub fn redacted_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let category = match error.classify() {
        Category::Io => "I/O error",
        Category::Syntax => "invalid JSON",
        Category::Data => "unexpected type or value",
        Category::Eof => "truncated JSON",
    };
    if error.line() == 0 {
        category.to_string()
    } else {
        format!(
            "{category} at line {} column {}",
            error.line(),
            error.column()
        )
    }
}

/// The CometD channel of call notifications.
pub const CALLS_CHANNEL: &str = "/v2/me/calls";
/// The CometD channel of device (agent state, DND, forwarding, monitoring) notifications.
pub const DEVICES_CHANNEL: &str = "/v2/me/devices";
