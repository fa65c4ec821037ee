//! `<SupervisorPanel/>`: for supervisors, monitor an agent by DN — ListenIn, Coach or BargeIn —
//! and stop monitoring. The modes offered are the device's capabilities; once the monitored
//! agent is on a call, the supervisor's own call card shows the mode and the Switch* controls.

use crate::components::format;
use crate::context::{AgentContext, ConnectionContext, Dispatch, I18nContext};
use crate::focus;
use crate::intent::Intent;
use gws_client::view::agent_bar::monitoring_label;
use gws_client::{ConnectionState, Key, normalize_number};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use leptos::prelude::*;
use serde_json::Value;

const MODES: [Operation; 4] = [
    Operation::ListenIn,
    Operation::Coach,
    Operation::BargeIn,
    Operation::CancelSupervisorMonitoring,
];

/// The supervisor's monitoring controls.
#[component]
pub fn SupervisorPanel() -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let dispatch = Dispatch::expect();
    let i18n = I18nContext::expect();
    let target = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The reason is read with the field again when the agent comes back to it (the reference
    // is always set: pointing at no element while there is no error, it is ignored).
    let error_id = format::unique_id("error");
    let busy = move || {
        agent.with(|a| a.pending.is_some()) || connection.with(|s| *s != ConnectionState::Connected)
    };
    let modes = move || {
        agent.with(|a| {
            MODES
                .iter()
                .filter(|op| a.can(op))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let monitoring = move || i18n.0.with(|c| agent.with(|a| monitoring_label(a, c)));
    // The modes offered change with monitoring (ListenIn → Cancel): the focus stays here.
    focus::keep_focus();
    let button = move |operation: Operation| {
        let dispatch = dispatch.clone();
        let on_click = {
            let operation = operation.clone();
            move |_| {
                if untrack(busy) {
                    return; // `aria-disabled` (it keeps the focus): the click still arrives
                }
                let mut request = OperationRequest::new(operation.clone());
                if operation != Operation::CancelSupervisorMonitoring {
                    match normalize_number(&target.get_untracked()) {
                        Ok(number) => request.phone_number = Some(Value::String(number)),
                        Err(reason) => {
                            error.set(Some(i18n.0.with_untracked(|c| reason.localized(c))));
                            return;
                        }
                    }
                }
                error.set(None);
                dispatch.run(Intent::DeviceOperation(Box::new(request)));
            }
        };
        view! {
            <button type="button" class="gws-btn gws-btn--secondary" data-action=operation.as_str().to_string() aria-disabled=move || busy().to_string() on:click=on_click>
                {format::operation_label(&operation)}
            </button>
        }
    };
    view! {
        <section
            class="gws-supervisor"
            data-testid="supervisor-panel"
            aria-label=i18n.text(Key::SupervisorLabel)
            tabindex="-1"
            data-gws-focus=focus::KEEP
        >
            <label class="gws-form__field">
                <span class="gws-form__label">{i18n.text(Key::SupervisorAgentDn)}</span>
                <input
                    class="gws-input"
                    type="tel"
                    inputmode="tel"
                    data-testid="monitor-dn"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=error_id.clone()
                    prop:value=move || target.get()
                    on:input=move |event| target.set(event_target_value(&event))
                />
            </label>
            <div class="gws-supervisor__modes">
                <For each=modes key=|op| op.as_str().to_string() children=button/>
            </div>
            <Show when=move || monitoring().is_some()>
                <p class="gws-flag gws-flag--monitor" data-testid="monitoring-state">{move || monitoring().unwrap_or_default()}</p>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="gws-form__error" role="alert" id=error_id.clone()>{move || error.get().unwrap_or_default()}</p>
            </Show>
        </section>
    }
}
