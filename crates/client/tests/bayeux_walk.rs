//! The Bayeux client's session behaviour over time, walked at random against a model.
//!
//! `bayeux.rs` scripts one failure case per test and `fuzz_peer.rs` throws *malformed* bodies at
//! the client; this file is about *well-formed but adversarial* sequences: a server that fails,
//! refuses, advises (`reconnect: retry|handshake|none`, `interval`, `timeout`, `maxInterval`,
//! `multiple-clients`), answers `402` in both spec forms, answers late or twice, holds or drops
//! connects; time that jumps (a frozen tab) or crawls; and an application that leaves, disconnects,
//! starts again, retries, goes offline or says goodbye at any moment, even in the middle of a
//! reply body. The client is driven as `src/drivers/notifications.rs` drives it (`handle_timeout`,
//! then `poll_request` until `None`, sleep until `poll_deadline`; a request's fetch is aborted at
//! its timeout), started as the widget starts it (`/v2/me/calls`, `/v2/me/devices`).
//!
//! After every step (and every wake-up inside a time step) the protocol invariants hold:
//! - at most one handshake on the wire; at most one connect and one other request of the current
//!   session on the wire (requests of an abandoned session may still be out: the driver aborts
//!   them only at their timeout);
//! - a handshake carries no `clientId`; anything else carries the current session's, which is the
//!   newest one granted (never an older session's after a re-handshake);
//! - every session's first request subscribes every wanted channel (or, while closing, is the
//!   disconnect): a re-handshake loses no subscription;
//! - nothing goes out while the client is stopped or ended by the server, and after
//!   `leave`/`disconnect` only the unsubscribe batch (once, for a leave) and one disconnect;
//! - a `reconnect: none` on a handshake or connect reply ends the client (unless it is closing);
//! - a failure (unsuccessful reply, empty reply, HTTP error, network error, timeout) is never
//!   retried at once: the same kind of request waits at least the shortest backoff (750 ms),
//!   unless the application or the page asked for a retry in between; nor does a connect
//!   follow a successful one before the advised `interval` (a minimum);
//! - the driver never spins: after a wake-up nothing is due at that instant, a running online
//!   client always has a deadline, and it is at most the largest backoff plus the largest
//!   advised interval away;
//! - application messages of an accepted reply are delivered exactly once, in order (also when
//!   the body is read in pieces with something happening in between); a reply to an abandoned
//!   or already answered request changes nothing at all;
//! - `Connected` is announced only for a session whose wanted channels are all answered
//!   (confirmed, or refused and reported), whose long poll is not failing, while online; a
//!   session that replaced another has asked the application to re-read by then.
//!
//! Liveness: after any prefix, a healthy server (answers everything, holds connects, answers a
//! dead session's requests with `402`) brings the client back to connected with every wanted
//! channel confirmed within a bounded number of steps and of virtual time — after the
//! application's `start` if it had stopped it, after the agent's `reconnect` if the server had
//! ended it (and the client stays quiet until then).
//!
//! Bounded: `PROPTEST_CASES` walks (default 256) of 1 to 49 steps, each time step woken at most
//! 1000 times, then at most 400 rounds (and an hour of virtual time) of the healthy server; the
//! default run takes well under a second. Seeded: the walks come from [`SEED`] unless
//! `PROPTEST_RNG_SEED` names another, and the run prints the seed it used. A failure is shrunk
//! to a short walk, then replayed with a step log (each step, then the state, the session, the
//! requests on the wire and the next deadline after it) printed with the failing input. The
//! run also prints a tally of the steps taken and of the situations reached, so a reader sees
//! that the walk reaches re-handshakes, 402s, leaving mid-batch, and so on.
//!
//! Many more walks: `PROPTEST_CASES=100000 PROPTEST_RNG_SEED=<any u64> cargo test -p gws-client
//! --test bayeux_walk -- --nocapture`.

mod fuzz_support;
mod support;

use gws_client::bayeux::MAX_ADVICE;
use gws_client::{BayeuxClient, BayeuxConfig, ConnectionState, Event, Millis, Outcome, Request};
use gws_client::{RequestId, RequestKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use support::ok;

const CALLS: &str = "/v2/me/calls";
const DEVICES: &str = "/v2/me/devices";
/// A channel the application adds and drops during the walk.
const EXTRA: &str = "/v2/me/extra";

/// The shortest retry delay after a failure: one backoff increment (1 s) less the jitter (25 %).
const MIN_BACKOFF: Millis = Millis(750);
/// The longest any timer may be: the largest advised interval plus the largest backoff (60 s);
/// a connect's timeout (largest advised hold + 10 s network allowance) and a refused channel's
/// wait (5 min) are shorter.
const MAX_WAIT: Millis = Millis(MAX_ADVICE.as_u64() + 60_000);
/// A healthy server holds a connect this long (unless the client's timeout is shorter).
const HOLD: Millis = Millis(30_000);

// ---------------------------------------------------------------------------------- the steps

/// Something that happens inside a reply body, between two of its messages.
#[derive(Debug, Clone)]
enum Mid {
    Leave,
    Disconnect,
    Goodbye,
    Offline,
    Online,
    RetryNow,
    /// The body is cut short there (a network error while reading it).
    Cut,
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
enum Reply {
    /// `successful: true` for every message of the request, with application messages before
    /// and after the replies, optionally read in two pieces with `mid` in between.
    Ok {
        advice: Option<Value>,
        before: u8,
        after: u8,
        mid: Option<(usize, Mid)>,
    },
    /// `successful: false` for every message, with this error and advice.
    Refused {
        error: &'static str,
        advice: Option<Value>,
    },
    /// A subscriptions batch answered channel by channel (`true`: granted, `false`: refused);
    /// other requests read it as `Ok` without advice.
    Mixed(Vec<bool>),
    /// A 200 without the reply (EmptyResponse).
    Empty,
    /// An HTTP error status.
    Status(u16),
    /// A network error.
    Network,
}

#[derive(Debug, Clone)]
enum Step {
    /// The server answers one request on the wire.
    Reply(usize, Reply),
    /// A reply to a request that was already answered or aborted (late, duplicated).
    Stale(usize, Reply),
    /// Time passes with the driver waking at every deadline.
    Advance(u64),
    /// Time jumps (a frozen or throttled tab); the driver wakes once, at the end.
    Freeze(u64),
    Leave,
    Disconnect,
    Start,
    /// The agent's "Retry now" (also what restarts a session the server ended).
    Reconnect,
    /// The page became visible or resumed.
    RetryNow,
    Online(bool),
    /// `pagehide`: the driver sends the goodbye disconnect with a keepalive fetch.
    Goodbye,
    Subscribe,
    Unsubscribe,
}

fn millis_advice() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        2 => Just(Some(json!(0))),
        3 => (0u64..5_000).prop_map(|m| Some(json!(m))),
        1 => (0u64..2 * MAX_ADVICE.as_u64()).prop_map(|m| Some(json!(m))),
    ]
}

