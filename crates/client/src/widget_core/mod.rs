//! [`WidgetCore`]: everything one widget decides, as a pure state machine.
//!
//! "What happens when a notification arrives?" and "what happens when a button is clicked?" are
//! answered here, in one place, and tested natively in milliseconds. The browser driver
//! (`src/app.rs`) only feeds inputs and performs the effects that come out; it decides nothing.
//!
//! Inputs ([`Input`], plus [`WidgetCore::handle_timeout`]): a Bayeux client event, a REST reply,
//! a user intent, a message from another tab, the outcome of joining the tabs, and the current
//! time (`now`, milliseconds, passed in: the core never reads a clock).
//!
//! Outputs: changes to the three stores the view renders ([`Views`], borrowed for the duration of
//! one step, so the driver can keep them in reactive signals and notify only the changed ones),
//! and [`Effect`]s drained with [`WidgetCore::poll_effect`] — an HTTP request to send, a host
//! event to fire, an announcement, a tab message to broadcast, the notification loop to start or
//! retry, a line to log — and the next deadline, [`WidgetCore::poll_timeout`].
//!
//! Concerns, one file each:
//! - `startup`: sign-in (`GET /me`, with retries), agent-state settings, then the notification
//!   loop (ours or the leader tab's).
//! - `sync`: notifications and snapshots applied to the stores (with the resync rules: a
//!   snapshot is read whenever the loop (re)connects; calls notified since it was asked for are
//!   newer and stay).
//! - `intents`: the intent executor: pending state (double-click guard), the request or the
//!   relay through the leader tab, the watchdog, errors onto the card.
//! - [`tabs`]: the leader/follower protocol between tabs of the same user.

mod intents;
mod relay;
mod session;
mod startup;
mod sync;
pub mod tabs;

use crate::agent::AgentStore;
use crate::bayeux::{ConnectionState, Event};
use crate::error::ApiError;
use crate::i18n::Catalog;
use crate::intent::Intent;
use crate::small_map::SmallMap;
use crate::store::CallsStore;
use gws_protocol::{Call, CallState};
pub use relay::is_tab_id;
pub use session::{LoginOptions, SIGN_IN_RETRIES, SIGN_IN_RETRY_MS};
use std::collections::VecDeque;
pub use tabs::{RelayTarget, TabMessage};

/// How long a released call stays on screen before moving to the recent list.
pub const RELEASED_LINGER_MS: u64 = 5_000;
/// How long a clicked control may stay pending without any notification before we say so.
pub const PENDING_TIMEOUT_MS: u64 = 15_000;

/// Behaviour chosen by the host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoreConfig {
    /// Tabs of the same user share one notification loop.
    pub share_across_tabs: bool,
    /// A host listens to `gws:*` events (skip building them otherwise).
    pub host_events: bool,
    /// The credentials come from a host provider that can be asked again after a 401 (static
    /// credentials cannot change: a 401 signs out at once).
    pub credentials_provider: bool,
    /// Voice login.
    pub login: LoginOptions,
    /// The language of the messages the core words (errors, announcements).
    pub catalog: Catalog,
}

/// The stores the view renders, borrowed for one step. Records which ones the step changed, so
/// the driver notifies only those (a call notification must not re-render the agent bar).
#[derive(Debug)]
pub struct Views<'a> {
    calls: &'a mut CallsStore,
    agent: &'a mut AgentStore,
    connection: &'a mut ConnectionState,
    changed: ViewChanges,
}

/// Which stores a step changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewChanges {
    /// The calls store.
    pub calls: bool,
    /// The agent store.
    pub agent: bool,
    /// The connection state.
    pub connection: bool,
}

impl<'a> Views<'a> {
    /// Borrows the three stores.
    pub fn new(
        calls: &'a mut CallsStore,
        agent: &'a mut AgentStore,
        connection: &'a mut ConnectionState,
    ) -> Self {
        Views {
            calls,
            agent,
            connection,
            changed: ViewChanges::default(),
        }
    }

    /// What changed so far.
    pub fn changes(&self) -> ViewChanges {
        self.changed
    }

    fn calls_mut(&mut self) -> &mut CallsStore {
        self.changed.calls = true;
        self.calls
    }

    fn agent_mut(&mut self) -> &mut AgentStore {
        self.changed.agent = true;
        self.agent
    }

    fn set_connection(&mut self, state: ConnectionState) {
        self.changed.connection = true;
        *self.connection = state;
    }
}

/// Owned stores, for native tests and tools that run the core without a view.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetState {
    /// The calls.
    pub calls: CallsStore,
    /// The agent and their device.
    pub agent: AgentStore,
    /// The notification connection.
    pub connection: ConnectionState,
}

