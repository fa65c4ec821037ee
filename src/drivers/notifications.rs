//! THE notification loop: pumps the sans-IO [`BayeuxClient`] over `fetch`.
//!
//! The machine decides everything (what to send, when to retry, what a reply means); this driver
//! only performs the POSTs (with timeouts that abort the fetch), reads the clock, and hands
//! events to the application. It waits for whichever comes first: a response, a command (retry
//! now, stop), a page signal (tab resumed, network change) or the machine's next deadline.
//!
//! Background tabs: waits run on a worker timer ([`Scheduler`]) that hidden-tab throttling does
//! not stretch, and long-poll responses wake the loop directly (fetch completion is never
//! throttled). When a tab comes back (`visibilitychange`, `pageshow`) the loop retries at once
//! and asks the application to re-read its state; on `pagehide` it sends the machine's
//! [`BayeuxClient::goodbye`] (`/meta/disconnect`) with a keepalive fetch so the server frees the
//! session immediately. The driver never writes a Bayeux message itself.

use crate::diagnostics::{self, Live};
use crate::drivers::clock;
use crate::drivers::page_lifecycle::{PageSignal, browser_online, watch_page};
use crate::drivers::rest::{BayeuxReply, BodyStream, RestClient};
use crate::drivers::scheduler::Scheduler;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{FutureExt, StreamExt};
use gws_client::{
    BayeuxClient, BayeuxConfig, ConnectionState, Event, Millis, RequestId, RequestKind,
};
use leptos::task::spawn_local;
use std::collections::VecDeque;

/// The CometD endpoint, relative to the server root.
pub const NOTIFICATIONS_PATH: &str = "/api/v2/notifications";

/// Longest sleep between two looks at the machine (it also bounds how stale `now` can get).
const MAX_IDLE: Millis = Millis(30_000);

/// What the application can ask of a running loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopCommand {
    /// Skip any backoff and try now, or start a new session after the server ended one (the
    /// "retry now" button).
    RetryNow,
    /// Send `/meta/disconnect` and end the loop for good (the widget is going away).
    Stop,
    /// End the session — unsubscribing first (`unsubscribe`, a logout) or not (signed out) —
    /// and wait for [`LoopCommand::Resume`] ([`run_notification_sessions`]).
    Pause {
        /// Unsubscribe every channel before `/meta/disconnect`.
        unsubscribe: bool,
    },
    /// Start a new session after a pause.
    Resume,
}

/// Controls a running loop. Dropping every handle stops it too. `Send + Sync`, so it can live in
/// contexts and cleanup closures.
#[derive(Debug, Clone)]
pub struct LoopHandle {
    commands: UnboundedSender<LoopCommand>,
}

impl LoopHandle {
    /// A handle and the receiver to give to [`run_notification_loop`]. Created before the loop
    /// starts so a widget can register its cleanup synchronously, at mount.
    pub fn new() -> (LoopHandle, UnboundedReceiver<LoopCommand>) {
        let (commands, receiver) = unbounded();
        (LoopHandle { commands }, receiver)
    }

    /// Stops the loop when the current reactive owner is cleaned up (the widget unmounts).
    pub fn stop_on_cleanup(&self) {
        let handle = self.clone();
        leptos::prelude::on_cleanup(move || handle.send(LoopCommand::Stop));
    }

    /// Sends a command (ignored once the loop has ended).
    pub fn send(&self, command: LoopCommand) {
        let _ = self.commands.unbounded_send(command);
    }
}

/// Returns after the microtasks queued so far have run (Leptos schedules its DOM updates as
/// microtasks).
async fn yield_to_microtasks() {
    let resolved = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    let _ = wasm_bindgen_futures::JsFuture::from(resolved).await;
}

/// Hands the machine's pending events to the application, in order (refreshing the CSRF token
/// on an `Unauthorized`). Returns whether an application message was among them.
fn deliver(client: &mut BayeuxClient, rest: &RestClient, on_event: &mut impl FnMut(Event)) -> bool {
    let mut delivered = false;
    while let Some(event) = client.poll_event() {
        if let Event::Unauthorized { .. } = event {
            let rest = rest.clone();
            spawn_local(async move {
                let _ = rest.refresh_csrf().await;
            });
        }
        if let Event::Message { .. } = event {
            diagnostics::note_message();
            delivered = true;
        }
        on_event(event);
    }
    delivered
}

/// Let the view apply what was just delivered before the loop goes on: the card changes first,
/// the bookkeeping of the next request (or the next piece of a body) comes after. Two turns:
/// the list's effect hands the card its new view, whose render effect then runs in a task of
/// its own (with one turn, the next poll went out first: +0.7 ms to the card's p50 in
/// bench/RESULTS.md, latency).
async fn let_the_view_catch_up() {
    yield_to_microtasks().await;
    yield_to_microtasks().await;
}

