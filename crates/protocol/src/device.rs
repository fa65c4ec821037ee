//! The device resource and the agent's user state (gws-api.md §8).

use crate::call::OnOff;
use crate::lenient::{skip_bad_items, string_or_none, string_or_number};
use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The agent state attached to a device (`Ready`, `NotReady` with optional work mode / reason).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserState {
    /// Id of the configured agent-state definition.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Label to show.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// `Ready` / `NotReady` (others possible).
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<String>,
    /// `AfterCallWork`, `AuxWork`, `ManualIn`, `AutoIn`.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub work_mode: Option<String>,
    /// NotReady reason code, when one was given.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<String>,
}

/// A device (the agent's phone / DN).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device UUID.
    pub id: String,
    /// `Active` / `Inactive`.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_state: Option<String>,
    /// Agent state on this device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_state: Option<UserState>,
    /// The DN.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    /// E.164 form of the DN.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub e164_number: Option<String>,
    /// `Private` / `Public`.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub telephony_network: Option<String>,
    /// Do-not-disturb flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_disturb: Option<OnOff>,
    /// Forwarding target while forwarding is on.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub forward_to: Option<String>,
    /// Voice environment link.
    #[serde(
        default,
        deserialize_with = "string_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub voice_environment_uri: Option<String>,
    /// Device operations allowed now.
    #[serde(default, deserialize_with = "skip_bad_items")]
    pub capabilities: Vec<Operation>,
    /// Supervisor monitoring set-up (`{state, mode, scope, targetDeviceUri}`), kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_monitoring_state: Option<Value>,
}

impl Device {
    /// Whether the server currently allows `operation` on this device.
    pub fn can(&self, operation: &Operation) -> bool {
        self.capabilities.contains(operation)
    }
}
