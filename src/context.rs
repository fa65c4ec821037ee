//! Context newtypes. Each wraps a `Copy` signal (or a sender), so components can read them with
//! `X::expect()` and a missing provider fails loudly at mount time, not with a wrong value later.

use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::{AgentStore, CallsStore, Catalog, ConnectionState, Key, Views, WidgetState};
use leptos::prelude::*;

/// The calls of this widget.
#[derive(Debug, Clone, Copy)]
pub struct CallsContext(pub RwSignal<CallsStore>);

/// The agent and their device.
#[derive(Debug, Clone, Copy)]
pub struct AgentContext(pub RwSignal<AgentStore>);

/// The notification connection state.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionContext(pub RwSignal<ConnectionState>);

/// A clock (ms, same origin as the drivers' `now`) ticking once a second, for call timers.
#[derive(Debug, Clone, Copy)]
pub struct ClockContext(pub RwSignal<u64>);

/// The text of the widget's assertive live region (ringing calls, errors), for screen readers.
#[derive(Debug, Clone, Copy)]
pub struct AnnouncerContext(pub RwSignal<String>);

/// The widget's texts (language + host overrides). A signal: the host may change the
/// language of a mounted widget (`lang` attribute, `setLang()`), and every text follows.
#[derive(Debug, Clone, Copy)]
pub struct I18nContext(pub RwSignal<Catalog>);

impl I18nContext {
    /// The text of `key`, re-read when the language changes: for the widget's long-lived parts
    /// (agent bar, badge, lists), never for a card or a form (see [`I18nContext::now`]).
    pub fn text(self, key: Key) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.0.with(|catalog| catalog.text(key).to_string())
    }

    /// The text of `key` now, untracked: for short-lived parts (forms, and whatever a card
    /// holds). A tracked read would leave a subscriber on this widget-wide signal per part
    /// (`tests/memory_dom.rs`); cards get their texts with their `CardView` instead.
    pub fn now(self, key: Key) -> String {
        self.0
            .with_untracked(|catalog| catalog.text(key).to_string())
    }
}

/// The signals of the three stores a widget's core updates (calls, agent, connection).
pub type StoreSignals = (
    RwSignal<CallsStore>,
    RwSignal<AgentStore>,
    RwSignal<ConnectionState>,
);

/// Runs `step` with the three stores borrowed as the core's [`Views`], then notifies only the
/// signals it changed (a call notification must not re-render the agent bar). `None` once the
/// widget is unmounted (its signals are gone).
pub fn update_views(stores: StoreSignals, step: impl FnOnce(&mut Views<'_>)) -> Option<()> {
    let (calls, agent, connection) = stores;
    let changes = calls.try_update_untracked(|calls| {
        agent.try_update_untracked(|agent| {
            connection.try_update_untracked(|connection| {
                let mut views = Views::new(calls, agent, connection);
                step(&mut views);
                views.changes()
            })
        })
    });
    let changes = changes.flatten().flatten()?;
    changes.calls.then(|| calls.notify());
    changes.agent.then(|| agent.notify());
    changes.connection.then(|| connection.notify());
    Some(())
}

/// Where components send intents.
#[derive(Debug, Clone)]
pub struct Dispatch {
    sender: UnboundedSender<Intent>,
}

macro_rules! expect_impl {
    ($($name:ident),+) => {$(
        impl $name {
            /// The value provided by an enclosing `<AgentWidget/>` (panics at mount without one:
            /// a programming error, never caused by server data).
            pub fn expect() -> Self {
                expect_context::<$name>()
            }
        }
    )+};
}
expect_impl!(
    CallsContext,
    AgentContext,
    ConnectionContext,
    ClockContext,
    AnnouncerContext,
    I18nContext,
    Dispatch
);

impl AnnouncerContext {
    /// Announces `text`, even when it is the text already in the region (the same caller
    /// ringing again, the same error twice). Clearing the region first did not do it: both
    /// writes land before the view updates, which then sees the same text and leaves the DOM —
    /// and the screen reader — alone. A repeat ends with a no-break space instead (silent, but a
    /// change of the region's text), and the next repeat without it.
    pub fn say(&self, text: impl Into<String>) {
        let text = text.into();
        self.0.try_update(|current| {
            *current = if *current == text {
                format!("{text}\u{a0}")
            } else {
                text
            };
        });
    }
}

impl Dispatch {
    /// A dispatcher feeding `sender`.
    pub fn new(sender: UnboundedSender<Intent>) -> Self {
        Dispatch { sender }
    }

    /// Sends an intent (dropped silently if the widget is being torn down).
    pub fn run(&self, intent: Intent) {
        let _ = self.sender.unbounded_send(intent);
    }
}

/// Provides every context a widget's components read, from fresh signals. Returns the signals
/// so the owner (the app, or a DOM test) can drive them. The texts are English; the app sets
/// its catalog into [`I18nContext`] (DOM tests keep English).
pub fn provide_widget_contexts(
    state: WidgetState,
    now: u64,
    sender: UnboundedSender<Intent>,
) -> (
    CallsContext,
    AgentContext,
    ConnectionContext,
    ClockContext,
    AnnouncerContext,
) {
    let contexts = (
        CallsContext(RwSignal::new(state.calls)),
        AgentContext(RwSignal::new(state.agent)),
        ConnectionContext(RwSignal::new(state.connection)),
        ClockContext(RwSignal::new(now)),
        AnnouncerContext(RwSignal::new(String::new())),
    );
    provide_context(contexts.0);
    provide_context(contexts.1);
    provide_context(contexts.2);
    provide_context(contexts.3);
    provide_context(contexts.4);
    provide_context(Dispatch::new(sender));
    provide_context(I18nContext(RwSignal::new(Catalog::default())));
    contexts
}
