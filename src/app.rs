//! `<AgentWidget/>`: owns the state, provides the contexts, starts the drivers, maps intents to
//! REST calls.
//!
//! Data flow: server → (notification loop | snapshot) → `CallsStore` / `AgentStore` reducers →
//! signals → view. View → `Intent` → REST. The HTTP reply to an operation never touches call or
//! device state; it only marks the control pending (or shows the error).

use crate::components::agent_bar::AgentBar;
use crate::components::announcer::Announcer;
use crate::components::call_list::CallList;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::recent_calls::RecentCalls;
use crate::components::supervisor_panel::SupervisorPanel;
use crate::config::WidgetConfig;
use crate::context::{
    AgentContext, AnnouncerContext, CallsContext, ConnectionContext, provide_widget_contexts,
};
use crate::drivers::clock::now_ms;
use crate::drivers::keyboard::watch_shortcuts;
use crate::drivers::notifications::{LoopCommand, LoopHandle, run_notification_loop};
use crate::drivers::rest::RestClient;
use crate::error::ApiError;
use crate::intent::Intent;
use crate::log;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use gloo_timers::future::TimeoutFuture;
use gws_client::{AgentStore, CallsStore, Change, ConnectionState, Event};
use gws_protocol::api::{AgentStatesResponse, CallsResponse, DevicesResponse, MeResponse};
use gws_protocol::{CALLS_CHANNEL, CallState, DEVICES_CHANNEL, Notification, Operation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long a released call stays on screen before moving to the recent list.
pub const RELEASED_LINGER_MS: u64 = 5_000;
/// How long a clicked control may stay pending without any notification before we say so.
pub const PENDING_TIMEOUT_MS: u32 = 15_000;

/// The widget for one agent.
#[component]
pub fn AgentWidget(
    /// Server, credentials and behaviour.
    config: WidgetConfig,
) -> impl IntoView {
    let (intent_tx, intent_rx) = unbounded::<Intent>();
    let (CallsContext(calls), AgentContext(agent), ConnectionContext(connection), clock, announcer) =
        provide_widget_contexts(
            CallsStore::new(),
            AgentStore::new(),
            ConnectionState::Connecting,
            now_ms(),
            intent_tx.clone(),
        );
    let clock = clock.0;

    let rest = RestClient::new(&config.base_url, &config.username, &config.password);
    let (notification_loop, loop_commands) = LoopHandle::new();
    on_cleanup({
        let notification_loop = notification_loop.clone();
        move || notification_loop.send(LoopCommand::Stop)
    });
    let session = Session {
        rest: rest.clone(),
        calls,
        agent,
        connection,
        announcer,
    };
    spawn_local(start(session.clone(), loop_commands));
    spawn_local(run_intents(session, intent_rx, notification_loop));

    if config.shortcuts {
        let listener = send_wrapper::SendWrapper::new(watch_shortcuts(calls, intent_tx));
        on_cleanup(move || drop(listener));
    }

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

    let is_supervisor = move || agent.with(|a| a.user.as_ref().is_some_and(|u| u.is_supervisor()));
    view! {
        <section class="gws-widget" data-testid="agent-widget" aria-label="Call control">
            <header class="gws-widget__header">
                <AgentBar/>
                <ConnectionBadge/>
            </header>
            <Show when=is_supervisor>
                <SupervisorPanel/>
            </Show>
            <CallList/>
            <RecentCalls/>
            <Announcer/>
        </section>
    }
}

/// Everything the drivers of one widget share.
#[derive(Clone)]
struct Session {
    rest: RestClient,
    calls: RwSignal<CallsStore>,
    agent: RwSignal<AgentStore>,
    connection: RwSignal<ConnectionState>,
    announcer: AnnouncerContext,
}

impl Session {
    /// Re-reads calls and devices and reconciles the stores (after a (re)connect or resume).
    fn resync(&self) {
        let (rest, calls, agent) = (self.rest.clone(), self.calls, self.agent);
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
                    agent.try_update(|store| store.replace_devices(&snapshot.devices));
                }
                Err(error) => log::warn(&format!("gws-widget: cannot read devices: {error}")),
            }
        });
    }

    /// Handles one event of the notification loop.
    fn on_event(&self, event: Event) {
        match event {
            Event::StateChanged(state) => {
                let was_connected = self
                    .connection
                    .try_with_untracked(|s| *s == ConnectionState::Connected);
                let now_connected = state == ConnectionState::Connected;
                self.connection.try_set(state);
                if now_connected && was_connected == Some(false) {
                    self.resync();
                }
            }
            Event::ResyncNeeded => self.resync(),
            Event::Message { channel, data } => self.on_notification(&channel, &data),
            Event::SubscriptionFailed { channel, error } => log::warn(&format!(
                "gws-widget: subscription to {channel} refused: {error}"
            )),
            Event::Unauthorized { status } => log::warn(&format!(
                "gws-widget: notifications refused (HTTP {status})"
            )),
            Event::Malformed(error) => {
                log::warn(&format!("gws-widget: skipped malformed data: {error}"))
            }
        }
    }

    fn on_notification(&self, channel: &str, data: &serde_json::Value) {
        match Notification::from_data(data) {
            Ok(Notification::Call(notification)) => {
                let change = self
                    .calls
                    .try_update(|store| store.apply(now_ms(), &notification));
                if change == Some(Change::Added) {
                    self.agent.try_update(AgentStore::call_appeared);
                    if notification.call.state == CallState::Ringing {
                        let from = notification
                            .call
                            .participants
                            .first()
                            .map(|p| p.display().to_string());
                        self.announcer
                            .say(format!("Incoming call from {}", from.unwrap_or_default()));
                    }
                }
            }
            Ok(Notification::Device(update)) => {
                self.agent.try_update(|store| store.apply(&update));
            }
            Ok(Notification::Error(error)) => {
                let on_call = self
                    .calls
                    .try_update(|store| store.apply_error(&error))
                    .flatten();
                if on_call.is_none() {
                    self.agent.try_update(|store| store.apply_error(&error));
                }
                let text = error
                    .error_message
                    .clone()
                    .unwrap_or_else(|| "An operation failed".into());
                self.announcer.say(text);
            }
            Ok(Notification::Other { message_type }) => {
                log::info(&format!("gws-widget: ignoring {message_type} on {channel}"))
            }
            Err(error) => log::warn(&format!(
                "gws-widget: skipped a notification on {channel}: {error}"
            )),
        }
    }
}