/// Well-formed advice; `reconnects` are the values `reconnect` may take besides `none`, which
/// is rarer: a client it ends has to be started again, and a walk that mostly ends early
/// reaches few of the states a long session goes through.
fn advice(reconnects: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> {
    let reconnect = prop_oneof![
        4 => Just(None),
        4 => proptest::sample::select(reconnects).prop_map(Some),
        1 => Just(Some("none")),
    ];
    let fields = (
        reconnect,
        millis_advice(),
        millis_advice(),
        millis_advice(),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(reconnect, interval, timeout, max_interval, multiple)| {
            let mut advice = serde_json::Map::new();
            let mut put = |key: &str, value: Option<Value>| {
                if let Some(value) = value {
                    advice.insert(key.to_string(), value);
                }
            };
            put("reconnect", reconnect.map(Value::from));
            put("interval", interval);
            put("timeout", timeout);
            put("maxInterval", max_interval);
            put("multiple-clients", multiple.map(Value::from));
            Some(Value::Object(advice))
        });
    prop_oneof![1 => Just(None), 2 => fields]
}

fn mid() -> impl Strategy<Value = Mid> {
    prop_oneof![
        Just(Mid::Leave),
        Just(Mid::Disconnect),
        Just(Mid::Goodbye),
        Just(Mid::Offline),
        Just(Mid::Online),
        Just(Mid::RetryNow),
        Just(Mid::Cut),
    ]
}

/// Errors in the forms servers send (`code::message` and the spec's `code:args:message`).
const ERRORS: &[&str] = &[
    "402::Unknown client",
    "402:s0:Unknown Client ID",
    "403::Handshake denied",
    "403:s0,/v2/me/calls:Subscription denied",
    "500::Internal error",
    "408::Timeout",
];

/// HTTP errors a proxy or the server may answer with.
const STATUSES: [u16; 6] = [401, 403, 404, 500, 502, 503];

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        6 => (advice(&["retry"]), 0u8..3, 0u8..3, proptest::option::weighted(0.3, (pick(), mid())))
            .prop_map(|(advice, before, after, mid)| Reply::Ok { advice, before, after, mid }),
        4 => (proptest::sample::select(ERRORS), advice(&["retry", "handshake"]))
            .prop_map(|(error, advice)| Reply::Refused { error, advice }),
        2 => proptest::collection::vec(any::<bool>(), 1..4).prop_map(Reply::Mixed),
        1 => Just(Reply::Empty),
        1 => proptest::sample::select(&STATUSES[..]).prop_map(Reply::Status),
        1 => Just(Reply::Network),
    ]
}

/// Which of several: taken modulo their number (small, so a failing walk reads and replays).
fn pick() -> impl Strategy<Value = usize> {
    (0u8..16).prop_map(usize::from)
}

fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..100,
        4 => 100u64..5_000,
        3 => 5_000u64..70_000,
        1 => 70_000u64..1_000_000,
    ]
}

/// The steps, weighted so that what stops the client (leave, disconnect, `reconnect: none`,
/// offline) is undone about as often (start, the agent's reconnect, online): at even weights a
/// walk spent most of its steps stopped, with nothing on the wire to answer.
fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        14 => (pick(), reply()).prop_map(|(at, reply)| Step::Reply(at, reply)),
        2 => (pick(), reply()).prop_map(|(at, reply)| Step::Stale(at, reply)),
        9 => time().prop_map(Step::Advance),
        1 => (10_000u64..2_000_000).prop_map(Step::Freeze),
        1 => Just(Step::Leave),
        1 => Just(Step::Disconnect),
        4 => Just(Step::Start),
        2 => Just(Step::Reconnect),
        1 => Just(Step::RetryNow),
        1 => Just(Step::Online(false)),
        2 => Just(Step::Online(true)),
        1 => Just(Step::Goodbye),
        1 => Just(Step::Subscribe),
        1 => Just(Step::Unsubscribe),
    ]
}

// ---------------------------------------------------------------------------------- the model

/// A request the driver sent: on the wire until answered or aborted at its timeout.
#[derive(Debug, Clone)]
struct Sent {
    request: Request,
    at: Millis,
    /// The `clientId` it carries (`None`: a handshake).
    client_id: Option<String>,
}

impl Sent {
    fn deadline(&self) -> Millis {
        self.at + self.request.timeout
    }

    fn subscribes(&self) -> bool {
        self.request
            .messages
            .iter()
            .any(|m| m.channel == "/meta/subscribe")
    }
}

/// What the model knows of a session the client accepted.
#[derive(Debug)]
struct SessionModel {
    id: String,
    /// It replaced an earlier session (of this client): the application must re-read.
    replaced: bool,
    /// State changes into `Connected` and `ResyncNeeded` since it was accepted.
    rereads: usize,
    /// Channels refused (and reported) in it.
    refused: BTreeSet<String>,
    /// Its last connect outcome was a failure.
    connect_failing: bool,
    /// Its first request was checked.
    first_seen: bool,
}

/// What the application's `leave`/`disconnect` still allows.
#[derive(Debug, Default)]
struct Closing {
    leave: bool,
    unsubscribes: usize,
    disconnects: usize,
}

/// Counts of what the walks did and reached.
#[derive(Default)]
struct Tally(BTreeMap<String, usize>);

impl Tally {
    fn add(&mut self, what: impl Into<String>) {
        *self.0.entry(what.into()).or_default() += 1;
    }
}

