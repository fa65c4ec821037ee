//! A sans-IO Bayeux (CometD) long-polling client.
//!
//! The machine never sends anything itself. The driver asks it what to send
//! ([`BayeuxClient::poll_request`]), performs the HTTP POST, and feeds the outcome back
//! ([`BayeuxClient::handle_response`], or a 200 body piece by piece as it arrives:
//! [`BayeuxClient::begin_body`], [`BayeuxClient::feed_body`], [`BayeuxClient::end_body`]); it calls [`BayeuxClient::handle_timeout`] when
//! [`BayeuxClient::poll_deadline`] is reached, and drains [`BayeuxClient::poll_event`]. Time is
//! always an argument ([`Millis`] on any monotonic clock), so every failure case of the CometD
//! test list runs natively with virtual time. Even the goodbye of a page being unloaded comes
//! from here ([`BayeuxClient::goodbye`]): the driver never writes a Bayeux message itself.
//!
//! Inside, the client is in one explicit phase — idle, handshaking, connected (a session), or
//! disconnecting — and what only makes sense in one phase (the client id, confirmed channels,
//! the long poll's slot) lives in that phase's variant.
//!
//! Rules kept here (cometd-javascript behaviour, plus what agents need):
//! - at most one outstanding `/meta/connect` and one other request (handshake, subscribe,
//!   unsubscribe or disconnect);
//! - the newest `advice` wins; a connect may be held `advice.timeout` by the server, so its
//!   request timeout is `advice.timeout + max_network_delay`;
//! - every failure backs off linearly with jitter, capped: a transport failure, and also any
//!   unsuccessful reply (`successful: false`, whatever its advice) to a handshake, a connect or
//!   a subscriptions batch; the advised `interval` is added to the backoff (a minimum, never a
//!   replacement for it), so a server answering `{"successful":false,"advice":{"interval":0}}`
//!   cannot make the client retry at once, forever. Consecutive failures keep growing the delay
//!   (a successful handshake does not reset it); only a successful connect does;
//! - server advice is clamped ([`MAX_ADVICE`]): a huge `timeout`, `interval` or `maxInterval`
//!   cannot park the client for days or overflow a deadline;
//! - `402::…`, `reconnect: handshake`, or an absence longer than the server keeps sessions
//!   (`maxInterval`) → new handshake, every channel subscribed again, and the application told
//!   to re-read state it may have missed, once: by the change back into
//!   [`ConnectionState::Connected`] (a lost session goes through `Reconnecting`), or by
//!   [`Event::ResyncNeeded`] if the state never left `Connected` — never both;
//! - a channel the server refuses is reported ([`Event::SubscriptionFailed`]) and asked for
//!   again in the same session after [`REFUSED_RETRY`], doubling up to [`MAX_REFUSED_RETRY`]
//!   (and at every new session); once granted, [`Event::SubscriptionRestored`], and a re-read
//!   if the session was already `Connected` (what was published on it meanwhile was missed);
//! - [`ConnectionState::Connected`] means what the badge promises: a session whose
//!   subscriptions are in place and whose long poll is not backing off. It is read from the
//!   session, not from the failure count, which stays up after a re-handshake;
//! - anything malformed from the peer is an [`Event::Malformed`], never a panic.

use crate::backoff::{BackoffPolicy, Jitter};
use crate::time::Millis;
use gws_protocol::bayeux::{
    Advice, LONG_POLLING, META_CONNECT, META_DISCONNECT, META_HANDSHAKE, META_SUBSCRIBE,
    META_UNSUBSCRIBE, Message, MessageReader, RawData, Received, Reconnect, Subscription,
};
use serde_json::Value;
use std::collections::VecDeque;

/// The largest `timeout`, `interval` or `maxInterval` advice obeyed: 10 minutes. CometD servers
/// advise tens of seconds; anything above this is a misconfigured or hostile server, and obeying
/// it would leave the agent without notifications (or without a retry) for that long.
pub const MAX_ADVICE: Millis = Millis(10 * 60 * 1000);

/// How long a channel the server refused waits before it is asked for again in the same
/// session: 30 s, doubled at each refusal, at most [`MAX_REFUSED_RETRY`]. A refusal may be
/// passing (a server restarting a service, a permission being granted); a channel missing for
/// good still costs one subscribe every few minutes, not a loop.
pub const REFUSED_RETRY: Millis = Millis(30_000);

/// The longest wait between two subscribes of a refused channel: 5 minutes.
pub const MAX_REFUSED_RETRY: Millis = Millis(5 * 60 * 1000);

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
    /// Abort the HTTP request after this long.
    pub timeout: Millis,
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
        /// When the next attempt goes out (same clock as `now`, in milliseconds), if scheduled.
        /// A plain number: views and host events show it without knowing the client's types.
        retry_at: Option<u64>,
    },
    /// The browser reports no network; waiting for it to come back.
    Offline,
    /// Stopped: by [`BayeuxClient::disconnect`] or [`BayeuxClient::leave`], or not started yet.
    Disconnected,
    /// The server ended the session and advised not to come back (`reconnect: none`: a
    /// server-side disconnect). Nothing is retried on its own — the server asked so — but unlike
    /// [`ConnectionState::Disconnected`] the application did not want it: the agent is offered
    /// to reconnect ([`BayeuxClient::reconnect`]) instead of being left without notifications
    /// until the page is reloaded.
    EndedByServer,
    /// The server refused the credentials and asking again did not help: nothing is retried
    /// with them until the agent signs in again. Never produced by the Bayeux client; the widget
    /// core sets it ([`crate::widget_core`]), and it shares this type because the badge, the
    /// host's `gws:connection` and the follower tabs show it like any other connection state.
    SignedOut,
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
            ConnectionState::EndedByServer => "ended",
            ConnectionState::SignedOut => "signed-out",
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
    /// A channel the server refused before is subscribed now (it is asked for again after
    /// [`REFUSED_RETRY`], and at every new session).
    SubscriptionRestored {
        /// The channel.
        channel: String,
    },
    /// The server refused a subscription (asked for again after [`REFUSED_RETRY`], doubling).
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

/// Channel names, kept sorted and unique: what a `BTreeSet<String>` gave, in a fraction of
/// the code (a widget wants two channels; a B-tree of strings cost ≈ 5 KB of wasm).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Channels(Vec<String>);

