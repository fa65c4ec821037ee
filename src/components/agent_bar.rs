//! `<AgentBar/>`: who the agent is and the state of their device — agent state (Ready,
//! NotReady with a reason, AfterCallWork), do-not-disturb, call forwarding — plus the dial pad.
//! Device controls come from the device's `capabilities`; the state changes when the
//! `DeviceStateChangeMessage` arrives, not when the click is sent.

use crate::components::destination_form::DestinationForm;
use crate::components::dial_pad::DialPad;
use crate::components::format;
use crate::context::{AgentContext, ConnectionContext, Dispatch};
use crate::intent::Intent;
use gws_client::ConnectionState;
use gws_protocol::api::OperationRequest;
use gws_protocol::{OnOff, Operation};
use leptos::prelude::*;
use serde_json::Value;

/// The device toggles shown as plain buttons (ForwardCallsOn needs a number: it opens a form).
const TOGGLES: [Operation; 3] = [
    Operation::DoNotDisturbOn,
    Operation::DoNotDisturbOff,
    Operation::ForwardCallsOff,
];

/// The agent bar.
#[component]
pub fn AgentBar() -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let dispatch = Dispatch::expect();
    let offline = move || connection.with(|state| *state != ConnectionState::Connected);
    let busy = move || agent.with(|a| a.pending.is_some()) || offline();

    let name = move || {
        agent.with(|a| {
            a.user
                .as_ref()
                .map(|u| u.display_name())
                .unwrap_or_default()
        })
    };
    let dn = move || {
        agent.with(|a| {
            a.device
                .as_ref()
                .and_then(|d| d.phone_number.clone())
                .unwrap_or_default()
        })
    };
    let state_label = move || agent.with(|a| a.state_label());
    let state_name = move || {
        agent.with(|a| {
            a.device
                .as_ref()
                .and_then(|d| d.user_state.as_ref())
                .and_then(|s| s.state.clone())
                .unwrap_or_default()
        })
    };
    let work_mode = move || {
        agent.with(|a| {
            a.device
                .as_ref()
                .and_then(|d| d.user_state.as_ref())
                .and_then(|s| s.work_mode.clone())
        })
    };
    let current_id = move || {
        agent.with(|a| {
            a.current_state()
                .and_then(|s| s.id.clone())
                .unwrap_or_default()
        })
    };
    let choices = move || {
        agent.with(|a| {
            a.agent_states
                .iter()
                .enumerate()
                .map(|(index, s)| {
                    (
                        index,
                        s.display_name
                            .clone()
                            .or_else(|| s.state.clone())
                            .unwrap_or_default(),
                        s.id.clone().unwrap_or_default(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let choose = {
        let dispatch = dispatch.clone();
        move |event: leptos::ev::Event| {
            let Ok(index) = event_target_value(&event).parse::<usize>() else {
                return;
            };
            let Some(setting) = agent.with_untracked(|a| a.agent_states.get(index).cloned()) else {
                return;
            };
            let Some(operation) = setting.operation_name.as_deref().map(Operation::parse) else {
                return;
            };
            let mut request = OperationRequest::new(operation);
            request.reason_code = setting.reason_code.map(Value::String);
            dispatch.run(Intent::AgentState(Box::new(request)));
        }
    };

    let dnd = move || {
        agent.with(|a| a.device.as_ref().and_then(|d| d.do_not_disturb.clone()) == Some(OnOff::On))
    };
    let forward_to = move || agent.with(|a| a.device.as_ref().and_then(|d| d.forward_to.clone()));
    let toggles = move || {
        agent.with(|a| {
            TOGGLES
                .iter()
                .filter(|op| a.can(op))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let can_forward = move || agent.with(|a| a.can(&Operation::ForwardCallsOn));
    let forwarding_form = RwSignal::new(false);
    let toggle_button = {
        let dispatch = dispatch.clone();
        move |operation: Operation| {
            let dispatch = dispatch.clone();
            let pending = {
                let operation = operation.clone();
                move || agent.with(|a| a.pending.as_ref() == Some(&operation))
            };
            view! {
                <button
                    type="button"
                    class="gws-btn gws-btn--secondary"
                    data-action=operation.as_str().to_string()
                    aria-busy=move || pending().to_string()
                    disabled=busy
                    on:click={
                        let operation = operation.clone();
                        move |_| dispatch.run(Intent::DeviceOperation(Box::new(OperationRequest::new(operation.clone()))))
                    }
                >
                    {format::operation_label(&operation)}
                </button>
            }
        }
    };
    let forward = {
        let dispatch = dispatch.clone();
        Callback::new(move |number: String| {
            let mut request = OperationRequest::new(Operation::ForwardCallsOn);
            request.destination = Some(Value::String(number));
            dispatch.run(Intent::DeviceOperation(Box::new(request)));
            forwarding_form.set(false);
        })
    };
    let error = move || agent.with(|a| a.error.clone());

    view! {
        <div class="gws-agent" data-testid="agent-bar">
            <div class="gws-agent__who">
                <span class="gws-agent__name" data-testid="agent-name">{name}</span>
                <span class="gws-agent__dn" data-testid="agent-dn">{dn}</span>
            </div>
            <div class="gws-agent__state">
                <span
                    class="gws-agent__badge"
                    data-testid="agent-state"
                    data-state=state_name
                    data-work-mode=move || work_mode().unwrap_or_default()
                >
                    {state_label}
                </span>
                <select
                    class="gws-select"
                    data-testid="agent-state-select"
                    aria-label="Change agent state"
                    disabled=busy
                    on:change=choose
                    prop:value=move || { current_id(); String::new() }
                >
                    <option value="" disabled=true selected=true>"Change state…"</option>
                    <For each=choices key=|(index, label, id)| (*index, label.clone(), id.clone()) let((index, label, id))>
                        <option value=index.to_string() data-state-id=id>{label}</option>
                    </For>
                </select>
            </div>
            <div class="gws-agent__device">
                <Show when=dnd>
                    <span class="gws-flag gws-flag--dnd" data-testid="dnd-on">"Do not disturb"</span>
                </Show>
                <Show when=move || forward_to().is_some()>
                    <span class="gws-flag" data-testid="forwarding">"Forwarding to " {move || forward_to().unwrap_or_default()}</span>
                </Show>
                <For each=toggles key=|op| op.as_str().to_string() children=toggle_button/>
                <Show when=can_forward>
                    <button
                        type="button"
                        class="gws-btn gws-btn--secondary"
                        data-action="ForwardCallsOn"
                        aria-expanded=move || forwarding_form.get().to_string()
                        disabled=busy
                        on:click=move |_| forwarding_form.update(|open| *open = !*open)
                    >
                        {format::operation_label(&Operation::ForwardCallsOn)}
                    </button>
                </Show>
            </div>
            <Show when=move || forwarding_form.get() && can_forward()>
                <DestinationForm label="Forward calls to" submit_label="Forward" on_submit=forward on_cancel=move |()| forwarding_form.set(false)/>
            </Show>
            <Show when=move || error().is_some()>
                <div class="gws-agent__error" data-testid="agent-error" role="alert">
                    <span>{move || error().unwrap_or_default()}</span>
                    <button
                        type="button"
                        class="gws-btn gws-btn--link"
                        aria-label="Dismiss error"
                        on:click={
                            let dispatch = dispatch.clone();
                            move |_| dispatch.run(Intent::DismissAgentError)
                        }
                    >
                        "×"
                    </button>
                </div>
            </Show>
            <DialPad/>
        </div>
    }
}