/// What one step (or one wake-up) produced.
#[derive(Default)]
struct Effects {
    events: Vec<Event>,
    sent: Vec<Sent>,
}

/// What is visible of the client before a step.
#[derive(Debug, PartialEq)]
struct Visible {
    state: ConnectionState,
    client_id: Option<String>,
    deadline: Option<Millis>,
    confirmed: Vec<String>,
}

struct World<'t> {
    client: BayeuxClient,
    now: Millis,
    online: bool,
    /// Requests on the wire.
    wire: Vec<Sent>,
    /// Requests answered or aborted (for late replies), the newest last.
    finished: Vec<Sent>,
    wanted: BTreeSet<String>,
    issued: usize,
    seq: u64,
    /// Client ids the client accepted, in order.
    accepted: Vec<String>,
    /// Sessions the server no longer knows (402 answered, disconnected, goodbye).
    dead: BTreeSet<String>,
    session: Option<SessionModel>,
    closing: Option<Closing>,
    /// The earliest a request of this kind may go out again: the shortest backoff after a
    /// failure; for a connect after a successful one, the advised interval.
    floors: BTreeMap<&'static str, Millis>,
    tally: &'t RefCell<Tally>,
    step: usize,
    /// What each step did and left (state, requests on the wire), printed with a failure;
    /// `None` while not kept (see [`World::note`]).
    log: Option<Vec<String>>,
}

/// Where the walk is, for a failure: its step, or the healthy server's rounds after it
/// (`World::step` is `usize::MAX` then).
fn at_label(step: usize) -> String {
    match step {
        usize::MAX => "with the healthy server".into(),
        step => format!("step {step}"),
    }
}

fn fail<T>(message: String) -> Result<T, TestCaseError> {
    Err(TestCaseError::fail(message))
}

macro_rules! ensure {
    ($world:expr, $cond:expr, $($arg:tt)+) => {
        if !$cond {
            return fail(format!(
                "{} at {} ({:?}, online: {}): {}",
                at_label($world.step),
                $world.now,
                $world.client.state(),
                $world.online,
                format!($($arg)+)
            ));
        }
    };
}

/// The floor key of a request: what a failure of it holds back.
fn floor_key(sent: &Sent) -> Option<&'static str> {
    match sent.request.kind {
        RequestKind::Handshake => Some("handshake"),
        RequestKind::Connect => Some("connect"),
        RequestKind::Subscriptions if sent.subscribes() => Some("subscribe"),
        _ => None,
    }
}

fn is_idle(state: &ConnectionState) -> bool {
    matches!(
        state,
        ConnectionState::Disconnected | ConnectionState::EndedByServer
    )
}

/// The `seq` of an application message event.
fn seq_of(event: &Event) -> Option<u64> {
    match event {
        Event::Message { data, .. } => serde_json::from_str::<Value>(data.get())
            .ok()?
            .get("seq")?
            .as_u64(),
        _ => None,
    }
}

impl<'t> World<'t> {
    fn new(seed: u64, tally: &'t RefCell<Tally>) -> Self {
        let mut client = BayeuxClient::new(BayeuxConfig {
            jitter_seed: seed,
            ..BayeuxConfig::default()
        });
        let wanted: BTreeSet<String> = [CALLS, DEVICES].map(String::from).into();
        for channel in &wanted {
            client.subscribe(channel);
        }
        client.start(Millis(0));
        client.set_online(Millis(0), true);
        World {
            client,
            now: Millis(0),
            online: true,
            wire: Vec::new(),
            finished: Vec::new(),
            wanted,
            issued: 0,
            seq: 0,
            accepted: Vec::new(),
            dead: BTreeSet::new(),
            session: None,
            closing: None,
            floors: BTreeMap::new(),
            tally,
            step: 0,
            log: None,
        }
    }

    fn visible(&self) -> Visible {
        Visible {
            state: self.client.state().clone(),
            client_id: self.client.client_id().map(str::to_string),
            deadline: self.client.poll_deadline(),
            confirmed: self
                .client
                .confirmed_channels()
                .map(str::to_string)
                .collect(),
        }
    }

    fn tally(&self, what: impl Into<String>) {
        self.tally.borrow_mut().add(what);
    }

    /// The top of the driver's loop at `now`: expire what is overdue, send everything due.
    fn pump(&mut self, out: &mut Effects) -> Result<(), TestCaseError> {
        self.client.handle_timeout(self.now);
        self.drain_events(out)?;
        let mut count = 0;
        while let Some(request) = self.client.poll_request(self.now) {
            count += 1;
            ensure!(self, count <= 8, "busy loop: {count} requests at once");
            let client_id = request
                .messages
                .first()
                .and_then(|m| m.client_id.as_deref())
                .map(str::to_string);
            let sent = Sent {
                request,
                at: self.now,
                client_id,
            };
            self.check_sent(&sent)?;
            out.sent.push(sent.clone());
            self.wire.push(sent);
        }
        // The driver sleeps until the deadline: one at this instant would make it spin.
        if let Some(deadline) = self.client.poll_deadline() {
            ensure!(
                self,
                deadline > self.now,
                "deadline {deadline} not after the wake-up: the driver would spin"
            );
            ensure!(
                self,
                deadline - self.now <= MAX_WAIT,
                "deadline {deadline} beyond the longest wait"
            );
        }
        Ok(())
    }

    fn drain_events(&mut self, out: &mut Effects) -> Result<(), TestCaseError> {
        while let Some(event) = self.client.poll_event() {
            match &event {
                Event::StateChanged(ConnectionState::Connected) | Event::ResyncNeeded => {
                    if let Some(session) = &mut self.session {
                        session.rereads += 1;
                    }
                }
                Event::SubscriptionFailed { channel, .. } => {
                    self.tally("reached: a channel refused");
                    if let Some(session) = &mut self.session {
                        session.refused.insert(channel.clone());
                    }
                }
                Event::SubscriptionRestored { .. } => self.tally("reached: a channel restored"),
                _ => {}
            }
            if let Event::StateChanged(state) = &event {
                self.tally(format!("state: {}", state.as_str()));
            }
            out.events.push(event);
        }
        // A session change is seen here, before anything of the new session goes out.
        let current = self.client.client_id().map(str::to_string);
        if current.as_ref() != self.session.as_ref().map(|s| &s.id) {
            if let Some(id) = &current {
                ensure!(
                    self,
                    !self.accepted.contains(id),
                    "session {id} accepted again"
                );
                let replaced = !self.accepted.is_empty();
                if replaced {
                    self.tally("reached: a re-handshake");
                }
                self.accepted.push(id.clone());
                // A new session's first requests are no retries of the last one's.
                self.floors.remove("subscribe");
                self.floors.remove("connect");
                self.session = Some(SessionModel {
                    id: id.clone(),
                    replaced,
                    rereads: 0,
                    refused: BTreeSet::new(),
                    connect_failing: false,
                    first_seen: false,
                });
            } else {
                self.session = None;
            }
        }
        Ok(())
    }

