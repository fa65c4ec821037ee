//! `<CallList/>`: one card per call, in order of appearance, keyed by call id so a card keeps
//! its DOM (and focus) while its call changes. A consult call is shown attached to its parent
//! (a transfer or conference in progress), with its complete / cancel controls next to it.

use crate::components::call_card::CallCard;
use crate::context::CallsContext;
use gws_client::CallsStore;
use leptos::prelude::*;

/// Top-level calls: those that are not consults of another call present in the store.
pub fn root_ids(store: &CallsStore) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| {
            e.call
                .parent_call_id()
                .is_none_or(|parent| store.get(parent).is_none())
        })
        .map(|e| e.call.id.clone())
        .collect()
}

/// The consult calls of `parent`.
pub fn consult_ids(store: &CallsStore, parent: &str) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| e.call.parent_call_id() == Some(parent) && e.call.id != parent)
        .map(|e| e.call.id.clone())
        .collect()
}

/// All calls of the agent, consults grouped under their parent.
#[component]
pub fn CallList() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let roots = move || calls.with(root_ids);
    let empty = move || calls.with(|store| store.entries().is_empty());
    view! {
        <div class="gws-calls" data-testid="call-list" aria-label="Calls">
            <Show when=empty>
                <p class="gws-calls__empty">"No calls"</p>
            </Show>
            <For each=roots key=|id| id.clone() let:id>
                <div class="gws-call-group">
                    <CallCard id=id.clone()/>
                    <For each={
                        let id = id.clone();
                        move || calls.with(|store| consult_ids(store, &id))
                    } key=|id| id.clone() let:consult>
                        <CallCard id=consult consult=true/>
                    </For>
                </div>
            </For>
        </div>
    }
}
