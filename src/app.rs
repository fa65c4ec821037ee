//! `<AgentWidget/>`: owns the state, provides the contexts, starts the drivers, maps intents to
//! REST calls.
//!
//! Data flow: server → (notification loop | snapshot) → `CallsStore` reducer → signals → view.
//! View → `Intent` → REST. The HTTP reply to an operation never touches call state; it only
//! marks the call pending (or shows the error).

use crate::components::call_list::CallList;
use crate::components::connection_badge::ConnectionBadge;
use crate::config::WidgetConfig;
use crate::context::{CallsContext, ClockContext, ConnectionContext, Dispatch};
use crate::drivers::clock::now_ms;
use crate::drivers::notifications::{LoopCommand, LoopHandle, run_notification_loop};
use crate::drivers::rest::RestClient;
use crate::intent::Intent;
use crate::log;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use gloo_timers::future::TimeoutFuture;
use gws_client::{CallsStore, ConnectionState, Event};
use gws_protocol::api::{CallsResponse, DevicesResponse, MeResponse};
use gws_protocol::{CALLS_CHANNEL, DEVICES_CHANNEL, Device, Notification};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long a released call stays on screen before moving to the recent list.
pub const RELEASED_LINGER_MS: u64 = 5_000;
/// How long a clicked button may stay pending without any notification before we say so.
pub const PENDING_TIMEOUT_MS: u32 = 15_000;

/// The agent's identity as shown in the header.
#[derive(Debug, Clone, Default, PartialEq)]
struct Agent {
    name: String,
    device: Option<Device>,
}

