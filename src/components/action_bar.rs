//! `<ActionBar/>`: one button per capability, in the stable order of `actions_for`, primary
//! then secondary, each with `data-action="<operationName>"`. A button whose operation needs
//! input opens its form below the bar; the others send at once.
//!
//! While an operation is pending every button of the call is unavailable and the clicked one
//! says so: a double click sends one request. While the notification connection is down the
//! controls are paused too, with the reason in their title. Unavailable is `aria-disabled`, not
//! `disabled`: a disabled button loses the keyboard focus to the host page (`crate::focus`).

use crate::components::action_form::ActionForm;
use crate::context::{CallsContext, Dispatch};
use crate::focus;
use crate::intent::Intent;
use gws_client::view::action_form::{other_call_choices, request_with};
use gws_client::{Action, ActionGroup, ActionInput, Catalog, Key};
use gws_protocol::Operation;
use leptos::prelude::*;
use serde_json::Value;

/// A button's identity in its list: the operation and the input it asks for. Why the input:
/// a button's click handler keeps the action it was built with, and the same operation can
/// change input while its card lives (Complete* on a consult sends at once while the consult's
/// parent is there, asks for the call once the parent has gone); keyed by operation alone, the
/// button went on sending the old way, without the call to complete with.
fn button_key(action: &Action) -> String {
    format!("{}:{:?}", action.operation.as_str(), action.input)
}

/// The controls of one call.
#[component]
pub fn ActionBar(
    /// The call the buttons act on.
    call_id: String,
    /// The actions, from `actions_for`.
    #[prop(into)]
    actions: Signal<Vec<Action>>,
    /// The operation waiting for its notification, if any.
    #[prop(into)]
    pending: Signal<Option<Operation>>,
    /// Notifications are not flowing: the controls pause.
    #[prop(into)]
    offline: Signal<bool>,
    /// The card's texts (the card's own signal, not the widget-wide one: see `CardView`).
    #[prop(into)]
    texts: Signal<Catalog>,
) -> impl IntoView {
    let dispatch = Dispatch::expect();
    let CallsContext(calls) = CallsContext::expect();
    let tr = move |key: Key| move || texts.with(|c| c.text(key).to_string());
    let paused = tr(Key::CardPaused);
    // Without notifications the agent would not see what an operation did: pause the controls.
    let unavailable = move || pending.with(Option::is_some) || offline.get();
    let offline = move || offline.get();
    let open = RwSignal::new(None::<Action>);
    // A form whose operation the server no longer offers closes itself.
    Effect::new(move |_| {
        let still_offered =
            open.with(|o| o.as_ref().map(|a| actions.with(|list| list.contains(a))));
        if still_offered == Some(false) {
            open.set(None);
        }
    });

    let button = {
        let call_id = call_id.clone();
        move |action: Action| {
            let operation = action.operation.clone();
            let is_pending = {
                let operation = operation.clone();
                move || pending.with(|p| p.as_ref() == Some(&operation))
            };
            let busy = {
                let is_pending = is_pending.clone();
                move || is_pending().to_string()
            };
            let is_open = {
                let operation = operation.clone();
                move || open.with(|o| o.as_ref().is_some_and(|a| a.operation == operation))
            };
            let class = match action.group {
                ActionGroup::Primary => "gws-btn gws-btn--primary",
                ActionGroup::Secondary | ActionGroup::Data => "gws-btn gws-btn--secondary",
            };
            let has_form = action.input != ActionInput::None;
            let on_click = {
                let (dispatch, call_id, action) =
                    (dispatch.clone(), call_id.clone(), action.clone());
                move |event: leptos::ev::MouseEvent| {
                    if untrack(unavailable) {
                        return; // `aria-disabled`: the click still arrives
                    }
                    if action.input == ActionInput::None {
                        open.set(None);
                        dispatch.run(Intent::operation(&call_id, action.operation.clone()));
                        return;
                    }
                    // Pairing with the only other call needs no question.
                    if action.input == ActionInput::OtherCall {
                        let choices = calls.with_untracked(|store| {
                            texts.with_untracked(|catalog| {
                                other_call_choices(&store.pairable(&call_id), catalog)
                            })
                        });
                        if let [only] = choices.as_slice() {
                            let request = request_with(
                                &action.operation,
                                action.input,
                                Value::String(only.value.clone()),
                            );
                            open.set(None);
                            dispatch.run(Intent::call(&call_id, request));
                            return;
                        }
                    }
                    let already = open.with_untracked(|o| o.as_ref() == Some(&action));
                    open.set(if already { None } else { Some(action.clone()) });
                    if !already {
                        focus::autofocus_soon(&event, focus::OPENED_FORM);
                    }
                }
            };
            view! {
                <button
                    type="button"
                    class=class
                    data-action=operation.as_str().to_string()
                    aria-busy=busy
                    aria-expanded=move || has_form.then(|| is_open().to_string())
                    aria-disabled=move || unavailable().to_string()
                    title=move || offline().then(paused)
                    on:click=on_click
                >
                    {action.label.clone()}
                    <Show when=is_pending>
                        <span class="gws-spinner" aria-hidden="true"></span>
                    </Show>
                </button>
            }
        }
    };
    let group = move |wanted: ActionGroup| {
        move || {
            actions.with(|list| {
                list.iter()
                    .filter(|a| a.group == wanted)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    };
    let form = move || {
        open.get().map(|action| {
            view! { <ActionForm call_id=call_id.clone() action=action on_close=move |()| open.set(None)/> }
        })
    };
    view! {
        <div class="gws-actions" role="group" aria-label=tr(Key::CardControls)>
            <div class="gws-actions__primary">
                <For each=group(ActionGroup::Primary) key=button_key children=button.clone()/>
            </div>
            <div class="gws-actions__secondary">
                <For each=group(ActionGroup::Secondary) key=button_key children=button.clone()/>
            </div>
            <Show when=move || !group(ActionGroup::Data)().is_empty()>
                <details class="gws-actions__data">
                    <summary>{tr(Key::CardAttachedData)}</summary>
                    <div class="gws-actions__secondary">
                        <For each=group(ActionGroup::Data) key=button_key children=button.clone()/>
                    </div>
                </details>
            </Show>
            {form}
        </div>
    }
}
