//! `<CallCard/>`: one call — state in text and colour, type, parties, DNIS, timers, mute,
//! recording, supervisor mode, attached data, errors and controls. Every string from the server
//! is rendered as text (never as HTML).

use crate::components::action_bar::ActionBar;
use crate::components::call_list::CardCell;
use crate::components::format;
use crate::context::Dispatch;
use crate::intent::Intent;
use gws_client::CallEntry;
use gws_protocol::{Call, CallState, CallType, Operation};
use leptos::prelude::*;

/// The supervisor's monitoring mode, read from what the server lets them switch to (seed 003:
/// in ListenIn the call offers `SwitchToBargeIn`, in BargeIn `SwitchToListenIn`, in Coach both).
pub fn monitoring_mode(call: &Call) -> Option<&'static str> {
    let to_listen = call.can(&Operation::SwitchToListenIn);
    let to_barge = call.can(&Operation::SwitchToBargeIn);
    match (to_listen, to_barge) {
        (false, true) => Some("Listening in"),
        (true, false) => Some("Barged in"),
        (true, true) => Some("Coaching"),
        (false, false) => None,
    }
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
    // Row-owned (Copy) handles over the card's own signals.
    let clock = Signal::derive(move || now.get());

    let entry = {
        let card = card.clone();
        Memo::new(move |_| Some(card.with(|v| v.entry.clone())))
    };
    let actions = {
        let card = card.clone();
        Memo::new(move |_| card.with(|v| v.actions.clone()))
    };
    let offline = Signal::derive(move || !card.with(|v| v.connected));
    let with_entry = move |f: fn(&CallEntry) -> String| {
        move || entry.with(|e| e.as_ref().map(f).unwrap_or_default())
    };
    let with_call = move |f: fn(&Call) -> Option<String>| {
        move || entry.with(|e| e.as_ref().and_then(|e| f(&e.call)))
    };

    let pending =
        Signal::derive(move || entry.with(|e| e.as_ref().and_then(|e| e.pending.clone())));
    let state = with_entry(|e| e.call.state.as_str().to_string());
    let class = move || {
        let modifier = entry.with(|e| {
            e.as_ref()
                .map(|e| e.call.state.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        });
        let modifier: String = modifier
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        format!(
            "gws-card gws-card--{modifier}{}",
            if consult { " gws-card--consult" } else { "" }
        )
    };
    let call_type = with_call(|c| c.call_type.as_ref().map(CallType::to_string));
    let parties = with_entry(|e| format::parties(&e.call));
    let numbers = with_entry(|e| {
        e.call
            .participants
            .iter()
            .filter(|p| p.display() != p.number())
            .map(|p| p.number().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    });
    let dnis = with_call(|c| c.dnis.clone());
    let ani = with_call(|c| c.ani.clone());
    let timer = move || {
        let now = clock.get();
        entry.with(|e| {
            e.as_ref()
                .map(|e| format::duration(e.elapsed_secs(now)))
                .unwrap_or_default()
        })
    };
    let hold_timer = move || {
        let now = clock.get();
        entry.with(|e| {
            e.as_ref()
                .and_then(|e| e.held_secs(now))
                .map(format::duration)
        })
    };
    let muted = move || entry.with(|e| e.as_ref().is_some_and(|e| e.call.is_muted()));
    let recording = with_call(|c| c.recording_state.clone().filter(|s| s != "Stopped"));
    let mode = with_call(|c| monitoring_mode(c).map(str::to_string));
    let monitored = move || {
        entry.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.call.supervisor_listening_in == Some(true))
        })
    };
    let user_data = move || {
        entry.with(|e| {
            e.as_ref()
                .and_then(|e| e.call.user_data.clone())
                .map(|data| {
                    data.into_iter()
                        .map(|(key, value)| {
                            let text = match value {
                                serde_json::Value::String(text) => text,
                                other => other.to_string(),
                            };
                            (key, text)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let error = move || entry.with(|e| e.as_ref().and_then(|e| e.error.clone()));
    let released = move || {
        entry.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.call.state == CallState::Released)
        })
    };
    let dismiss = {
        let (dispatch, id) = (dispatch.clone(), id.clone());
        move |_| {
            dispatch.run(Intent::DismissError {
                call_id: id.clone(),
            })
        }
    };
    let label = {
        let kind = if consult { "Consult call" } else { "Call" };
        move || format!("{kind} with {}, {}", parties(), state())
    };

    let bar_id = id.clone();
    view! {
        <article class=class data-testid="call-card" data-call-id=id data-state=state aria-label=label>
            <header class="gws-card__header">
                <span class="gws-card__state" data-testid="call-state">{state}</span>
                <span class="gws-card__type" data-testid="call-type">{move || call_type().unwrap_or_default()}</span>
                <span class="gws-card__timer" data-testid="call-timer" aria-label="Call duration">{timer}</span>
            </header>
            <div class="gws-card__parties" data-testid="call-parties">{parties}</div>
            <div class="gws-card__meta">
                <Show when=move || !numbers().is_empty()>
                    <span data-testid="call-numbers">{numbers}</span>
                </Show>
                <Show when=move || dnis().is_some()>
                    <span data-testid="call-dnis">"DNIS " {move || dnis().unwrap_or_default()}</span>
                </Show>
                <Show when=move || ani().is_some()>
                    <span data-testid="call-ani">"ANI " {move || ani().unwrap_or_default()}</span>
                </Show>
            </div>
            <div class="gws-card__flags">
                <Show when=move || hold_timer().is_some()>
                    <span class="gws-flag gws-flag--held" data-testid="hold-timer">
                        "On hold " {move || hold_timer().unwrap_or_default()}
                    </span>
                </Show>
                <Show when=muted>
                    <span class="gws-flag gws-flag--muted" data-testid="muted">"Muted"</span>
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
                    <span class="gws-flag" data-testid="supervised">"Supervisor listening"</span>
                </Show>
            </div>
            <Show when=move || !user_data().is_empty()>
                <dl class="gws-card__data" data-testid="user-data" aria-label="Attached data">
                    <For each=user_data key=|pair| pair.clone() let((key, value))>
                        <div class="gws-card__pair">
                            <dt>{key}</dt>
                            <dd>{value}</dd>
                        </div>
                    </For>
                </dl>
            </Show>
            <Show when=move || error().is_some()>
                <div class="gws-card__error" data-testid="call-error" role="alert">
                    <span>{move || error().unwrap_or_default()}</span>
                    <button type="button" class="gws-btn gws-btn--link" aria-label="Dismiss error" on:click=dismiss.clone()>
                        "×"
                    </button>
                </div>
            </Show>
            <Show when=move || !released()>
                <ActionBar call_id=bar_id.clone() actions=actions pending=pending offline=offline/>
            </Show>
        </article>
    }
}
