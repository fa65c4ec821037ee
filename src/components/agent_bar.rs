//! `<AgentBar/>`: who the agent is and the state of their device — agent state (Ready,
//! NotReady with a reason, AfterCallWork), do-not-disturb, call forwarding — plus the dial pad.
//! Device controls come from the device's `capabilities`; the state changes when the
//! `DeviceStateChangeMessage` arrives, not when the click is sent. What the bar shows is
//! `gws_client::view::agent_bar::AgentBarView`; this component binds it to the DOM.

use crate::components::destination_form::DestinationForm;
use crate::components::dial_pad::DialPad;
use crate::components::format;
use crate::components::voice_login::VoiceLogin;
use crate::context::{AgentContext, ConnectionContext, Dispatch, I18nContext};
use crate::focus;
use crate::intent::Intent;
use gws_client::view::agent_bar::{AgentBarView, agent_state_request, forward_request};
use gws_client::{ConnectionState, Key};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use leptos::prelude::*;

/// The agent bar.
#[component]
pub fn AgentBar() -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let dispatch = Dispatch::expect();
    let i18n = I18nContext::expect();
    let bar = Memo::new(move |_| {
        let connected = connection.with(|state| *state == ConnectionState::Connected);
        i18n.0
            .with(|catalog| agent.with(|a| AgentBarView::of(a, connected, catalog)))
    });
    let text = move |f: fn(&AgentBarView) -> &str| move || bar.with(|b| f(b).to_string());
    let flag = move |f: fn(&AgentBarView) -> bool| move || bar.with(f);

    let name = text(|b| &b.name);
    let dn = text(|b| &b.dn);
    let state_label = text(|b| &b.state_label);
    let state_name = text(|b| &b.state_name);
    let work_mode = text(|b| &b.work_mode);
    let busy = flag(|b| b.busy);
    let dnd = flag(|b| b.do_not_disturb);
    let can_forward = flag(|b| b.can_forward);
    let forward_to = move || bar.with(|b| b.forward_to.clone());
    let error = move || bar.with(|b| b.error.clone());
    let choices = move || bar.with(|b| b.choices.clone());
    let toggles = move || bar.with(|b| b.toggles.clone());
    // The select sends a state when it is picked — with the pointer, or from the open list —
    // but not when a key moves the closed select's value: on Windows one ArrowDown on the
    // focused select changes it and fires `change`, and the agent would go Ready while only
    // looking. Such a change waits for Enter (a hint says so); Escape or leaving drops it.
    let keyed = StoredValue::new(false);
    let uncommitted = RwSignal::new(None::<usize>);
    // Back to the placeholder whenever the agent's state (or anything else shown) changes,
    // unless a keyboard choice is waiting for its Enter.
    let placeholder = move || {
        bar.track();
        uncommitted
            .get()
            .map(|index| index.to_string())
            .unwrap_or_default()
    };
    let send_state = {
        let dispatch = dispatch.clone();
        move |index: usize| {
            if bar.with_untracked(|b| b.busy) {
                return; // the previous change is still on its way
            }
            if let Some(request) = agent.with_untracked(|a| agent_state_request(a, index)) {
                dispatch.run(Intent::AgentState(Box::new(request)));
            }
        }
    };
    let choose = {
        let send_state = send_state.clone();
        move |event: leptos::ev::Event| {
            let Ok(index) = event_target_value(&event).parse::<usize>() else {
                return;
            };
            if keyed.get_value() {
                uncommitted.set(Some(index));
            } else {
                uncommitted.set(None);
                send_state(index);
            }
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| match event.key().as_str() {
        "Enter" => {
            if let Some(index) = uncommitted.get_untracked() {
                event.prevent_default();
                uncommitted.set(None);
                send_state(index);
            }
        }
        "Escape" => uncommitted.set(None),
        _ => {
            // A `change` this key causes fires before the next task: it is the key's.
            keyed.set_value(true);
            set_timeout(move || keyed.set_value(false), std::time::Duration::ZERO);
        }
    };

    let forwarding_form = RwSignal::new(false);
    // Do not disturb on becomes off, a form closes: the focus stays in the bar.
    focus::keep_focus();
    let toggle_button = {
        let dispatch = dispatch.clone();
        move |operation: Operation| {
            let dispatch = dispatch.clone();
            let pending = {
                let operation = operation.clone();
                move || bar.with(|b| b.is_pending(&operation))
            };
            view! {
                <button
                    type="button"
                    class="gws-btn gws-btn--secondary"
                    data-action=operation.as_str().to_string()
                    aria-busy=move || pending().to_string()
                    aria-disabled=move || busy().to_string()
                    on:click={
                        let operation = operation.clone();
                        move |_| {
                            if !untrack(busy) {
                                dispatch.run(Intent::DeviceOperation(Box::new(OperationRequest::new(operation.clone()))))
                            }
                        }
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
            dispatch.run(Intent::DeviceOperation(Box::new(forward_request(number))));
            forwarding_form.set(false);
        })
    };

    view! {
        <div
            class="gws-agent"
            data-testid="agent-bar"
            tabindex="-1"
            data-gws-focus=focus::KEEP
        >
            <div class="gws-agent__who">
                <span class="gws-agent__name" data-testid="agent-name">{name}</span>
                <span class="gws-agent__dn" data-testid="agent-dn">{dn}</span>
                <VoiceLogin/>
            </div>
            <div class="gws-agent__state">
                // A live region: the agent hears the state change they asked for, and the ones
                // the server makes (NotReady after an unanswered ring, after-call work).
                <span
                    class="gws-agent__badge"
                    data-testid="agent-state"
                    data-state=state_name
                    data-work-mode=work_mode
                    role="status"
                >
                    {state_label}
                </span>
                // `aria-disabled`, not `disabled`, while a change is on its way: a disabled
                // control loses the keyboard focus to the host page.
                <select
                    class="gws-select"
                    data-testid="agent-state-select"
                    aria-label=i18n.text(Key::AgentChangeState)
                    aria-disabled=move || busy().to_string()
                    on:change=choose
                    on:keydown=on_key
                    on:blur=move |_| uncommitted.set(None)
                    prop:value=placeholder
                >
                    <option value="" disabled=true selected=true>{i18n.text(Key::AgentChangeStatePrompt)}</option>
                    <For each=choices key=|choice| choice.clone() let:choice>
                        <option value=choice.index.to_string() data-state-id=choice.id>{choice.label}</option>
                    </For>
                </select>
                // Always there, only its text changes: a live region created with its text is
                // often not spoken.
                <span class="gws-agent__hint" data-testid="agent-state-hint" role="status">
                    {move || uncommitted.with(Option::is_some).then(i18n.text(Key::AgentPressEnter))}
                </span>
            </div>
            <div class="gws-agent__device">
                <Show when=dnd>
                    <span class="gws-flag gws-flag--dnd" data-testid="dnd-on">{i18n.text(Key::OpDndOn)}</span>
                </Show>
                <Show when=move || forward_to().is_some()>
                    <span class="gws-flag" data-testid="forwarding">
                        {move || {
                            let number = forward_to().unwrap_or_default();
                            i18n.0.with(|c| c.fill(Key::AgentForwarding, &[("number", &number)]))
                        }}
                    </span>
                </Show>
                <For each=toggles key=|op| op.as_str().to_string() children=toggle_button/>
                <Show when=can_forward>
                    <button
                        type="button"
                        class="gws-btn gws-btn--secondary"
                        data-action="ForwardCallsOn"
                        aria-expanded=move || forwarding_form.get().to_string()
                        aria-disabled=move || busy().to_string()
                        on:click=move |event| {
                            if !untrack(busy) {
                                forwarding_form.update(|open| *open = !*open);
                                if forwarding_form.get_untracked() {
                                    focus::autofocus_soon(&event, focus::OPENED_FORM);
                                }
                            }
                        }
                    >
                        {format::operation_label(&Operation::ForwardCallsOn)}
                    </button>
                </Show>
            </div>
            <Show when=move || forwarding_form.get() && can_forward()>
                <DestinationForm
                    label=i18n.now(Key::AgentForwardTo)
                    submit_label=i18n.now(Key::AgentForward)
                    on_submit=forward
                    on_cancel=move |()| forwarding_form.set(false)
                />
            </Show>
            <Show when=move || error().is_some()>
                // Not a live region: the announcer says it (see the call card's error).
                <div class="gws-agent__error" data-testid="agent-error">
                    <span>{move || error().unwrap_or_default()}</span>
                    <button
                        type="button"
                        class="gws-btn gws-btn--link"
                        aria-label=i18n.text(Key::DismissError)
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