    /// Checks one request as it goes out.
    fn check_sent(&mut self, sent: &Sent) -> Result<(), TestCaseError> {
        let kind = sent.request.kind;
        let state = self.client.state().clone();
        ensure!(
            self,
            !is_idle(&state),
            "{kind:?} sent by a client that is {state:?}"
        );
        ensure!(self, self.online, "{kind:?} sent while offline");
        for message in &sent.request.messages {
            let id = message.client_id.as_deref();
            if kind == RequestKind::Handshake {
                ensure!(self, id.is_none(), "a handshake with a clientId");
            } else {
                ensure!(
                    self,
                    id.is_some() && id == self.accepted.last().map(String::as_str),
                    "{kind:?} with clientId {id:?}, the newest session is {:?}",
                    self.accepted.last()
                );
            }
        }
        if let Some(key) = floor_key(sent)
            && let Some(floor) = self.floors.get(key)
        {
            ensure!(
                self,
                self.now >= *floor,
                "{key} sent at {}, before {floor} (the backoff after a failure, or the advised interval)",
                self.now
            );
        }
        if let Some(closing) = &mut self.closing {
            match kind {
                RequestKind::Disconnect => closing.disconnects += 1,
                RequestKind::Subscriptions if !sent.subscribes() && closing.leave => {
                    closing.unsubscribes += 1
                }
                _ => return fail(format!("{kind:?} sent while closing: {sent:?}")),
            }
            ensure!(
                self,
                closing.disconnects <= 1 && closing.unsubscribes <= 1,
                "closing sent {closing:?}"
            );
        }
        if let Some(session) = &mut self.session
            && sent.client_id.as_deref() == Some(session.id.as_str())
            && !std::mem::replace(&mut session.first_seen, true)
        {
            // A new session subscribes every wanted channel first (a re-handshake loses none),
            // unless it is being closed.
            if kind == RequestKind::Disconnect {
                ensure!(
                    self,
                    self.closing.is_some(),
                    "a session begins with a disconnect"
                );
            } else {
                let subscribed: BTreeSet<String> = sent
                    .request
                    .messages
                    .iter()
                    .filter(|m| m.channel == "/meta/subscribe")
                    .filter_map(|m| m.subscription.as_ref())
                    .flat_map(|s| s.channels().into_iter().map(str::to_string))
                    .collect();
                ensure!(
                    self,
                    kind == RequestKind::Subscriptions && subscribed == self.wanted,
                    "session {} begins with {kind:?} {subscribed:?}, wanted {:?}",
                    session.id,
                    self.wanted
                );
            }
        }
        Ok(())
    }

    /// A fresh application message.
    fn app_message(&mut self) -> (u64, Value) {
        self.seq += 1;
        let channel = if self.seq.is_multiple_of(2) {
            CALLS
        } else {
            DEVICES
        };
        (
            self.seq,
            json!({"channel": channel, "data": {"seq": self.seq}}),
        )
    }

    /// The meta replies of `reply` to `sent` (and whether it fails the request).
    fn replies(&mut self, sent: &Sent, reply: &Reply) -> (Vec<Value>, bool) {
        let messages = &sent.request.messages;
        let echo = |m: &gws_protocol::bayeux::Message, successful: bool| {
            json!({"channel": m.channel, "successful": successful, "id": m.id,
                   "subscription": m.subscription, "clientId": m.client_id})
        };
        match reply {
            Reply::Ok { advice, .. } => {
                let mut out: Vec<Value> = messages.iter().map(|m| echo(m, true)).collect();
                if sent.request.kind == RequestKind::Handshake {
                    self.issued += 1;
                    out[0]["clientId"] = json!(format!("s{}", self.issued));
                    out[0]["version"] = json!("1.0");
                    out[0]["supportedConnectionTypes"] = json!(["long-polling"]);
                }
                if let Some(advice) = advice {
                    out[0]["advice"] = advice.clone();
                }
                (out, false)
            }
            Reply::Refused { error, advice } => {
                let out = messages
                    .iter()
                    .enumerate()
                    .map(|(at, m)| {
                        let mut reply = echo(m, false);
                        reply["error"] = json!(error);
                        if at == 0
                            && let Some(advice) = advice
                        {
                            reply["advice"] = advice.clone();
                        }
                        reply
                    })
                    .collect();
                (out, true)
            }
            Reply::Mixed(grants) => {
                if sent.request.kind != RequestKind::Subscriptions {
                    let ok = Reply::Ok {
                        advice: None,
                        before: 0,
                        after: 0,
                        mid: None,
                    };
                    return self.replies(sent, &ok);
                }
                let mut failed = false;
                let out = messages
                    .iter()
                    .enumerate()
                    .map(|(at, m)| {
                        let granted = grants[at % grants.len()];
                        failed |= !granted;
                        let mut reply = echo(m, granted);
                        if !granted {
                            reply["error"] = json!("403::Subscription denied");
                        }
                        reply
                    })
                    .collect();
                (out, failed)
            }
            Reply::Empty | Reply::Status(_) | Reply::Network => (Vec::new(), true),
        }
    }

