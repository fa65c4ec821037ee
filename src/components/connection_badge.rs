//! `<ConnectionBadge/>`: tells the agent whether notifications are flowing. A silent dead loop
//! is how agents miss calls, so the state is always visible, in text, not only colour.

use crate::context::{ClockContext, ConnectionContext, Dispatch};
use crate::intent::Intent;
use gws_client::ConnectionState;
use leptos::prelude::*;

/// The connection badge (`data-testid="connection"`, `data-state` = the state name).
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let ConnectionContext(connection) = ConnectionContext::expect();
    let ClockContext(clock) = ClockContext::expect();
    let dispatch = Dispatch::expect();
    let state_name = move || connection.with(|s| s.as_str());
    let label = move || match connection.get() {
        ConnectionState::Connecting => "Connecting…".to_string(),
        ConnectionState::Connected => "Connected".to_string(),
        ConnectionState::Reconnecting {
            retry_at: Some(at), ..
        } => {
            let secs = at.saturating_sub(clock.get()).div_ceil(1000);
            if secs > 0 {
                format!("Reconnecting in {secs} s")
            } else {
                "Reconnecting…".to_string()
            }
        }
        ConnectionState::Reconnecting { retry_at: None, .. } => "Reconnecting…".to_string(),
        ConnectionState::Offline => "Offline".to_string(),
        ConnectionState::Disconnected => "Disconnected".to_string(),
    };
    let can_retry = move || matches!(connection.get(), ConnectionState::Reconnecting { .. });
    view! {
        <div class="gws-connection" data-testid="connection" data-state=state_name role="status" aria-live="polite">
            <span class="gws-connection__dot" aria-hidden="true"></span>
            <span class="gws-connection__label">{label}</span>
            <Show when=can_retry>
                <button
                    type="button"
                    class="gws-btn gws-btn--link"
                    data-testid="retry-now"
                    on:click={
                        let dispatch = dispatch.clone();
                        move |_| dispatch.run(Intent::RetryConnection)
                    }
                >
                    "Retry now"
                </button>
            </Show>
        </div>
    }
}
