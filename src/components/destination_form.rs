//! `<DestinationForm/>`: a phone number for transfers, conferences, forwarding and dialling,
//! normalised and validated before anything is sent.

use crate::components::format;
use crate::context::I18nContext;
use gws_client::{Key, normalize_number};
use leptos::prelude::*;

/// An inline number form. `on_submit` receives the normalised number.
#[component]
pub fn DestinationForm(
    /// Label of the input, e.g. "Transfer to".
    #[prop(into)]
    label: String,
    /// Text of the submit button.
    #[prop(into)]
    submit_label: String,
    /// Receives the normalised number.
    #[prop(into)]
    on_submit: Callback<String>,
    /// Closes the form without sending.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = I18nContext::expect();
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The reason is read with the field again when the agent comes back to it (the reference
    // is always set: pointing at no element while there is no error, it is ignored).
    let error_id = format::unique_id("error");
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match normalize_number(&value.get_untracked()) {
            Ok(number) => {
                error.set(None);
                on_submit.run(number);
            }
            Err(reason) => error.set(Some(i18n.0.with_untracked(|c| reason.localized(c)))),
        }
    };
    view! {
        <form class="gws-form" data-testid="destination-form" on:submit=submit>
            <label class="gws-form__field">
                <span class="gws-form__label">{label}</span>
                <input
                    class="gws-input"
                    type="tel"
                    inputmode="tel"
                    autocomplete="off"
                    data-testid="destination-input"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |event| value.set(event_target_value(&event))
                />
            </label>
            <div class="gws-form__buttons">
                <button type="submit" class="gws-btn gws-btn--primary" data-testid="form-submit">
                    {submit_label}
                </button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="form-cancel" data-gws-cancel on:click=move |_| on_cancel.run(())>
                    {i18n.now(Key::Cancel)}
                </button>
            </div>
            <Show when=move || error.with(Option::is_some)>
                <p class="gws-form__error" role="alert" data-testid="form-error" id=error_id.clone()>
                    {move || error.get().unwrap_or_default()}
                </p>
            </Show>
        </form>
    }
}
