//! `AgentStore`: who the agent is and the state of their device (agent state, DND, forwarding,
//! supervisor monitoring), as a pure reducer over `GET /api/v2/me`, device snapshots and
//! `DeviceStateChangeMessage`s. Like calls, a device changes only when the server says so.

use crate::i18n::{Catalog, Key};
use gws_protocol::api::{AgentStateSetting, User};
use gws_protocol::notification::{DeviceNotification, ErrorNotification};
use gws_protocol::{Device, Operation};

/// The agent and their device.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentStore {
    /// The signed-in user, once known.
    pub user: Option<User>,
    /// The agent's device (the first of the user's devices).
    pub device: Option<Device>,
    /// Agent states the agent may choose (from the server's settings).
    pub agent_states: Vec<AgentStateSetting>,
    /// A device / agent-state operation waiting for its notification.
    pub pending: Option<Operation>,
    /// The last error of a device / agent-state operation.
    pub error: Option<String>,
    /// Whether the agent's voice channel is logged in, as the device last told (`None`: no
    /// device known yet). See [`is_logged_in`].
    pub logged_in: Option<bool>,
}

/// Whether `device` shows a voice login. GWS documents no logged-out shape (gws-api.md §8,
/// \[gap\]); the simulator's choice — `userState.state` `LoggedOut`, or `deviceState`
/// `Inactive` (an unassigned device in GWS listings) — reads as logged out, anything else as
/// logged in.
pub fn is_logged_in(device: &Device) -> bool {
    let logged_out_state = device
        .user_state
        .as_ref()
        .and_then(|s| s.state.as_deref())
        .is_some_and(|state| state.eq_ignore_ascii_case("LoggedOut"));
    let inactive = device
        .device_state
        .as_deref()
        .is_some_and(|state| state.eq_ignore_ascii_case("Inactive"));
    !(logged_out_state || inactive)
}