/// The widget for one agent.
#[component]
pub fn AgentWidget(
    /// Server and credentials.
    config: WidgetConfig,
) -> impl IntoView {
    let calls = RwSignal::new(CallsStore::new());
    let connection = RwSignal::new(ConnectionState::Connecting);
    let clock = RwSignal::new(now_ms());
    let agent = RwSignal::new(Agent::default());
    let (intent_tx, intent_rx) = unbounded::<Intent>();

    provide_context(CallsContext(calls));
    provide_context(ConnectionContext(connection));
    provide_context(ClockContext(clock));
    provide_context(Dispatch::new(intent_tx));

    let rest = RestClient::new(&config.base_url, &config.username, &config.password);

    let (notification_loop, loop_commands) = LoopHandle::new();
    on_cleanup({
        let notification_loop = notification_loop.clone();
        move || notification_loop.send(LoopCommand::Stop)
    });
    spawn_local(start(rest.clone(), calls, connection, agent, loop_commands));
    spawn_local(run_intents(rest, calls, intent_rx, notification_loop));

    if let Ok(tick) = set_interval_with_handle(
        move || {
            let now = now_ms();
            clock.set(now);
            if calls.with_untracked(|store| store.entries().iter().any(|e| e.released_at.is_some()))
            {
                calls.update(|store| {
                    store.retire_released(now, RELEASED_LINGER_MS);
                });
            }
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }

    let name = move || agent.with(|a| a.name.clone());
    let dn = move || {
        agent.with(|a| {
            a.device
                .as_ref()
                .and_then(|d| d.phone_number.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="gws-widget" data-testid="agent-widget" aria-label="Call control">
            <header class="gws-widget__header">
                <div class="gws-widget__agent">
                    <span class="gws-widget__name" data-testid="agent-name">{name}</span>
                    <span class="gws-widget__dn" data-testid="agent-dn">{dn}</span>
                </div>
                <ConnectionBadge/>
            </header>
            <CallList/>
        </section>
    }
}

/// Start-up: who am I (also obtains the session cookie and CSRF token), then the notification
/// loop. The call and device snapshot is re-read (and reconciled) whenever the loop connects,
/// re-handshakes or the page resumes, so nothing published while we were away stays missed.
async fn start(
    rest: RestClient,
    calls: RwSignal<CallsStore>,
    connection: RwSignal<ConnectionState>,
    agent: RwSignal<Agent>,
    loop_commands: UnboundedReceiver<LoopCommand>,
) {
    let mut attempt: u32 = 0;
    let me = loop {
        match rest
            .get_json::<MeResponse>("/api/v2/me?subresources=*")
            .await
        {
            Ok(me) => break me,
            Err(error) => {
                attempt += 1;
                log::warn(&format!("gws-widget: cannot load the agent: {error}"));
                let retry_at = now_ms() + u64::from(attempt.min(30)) * 1000;
                connection.set(ConnectionState::Reconnecting {
                    attempt,
                    retry_at: Some(retry_at),
                });
                TimeoutFuture::new(attempt.min(30) * 1000).await;
                if connection.try_get_untracked().is_none() {
                    return; // unmounted meanwhile
                }
            }
        }
    };
    if agent
        .try_set(Agent {
            name: me.user.display_name(),
            device: me.user.devices.first().cloned(),
        })
        .is_some()
    {
        return; // unmounted meanwhile
    }

    let resync_rest = rest.clone();
    let resync = move || {
        let rest = resync_rest.clone();
        spawn_local(async move {
            match rest
                .get_json::<CallsResponse>("/api/v2/me/calls?fields=*")
                .await
            {
                Ok(snapshot) => {
                    calls.try_update(|store| {
                        store.replace(now_ms(), snapshot.calls);
                    });
                }
                Err(error) => log::warn(&format!("gws-widget: cannot read calls: {error}")),
            }
            match rest
                .get_json::<DevicesResponse>("/api/v2/me/devices?fields=*")
                .await
            {
                Ok(snapshot) => {
                    let mine = agent
                        .try_with_untracked(|a| a.device.as_ref().map(|d| d.id.clone()))
                        .flatten();
                    if let Some(device) = snapshot
                        .devices
                        .into_iter()
                        .find(|d| Some(&d.id) == mine.as_ref())
                    {
                        agent.try_update(|a| a.device = Some(device));
                    }
                }
                Err(error) => log::warn(&format!("gws-widget: cannot read devices: {error}")),
            }
        });
    };

    let channels = [CALLS_CHANNEL, DEVICES_CHANNEL];
    run_notification_loop(rest, &channels, loop_commands, move |event| match event {
        Event::StateChanged(state) => {
            let was_connected = connection.try_with_untracked(|s| *s == ConnectionState::Connected);
            let now_connected = state == ConnectionState::Connected;
            connection.try_set(state);
            if now_connected && was_connected == Some(false) {
                resync();
            }
        }
        Event::ResyncNeeded => resync(),
        Event::Message { channel, data } => match Notification::from_data(&data) {
            Ok(Notification::Call(notification)) => {
                calls.try_update(|store| {
                    store.apply(now_ms(), &notification);
                });
            }
            Ok(Notification::Device(update)) => {
                let mine = agent.with_untracked(|a| a.device.as_ref().map(|d| d.id.clone()));
                if let Some(device) = update
                    .devices
                    .into_iter()
                    .find(|d| Some(&d.id) == mine.as_ref())
                {
                    agent.try_update(|a| a.device = Some(device));
                }
            }
            Ok(Notification::Error(error)) => {
                let shown = calls
                    .try_update(|store| store.apply_error(&error))
                    .flatten();
                if shown.is_none() {
                    log::warn(&format!("gws-widget: server error on {channel}: {error:?}"));
                }
            }
            Ok(Notification::Other { message_type }) => {
                log::info(&format!("gws-widget: ignoring {message_type} on {channel}"))
            }
            Err(error) => log::warn(&format!(
                "gws-widget: skipped a notification on {channel}: {error}"
            )),
        },
        Event::SubscriptionFailed { channel, error } => log::warn(&format!(
            "gws-widget: subscription to {channel} refused: {error}"
        )),
        Event::Unauthorized { status } => log::warn(&format!(
            "gws-widget: notifications refused (HTTP {status})"
        )),
        Event::Malformed(error) => {
            log::warn(&format!("gws-widget: skipped malformed data: {error}"))
        }
    })
    .await;
}

/// Executes intents one by one. Operations go out only if the store accepts them as pending
/// (double-click guard); failures land on the card; a pending state with no notification for
/// [`PENDING_TIMEOUT_MS`] becomes an error too.
async fn run_intents(
    rest: RestClient,
    calls: RwSignal<CallsStore>,
    mut intents: UnboundedReceiver<Intent>,
    notification_loop: LoopHandle,
) {
    while let Some(intent) = intents.next().await {
        match intent {
            Intent::CallOperation { call_id, request } => {
                let operation = request.operation_name.clone();
                let accepted = calls
                    .try_update(|store| store.mark_pending(&call_id, operation.clone()))
                    .unwrap_or(false);
                if !accepted {
                    continue;
                }
                let rest = rest.clone();
                spawn_local(async move {
                    let path = format!("/api/v2/me/calls/{}", encode_path_segment(&call_id));
                    match rest.post_json(&path, request.as_ref()).await {
                        Ok(_) => {
                            TimeoutFuture::new(PENDING_TIMEOUT_MS).await;
                            let still_pending = calls
                                .try_with_untracked(|store| {
                                    store.get(&call_id).and_then(|e| e.pending.clone())
                                        == Some(operation.clone())
                                })
                                .unwrap_or(false);
                            if still_pending {
                                calls.try_update(|store| {
                                    store.operation_failed(
                                        &call_id,
                                        format!("{operation}: no confirmation from the server yet"),
                                    )
                                });
                            }
                        }
                        Err(error) => {
                            let _ = calls.try_update(|store| {
                                store.operation_failed(&call_id, error.to_string())
                            });
                        }
                    }
                });
            }
            Intent::RetryConnection => notification_loop.send(LoopCommand::RetryNow),
            Intent::DismissError { call_id } => {
                calls.try_update(|store| store.dismiss_error(&call_id));
            }
        }
    }
}

/// Percent-encodes a call id for use as one URL path segment (ids are opaque server data).
fn encode_path_segment(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
