//! `<CallCard/>`: one call — state in text and colour, type, parties, DNIS, timers, mute,
//! recording, supervisor mode, attached data, errors and controls. Every string from the server
//! is rendered as text (never as HTML).

use crate::components::action_bar::ActionBar;
use crate::context::Dispatch;
use crate::focus;
use crate::intent::Intent;
use gws_client::Key;
use gws_client::view::CardView;
use gws_client::view::card::{CardContent, call_timer, hold_timer};
use leptos::prelude::*;

/// The signals of one card, made and kept by `<CallList/>` and dropped when its call leaves the
/// list (see there for why a card reads nothing widget-wide).
#[derive(Debug, Clone)]
pub struct CardCell {
    /// What the card shows.
    pub view: ArcRwSignal<CardView>,
    /// The clock, for the card's timers.
    pub now: ArcRwSignal<u64>,
}

/// The card of call `id` (`data-testid="call-card"`, `data-call-id`, `data-state`).
#[component]
pub fn CallCard(
    /// The call's id.
    id: String,
    /// The card's signals, kept by `<CallList/>` (read nothing widget-wide here: see there).
    cell: CardCell,
    /// Shown attached to its parent call (a consult leg).
    #[prop(optional)]
    consult: bool,
) -> impl IntoView {
    let dispatch = Dispatch::expect();
    let CardCell { view: card, now } = cell;
    // The texts come with the card's view, not from the widget-wide context (see `CardView`).
    let catalog = {
        let card = card.clone();
        Memo::new(move |_| card.with(|v| v.catalog.clone()))
    };
    // Row-owned (Copy) handles over the card's own signals.
    let clock = Signal::derive(move || now.get());

    let entry = {
        let card = card.clone();
        Memo::new(move |_| card.with(|v| v.entry.clone()))
    };
    let actions = {
        let card = card.clone();
        Memo::new(move |_| card.with(|v| v.actions.clone()))
    };
    let offline = Signal::derive(move || !card.with(|v| v.connected));
    let tr = move |key: Key| move || catalog.with(|c| c.text(key).to_string());
    let content =
        Memo::new(move |_| catalog.with(|c| entry.with(|e| CardContent::of(e, consult, c))));
    let text = move |f: fn(&CardContent) -> &str| move || content.with(|c| f(c).to_string());
    let optional = move |f: fn(&CardContent) -> Option<&str>| {
        move || content.with(|c| f(c).map(str::to_string))
    };
    let flag = move |f: fn(&CardContent) -> bool| move || content.with(f);

    let pending = Signal::derive(move || content.with(|c| c.pending.clone()));
    let state = text(|c| &c.state);
    let state_label = text(|c| &c.state_label);
    let class = text(|c| &c.class);
    let call_type = text(|c| &c.call_type);
    let parties = text(|c| &c.parties);
    let numbers = text(|c| &c.numbers);
    let label = text(|c| &c.label);
    let dnis = optional(|c| c.dnis.as_deref());
    let ani = optional(|c| c.ani.as_deref());
    let recording = optional(|c| c.recording.as_deref());
    let mode = optional(|c| c.mode.as_deref());
    let error = optional(|c| c.error.as_deref());
    let muted = flag(|c| c.muted);
    let monitored = flag(|c| c.supervised);
    let released = flag(|c| c.released);
    let has_data = flag(|c| !c.user_data.is_empty());
    let user_data = move || content.with(|c| c.user_data.clone());
    let call_time = move || {
        let now = clock.get();
        entry.with(|e| call_timer(e, now))
    };
    let hold_time = move || {
        let now = clock.get();
        entry.with(|e| hold_timer(e, now))
    };
    let dismiss = {
        let (dispatch, id) = (dispatch.clone(), id.clone());
        move |_| {
            dispatch.run(Intent::DismissError {
                call_id: id.clone(),
            })
        }
    };

    let bar_id = id.clone();
    view! {
        <article
            class=class
            data-testid="call-card"
            data-call-id=id
            data-state=state
            aria-label=label
            tabindex="-1"
            // Hold becomes Retrieve, the controls go on release: the focus stays on the card
            // (`crate::focus`, started by the call list).
            data-gws-focus=focus::KEEP
        >
            <header class="gws-card__header">
                <span class="gws-card__state" data-testid="call-state">{state_label}</span>
                <span class="gws-card__type" data-testid="call-type">{call_type}</span>
                // A span cannot carry a name (ARIA): the label is hidden text before the time.
                <span class="gws-card__timer" data-testid="call-timer">
                    <span class="gws-visually-hidden">{tr(Key::CardDuration)} " "</span>
                    {call_time}
                </span>
            </header>
            <div class="gws-card__parties" data-testid="call-parties">{parties}</div>
            <div class="gws-card__meta">
                <Show when=move || !numbers().is_empty()>
                    <span data-testid="call-numbers">{numbers}</span>
                </Show>
                <Show when=move || dnis().is_some()>
                    <span data-testid="call-dnis">{tr(Key::CardDnis)} " " {move || dnis().unwrap_or_default()}</span>
                </Show>
                <Show when=move || ani().is_some()>
                    <span data-testid="call-ani">{tr(Key::CardAni)} " " {move || ani().unwrap_or_default()}</span>
                </Show>
            </div>
            <div class="gws-card__flags">
                <Show when=move || hold_time().is_some()>
                    <span class="gws-flag gws-flag--held" data-testid="hold-timer">
                        {move || {
                            let time = hold_time().unwrap_or_default();
                            catalog.with(|c| c.fill(Key::CardOnHold, &[("time", &time)]))
                        }}
                    </span>
                </Show>
                <Show when=muted>
                    <span class="gws-flag gws-flag--muted" data-testid="muted">{tr(Key::CardMuted)}</span>
                </Show>
                <Show when=move || recording().is_some()>
                    <span class="gws-flag gws-flag--recording" data-testid="recording">
                        {move || recording().unwrap_or_default()}
                    </span>
                </Show>
                <Show when=move || mode().is_some()>
                    <span class="gws-flag gws-flag--monitor" data-testid="monitoring-mode">
                        {move || mode().unwrap_or_default()}
                    </span>
                </Show>
                <Show when=monitored>
                    <span class="gws-flag" data-testid="supervised">{tr(Key::CardSupervised)}</span>
                </Show>
            </div>
            <Show when=has_data>
                <dl class="gws-card__data" data-testid="user-data" role="group" aria-label=tr(Key::CardAttachedData)>
                    <For each=user_data key=|pair| pair.clone() let((key, value))>
                        <div class="gws-card__pair">
                            <dt>{key}</dt>
                            <dd>{value}</dd>
                        </div>
                    </For>
                </dl>
            </Show>
            <Show when=move || error().is_some()>
                // Not a live region: the core says every error through the announcer (heard
                // while the focus is in the CRM page too); an alert here said it twice.
                <div class="gws-card__error" data-testid="call-error">
                    <span>{move || error().unwrap_or_default()}</span>
                    <button type="button" class="gws-btn gws-btn--link" aria-label=tr(Key::DismissError) on:click=dismiss.clone()>
                        "×"
                    </button>
                </div>
            </Show>
            <Show when=move || !released()>
                <ActionBar call_id=bar_id.clone() actions=actions pending=pending offline=offline texts=catalog/>
            </Show>
        </article>
    }
}
