//! The demo page: a simulator console beside agent widgets.
//!
//! Without parameters it shows agent1 (DN 5005), agent2 (DN 5001) and supervisor1 (DN 5010)
//! side by side, so a person can play the seed scenarios with the mouse (answer, consult
//! transfer to 5001, agent2 answers, complete…). `?user=…&password=…` shows one widget;
//! `&base=http://host:port` points everything at another server.

use crate::app::AgentWidget;
use crate::config::WidgetConfig;
use crate::drivers::sim_control;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Value, json};

/// Reads a query parameter of the page URL.
fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

/// Where injected calls can go.
const TARGETS: [(&str, &str); 4] = [
    ("5005", "agent1 — 5005"),
    ("5001", "agent2 — 5001"),
    ("5010", "supervisor1 — 5010"),
    ("queue", "the queue"),
];

/// The demo page.
#[component]
pub fn Demo() -> impl IntoView {
    let base = query_param("base").unwrap_or_default();
    let widgets: Vec<WidgetConfig> = match query_param("user") {
        Some(user) => {
            let password = query_param("password").unwrap_or_else(|| user.clone());
            vec![WidgetConfig::new(&base, &user, &password)]
        }
        None => vec![
            WidgetConfig::new(&base, "agent1", "agent1"),
            WidgetConfig::new(&base, "agent2", "agent2").with_shortcuts(false),
            WidgetConfig::new(&base, "supervisor1", "supervisor1").with_shortcuts(false),
        ],
    };
    let widgets = widgets
        .into_iter()
        .map(|config| view! { <div class="gws-demo__widget"><AgentWidget config=config/></div> })
        .collect_view();
    view! {
        <main class="gws-demo">
            <h1 class="gws-demo__title">"gws-widget demo"</h1>
            <SimConsole base=base/>
            <div class="gws-demo__widgets">{widgets}</div>
        </main>
    }
}

/// The simulator console: inject calls, reset, inject faults. Demo-only; talks to `/sim`.
#[component]
fn SimConsole(
    /// Simulator root (empty = same origin).
    base: String,
) -> impl IntoView {
    let from = RwSignal::new("5000".to_string());
    let to = RwSignal::new("5005".to_string());
    let with_data = RwSignal::new(true);
    let status = RwSignal::new(String::new());
    let run = move |path: &'static str, body: Value, done: &'static str| {
        let base = base.clone();
        spawn_local(async move {
            let text = match sim_control::post(&base, path, &body).await {
                Ok(reply) => match reply.get("id").and_then(Value::as_str) {
                    Some(id) => format!("{done}: {id}"),
                    None => done.to_string(),
                },
                Err(error) => format!("Failed: {error}"),
            };
            status.try_set(text);
        });
    };
    let inject = {
        let run = run.clone();
        move |_| {
            let mut body = json!({ "from": from.get_untracked(), "to": to.get_untracked() });
            if with_data.get_untracked() {
                body["userData"] = json!({ "CustomerId": "C-1042", "CustomerName": "Ada Lovelace", "Segment": "Gold" });
            }
            run("/sim/calls", body, "Call injected")
        }
    };
    let simple = move |path: &'static str, body: Value, done: &'static str| {
        let run = run.clone();
        move |_| run(path, body.clone(), done)
    };
    let options = TARGETS
        .iter()
        .map(|(value, label)| view! { <option value=*value>{*label}</option> })
        .collect_view();
    view! {
        <section class="gws-console" aria-label="Simulator console">
            <h2>"Simulator"</h2>
            <label>
                "From "
                <input data-testid="inject-from" inputmode="tel" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
            </label>
            <label>
                "To "
                <select data-testid="inject-to" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))>
                    {options}
                </select>
            </label>
            <label class="gws-console__check">
                <input type="checkbox" prop:checked=move || with_data.get() on:change=move |ev| with_data.set(event_target_checked(&ev))/>
                "Attach customer data"
            </label>
            <button type="button" class="gws-btn gws-btn--primary" data-testid="inject-call" on:click=inject>
                "Inject inbound call"
            </button>
            <div class="gws-console__row">
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="sim-reset" on:click=simple("/sim/reset", json!({}), "Simulator reset")>
                    "Reset"
                </button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="fault-expire" on:click=simple("/sim/faults", json!({"expireSessions": true}), "CometD sessions expired")>
                    "Expire sessions"
                </button>
                <button type="button" class="gws-btn gws-btn--secondary" data-testid="fault-restart" on:click=simple("/sim/faults", json!({"restartCometd": true}), "CometD restarted")>
                    "Restart CometD"
                </button>
            </div>
            <p class="gws-console__status" role="status" data-testid="console-status">{move || status.get()}</p>
        </section>
    }
}
