//! Contract test: the widget's own sans-IO Bayeux client (`gws-client`) and `CallsStore`
//! reducer, driven over a real socket against `gws-sim`, agree with the simulator — including a
//! re-handshake after the server drops every session.

mod common;

use common::{Agent, Http, JSON, basic, config, spawn_server};
use gws_client::{BayeuxClient, BayeuxConfig, CallsStore, ConnectionState, Event, Millis, Outcome};
use gws_protocol::{CallState, Notification};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A finished HTTP request, handed back to the client.
type Finished = (gws_client::RequestId, Outcome);

/// Drives a `BayeuxClient` with real HTTP until `done` says so (or the test budget runs out).
struct Driver {
    client: BayeuxClient,
    http: Http,
    auth: String,
    token: String,
    started: Instant,
    results: (
        mpsc::UnboundedSender<Finished>,
        mpsc::UnboundedReceiver<Finished>,
    ),
    store: CallsStore,
    /// How often the client told the application to re-read state: each change into
    /// `Connected` (the first connect too) and each `ResyncNeeded`.
    rereads: usize,
}

impl Driver {
    fn now(&self) -> Millis {
        Millis(self.started.elapsed().as_millis() as u64)
    }

    async fn run_until(&mut self, what: &str, mut done: impl FnMut(&Driver) -> bool) {
        let budget = Instant::now() + Duration::from_secs(5);
        loop {
            while let Some(request) = self.client.poll_request(self.now()) {
                let (http, auth, token, tx) = (
                    self.http.clone(),
                    self.auth.clone(),
                    self.token.clone(),
                    self.results.0.clone(),
                );
                tokio::spawn(async move {
                    let headers = [
                        ("Authorization", auth.as_str()),
                        ("X-CSRF-TOKEN", token.as_str()),
                        ("Content-Type", "application/json"),
                    ];
                    let (status, _, body) = http
                        .request("POST", "/api/v2/notifications", &headers, &request.body())
                        .await;
                    let _ = tx.send((request.id, Outcome::Http { status, body }));
                });
            }
            while let Some(event) = self.client.poll_event() {
                match event {
                    Event::Message { data, .. } => {
                        if let Ok(Notification::Call(call)) = Notification::from_json(data.get()) {
                            let now = self.now().as_u64();
                            self.store.apply(now, &call);
                        }
                    }
                    Event::ResyncNeeded | Event::StateChanged(ConnectionState::Connected) => {
                        self.rereads += 1
                    }
                    _ => {}
                }
            }
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < budget,
                "timed out waiting for {what}; state {:?}",
                self.client.state()
            );
            let wait = self
                .client
                .poll_deadline()
                .map(|deadline| Duration::from_millis((deadline - self.now()).as_u64()))
                .unwrap_or(Duration::from_millis(50))
                .min(Duration::from_millis(50));
            tokio::select! {
                Some((id, outcome)) = self.results.1.recv() => {
                    let now = self.now();
                    self.client.handle_response(now, id, outcome);
                }
                _ = tokio::time::sleep(wait) => {
                    let now = self.now();
                    self.client.handle_timeout(now);
                }
            }
        }
    }
}

fn state_of(driver: &Driver, id: &str) -> Option<CallState> {
    driver.store.get(id).map(|entry| entry.call.state.clone())
}

async fn inject(http: &Http) -> String {
    let (_, _, body) = http
        .request(
            "POST",
            "/sim/calls",
            &[JSON],
            r#"{"from":"5000","to":"5005"}"#,
        )
        .await;
    serde_json::from_str::<serde_json::Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

#[tokio::test]
async fn the_widgets_bayeux_client_and_reducer_follow_a_call_and_survive_a_session_loss() {
    let (http, _stop) = spawn_server(config()).await;
    let agent = Agent::login(&http, "agent1").await;
    let mut driver = Driver {
        client: BayeuxClient::new(BayeuxConfig::default()),
        http: http.clone(),
        auth: basic("agent1"),
        token: agent.token.clone(),
        started: Instant::now(),
        results: mpsc::unbounded_channel(),
        store: CallsStore::default(),
        rereads: 0,
    };
    driver.client.start(Millis(0));
    driver.client.subscribe("/v2/me/calls");
    driver.client.subscribe("/v2/me/devices");
    driver
        .run_until("connected", |d| {
            *d.client.state() == ConnectionState::Connected
                && d.client.confirmed_channels().count() == 2
        })
        .await;

    let id = inject(&http).await;
    driver
        .run_until("ringing", |d| state_of(d, &id) == Some(CallState::Ringing))
        .await;
    agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    driver
        .run_until("established", |d| {
            state_of(d, &id) == Some(CallState::Established)
        })
        .await;

    let (status, _, _) = http
        .request("POST", "/sim/faults", &[JSON], r#"{"expireSessions":true}"#)
        .await;
    assert_eq!(status, 200);
    let before = driver.rereads;
    driver
        .run_until("re-handshake", |d| {
            d.rereads > before && *d.client.state() == ConnectionState::Connected
        })
        .await;
    driver
        .run_until("re-subscribed", |d| {
            d.client.confirmed_channels().count() == 2
        })
        .await;

    agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Hangup"}"#,
        )
        .await;
    driver
        .run_until("released", |d| {
            state_of(d, &id) == Some(CallState::Released)
        })
        .await;
}
