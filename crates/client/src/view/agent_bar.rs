//! The agent bar: who the agent is, their agent state and the states they may choose, and the
//! device controls (do-not-disturb, call forwarding).
//!
//! Device controls come from the device's `capabilities`, and the shown state changes when the
//! `DeviceStateChangeMessage` arrives, not when the click is sent: this view reads only the
//! store, never the last click.

use crate::agent::AgentStore;
use crate::i18n::{Catalog, Key, Lang};
use gws_protocol::api::OperationRequest;
use gws_protocol::{OnOff, Operation};
use serde_json::Value;

/// The device toggles shown as plain buttons, in this order (ForwardCallsOn needs a number: it
/// opens a form, see [`AgentBarView::can_forward`]).
pub const DEVICE_TOGGLES: [Operation; 3] = [
    Operation::DoNotDisturbOn,
    Operation::DoNotDisturbOff,
    Operation::ForwardCallsOff,
];

/// One agent state the agent may choose.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateChoice {
    /// Its position in the server's settings (the `<option>` value, see
    /// [`agent_state_request`]).
    pub index: usize,
    /// The server's display name, else its state.
    pub label: String,
    /// The setting's id (empty when the server gives none).
    pub id: String,
}

/// Everything the agent bar shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentBarView {
    /// The agent's name.
    pub name: String,
    /// The device's number.
    pub dn: String,
    /// The current agent state, for people (with its reason).
    pub state_label: String,
    /// The current state name (`data-state`).
    pub state_name: String,
    /// The current work mode (`data-work-mode`, empty when none).
    pub work_mode: String,
    /// The id of the configured state matching the current one (empty when none matches).
    pub current_state_id: String,
    /// The states the agent may choose.
    pub choices: Vec<StateChoice>,
    /// Do-not-disturb is on.
    pub do_not_disturb: bool,
    /// Where calls are forwarded, while they are.
    pub forward_to: Option<String>,
    /// The toggles the device allows now, in [`DEVICE_TOGGLES`] order.
    pub toggles: Vec<Operation>,
    /// The device allows forwarding (the button opens a number form).
    pub can_forward: bool,
    /// The device operation waiting for its notification.
    pub pending: Option<Operation>,
    /// Controls are disabled: an operation is pending (one request per click) or notifications
    /// are not flowing (the agent would not see the result).
    pub busy: bool,
    /// The last device / agent-state error.
    pub error: Option<String>,
}

impl AgentBarView {
    /// The bar for `agent`, with notifications flowing or not (`connected`).
    pub fn of(agent: &AgentStore, connected: bool, catalog: &Catalog) -> Self {
        let device = agent.device.as_ref();
        let user_state = device.and_then(|d| d.user_state.as_ref());
        AgentBarView {
            name: agent
                .user
                .as_ref()
                .map(|u| u.display_name())
                .unwrap_or_default(),
            dn: device
                .and_then(|d| d.phone_number.0.clone())
                .unwrap_or_default(),
            state_label: user_state.map_or_else(
                || catalog.text(Key::AgentUnknown).to_string(),
                |s| {
                    state_text(
                        s.state.as_deref(),
                        s.work_mode.as_deref(),
                        s.display_name.as_deref(),
                        s.reason.as_deref(),
                        catalog,
                    )
                },
            ),
            state_name: user_state
                .and_then(|s| s.state.0.clone())
                .unwrap_or_default(),
            work_mode: user_state
                .and_then(|s| s.work_mode.0.clone())
                .unwrap_or_default(),
            current_state_id: agent
                .current_state()
                .and_then(|s| s.id.0.clone())
                .unwrap_or_default(),
            choices: agent
                .agent_states
                .iter()
                .enumerate()
                .map(|(index, s)| StateChoice {
                    index,
                    // A setting names its state, or at least the operation that sets it.
                    label: state_text(
                        s.state.as_deref().or(s.operation_name.as_deref()),
                        s.work_mode.as_deref(),
                        s.display_name.as_deref(),
                        s.reason_code.as_deref(),
                        catalog,
                    )
                    .trim()
                    .to_string(),
                    id: s.id.0.clone().unwrap_or_default(),
                })
                .collect(),
            do_not_disturb: device.and_then(|d| d.do_not_disturb.as_ref()) == Some(&OnOff::On),
            forward_to: device.and_then(|d| d.forward_to.0.clone()),
            toggles: DEVICE_TOGGLES
                .iter()
                .filter(|op| agent.can(op))
                .cloned()
                .collect(),
            can_forward: agent.can(&Operation::ForwardCallsOn),
            pending: agent.pending.clone(),
            busy: agent.pending.is_some() || !connected,
            error: agent.error.clone(),
        }
    }

