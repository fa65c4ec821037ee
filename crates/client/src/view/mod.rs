//! View models: what the widget shows, as plain data computed from the stores.
//!
//! The Leptos components only bind these to the DOM. Keeping the display decisions here (which
//! calls group under which, what a card or the agent bar says, the reconnect countdown, which
//! call a host's `answer()` acts on) makes them native millisecond tests instead of browser
//! tests, and leaves one copy of each rule for the components, the embed API and the app.
//!
//! Layout:
//! - [`text`]: durations and party names as shown.
//! - [`grouping`]: top-level calls and the consult calls shown under their parent.
//! - [`card`]: `CardView` (what the list hands a card) and `CardContent` (what a card says).
//! - [`action_form`]: the options a call operation's form offers and the request it makes.
//! - [`agent_bar`]: `AgentBarView`, the agent, their state choices and device controls.
//! - [`connection`]: the connection badge and the retry countdown (`retry_in_ms`).
//! - [`pick`]: which call a host's `answer()` / `hangup()` acts on.
//! - [`recent`]: the rows of the recent-calls list.
//! - [`voice_login`]: the agent bar's *Log in* / *Log out* control.

pub mod action_form;
pub mod agent_bar;
pub mod card;
pub mod connection;
pub mod grouping;
pub mod pick;
pub mod recent;
pub mod text;
pub mod voice_login;

pub use agent_bar::{AgentBarView, StateChoice};
pub use card::{CardContent, CardView, card_view};
pub use connection::{RetryCountdown, retry_in_ms};
pub use grouping::{consult_ids, root_ids};
pub use pick::{PickError, pick_call};

/// Stores for the view tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::store::CallsStore;
    use gws_protocol::Call;

    /// A store holding `calls` in order, as after the start-up snapshot at time 0.
    pub(crate) fn store_with(calls: impl IntoIterator<Item = Call>) -> CallsStore {
        let mut store = CallsStore::new();
        store.reconcile(0, 0, calls.into_iter().collect());
        store
    }
}
