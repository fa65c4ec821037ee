//! `<ChoiceForm/>`: pick one of a few options (another call for swap/merge/complete, a
//! participant to remove, a user-data key to delete) and confirm.

use crate::components::format;
use crate::context::I18nContext;
use gws_client::Key;
use gws_client::view::action_form::Choice;
use leptos::prelude::*;

/// A radio list with a confirm button.
#[component]
pub fn ChoiceForm(
    /// Question above the options.
    #[prop(into)]
    legend: String,
    /// The options; with none, the form says `empty_text`.
    choices: Vec<Choice>,
    /// Shown when there is nothing to choose from.
    #[prop(into)]
    empty_text: String,
    /// Text of the confirm button.
    #[prop(into)]
    submit_label: String,
    /// Receives the chosen value.
    #[prop(into)]
    on_submit: Callback<String>,
    /// Closes the form.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = I18nContext::expect();
    let selected = RwSignal::new(choices.first().map(|c| c.value.clone()));
    let group = format::unique_id("choice");
    let empty = choices.is_empty();
    let options = choices
        .into_iter()
        .map(|choice| {
            let value = choice.value.clone();
            let checked = {
                let value = value.clone();
                move || selected.with(|s| s.as_deref() == Some(value.as_str()))
            };
            view! {
                <label class="gws-choice">
                    <input
                        type="radio"
                        name=group.clone()
                        data-testid="choice"
                        value=value.clone()
                        prop:checked=checked
                        on:change=move |_| selected.set(Some(value.clone()))
                    />
                    <span>{choice.label}</span>
                </label>
            }
        })
        .collect_view();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Some(value) = selected.get_untracked() {
            on_submit.run(value);
        }
    };
    view! {
        <form class="gws-form" data-testid="choice-form" on:submit=submit>
            <fieldset class="gws-form__fieldset">
                <legend class="gws-form__label">{legend}</legend>
                {options}
                <Show when=move || empty>
                    <p class="gws-form__hint">{empty_text.clone()}</p>
                </Show>
            </fieldset>
            <div class="gws-form__buttons">
                <button type="submit" class="gws-btn gws-btn--primary" data-testid="form-submit" disabled=empty>
                    {submit_label}
                </button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="form-cancel" data-gws-cancel on:click=move |_| on_cancel.run(())>
                    {i18n.now(Key::Cancel)}
                </button>
            </div>
        </form>
    }
}
