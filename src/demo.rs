//! The demo page: a simulator console (inject a call, reset) beside an agent widget.
//!
//! `index.html?user=…&password=…&base=…` picks the agent and server (defaults: `agent1` /
//! `agent1` on the page's own origin, which is how `gws-sim` serves it).

use crate::app::AgentWidget;
use crate::config::WidgetConfig;
use crate::drivers::sim_control;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Reads a query parameter of the page URL.
fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

/// The demo page.
#[component]
pub fn Demo() -> impl IntoView {
    let base = query_param("base").unwrap_or_default();
    let user = query_param("user").unwrap_or_else(|| "agent1".into());
    let password = query_param("password").unwrap_or_else(|| user.clone());
    let config = WidgetConfig::new(&base, &user, &password);

    let from = RwSignal::new("5000".to_string());
    let to = RwSignal::new("5005".to_string());
    let status = RwSignal::new(String::new());
    let inject = {
        let base = base.clone();
        move |_| {
            let base = base.clone();
            let (from, to) = (from.get_untracked(), to.get_untracked());
            spawn_local(async move {
                let text = match sim_control::inject_call(&base, &from, &to, None).await {
                    Ok(id) => format!("Call {id} from {from} ringing on {to}"),
                    Err(error) => format!("Could not inject the call: {error}"),
                };
                status.try_set(text);
            });
        }
    };
    let reset = move |_| {
        let base = base.clone();
        spawn_local(async move {
            let text = match sim_control::reset(&base).await {
                Ok(()) => "Simulator reset".to_string(),
                Err(error) => format!("Reset failed: {error}"),
            };
            status.try_set(text);
        });
    };

    view! {
        <main class="gws-demo">
            <h1 class="gws-demo__title">"gws-widget demo"</h1>
            <section class="gws-console" aria-label="Simulator console">
                <h2>"Simulator"</h2>
                <label>
                    "From "
                    <input
                        data-testid="inject-from"
                        prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "To "
                    <input
                        data-testid="inject-to"
                        prop:value=move || to.get()
                        on:input=move |ev| to.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" class="gws-btn gws-btn--primary" data-testid="inject-call" on:click=inject>
                    "Inject inbound call"
                </button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="sim-reset" on:click=reset>
                    "Reset"
                </button>
                <p class="gws-console__status" role="status">{move || status.get()}</p>
            </section>
            <AgentWidget config=config/>
        </main>
    }
}
