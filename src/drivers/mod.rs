//! The only code that performs I/O or reads the clock.
//!
//! Layout:
//! - [`clock`]: `now_ms()`, the one clock of the widget.
//! - [`deadline`]: one timer armed for a state machine's next deadline.
//! - [`credentials`]: the configured credentials, or the host's provider called.
//! - [`rest`]: `RestClient`: one-shot fetches with auth, CSRF and timeouts.
//! - [`notifications`]: the CometD loop pumping `gws_client::BayeuxClient` over fetch.
//! - [`scheduler`]: sleeps on a worker timer, immune to background-tab throttling.
//! - [`click_to_dial`]: `data-gws-dial` elements of the host page.
//! - [`tabs`]: one notification loop per browser (Web Locks leader + BroadcastChannel).
//! - [`keyboard`]: the Alt+A / Alt+H shortcuts.
//! - [`page_lifecycle`]: visibility, network and pagehide signals; RAII event listeners.

pub mod click_to_dial;
pub mod clock;
pub mod credentials;
pub mod deadline;
pub mod keyboard;
pub mod notifications;
pub mod page_lifecycle;
pub mod rest;
pub mod scheduler;
pub mod tabs;

use crate::config::WidgetConfig;
use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::CallsStore;
use leptos::prelude::*;

/// Listens to the host page as `config` asks (keyboard shortcuts, `data-gws-dial` clicks; a
/// clicked number that cannot be dialled goes to `refused`) while the current reactive owner
/// lives.
pub fn watch_host_page(
    config: &WidgetConfig,
    calls: RwSignal<CallsStore>,
    intents: UnboundedSender<Intent>,
    refused: impl Fn(gws_client::NumberError) + 'static,
) {
    let mut listeners = Vec::new();
    if config.shortcuts {
        listeners.extend(keyboard::watch_shortcuts(calls, intents.clone()));
    }
    if config.click_to_dial {
        listeners.extend(click_to_dial::watch_click_to_dial(intents, refused));
    }
    let listeners = send_wrapper::SendWrapper::new(listeners);
    on_cleanup(move || drop(listeners));
}
