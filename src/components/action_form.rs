//! `<ActionForm/>`: the input an operation needs before it can be sent, then the intent.
//!
//! Destination → number form; digits → keypad; another call → pick it (swap, merge, complete
//! without a linked consult); participant → pick who to remove; user data → key/value or key.
//! The options and the request are `gws_client::view::action_form`'s.

use crate::components::choice_form::ChoiceForm;
use crate::components::destination_form::DestinationForm;
use crate::components::dtmf_keypad::DtmfKeypad;
use crate::components::user_data_form::UserDataForm;
use crate::context::{CallsContext, Dispatch, I18nContext};
use crate::intent::Intent;
use gws_client::view::action_form::{
    other_call_choices, participant_choices, request_with, user_data_key_choices,
};
use gws_client::{Action, ActionInput, Key};
use leptos::prelude::*;
use serde_json::Value;

/// The form for `action` on call `call_id`.
#[component]
pub fn ActionForm(
    /// The call.
    call_id: String,
    /// The action whose input is asked for.
    action: Action,
    /// Closes the form (after sending or on cancel).
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let dispatch = Dispatch::expect();
    let (operation, input) = (action.operation.clone(), action.input);
    let send = {
        let (call_id, operation) = (call_id.clone(), operation.clone());
        Callback::new(move |value: Value| {
            dispatch.run(Intent::call(
                &call_id,
                request_with(&operation, input, value),
            ));
            on_close.run(());
        })
    };
    let label = action.label.clone();
    let i18n = I18nContext::expect();
    // A form lives seconds: its texts are read once, in the language of the moment.
    let catalog = i18n.0.get_untracked();
    let with_action = |key| catalog.fill(key, &[("action", &label)]);
    let (others, participants, keys) = calls.with_untracked(|store| {
        let others = other_call_choices(&store.pairable(&call_id), &catalog);
        let call = store.get(&call_id).map(|e| &e.call);
        let participants = call.map(participant_choices).unwrap_or_default();
        let keys = call.map(user_data_key_choices).unwrap_or_default();
        (others, participants, keys)
    });
    let text = move |value: String| send.run(Value::String(value));
    match input {
        ActionInput::Destination => view! {
            <DestinationForm label=with_action(Key::FormDestination) submit_label=label on_submit=text on_cancel=on_close/>
        }
        .into_any(),
        ActionInput::Digits => view! { <DtmfKeypad on_submit=text on_cancel=on_close/> }.into_any(),
        ActionInput::OtherCall => view! {
            <ChoiceForm
                legend=with_action(Key::FormPairWith)
                choices=others
                empty_text=i18n.now(Key::FormNoOtherCall)
                submit_label=label
                on_submit=text
                on_cancel=on_close
            />
        }
        .into_any(),
        ActionInput::Participant => view! {
            <ChoiceForm
                legend=i18n.now(Key::FormRemoveWhich)
                choices=participants
                empty_text=i18n.now(Key::FormNoParty)
                submit_label=label
                on_submit=text
                on_cancel=on_close
            />
        }
        .into_any(),
        ActionInput::UserData => view! {
            <UserDataForm submit_label=label on_submit=move |pair| send.run(Value::Object(pair)) on_cancel=on_close/>
        }
        .into_any(),
        ActionInput::UserDataKey => view! {
            <ChoiceForm
                legend=i18n.now(Key::FormDeleteWhich)
                choices=keys
                empty_text=i18n.now(Key::FormNoData)
                submit_label=label
                on_submit=text
                on_cancel=on_close
            />
        }
        .into_any(),
        ActionInput::None => ().into_any(),
    }
}