    /// Delivers `reply` to `sent` as the driver would; returns the `seq`s of the application
    /// messages the client should deliver if it accepts the reply, and whether the reply fails
    /// the request.
    fn deliver(
        &mut self,
        sent: &Sent,
        reply: &Reply,
        out: &mut Effects,
    ) -> Result<(Vec<u64>, bool), TestCaseError> {
        let id = sent.request.id;
        match reply {
            Reply::Status(status) => {
                let body = String::new();
                let status = *status;
                self.respond(id, Outcome::Http { status, body });
                return Ok((Vec::new(), true));
            }
            Reply::Network => {
                self.respond(id, Outcome::NetworkError("reset".into()));
                return Ok((Vec::new(), true));
            }
            _ => {}
        }
        let (meta, failed) = self.replies(sent, reply);
        let (before, after, mid) = match reply {
            Reply::Ok {
                before, after, mid, ..
            } => (*before, *after, mid.clone()),
            _ => (0, 0, None),
        };
        let mut body = Vec::new();
        let mut seqs = Vec::new();
        for _ in 0..before {
            let (seq, message) = self.app_message();
            seqs.push(seq);
            body.push(message);
        }
        body.extend(meta);
        for _ in 0..after {
            let (seq, message) = self.app_message();
            seqs.push(seq);
            body.push(message);
        }
        let Some((at, mid)) = mid else {
            self.respond(id, ok(Value::Array(body)));
            return Ok((seqs, failed));
        };
        // In two pieces, cut between two messages, with something happening in between.
        let cut = at % (body.len() + 1);
        let text = |items: &[Value]| {
            items
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let first = format!("[{}", text(&body[..cut]));
        let comma = if cut == 0 || cut == body.len() {
            ""
        } else {
            ","
        };
        let rest = format!("{comma}{}]", text(&body[cut..]));
        if !self.client.begin_body(self.now, id) {
            return Ok((seqs, failed));
        }
        self.client.feed_body(self.now, first.as_bytes());
        self.tally(format!("mid-body: {mid:?}"));
        match mid {
            Mid::Leave => self.close(true),
            Mid::Disconnect => self.close(false),
            Mid::Goodbye => self.goodbye(),
            Mid::Offline => self.set_online(false),
            Mid::Online => self.set_online(true),
            Mid::RetryNow => {
                self.floors.clear();
                self.client.retry_now(self.now);
            }
            Mid::Cut => {
                self.client.end_body(self.now);
                let delivered = body[..cut]
                    .iter()
                    .filter_map(|m| m["data"]["seq"].as_u64())
                    .collect();
                self.drain_events(out)?;
                // Cut before any reply: the request failed.
                return Ok((delivered, cut <= usize::from(before)));
            }
        }
        self.drain_events(out)?;
        self.client.feed_body(self.now, rest.as_bytes());
        self.client.end_body(self.now);
        Ok((seqs, failed))
    }

    fn respond(&mut self, id: RequestId, outcome: Outcome) {
        self.client.handle_response(self.now, id, outcome);
    }

    fn close(&mut self, leave: bool) {
        let before = self.client.state().clone();
        if leave {
            self.client.leave();
        } else {
            self.client.disconnect();
        }
        if self.closing.is_none() && !is_idle(&before) {
            if self
                .wire
                .iter()
                .any(|s| s.request.kind == RequestKind::Subscriptions)
            {
                self.tally("reached: closing with a subscriptions batch out");
            }
            self.closing = Some(Closing {
                leave,
                ..Closing::default()
            });
        }
    }

    fn goodbye(&mut self) {
        if let Some(bye) = self.client.goodbye() {
            self.tally("reached: a goodbye sent");
            if let Some(id) = bye.messages[0].client_id.as_deref() {
                self.dead.insert(id.to_string());
            }
        }
    }

    fn set_online(&mut self, online: bool) {
        self.online = online;
        if online {
            self.floors.clear();
        }
        self.client.set_online(self.now, online);
    }

    /// Requests on the wire whose timeout is up are aborted by the driver: `Timeout`.
    fn abort_overdue(&mut self, out: &mut Effects) -> Result<(), TestCaseError> {
        let (overdue, wire): (Vec<Sent>, Vec<Sent>) = std::mem::take(&mut self.wire)
            .into_iter()
            .partition(|s| s.deadline() <= self.now);
        self.wire = wire;
        for sent in overdue {
            self.note_failure(&sent, self.current(&sent));
            self.respond(sent.request.id, Outcome::Timeout);
            self.finish(sent);
        }
        self.drain_events(out)
    }

    fn finish(&mut self, sent: Sent) {
        self.finished.push(sent);
        if self.finished.len() > 16 {
            self.finished.remove(0);
        }
    }

    /// Whether the client still waits for `sent` (the model's view; see the invariants).
    fn current(&self, sent: &Sent) -> bool {
        match sent.request.kind {
            RequestKind::Handshake => true,
            _ => sent.client_id.is_some() && sent.client_id.as_deref() == self.client.client_id(),
        }
    }

    /// A failure of `sent` (which the client waited for if `current`) at `now`: the same kind
    /// of request waits a backoff.
    fn note_failure(&mut self, sent: &Sent, current: bool) {
        if !current {
            return;
        }
        let floor = self.now + MIN_BACKOFF;
        match sent.request.kind {
            RequestKind::Handshake => {
                self.floors.insert("handshake", floor);
            }
            RequestKind::Connect => {
                self.floors.insert("connect", floor);
                self.floors.insert("handshake", floor);
                if let Some(session) = &mut self.session {
                    session.connect_failing = true;
                }
            }
            RequestKind::Subscriptions => {
                self.floors.insert("subscribe", floor);
            }
            RequestKind::Disconnect => {}
        }
    }

    /// A successful reply to the current session's connect at `now`: its long poll is healthy,
    /// and (with `interval`) the next connect waits the advised `interval` (a minimum, in the
    /// spec) — unless the application or the page asks for a retry first.
    fn note_connected(&mut self, interval: bool) {
        if let Some(session) = &mut self.session {
            session.connect_failing = false;
        }
        if interval {
            let interval = Millis(self.client.advice().interval.unwrap_or(0));
            self.floors.insert("connect", self.now + interval);
        }
    }

    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let before = self.visible();
        let mut out = Effects::default();
        let mut expected: Option<Vec<u64>> = None;
        let mut stale = false;
        let name = format!("{step:?}");
        let kind = name.split(['(', ' ']).next().unwrap_or("").to_string();
        match step {
            Step::Reply(at, reply) => {
                if self.wire.is_empty() {
                    // The client waits (a backoff, an interval): the server answers what it
                    // sends next. Dropping the step instead wasted most replies of a walk, and
                    // few walks got far enough to be connected.
                    let Some(next) = self.client.poll_deadline() else {
                        let state = self.client.state().as_str();
                        self.tally(format!(
                            "step: Reply (nothing out, nothing due while {state})"
                        ));
                        return Ok(());
                    };
                    self.tally("step: Reply (after waiting for a request)");
                    self.run(&Step::Advance((next - self.now).as_u64()))?;
                    if self.wire.is_empty() {
                        return Ok(());
                    }
                    return self.run(step);
                }
                let sent = self.wire.remove(at % self.wire.len());
                let current = self.current(&sent);
                self.tally(format!(
                    "step: Reply {:?} {} to {:?}",
                    sent.request.kind,
                    reply_name(reply),
                    if current { "current" } else { "abandoned" }
                ));
                let reconnect_none = reply_advice(reply).is_some_and(|a| a["reconnect"] == "none");
                let lost = matches!(reply, Reply::Refused { error, advice }
                    if error.starts_with("402")
                        || advice.as_ref().is_some_and(|a| a["reconnect"] == "handshake"));
                if lost && let Some(id) = &sent.client_id {
                    self.dead.insert(id.clone());
                    if current {
                        self.tally("reached: a current session lost (402/handshake)");
                    }
                }
                if sent.request.kind == RequestKind::Disconnect
                    && let Some(id) = &sent.client_id
                {
                    self.dead.insert(id.clone());
                }
                let (seqs, failed) = self.deliver(&sent, reply, &mut out)?;
                if failed {
                    self.note_failure(&sent, current);
                } else if current && sent.request.kind == RequestKind::Connect {
                    // Read in pieces, the reply may come before a retry in the middle of the
                    // body, which rightly brings the next connect forward.
                    let retried = matches!(reply, Reply::Ok { mid: Some(_), .. });
                    self.note_connected(!retried);
                }
                expected = Some(if current { seqs } else { Vec::new() });
                let kind = sent.request.kind;
                self.finish(sent);
                self.drain_events(&mut out)?;
                if current
                    && reconnect_none
                    && self.closing.is_none()
                    && matches!(kind, RequestKind::Handshake | RequestKind::Connect)
                    && !matches!(reply, Reply::Ok { mid: Some(_), .. })
                {
                    self.tally("reached: reconnect none obeyed");
                    ensure!(
                        self,
                        *self.client.state() == ConnectionState::EndedByServer,
                        "reconnect: none on a {kind:?} reply, yet the client is {:?}",
                        self.client.state()
                    );
                }
            }
            Step::Stale(at, reply) => {
                if self.finished.is_empty() {
                    self.tally("step: Stale (nothing finished)");
                    return Ok(());
                }
                self.tally("step: Stale");
                let sent = self.finished[at % self.finished.len()].clone();
                let reply = match reply {
                    // No mid-body action: it would have effects of its own.
                    Reply::Ok {
                        advice,
                        before,
                        after,
                        ..
                    } => Reply::Ok {
                        advice: advice.clone(),
                        before: *before,
                        after: *after,
                        mid: None,
                    },
                    other => other.clone(),
                };
                self.deliver(&sent, &reply, &mut out)?;
                stale = true;
            }
            Step::Advance(millis) => {
                self.tally(format!("step: {kind}"));
                let until = self.now + Millis(*millis);
                let mut wakes = 0;
                loop {
                    let next = self
                        .wire
                        .iter()
                        .map(Sent::deadline)
                        .chain(self.client.poll_deadline())
                        .min();
                    let Some(next) = next.filter(|at| *at <= until) else {
                        break;
                    };
                    wakes += 1;
                    ensure!(
                        self,
                        wakes <= 1000,
                        "more than 1000 wake-ups in {millis} ms"
                    );
                    self.now = next.max(self.now);
                    self.abort_overdue(&mut out)?;
                    self.pump(&mut out)?;
                }
                self.now = until;
            }
            Step::Freeze(millis) => {
                self.tally(format!("step: {kind}"));
                self.now = self.now + Millis(*millis);
                self.abort_overdue(&mut out)?;
            }
            Step::Leave | Step::Disconnect => {
                self.tally(format!("step: {kind} while {}", before.state.as_str()));
                self.close(matches!(step, Step::Leave));
            }
            Step::Start | Step::Reconnect => {
                self.tally(format!("step: {kind} while {}", before.state.as_str()));
                self.floors.clear();
                if matches!(step, Step::Start) {
                    self.client.start(self.now);
                } else {
                    self.client.reconnect(self.now);
                }
                if is_idle(&before.state) && !is_idle(self.client.state()) {
                    self.tally(format!(
                        "reached: restarted after {}",
                        before.state.as_str()
                    ));
                    self.closing = None;
                }
            }
            Step::RetryNow => {
                self.tally(format!("step: {kind}"));
                self.floors.clear();
                self.client.retry_now(self.now);
            }
            Step::Online(online) => {
                self.tally(format!("step: {kind}"));
                self.set_online(*online);
            }
            Step::Goodbye => {
                self.tally(format!("step: {kind}"));
                self.goodbye();
            }
            Step::Subscribe => {
                self.tally(format!("step: {kind}"));
                self.floors.remove("subscribe");
                self.wanted.insert(EXTRA.into());
                self.client.subscribe(EXTRA);
            }
            Step::Unsubscribe => {
                self.tally(format!("step: {kind}"));
                self.wanted.remove(EXTRA);
                self.client.unsubscribe(EXTRA);
            }
        }
        // The loop comes back to its top: what is due now goes out.
        self.abort_overdue(&mut out)?;
        self.pump(&mut out)?;
        self.check_step(&before, &out, expected, stale)
    }