impl Default for WidgetState {
    fn default() -> Self {
        WidgetState {
            calls: CallsStore::new(),
            agent: AgentStore::new(),
            connection: ConnectionState::Connecting,
        }
    }
}

impl WidgetState {
    /// Borrows the stores for one step.
    pub fn views(&mut self) -> Views<'_> {
        Views::new(&mut self.calls, &mut self.agent, &mut self.connection)
    }
}

/// Identifies a request the core asked for, so its reply can be fed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestToken(pub u64);

/// HTTP method of a REST request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Read.
    Get,
    /// Operation (JSON body; succeeds only with `statusCode` 0).
    Post,
}

/// A REST request for the driver to send; feed its outcome back as [`Input::Reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Echoed in the reply.
    pub token: RequestToken,
    /// GET or POST.
    pub method: Method,
    /// Path from the server root, starting with `/api/v2/`.
    pub path: String,
    /// JSON body of a POST.
    pub body: Option<String>,
}

/// A `gws:*` event for the host page.
#[derive(Debug, Clone, PartialEq)]
pub enum HostEvent {
    /// A call appeared or changed (`previous` is its state before; `None` when new).
    CallChanged {
        /// State before this change.
        previous: Option<CallState>,
        /// The call as it is now (boxed: the other events are small).
        call: Box<Call>,
    },
    /// The agent's device or state changed: the detail is read from the agent store.
    AgentChanged,
    /// The connection state changed.
    Connection(ConnectionState),
    /// An operation failed.
    Error {
        /// Worded for the agent.
        message: String,
        /// The call it concerns.
        call_id: Option<String>,
    },
}

/// How loud a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Normal operation worth a trace.
    Info,
    /// Something was refused, skipped or retried.
    Warning,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a REST request.
    Request(HttpRequest),
    /// Fire a host event (only when [`CoreConfig::host_events`]).
    Host(HostEvent),
    /// Say this in the widget's assertive live region.
    Announce(String),
    /// Post this on the channel shared with the other tabs of this user.
    Broadcast(TabMessage),
    /// Signed in: start receiving notifications. `shared`: join the other tabs of this user
    /// (follow their leader until elected, then feed [`Input::Leading`]); otherwise run the
    /// notification loop at once (and feed [`Input::Leading`] with no tab id).
    StartNotifications {
        /// Coordinate with other tabs.
        shared: bool,
    },
    /// Ask the running notification loop to retry now.
    RetryConnection,
    /// End the notification loop's session (`unsubscribe`: unsubscribe first, for a logout),
    /// keeping this tab's place among the tabs; feed [`Input::NotificationsStopped`] once it
    /// has ended.
    StopNotifications {
        /// Unsubscribe every channel before `/meta/disconnect`.
        unsubscribe: bool,
    },
    /// Start the stopped notification loop again (a new session).
    ResumeNotifications,
    /// The server refused the credentials: ask the host's provider again (static credentials:
    /// keep them), set them on every request, and feed [`Input::Reauthenticated`].
    Reauthenticate,
    /// Write to the console.
    Log(Severity, String),
}

/// Something that happened, for the core to react to.
#[derive(Debug)]
pub enum Input {
    /// Credentials are available: sign in.
    SignIn,
    /// The credentials could not be obtained (the host's provider threw or returned nothing).
    CredentialsFailed(String),
    /// A clicked number (click-to-dial) that cannot be dialled: said in the agent bar, in the
    /// widget's language.
    CannotDial(crate::NumberError),
    /// The outcome of an [`Effect::Request`]: the body text, or why there is none.
    Reply {
        /// The request's token.
        token: RequestToken,
        /// Body of a 2xx reply (for a POST: one with `statusCode` 0), or the error.
        result: Result<String, ApiError>,
    },
    /// An event of the notification loop this tab runs.
    Bayeux(Event),
    /// What the agent asked for.
    Intent(Intent),
    /// A message from another tab of the same user.
    Tab(TabMessage),
    /// This widget joined the tabs' channel as `tab_id` and follows their leader.
    Following {
        /// This tab's id on the channel.
        tab_id: String,
    },
    /// This widget runs the notification loop; `tab_id`: other tabs may follow it, which know
    /// it by this id (the one it joined with).
    Leading {
        /// This tab's id on the tabs' channel, when one is open.
        tab_id: Option<String>,
    },
    /// The notification loop ended after [`Effect::StopNotifications`].
    NotificationsStopped,
    /// The outcome of [`Effect::Reauthenticate`]: credentials to try, or why there are none.
    Reauthenticated(Result<(), ReauthFailure>),
}

