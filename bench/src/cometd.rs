//! A long-polling Bayeux client as a widget runs it: `GET /api/v2/me` for the CSRF token, then
//! handshake, subscribe to `/v2/me/calls`, and a `/meta/connect` loop on one keep-alive
//! connection. Every call notification it receives is recorded with the receipt time of the
//! response that carried it.
//!
//! Against the Faye reference server ([`ServerKind::Faye`]) the same client skips the CSRF
//! step (Faye has no REST API), subscribes to its user's own channel `/v2/me/calls/<user>`
//! (Faye routes by channel only; gws-sim routes `/v2/me/calls` by the authenticated user) and
//! asks for an immediate first connect with `advice.timeout = 0` (Faye holds every connect,
//! gws-sim answers the first at once).
//!
//! Why not `gws-client`'s sans-IO Bayeux client: it is the widget's, with backoff and
//! reconnect policy the benchmark does not exercise; this loop is the smallest honest client
//! (one connect outstanding, re-handshake on `402`), so its own cost stays small next to the
//! server's.

use crate::http::{Connection, HttpError};
use base64::Engine as _;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::watch;

/// The call state a notification carried, as the latency join key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStateKey {
    /// `Ringing`.
    Ringing,
    /// `Established`.
    Established,
    /// `Released`.
    Released,
    /// Anything else (`Held`, `Dialing`…; the benchmark's traffic has none).
    Other,
}

impl CallStateKey {
    /// From the wire name.
    pub fn parse(state: &str) -> Self {
        match state {
            "Ringing" => CallStateKey::Ringing,
            "Established" => CallStateKey::Established,
            "Released" => CallStateKey::Released,
            _ => CallStateKey::Other,
        }
    }
}

/// One call notification as a client received it.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// `call.id`.
    pub call_id: String,
    /// `call.state`.
    pub state: CallStateKey,
    /// When the response carrying it was fully read.
    pub at: Instant,
}

/// What one client did.
#[derive(Debug, Default)]
pub struct ClientReport {
    /// Every call notification received, in order.
    pub receipts: Vec<Receipt>,
    /// `/meta/connect` requests answered.
    pub connects: u64,
    /// Re-handshakes after `402::Unknown client` (should stay 0).
    pub rehandshakes: u64,
    /// The error that ended the client early, if any.
    pub error: Option<String>,
}

/// Shared counters the driver reads while the clients run.
#[derive(Debug, Default)]
pub struct Counters {
    /// Clients subscribed and holding their first long poll.
    pub ready: AtomicU64,
    /// Call notifications received by all clients together.
    pub received: AtomicU64,
}

/// Which Bayeux server the clients talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// `gws-sim` (in process).
    GwsSim,
    /// The Faye reference server (`bench/faye`, a Node child process).
    Faye,
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ServerKind::GwsSim => "gws-sim",
            ServerKind::Faye => "Faye",
        })
    }
}

/// Who a client is.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    /// The server.
    pub address: SocketAddr,
    /// Which server it is.
    pub server: ServerKind,
    /// Basic-auth user.
    pub user: String,
    /// Basic-auth password.
    pub password: String,
}

