//! A sans-IO Bayeux (CometD) long-polling client.
//!
//! The machine never sends anything itself. The driver asks it what to send
//! ([`BayeuxClient::poll_request`]), performs the HTTP POST, and feeds the outcome back
//! ([`BayeuxClient::handle_response`]); it calls [`BayeuxClient::handle_timeout`] when
//! [`BayeuxClient::poll_deadline`] is reached, and drains [`BayeuxClient::poll_event`]. Time is
//! always an argument (milliseconds on any monotonic clock), so every failure case of the CometD
//! test list runs natively with virtual time.
//!
//! Rules kept here (cometd-javascript behaviour, plus what agents need):
//! - at most one outstanding `/meta/connect` and one other request (handshake, subscribe,
//!   unsubscribe or disconnect);
//! - the newest `advice` wins; a connect may be held `advice.timeout` by the server, so its
//!   request timeout is `advice.timeout + max_network_delay`;
//! - failures without fresh advice back off linearly with jitter, capped;
//! - `402::…`, `reconnect: handshake`, or an absence longer than the server keeps sessions
//!   (`maxInterval`) → new handshake, every channel subscribed again, and a
//!   [`Event::ResyncNeeded`] so the application re-reads state it may have missed;
//! - anything malformed from the peer is an [`Event::Malformed`], never a panic.

use crate::backoff::{BackoffPolicy, Jitter};
use gws_protocol::bayeux::{
    self, Advice, LONG_POLLING, META_CONNECT, META_DISCONNECT, META_HANDSHAKE, META_SUBSCRIBE,
    META_UNSUBSCRIBE, Message, RawData, Received, Reconnect, Subscription,
};
use serde_json::Value;
use std::collections::{BTreeSet, VecDeque};

/// Identifies one HTTP request handed to the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `/meta/handshake`.
    Handshake,
    /// `/meta/connect` (the long poll).
    Connect,
    /// `/meta/subscribe` and/or `/meta/unsubscribe` messages, batched.
    Subscriptions,
    /// `/meta/disconnect`.
    Disconnect,
}

/// A request the driver must POST to the notifications URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Echo this id in [`BayeuxClient::handle_response`].
    pub id: RequestId,
    /// What it is for.
    pub kind: RequestKind,
    /// The messages of the body (serialise with [`Request::body`]).
    pub messages: Vec<Message>,
    /// Abort the HTTP request after this many milliseconds.
    pub timeout_ms: u64,
}

impl Request {
    /// The JSON body: an array of messages.
    pub fn body(&self) -> String {
        serde_json::to_string(&self.messages).unwrap_or_else(|_| "[]".to_string())
    }
}

/// What happened to a request, as seen by the driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An HTTP response arrived (any status).
    Http {
        /// HTTP status.
        status: u16,
        /// Response body text.
        body: String,
    },
    /// The request timed out (aborted by the driver).
    Timeout,
    /// Network failure (DNS, refused, reset, CORS…).
    NetworkError(String),
}

/// The connection as an agent should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// First handshake in progress.
    Connecting,
    /// Session established, long poll running.
    Connected,
    /// Lost; retrying.
    Reconnecting {
        /// Consecutive failures so far.
        attempt: u32,
        /// When the next attempt goes out (same clock as `now`), if scheduled.
        retry_at: Option<u64>,
    },
    /// The browser reports no network; waiting for it to come back.
    Offline,
    /// Stopped: by [`BayeuxClient::disconnect`], by the server (`reconnect: none`), or not
    /// started yet.
    Disconnected,
}

impl ConnectionState {
    /// The testing-contract name (`data-state` of the connection badge).
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting { .. } => "reconnecting",
            ConnectionState::Offline => "offline",
            ConnectionState::Disconnected => "disconnected",
        }
    }
}

