//! `<UserDataForm/>`: one key/value pair to attach (`AttachUserData`) or set
//! (`UpdateUserData`).

use crate::components::format;
use crate::context::I18nContext;
use gws_client::Key;
use leptos::prelude::*;
use serde_json::{Map, Value};

/// A key/value editor.
#[component]
pub fn UserDataForm(
    /// Text of the submit button.
    #[prop(into)]
    submit_label: String,
    /// Prefilled key (e.g. when editing an existing pair).
    #[prop(optional, into)]
    key: String,
    /// Receives `{key: value}`.
    #[prop(into)]
    on_submit: Callback<Map<String, Value>>,
    /// Closes the form.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = I18nContext::expect();
    let key = RwSignal::new(key);
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    // The reason is read with the field again when the agent comes back to it (the reference
    // is always set: pointing at no element while there is no error, it is ignored).
    let error_id = format::unique_id("error");
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let name = key.get_untracked().trim().to_string();
        if name.is_empty() {
            error.set(true);
            return;
        }
        error.set(false);
        let mut pair = Map::new();
        pair.insert(name, Value::String(value.get_untracked()));
        on_submit.run(pair);
    };
    view! {
        <form class="gws-form" data-testid="user-data-form" on:submit=submit>
            <label class="gws-form__field">
                <span class="gws-form__label">{i18n.now(Key::FormKey)}</span>
                <input
                    class="gws-input"
                    data-testid="user-data-key"
                    autocomplete="off"
                    aria-invalid=move || error.get().to_string()
                    aria-describedby=error_id.clone()
                    prop:value=move || key.get()
                    on:input=move |event| key.set(event_target_value(&event))
                />
            </label>
            <label class="gws-form__field">
                <span class="gws-form__label">{i18n.now(Key::FormValue)}</span>
                <input
                    class="gws-input"
                    data-testid="user-data-value"
                    autocomplete="off"
                    prop:value=move || value.get()
                    on:input=move |event| value.set(event_target_value(&event))
                />
            </label>
            <div class="gws-form__buttons">
                <button type="submit" class="gws-btn gws-btn--primary" data-testid="form-submit">{submit_label}</button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="form-cancel" data-gws-cancel on:click=move |_| on_cancel.run(())>
                    {i18n.now(Key::Cancel)}
                </button>
            </div>
            <Show when=move || error.get()>
                <p class="gws-form__error" role="alert" data-testid="form-error" id=error_id.clone()>{i18n.now(Key::FormEnterKey)}</p>
            </Show>
        </form>
    }
}
