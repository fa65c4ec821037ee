//! `<VoiceLogin/>`: the agent bar's *Log in* / *Log out* control. Logging out with a call live
//! asks for confirmation first. What it offers is `gws_client::view::voice_login`'s; the login
//! state changes when the device notification (or, after a logout, the device read) says so.

use crate::components::format;
use crate::context::{AgentContext, CallsContext, Dispatch, I18nContext};
use crate::focus;
use crate::intent::Intent;
use gws_client::Key;
use gws_client::view::voice_login::{LoginControl, VoiceLoginView};
use leptos::prelude::*;

/// The login control (`data-testid="voice-login"`).
#[component]
pub fn VoiceLogin() -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let CallsContext(calls) = CallsContext::expect();
    let dispatch = Dispatch::expect();
    let login = Memo::new(move |_| agent.with(|a| calls.with(|c| VoiceLoginView::of(a, c))));
    let i18n = I18nContext::expect();
    let confirming = RwSignal::new(false);
    let question_id = format::unique_id("logout-question");
    let run = move |intent: Intent| {
        let dispatch = dispatch.clone();
        move |_| {
            confirming.set(false);
            dispatch.run(intent.clone());
        }
    };
    let click = {
        let (log_in, log_out) = (run(Intent::LogIn), run(Intent::LogOut));
        move |event: leptos::ev::MouseEvent| match login.get_untracked() {
            // `aria-disabled` while busy (it keeps the focus): the click still arrives.
            view if view.busy() => {}
            view if view.control == LoginControl::LogIn => log_in(event),
            // The confirmation is an alertdialog: it takes the focus on its safe choice
            // (Cancel; Escape presses it), and when it closes the agent bar gives the focus
            // back to this button (`crate::focus`).
            view if view.confirm_logout => {
                confirming.set(true);
                focus::autofocus_soon(&event, focus::OPENED_DIALOG);
            }
            _ => log_out(event),
        }
    };
    let operation = move || login.with(|l| l.operation());
    view! {
        <Show when=move || operation().is_some()>
            <button
                type="button"
                class="gws-btn gws-btn--secondary"
                data-testid="voice-login"
                data-action=move || operation().map(|o| o.as_str().to_string())
                aria-busy=move || login.with(|l| l.busy()).to_string()
                aria-disabled=move || login.with(|l| l.busy()).to_string()
                on:click=click.clone()
            >
                {move || operation().map(|o| i18n.0.with(|c| gws_client::label(&o, c)))}
            </button>
        </Show>
        <Show when=move || confirming.get()>
            <div
                class="gws-agent__confirm"
                data-testid="logout-confirm"
                role="alertdialog"
                aria-label=i18n.text(Key::LogoutConfirmLabel)
                aria-describedby=question_id.clone()
            >
                // Its question is read with its name when the dialog takes the focus.
                <span id=question_id.clone()>{i18n.text(Key::LogoutConfirm)}</span>
                // Not a `data-action`: it is no server operation, and the agent bar's focus keeping
                // counts the operation buttons.
                <button type="button" class="gws-btn gws-btn--danger" data-testid="logout-yes" on:click=run(Intent::LogOut)>{i18n.text(Key::OpLogOut)}</button>
                <button
                    type="button"
                    class="gws-btn gws-btn--link"
                    data-testid="logout-cancel"
                    data-gws-cancel
                    data-gws-autofocus
                    on:click=move |_| confirming.set(false)
                >
                    {i18n.text(Key::Cancel)}
                </button>
            </div>
        </Show>
    }
}