    /// The invariants after a step.
    fn check_step(
        &mut self,
        before: &Visible,
        out: &Effects,
        expected: Option<Vec<u64>>,
        stale: bool,
    ) -> Result<(), TestCaseError> {
        let state = self.client.state().clone();
        let after = self.visible();
        if stale {
            ensure!(
                self,
                out.events.is_empty() && out.sent.is_empty() && after == *before,
                "a late reply changed something: {:?} {:?} {before:?} → {after:?}",
                out.events,
                out.sent
            );
        }
        if let Some(expected) = expected {
            let delivered: Vec<u64> = out.events.iter().filter_map(seq_of).collect();
            ensure!(
                self,
                delivered == expected,
                "messages delivered {delivered:?}, expected {expected:?}"
            );
        }
        // On the wire.
        let current = self.client.client_id().map(str::to_string);
        let count = |pick: &dyn Fn(&Sent) -> bool| self.wire.iter().filter(|s| pick(s)).count();
        let handshakes = count(&|s| s.request.kind == RequestKind::Handshake);
        ensure!(self, handshakes <= 1, "{handshakes} handshakes out");
        if let Some(id) = &current {
            let mine = |s: &Sent| s.client_id.as_ref() == Some(id);
            let connects = count(&|s| mine(s) && s.request.kind == RequestKind::Connect);
            let others = count(&|s| mine(s) && s.request.kind != RequestKind::Connect);
            ensure!(self, connects <= 1, "{connects} connects of {id} out");
            ensure!(self, others <= 1, "{others} other requests of {id} out");
        }
        // Idle is quiet; running has a deadline.
        if is_idle(&state) {
            ensure!(
                self,
                self.client.poll_deadline().is_none(),
                "{state:?} with a deadline"
            );
            if state == ConnectionState::Disconnected {
                if self.closing.take().is_some() {
                    self.tally("reached: closed");
                }
            } else {
                self.tally("reached: ended by the server");
            }
        } else if self.online {
            ensure!(
                self,
                self.client.poll_deadline().is_some(),
                "{state:?}, online, without a deadline: stuck"
            );
        }
        if let ConnectionState::Reconnecting {
            retry_at: Some(at), ..
        } = state
        {
            ensure!(
                self,
                Millis(at) <= self.now + MAX_WAIT,
                "retry at {at} beyond the longest wait"
            );
        }
        // Connected means what the badge promises.
        if state == ConnectionState::Connected && self.closing.is_none() {
            let Some(session) = &self.session else {
                return fail(format!(
                    "{}: connected without a session",
                    at_label(self.step)
                ));
            };
            ensure!(self, self.online, "connected while offline");
            ensure!(
                self,
                !session.connect_failing,
                "connected while the long poll of {} is failing",
                session.id
            );
            ensure!(
                self,
                !session.replaced || session.rereads >= 1,
                "session {} replaced another and is connected without a re-read",
                session.id
            );
            if before.state != ConnectionState::Connected {
                let confirmed: BTreeSet<String> = self
                    .client
                    .confirmed_channels()
                    .map(str::to_string)
                    .collect();
                let missing: Vec<&String> = self
                    .wanted
                    .iter()
                    .filter(|c| !confirmed.contains(*c) && !session.refused.contains(*c))
                    .collect();
                ensure!(
                    self,
                    missing.is_empty(),
                    "connected with {missing:?} neither confirmed nor refused"
                );
                self.tally("reached: connected");
            }
        }
        let rereads = out
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::StateChanged(ConnectionState::Connected) | Event::ResyncNeeded
                )
            })
            .count();
        let restored = out
            .events
            .iter()
            .filter(|e| matches!(e, Event::SubscriptionRestored { .. }))
            .count();
        ensure!(
            self,
            rereads <= 1 + restored,
            "{rereads} re-reads in one step: {:?}",
            out.events
        );
        Ok(())
    }

    // ---------------------------------------------------------------------------- liveness

    /// The healthy server's answer to `sent`.
    fn healthy(&mut self, sent: &Sent) -> Outcome {
        let dead = sent
            .client_id
            .as_ref()
            .is_some_and(|id| self.dead.contains(id));
        let replies: Vec<Value> = match sent.request.kind {
            RequestKind::Handshake => {
                self.issued += 1;
                vec![
                    json!({"channel": "/meta/handshake", "successful": true, "version": "1.0",
                            "supportedConnectionTypes": ["long-polling"],
                            "clientId": format!("s{}", self.issued)}),
                ]
            }
            _ if dead => sent
                .request
                .messages
                .iter()
                .map(|m| {
                    // Both spec forms, with and without advice.
                    if self.issued.is_multiple_of(2) {
                        json!({"channel": m.channel, "successful": false,
                               "error": "402::Unknown client",
                               "advice": {"reconnect": "handshake"}})
                    } else {
                        json!({"channel": m.channel, "successful": false,
                               "error": format!("402:{}:Unknown Client ID",
                                                m.client_id.as_deref().unwrap_or(""))})
                    }
                })
                .collect(),
            _ => sent
                .request
                .messages
                .iter()
                .map(|m| {
                    json!({"channel": m.channel, "successful": true,
                                "subscription": m.subscription})
                })
                .collect(),
        };
        if sent.request.kind == RequestKind::Disconnect
            && let Some(id) = &sent.client_id
        {
            self.dead.insert(id.clone());
        }
        ok(Value::Array(replies))
    }

    /// Answers `sent` as the healthy server does.
    fn answer_healthy(&mut self, sent: Sent) {
        let current = self.current(&sent);
        let dead = sent
            .client_id
            .as_ref()
            .is_some_and(|id| self.dead.contains(id));
        if dead {
            self.note_failure(&sent, current);
        } else if current && sent.request.kind == RequestKind::Connect {
            self.note_connected(true);
        }
        let outcome = self.healthy(&sent);
        self.respond(sent.request.id, outcome);
        self.finish(sent);
    }

    /// Connected, every wanted channel confirmed.
    fn recovered(&self) -> bool {
        let confirmed: BTreeSet<String> = self
            .client
            .confirmed_channels()
            .map(str::to_string)
            .collect();
        *self.client.state() == ConnectionState::Connected && self.wanted.is_subset(&confirmed)
    }

    /// A healthy server from here on: the client must recover within bounds.
    fn heal(&mut self) -> Result<(), TestCaseError> {
        self.step = usize::MAX;
        let before = self.visible();
        let mut out = Effects::default();
        self.set_online(true);
        self.abort_overdue(&mut out)?;
        self.pump(&mut out)?;
        self.check_step(&before, &out, None, false)?;
        let mut started = self.now;
        let mut restarted = false;
        for round in 0..400 {
            let before = self.visible();
            let mut out = Effects::default();
            if self.recovered() {
                self.tally(format!(
                    "liveness: recovered{}",
                    if restarted { " after a restart" } else { "" }
                ));
                return Ok(());
            }
            ensure!(
                self,
                self.now - started <= Millis(3_600_000),
                "not recovered after an hour of a healthy server ({:?})",
                self.client.state()
            );
            let state = self.client.state().clone();
            if is_idle(&state) {
                // Stopped or ended: quiet for as long as nobody asks, then started again.
                self.now = self.now + Millis(3_600_000);
                self.abort_overdue(&mut out)?;
                self.pump(&mut out)?;
                ensure!(self, out.sent.is_empty(), "{state:?} yet it sent");
                self.floors.clear();
                self.closing = None;
                if state == ConnectionState::EndedByServer {
                    self.client.reconnect(self.now);
                } else {
                    self.client.start(self.now);
                }
                restarted = true;
                started = self.now;
                self.pump(&mut out)?;
                ensure!(
                    self,
                    !is_idle(self.client.state()),
                    "not started again from {state:?}"
                );
                continue;
            }
            // Everything but a live session's connect is answered at once.
            let held = |world: &Self, s: &Sent| {
                s.request.kind == RequestKind::Connect
                    && !s
                        .client_id
                        .as_ref()
                        .is_some_and(|id| world.dead.contains(id))
            };
            if let Some(at) = self.wire.iter().position(|s| !held(self, s)) {
                let sent = self.wire.remove(at);
                self.answer_healthy(sent);
            } else {
                // Wait: for the client's next deadline, or until the held connect is answered.
                let deadline = self.client.poll_deadline();
                let answer = self
                    .wire
                    .iter()
                    .map(|s| (s.at + HOLD.min(s.request.timeout - Millis(1)), s.request.id))
                    .min();
                match (deadline, answer) {
                    (_, Some((at, id))) if deadline.is_none_or(|d| at < d) => {
                        self.now = at.max(self.now);
                        let at = self.wire.iter().position(|s| s.request.id == id);
                        let sent = self.wire.remove(at.unwrap_or(0));
                        self.answer_healthy(sent);
                    }
                    (Some(deadline), _) => self.now = deadline.max(self.now),
                    _ => {
                        return fail(format!(
                            "stuck: {:?}, nothing out, no deadline",
                            self.client.state()
                        ));
                    }
                }
            }
            self.drain_events(&mut out)?;
            self.abort_overdue(&mut out)?;
            self.pump(&mut out)?;
            self.check_step(&before, &out, None, false)?;
            self.note(|| format!("    healthy server, round {round}:"));
        }
        fail(format!(
            "not recovered in 400 steps of a healthy server ({:?})",
            self.client.state()
        ))
    }
}