/// Start-up: who am I (also obtains the session cookie and CSRF token) and which agent states
/// exist, then the notification loop. The call and device snapshot is re-read (and reconciled)
/// whenever the loop connects, re-handshakes or the page resumes, so nothing published while we
/// were away stays missed.
async fn start(session: Session, loop_commands: UnboundedReceiver<LoopCommand>) {
    let mut attempt: u32 = 0;
    let me = loop {
        match session
            .rest
            .get_json::<MeResponse>("/api/v2/me?subresources=*")
            .await
        {
            Ok(me) => break me,
            Err(error) => {
                attempt += 1;
                log::warn(&format!("gws-widget: cannot load the agent: {error}"));
                let delay = attempt.min(30) * 1000;
                let retry_at = Some(now_ms() + u64::from(delay));
                if session
                    .connection
                    .try_set(ConnectionState::Reconnecting { attempt, retry_at })
                    .is_some()
                {
                    return; // unmounted meanwhile
                }
                TimeoutFuture::new(delay).await;
            }
        }
    };
    if session
        .agent
        .try_update(|store| store.set_user(me.user))
        .is_none()
    {
        return;
    }
    match session
        .rest
        .get_json::<AgentStatesResponse>("/api/v2/settings/agent-states")
        .await
    {
        Ok(states) => {
            session
                .agent
                .try_update(|store| store.agent_states = states.settings);
        }
        Err(error) => log::warn(&format!("gws-widget: no agent-state settings: {error}")),
    }

    let channels = [CALLS_CHANNEL, DEVICES_CHANNEL];
    let events = session.clone();
    run_notification_loop(
        session.rest.clone(),
        &channels,
        loop_commands,
        move |event| events.on_event(event),
    )
    .await;
}