/// Reads a 200 reply's body into the machine piece by piece, handing out the events of each
/// piece before the next is read: a backlog of thousands of messages is never held whole,
/// neither as bytes nor as decoded messages (issue 14, burst memory). The read ends at the
/// request's deadline at the latest.
///
/// The loop's other inputs are watched meanwhile, so a body that is slow to arrive holds
/// nothing up: a stop or pause abandons a long poll's body at once (what arrived whole was
/// delivered; dropping the stream cancels the download) — a handshake's or subscribe's body is
/// still read to its end ([`BayeuxClient::reading`]) — a hidden page gets its goodbye at once,
/// and the other inputs are queued, in order, for the loop to handle after the read. The
/// pending read of the next piece is kept across them (dropping it would lose its chunk).
async fn read_body(
    client: &mut BayeuxClient,
    id: RequestId,
    mut body: BodyStream,
    inputs: &mut Inputs<'_>,
    on_event: &mut impl FnMut(Event),
) {
    if !client.begin_body(clock::now(), id) {
        return; // abandoned: dropping `body` cancels its download
    }
    let mut first = true;
    loop {
        let piece = {
            let mut next = std::pin::pin!(body.next_piece().fuse());
            loop {
                futures::select! {
                    piece = next => break Some(piece),
                    command = inputs.commands.next() => match command {
                        Some(LoopCommand::RetryNow | LoopCommand::Resume) => {
                            inputs.later.push_back(Wake::Command(command));
                        }
                        stop_or_pause => {
                            inputs.later.push_back(Wake::Command(stop_or_pause));
                            // Only a long poll's body is cut short: a handshake's or a
                            // subscribe's is read to its end, so the session it created on the
                            // server is known and the disconnect closes it.
                            if client.reading() == Some(RequestKind::Connect) {
                                break None;
                            }
                        }
                    },
                    signal = inputs.page_signals.next() => match signal {
                        Some(PageSignal::Hidden) => say_goodbye(client, inputs.rest),
                        Some(signal) => inputs.later.push_back(Wake::Page(signal)),
                        None => {}
                    },
                }
            }
        };
        // Until the end, or a body cut short (network error, deadline, stop): what arrived
        // whole was delivered either way.
        let Some(Ok(Some(piece))) = piece else {
            break;
        };
        if std::mem::take(&mut first) {
            // Received: what the latency benchmark measures from (a whole body was read by
            // then before bodies were streamed; a small one still is).
            diagnostics::note_response(clock::now_us());
        }
        client.feed_body(clock::now(), piece);
        if deliver(client, inputs.rest, on_event) {
            let_the_view_catch_up().await;
        }
    }
    client.end_body(clock::now());
}

/// The `/meta/disconnect` of a page going away, sent with a keepalive fetch (if there is a
/// session to end).
fn say_goodbye(client: &mut BayeuxClient, rest: &RestClient) {
    if let Some(bye) = client.goodbye() {
        rest.post_keepalive(NOTIFICATIONS_PATH, &bye.body());
    }
}

/// The inputs a body read watches besides the body, and the loop's queue for those it leaves
/// to the loop.
struct Inputs<'a> {
    rest: &'a RestClient,
    commands: &'a mut UnboundedReceiver<LoopCommand>,
    page_signals: &'a mut UnboundedReceiver<PageSignal>,
    later: &'a mut VecDeque<Wake>,
}

/// What woke the loop.
enum Wake {
    Response(RequestId, BayeuxReply),
    Command(Option<LoopCommand>),
    Page(PageSignal),
    Timer,
}

/// Runs sessions of the loop for `channels` until [`LoopCommand::Stop`] (or every handle is
/// dropped). After a [`LoopCommand::Pause`] the session ends, `on_paused` is called, and a new
/// session starts on [`LoopCommand::Resume`].
pub async fn run_notification_sessions(
    rest: RestClient,
    channels: &[&str],
    commands: &mut UnboundedReceiver<LoopCommand>,
    mut on_event: impl FnMut(Event),
    mut on_paused: impl FnMut(),
) {
    loop {
        let ended = run_notification_loop(rest.clone(), channels, commands, &mut on_event).await;
        if !matches!(ended, Some(LoopCommand::Pause { .. })) {
            return;
        }
        on_paused();
        loop {
            match commands.next().await {
                Some(LoopCommand::Resume) => break,
                Some(LoopCommand::Stop) | None => return,
                Some(LoopCommand::RetryNow | LoopCommand::Pause { .. }) => {}
            }
        }
    }
}

