//! `<ConnectionBadge/>`: tells the agent whether notifications are flowing. A silent dead loop
//! is how agents miss calls, so the state is always visible, in text, not only colour. The words
//! and the countdown are `gws_client::view::connection`'s.

use crate::context::{ClockContext, ConnectionContext, Dispatch, I18nContext};
use crate::focus;
use crate::intent::Intent;
use gws_client::Key;
use gws_client::view::connection::{badge_label, can_retry_now, can_sign_in, status_label};
use leptos::prelude::*;

/// The connection badge (`data-testid="connection"`, `data-state` = the state name).
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let ConnectionContext(connection) = ConnectionContext::expect();
    let ClockContext(clock) = ClockContext::expect();
    let dispatch = Dispatch::expect();
    let i18n = I18nContext::expect();
    let state_name = move || connection.with(|s| s.as_str());
    // A memo, so the label's text node changes only when the words do, not on every tick.
    let label = Memo::new(move |_| {
        let now = clock.get();
        i18n.0
            .with(|catalog| connection.with(|state| badge_label(state, now, catalog)))
    });
    // What a screen reader hears: the state, once per change — not the countdown.
    let status = Memo::new(move |_| {
        i18n.0
            .with(|catalog| connection.with(|state| status_label(state, catalog)))
    });
    let can_retry = move || connection.with(can_retry_now);
    let signed_out = move || connection.with(can_sign_in);
    let sign_in = dispatch.clone();
    focus::keep_focus();
    view! {
        // "Retry now" and "Sign in" go once used: the focus stays on the badge, whose status
        // is what the agent wants to hear next.
        <div
            class="gws-connection"
            data-testid="connection"
            data-state=state_name
            tabindex="-1"
            data-gws-focus=focus::KEEP
        >
            <span class="gws-connection__dot" aria-hidden="true"></span>
            // Seen, with the countdown; the live region beside it is what is read out.
            <span class="gws-connection__label" aria-hidden="true">{move || label.get()}</span>
            <span class="gws-visually-hidden" data-testid="connection-status" role="status" aria-live="polite">
                {move || status.get()}
            </span>
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
                    {i18n.text(Key::ConnRetryNow)}
                </button>
            </Show>
            <Show when=signed_out>
                <button
                    type="button"
                    class="gws-btn gws-btn--link"
                    data-testid="sign-in"
                    on:click={
                        let sign_in = sign_in.clone();
                        move |_| sign_in.run(Intent::SignIn)
                    }
                >
                    {i18n.text(Key::ConnSignIn)}
                </button>
            </Show>
        </div>
    }
}
