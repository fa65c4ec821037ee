//! `<AgentWidget/>`: owns the state, provides the contexts, starts the drivers, maps intents to
//! REST calls.
//!
//! Data flow: server → (notification loop | snapshot | leader tab) → `CallsStore` / `AgentStore`
//! reducers → signals → view (and host events). View → `Intent` → REST (or the leader tab). The
//! HTTP reply to an operation never touches call or device state; it only marks the control
//! pending (or shows the error).

use crate::components::agent_bar::AgentBar;
use crate::components::announcer::Announcer;
use crate::components::call_list::CallList;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::recent_calls::RecentCalls;
use crate::components::supervisor_panel::SupervisorPanel;
use crate::config::{Credentials, WidgetConfig};
use crate::context::{
    AgentContext, AnnouncerContext, CallsContext, ConnectionContext, provide_widget_contexts,
};
use crate::diagnostics::{self, Live};
use crate::drivers::click_to_dial::watch_click_to_dial;
use crate::drivers::clock::now_ms;
use crate::drivers::keyboard::watch_shortcuts;
use crate::drivers::notifications::{LoopCommand, LoopHandle, run_notification_loop};
use crate::drivers::rest::RestClient;
use crate::drivers::tabs::{TabLink, TabMessage, request_leadership};
use crate::embed::{ControllerSlot, HostEvents, WidgetController};
use crate::error::ApiError;
use crate::intent::Intent;
use crate::log;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use gws_client::{AgentStore, CallsStore, Change, ConnectionState, Event};
use gws_protocol::api::{AgentStatesResponse, CallsResponse, DevicesResponse, MeResponse};
use gws_protocol::{CALLS_CHANNEL, Call, CallState, DEVICES_CHANNEL, Notification, Operation};
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How long a released call stays on screen before moving to the recent list.
pub const RELEASED_LINGER_MS: u64 = 5_000;
/// How long a clicked control may stay pending without any notification before we say so.
pub const PENDING_TIMEOUT_MS: u32 = 15_000;

/// What an embedding host attaches to a widget: where events go and where the controller for
/// its `WidgetHandle` is published.
#[derive(Clone)]
pub struct HostBinding {
    /// `gws:*` events on the host element.
    pub events: HostEvents,
    /// Filled in at mount.
    pub controller: ControllerSlot,
}

/// The widget for one agent.
#[component]
pub fn AgentWidget(
    /// Server, credentials and behaviour.
    config: WidgetConfig,
    /// Host-page integration (events, handle); absent in the demo and DOM tests.
    #[prop(optional)]
    host: Option<HostBinding>,
) -> impl IntoView {
    // Components do not create reactive owners in Leptos 0.8: without one of our own, two
    // widgets side by side (the demo page) would overwrite each other's contexts. `OwnedView`
    // keeps our owner current while the view is built later (what `<Provider>` does).
    let owner = Owner::new();
    let view = owner.with(move || widget(config, host).into_any());
    leptos::tachys::reactive_graph::OwnedView::new_with_owner(view, owner)
}