/// Something the application should know.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The connection state changed.
    StateChanged(ConnectionState),
    /// An application message, in the order the server sent it.
    Message {
        /// The channel it was published on.
        channel: String,
        /// Its `data`, as the JSON text the server sent: the application decodes it into its
        /// own types in one pass.
        data: RawData,
    },
    /// A new session replaced a lost one: notifications may have been missed, re-read state.
    ResyncNeeded,
    /// The server refused a subscription.
    SubscriptionFailed {
        /// The channel.
        channel: String,
        /// The server's error text.
        error: String,
    },
    /// The server answered 401/403: credentials or CSRF token need refreshing.
    Unauthorized {
        /// HTTP status.
        status: u16,
    },
    /// The peer sent something unreadable; it was skipped.
    Malformed(String),
}

/// Tunables.
#[derive(Debug, Clone, PartialEq)]
pub struct BayeuxConfig {
    /// Extra time a request may take on the network (cometd.js `maxNetworkDelay`, 10 s).
    pub max_network_delay_ms: u64,
    /// Connect hold assumed until the server advises one (CometD default 30 s).
    pub default_timeout_ms: u64,
    /// Retry delays.
    pub backoff: BackoffPolicy,
    /// Seed of the jitter generator (vary it per tab, e.g. from the clock).
    pub jitter_seed: u64,
}

impl Default for BayeuxConfig {
    fn default() -> Self {
        BayeuxConfig {
            max_network_delay_ms: 10_000,
            default_timeout_ms: 30_000,
            backoff: BackoffPolicy::default(),
            jitter_seed: 0x5EED,
        }
    }
}

#[derive(Debug, Clone)]
struct InFlight {
    id: RequestId,
    deadline: u64,
}

/// The client state machine. See the module docs for the driving protocol.
#[derive(Debug)]
pub struct BayeuxClient {
    config: BayeuxConfig,
    jitter: Jitter,
    advice: Advice,
    state: ConnectionState,
    started: bool,
    online: bool,
    stopping: bool,
    client_id: Option<String>,
    /// A session existed before: the next successful handshake is a re-handshake.
    had_session: bool,
    next_request_id: u64,
    next_message_id: u64,
    failures: u32,
    handshake_at: Option<u64>,
    connect_at: Option<u64>,
    subscriptions_at: u64,
    connect_in_flight: Option<InFlight>,
    other_in_flight: Option<(RequestKind, InFlight)>,
    /// Channels the application wants.
    wanted: BTreeSet<String>,
    /// Channels the current session has confirmed.
    confirmed: BTreeSet<String>,
    /// Channels the server refused in this session (not retried until the next handshake).
    refused: BTreeSet<String>,
    /// When the last connect went out (or the session began): the server cannot have swept the
    /// session earlier than `timeout + interval + maxInterval` after it.
    last_connect_sent_at: Option<u64>,
    /// A re-handshake happened: `ResyncNeeded` goes out once the new session is subscribed.
    resync_owed: bool,
    events: VecDeque<Event>,
}

impl BayeuxClient {
    /// A stopped client; call [`BayeuxClient::start`].
    pub fn new(config: BayeuxConfig) -> Self {
        BayeuxClient {
            jitter: Jitter::new(config.jitter_seed),
            config,
            advice: Advice::default(),
            state: ConnectionState::Disconnected,
            started: false,
            online: true,
            stopping: false,
            client_id: None,
            had_session: false,
            next_request_id: 1,
            next_message_id: 1,
            failures: 0,
            handshake_at: None,
            connect_at: None,
            subscriptions_at: 0,
            connect_in_flight: None,
            other_in_flight: None,
            wanted: BTreeSet::new(),
            confirmed: BTreeSet::new(),
            refused: BTreeSet::new(),
            last_connect_sent_at: None,
            resync_owed: false,
            events: VecDeque::new(),
        }
    }

    /// Begins the handshake at `now`.
    pub fn start(&mut self, now: u64) {
        self.started = true;
        self.stopping = false;
        self.handshake_at = Some(now);
        self.set_state(if self.online {
            ConnectionState::Connecting
        } else {
            ConnectionState::Offline
        });
    }

    /// Adds a channel; it is (re)subscribed on every session.
    pub fn subscribe(&mut self, channel: &str) {
        self.wanted.insert(channel.to_string());
        self.refused.remove(channel);
    }

    /// Removes a channel.
    pub fn unsubscribe(&mut self, channel: &str) {
        self.wanted.remove(channel);
    }