impl Channels {
    fn position(&self, channel: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|known| known.as_str().cmp(channel))
    }

    fn contains(&self, channel: &str) -> bool {
        self.position(channel).is_ok()
    }

    /// Adds `channel`; false if it was there.
    fn insert(&mut self, channel: String) -> bool {
        match self.position(&channel) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, channel);
                true
            }
        }
    }

    /// Removes `channel`; false if it was not there.
    fn remove(&mut self, channel: &str) -> bool {
        match self.position(channel) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// In sorted order.
    fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }
}

/// Tunables.
#[derive(Debug, Clone, PartialEq)]
pub struct BayeuxConfig {
    /// Extra time a request may take on the network (cometd.js `maxNetworkDelay`, 10 s).
    pub max_network_delay: Millis,
    /// Connect hold assumed until the server advises one (CometD default 30 s).
    pub default_timeout: Millis,
    /// Retry delays.
    pub backoff: BackoffPolicy,
    /// Seed of the jitter generator (vary it per tab, e.g. from the clock).
    pub jitter_seed: u64,
}

impl Default for BayeuxConfig {
    fn default() -> Self {
        BayeuxConfig {
            max_network_delay: Millis(10_000),
            default_timeout: Millis(30_000),
            backoff: BackoffPolicy::default(),
            jitter_seed: 0x5EED,
        }
    }
}

/// A request that is out: answered through [`BayeuxClient::handle_response`], or abandoned (as
/// if timed out) at `deadline`.
#[derive(Debug, Clone)]
struct InFlight {
    id: RequestId,
    deadline: Millis,
}

impl InFlight {
    /// Tracks `request`, sent at `now`.
    fn of(request: &Request, now: Millis) -> InFlight {
        InFlight {
            id: request.id,
            deadline: now + request.timeout,
        }
    }
}

/// The turn of one kind of request: either scheduled or out, never both — which is how "at most
/// one outstanding `/meta/connect`" holds by construction.
#[derive(Debug, Clone)]
enum Slot {
    /// Nothing scheduled: a connect whose reply is being handled, or one that will not go out
    /// again because the session is being closed.
    Free,
    /// Goes out at or after this time (for subscriptions: only if a change is owed).
    Due(Millis),
    /// Out; its reply (or its deadline) frees the slot.
    InFlight(InFlight),
}

impl Slot {
    fn is_due(&self, now: Millis) -> bool {
        matches!(self, Slot::Due(at) if *at <= now)
    }

    fn due_at(&self) -> Option<Millis> {
        match self {
            Slot::Due(at) => Some(*at),
            _ => None,
        }
    }

    fn in_flight(&self) -> Option<&InFlight> {
        match self {
            Slot::InFlight(flight) => Some(flight),
            _ => None,
        }
    }
}

/// A session the server granted: everything here is void once it ends, so it ends with it.
#[derive(Debug)]
struct Session {
    client_id: String,
    /// The long poll.
    connect: Slot,
    /// Subscribe/unsubscribe batches (the "other" request of the session).
    subscriptions: Slot,
    /// Channels this session has confirmed.
    confirmed: Channels,
    /// Channels the server refused in this session: not asked for again until
    /// `refused_retry_at` (or the next session).
    refused: Channels,
    /// When the refused channels are asked for again.
    refused_retry_at: Option<Millis>,
    /// Refusals in this session (the wait doubles with each).
    refusals: u32,
    /// When the last connect went out (or the session began): the server cannot have swept the
    /// session earlier than `timeout + interval + maxInterval` after it.
    last_connect_sent_at: Millis,
    /// It replaced a lost session: `ResyncNeeded` goes out once it is subscribed.
    resync_owed: bool,
    /// Its long poll is backing off: the last connect failed and none has succeeded since.
    /// Subscriptions in place deliver nothing then, so the state stays `Reconnecting` until a
    /// connect succeeds. Per session, not the client-wide failure count: that one stays up after
    /// a re-handshake (so the backoff keeps growing), and read as "unhealthy" it turned a
    /// subscribed session with a healthy held connect into `Reconnecting`.
    long_poll_failing: bool,
}

impl Session {
    fn new(client_id: String, now: Millis, connect_at: Millis, resync_owed: bool) -> Session {
        Session {
            client_id,
            connect: Slot::Due(connect_at),
            subscriptions: Slot::Due(now),
            confirmed: Channels::default(),
            refused: Channels::default(),
            refused_retry_at: None,
            refusals: 0,
            last_connect_sent_at: now,
            resync_owed,
            long_poll_failing: false,
        }
    }

    /// Whether every wanted channel is confirmed (or refused) in this session.
    fn subscribed(&self, wanted: &Channels) -> bool {
        wanted
            .iter()
            .all(|c| self.confirmed.contains(c) || self.refused.contains(c))
    }

    /// Whether a subscribe or unsubscribe is owed.
    fn owes_subscriptions(&self, wanted: &Channels) -> bool {
        !self.subscribed(wanted) || self.confirmed.iter().any(|c| !wanted.contains(c))
    }

    /// One batch with every subscribe and unsubscribe owed, if any.
    fn subscriptions_request(
        &self,
        wanted: &Channels,
        ids: &mut Ids,
        timeout: Millis,
    ) -> Option<Request> {
        let subscribes = wanted
            .iter()
            .filter(|c| !self.confirmed.contains(c) && !self.refused.contains(c))
            .map(|c| (c, META_SUBSCRIBE));
        let unsubscribes = self
            .confirmed
            .iter()
            .filter(|c| !wanted.contains(c))
            .map(|c| (c, META_UNSUBSCRIBE));
        let messages: Vec<Message> = subscribes
            .chain(unsubscribes)
            .map(|(channel, meta)| Message {
                subscription: Some(Subscription::One(channel.clone())),
                ..ids.meta(meta, Some(&self.client_id))
            })
            .collect();
        if messages.is_empty() {
            return None;
        }
        Some(ids.request(RequestKind::Subscriptions, messages, timeout))
    }
}

/// Where the client is in the Bayeux lifecycle (Unconnected → Handshaking → Connected, plus
/// Disconnecting). State that only means something in one phase lives in its variant, so no
/// combination of flags can describe an impossible client.
#[derive(Debug)]
enum Phase {
    /// Not started, or stopped: by [`BayeuxClient::disconnect`] or [`BayeuxClient::leave`], or
    /// by the server (`reconnect: none`).
    Idle,
    /// No session: the handshake is due (first attempt, or after a backoff) or out.
    Handshaking(Slot),
    /// The server granted a session. [`ConnectionState::Connected`] is announced only once its
    /// subscriptions are in place.
    Connected(Session),
    /// The application asked to stop: the session is closed before the client goes idle.
    Disconnecting(Closing),
}

