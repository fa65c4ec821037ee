//! `<RecentCalls/>`: the last released calls (kept in memory, newest first).

use crate::context::CallsContext;
use gws_client::view::recent::{RecentRow, recent_rows};
use leptos::prelude::*;

/// The recent-calls list, collapsed by default.
#[component]
pub fn RecentCalls() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let recent = move || calls.with(recent_rows);
    let count = move || calls.with(|store| store.recent().count());
    view! {
        <Show when=move || count() != 0>
            <details class="gws-recent" data-testid="recent-calls">
                <summary>"Recent calls (" {count} ")"</summary>
                <ol class="gws-recent__list">
                    // A plain list rebuilt in place, not a keyed <For>: a <For> in a
                    // long-lived component leaks a row owner per call (see `CallList`).
                    {move || {
                        recent()
                            .into_iter()
                            .map(|RecentRow { id, parties, kind, duration }| {
                                view! {
                                    <li class="gws-recent__item" data-call-id=id>
                                        <span class="gws-recent__party">{parties}</span>
                                        <span class="gws-recent__type">{kind}</span>
                                        <span class="gws-recent__duration">{duration}</span>
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
