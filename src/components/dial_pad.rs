//! `<DialPad/>`: a new outbound call (`Dial` on the agent's device), with a keypad for touch and
//! mouse users. The number is normalised and validated before it is sent.

use crate::components::dtmf_keypad::keys_typing_into;
use crate::components::format;
use crate::context::{AgentContext, ConnectionContext, Dispatch, I18nContext};
use crate::intent::Intent;
use gws_client::{AgentStore, ConnectionState, Key, normalize_number};
use leptos::prelude::*;

/// The dial pad.
#[component]
pub fn DialPad() -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let dispatch = Dispatch::expect();
    let i18n = I18nContext::expect();
    let number = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The reason is read with the field again when the agent comes back to it (the reference
    // is always set: pointing at no element while there is no error, it is ignored).
    let error_id = format::unique_id("error");
    let keypad = RwSignal::new(false);
    let dialing = move || agent.with(AgentStore::dialing);
    let unavailable = move || {
        let connected = connection.with(|s| *s == ConnectionState::Connected);
        !agent.with(|a| a.can_dial(connected))
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if untrack(unavailable) {
            return; // `aria-disabled` (it keeps the focus): Enter still submits
        }
        match normalize_number(&number.get_untracked()) {
            Ok(normalised) => {
                error.set(None);
                dispatch.run(Intent::dial(&normalised));
                number.set(String::new());
            }
            Err(reason) => error.set(Some(i18n.0.with_untracked(|c| reason.localized(c)))),
        }
    };
    view! {
        <form class="gws-dial" data-testid="dial-pad" on:submit=submit>
            <input
                class="gws-input"
                type="tel"
                inputmode="tel"
                autocomplete="off"
                placeholder=i18n.text(Key::DialNumber)
                aria-label=i18n.text(Key::DialNumber)
                data-testid="dial-input"
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=error_id.clone()
                prop:value=move || number.get()
                on:input=move |event| number.set(event_target_value(&event))
            />
            <button type="submit" class="gws-btn gws-btn--primary" data-action="Dial" aria-busy=move || dialing().to_string() aria-disabled=move || unavailable().to_string()>
                {i18n.text(Key::OpDial)}
            </button>
            <button
                type="button"
                class="gws-btn gws-btn--secondary"
                aria-label=i18n.text(Key::DialShowKeypad)
                aria-expanded=move || keypad.get().to_string()
                on:click=move |_| keypad.update(|open| *open = !*open)
            >
                "⌨"
            </button>
            <Show when=move || keypad.get()>
                <div class="gws-keypad__keys gws-dial__keys">{keys_typing_into(number)}</div>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="gws-form__error" role="alert" data-testid="dial-error" id=error_id.clone()>{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}
