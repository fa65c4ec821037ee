//! The voice login control of the agent bar: *Log in* while logged out, *Log out* while logged
//! in (asking for confirmation first when a call is live: logging out with a customer on the
//! line is rarely what the agent meant), and the step in between while the server works.

use crate::agent::AgentStore;
use crate::store::CallsStore;
use gws_protocol::Operation;

/// What the login control offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginControl {
    /// No device known yet: nothing to offer.
    Hidden,
    /// Logged out: the *Log in* button.
    LogIn,
    /// `StartContactCenterSession` sent, waiting for the device to show the login.
    LoggingIn,
    /// Logged in: the *Log out* button.
    LogOut,
    /// Logging out.
    LoggingOut,
}

/// Everything the login control shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceLoginView {
    /// The control.
    pub control: LoginControl,
    /// A call is live: *Log out* asks for confirmation first.
    pub confirm_logout: bool,
}

impl VoiceLoginView {
    /// The control for `agent` with `calls`.
    pub fn of(agent: &AgentStore, calls: &CallsStore) -> Self {
        let control = match (&agent.pending, agent.logged_in) {
            (Some(Operation::StartContactCenterSession), _) => LoginControl::LoggingIn,
            (Some(Operation::EndContactCenterSession), _) => LoginControl::LoggingOut,
            (_, Some(false)) => LoginControl::LogIn,
            (_, Some(true)) => LoginControl::LogOut,
            (_, None) => LoginControl::Hidden,
        };
        VoiceLoginView {
            control,
            confirm_logout: calls
                .entries()
                .iter()
                .any(|entry| entry.released_at.is_none()),
        }
    }

    /// The operation the button sends and its `data-action`, if there is a button.
    pub fn operation(&self) -> Option<Operation> {
        match self.control {
            LoginControl::LogIn | LoginControl::LoggingIn => {
                Some(Operation::StartContactCenterSession)
            }
            LoginControl::LogOut | LoginControl::LoggingOut => {
                Some(Operation::EndContactCenterSession)
            }
            LoginControl::Hidden => None,
        }
    }

    /// The server is working on a login or logout: the button waits.
    pub fn busy(&self) -> bool {
        matches!(
            self.control,
            LoginControl::LoggingIn | LoginControl::LoggingOut
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::{Device, UserState};

    fn agent(state: Option<&str>) -> AgentStore {
        let mut agent = AgentStore::new();
        if let Some(state) = state {
            let device = Device {
                id: "d1".into(),
                user_state: Some(UserState {
                    state: state.into(),
                    ..UserState::default()
                }),
                ..Device::default()
            };
            agent.device = Some(device.clone());
            agent.replace_devices(&[device]);
        }
        agent
    }

    #[test]
    fn the_control_follows_the_device_and_the_pending_operation() {
        let calls = CallsStore::new();
        assert_eq!(
            VoiceLoginView::of(&agent(None), &calls).control,
            LoginControl::Hidden
        );
        let logged_out = agent(Some("LoggedOut"));
        assert_eq!(
            VoiceLoginView::of(&logged_out, &calls).control,
            LoginControl::LogIn
        );
        let mut logging_in = logged_out.clone();
        assert!(logging_in.mark_pending(Operation::StartContactCenterSession));
        let view = VoiceLoginView::of(&logging_in, &calls);
        assert_eq!(view.control, LoginControl::LoggingIn);
        assert!(view.busy());
        let ready = agent(Some("Ready"));
        let view = VoiceLoginView::of(&ready, &calls);
        assert_eq!(view.control, LoginControl::LogOut);
        assert_eq!(view.operation(), Some(Operation::EndContactCenterSession));
        assert!(!view.busy() && !view.confirm_logout);
        let on_a_call = crate::view::fixture::store_with([gws_protocol::Call {
            id: "c1".into(),
            state: gws_protocol::CallState::Established,
            ..gws_protocol::Call::default()
        }]);
        assert!(VoiceLoginView::of(&ready, &on_a_call).confirm_logout);
    }
}