/// Why re-authentication produced no credentials to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReauthFailure {
    /// The host's provider answered for another user than the one this widget signed in as
    /// (someone else signed in to the CRM on this workstation). The widget stays the first
    /// user's: it leads their other tabs, which must never be shown the new user's calls nor
    /// relay operations under the new user's name. Asking the provider again would give the
    /// same answer, so no attempt is scheduled; a reload signs in as the new user.
    OtherUser,
    /// The provider threw, rejected, or returned no `{username, password}` (the detail is for
    /// the integrator, like the start-up's).
    Provider(String),
}

impl From<&str> for ReauthFailure {
    fn from(detail: &str) -> Self {
        ReauthFailure::Provider(detail.to_string())
    }
}

impl From<String> for ReauthFailure {
    fn from(detail: String) -> Self {
        ReauthFailure::Provider(detail)
    }
}

/// Where an intent's pending state and error live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Call(String),
    Agent,
}

/// What a request in flight is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Me,
    AgentStates,
    Calls { asked_at: u64 },
    Devices { asked_at: u64 },
    Operation(intents::Sent),
    Relay(tabs::Relayed),
    Logout,
}

/// One widget's decisions. See the module documentation.
#[derive(Debug)]
pub struct WidgetCore {
    config: CoreConfig,
    effects: VecDeque<Effect>,
    next_token: u64,
    in_flight: SmallMap<RequestToken, Purpose>,
    sign_in: startup::SignIn,
    tabs: tabs::TabRole,
    sessions: session::Sessions,
    watchdogs: Vec<intents::Watchdog>,
    /// When the oldest released call leaves the screen.
    retire_at: Option<u64>,
    /// When the agent's pending operation was sent: a device snapshot asked before it cannot
    /// confirm it.
    agent_pending_at: u64,
    /// When the last device notification was applied: a device snapshot asked before it is
    /// older and is skipped.
    device_notified_at: Option<u64>,
    /// Channels the server refused, with the agent-bar message that said so: said once (the
    /// client asks again on a backoff), cleared when the channel is subscribed after all.
    refused_channels: SmallMap<String, String>,
}

impl WidgetCore {
    /// A core that has not signed in yet.
    pub fn new(config: CoreConfig) -> Self {
        WidgetCore {
            sessions: session::Sessions::new(&config.login),
            config,
            effects: VecDeque::new(),
            next_token: 0,
            in_flight: SmallMap::new(),
            sign_in: startup::SignIn::default(),
            tabs: tabs::TabRole::default(),
            watchdogs: Vec::new(),
            retire_at: None,
            agent_pending_at: 0,
            device_notified_at: None,
            refused_channels: SmallMap::new(),
        }
    }

    /// Words later messages in `catalog`'s language (the host changed the widget's `lang`).
    pub fn set_catalog(&mut self, catalog: Catalog) {
        self.config.catalog = catalog;
    }

    /// The catalog the core words its messages with.
    pub fn catalog(&self) -> &Catalog {
        &self.config.catalog
    }

    /// Reacts to `input` at `now`.
    pub fn handle(&mut self, now: u64, input: Input, views: &mut Views<'_>) {
        match input {
            Input::SignIn => self.request_me(),
            Input::CredentialsFailed(message) => self.credentials_failed(message, views),
            Input::CannotDial(reason) => {
                let catalog = &self.config.catalog;
                let reason = reason.localized(catalog);
                let message = catalog.fill(crate::i18n::Key::CannotDial, &[("reason", &reason)]);
                self.fail(Target::Agent, message, views)
            }
            Input::Reply { token, result } => match self.in_flight.remove(&token) {
                Some(purpose) => {
                    let refused = result == Err(ApiError::Unauthorized);
                    let proof = purpose == Purpose::Me;
                    if result.is_ok() {
                        self.on_credentials_accepted(views);
                    }
                    self.on_reply(now, purpose, result, views);
                    if refused {
                        self.on_unauthorized(now, proof, views);
                    }
                }
                None => self.log(Severity::Info, "gws-widget: reply to no known request"),
            },
            Input::Bayeux(event) => self.on_bayeux_event(now, event, views),
            Input::Intent(intent) => self.on_intent(now, intent, views),
            Input::Tab(message) => self.on_tab_message(now, message, views),
            Input::Following { tab_id } => self.follow(tab_id),
            Input::Leading { tab_id } => self.lead(tab_id),
            Input::NotificationsStopped => self.on_notifications_stopped(),
            Input::Reauthenticated(result) => self.on_reauthenticated(now, result, views),
        }
        self.after_step(views);
    }