fn reply_name(reply: &Reply) -> &'static str {
    match reply {
        Reply::Ok { mid: Some(_), .. } => "ok in pieces",
        Reply::Ok { .. } => "ok",
        Reply::Refused { .. } => "refused",
        Reply::Mixed(_) => "mixed",
        Reply::Empty => "empty",
        Reply::Status(_) => "status",
        Reply::Network => "network",
    }
}

fn reply_advice(reply: &Reply) -> Option<&Value> {
    match reply {
        Reply::Ok { advice, .. } | Reply::Refused { advice, .. } => advice.as_ref(),
        _ => None,
    }
}

/// The walk's default seed: `cargo test` runs the same walks every time, so a failure there is
/// a regression, never luck; `PROPTEST_RNG_SEED` and `PROPTEST_CASES` explore others.
const SEED: u64 = 0x0B4E_E0C5;

impl World<'_> {
    /// One line of the step log: what the client and the wire are after a step. Only kept when
    /// a failing walk is replayed for its report: formatting it on every step of every walk
    /// made the run several times slower.
    fn note(&mut self, what: impl FnOnce() -> String) {
        if self.log.is_none() {
            return;
        }
        let what = what();
        let wire: Vec<String> = self
            .wire
            .iter()
            .map(|s| {
                format!(
                    "{:?}#{}({})",
                    s.request.kind,
                    s.request.id.0,
                    s.client_id.as_deref().unwrap_or("-")
                )
            })
            .collect();
        let line = format!(
            "{what} at {} → {:?}, session {:?}, wire [{}], deadline {:?}",
            self.now,
            self.client.state(),
            self.client.client_id(),
            wire.join(", "),
            self.client.poll_deadline()
        );
        self.log.get_or_insert_default().push(line);
    }

    /// The whole walk: `steps`, then a healthy server until the client has recovered.
    fn walk(&mut self, steps: &[Step]) -> Result<(), TestCaseError> {
        let mut out = Effects::default();
        self.pump(&mut out)?;
        self.note(|| "start".into());
        for (at, step) in steps.iter().enumerate() {
            self.step = at;
            if let Some(log) = &mut self.log {
                log.push(format!("step {at}: {step:?}"));
            }
            self.run(step)?;
            self.note(|| "   ".into());
        }
        self.note(|| "then a healthy server,".into());
        self.heal()
    }
}

#[test]
fn the_bayeux_session_keeps_its_invariants_and_recovers_under_any_walk() {
    let tally = RefCell::new(Tally::default());
    fuzz_support::run_seeded(
        "bayeux walk",
        Some(SEED),
        (any::<u64>(), proptest::collection::vec(step(), 1..50)),
        |(seed, steps)| {
            World::new(seed, &tally).walk(&steps).map_err(|error| {
                // The walk is deterministic: replayed with its log kept, it fails the same way.
                let spare = RefCell::new(Tally::default());
                let mut replay = World::new(seed, &spare);
                replay.log = Some(Vec::new());
                let again = replay.walk(&steps).err();
                TestCaseError::fail(format!(
                    "{error}\nstep log (jitter seed {seed}){}:\n{}",
                    if again.is_some() {
                        ""
                    } else {
                        " — the replay did NOT fail"
                    },
                    replay.log.unwrap_or_default().join("\n")
                ))
            })
        },
        || {
            for (what, count) in &tally.borrow().0 {
                println!("  {count:>7}  {what}");
            }
        },
    );
}
