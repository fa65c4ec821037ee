//! `<CallList/>`: one card per call, in order of appearance, keyed by call id so a card keeps
//! its DOM (and focus) while its call changes. A consult call is shown attached to its parent
//! (a transfer or conference in progress), with its complete / cancel controls next to it.
//!
//! Why the per-card cells: in Leptos 0.8 a reactive node that is disposed stays registered
//! (as a dead weak entry, with its allocation) in every long-lived signal it ever read, until
//! that signal is dropped. Cards come and go all day; if each card read the widget-wide calls,
//! clock and connection signals, every call would leave a few hundred bytes behind (measured:
//! 22 MB over 10 000 calls). So only this list reads those signals, and each card reads its own
//! [`CardCell`] — signals that are dropped together with the card.
//!
//! What each card shows and how calls group are view models of `gws_client::view`; this
//! component only keeps the cells in step with them.

use crate::components::call_card::{CallCard, CardCell};
use crate::context::{CallsContext, ClockContext, ConnectionContext, I18nContext};
use crate::focus;
use gws_client::view::{card_view, root_ids};
use gws_client::{CallsStore, Catalog, ConnectionState, Key, SmallMap};
use leptos::prelude::*;

/// By call id. A linear map: the store holds at most `MAX_CALLS` (64) calls, and a `HashMap`
/// of this value type would be one more copy of the hash table code in the wasm.
type Cells = StoredValue<SmallMap<String, CardCell>>;

/// The cell of call `id`: the existing one, or a new one made from the store (a card may be
/// created before the list's effect has run for its call).
fn cell_for(
    cells: Cells,
    id: &str,
    calls: RwSignal<CallsStore>,
    connected: bool,
    now: u64,
    texts: RwSignal<Catalog>,
) -> Option<CardCell> {
    if let Some(cell) = cells.with_value(|map| map.get(id).cloned()) {
        return Some(cell);
    }
    let view = texts.with_untracked(|catalog| {
        calls.with_untracked(|store| card_view(store, id, connected, catalog))
    })?;
    let cell = CardCell {
        view: ArcRwSignal::new(view),
        now: ArcRwSignal::new(now),
    };
    cells.update_value(|map| {
        map.insert(id.to_string(), cell.clone());
    });
    Some(cell)
}

/// All calls of the agent, consults grouped under their parent.
#[component]
pub fn CallList() -> impl IntoView {
    let CallsContext(calls) = CallsContext::expect();
    let ClockContext(clock) = ClockContext::expect();
    let ConnectionContext(connection) = ConnectionContext::expect();
    let i18n = I18nContext::expect();
    let texts = i18n.0;
    let cells: Cells = StoredValue::new(SmallMap::new());
    // The top-level call ids, in a cell replaced whenever the list is rebuilt (below), so the
    // list's reactive nodes never subscribe to anything that outlives them.
    let roots: StoredValue<ArcRwSignal<Vec<String>>> =
        StoredValue::new(ArcRwSignal::new(calls.with_untracked(root_ids)));
    let empty = Memo::new(move |_| calls.with(|store| root_ids(store).is_empty()));
    let connected = move || connection.with(|state| *state == ConnectionState::Connected);

    // The only reader of the widget-wide signals: pushes changes into the cards' cells.
    Effect::new(move |_| {
        let now = clock.get();
        let is_connected = connected();
        let catalog = texts.get();
        calls.with(|store| {
            for entry in store.entries() {
                let id = &entry.call.id;
                let Some(view) = card_view(store, id, is_connected, &catalog) else {
                    continue;
                };
                let existing = cells.with_value(|map| map.get(id).cloned());
                match existing {
                    Some(cell) => {
                        if cell.view.with_untracked(|current| *current != view) {
                            cell.view.set(view);
                        }
                        if cell.now.get_untracked() != now {
                            cell.now.set(now);
                        }
                    }
                    None => {
                        let cell = CardCell {
                            view: ArcRwSignal::new(view),
                            now: ArcRwSignal::new(now),
                        };
                        cells.update_value(|map| {
                            map.insert(id.clone(), cell);
                        });
                    }
                }
            }
            cells.update_value(|map| map.retain(|id, _| store.get(id).is_some()));
            let ids = root_ids(store);
            roots.with_value(|cell| {
                if cell.with_untracked(|current| *current != ids) {
                    cell.set(ids);
                }
            });
        });
    });
    focus::keep_focus();
    let card = move |id: String, consult: bool| {
        let now = clock.get_untracked();
        cell_for(
            cells,
            &id,
            calls,
            connected_untracked(connection),
            now,
            texts,
        )
        .map(|cell| view! { <CallCard id=id cell=cell consult=consult/> })
    };
    view! {
        // A released call's card leaves 5 s after the hang-up, with the focus the card kept:
        // the list takes it (a region, so that its name is read, and never another call's
        // control).
        <div
            class="gws-calls"
            data-testid="call-list"
            role="region"
            aria-label=i18n.text(Key::CallsLabel)
            tabindex="-1"
            data-gws-focus=focus::KEEP_HERE
        >
            // Always rendered, hidden while there are calls: a <Show> would build the text
            // again at every first call and leave a subscriber on the language signal each time.
            <p class="gws-calls__empty" hidden=move || !empty.get()>{i18n.text(Key::CallsEmpty)}</p>
            // Leptos (reactive_graph 0.2) keeps, in the owner that builds a <For>, a weak
            // reference to every row owner it ever made — and with it that owner's allocation —
            // until the building owner is cleaned up: about 100 bytes per call, for the whole
            // shift. Building the list inside this closure, re-run whenever the list turns empty
            // or non-empty (no card to lose then), cleans that owner up once per quiet moment;
            // each build reads a fresh ids cell, dropped with the build.
            {move || {
                empty.track();
                let ids = ArcRwSignal::new(calls.with_untracked(root_ids));
                roots.set_value(ids.clone());
                view! {
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <div class="gws-call-group">
                            {card(id.clone(), false)}
                            {
                                let consults = cell_for(cells, &id, calls, connected_untracked(connection), clock.get_untracked(), texts)
                                    .map(|cell| cell.view);
                                view! {
                                    <For
                                        each=move || consults.as_ref().map(|view| view.with(|v| v.consults.clone())).unwrap_or_default()
                                        key=|id| id.clone()
                                        let:consult
                                    >
                                        {card(consult, true)}
                                    </For>
                                }
                            }
                        </div>
                    </For>
                }
            }}
        </div>
    }
}

fn connected_untracked(connection: RwSignal<ConnectionState>) -> bool {
    connection.with_untracked(|state| *state == ConnectionState::Connected)
}