    /// Runs what is due at `now`: sign-in retries, watchdogs, the tab protocol's coalesced
    /// re-reads and leader probes, released calls leaving the screen.
    pub fn handle_timeout(&mut self, now: u64, views: &mut Views<'_>) {
        if self.sign_in.retry_due(now) {
            self.request_me();
        }
        if self.sessions.retry_due(now) {
            self.sign_in_again();
        }
        self.expire_watchdogs(now, views);
        self.tabs_due(now);
        if self.retire_at.is_some_and(|at| at <= now) {
            views.calls_mut().retire_released(now, RELEASED_LINGER_MS);
        }
        self.after_step(views);
    }

    /// The next effect to perform, in order.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// When [`WidgetCore::handle_timeout`] next has something to do.
    pub fn poll_timeout(&self) -> Option<u64> {
        let watchdog = self.watchdogs.iter().map(|w| w.deadline).min();
        let sign_in = self.sessions.retry_at();
        let tabs = self.tabs.deadline();
        [
            self.sign_in.retry_at(),
            sign_in,
            watchdog,
            self.retire_at,
            tabs,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether this widget runs the notification loop (alone or elected).
    pub fn is_leading(&self) -> bool {
        self.tabs.is_leading()
    }

    fn after_step(&mut self, views: &Views<'_>) {
        if views.changed.calls {
            self.retire_at = views
                .calls
                .entries()
                .iter()
                .filter_map(|entry| entry.released_at)
                .min()
                .map(|at| at.saturating_add(RELEASED_LINGER_MS));
        }
    }

    fn on_reply(
        &mut self,
        now: u64,
        purpose: Purpose,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        match purpose {
            Purpose::Me => self.on_me(now, result, views),
            Purpose::AgentStates => self.on_agent_states(result, views),
            Purpose::Calls { asked_at } => self.on_calls_snapshot(now, asked_at, result, views),
            Purpose::Devices { asked_at } => self.on_devices_snapshot(asked_at, result, views),
            Purpose::Operation(sent) => self.on_operation_reply(now, sent, result, views),
            Purpose::Relay(relayed) => self.on_relay_reply(relayed, result),
            Purpose::Logout => self.on_logout_reply(now, result, views),
        }
    }

    fn request(&mut self, method: Method, path: String, body: Option<String>, purpose: Purpose) {
        self.next_token += 1;
        let token = RequestToken(self.next_token);
        self.in_flight.insert(token, purpose);
        self.effects.push_back(Effect::Request(HttpRequest {
            token,
            method,
            path,
            body,
        }));
    }

    fn host(&mut self, event: HostEvent) {
        if self.config.host_events {
            self.effects.push_back(Effect::Host(event));
        }
    }

    fn announce(&mut self, text: String) {
        self.effects.push_back(Effect::Announce(text));
    }

    fn log(&mut self, severity: Severity, message: impl Into<String>) {
        self.effects
            .push_back(Effect::Log(severity, message.into()));
    }

    /// Shows a failure where it belongs, in the live region, and to the host.
    fn fail(&mut self, target: Target, message: String, views: &mut Views<'_>) {
        let call_id = match target {
            Target::Call(id) => {
                views.calls_mut().operation_failed(&id, message.clone());
                Some(id)
            }
            Target::Agent => {
                views.agent_mut().operation_failed(message.clone());
                None
            }
        };
        self.host(HostEvent::Error {
            message: message.clone(),
            call_id,
        });
        self.announce(message);
    }

    /// Updates the agent store; tells the host when `update` reports a change.
    fn set_agent(&mut self, views: &mut Views<'_>, update: impl FnOnce(&mut AgentStore) -> bool) {
        if update(views.agent_mut()) {
            self.host(HostEvent::AgentChanged);
        }
    }

    /// Sets the connection state (and tells the host). Returns whether it was connected before.
    fn set_connection(&mut self, state: ConnectionState, views: &mut Views<'_>) -> bool {
        let was_connected = *views.connection == ConnectionState::Connected;
        self.host(HostEvent::Connection(state.clone()));
        views.set_connection(state);
        was_connected
    }
}

/// Clears the agent bar's error if it is still `shown`, the message a step put there: a later
/// error (another operation's, a server notification) is not that step's to clear.
fn clear_agent_error(shown: &str, views: &mut Views<'_>) {
    if views.agent.error.as_deref() == Some(shown) {
        views.agent_mut().error = None;
    }
}

/// Percent-encodes an id as one URL path segment, as `encodeURIComponent` does (ids are opaque
/// server data: a `/` or `?` in one must not change the path).
pub(crate) fn encode_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::encode_segment;

    #[test]
    fn path_segments_are_encoded_like_encode_uri_component() {
        assert_eq!(encode_segment("abc-1_2.x"), "abc-1_2.x");
        assert_eq!(encode_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(encode_segment(".."), "..");
    }
}
