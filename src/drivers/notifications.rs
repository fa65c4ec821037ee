//! THE notification loop: pumps the sans-IO [`BayeuxClient`] over `fetch`.
//!
//! The machine decides everything (what to send, when to retry, what a reply means); this driver
//! only performs the POSTs (with timeouts that abort the fetch), reads the clock, and hands
//! events to the application. Waiting is driven by whichever comes first: a response, a command
//! (retry now, online/offline, stop) or the machine's next deadline.

use crate::drivers::clock::now_ms;
use crate::drivers::rest::RestClient;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{FutureExt, StreamExt};
use gloo_timers::future::TimeoutFuture;
use gws_client::{
    BayeuxClient, BayeuxConfig, ConnectionState, Event, Outcome, RequestId, RequestKind,
};
use leptos::task::spawn_local;

/// The CometD endpoint, relative to the server root.
pub const NOTIFICATIONS_PATH: &str = "/api/v2/notifications";

/// Longest sleep between two looks at the machine (it also bounds how stale `now` can get).
const MAX_IDLE_MS: u64 = 30_000;

/// What the application can ask of a running loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopCommand {
    /// Skip any backoff and try now (the "retry now" button, a resumed tab).
    RetryNow,
    /// The browser went online/offline.
    Online(bool),
    /// Send `/meta/disconnect` and end the loop.
    Stop,
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

    /// Sends a command (ignored once the loop has ended).
    pub fn send(&self, command: LoopCommand) {
        let _ = self.commands.unbounded_send(command);
    }
}

/// Runs the loop for `channels` until [`LoopCommand::Stop`] (or every handle is dropped);
/// `on_event` receives every event of the machine, in order.
pub async fn run_notification_loop(
    rest: RestClient,
    channels: &[&str],
    mut commands: UnboundedReceiver<LoopCommand>,
    mut on_event: impl FnMut(Event) + 'static,
) {
    let start = now_ms();
    let config = BayeuxConfig {
        jitter_seed: start ^ (js_sys::Math::random() * 1e15) as u64,
        ..BayeuxConfig::default()
    };
    let mut client = BayeuxClient::new(config);
    for channel in channels {
        client.subscribe(channel);
    }
    client.start(start);
    let (responses_tx, mut responses) = unbounded::<(RequestId, Outcome)>();
    let mut stopping = false;

    loop {
        let now = now_ms();
        client.handle_timeout(now);
        while let Some(request) = client.poll_request(now) {
            let rest = rest.clone();
            let responses_tx = responses_tx.clone();
            let is_disconnect = request.kind == RequestKind::Disconnect;
            spawn_local(async move {
                let outcome = rest
                    .post_bayeux(NOTIFICATIONS_PATH, request.body(), request.timeout_ms)
                    .await;
                let _ = responses_tx.unbounded_send((request.id, outcome));
            });
            if is_disconnect {
                stopping = true;
            }
        }
        while let Some(event) = client.poll_event() {
            if let Event::Unauthorized { .. } = event {
                let rest = rest.clone();
                spawn_local(async move {
                    let _ = rest.refresh_csrf().await;
                });
            }
            on_event(event);
        }
        if stopping && *client.state() == ConnectionState::Disconnected {
            break;
        }

        let wait = client
            .poll_deadline()
            .map(|deadline| deadline.saturating_sub(now))
            .unwrap_or(MAX_IDLE_MS)
            .min(MAX_IDLE_MS);
        let mut timer = TimeoutFuture::new(u32::try_from(wait).unwrap_or(u32::MAX)).fuse();
        futures::select! {
            response = responses.next() => {
                if let Some((id, outcome)) = response {
                    client.handle_response(now_ms(), id, outcome);
                }
            }
            command = commands.next() => match command {
                Some(LoopCommand::RetryNow) => client.retry_now(now_ms()),
                Some(LoopCommand::Online(online)) => client.set_online(now_ms(), online),
                Some(LoopCommand::Stop) | None => {
                    if stopping {
                        continue;
                    }
                    stopping = true;
                    client.disconnect();
                    if *client.state() == ConnectionState::Disconnected {
                        while let Some(event) = client.poll_event() {
                            on_event(event);
                        }
                        break;
                    }
                }
            },
            () = timer => {}
        }
    }
}
