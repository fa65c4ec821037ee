//! `<ActionBar/>`: one button per capability, in the stable order of `actions_for`, each with
//! `data-action="<operationName>"`. While an operation is pending every button of the call is
//! disabled and the clicked one says so: a double click sends one request. While the
//! notification connection is down the controls are paused too, with the reason in their title.

use crate::context::{ConnectionContext, Dispatch};
use crate::intent::Intent;
use gws_client::{Action, ActionGroup, ConnectionState};
use gws_protocol::Operation;
use leptos::prelude::*;

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
) -> impl IntoView {
    let dispatch = Dispatch::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    // Without notifications the agent would not see what an operation did: pause the controls.
    let offline = move || connection.with(|state| *state != ConnectionState::Connected);
    let button = move |action: Action| {
        let operation = action.operation.clone();
        let is_pending = {
            let operation = operation.clone();
            move || pending.with(|p| p.as_ref() == Some(&operation))
        };
        let class = match action.group {
            ActionGroup::Primary => "gws-btn gws-btn--primary",
            ActionGroup::Secondary => "gws-btn gws-btn--secondary",
        };
        let on_click = {
            let (dispatch, call_id, operation) =
                (dispatch.clone(), call_id.clone(), operation.clone());
            move |_| dispatch.run(Intent::operation(&call_id, operation.clone()))
        };
        view! {
            <button
                type="button"
                class=class
                data-action=operation.as_str().to_string()
                aria-busy=move || is_pending().to_string()
                disabled=move || pending.with(Option::is_some) || offline()
                title=move || offline().then_some("Paused: not connected to the server")
                on:click=on_click
            >
                {action.label.clone()}
            </button>
        }
    };
    view! {
        <div class="gws-actions" role="group" aria-label="Call controls">
            <For each=move || actions.get() key=|action| action.operation.as_str().to_string() children=button/>
        </div>
    }
}