/// What disconnecting still waits for.
#[derive(Debug)]
enum Closing {
    /// A handshake was out: the session it may create is closed too, instead of lingering on
    /// the server until its `maxInterval`.
    AwaitingHandshake(InFlight),
    /// `/meta/disconnect` goes out once the subscriptions batch in flight (if any) is answered;
    /// the long poll is not renewed. `disconnect` is the request once it is out.
    Session {
        session: Session,
        /// Leaving ([`BayeuxClient::leave`]): one `/meta/unsubscribe` batch for every confirmed
        /// channel is owed before the disconnect. Cleared when that batch goes out, whatever
        /// becomes of it, so a server that fails it cannot hold the logout.
        unsubscribe_owed: bool,
        disconnect: Option<InFlight>,
    },
}

impl Phase {
    fn session(&self) -> Option<&Session> {
        match self {
            Phase::Connected(session) | Phase::Disconnecting(Closing::Session { session, .. }) => {
                Some(session)
            }
            _ => None,
        }
    }

    fn session_mut(&mut self) -> Option<&mut Session> {
        match self {
            Phase::Connected(session) | Phase::Disconnecting(Closing::Session { session, .. }) => {
                Some(session)
            }
            _ => None,
        }
    }

    /// Running: neither idle nor on the way out.
    fn is_running(&self) -> bool {
        matches!(self, Phase::Handshaking(_) | Phase::Connected(_))
    }

    /// The requests that are out: the connect first, then the other one.
    fn flights(&self) -> impl Iterator<Item = (RequestKind, &InFlight)> {
        let with = |kind| move |flight| (kind, flight);
        let (connect, other) = match self {
            Phase::Idle => (None, None),
            Phase::Handshaking(slot) => (None, slot.in_flight().map(with(RequestKind::Handshake))),
            Phase::Connected(session) => (
                session.connect.in_flight(),
                session
                    .subscriptions
                    .in_flight()
                    .map(with(RequestKind::Subscriptions)),
            ),
            Phase::Disconnecting(Closing::AwaitingHandshake(flight)) => {
                (None, Some((RequestKind::Handshake, flight)))
            }
            Phase::Disconnecting(Closing::Session {
                session,
                disconnect,
                ..
            }) => (
                session.connect.in_flight(),
                session
                    .subscriptions
                    .in_flight()
                    .map(with(RequestKind::Subscriptions))
                    .or(disconnect.as_ref().map(with(RequestKind::Disconnect))),
            ),
        };
        connect
            .map(with(RequestKind::Connect))
            .into_iter()
            .chain(other)
    }

    /// When the next handshake or connect is scheduled, if it is.
    fn retry_at(&self) -> Option<Millis> {
        match self {
            Phase::Handshaking(slot) => slot.due_at(),
            Phase::Connected(session) => session.connect.due_at(),
            _ => None,
        }
    }
}

/// Request and message id counters (two sequences, as the wire needs only message ids unique).
#[derive(Debug)]
struct Ids {
    next_request: u64,
    next_message: u64,
}

impl Ids {
    /// A request of `kind` with a fresh id.
    fn request(&mut self, kind: RequestKind, messages: Vec<Message>, timeout: Millis) -> Request {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        Request {
            id,
            kind,
            messages,
            timeout,
        }
    }

    /// A meta message on `channel` with a fresh message id.
    fn meta(&mut self, channel: &str, client_id: Option<&str>) -> Message {
        let id = self.next_message.to_string();
        self.next_message += 1;
        Message {
            channel: channel.into(),
            id: Some(id).into(),
            client_id: client_id.map(str::to_string).into(),
            ..Message::default()
        }
    }

    fn handshake(&mut self, timeout: Millis) -> Request {
        let message = Message {
            version: "1.0".into(),
            minimum_version: "1.0".into(),
            supported_connection_types: Some(vec![Value::String(LONG_POLLING.into())]),
            advice: Some(Advice {
                timeout: Some(60_000),
                interval: Some(0),
                ..Advice::default()
            }),
            ..self.meta(META_HANDSHAKE, None)
        };
        self.request(RequestKind::Handshake, vec![message], timeout)
    }

    fn connect(&mut self, client_id: &str, timeout: Millis) -> Request {
        let message = Message {
            connection_type: LONG_POLLING.into(),
            ..self.meta(META_CONNECT, Some(client_id))
        };
        self.request(RequestKind::Connect, vec![message], timeout)
    }

    fn disconnect(&mut self, client_id: &str, timeout: Millis) -> Request {
        let message = self.meta(META_DISCONNECT, Some(client_id));
        self.request(RequestKind::Disconnect, vec![message], timeout)
    }
}

/// The client state machine. See the module docs for the driving protocol.
#[derive(Debug)]
pub struct BayeuxClient {
    config: BayeuxConfig,
    jitter: Jitter,
    /// The newest advice, kept across sessions (a re-handshake obeys the last interval).
    advice: Advice,
    /// What the application was last told.
    state: ConnectionState,
    phase: Phase,
    /// The browser's network status: nothing goes out while it is `false`.
    online: bool,
    /// A session existed before: the next successful handshake is a re-handshake.
    had_session: bool,
    ids: Ids,
    /// Consecutive failures (of any request), the backoff step and the attempt shown.
    failures: u32,
    /// Channels the application wants, subscribed again on every session.
    wanted: Channels,
    /// Channels refused (in this session or an earlier one) and not confirmed since: their
    /// confirmation is news for the application ([`Event::SubscriptionRestored`]).
    refused_before: Channels,
    events: VecDeque<Event>,
    /// The 200 reply being read piece by piece ([`BayeuxClient::begin_body`]), if any.
    reading: Option<Reading>,
}

/// A successful reply whose body is being read: each message is handled as soon as it has
/// arrived whole, so a backlog of thousands of messages is never held at once.
#[derive(Debug)]
struct Reading {
    kind: RequestKind,
    reader: MessageReader,
    replies: Replies,
}

/// What the replies read so far in a body said, for the checks at its end.
#[derive(Debug, Clone, Copy, Default)]
struct Replies {
    /// The reply to the request itself arrived.
    answered: bool,
    subscriptions_failed: bool,
    subscriptions_progressed: bool,
}