    /// Ends the session: a `/meta/disconnect` goes out when possible, then no more requests.
    /// A handshake already on its way is awaited first, so the session it creates on the
    /// server is closed too instead of lingering until the server's `maxInterval`.
    pub fn disconnect(&mut self) {
        if !self.started {
            return;
        }
        self.stopping = true;
        let handshaking = matches!(self.other_in_flight, Some((RequestKind::Handshake, _)));
        if self.client_id.is_none() && !handshaking {
            self.stop();
        }
    }

    /// The current session id, if any.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The current connection state.
    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// The newest server advice.
    pub fn advice(&self) -> &Advice {
        &self.advice
    }

    /// Channels confirmed by the current session.
    pub fn confirmed_channels(&self) -> impl Iterator<Item = &str> {
        self.confirmed.iter().map(String::as_str)
    }

    /// Whether a `/meta/connect` is outstanding.
    pub fn connect_in_flight(&self) -> bool {
        self.connect_in_flight.is_some()
    }

    /// The browser's network status changed. Going offline parks the machine; coming back
    /// retries at once.
    pub fn set_online(&mut self, now: u64, online: bool) {
        if self.online == online {
            return;
        }
        self.online = online;
        if !self.started || self.stopping {
            return;
        }
        if online {
            self.retry_now(now);
        } else {
            self.set_state(ConnectionState::Offline);
        }
    }

    /// Retries a scheduled handshake or connect immediately (the "retry now" button, and what
    /// the driver calls when a hidden tab becomes visible again). A connect that has been
    /// outstanding longer than it possibly may is abandoned first.
    pub fn retry_now(&mut self, now: u64) {
        if !self.started || self.stopping {
            return;
        }
        self.expire_overdue(now);
        if self.client_id.is_some() && self.session_surely_expired(now) {
            self.drop_session(now);
        }
        if self.handshake_at.is_some() {
            self.handshake_at = Some(now);
        }
        if self.connect_at.is_some() {
            self.connect_at = Some(now);
        }
        if self.online {
            self.refresh_waiting_state();
        }
    }

    /// The earliest time at which [`BayeuxClient::handle_timeout`] has work to do.
    pub fn poll_deadline(&self) -> Option<u64> {
        let mut deadlines = Vec::new();
        if let Some(flight) = &self.connect_in_flight {
            deadlines.push(flight.deadline);
        }
        if let Some((_, flight)) = &self.other_in_flight {
            deadlines.push(flight.deadline);
        }
        if self.started && self.online && !self.stopping {
            if self.client_id.is_none() && self.other_in_flight.is_none() {
                deadlines.extend(self.handshake_at);
            }
            if self.client_id.is_some() && self.connect_in_flight.is_none() {
                deadlines.extend(self.connect_at);
            }
        }
        deadlines.into_iter().min()
    }

