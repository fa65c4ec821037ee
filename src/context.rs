//! Context newtypes. Each wraps a `Copy` signal (or a sender), so components can read them with
//! `X::expect()` and a missing provider fails loudly at mount time, not with a wrong value later.

use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::{CallsStore, ConnectionState};
use leptos::prelude::*;

/// The calls of this widget.
#[derive(Debug, Clone, Copy)]
pub struct CallsContext(pub RwSignal<CallsStore>);

/// The notification connection state.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionContext(pub RwSignal<ConnectionState>);

/// A clock (ms, same origin as the drivers' `now`) ticking once a second, for call timers.
#[derive(Debug, Clone, Copy)]
pub struct ClockContext(pub RwSignal<u64>);

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
expect_impl!(CallsContext, ConnectionContext, ClockContext, Dispatch);

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