impl BayeuxClient {
    /// A stopped client; call [`BayeuxClient::start`].
    pub fn new(config: BayeuxConfig) -> Self {
        BayeuxClient {
            jitter: Jitter::new(config.jitter_seed),
            config,
            advice: Advice::default(),
            state: ConnectionState::Disconnected,
            phase: Phase::Idle,
            online: true,
            had_session: false,
            ids: Ids {
                next_request: 1,
                next_message: 1,
            },
            failures: 0,
            wanted: Channels::default(),
            refused_before: Channels::default(),
            events: VecDeque::new(),
            reading: None,
        }
    }

    /// Begins the handshake at `now`. Does nothing while the client is already running or
    /// disconnecting: a second start must not drop a live session.
    pub fn start(&mut self, now: Millis) {
        if !matches!(self.phase, Phase::Idle) {
            return;
        }
        self.phase = Phase::Handshaking(Slot::Due(now));
        self.set_state(if self.online {
            ConnectionState::Connecting
        } else {
            ConnectionState::Offline
        });
    }

    /// Adds a channel; it is (re)subscribed on every session.
    pub fn subscribe(&mut self, channel: &str) {
        self.wanted.insert(channel.to_string());
        if let Some(session) = self.phase.session_mut() {
            session.refused.remove(channel);
        }
    }

    /// Removes a channel.
    pub fn unsubscribe(&mut self, channel: &str) {
        self.wanted.remove(channel);
    }

    /// Ends the session: a `/meta/disconnect` comes out of [`BayeuxClient::poll_request`] when
    /// possible (after a subscriptions batch in flight), then no more requests, and the state
    /// becomes [`ConnectionState::Disconnected`] once it is answered or has failed. A handshake
    /// already on its way is awaited first, so the session it creates on the server is closed
    /// too instead of lingering until the server's `maxInterval`. Without a session (or a
    /// handshake out), the client stops at once.
    pub fn disconnect(&mut self) {
        self.close(false);
    }

    /// The orderly goodbye of a logout (API doc §2.6 step 7: unsubscribe, disconnect, then
    /// `EndContactCenterSession`): like [`BayeuxClient::disconnect`], but a connected session
    /// first unsubscribes every channel it has confirmed, in one `/meta/unsubscribe` batch, so
    /// the server stops routing the agent's notifications to it before the session ends.
    ///
    /// Bounded, because a logout must finish: a subscriptions batch already in flight is
    /// awaited (its confirmations are then unsubscribed too), no new subscribe goes out, the
    /// unsubscribe batch is attempted at most once, and `/meta/disconnect` follows whatever
    /// becomes of it (answered, refused, HTTP error, timeout, network error). A session the
    /// server reports lost on the way needs no disconnect: the client stops at once. Messages
    /// the held long poll still brings are delivered; it is not renewed.
    ///
    /// In any other phase (handshaking, already disconnecting, idle) it is
    /// [`BayeuxClient::disconnect`]: no session has confirmed a channel to unsubscribe.
    ///
    /// The channels the application wants are kept: leaving ends the session, not the
    /// application's interest, so a later [`BayeuxClient::start`] subscribes them all again
    /// (as after `disconnect`). Call [`BayeuxClient::unsubscribe`] to drop one for good.
    pub fn leave(&mut self) {
        self.close(true);
    }

