//! Shared helpers for the HTTP (`oneshot`) and real-socket tests.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::Engine as _;
use gws_sim::{AppState, SimConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::BTreeSet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

pub const DEVICE1: &str = "efe1ab32-53f9-43ce-b65e-5768c61f7d4a";
pub const DEVICE2: &str = "9c14cad7-17c4-48d0-8492-7cf0ff92c224";
pub const DEVICE_SUP: &str = "631608b3-ceb1-472b-ba05-2ae39555b0d1";

/// `Content-Type: application/json`, which every `/sim` write needs.
pub const JSON: (&str, &str) = ("Content-Type", "application/json");

/// A seed fixture (JSON array of CometD messages) from the protocol crate.
pub fn fixture(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/../protocol/tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

pub fn cap_set(call: &Value) -> BTreeSet<String> {
    call["capabilities"]
        .as_array()
        .expect("capabilities")
        .iter()
        .map(|c| c.as_str().expect("string").to_string())
        .collect()
}

pub fn basic(user: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{user}"))
    )
}

/// A test configuration: phones answer at once, short CometD timeouts, agents logged in to
/// voice (`--agents-logged-in`; the session tests log out or start from [`logged_out`]).
pub fn config() -> SimConfig {
    SimConfig {
        agents_logged_in: true,
        answer_delay_ms: 0,
        cometd_timeout_ms: 2_000,
        max_interval_ms: 1_000,
        ..SimConfig::default()
    }
}

/// [`config`] with agents logged out, as the binary starts without `--agents-logged-in`.
pub fn logged_out() -> SimConfig {
    SimConfig {
        agents_logged_in: false,
        ..config()
    }
}

/// An in-process app plus its state.
pub struct TestApp {
    pub state: AppState,
    pub app: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub fn new(config: SimConfig) -> Self {
        let state = AppState::new(config);
        TestApp {
            app: gws_sim::app(state.clone()),
            state,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Body::from(body.to_string())).expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET as `user` (Basic auth).
    pub async fn get(&self, user: &str, uri: &str) -> Reply {
        self.request(Method::GET, uri, &[("authorization", &basic(user))], "")
            .await
    }

    /// The user's CSRF token, read from a GET like a browser client does.
    pub async fn csrf(&self, user: &str) -> String {
        self.get(user, "/api/v2/me")
            .await
            .header("x-csrf-token")
            .expect("token")
            .to_string()
    }

    /// POST as `user` with Basic auth and the CSRF token.
    pub async fn post(&self, user: &str, uri: &str, body: &str) -> Reply {
        let token = self.csrf(user).await;
        self.request(
            Method::POST,
            uri,
            &[
                ("authorization", &basic(user)),
                ("x-csrf-token", &token),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// POST to the control API.
    pub async fn sim(&self, uri: &str, body: &str) -> Reply {
        self.request(
            Method::POST,
            uri,
            &[("content-type", "application/json")],
            body,
        )
        .await
    }

    /// Injects a call and returns its id.
    pub async fn inject(&self, from: &str, to: &str) -> String {
        let reply = self
            .sim("/sim/calls", &format!(r#"{{"from":"{from}","to":"{to}"}}"#))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()["id"].as_str().expect("id").to_string()
    }
}

/// A minimal HTTP/1.1 client for the real-socket tests (one request per connection).
#[derive(Clone)]
pub struct Http {
    pub base: String,
    pub address: String,
}

impl Http {
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Vec<(String, String)>, String) {
        let mut stream = TcpStream::connect(&self.address).await.expect("connect");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(body.as_bytes()).await.expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked {
            dechunk(body)
        } else {
            body.to_string()
        };
        (status, headers, body)
    }
}

/// What a `GET /api/v2/me?subresources=*` login hands out.
pub struct Login {
    pub status: u16,
    /// `JSESSIONID=…` from `Set-Cookie`.
    pub cookie: Option<String>,
    /// `X-CSRF-TOKEN`.
    pub token: Option<String>,
}

impl Http {
    /// `GET /api/v2/me?subresources=*` with this `Authorization` header.
    pub async fn login(&self, authorization: &str) -> Login {
        let (status, headers, _) = self
            .request(
                "GET",
                "/api/v2/me?subresources=*",
                &[("Authorization", authorization)],
                "",
            )
            .await;
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        Login {
            status,
            cookie: header("set-cookie")
                .and_then(|v| v.split(';').next())
                .map(str::to_string),
            token: header("x-csrf-token").cloned(),
        }
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A browser-like user: Basic auth, CSRF token, a Bayeux session.
#[derive(Clone)]
pub struct Agent {
    pub http: Http,
    pub user: String,
    pub token: String,
    pub client_id: String,
}

impl Agent {
    pub async fn login(http: &Http, user: &str) -> Agent {
        let login = http.login(&basic(user)).await;
        assert_eq!(login.status, 200);
        let token = login.token.expect("csrf token");
        Agent {
            http: http.clone(),
            user: user.to_string(),
            token,
            client_id: String::new(),
        }
    }

    pub async fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let auth = basic(&self.user);
        let (status, _, text) = self
            .http
            .request(
                "POST",
                path,
                &[
                    ("Authorization", &auth),
                    ("X-CSRF-TOKEN", &self.token),
                    ("Content-Type", "application/json"),
                ],
                body,
            )
            .await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let auth = basic(&self.user);
        let (status, _, text) = self
            .http
            .request("GET", path, &[("Authorization", &auth)], "")
            .await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn bayeux(&self, messages: Value) -> Vec<Value> {
        let (status, reply) = self
            .post("/api/v2/notifications", &messages.to_string())
            .await;
        assert_eq!(status, 200, "{reply}");
        reply
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("not an array: {reply}"))
    }

    /// Handshake, subscribe to `/v2/me/*`, first (immediate) connect.
    pub async fn connect_cometd(&mut self) {
        let reply = self
            .bayeux(serde_json::json!([{"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"], "id": "1"}]))
            .await;
        assert_eq!(reply[0]["successful"], true);
        self.client_id = reply[0]["clientId"].as_str().expect("clientId").to_string();
        let reply = self
            .bayeux(serde_json::json!([{"channel": "/meta/subscribe", "clientId": self.client_id, "subscription": "/v2/me/*", "id": "2"}]))
            .await;
        assert_eq!(reply[0]["successful"], true, "{reply:?}");
        let reply = self.connect().await;
        assert_eq!(reply.last().expect("connect reply")["successful"], true);
    }

    pub async fn connect(&self) -> Vec<Value> {
        self.bayeux(serde_json::json!([{"channel": "/meta/connect", "clientId": self.client_id, "connectionType": "long-polling"}]))
            .await
    }

    /// Connects until `count` application messages have arrived (bounded).
    pub async fn collect(&self, count: usize) -> Vec<Value> {
        let mut got = Vec::new();
        for _ in 0..20 {
            if got.len() >= count {
                break;
            }
            for message in self.connect().await {
                if !message["channel"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("/meta/")
                {
                    got.push(message);
                }
            }
        }
        got
    }
}

/// Starts `gws-sim` on 127.0.0.1:0; returns the client and a shutdown trigger.
pub async fn spawn_server(config: SimConfig) -> (Http, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        gws_sim::run(listener, config, async move {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    (
        Http {
            base: format!("http://{address}"),
            address,
        },
        tx,
    )
}

/// What a fuzz property's cases met (an outcome → how many), printed with its run.
pub type Tally<K> = std::sync::Mutex<std::collections::BTreeMap<K, usize>>;

/// Counts one case's outcome.
pub fn count<K: Ord>(tally: &Tally<K>, key: K) {
    if let Ok(mut tally) = tally.lock() {
        *tally.entry(key).or_default() += 1;
    }
}

/// Runs the fuzz property `test` over `strategy` for `default_cases` cases (or
/// `PROPTEST_CASES`), no persistence file, then prints how many cases ran, how long they took
/// and the tally (each outcome as `show` words it) — before a failure is raised, so a failing
/// run shows it too.
///
/// The cases come from one seed (`PROPTEST_RNG_SEED`, else a fresh one), printed with the run
/// and in the failure: a failure found once is replayed with that seed and the same number of
/// cases.
pub fn fuzz<T: std::fmt::Debug, K: Ord>(
    name: &str,
    default_cases: u32,
    strategy: impl proptest::strategy::Strategy<Value = T>,
    test: impl Fn(T, &Tally<K>) -> Result<(), proptest::test_runner::TestCaseError>,
    show: impl Fn(&K, usize) -> String,
) {
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(fresh_seed);
    let tally = Tally::default();
    let ran = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(value, &tally)
    });
    let summary: Vec<String> = tally
        .into_inner()
        .unwrap_or_default()
        .iter()
        .map(|(key, n)| show(key, *n))
        .collect();
    println!(
        "{name}: {} cases run ({cases} wanted, shrinking included, seed {seed}) in {:.1} s, {}; {}",
        ran.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        if result.is_ok() {
            "all passed"
        } else {
            "FAILED"
        },
        summary.join(", ")
    );
    if let Err(error) = result {
        panic!("{error}\nreplay: PROPTEST_RNG_SEED={seed} PROPTEST_CASES={cases}");
    }
}

/// A seed that differs from run to run (the standard library's per-process random hash keys,
/// mixed with the time), so that each run explores new cases.
fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}