/// Where an intent's pending state and error live.
#[derive(Clone, Copy)]
enum Target<'a> {
    Call(&'a str),
    Agent,
}

/// Executes intents. Operations go out only if the store accepts them as pending (double-click
/// guard); failures land on the card or the agent bar and in the live region; a pending state
/// with no notification for [`PENDING_TIMEOUT_MS`] becomes an error too.
async fn run_intents(
    session: Session,
    mut intents: UnboundedReceiver<Intent>,
    notification_loop: LoopHandle,
) {
    while let Some(intent) = intents.next().await {
        let device_path = |suffix: &str| {
            session
                .agent
                .try_with_untracked(|store| {
                    store
                        .device_id()
                        .map(|id| format!("/api/v2/me/devices/{}{suffix}", encode(id)))
                })
                .flatten()
        };
        let (path, request, owner) = match intent {
            Intent::CallOperation { call_id, request } => (
                Some(format!("/api/v2/me/calls/{}", encode(&call_id))),
                request,
                Some(call_id),
            ),
            Intent::DeviceOperation(request) => (device_path(""), request, None),
            Intent::Dial(request) => (device_path("/calls"), request, None),
            Intent::AgentState(request) => {
                (Some("/api/v2/me/channels/voice".to_string()), request, None)
            }
            Intent::RetryConnection => {
                notification_loop.send(LoopCommand::RetryNow);
                continue;
            }
            Intent::DismissError { call_id } => {
                session
                    .calls
                    .try_update(|store| store.dismiss_error(&call_id));
                continue;
            }
            Intent::DismissAgentError => {
                session.agent.try_update(|store| store.error = None);
                continue;
            }
        };
        let target = owner.as_deref().map_or(Target::Agent, Target::Call);
        let Some(path) = path else {
            fail(&session, target, "No device to act on yet".into());
            continue;
        };
        if !mark_pending(&session, target, request.operation_name.clone()) {
            continue;
        }
        let session = session.clone();
        spawn_local(async move {
            let target = owner.as_deref().map_or(Target::Agent, Target::Call);
            let operation = request.operation_name.clone();
            match session.rest.post_json(&path, request.as_ref()).await {
                Ok(_) => {
                    TimeoutFuture::new(PENDING_TIMEOUT_MS).await;
                    if pending_of(&session, target) == Some(operation.clone()) {
                        fail(
                            &session,
                            target,
                            format!("{operation}: no confirmation from the server yet"),
                        );
                    }
                }
                Err(error) => fail(&session, target, describe(&operation, &error)),
            }
        });
    }
}

fn mark_pending(session: &Session, target: Target<'_>, operation: Operation) -> bool {
    match target {
        Target::Call(id) => session
            .calls
            .try_update(|store| store.mark_pending(id, operation)),
        Target::Agent => session
            .agent
            .try_update(|store| store.mark_pending(operation)),
    }
    .unwrap_or(false)
}

fn pending_of(session: &Session, target: Target<'_>) -> Option<Operation> {
    match target {
        Target::Call(id) => session
            .calls
            .try_with_untracked(|store| store.get(id).and_then(|e| e.pending.clone())),
        Target::Agent => session
            .agent
            .try_with_untracked(|store| store.pending.clone()),
    }
    .flatten()
}

fn fail(session: &Session, target: Target<'_>, message: String) {
    match target {
        Target::Call(id) => {
            session
                .calls
                .try_update(|store| store.operation_failed(id, message.clone()));
        }
        Target::Agent => {
            session
                .agent
                .try_update(|store| store.operation_failed(message.clone()));
        }
    }
    session.announcer.say(message);
}

/// "Hold failed: …", worded for the agent.
fn describe(operation: &Operation, error: &ApiError) -> String {
    let action = crate::components::format::operation_label(operation);
    format!("{action} failed: {error}")
}

/// Percent-encodes an id for use as one URL path segment (ids are opaque server data).
fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}