impl ClientSpec {
    /// The channel carrying this client's user's call notifications.
    pub fn subscription(&self) -> String {
        match self.server {
            ServerKind::GwsSim => "/v2/me/calls".into(),
            ServerKind::Faye => format!("/v2/me/calls/{}", self.user),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Msg {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    successful: Option<bool>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    data: Option<Data>,
}

#[derive(Debug, Deserialize)]
struct Data {
    #[serde(default)]
    call: Option<CallLite>,
}

#[derive(Debug, Deserialize)]
struct CallLite {
    id: String,
    state: String,
}

/// Why a client stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Transport failure.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The server answered something a GWS server would not.
    #[error("{0}")]
    Protocol(String),
}

struct Session {
    connection: Connection,
    server: ServerKind,
    subscription: String,
    authorization: String,
    csrf: String,
    client_id: String,
    next_id: u64,
    /// The next connect is the first after a handshake.
    first_connect: bool,
}

impl Session {
    async fn post(&mut self, body: String) -> Result<(Vec<Msg>, Instant), ClientError> {
        let response = self
            .connection
            .request(
                "POST",
                "/api/v2/notifications",
                &[
                    ("Authorization", &self.authorization),
                    ("X-CSRF-TOKEN", &self.csrf),
                    ("Content-Type", "application/json"),
                ],
                body.as_bytes(),
            )
            .await?;
        if response.status != 200 {
            return Err(ClientError::Protocol(format!(
                "notifications answered HTTP {}",
                response.status
            )));
        }
        let messages: Vec<Msg> = serde_json::from_slice(&response.body)
            .map_err(|e| ClientError::Protocol(format!("bad Bayeux reply: {e}")))?;
        Ok((messages, response.received_at))
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    async fn handshake_and_subscribe(&mut self) -> Result<(), ClientError> {
        let id = self.id();
        let body = format!(
            r#"[{{"channel":"/meta/handshake","version":"1.0","minimumVersion":"1.0","supportedConnectionTypes":["long-polling"],"id":"{id}"}}]"#
        );
        let (replies, _) = self.post(body).await?;
        self.first_connect = true;
        self.client_id = replies
            .iter()
            .find(|m| m.channel == "/meta/handshake" && m.successful == Some(true))
            .and_then(|m| m.client_id.clone())
            .ok_or_else(|| ClientError::Protocol("handshake refused".into()))?;
        let id = self.id();
        let body = format!(
            r#"[{{"channel":"/meta/subscribe","clientId":"{}","subscription":"{}","id":"{id}"}}]"#,
            self.client_id, self.subscription
        );
        let (replies, _) = self.post(body).await?;
        if !replies
            .iter()
            .any(|m| m.channel == "/meta/subscribe" && m.successful == Some(true))
        {
            return Err(ClientError::Protocol("subscribe refused".into()));
        }
        Ok(())
    }

    /// One `/meta/connect`; returns whether the session is still known.
    async fn connect(
        &mut self,
        report: &mut ClientReport,
        counters: &Counters,
    ) -> Result<bool, ClientError> {
        let id = self.id();
        // Faye holds every connect unless told otherwise; gws-sim answers the first at once.
        let advice = if self.first_connect && self.server == ServerKind::Faye {
            r#","advice":{"timeout":0}"#
        } else {
            ""
        };
        self.first_connect = false;
        let body = format!(
            r#"[{{"channel":"/meta/connect","clientId":"{}","connectionType":"long-polling","id":"{id}"{advice}}}]"#,
            self.client_id
        );
        let (replies, at) = self.post(body).await?;
        report.connects += 1;
        let mut known = true;
        for message in replies {
            if message.channel == "/meta/connect" {
                if message.successful == Some(false) {
                    let error = message.error.unwrap_or_default();
                    // gws-sim says 402::Unknown client, Faye 401::Unknown client.
                    if error.starts_with("402") || error.starts_with("401") {
                        known = false;
                    } else {
                        return Err(ClientError::Protocol(format!("connect failed: {error}")));
                    }
                }
                continue;
            }
            if let Some(call) = message.data.and_then(|d| d.call) {
                report.receipts.push(Receipt {
                    state: CallStateKey::parse(&call.state),
                    call_id: call.id,
                    at,
                });
                counters.received.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(known)
    }
}

async fn start(spec: &ClientSpec) -> Result<Session, ClientError> {
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", spec.user, spec.password));
    let authorization = format!("Basic {credentials}");
    let mut connection = Connection::open(spec.address).await?;
    let csrf = match spec.server {
        ServerKind::GwsSim => csrf_token(&mut connection, &authorization).await?,
        ServerKind::Faye => String::new(),
    };
    let mut session = Session {
        connection,
        server: spec.server,
        subscription: spec.subscription(),
        authorization,
        csrf,
        client_id: String::new(),
        next_id: 0,
        first_connect: true,
    };
    session.handshake_and_subscribe().await?;
    Ok(session)
}

/// `GET /api/v2/me` as a widget does first: the CSRF token of later POSTs.
async fn csrf_token(
    connection: &mut Connection,
    authorization: &str,
) -> Result<String, ClientError> {
    let me = connection
        .request(
            "GET",
            "/api/v2/me",
            &[("Authorization", authorization)],
            b"",
        )
        .await?;
    if me.status != 200 {
        return Err(ClientError::Protocol(format!(
            "GET /api/v2/me answered HTTP {}",
            me.status
        )));
    }
    me.csrf_token
        .ok_or_else(|| ClientError::Protocol("no X-CSRF-TOKEN on GET /api/v2/me".into()))
}

/// Runs one client until `stop` turns true. `setup` bounds how many clients set up at once
/// (thousands of simultaneous handshakes would only overflow the listen backlog).
pub async fn run(
    spec: ClientSpec,
    counters: Arc<Counters>,
    setup: Arc<tokio::sync::Semaphore>,
    mut stop: watch::Receiver<bool>,
) -> ClientReport {
    let mut report = ClientReport::default();
    let session = {
        let _permit = setup.acquire().await;
        match start(&spec).await {
            Ok(mut session) => {
                // The first connect after a handshake answers at once.
                match session.connect(&mut report, &counters).await {
                    Ok(_) => Ok(session),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    };
    let mut session = match session {
        Ok(session) => session,
        Err(error) => {
            report.error = Some(format!("setup: {error}"));
            return report;
        }
    };
    counters.ready.fetch_add(1, Ordering::Relaxed);
    loop {
        let step = tokio::select! {
            step = session.connect(&mut report, &counters) => step,
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        match step {
            Ok(true) => {}
            Ok(false) => {
                report.rehandshakes += 1;
                if let Err(error) = session.handshake_and_subscribe().await {
                    report.error = Some(format!("re-handshake: {error}"));
                    break;
                }
            }
            Err(error) => {
                report.error = Some(error.to_string());
                break;
            }
        }
    }
    report
}
