//! `<RecentCalls/>`: the last released calls (kept in memory, newest first), each with "Call
//! back" when its party has a number a phone can dial.

use crate::context::{AgentContext, CallsContext, ConnectionContext, Dispatch, I18nContext};
use crate::focus;
use crate::intent::Intent;
use gws_client::view::recent::{RecentRow, recent_rows};
use gws_client::{ConnectionState, Key};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The recent-calls list, collapsed by default.
#[component]
pub fn RecentCalls() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let AgentContext(agent) = AgentContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let dispatch = Dispatch::expect();
    let i18n = I18nContext::expect();
    let recent = move || {
        i18n.0
            .with(|catalog| calls.with(|store| recent_rows(store, catalog)))
    };
    let count = move || calls.with(|store| store.recent().count());
    let title = move || {
        i18n.0.with(|catalog| {
            let count = crate::i18n::number(catalog.lang(), count() as f64);
            catalog.fill(Key::RecentTitle, &[("count", &count)])
        })
    };
    // "Call back" is the dial pad's Dial, available when it is (`AgentStore::can_dial`).
    let unavailable = move || {
        let connected = connection.with(|s| *s == ConnectionState::Connected);
        !agent.with(|a| a.can_dial(connected))
    };
    let call_back = move |event: leptos::ev::MouseEvent| {
        let number = event
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|button| button.get_attribute("data-number"));
        if let Some(number) = number.filter(|_| !untrack(unavailable)) {
            dispatch.run(Intent::dial(&number));
        }
    };
    focus::keep_focus();
    view! {
        <Show when=move || count() != 0>
            // The rows are patched in place, by position: when a newer call is listed above,
            // the focused "Call back" would show (and dial) another call; the focus follows the
            // call it was on instead (`crate::focus`).
            <details class="gws-recent" data-testid="recent-calls" tabindex="-1" data-gws-focus=focus::KEEP_HERE>
                <summary>{title}</summary>
                <ol class="gws-recent__list">
                    // A plain list rebuilt in place, not a keyed <For>: a <For> in a
                    // long-lived component leaks a row owner per call (see `CallList`). For the
                    // same reason nothing in a row is reactive (an effect made in a rebuild
                    // stays until the component goes: 20 rows a call): the list is rebuilt
                    // when Call back's availability changes, and its texts are read now.
                    {
                        let call_back = call_back.clone();
                        move || {
                        let unavailable = unavailable().to_string();
                        let label = i18n.now(Key::RecentCallBack);
                        recent()
                            .into_iter()
                            .map(|RecentRow { id, parties, kind, duration, call_back: number, call_back_label }| {
                                let call_back = call_back.clone();
                                let button = number.map(|number| {
                                    view! {
                                        <button
                                            type="button"
                                            class="gws-btn gws-btn--link"
                                            data-action="Dial"
                                            data-testid="call-back"
                                            data-number=number
                                            aria-label=call_back_label
                                            aria-disabled=unavailable.clone()
                                            on:click=call_back
                                        >
                                            {label.clone()}
                                        </button>
                                    }
                                });
                                view! {
                                    <li class="gws-recent__item" data-call-id=id>
                                        <span class="gws-recent__party">{parties}</span>
                                        <span class="gws-recent__type">{kind}</span>
                                        <span class="gws-recent__duration">{duration}</span>
                                        {button}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
            </details>
        </Show>
    }
}