    /// Expires requests whose time is up (as if the driver had reported [`Outcome::Timeout`]).
    pub fn handle_timeout(&mut self, now: u64) {
        self.expire_overdue(now);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next request to send at `now`, if one is due. Call until it returns `None`.
    pub fn poll_request(&mut self, now: u64) -> Option<Request> {
        if !self.started || !self.online {
            return None;
        }
        let Some(client_id) = self.client_id.clone() else {
            if self.stopping || self.other_in_flight.is_some() {
                return None;
            }
            return match self.handshake_at {
                Some(at) if at <= now => Some(self.send_handshake(now)),
                _ => None,
            };
        };
        if self.other_in_flight.is_none() {
            if self.stopping {
                return Some(self.send_disconnect(now, &client_id));
            }
            if now >= self.subscriptions_at
                && let Some(request) = self.send_subscriptions(now, &client_id)
            {
                return Some(request);
            }
        }
        if self.stopping || self.connect_in_flight.is_some() {
            return None;
        }
        match self.connect_at {
            Some(at) if at <= now => Some(self.send_connect(now, &client_id)),
            _ => None,
        }
    }

    /// Feeds back what happened to request `id`. Unknown (abandoned) ids are ignored.
    pub fn handle_response(&mut self, now: u64, id: RequestId, outcome: Outcome) {
        let kind = if self.connect_in_flight.as_ref().is_some_and(|f| f.id == id) {
            RequestKind::Connect
        } else if let Some((kind, _)) = self.other_in_flight.as_ref().filter(|(_, f)| f.id == id) {
            *kind
        } else {
            return;
        };
        if kind == RequestKind::Connect {
            self.connect_in_flight = None;
        } else {
            self.other_in_flight = None;
        }

        let messages = match outcome {
            Outcome::Http { status: 200, body } => match bayeux::parse_messages::<RawData>(&body) {
                Ok(items) => items
                    .into_iter()
                    .filter_map(|item| match item {
                        Ok(message) => Some(message),
                        Err(error) => {
                            self.events.push_back(Event::Malformed(error));
                            None
                        }
                    })
                    .collect::<Vec<_>>(),
                Err(error) => {
                    self.events.push_back(Event::Malformed(error));
                    Vec::new()
                }
            },
            Outcome::Http { status, .. } => {
                if status == 401 || status == 403 {
                    self.events.push_back(Event::Unauthorized { status });
                }
                return self.fail(now, kind);
            }
            Outcome::Timeout | Outcome::NetworkError(_) => return self.fail(now, kind),
        };

        let meta_channel = match kind {
            RequestKind::Handshake => Some(META_HANDSHAKE),
            RequestKind::Connect => Some(META_CONNECT),
            RequestKind::Disconnect => Some(META_DISCONNECT),
            RequestKind::Subscriptions => None,
        };
        let mut answered = false;
        for message in messages {
            match message.channel.as_str() {
                META_HANDSHAKE if kind == RequestKind::Handshake => {
                    answered = true;
                    self.on_handshake_reply(now, message);
                }
                META_CONNECT if kind == RequestKind::Connect => {
                    answered = true;
                    self.on_connect_reply(now, message);
                }
                META_SUBSCRIBE | META_UNSUBSCRIBE if kind == RequestKind::Subscriptions => {
                    answered = true;
                    self.on_subscription_reply(now, message);
                }
                META_DISCONNECT if kind == RequestKind::Disconnect => {
                    answered = true;
                    self.stop();
                }
                channel if channel.starts_with("/meta/") => {
                    self.events
                        .push_back(Event::Malformed(format!("unexpected reply on {channel}")));
                }
                _ => self.on_application_message(message),
            }
        }
        if !answered {
            // EmptyResponse: a 200 without the reply we asked for is a failure of that request.
            if kind == RequestKind::Disconnect {
                self.stop();
                return;
            }
            self.events.push_back(Event::Malformed(format!(
                "no {} reply in response",
                meta_channel.unwrap_or("/meta/subscribe")
            )));
            self.fail(now, kind);
        }
    }

    // ----------------------------------------------------------------------------------- sending

    fn next_ids(&mut self) -> (RequestId, String) {
        let request = RequestId(self.next_request_id);
        self.next_request_id += 1;
        let message = self.next_message_id.to_string();
        self.next_message_id += 1;
        (request, message)
    }

    fn message_id(&mut self) -> String {
        let id = self.next_message_id.to_string();
        self.next_message_id += 1;
        id
    }

    fn other_timeout(&self) -> u64 {
        self.config.max_network_delay_ms
    }

    fn connect_timeout(&self) -> u64 {
        self.advice
            .timeout
            .unwrap_or(self.config.default_timeout_ms)
            + self.config.max_network_delay_ms
    }

    fn send_handshake(&mut self, now: u64) -> Request {
        let (id, message_id) = self.next_ids();
        let message = Message {
            channel: META_HANDSHAKE.into(),
            id: Some(message_id),
            version: Some("1.0".into()),
            minimum_version: Some("1.0".into()),
            supported_connection_types: Some(vec![Value::String(LONG_POLLING.into())]),
            advice: Some(Advice {
                timeout: Some(60_000),
                interval: Some(0),
                ..Advice::default()
            }),
            ..Message::default()
        };
        let timeout_ms = self.other_timeout();
        self.handshake_at = None;
        self.other_in_flight = Some((
            RequestKind::Handshake,
            InFlight {
                id,
                deadline: now + timeout_ms,
            },
        ));
        Request {
            id,
            kind: RequestKind::Handshake,
            messages: vec![message],
            timeout_ms,
        }
    }

    fn send_connect(&mut self, now: u64, client_id: &str) -> Request {
        let (id, message_id) = self.next_ids();
        let message = Message {
            channel: META_CONNECT.into(),
            id: Some(message_id),
            client_id: Some(client_id.into()),
            connection_type: Some(LONG_POLLING.into()),
            ..Message::default()
        };
        let timeout_ms = self.connect_timeout();
        self.connect_at = None;
        self.last_connect_sent_at = Some(now);
        self.connect_in_flight = Some(InFlight {
            id,
            deadline: now + timeout_ms,
        });
        Request {
            id,
            kind: RequestKind::Connect,
            messages: vec![message],
            timeout_ms,
        }
    }

    fn send_subscriptions(&mut self, now: u64, client_id: &str) -> Option<Request> {
        let subscribes: Vec<String> = self
            .wanted
            .iter()
            .filter(|c| !self.confirmed.contains(*c) && !self.refused.contains(*c))
            .cloned()
            .collect();
        let unsubscribes: Vec<String> = self
            .confirmed
            .iter()
            .filter(|c| !self.wanted.contains(*c))
            .cloned()
            .collect();
        if subscribes.is_empty() && unsubscribes.is_empty() {
            return None;
        }
        let request_id = RequestId(self.next_request_id);
        self.next_request_id += 1;
        let mut messages = Vec::new();
        for (channel, meta) in subscribes
            .iter()
            .map(|c| (c, META_SUBSCRIBE))
            .chain(unsubscribes.iter().map(|c| (c, META_UNSUBSCRIBE)))
        {
            let id = self.message_id();
            messages.push(Message {
                channel: meta.into(),
                id: Some(id),
                client_id: Some(client_id.into()),
                subscription: Some(Subscription::One(channel.clone())),
                ..Message::default()
            });
        }
        let timeout_ms = self.other_timeout();
        self.other_in_flight = Some((
            RequestKind::Subscriptions,
            InFlight {
                id: request_id,
                deadline: now + timeout_ms,
            },
        ));
        Some(Request {
            id: request_id,
            kind: RequestKind::Subscriptions,
            messages,
            timeout_ms,
        })
    }

    fn send_disconnect(&mut self, now: u64, client_id: &str) -> Request {
        let (id, message_id) = self.next_ids();
        let message = Message {
            channel: META_DISCONNECT.into(),
            id: Some(message_id),
            client_id: Some(client_id.into()),
            ..Message::default()
        };
        let timeout_ms = self.other_timeout();
        self.other_in_flight = Some((
            RequestKind::Disconnect,
            InFlight {
                id,
                deadline: now + timeout_ms,
            },
        ));
        Request {
            id,
            kind: RequestKind::Disconnect,
            messages: vec![message],
            timeout_ms,
        }
    }

    // --------------------------------------------------------------------------------- receiving

    fn take_advice(&mut self, message: &Received) {
        if let Some(advice) = &message.advice {
            // Newest advice wins, field by field: a reply that only says `reconnect` keeps the
            // timeout the server announced before.
            if advice.reconnect.is_some() {
                self.advice.reconnect = advice.reconnect.clone();
            }
            if advice.interval.is_some() {
                self.advice.interval = advice.interval;
            }
            if advice.timeout.is_some() {
                self.advice.timeout = advice.timeout;
            }
            if advice.max_interval.is_some() {
                self.advice.max_interval = advice.max_interval;
            }
            if advice.multiple_clients.is_some() {
                self.advice.multiple_clients = advice.multiple_clients;
            }
        }
    }

    fn interval(&self) -> u64 {
        self.advice.interval.unwrap_or(0)
    }

    fn on_handshake_reply(&mut self, now: u64, message: Received) {
        self.take_advice(&message);
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        match (message.is_successful(), message.client_id.clone()) {
            (true, Some(client_id)) if !client_id.is_empty() => {
                let rehandshake = self.had_session;
                self.client_id = Some(client_id);
                self.had_session = true;
                self.failures = 0;
                self.confirmed.clear();
                self.refused.clear();
                self.subscriptions_at = now;
                self.last_connect_sent_at = Some(now);
                self.connect_at = Some(now + self.interval());
                if self.stopping {
                    return;
                }
                self.resync_owed |= rehandshake;
                self.set_connected_when_subscribed();
            }
            _ if reconnect == Some(Reconnect::None) => self.stop(),
            _ => {
                let error = message.error.unwrap_or_else(|| "handshake refused".into());
                self.events
                    .push_back(Event::Malformed(format!("handshake failed: {error}")));
                self.schedule_handshake_retry(now);
            }
        }
    }

    fn on_connect_reply(&mut self, now: u64, message: Received) {
        self.take_advice(&message);
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        if message.is_successful() {
            self.failures = 0;
            if reconnect == Some(Reconnect::None) {
                self.stop();
                return;
            }
            self.connect_at = Some(now + self.interval());
            self.set_connected_when_subscribed();
            return;
        }
        match reconnect {
            Some(Reconnect::None) => self.stop(),
            Some(Reconnect::Handshake) => self.rehandshake(now, now + self.interval()),
            _ if message.error_code() == Some(402) => self.rehandshake(now, now + self.interval()),
            Some(Reconnect::Retry) if message.advice.is_some() => {
                // Fresh advice says retry: obey its interval instead of backing off.
                self.connect_at = Some(now + self.interval());
            }
            _ => self.schedule_connect_retry(now),
        }
    }

    fn on_subscription_reply(&mut self, now: u64, message: Received) {
        self.take_advice(&message);
        let channels: Vec<String> = message
            .subscription
            .as_ref()
            .map(|s| s.channels().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        if message.is_successful() {
            for channel in channels {
                if message.channel == META_SUBSCRIBE {
                    self.confirmed.insert(channel);
                } else {
                    self.confirmed.remove(&channel);
                }
            }
            self.set_connected_when_subscribed();
            return;
        }
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        if message.error_code() == Some(402) || reconnect == Some(Reconnect::Handshake) {
            self.rehandshake(now, now + self.interval());
            return;
        }
        let error = message.error.clone().unwrap_or_else(|| "refused".into());
        for channel in channels {
            if message.channel == META_SUBSCRIBE {
                self.refused.insert(channel.clone());
                self.events.push_back(Event::SubscriptionFailed {
                    channel,
                    error: error.clone(),
                });
            } else {
                // A refused unsubscribe leaves nothing to undo locally.
                self.confirmed.remove(&channel);
            }
        }
        self.set_connected_when_subscribed();
    }

    /// Whether every wanted channel is confirmed (or refused) in this session.
    fn subscribed(&self) -> bool {
        self.wanted
            .iter()
            .all(|c| self.confirmed.contains(c) || self.refused.contains(c))
    }

    /// `Connected` only once the session's subscriptions are in place: an application that
    /// reads its snapshot on `Connected` (or `ResyncNeeded`) then misses nothing — whatever is
    /// published after that read reaches it as a message. Announcing it at the handshake reply
    /// left a window (handshake → subscribe reply) where a new call was in neither.
    fn set_connected_when_subscribed(&mut self) {
        if self.client_id.is_none() || !self.subscribed() {
            return;
        }
        self.set_state(ConnectionState::Connected);
        if std::mem::take(&mut self.resync_owed) {
            self.events.push_back(Event::ResyncNeeded);
        }
    }

    fn on_application_message(&mut self, message: Received) {
        match message.data {
            Some(data) if !message.channel.is_empty() => self.events.push_back(Event::Message {
                channel: message.channel,
                data,
            }),
            _ => self.events.push_back(Event::Malformed(format!(
                "message without channel or data on '{}'",
                message.channel
            ))),
        }
    }

    // ---------------------------------------------------------------------------------- failures

    fn fail(&mut self, now: u64, kind: RequestKind) {
        match kind {
            RequestKind::Handshake => self.schedule_handshake_retry(now),
            RequestKind::Connect => {
                if self.session_surely_expired(now) {
                    self.failures += 1;
                    let delay = self.config.backoff.delay(self.failures, &mut self.jitter);
                    self.rehandshake(now, now + delay);
                } else {
                    self.schedule_connect_retry(now);
                }
            }
            RequestKind::Subscriptions => {
                // Not confirmed: they stay wanted and go out again after a backoff.
                self.failures += 1;
                self.subscriptions_at =
                    now + self.config.backoff.delay(self.failures, &mut self.jitter);
            }
            RequestKind::Disconnect => self.stop(),
        }
    }

    fn schedule_handshake_retry(&mut self, now: u64) {
        if self.stopping {
            // Nothing to close on the server: the handshake never produced a session.
            self.stop();
            return;
        }
        self.failures += 1;
        let delay = self.config.backoff.delay(self.failures, &mut self.jitter);
        self.handshake_at = Some(now + delay);
        self.set_state(ConnectionState::Reconnecting {
            attempt: self.failures,
            retry_at: Some(now + delay),
        });
        if !self.online {
            self.set_state(ConnectionState::Offline);
        }
    }

    fn schedule_connect_retry(&mut self, now: u64) {
        self.failures += 1;
        let delay = self.config.backoff.delay(self.failures, &mut self.jitter);
        self.connect_at = Some(now + self.interval() + delay);
        self.set_state(ConnectionState::Reconnecting {
            attempt: self.failures,
            retry_at: self.connect_at,
        });
        if !self.online {
            self.set_state(ConnectionState::Offline);
        }
    }

    /// Whether the server has certainly swept our session: no connect of ours can have reached
    /// it for longer than `timeout + interval + maxInterval` plus the network allowance (the
    /// cometd.js rule). Retrying a connect then only earns a 402, so re-handshake directly.
    fn session_surely_expired(&self, now: u64) -> bool {
        let (Some(max_interval), Some(last)) =
            (self.advice.max_interval, self.last_connect_sent_at)
        else {
            return false;
        };
        if self.connect_in_flight.is_some() {
            return false;
        }
        let allowance = self
            .advice
            .timeout
            .unwrap_or(self.config.default_timeout_ms)
            + self.interval()
            + max_interval
            + self.config.max_network_delay_ms;
        now.saturating_sub(last) > allowance
    }

    fn drop_session(&mut self, now: u64) {
        self.client_id = None;
        self.confirmed.clear();
        self.connect_in_flight = None;
        self.connect_at = None;
        if !matches!(self.other_in_flight, Some((RequestKind::Handshake, _))) {
            self.other_in_flight = None;
        }
        self.handshake_at = Some(now);
    }

    fn rehandshake(&mut self, now: u64, at: u64) {
        self.drop_session(now);
        self.handshake_at = Some(at);
        self.set_state(ConnectionState::Reconnecting {
            attempt: self.failures,
            retry_at: Some(at),
        });
        if !self.online {
            self.set_state(ConnectionState::Offline);
        }
    }

    fn expire_overdue(&mut self, now: u64) {
        if let Some(flight) = self.connect_in_flight.clone().filter(|f| f.deadline <= now) {
            self.handle_response(now, flight.id, Outcome::Timeout);
        }
        if let Some((_, flight)) = self
            .other_in_flight
            .clone()
            .filter(|(_, f)| f.deadline <= now)
        {
            self.handle_response(now, flight.id, Outcome::Timeout);
        }
    }

    fn refresh_waiting_state(&mut self) {
        if self.client_id.is_some() && self.failures == 0 {
            self.set_connected_when_subscribed();
        } else if !self.had_session && self.failures == 0 {
            self.set_state(ConnectionState::Connecting);
        } else {
            let retry_at = if self.client_id.is_some() {
                self.connect_at
            } else {
                self.handshake_at
            };
            self.set_state(ConnectionState::Reconnecting {
                attempt: self.failures,
                retry_at,
            });
        }
    }

    fn stop(&mut self) {
        self.started = false;
        self.stopping = false;
        self.client_id = None;
        self.confirmed.clear();
        self.connect_in_flight = None;
        self.other_in_flight = None;
        self.handshake_at = None;
        self.connect_at = None;
        self.set_state(ConnectionState::Disconnected);
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state.clone();
            self.events.push_back(Event::StateChanged(state));
        }
    }
}
