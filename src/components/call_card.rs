//! `<CallCard/>`: one call. Every string from the server is rendered as text (never as HTML).

use crate::components::action_bar::ActionBar;
use crate::components::format;
use crate::context::{CallsContext, ClockContext, Dispatch};
use crate::intent::Intent;
use gws_client::actions_for;
use leptos::prelude::*;

/// The card of call `id` (`data-testid="call-card"`, `data-call-id`, `data-state`).
#[component]
pub fn CallCard(
    /// The call's id.
    id: String,
) -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let ClockContext(clock) = ClockContext::expect();
    let dispatch = Dispatch::expect();

    let entry = {
        let id = id.clone();
        Memo::new(move |_| calls.with(|store| store.get(&id).cloned()))
    };
    let actions = {
        let id = id.clone();
        Memo::new(move |_| {
            calls.with(|store| {
                store
                    .get(&id)
                    .map(|e| actions_for(&e.call, &store.others(&id)))
                    .unwrap_or_default()
            })
        })
    };
    let pending =
        Signal::derive(move || entry.with(|e| e.as_ref().and_then(|e| e.pending.clone())));
    let state = move || {
        entry.with(|e| {
            e.as_ref()
                .map(|e| e.call.state.as_str().to_string())
                .unwrap_or_default()
        })
    };
    let state_class = move || format!("gws-card gws-card--{}", state().to_ascii_lowercase());
    let parties = move || {
        entry.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.call
                        .participants
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        })
    };
    let call_type = move || {
        entry.with(|e| {
            e.as_ref()
                .and_then(|e| e.call.call_type.as_ref().map(|t| t.as_str().to_string()))
                .unwrap_or_default()
        })
    };
    let timer = move || {
        let now = clock.get();
        entry.with(|e| {
            e.as_ref()
                .map(|e| format::duration(e.elapsed_secs(now)))
                .unwrap_or_default()
        })
    };
    let error = move || entry.with(|e| e.as_ref().and_then(|e| e.error.clone()));
    let has_error = move || error().is_some();
    let card_id = id.clone();
    let error_id = id.clone();

    view! {
        <article class=state_class data-testid="call-card" data-call-id=card_id data-state=state aria-label="Call">
            <header class="gws-card__header">
                <span class="gws-card__state" data-testid="call-state">{state}</span>
                <span class="gws-card__type">{call_type}</span>
                <span class="gws-card__timer" data-testid="call-timer">{timer}</span>
            </header>
            <div class="gws-card__parties" data-testid="call-parties">{parties}</div>
            <Show when=has_error>
                <div class="gws-card__error" data-testid="call-error" role="alert">
                    <span>{move || error().unwrap_or_default()}</span>
                    <button
                        type="button"
                        class="gws-btn gws-btn--link"
                        aria-label="Dismiss error"
                        on:click={
                            let (dispatch, id) = (dispatch.clone(), error_id.clone());
                            move |_| dispatch.run(Intent::DismissError { call_id: id.clone() })
                        }
                    >
                        "×"
                    </button>
                </div>
            </Show>
            <ActionBar call_id=id actions=actions pending=pending/>
        </article>
    }
}