/// Runs the loop for `channels` until [`LoopCommand::Stop`] or [`LoopCommand::Pause`] (or every
/// handle is dropped), and returns the command that ended it; `on_event` receives every event
/// of the machine, in order, plus a [`Event::ResyncNeeded`] whenever the page resumes.
pub async fn run_notification_loop(
    rest: RestClient,
    channels: &[&str],
    commands: &mut UnboundedReceiver<LoopCommand>,
    mut on_event: impl FnMut(Event),
) -> Option<LoopCommand> {
    // A widget destroyed while it was still signing in never starts its loop.
    while let Ok(command) = commands.try_recv() {
        if matches!(command, LoopCommand::Stop | LoopCommand::Pause { .. }) {
            return Some(command);
        }
    }
    let mut ended = None;
    let _live = Live::new(&diagnostics::LOOPS);
    let start = clock::now();
    let config = BayeuxConfig {
        jitter_seed: start.as_u64() ^ (js_sys::Math::random() * 1e15) as u64,
        ..BayeuxConfig::default()
    };
    let mut client = BayeuxClient::new(config);
    for channel in channels {
        client.subscribe(channel);
    }
    client.start(start);
    client.set_online(start, browser_online());

    let (responses_tx, mut responses) = unbounded::<(RequestId, BayeuxReply)>();
    let (page_tx, mut page_signals) = unbounded::<PageSignal>();
    let _listeners = watch_page(move |signal| {
        let _ = page_tx.unbounded_send(signal);
    });
    let mut scheduler = Scheduler::new();
    let mut stopping = false;
    // What arrived while a body was being read, handled before anything new.
    let mut later = VecDeque::new();

    loop {
        let now = clock::now();
        client.handle_timeout(now);
        if deliver(&mut client, &rest, &mut on_event) {
            let_the_view_catch_up().await;
        }
        let now = clock::now();
        while let Some(request) = client.poll_request(now) {
            let rest = rest.clone();
            let responses_tx = responses_tx.clone();
            stopping |= request.kind == RequestKind::Disconnect;
            spawn_local(async move {
                let outcome = rest
                    .post_bayeux(NOTIFICATIONS_PATH, request.body(), request.timeout)
                    .await;
                let _ = responses_tx.unbounded_send((request.id, outcome));
            });
        }
        if stopping && *client.state() == ConnectionState::Disconnected {
            break;
        }

        let wake = match later.pop_front() {
            Some(wake) => wake,
            None => {
                let wait = client
                    .poll_deadline()
                    .map_or(MAX_IDLE, |deadline| deadline - now)
                    .min(MAX_IDLE);
                let sleep = scheduler.sleep(u32::try_from(wait.as_u64()).unwrap_or(u32::MAX));
                futures::select! {
                    response = responses.next() => match response {
                        Some((id, outcome)) => Wake::Response(id, outcome),
                        None => Wake::Timer,
                    },
                    command = commands.next() => Wake::Command(command),
                    signal = page_signals.next() => signal.map_or(Wake::Timer, Wake::Page),
                    () = sleep.fuse() => Wake::Timer,
                }
            }
        };
        let now = clock::now();
        match wake {
            Wake::Response(id, BayeuxReply::Done(outcome)) => {
                diagnostics::note_response(clock::now_us());
                client.handle_response(now, id, outcome)
            }
            Wake::Response(id, BayeuxReply::Body(body)) => {
                let mut inputs = Inputs {
                    rest: &rest,
                    commands: &mut *commands,
                    page_signals: &mut page_signals,
                    later: &mut later,
                };
                read_body(&mut client, id, body, &mut inputs, &mut on_event).await;
            }
            // The agent's click: also restarts a session the server ended.
            Wake::Command(Some(LoopCommand::RetryNow)) => client.reconnect(now),
            Wake::Command(
                command @ (Some(LoopCommand::Stop | LoopCommand::Pause { .. }) | None),
            ) if !stopping => {
                stopping = true;
                ended = command;
                if command == Some(LoopCommand::Pause { unsubscribe: true }) {
                    client.leave(); // a logout: unsubscribe, then /meta/disconnect
                } else {
                    client.disconnect();
                }
                if *client.state() == ConnectionState::Disconnected {
                    while let Some(event) = client.poll_event() {
                        on_event(event);
                    }
                    break;
                }
            }
            // Destroyed while a logout's goodbye is on its way: the session still ends as it
            // was going to, then the loop stops instead of waiting, paused, for a resume that
            // cannot come (holding this tab's place as the leader of its user's tabs).
            Wake::Command(command @ (Some(LoopCommand::Stop) | None)) => ended = command,
            Wake::Command(_) | Wake::Timer => {}
            Wake::Page(PageSignal::Resumed) => {
                client.retry_now(now);
                on_event(Event::ResyncNeeded);
            }
            Wake::Page(PageSignal::Online(online)) => client.set_online(now, online),
            Wake::Page(PageSignal::Hidden) => say_goodbye(&mut client, &rest),
        }
    }
    ended
}
