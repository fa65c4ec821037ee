//! `<DtmfKeypad/>`: digits to send on an established call (`SendDtmf`). Keys append to an
//! editable field; Send sends them in one request (GWS accepts several digits at once).

use crate::components::format;
use crate::context::I18nContext;
use gws_client::Key;
use leptos::prelude::*;

/// The twelve keys of a phone.
pub const KEYS: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/// Whether `digits` is a non-empty string of DTMF characters.
pub fn valid_dtmf(digits: &str) -> bool {
    !digits.is_empty()
        && digits.len() <= 64
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
}

/// A DTMF keypad.
#[component]
pub fn DtmfKeypad(
    /// Receives the digits to send.
    #[prop(into)]
    on_submit: Callback<String>,
    /// Closes the keypad.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = I18nContext::expect();
    let digits = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    // The reason is read with the field again when the agent comes back to it (the reference
    // is always set: pointing at no element while there is no error, it is ignored).
    let error_id = format::unique_id("error");
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value: String = digits
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if valid_dtmf(&value) {
            error.set(false);
            on_submit.run(value);
            digits.set(String::new());
        } else {
            error.set(true);
        }
    };
    let keys = keys_typing_into(digits);
    view! {
        <form class="gws-form gws-keypad" data-testid="dtmf-keypad" on:submit=submit>
            <input
                class="gws-input"
                data-testid="dtmf-input"
                aria-label=i18n.now(Key::DtmfInput)
                aria-invalid=move || error.get().to_string()
                aria-describedby=error_id.clone()
                inputmode="tel"
                autocomplete="off"
                prop:value=move || digits.get()
                on:input=move |event| digits.set(event_target_value(&event))
            />
            <div class="gws-keypad__keys">{keys}</div>
            <div class="gws-form__buttons">
                <button type="submit" class="gws-btn gws-btn--primary" data-testid="form-submit">{i18n.now(Key::DtmfSend)}</button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="form-cancel" data-gws-cancel on:click=move |_| on_cancel.run(())>
                    {i18n.now(Key::Close)}
                </button>
            </div>
            <Show when=move || error.get()>
                <p class="gws-form__error" role="alert" data-testid="form-error" id=error_id.clone()>{i18n.now(Key::DtmfInvalid)}</p>
            </Show>
        </form>
    }
}

/// The twelve keys, each typing its digit into `text` — the keypad's and the dial pad's. Each
/// is named ("Digit #"): "*" and "#" are silent at some screen-reader punctuation levels.
pub fn keys_typing_into(text: RwSignal<String>) -> impl IntoView {
    let i18n = I18nContext::expect();
    KEYS.iter()
        .map(|key| {
            view! {
                <button
                    type="button"
                    class="gws-key"
                    data-digit=*key
                    aria-label=i18n.0.with_untracked(|c| c.fill(Key::DtmfDigit, &[("digit", key)]))
                    on:click=move |_| text.update(|t| t.push_str(key))
                >
                    {*key}
                </button>
            }
        })
        .collect_view()
}
