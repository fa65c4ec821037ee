//! View components: one exported component per file. They read contexts and emit intents; they
//! never perform I/O.
//!
//! Layout:
//! - [`connection_badge`]: `<ConnectionBadge/>`, the notification connection state.
//! - [`call_list`]: `<CallList/>`, one card per call.
//! - [`call_card`]: `<CallCard/>`, state, parties, timer, errors and controls of one call.
//! - [`action_bar`]: `<ActionBar/>`, the buttons for a call's capabilities.
//! - [`format`]: small text helpers shared by components (not a component).

pub mod action_bar;
pub mod call_card;
pub mod call_list;
pub mod connection_badge;
pub mod format;
