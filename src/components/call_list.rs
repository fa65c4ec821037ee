//! `<CallList/>`: one card per call, in order of appearance, keyed by call id so a card keeps
//! its DOM (and focus) while its call changes.

use crate::components::call_card::CallCard;
use crate::context::CallsContext;
use leptos::prelude::*;

/// All calls of the agent.
#[component]
pub fn CallList() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let ids = move || {
        calls.with(|store| {
            store
                .entries()
                .iter()
                .map(|e| e.call.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let empty = move || calls.with(|store| store.entries().is_empty());
    view! {
        <div class="gws-calls" data-testid="call-list">
            <Show when=empty>
                <p class="gws-calls__empty">"No calls"</p>
            </Show>
            <For each=ids key=|id| id.clone() let:id>
                <CallCard id=id/>
            </For>
        </div>
    }
}
