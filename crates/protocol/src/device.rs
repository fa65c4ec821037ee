//! The device resource and the agent's user state (gws-api.md §8).

use crate::call::OnOff;
use crate::lenient::{Text, TextOrNumber, skip_bad_items};
use crate::operation::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The agent state attached to a device (`Ready`, `NotReady` with optional work mode / reason).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserState {
    /// Id of the configured agent-state definition.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub id: TextOrNumber,
    /// Label to show.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub display_name: Text,
    /// `Ready` / `NotReady` (others possible).
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub state: Text,
    /// `AfterCallWork`, `AuxWork`, `ManualIn`, `AutoIn`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub work_mode: Text,
    /// NotReady reason code, when one was given.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub reason: Text,
}

/// A device (the agent's phone / DN).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device UUID.
    pub id: String,
    /// `Active` / `Inactive`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub device_state: Text,
    /// Agent state on this device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_state: Option<UserState>,
    /// The DN.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub phone_number: TextOrNumber,
    /// E.164 form of the DN.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub e164_number: TextOrNumber,
    /// `Private` / `Public`.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub telephony_network: Text,
    /// Do-not-disturb flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_not_disturb: Option<OnOff>,
    /// Forwarding target while forwarding is on.
    #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
    pub forward_to: TextOrNumber,
    /// Voice environment link.
    #[serde(default, skip_serializing_if = "Text::is_absent")]
    pub voice_environment_uri: Text,
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