    /// Whether `operation` is the one waiting for its notification.
    pub fn is_pending(&self, operation: &Operation) -> bool {
        self.pending.as_ref() == Some(operation)
    }
}

/// An agent state as shown. The server's display names are configured in the server's language
/// (English in GWS): an English widget shows them as configured, another language names the
/// states GWS defines itself and adds the reason code as sent. Unknown states keep the
/// server's wording in every language. The work mode says more than the state: GWS puts
/// after-call work and auxiliary work in `state: NotReady` (gws-api.md §5.1), and read by
/// the state they both showed as "not ready" in every other language.
fn state_text(
    state: Option<&str>,
    work_mode: Option<&str>,
    display: Option<&str>,
    reason: Option<&str>,
    catalog: &Catalog,
) -> String {
    let by_mode = match work_mode {
        Some("AfterCallWork") => Some(Key::AgentAfterCallWork),
        Some("AuxWork") => Some(Key::AgentAuxWork),
        _ => None,
    };
    let known = by_mode.or(match state {
        Some("Ready") => Some(Key::AgentReady),
        Some("NotReady") => Some(Key::AgentNotReady),
        Some("AfterCallWork") => Some(Key::AgentAfterCallWork),
        Some("AuxWork") => Some(Key::AgentAuxWork),
        Some("LoggedOut") => Some(Key::AgentLoggedOut),
        _ => None,
    });
    let base = match known {
        Some(key) if catalog.lang() != Lang::En || display.is_none() => catalog.text(key),
        _ => display.or(state).unwrap_or_default(),
    };
    match reason {
        Some(reason) if !reason.is_empty() && !base.contains(reason) => {
            format!("{base} ({reason})")
        }
        _ => base.to_string(),
    }
}

