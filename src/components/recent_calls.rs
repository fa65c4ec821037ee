//! `<RecentCalls/>`: the last released calls (kept in memory, newest first).

use crate::context::{CallsContext, I18nContext};
use gws_client::Key;
use gws_client::view::recent::{RecentRow, recent_rows};
use leptos::prelude::*;

/// The recent-calls list, collapsed by default.
#[component]
pub fn RecentCalls() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
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
    view! {
        <Show when=move || count() != 0>
            <details class="gws-recent" data-testid="recent-calls">
                <summary>{title}</summary>
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