impl AgentStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the user of `GET /api/v2/me?subresources=*` (devices embedded).
    pub fn set_user(&mut self, user: User) {
        self.device = user.devices.first().cloned();
        self.logged_in = self.device.as_ref().map(is_logged_in);
        self.user = Some(user);
    }

    /// The device id operations go to.
    pub fn device_id(&self) -> Option<&str> {
        self.device.as_ref().map(|d| d.id.as_str())
    }

    /// Applies a `DeviceStateChangeMessage`; returns whether it was about our device.
    pub fn apply(&mut self, notification: &DeviceNotification) -> bool {
        self.replace_devices(&notification.devices)
    }

    /// Takes our device from a list (notification or `GET /api/v2/me/devices?fields=*`). With
    /// no device yet (a GWS user gets one only once logged in), the first one becomes ours.
    pub fn replace_devices(&mut self, devices: &[Device]) -> bool {
        let mine = match self.device_id() {
            Some(mine) => devices.iter().find(|device| device.id == mine),
            None => devices.first(),
        };
        match mine {
            Some(device) => {
                self.logged_in = Some(is_logged_in(device));
                self.device = Some(device.clone());
                self.pending = None;
                true
            }
            None => false,
        }
    }

    /// Marks a device operation as sent; `false` while another is pending (double-click guard).
    pub fn mark_pending(&mut self, operation: Operation) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.pending = Some(operation);
        self.error = None;
        true
    }

    /// The server accepted `EndContactCenterSession`: the voice channel is logged out. No
    /// notification can confirm it (the loop stopped first), and the device re-read that
    /// follows may fail or no longer list the device (GWS unassigns it): the logout must not
    /// stay pending on either. Returns whether anything changed.
    pub fn logged_out(&mut self) -> bool {
        let was = (self.pending.clone(), self.logged_in);
        if self.pending == Some(Operation::EndContactCenterSession) {
            self.pending = None;
        }
        self.logged_in = Some(false);
        was != (self.pending.clone(), self.logged_in)
    }

    /// A new call appeared: a pending `Dial` is answered by it (Dial's result is a call, not a
    /// device notification).
    pub fn call_appeared(&mut self) {
        if self.pending == Some(Operation::Dial) {
            self.pending = None;
        }
    }

    /// A device operation failed: not pending any more; the message is shown.
    pub fn operation_failed(&mut self, message: String) {
        self.pending = None;
        self.error = Some(message);
    }

    /// An asynchronous `ErrorMessage` on `/v2/me/devices`.
    pub fn apply_error(&mut self, error: &ErrorNotification, catalog: &Catalog) {
        let message = error
            .error_message
            .0
            .clone()
            .unwrap_or_else(|| catalog.text(Key::ErrFailed).to_string());
        self.operation_failed(match &*error.operation_name {
            Some(operation) => catalog.fill(
                Key::ErrOperationFailed,
                &[
                    // As the server names it: asynchronous errors may name operations the
                    // widget never offered.
                    ("operation", operation),
                    ("error", &message),
                ],
            ),
            None => message,
        });
    }

    /// The configured state matching the device's current `userState`: by id, else by state,
    /// work mode and reason.
    pub fn current_state(&self) -> Option<&AgentStateSetting> {
        let user_state = self.device.as_ref()?.user_state.as_ref()?;
        self.agent_states
            .iter()
            .find(|setting| setting.id.is_some() && setting.id == user_state.id)
            .or_else(|| {
                self.agent_states.iter().find(|setting| {
                    setting.state == user_state.state
                        && setting.work_mode == user_state.work_mode
                        && setting.reason_code == user_state.reason
                })
            })
    }

    /// Text for the current agent state: the server's display name, else its state.
    pub fn state_label(&self) -> String {
        let Some(user_state) = self.device.as_ref().and_then(|d| d.user_state.as_ref()) else {
            return "Unknown".into();
        };
        let base = user_state
            .display_name
            .0
            .clone()
            .or_else(|| user_state.state.0.clone())
            .unwrap_or_else(|| "Unknown".into());
        match &*user_state.reason {
            Some(reason) if !base.contains(reason.as_str()) => format!("{base} ({reason})"),
            _ => base,
        }
    }

    /// Whether the device currently allows `operation`.
    pub fn can(&self, operation: &Operation) -> bool {
        self.device.as_ref().is_some_and(|d| d.can(operation))
    }

    /// Whether a `Dial` is on its way (sent, its call not seen yet).
    pub fn dialing(&self) -> bool {
        self.pending == Some(Operation::Dial)
    }

    /// Whether a new call can be dialled now (`connected`: notifications flow). Not while a
    /// Dial is on its way, before the device is known, nor while notifications are down: the
    /// call a Dial makes shows only through them. The dial pad and the recent calls' "Call
    /// back" both ask this.
    pub fn can_dial(&self, connected: bool) -> bool {
        connected && !self.dialing() && self.device_id().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::UserState;

    fn device(id: &str, state: &str, caps: &[Operation]) -> Device {
        Device {
            id: id.into(),
            user_state: Some(UserState {
                id: format!("id-{state}").into(),
                display_name: state.into(),
                state: state.into(),
                ..UserState::default()
            }),
            capabilities: caps.to_vec(),
            ..Device::default()
        }
    }

    fn store() -> AgentStore {
        let mut store = AgentStore::new();
        store.set_user(User {
            devices: vec![device("d1", "NotReady", &[Operation::DoNotDisturbOn])],
            ..User::default()
        });
        store.agent_states = vec![
            AgentStateSetting {
                id: "id-Ready".into(),
                state: "Ready".into(),
                ..Default::default()
            },
            AgentStateSetting {
                id: "id-NotReady".into(),
                state: "NotReady".into(),
                ..Default::default()
            },
        ];
        store
    }

    #[test]
    fn notifications_about_other_devices_are_ignored() {
        let mut store = store();
        let changed = store.apply(&DeviceNotification {
            devices: vec![device("other", "Ready", &[])],
        });
        assert!(!changed);
        assert_eq!(store.state_label(), "NotReady");
    }

    #[test]
    fn our_device_notification_updates_state_and_clears_pending() {
        let mut store = store();
        assert!(store.mark_pending(Operation::Ready));
        assert!(!store.mark_pending(Operation::Ready), "double click guard");
        assert!(store.apply(&DeviceNotification {
            devices: vec![device("d1", "Ready", &[Operation::DoNotDisturbOff])]
        }));
        assert_eq!(store.pending, None);
        assert_eq!(
            store.current_state().and_then(|s| s.state.as_deref()),
            Some("Ready")
        );
        assert!(store.can(&Operation::DoNotDisturbOff));
        assert!(!store.can(&Operation::DoNotDisturbOn));
    }

    #[test]
    fn dialling_needs_the_device_the_connection_and_no_dial_on_its_way() {
        assert!(!AgentStore::new().can_dial(true), "no device yet");
        let mut store = store();
        assert!(store.can_dial(true));
        assert!(!store.can_dial(false), "notifications down");
        store.mark_pending(Operation::Dial);
        assert!(store.dialing());
        assert!(!store.can_dial(true), "a Dial on its way");
        store.call_appeared();
        assert!(store.can_dial(true));
    }

    #[test]
    fn a_new_call_answers_a_pending_dial_only() {
        let mut store = store();
        store.mark_pending(Operation::Ready);
        store.call_appeared();
        assert_eq!(store.pending, Some(Operation::Ready));
        store.pending = None;
        store.mark_pending(Operation::Dial);
        store.call_appeared();
        assert_eq!(store.pending, None);
    }

    #[test]
    fn device_error_is_shown_and_pending_cleared() {
        let mut store = store();
        store.mark_pending(Operation::ForwardCallsOn);
        let error = ErrorNotification {
            error_message: "Invalid destination".into(),
            operation_name: "ForwardCallsOn".into(),
            ..ErrorNotification::default()
        };
        store.apply_error(&error, &Catalog::default());
        assert_eq!(store.pending, None);
        assert_eq!(
            store.error.as_deref(),
            Some("ForwardCallsOn failed: Invalid destination")
        );
        store.apply_error(&error, &Catalog::new(crate::i18n::Lang::Fr));
        assert_eq!(
            store.error.as_deref(),
            Some("Échec de « ForwardCallsOn » : Invalid destination")
        );
    }
}