fn widget(config: WidgetConfig, host: Option<HostBinding>) -> impl IntoView {
    let live = Live::new(&diagnostics::WIDGETS);
    on_cleanup(move || drop(live));
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
    if let Some(host) = &host {
        *host.controller.borrow_mut() = Some(WidgetController {
            calls,
            agent,
            intents: intent_tx.clone(),
        });
    }

    let (notification_loop, loop_commands) = LoopHandle::new();
    on_cleanup({
        let notification_loop = notification_loop.clone();
        move || notification_loop.send(LoopCommand::Stop)
    });
    let state = State {
        calls,
        agent,
        connection,
        announcer,
        events: host.map(|h| h.events),
    };
    spawn_local(start(
        config.clone(),
        state.clone(),
        loop_commands,
        intent_rx,
        notification_loop,
    ));

    let mut listeners = Vec::new();
    if config.shortcuts {
        listeners.extend(watch_shortcuts(calls, intent_tx.clone()));
    }
    if config.click_to_dial {
        let failed = state.clone();
        listeners.extend(watch_click_to_dial(intent_tx, move |message| {
            failed.fail(Target::Agent, message)
        }));
    }
    let listeners = SendWrapper::new(listeners);
    on_cleanup(move || drop(listeners));

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

    let class = format!(
        "gws-widget {}{}",
        config.theme.class(),
        if config.compact {
            " gws-widget--compact"
        } else {
            ""
        }
    );
    let is_supervisor = move || agent.with(|a| a.user.as_ref().is_some_and(|u| u.is_supervisor()));
    view! {
        <section class=class lang=config.locale.clone() data-testid="agent-widget" aria-label="Call control">
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

/// The signals and host events of one widget (everything but I/O).
#[derive(Clone)]
struct State {
    calls: RwSignal<CallsStore>,
    agent: RwSignal<AgentStore>,
    connection: RwSignal<ConnectionState>,
    announcer: AnnouncerContext,
    events: Option<HostEvents>,
}

/// Where an intent's pending state and error live.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Call(String),
    Agent,
}

impl State {
    fn mark_pending(&self, target: &Target, operation: Operation) -> bool {
        match target {
            Target::Call(id) => self
                .calls
                .try_update(|store| store.mark_pending(id, operation)),
            Target::Agent => self.agent.try_update(|store| store.mark_pending(operation)),
        }
        .unwrap_or(false)
    }

    fn pending_of(&self, target: &Target) -> Option<Operation> {
        match target {
            Target::Call(id) => self
                .calls
                .try_with_untracked(|store| store.get(id).and_then(|e| e.pending.clone())),
            Target::Agent => self.agent.try_with_untracked(|store| store.pending.clone()),
        }
        .flatten()
    }

    /// Shows a failure where it belongs, in the live region, and to the host.
    fn fail(&self, target: Target, message: String) {
        let call_id = match &target {
            Target::Call(id) => {
                self.calls
                    .try_update(|store| store.operation_failed(id, message.clone()));
                Some(id.as_str())
            }
            Target::Agent => {
                self.agent
                    .try_update(|store| store.operation_failed(message.clone()));
                None
            }
        };
        if let Some(events) = &self.events {
            events.error(&message, call_id);
        }
        self.announcer.say(message);
    }

    fn set_connection(&self, state: ConnectionState) -> Option<bool> {
        let was_connected = self
            .connection
            .try_with_untracked(|s| *s == ConnectionState::Connected)?;
        if let Some(events) = &self.events {
            events.connection_changed(&state, now_ms());
        }
        self.connection.try_set(state);
        Some(was_connected)
    }

    fn set_agent(&self, update: impl FnOnce(&mut AgentStore) -> bool) {
        let changed = self.agent.try_update(update).unwrap_or(false);
        if changed && let Some(events) = &self.events {
            self.agent
                .with_untracked(|agent| events.agent_changed(agent));
        }
    }

    /// Applies a notification's `data` (from our loop or the leader tab).
    fn on_notification(&self, channel: &str, data: &str) {
        match Notification::from_json(data) {
            Ok(Notification::Call(notification)) => {
                let call = &notification.call;
                let previous = self
                    .calls
                    .try_with_untracked(|s| s.get(&call.id).map(|e| e.call.state.clone()))
                    .flatten();
                let change = self
                    .calls
                    .try_update(|store| store.apply(now_ms(), &notification));
                if change == Some(Change::Added) {
                    self.agent.try_update(AgentStore::call_appeared);
                    if call.state == CallState::Ringing {
                        let from = call.participants.first().map(|p| p.display().to_string());
                        self.announcer
                            .say(format!("Incoming call from {}", from.unwrap_or_default()));
                    }
                }
                if let Some(events) = &self.events {
                    events.call_changed(previous.as_ref(), call);
                }
            }
            Ok(Notification::Device(update)) => self.set_agent(|store| store.apply(&update)),
            Ok(Notification::Error(error)) => {
                let text = error
                    .error_message
                    .clone()
                    .unwrap_or_else(|| "An operation failed".into());
                let on_call = self
                    .calls
                    .try_update(|store| store.apply_error(&error))
                    .flatten();
                if on_call.is_none() {
                    self.agent.try_update(|store| store.apply_error(&error));
                }
                if let Some(events) = &self.events {
                    events.error(&text, on_call.as_deref());
                }
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

    /// Reconciles the call store with a snapshot requested at `asked_at`, telling the host what
    /// changed (calls notified since then are newer than the snapshot and stay).
    fn replace_calls(&self, asked_at: u64, snapshot: Vec<Call>) {
        let before: HashMap<String, Call> = self
            .calls
            .try_with_untracked(|s| {
                s.entries()
                    .iter()
                    .map(|e| (e.call.id.clone(), e.call.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let Some(changes) = self
            .calls
            .try_update(|store| store.reconcile(now_ms(), asked_at, snapshot))
        else {
            return;
        };
        let Some(events) = &self.events else { return };
        for (id, change) in changes {
            let previous = before.get(&id);
            match change {
                Change::Removed => {
                    if let Some(last) = previous.filter(|c| c.state != CallState::Released) {
                        let released = Call {
                            state: CallState::Released,
                            capabilities: Vec::new(),
                            ..last.clone()
                        };
                        events.call_changed(Some(&last.state), &released);
                    }
                }
                _ => {
                    if let Some(call) = self
                        .calls
                        .with_untracked(|s| s.get(&id).map(|e| e.call.clone()))
                    {
                        events.call_changed(previous.map(|c| &c.state), &call);
                    }
                }
            }
        }
    }
}

/// One widget's connection to the server: signals + REST + tab coordination.
#[derive(Clone)]
struct Session {
    state: State,
    rest: RestClient,
    tabs: Rc<Tabs>,
}

/// This widget's place among the tabs of the same user.
#[derive(Default)]
struct Tabs {
    link: RefCell<Option<Rc<TabLink>>>,
    /// This widget runs the notification loop (alone or elected).
    leading: Cell<bool>,
    next_id: Cell<u64>,
    /// Follower requests waiting for a possible failure from the leader.
    waiting: RefCell<HashMap<u64, Target>>,
}

impl Tabs {
    fn broadcast(&self, message: &TabMessage) {
        if self.leading.get()
            && let Some(link) = self.link.borrow().as_ref()
        {
            link.send(message);
        }
    }

    /// Whether [`Tabs::broadcast`] would send anything (lets callers skip building a message).
    fn broadcasts(&self) -> bool {
        self.leading.get() && self.link.borrow().is_some()
    }

    fn follower_link(&self) -> Option<Rc<TabLink>> {
        if self.leading.get() {
            None
        } else {
            self.link.borrow().clone()
        }
    }
}

fn connection_message(state: &ConnectionState) -> TabMessage {
    let (attempt, retry_in_ms) = match state {
        ConnectionState::Reconnecting { attempt, retry_at } => {
            (*attempt, retry_at.map(|at| at.saturating_sub(now_ms())))
        }
        _ => (0, None),
    };
    TabMessage::Connection {
        state: state.as_str().to_string(),
        attempt,
        retry_in_ms,
    }
}

fn connection_from(state: &str, attempt: u32, retry_in_ms: Option<u64>) -> ConnectionState {
    match state {
        "connected" => ConnectionState::Connected,
        "reconnecting" => ConnectionState::Reconnecting {
            attempt,
            retry_at: retry_in_ms.map(|ms| now_ms() + ms),
        },
        "offline" => ConnectionState::Offline,
        "disconnected" => ConnectionState::Disconnected,
        _ => ConnectionState::Connecting,
    }
}

impl Session {
    /// Re-reads calls and devices and reconciles the stores (after a (re)connect or resume).
    fn resync(&self) {
        self.tabs.broadcast(&TabMessage::Resync);
        let session = self.clone();
        spawn_local(async move {
            let asked_at = now_ms();
            match session
                .rest
                .get_json::<CallsResponse>("/api/v2/me/calls?fields=*")
                .await
            {
                Ok(snapshot) => session.state.replace_calls(asked_at, snapshot.calls),
                Err(error) => log::warn(&format!("gws-widget: cannot read calls: {error}")),
            }
            match session
                .rest
                .get_json::<DevicesResponse>("/api/v2/me/devices?fields=*")
                .await
            {
                Ok(snapshot) => session
                    .state
                    .set_agent(|store| store.replace_devices(&snapshot.devices)),
                Err(error) => log::warn(&format!("gws-widget: cannot read devices: {error}")),
            }
        });
    }

    /// Handles one event of our notification loop (and relays it to follower tabs).
    fn on_event(&self, event: Event) {
        match event {
            Event::StateChanged(state) => {
                self.tabs.broadcast(&connection_message(&state));
                let now_connected = state == ConnectionState::Connected;
                if self.state.set_connection(state) == Some(false) && now_connected {
                    self.resync();
                }
            }
            Event::ResyncNeeded => self.resync(),
            Event::Message { channel, data } => {
                // Our view first, then the follower tabs (the text is copied only when a
                // follower link is open).
                self.state.on_notification(&channel, data.get());
                if self.tabs.broadcasts() {
                    self.tabs.broadcast(&TabMessage::Notification {
                        channel,
                        data: data.get().to_owned(),
                    });
                }
            }
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

    /// What a follower does with the leader's messages (and what the leader answers).
    fn on_tab_message(&self, message: TabMessage) {
        let Some(link) = self.tabs.link.borrow().clone() else {
            return;
        };
        match message {
            TabMessage::Hello { .. } if self.tabs.leading.get() => {
                if let Some(state) = self.state.connection.try_get_untracked() {
                    link.send(&connection_message(&state));
                }
            }
            TabMessage::Intent {
                from,
                id,
                path,
                request,
            } if self.tabs.leading.get() => {
                let rest = self.rest.clone();
                spawn_local(async move {
                    let operation = request
                        .get("operationName")
                        .and_then(serde_json::Value::as_str)
                        .map(Operation::parse)
                        .unwrap_or_else(|| Operation::Unknown(String::new()));
                    if let Err(error) = rest.post_json(&path, &request).await {
                        link.send(&TabMessage::Failed {
                            to: from,
                            id,
                            message: describe(&operation, &error),
                        });
                    }
                });
            }
            TabMessage::Notification { channel, data } if !self.tabs.leading.get() => {
                self.state.on_notification(&channel, &data)
            }
            TabMessage::Connection {
                state,
                attempt,
                retry_in_ms,
            } if !self.tabs.leading.get() => {
                self.state
                    .set_connection(connection_from(&state, attempt, retry_in_ms));
            }
            TabMessage::Resync if !self.tabs.leading.get() => self.resync(),
            TabMessage::Failed { to, id, message } if to == link.tab_id => {
                let target = self.tabs.waiting.borrow_mut().remove(&id);
                if let Some(target) = target {
                    self.state.fail(target, message);
                }
            }
            _ => {}
        }
    }

    /// Runs the notification loop until stopped.
    async fn lead(&self, loop_commands: UnboundedReceiver<LoopCommand>) {
        self.tabs.leading.set(true);
        let events = self.clone();
        let channels = [CALLS_CHANNEL, DEVICES_CHANNEL];
        run_notification_loop(self.rest.clone(), &channels, loop_commands, move |event| {
            events.on_event(event)
        })
        .await;
    }

    /// Follows the leader tab of this user until this tab is elected, then leads.
    async fn coordinate(&self, key: &str, mut loop_commands: UnboundedReceiver<LoopCommand>) {
        let (tab_tx, mut tab_rx) = unbounded::<TabMessage>();
        let link = TabLink::open(key, move |message| {
            let _ = tab_tx.unbounded_send(message);
        });
        let (Some(link), Some((lease, acquired))) = (link, request_leadership(key)) else {
            return self.lead(loop_commands).await;
        };
        *self.tabs.link.borrow_mut() = Some(link.clone());
        link.send(&TabMessage::Hello {
            from: link.tab_id.clone(),
        });
        let mut acquired = acquired.fuse();
        loop {
            futures::select! {
                _ = acquired => break,
                message = tab_rx.next() => match message {
                    Some(message) => self.on_tab_message(message),
                    None => break,
                },
                command = loop_commands.next() => match command {
                    Some(LoopCommand::RetryNow) => {}
                    Some(LoopCommand::Stop) | None => {
                        self.tabs.link.borrow_mut().take();
                        drop(lease);
                        return;
                    }
                },
            }
        }
        log::info("gws-widget: this tab now runs the notification loop");
        let serving = self.clone();
        spawn_local(async move {
            while let Some(message) = tab_rx.next().await {
                serving.on_tab_message(message);
            }
        });
        self.lead(loop_commands).await;
        // Closing the link ends the serving task; dropping the lease lets the next tab lead.
        self.tabs.link.borrow_mut().take();
        drop(link);
        drop(lease);
    }
}

/// Signs in with the configured credentials (asking the host's provider if needed).
async fn resolve_credentials(credentials: &Credentials) -> Result<(String, String), String> {
    match credentials {
        Credentials::Password { username, password } => Ok((username.clone(), password.clone())),
        Credentials::Provider(provider) => {
            let mut value = provider
                .call0(&wasm_bindgen::JsValue::NULL)
                .map_err(|e| format!("credentials() threw: {e:?}"))?;
            if let Some(promise) = value.dyn_ref::<js_sys::Promise>() {
                value = wasm_bindgen_futures::JsFuture::from(promise.clone())
                    .await
                    .map_err(|e| format!("credentials() rejected: {e:?}"))?;
            }
            let field = |name: &str| {
                js_sys::Reflect::get(&value, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            match (field("username"), field("password")) {
                (Some(username), Some(password)) if !username.is_empty() => {
                    Ok((username, password))
                }
                _ => Err("credentials() must return {username, password}".into()),
            }
        }
    }
}

/// Start-up: credentials, who am I (also obtains the session cookie and CSRF token) and which
/// agent states exist; then the notification loop — ours, or the leader tab's. The call and
/// device snapshot is re-read (and reconciled) whenever the loop connects, re-handshakes or the
/// page resumes, so nothing published while we were away stays missed.
async fn start(
    config: WidgetConfig,
    state: State,
    loop_commands: UnboundedReceiver<LoopCommand>,
    intents: UnboundedReceiver<Intent>,
    notification_loop: LoopHandle,
) {
    let (username, password) = match resolve_credentials(&config.credentials).await {
        Ok(pair) => pair,
        Err(message) => {
            state.set_connection(ConnectionState::Disconnected);
            return state.fail(Target::Agent, format!("Cannot sign in: {message}"));
        }
    };
    let rest = RestClient::new(&config.base_url, &username, &password);
    let session = Session {
        state,
        rest,
        tabs: Rc::new(Tabs::default()),
    };
    spawn_local(run_intents(session.clone(), intents, notification_loop));

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
                    .state
                    .set_connection(ConnectionState::Reconnecting { attempt, retry_at })
                    .is_none()
                {
                    return; // unmounted meanwhile
                }
                TimeoutFuture::new(delay).await;
            }
        }
    };
    if session.state.connection.try_get_untracked().is_none() {
        return; // destroyed while signing in: no more requests
    }
    session.state.set_agent(|store| {
        store.set_user(me.user);
        true
    });
    // Off the critical path to the first interactive card: the agent-state list and a first
    // call snapshot load while the notification loop handshakes (the loop re-reads the snapshot
    // once it is connected, so nothing published in between is missed).
    let settings = session.clone();
    spawn_local(async move {
        match settings
            .rest
            .get_json::<AgentStatesResponse>("/api/v2/settings/agent-states")
            .await
        {
            Ok(states) => {
                settings
                    .state
                    .agent
                    .try_update(|store| store.agent_states = states.settings);
            }
            Err(error) => log::warn(&format!("gws-widget: no agent-state settings: {error}")),
        }
    });
    session.resync();

    if config.share_across_tabs {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let server = if config.base_url.is_empty() {
            origin
        } else {
            config.base_url.clone()
        };
        session
            .coordinate(&format!("{server}|{username}"), loop_commands)
            .await;
    } else {
        session.lead(loop_commands).await;
    }
}

/// Executes intents. Operations go out only if the store accepts them as pending (double-click
/// guard) — by REST, or through the leader tab; failures land on the card or the agent bar, in
/// the live region and in a `gws:error` event; a pending state with no notification for
/// [`PENDING_TIMEOUT_MS`] becomes an error too.
async fn run_intents(
    session: Session,
    mut intents: UnboundedReceiver<Intent>,
    notification_loop: LoopHandle,
) {
    let state = &session.state;
    while let Some(intent) = intents.next().await {
        let device_path = |suffix: &str| {
            state
                .agent
                .try_with_untracked(|store| {
                    store
                        .device_id()
                        .map(|id| format!("/api/v2/me/devices/{}{suffix}", encode(id)))
                })
                .flatten()
        };
        let (path, request, target) = match intent {
            Intent::CallOperation { call_id, request } => (
                Some(format!("/api/v2/me/calls/{}", encode(&call_id))),
                request,
                Target::Call(call_id),
            ),
            Intent::DeviceOperation(request) => (device_path(""), request, Target::Agent),
            Intent::Dial(request) => (device_path("/calls"), request, Target::Agent),
            Intent::AgentState(request) => (
                Some("/api/v2/me/channels/voice".to_string()),
                request,
                Target::Agent,
            ),
            Intent::RetryConnection => {
                notification_loop.send(LoopCommand::RetryNow);
                continue;
            }
            Intent::DismissError { call_id } => {
                state
                    .calls
                    .try_update(|store| store.dismiss_error(&call_id));
                continue;
            }
            Intent::DismissAgentError => {
                state.agent.try_update(|store| store.error = None);
                continue;
            }
        };
        let Some(path) = path else {
            state.fail(target, "No device to act on yet".into());
            continue;
        };
        let operation = request.operation_name.clone();
        if !state.mark_pending(&target, operation.clone()) {
            continue;
        }
        let session = session.clone();
        spawn_local(async move {
            let state = &session.state;
            let mut relayed = None;
            if let Some(link) = session.tabs.follower_link() {
                let id = session.tabs.next_id.get() + 1;
                session.tabs.next_id.set(id);
                session.tabs.waiting.borrow_mut().insert(id, target.clone());
                relayed = Some(id);
                let request = serde_json::to_value(request.as_ref()).unwrap_or_default();
                link.send(&TabMessage::Intent {
                    from: link.tab_id.clone(),
                    id,
                    path,
                    request,
                });
            } else if let Err(error) = session.rest.post_json(&path, request.as_ref()).await {
                return state.fail(target, describe(&operation, &error));
            }
            TimeoutFuture::new(PENDING_TIMEOUT_MS).await;
            if let Some(id) = relayed {
                // The leader reports failures only; past the timeout none is coming.
                session.tabs.waiting.borrow_mut().remove(&id);
            }
            if state.pending_of(&target) == Some(operation.clone()) {
                state.fail(
                    target,
                    format!("{operation}: no confirmation from the server yet"),
                );
            }
        });
    }
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