    /// Moves to disconnecting (see [`BayeuxClient::disconnect`]); `unsubscribe_first` owes a
    /// connected session's unsubscribe batch before its `/meta/disconnect`.
    fn close(&mut self, unsubscribe_first: bool) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Handshaking(Slot::InFlight(flight)) => {
                Phase::Disconnecting(Closing::AwaitingHandshake(flight))
            }
            // An ended client (`EndedByServer`) stopped by the application is simply stopped.
            Phase::Handshaking(_) | Phase::Idle => return self.stop(),
            Phase::Connected(session) => Phase::Disconnecting(Closing::Session {
                session,
                unsubscribe_owed: unsubscribe_first,
                disconnect: None,
            }),
            phase @ Phase::Disconnecting(_) => phase,
        };
    }

    /// A `/meta/disconnect` for the current session, for a page that is going away (`pagehide`):
    /// the driver sends it with a keepalive fetch so the server frees the session at once instead
    /// of after its `maxInterval`. Fire-and-forget: an unloading page cannot read the reply, so
    /// the client does not track it and its phase is unchanged — if the page comes back (from
    /// the back/forward cache), the next connect learns that the session is gone (`402`) and
    /// re-handshakes. `None` without a session.
    pub fn goodbye(&mut self) -> Option<Request> {
        let timeout = self.other_timeout();
        let session = self.phase.session()?;
        Some(self.ids.disconnect(&session.client_id, timeout))
    }

    /// The current session id, if any.
    pub fn client_id(&self) -> Option<&str> {
        self.phase.session().map(|s| s.client_id.as_str())
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
        self.phase
            .session()
            .into_iter()
            .flat_map(|s| s.confirmed.iter().map(String::as_str))
    }

    /// Whether a `/meta/connect` is outstanding.
    pub fn connect_in_flight(&self) -> bool {
        self.phase
            .session()
            .is_some_and(|s| s.connect.in_flight().is_some())
    }

    /// The browser's network status changed. Going offline parks the machine; coming back
    /// retries at once.
    pub fn set_online(&mut self, now: Millis, online: bool) {
        if self.online == online {
            return;
        }
        self.online = online;
        if !self.phase.is_running() {
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
    pub fn retry_now(&mut self, now: Millis) {
        if !self.phase.is_running() {
            return;
        }
        self.expire_overdue(now);
        if self.session_surely_expired(now) {
            self.phase = Phase::Handshaking(Slot::Due(now));
        }
        match &mut self.phase {
            Phase::Handshaking(Slot::Due(at)) => *at = now,
            Phase::Connected(Session {
                connect: Slot::Due(at),
                ..
            }) => *at = now,
            _ => {}
        }
        if self.online {
            self.refresh_waiting_state();
        }
    }

    /// The agent asked to reconnect ("Retry now"): after the server ended the session
    /// ([`ConnectionState::EndedByServer`]) a new one is started — a person decided, not a
    /// retry loop, so the server's `reconnect: none` is not defied — otherwise it is
    /// [`BayeuxClient::retry_now`]. Not what a page coming back calls: that is automatic.
    pub fn reconnect(&mut self, now: Millis) {
        if self.state == ConnectionState::EndedByServer && matches!(self.phase, Phase::Idle) {
            self.start(now);
        } else {
            self.retry_now(now);
        }
    }

    /// The earliest time at which [`BayeuxClient::handle_timeout`] has work to do.
    pub fn poll_deadline(&self) -> Option<Millis> {
        let scheduled = self.online.then(|| self.phase.retry_at()).flatten();
        // A subscriptions batch retried after a backoff goes out on time, not with the next
        // connect (only when one is owed: the slot of a settled session is always due).
        let subscriptions = match &self.phase {
            Phase::Connected(session)
                if self.online && session.owes_subscriptions(&self.wanted) =>
            {
                session.subscriptions.due_at()
            }
            _ => None,
        };
        let refused_retry = match &self.phase {
            Phase::Connected(session) if self.online => session.refused_retry_at,
            _ => None,
        };
        self.phase
            .flights()
            .map(|(_, flight)| flight.deadline)
            .chain(scheduled)
            .chain(subscriptions)
            .chain(refused_retry)
            .min()
    }

    /// Expires requests whose time is up (as if the driver had reported [`Outcome::Timeout`]).
    pub fn handle_timeout(&mut self, now: Millis) {
        self.expire_overdue(now);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next request to send at `now`, if one is due. Call until it returns `None`.
    pub fn poll_request(&mut self, now: Millis) -> Option<Request> {
        if !self.online {
            return None;
        }
        let other_timeout = self.other_timeout();
        let connect_timeout = self.connect_timeout();
        let ids = &mut self.ids;
        match &mut self.phase {
            Phase::Idle | Phase::Disconnecting(Closing::AwaitingHandshake(_)) => None,
            Phase::Handshaking(slot) => {
                if !slot.is_due(now) {
                    return None;
                }
                let request = ids.handshake(other_timeout);
                *slot = Slot::InFlight(InFlight::of(&request, now));
                Some(request)
            }
            Phase::Connected(session) => {
                if session.refused_retry_at.is_some_and(|at| at <= now) {
                    // Their wait is over: the next batch asks for them again.
                    session.refused = Channels::default();
                    session.refused_retry_at = None;
                }
                if session.subscriptions.is_due(now)
                    && let Some(request) =
                        session.subscriptions_request(&self.wanted, ids, other_timeout)
                {
                    session.subscriptions = Slot::InFlight(InFlight::of(&request, now));
                    return Some(request);
                }
                if !session.connect.is_due(now) {
                    return None;
                }
                let request = ids.connect(&session.client_id, connect_timeout);
                session.connect = Slot::InFlight(InFlight::of(&request, now));
                session.last_connect_sent_at = now;
                Some(request)
            }
            Phase::Disconnecting(Closing::Session {
                session,
                unsubscribe_owed,
                disconnect,
            }) => {
                if disconnect.is_some() || session.subscriptions.in_flight().is_some() {
                    return None;
                }
                if std::mem::take(unsubscribe_owed)
                    // Leaving wants no channel: the batch that reaches an empty wanted set
                    // unsubscribes every confirmed one and subscribes nothing.
                    && let Some(request) =
                        session.subscriptions_request(&Channels::default(), ids, other_timeout)
                {
                    session.subscriptions = Slot::InFlight(InFlight::of(&request, now));
                    return Some(request);
                }
                let request = ids.disconnect(&session.client_id, other_timeout);
                *disconnect = Some(InFlight::of(&request, now));
                Some(request)
            }
        }
    }

    /// Feeds back what happened to request `id`. Unknown (abandoned) ids are ignored.
    ///
    /// A 200 body given whole is read exactly as if it had been fed in one piece
    /// ([`BayeuxClient::begin_body`]).
    pub fn handle_response(&mut self, now: Millis, id: RequestId, outcome: Outcome) {
        match outcome {
            Outcome::Http { status: 200, body } => {
                if self.begin_body(now, id) {
                    self.feed_body(now, body.as_bytes());
                    self.end_body(now);
                }
            }
            Outcome::Http { status, .. } => {
                let Some(kind) = self.take_in_flight(now, id) else {
                    return;
                };
                if status == 401 || status == 403 {
                    self.events.push_back(Event::Unauthorized { status });
                }
                self.fail(now, kind);
            }
            Outcome::Timeout | Outcome::NetworkError(_) => {
                if let Some(kind) = self.take_in_flight(now, id) {
                    self.fail(now, kind);
                }
            }
        }
    }

    /// A 200 reply to request `id` has begun: its body follows in pieces
    /// ([`BayeuxClient::feed_body`]), then [`BayeuxClient::end_body`]. Returns `false` — skip
    /// the body — when `id` is not out (abandoned, or never ours).
    ///
    /// Why in pieces: a connect reply after a stall can carry thousands of messages (issue 14,
    /// a burst left wasm memory at 42 MB). Each message is handled — and its event can be
    /// drained — as soon as it has arrived whole, so neither the body nor its decoded messages
    /// are ever held at once. Read one body at a time: a body still open when another begins
    /// ends there, as if cut short.
    pub fn begin_body(&mut self, now: Millis, id: RequestId) -> bool {
        self.end_body(now);
        let Some(kind) = self.take_in_flight(now, id) else {
            return false;
        };
        self.reading = Some(Reading {
            kind,
            reader: MessageReader::new(),
            replies: Replies::default(),
        });
        true
    }

    /// The kind of request whose reply body is being read ([`BayeuxClient::begin_body`] until
    /// [`BayeuxClient::end_body`]), if any. A driver that must stop may cut a long poll's body
    /// short (what it carries is messages), but not a handshake's or a subscribe's: they are the
    /// session's own bookkeeping — a session the server created must be known, so that
    /// [`BayeuxClient::disconnect`] can close it.
    pub fn reading(&self) -> Option<RequestKind> {
        self.reading.as_ref().map(|reading| reading.kind)
    }

    /// The next piece of the body begun with [`BayeuxClient::begin_body`] (cut anywhere, even
    /// inside a character). Every message completed in it is handled at once, in order; its
    /// events are ready for [`BayeuxClient::poll_event`]. Ignored without a body begun.
    pub fn feed_body(&mut self, now: Millis, piece: &[u8]) {
        let Some(reading) = self.reading.as_mut() else {
            return;
        };
        let kind = reading.kind;
        let mut replies = reading.replies;
        let items = reading.reader.feed::<RawData>(piece);
        for item in items {
            match item {
                Ok(message) => self.on_message(now, kind, message, &mut replies),
                Err(error) => self.events.push_back(Event::Malformed(error)),
            }
        }
        if let Some(reading) = self.reading.as_mut() {
            reading.replies = replies;
        }
    }

    /// The body begun with [`BayeuxClient::begin_body`] is complete, or was cut short (a
    /// network error or timeout while reading it: what arrived whole was handled, the rest is
    /// lost). A reply that never contained the answer to its request is a failure of that
    /// request. Ignored without a body begun.
    pub fn end_body(&mut self, now: Millis) {
        let Some(mut reading) = self.reading.take() else {
            return;
        };
        if let Some(error) = reading.reader.finish() {
            self.events.push_back(Event::Malformed(error));
        }
        let (kind, replies) = (reading.kind, reading.replies);
        if replies.answered && kind == RequestKind::Subscriptions {
            self.back_off_stalled_subscriptions(
                now,
                replies.subscriptions_failed,
                replies.subscriptions_progressed,
            );
        }
        if !replies.answered {
            // EmptyResponse: a 200 without the reply we asked for is a failure of that request.
            if kind == RequestKind::Disconnect {
                self.stop();
                return;
            }
            let meta_channel = match kind {
                RequestKind::Handshake => META_HANDSHAKE,
                RequestKind::Connect => META_CONNECT,
                RequestKind::Disconnect => META_DISCONNECT,
                RequestKind::Subscriptions => META_SUBSCRIBE,
            };
            self.events.push_back(Event::Malformed(format!(
                "no {meta_channel} reply in response"
            )));
            self.fail(now, kind);
        }
    }

    /// One message of a reply to a request of `kind`.
    fn on_message(
        &mut self,
        now: Millis,
        kind: RequestKind,
        message: Received,
        replies: &mut Replies,
    ) {
        match message.channel.as_str() {
            META_HANDSHAKE if kind == RequestKind::Handshake => {
                replies.answered = true;
                self.on_handshake_reply(now, message);
            }
            META_CONNECT if kind == RequestKind::Connect => {
                replies.answered = true;
                self.on_connect_reply(now, message);
            }
            META_SUBSCRIBE | META_UNSUBSCRIBE if kind == RequestKind::Subscriptions => {
                replies.answered = true;
                replies.subscriptions_failed |= !message.is_successful();
                replies.subscriptions_progressed |= self.on_subscription_reply(now, message);
            }
            META_DISCONNECT if kind == RequestKind::Disconnect => {
                replies.answered = true;
                self.stop();
            }
            channel if channel.starts_with("/meta/") => {
                self.events
                    .push_back(Event::Malformed(format!("unexpected reply on {channel}")));
            }
            _ => self.on_application_message(message),
        }
    }

    // ----------------------------------------------------------------------------------- sending

    /// What a request other than the connect may take on the network.
    fn other_timeout(&self) -> Millis {
        self.config.max_network_delay
    }

    /// How long the server may hold a connect: its advice, else the configured default.
    fn connect_hold(&self) -> Millis {
        self.advice
            .timeout
            .map_or(self.config.default_timeout, Millis)
    }

    fn connect_timeout(&self) -> Millis {
        self.connect_hold() + self.config.max_network_delay
    }

    // --------------------------------------------------------------------------------- receiving

    /// Which request `id` was, its slot freed for the reply's handling; `None` if it is not out
    /// (abandoned, or never ours). Handshake and disconnect flights are left in place: every
    /// outcome of theirs replaces the phase.
    fn take_in_flight(&mut self, now: Millis, id: RequestId) -> Option<RequestKind> {
        let (kind, _) = self.phase.flights().find(|(_, flight)| flight.id == id)?;
        if let Some(session) = self.phase.session_mut() {
            match kind {
                RequestKind::Connect => session.connect = Slot::Free,
                RequestKind::Subscriptions => session.subscriptions = Slot::Due(now),
                RequestKind::Handshake | RequestKind::Disconnect => {}
            }
        }
        Some(kind)
    }

    fn take_advice(&mut self, message: &Received) {
        if let Some(advice) = &message.advice {
            // Newest advice wins, field by field: a reply that only says `reconnect` keeps the
            // timeout the server announced before.
            if advice.reconnect.is_some() {
                self.advice.reconnect = advice.reconnect.clone();
            }
            let clamp = |millis: Option<u64>| millis.map(|m| m.min(MAX_ADVICE.as_u64()));
            if advice.interval.is_some() {
                self.advice.interval = clamp(advice.interval);
            }
            if advice.timeout.is_some() {
                self.advice.timeout = clamp(advice.timeout);
            }
            if advice.max_interval.is_some() {
                self.advice.max_interval = clamp(advice.max_interval);
            }
            if advice.multiple_clients.is_some() {
                self.advice.multiple_clients = advice.multiple_clients.clone();
            }
        }
    }

    fn interval(&self) -> Millis {
        Millis(self.advice.interval.unwrap_or(0))
    }

    fn on_handshake_reply(&mut self, now: Millis, message: Received) {
        let closing = match self.phase {
            Phase::Handshaking(_) => false,
            Phase::Disconnecting(Closing::AwaitingHandshake(_)) => true,
            // A second handshake reply in the same body: the first one decided.
            _ => return,
        };
        self.take_advice(&message);
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        match (message.is_successful(), message.client_id.0.clone()) {
            // `reconnect: none` is obeyed on a granted session too (as cometd-javascript does):
            // the server asked for no connect at all, so neither a subscribe nor a long poll
            // goes out with the id it just gave.
            _ if reconnect == Some(Reconnect::None) && closing => self.stop(),
            _ if reconnect == Some(Reconnect::None) => self.end_by_server(),
            (true, Some(client_id)) if !client_id.is_empty() => {
                let rehandshake = self.had_session;
                self.had_session = true;
                // `failures` is not reset: a server that grants sessions but fails every
                // connect must not get a fresh (shortest) backoff each time. A successful
                // connect resets it.
                let session = Session::new(client_id, now, now + self.interval(), rehandshake);
                if closing {
                    // A session born while leaving has no channel to unsubscribe.
                    self.phase = Phase::Disconnecting(Closing::Session {
                        session,
                        unsubscribe_owed: false,
                        disconnect: None,
                    });
                    return;
                }
                self.phase = Phase::Connected(session);
                self.set_connected_when_subscribed();
            }
            _ => {
                let error = message
                    .error
                    .0
                    .unwrap_or_else(|| "handshake refused".into());
                self.events
                    .push_back(Event::Malformed(format!("handshake failed: {error}")));
                self.schedule_handshake_retry(now);
            }
        }
    }

    fn on_connect_reply(&mut self, now: Millis, message: Received) {
        self.take_advice(&message);
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        let session_lost =
            reconnect == Some(Reconnect::Handshake) || message.error_code() == Some(402);
        if !matches!(self.phase, Phase::Connected(_)) {
            // Closing: the long poll is not renewed; only a session already gone ends the wait.
            if self.phase.session().is_some()
                && (session_lost || reconnect == Some(Reconnect::None))
            {
                self.stop();
            }
            return;
        }
        if message.is_successful() {
            self.failures = 0;
            if let Some(session) = self.phase.session_mut() {
                session.long_poll_failing = false;
            }
            if reconnect == Some(Reconnect::None) {
                self.end_by_server();
                return;
            }
            self.schedule_connect(now + self.interval());
            self.set_connected_when_subscribed();
            return;
        }
        // Unsuccessful, whatever the advice: back off (the advised interval is a minimum). A
        // server answering every connect at once with `reconnect: retry, interval: 0` would
        // otherwise be polled in a tight loop.
        match reconnect {
            Some(Reconnect::None) => self.end_by_server(),
            _ if session_lost => self.session_lost(now),
            _ => self.schedule_connect_retry(now),
        }
    }

    /// One reply of a subscriptions batch. Returns whether it made progress: successful, and
    /// confirmed or dropped a channel (see [`BayeuxClient::back_off_stalled_subscriptions`]).
    fn on_subscription_reply(&mut self, now: Millis, message: Received) -> bool {
        self.take_advice(&message);
        if self.phase.session().is_none() {
            // An earlier reply of the same body ended the session: a server that lost it
            // answers `402` to every message of the batch. The first one decided; the next
            // ones must not act again — a second re-handshake (and backoff step) while
            // connected, or, after a leave's unsubscribe batch stopped the client, a
            // re-handshake that turned the logout into a new session.
            return false;
        }
        let reconnect = message.advice.as_ref().and_then(|a| a.reconnect.clone());
        if !message.is_successful()
            && (message.error_code() == Some(402) || reconnect == Some(Reconnect::Handshake))
        {
            self.session_lost(now);
            return false;
        }
        let Some(session) = self.phase.session_mut() else {
            return false;
        };
        let channels = message
            .subscription
            .as_ref()
            .map(|s| s.channels())
            .unwrap_or_default();
        let subscribe = message.channel == META_SUBSCRIBE;
        let error = message.error.as_deref().unwrap_or("refused");
        let mut changed = false;
        for channel in channels {
            if !subscribe {
                // A refused unsubscribe leaves nothing to undo locally.
                changed |= session.confirmed.remove(channel);
            } else if message.is_successful() {
                changed |= session.confirmed.insert(channel.to_string());
                if self.refused_before.remove(channel) {
                    self.events.push_back(Event::SubscriptionRestored {
                        channel: channel.to_string(),
                    });
                    // What was published on it meanwhile was missed: re-read, unless the
                    // session's own `Connected` (or `ResyncNeeded`) is still to come and will.
                    if self.state == ConnectionState::Connected && !session.resync_owed {
                        self.events.push_back(Event::ResyncNeeded);
                    }
                }
            } else {
                session.refused.insert(channel.to_string());
                // One wait per batch, however many channels it refused.
                if session.refused_retry_at.is_none() {
                    session.refusals = session.refusals.saturating_add(1);
                    let wait = crate::backoff::doubled(
                        REFUSED_RETRY.as_u64(),
                        session.refusals.saturating_sub(1),
                    )
                    .min(MAX_REFUSED_RETRY.as_u64());
                    session.refused_retry_at = Some(now + Millis(wait));
                }
                self.refused_before.insert(channel.to_string());
                self.events.push_back(Event::SubscriptionFailed {
                    channel: channel.to_string(),
                    error: error.to_string(),
                });
            }
        }
        self.set_connected_when_subscribed();
        changed && message.is_successful()
    }

    /// After the replies to a subscriptions batch: if one was unsuccessful, or none made progress
    /// while a batch is still owed (the server answered for other channels, or for none), the
    /// next batch waits for a backoff instead of going out at once, forever.
    fn back_off_stalled_subscriptions(&mut self, now: Millis, failed: bool, progressed: bool) {
        let stalled = match &self.phase {
            Phase::Connected(session) => {
                failed || (!progressed && session.owes_subscriptions(&self.wanted))
            }
            _ => false,
        };
        if !stalled {
            return;
        }
        let delay = self.retry_delay();
        if let Some(session) = self.phase.session_mut()
            && session.subscriptions.in_flight().is_none()
        {
            session.subscriptions = Slot::Due(now + delay);
        }
    }

    /// `Connected` only once the session's subscriptions are in place: an application that
    /// reads its snapshot on `Connected` (or `ResyncNeeded`) then misses nothing — whatever is
    /// published after that read reaches it as a message. Announcing it at the handshake reply
    /// left a window (handshake → subscribe reply) where a new call was in neither. Nor while
    /// the long poll backs off (a subscribe answered after the first connect failed): nothing
    /// arrives then, and the badge would say "connected" over a retry countdown. Never while
    /// disconnecting: the session is on its way out. Nor while offline: a reply already on its
    /// way when the network went cannot renew the long poll (nothing goes out), so `Offline`
    /// stays until [`BayeuxClient::set_online`] brings the client back here.
    fn set_connected_when_subscribed(&mut self) {
        let Phase::Connected(session) = &mut self.phase else {
            return;
        };
        if !self.online || session.long_poll_failing || !session.subscribed(&self.wanted) {
            return;
        }
        let resync = std::mem::take(&mut session.resync_owed);
        let was_connected = self.state == ConnectionState::Connected;
        self.set_state(ConnectionState::Connected);
        // After a lost session the state went through `Reconnecting`, and the change back to
        // `Connected` already tells the application to re-read: a `ResyncNeeded` too made it
        // read every snapshot twice per recovery (and every follower tab with it). It goes out
        // only if a new session ever came without the state leaving `Connected`.
        if resync && was_connected {
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

    fn fail(&mut self, now: Millis, kind: RequestKind) {
        match kind {
            RequestKind::Handshake => self.schedule_handshake_retry(now),
            RequestKind::Connect if !matches!(self.phase, Phase::Connected(_)) => {
                // Closing: the long poll is not renewed.
            }
            RequestKind::Connect => {
                if self.session_surely_expired(now) {
                    let delay = self.retry_delay();
                    self.rehandshake(now + delay);
                } else {
                    self.schedule_connect_retry(now);
                }
            }
            RequestKind::Subscriptions if !matches!(self.phase, Phase::Connected(_)) => {
                // Closing: no batch goes out again, so there is no retry to back off for; the
                // disconnect follows (and the next session's backoff does not grow from it).
            }
            RequestKind::Subscriptions => {
                // Not confirmed: they stay wanted and go out again after a backoff.
                let delay = self.retry_delay();
                if let Some(session) = self.phase.session_mut() {
                    session.subscriptions = Slot::Due(now + delay);
                }
            }
            RequestKind::Disconnect => self.stop(),
        }
    }

    /// One more consecutive failure, and the delay it earns.
    fn next_backoff(&mut self) -> Millis {
        self.failures = self.failures.saturating_add(1);
        Millis(self.config.backoff.delay(self.failures, &mut self.jitter))
    }

    /// The wait before retrying after one more failure: the advised interval (a minimum) plus
    /// the backoff it earns.
    fn retry_delay(&mut self) -> Millis {
        self.interval() + self.next_backoff()
    }

    fn schedule_handshake_retry(&mut self, now: Millis) {
        if matches!(self.phase, Phase::Disconnecting(_)) {
            // Nothing to close on the server: the handshake never produced a session.
            self.stop();
            return;
        }
        let at = now + self.retry_delay();
        self.phase = Phase::Handshaking(Slot::Due(at));
        self.set_reconnecting(Some(at));
    }

    fn schedule_connect(&mut self, at: Millis) {
        if let Phase::Connected(session) = &mut self.phase {
            session.connect = Slot::Due(at);
        }
    }

    fn schedule_connect_retry(&mut self, now: Millis) {
        let at = now + self.retry_delay();
        self.schedule_connect(at);
        if let Some(session) = self.phase.session_mut() {
            session.long_poll_failing = true;
        }
        self.set_reconnecting(Some(at));
    }

    /// Whether the server has certainly swept our session: no connect of ours can have reached
    /// it for longer than `timeout + interval + maxInterval` plus the network allowance (the
    /// cometd.js rule). Retrying a connect then only earns a 402, so re-handshake directly.
    fn session_surely_expired(&self, now: Millis) -> bool {
        let (Some(max_interval), Phase::Connected(session)) =
            (self.advice.max_interval, &self.phase)
        else {
            return false;
        };
        if session.connect.in_flight().is_some() {
            return false;
        }
        let allowance = self.connect_hold()
            + self.interval()
            + Millis(max_interval)
            + self.config.max_network_delay;
        now - session.last_connect_sent_at > allowance
    }

    /// The server no longer knows our session (`402`, `reconnect: handshake`): a new one is
    /// needed, unless the application is leaving anyway.
    fn session_lost(&mut self, now: Millis) {
        if matches!(self.phase, Phase::Disconnecting(_)) {
            self.stop();
        } else {
            let at = now + self.retry_delay();
            self.rehandshake(at);
        }
    }

    fn rehandshake(&mut self, at: Millis) {
        self.phase = Phase::Handshaking(Slot::Due(at));
        self.set_reconnecting(Some(at));
    }

    /// `Reconnecting` at the current attempt (or `Offline`, which says more, when the browser
    /// has no network).
    fn set_reconnecting(&mut self, retry_at: Option<Millis>) {
        self.set_state(ConnectionState::Reconnecting {
            attempt: self.failures,
            retry_at: retry_at.map(Millis::as_u64),
        });
        if !self.online {
            self.set_state(ConnectionState::Offline);
        }
    }

    fn expire_overdue(&mut self, now: Millis) {
        let overdue: Vec<RequestId> = self
            .phase
            .flights()
            .filter(|(_, flight)| flight.deadline <= now)
            .map(|(_, flight)| flight.id)
            .collect();
        // One by one: the first expiry may end the phase the second belonged to (then its id
        // is unknown and ignored).
        for id in overdue {
            self.handle_response(now, id, Outcome::Timeout);
        }
    }

    /// The state again after a retry was brought forward or the network came back: what the
    /// phase says, not what a failure count suggests.
    fn refresh_waiting_state(&mut self) {
        match &self.phase {
            Phase::Connected(session) if !session.long_poll_failing => {
                if session.subscribed(&self.wanted) {
                    self.set_connected_when_subscribed();
                } else if self.state == ConnectionState::Offline {
                    // Back online before the subscriptions are in place: the first session is
                    // still connecting, a replacement is still recovering.
                    if session.resync_owed || self.failures > 0 {
                        self.set_reconnecting(None);
                    } else {
                        self.set_state(ConnectionState::Connecting);
                    }
                }
            }
            _ if !self.had_session && self.failures == 0 => {
                self.set_state(ConnectionState::Connecting);
            }
            _ => self.set_reconnecting(self.phase.retry_at()),
        }
    }

    fn stop(&mut self) {
        self.phase = Phase::Idle;
        self.set_state(ConnectionState::Disconnected);
    }

    /// The server said `reconnect: none` to a running client: stopped, but not by choice.
    fn end_by_server(&mut self) {
        self.phase = Phase::Idle;
        self.set_state(ConnectionState::EndedByServer);
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state.clone();
            self.events.push_back(Event::StateChanged(state));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Channels;

    #[test]
    fn channels_stay_sorted_and_unique() {
        let mut channels = Channels::default();
        assert!(channels.insert("/v2/me/devices".into()));
        assert!(channels.insert("/v2/me/calls".into()));
        assert!(channels.insert("/v2/me/agent".into()));
        assert!(!channels.insert("/v2/me/calls".into()), "already there");
        let names: Vec<&str> = channels.iter().map(String::as_str).collect();
        assert_eq!(names, ["/v2/me/agent", "/v2/me/calls", "/v2/me/devices"]);
        assert!(channels.contains("/v2/me/calls") && !channels.contains("/v2/me"));
        assert!(channels.remove("/v2/me/agent"));
        assert!(!channels.remove("/v2/me/agent"), "already gone");
        assert_eq!(channels.iter().count(), 2);
    }
}
