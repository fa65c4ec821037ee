//! `gws-widget`: a browser call-control widget for Genesys Web Services API v2 (voice), written
//! in Rust with Leptos (CSR) and compiled to WebAssembly.
//!
//! The widget obeys the server: a card's buttons are the call's `capabilities`; an operation's
//! HTTP 200 only marks the button pending; the card changes when the CometD notification arrives.
//!
//! Layout:
//! - [`app`]: `<AgentWidget/>`, which owns the state signals, provides the contexts and starts
//!   the drivers.
//! - [`config`]: what a widget instance needs to connect (`WidgetConfig`).
//! - [`context`]: context newtypes read by components (`CallsContext`, `ConnectionContext`,
//!   `ClockContext`, `Dispatch`).
//! - [`intent`]: what components ask for (`Intent`); the app maps intents to REST calls.
//! - [`components`]: one exported component per file; they render and emit intents, no I/O.
//! - [`drivers`]: the only code doing I/O or reading the clock: REST, the CometD loop, the
//!   simulator control API of the demo.
//! - [`demo`]: the demo page (`index.html`): simulator console + widget.
//! - [`error`]: `ApiError`, with messages fit for an agent.
//! - [`log`]: console logging helpers.

pub mod app;
pub mod components;
pub mod config;
pub mod context;
pub mod demo;
pub mod drivers;
pub mod error;
pub mod intent;
pub mod log;

pub use app::AgentWidget;
pub use config::WidgetConfig;

use wasm_bindgen::prelude::*;

/// Mounts the demo page into the element with id `gws-demo` (or `<body>`): the simulator
/// console and one widget, configured from `?user=…&password=…&base=…`.
#[wasm_bindgen(js_name = startDemo)]
pub fn start_demo() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let target = document
        .get_element_by_id("gws-demo")
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        .or_else(|| document.body());
    if let Some(target) = target {
        leptos::mount::mount_to(target, demo::Demo).forget();
    }
}