/// What the supervisor panel says while monitoring is configured (`supervisorMonitoringState`):
/// the mode in the widget's language — the server's `state` name when it is one the widget does
/// not know — then whom, by number or else device URI. `None` while nothing is monitored.
pub fn monitoring_label(agent: &AgentStore, catalog: &Catalog) -> Option<String> {
    let state = agent
        .device
        .as_ref()?
        .supervisor_monitoring_state
        .as_ref()?;
    let mode = match state.get("state").and_then(Value::as_str) {
        Some(name) => crate::actions::label(&Operation::parse(name), catalog),
        None => catalog.text(Key::SupervisorMonitoring).to_string(),
    };
    let who = state
        .get("phoneNumber")
        .or_else(|| state.get("targetDeviceUri"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some(format!("{mode} {who}").trim().to_string())
}

/// The request that puts the agent in the state at `index` of the server's settings (with its
/// reason code); `None` for an unknown index or a setting without an operation.
pub fn agent_state_request(agent: &AgentStore, index: usize) -> Option<OperationRequest> {
    let setting = agent.agent_states.get(index)?;
    let operation = Operation::parse(setting.operation_name.as_deref()?);
    let mut request = OperationRequest::new(operation);
    request.reason_code = setting.reason_code.0.clone().map(Value::String);
    Some(request)
}

/// The request that forwards the device's calls to `number` (a plain string: unlike call
/// operations, `ForwardCallsOn` takes no `{phoneNumber}` object).
pub fn forward_request(number: String) -> OperationRequest {
    let mut request = OperationRequest::new(Operation::ForwardCallsOn);
    request.destination = Some(Value::String(number));
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::api::{AgentStateSetting, User};
    use gws_protocol::{Device, UserState};
    use serde_json::json;

    fn agent() -> AgentStore {
        let mut agent = AgentStore::new();
        agent.set_user(User {
            first_name: "Alice".into(),
            last_name: "Agent".into(),
            devices: vec![Device {
                id: "d1".into(),
                phone_number: "5005".into(),
                user_state: Some(UserState {
                    id: "s-ready".into(),
                    state: "Ready".into(),
                    work_mode: "AutoIn".into(),
                    ..UserState::default()
                }),
                do_not_disturb: Some(OnOff::On),
                forward_to: "5001".into(),
                capabilities: vec![
                    Operation::ForwardCallsOff,
                    Operation::DoNotDisturbOff,
                    Operation::ForwardCallsOn,
                ],
                ..Device::default()
            }],
            ..User::default()
        });
        agent.agent_states = vec![
            AgentStateSetting {
                id: "s-ready".into(),
                display_name: "Ready".into(),
                operation_name: "Ready".into(),
                ..Default::default()
            },
            AgentStateSetting {
                state: "NotReady".into(),
                operation_name: "NotReady".into(),
                reason_code: "Lunch".into(),
                ..Default::default()
            },
            AgentStateSetting::default(),
        ];
        agent
    }

    #[test]
    fn the_bar_shows_the_agent_their_state_and_device() {
        let view = AgentBarView::of(&agent(), true, &Catalog::default());
        assert_eq!(view.name, "Alice Agent");
        assert_eq!(view.dn, "5005");
        assert_eq!(
            (view.state_name.as_str(), view.work_mode.as_str()),
            ("Ready", "AutoIn")
        );
        assert_eq!(view.current_state_id, "s-ready");
        assert!(view.do_not_disturb);
        assert_eq!(view.forward_to.as_deref(), Some("5001"));
        assert!(!view.busy);
    }

    #[test]
    fn choices_fall_back_from_display_name_to_state() {
        let labels: Vec<_> = AgentBarView::of(&agent(), true, &Catalog::default())
            .choices
            .into_iter()
            .map(|c| (c.index, c.label, c.id))
            .collect();
        assert_eq!(
            labels,
            [
                (0, "Ready".into(), "s-ready".into()),
                (1, "Not ready (Lunch)".into(), String::new()),
                (2, String::new(), String::new()),
            ]
        );
    }

    #[test]
    fn toggles_follow_capabilities_in_a_stable_order() {
        let view = AgentBarView::of(&agent(), true, &Catalog::default());
        assert_eq!(
            view.toggles,
            [Operation::DoNotDisturbOff, Operation::ForwardCallsOff]
        );
        assert!(view.can_forward);
    }

    #[test]
    fn controls_are_busy_while_pending_or_disconnected() {
        let mut agent = agent();
        assert!(AgentBarView::of(&agent, false, &Catalog::default()).busy);
        agent.pending = Some(Operation::DoNotDisturbOff);
        let view = AgentBarView::of(&agent, true, &Catalog::default());
        assert!(view.busy);
        assert!(view.is_pending(&Operation::DoNotDisturbOff));
        assert!(!view.is_pending(&Operation::ForwardCallsOff));
    }

    #[test]
    fn choosing_a_state_sends_its_operation_and_reason() {
        let agent = agent();
        let mut expected = OperationRequest::new(Operation::NotReady);
        expected.reason_code = Some(json!("Lunch"));
        assert_eq!(agent_state_request(&agent, 1), Some(expected));
        assert_eq!(agent_state_request(&agent, 2), None, "no operation");
        assert_eq!(agent_state_request(&agent, 9), None, "no such setting");
    }

    #[test]
    fn forwarding_sends_a_plain_number() {
        assert_eq!(
            forward_request("5001".into()).destination,
            Some(json!("5001"))
        );
    }

    /// After-call work and auxiliary work are `NotReady` states with a work mode (gws-api.md
    /// §5.1): they are named by their mode, not as "not ready", in every language.
    #[test]
    fn work_modes_name_their_states() {
        let mut agent = agent();
        agent.agent_states = ["AfterCallWork", "AuxWork"]
            .into_iter()
            .map(|mode| AgentStateSetting {
                display_name: mode.into(),
                state: "NotReady".into(),
                operation_name: mode.into(),
                work_mode: mode.into(),
                ..Default::default()
            })
            .collect();
        if let Some(state) = agent.device.as_mut().and_then(|d| d.user_state.as_mut()) {
            state.state = "NotReady".into();
            state.work_mode = "AuxWork".into();
            state.display_name = "AuxWork".into();
        }
        let view = AgentBarView::of(&agent, true, &Catalog::new(Lang::Fr));
        assert_eq!(view.state_label, "Travail auxiliaire");
        let labels: Vec<String> = view.choices.into_iter().map(|c| c.label).collect();
        assert_eq!(labels, ["Travail après appel", "Travail auxiliaire"]);
        let english = AgentBarView::of(&agent, true, &Catalog::new(Lang::En));
        assert_eq!(
            english.state_label, "AuxWork",
            "English: the server's own name"
        );
    }

    #[test]
    fn states_read_in_the_language_with_server_reasons_as_sent() {
        let mut agent = agent();
        if let Some(state) = agent.device.as_mut().and_then(|d| d.user_state.as_mut()) {
            state.state = "NotReady".into();
            state.display_name = "Not Ready".into();
            state.reason = "Break".into();
        }
        let labels = |lang| {
            let view = AgentBarView::of(&agent, true, &Catalog::new(lang));
            let choices: Vec<String> = view.choices.into_iter().map(|c| c.label).collect();
            (view.state_label, choices)
        };
        assert_eq!(
            labels(Lang::En),
            (
                "Not Ready (Break)".to_string(),
                vec!["Ready".into(), "Not ready (Lunch)".into(), String::new()]
            ),
            "English keeps the server's display names"
        );
        assert_eq!(
            labels(Lang::Fr),
            (
                "Pas prêt (Break)".to_string(),
                vec!["Prêt".into(), "Pas prêt (Lunch)".into(), String::new()]
            )
        );
        assert_eq!(labels(Lang::De).0, "Nicht bereit (Break)");
        assert_eq!(labels(Lang::Es).1[0], "Disponible");
        assert_eq!(
            AgentBarView::of(&AgentStore::new(), true, &Catalog::new(Lang::De)).state_label,
            "Unbekannt"
        );
    }

    /// The supervisor's monitoring, in the widget's language: a French supervisor read
    /// "ListenIn 5001", the server's operation name.
    #[test]
    fn the_monitoring_mode_is_said_in_the_widgets_language() {
        let mut supervisor = agent();
        let french = Catalog::new(Lang::Fr);
        assert_eq!(
            monitoring_label(&supervisor, &french),
            None,
            "nothing monitored"
        );
        let device = supervisor.device.as_mut().expect("device");
        device.supervisor_monitoring_state =
            Some(json!({"state": "ListenIn", "phoneNumber": "5001"}));
        assert_eq!(
            monitoring_label(&supervisor, &french).as_deref(),
            Some("Écouter 5001")
        );
        let device = supervisor.device.as_mut().expect("device");
        device.supervisor_monitoring_state =
            Some(json!({"state": "Whisper", "targetDeviceUri": "http://x/d/7"}));
        assert_eq!(
            monitoring_label(&supervisor, &french).as_deref(),
            Some("Whisper http://x/d/7"),
            "an unknown mode keeps the server's name"
        );
        let device = supervisor.device.as_mut().expect("device");
        device.supervisor_monitoring_state = Some(json!({}));
        assert_eq!(
            monitoring_label(&supervisor, &french).as_deref(),
            Some("Supervision")
        );
    }
}
