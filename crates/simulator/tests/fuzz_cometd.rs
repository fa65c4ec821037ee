//! Fuzzed Bayeux traffic: what a broken, hostile or confused client can post to
//! `/api/v2/notifications` (and the suffixed URLs cometd.js uses), authenticated and with the
//! CSRF token, through the real router (`oneshot`).
//!
//! Three properties, bounded (`PROPTEST_CASES`, default 300 per property) so the suite runs in
//! seconds:
//! 1. arbitrary bodies — random bytes, random JSON, truncated JSON, huge strings, deep nesting,
//!    arrays of many messages, bodies that are not an array;
//! 2. structure-aware messages — every meta channel and service / publish channels with fields of
//!    random types, unknown fields, several connects in a batch, valid and invalid mixed;
//! 3. sequences — a handshake, then random steps: another user's `clientId`, a disconnected
//!    session's, unsubscribes of channels never subscribed, subscriptions a user may not have.
//!
//! Why these invariants (what the code promises, nothing more): the server never answers 5xx;
//! a body it cannot read as Bayeux is `400` with `[{"successful":false,"error":"400::…"}]`, one
//! over the 1 MiB limit `413` with a `413::…` error in the same shape (`http/notifications.rs`);
//! anything else is `200` with an array whose elements are meta
//! replies (`channel` + `successful`, an `error` when unsuccessful) or published messages
//! (`channel` + `data`); Bayeux never touches the call model; a request every message of which
//! was refused leaves the session table as it was — and, message by message, replaying only the
//! accepted messages of a batch on an identical simulator leaves the same table; one user's traffic never touches another
//! user's sessions; and after the garbage a fresh handshake + subscribe + connect still works
//! and gets an injected call, as does the other user's session.
//!
//! Connects are never held for long: the simulator's CometD timeout is a few milliseconds
//! here (the sweeper does not run under `oneshot`, so sessions never expire mid-case).

mod common;

use axum::http::Method;
use common::{Tally, TestApp, basic, config, count};
use gws_sim::SimConfig;
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Number, Value, json};
use tower::ServiceExt;

/// The URLs the router hands to the Bayeux endpoint.
const PATHS: &[&str] = &[
    "/api/v2/notifications",
    "/api/v2/notifications/",
    "/api/v2/notifications/handshake",
    "/api/v2/notifications/connect",
    "/api/v2/notifications/subscribe",
    "/api/v2/notifications/x/y/z",
];

/// Placeholders replaced before sending: agent1's live session, agent2's live session, and a
/// session agent1 disconnected (ids change with every case).
const MINE: &str = "@mine@";
const THEIRS: &str = "@theirs@";
const GONE: &str = "@gone@";

const META: &[&str] = &[
    "/meta/handshake",
    "/meta/connect",
    "/meta/subscribe",
    "/meta/unsubscribe",
    "/meta/disconnect",
];

/// Channels a `channel` or `subscription` may name: allowed, other users', wildcards, meta,
/// service and odd ones.
const CHANNELS: &[&str] = &[
    "/v2/me/calls",
    "/v2/me/devices",
    "/v2/me/*",
    "/v2/me/**",
    "/v2/me",
    "/v2/users/agent2/calls",
    "/v2/agent2/calls",
    "/*",
    "/**",
    "/meta/*",
    "/meta/**",
    "/meta/connect",
    "/meta/foo",
    "/service/echo",
    "/service/**",
    "/v2/me/calls/*",
    "",
    "/",
    "v2/me/calls",
];

/// Config with a CometD timeout of a few milliseconds, so a held connect ends at once.
fn fuzz_config() -> SimConfig {
    SimConfig {
        cometd_timeout_ms: 5,
        ..config()
    }
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::String),
        prop::sample::select(CHANNELS).prop_map(|c| json!(c)),
        prop::sample::select(vec![MINE, THEIRS, GONE]).prop_map(|c| json!(c)),
    ]
    .boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        prop::sample::select(vec![
                            "channel",
                            "clientId",
                            "id",
                            "subscription",
                            "advice",
                            "ext",
                            "data",
                            "timeout",
                        ])
                        .prop_map(str::to_string),
                        "\\PC{0,12}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// A millisecond advice value of any type: valid, zero, negative, huge, fractional, textual.
fn millis() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(-0.5)),
        Just(json!(1.5)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!("0")),
        Just(json!(" 10 ")),
        Just(json!("soon")),
        Just(json!(null)),
        Just(json!([0])),
        Just(json!({"ms": 0})),
        (0u64..100).prop_map(|n| json!(n)),
    ]
    .boxed()
}

fn advice() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (
            prop::option::of(millis()),
            prop::option::of(millis()),
            prop::option::of(prop_oneof![
                Just(json!("retry")),
                Just(json!("handshake")),
                Just(json!("none")),
                Just(json!("sometimes")),
                json_leaf(),
            ]),
            prop::option::of(millis()),
        )
            .prop_map(|(timeout, interval, reconnect, max)| {
                let mut advice = Map::new();
                for (key, value) in [
                    ("timeout", timeout),
                    ("interval", interval),
                    ("reconnect", reconnect),
                    ("maxInterval", max),
                ] {
                    if let Some(value) = value {
                        advice.insert(key.into(), value);
                    }
                }
                Value::Object(advice)
            }),
        1 => json_value(),
    ]
    .boxed()
}

/// A value for `clientId`: mostly the fixture's sessions, sometimes anything.
fn client_id() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => Just(json!(MINE)),
        2 => Just(json!(THEIRS)),
        2 => Just(json!(GONE)),
        1 => Just(json!("")),
        1 => Just(json!(format!("{MINE} "))),
        2 => json_leaf(),
    ]
    .boxed()
}

fn subscription() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => prop::sample::select(CHANNELS).prop_map(|c| json!(c)),
        2 => prop::collection::vec(prop::sample::select(CHANNELS), 0..4).prop_map(|c| json!(c)),
        1 => json_value(),
    ]
    .boxed()
}

/// One Bayeux message with each field present or not, of the expected type or any other.
fn message() -> BoxedStrategy<Value> {
    let channel = prop_oneof![
        8 => prop::sample::select(META).prop_map(|c| json!(c)),
        2 => prop::sample::select(CHANNELS).prop_map(|c| json!(c)),
        1 => json_leaf(),
    ];
    let connection_types = prop_oneof![
        Just(json!(["long-polling"])),
        Just(json!(["websocket", "long-polling"])),
        Just(json!(["websocket"])),
        Just(json!([])),
        Just(json!("long-polling")),
        Just(json!([null, 7, "callback-polling"])),
        json_value(),
    ];
    let connection_type = prop_oneof![
        Just(json!("long-polling")),
        Just(json!("websocket")),
        json_leaf(),
    ];
    let version = prop_oneof![Just(json!("1.0")), Just(json!("0.9")), json_leaf()];
    let unknown = prop::collection::btree_map("[a-z]{1,8}", json_value(), 0..2);
    (
        (
            channel,
            prop::option::of(client_id()),
            prop::option::of(json_leaf()),
            prop::option::of(subscription()),
            prop::option::of(advice()),
        ),
        (
            prop::option::of(json_value()),
            prop::option::of(connection_types),
            prop::option::of(connection_type),
            prop::option::of(version),
            prop::option::of(json_value()),
            unknown,
        ),
    )
        .prop_map(
            |(
                (channel, client, id, subscription, advice),
                (ext, types, connection_type, version, data, unknown),
            )| {
                let mut message = Map::new();
                for (key, value) in unknown {
                    message.insert(key, value);
                }
                message.insert("channel".into(), channel);
                for (key, value) in [
                    ("clientId", client),
                    ("id", id),
                    ("subscription", subscription),
                    ("advice", advice),
                    ("ext", ext),
                    ("supportedConnectionTypes", types),
                    ("connectionType", connection_type),
                    ("version", version),
                    ("data", data),
                ] {
                    if let Some(value) = value {
                        message.insert(key.into(), value);
                    }
                }
                Value::Object(message)
            },
        )
        .boxed()
}

/// A well-formed message a real client sends, on one of the fixture's sessions.
fn valid_message() -> BoxedStrategy<Value> {
    let id = prop_oneof![Just(MINE), Just(THEIRS), Just(GONE)];
    (0usize..6, id, prop::sample::select(CHANNELS))
        .prop_map(|(kind, id, channel)| match kind {
            0 => json!({"channel": "/meta/handshake", "version": "1.0",
                    "supportedConnectionTypes": ["long-polling"], "id": "1"}),
            1 => {
                json!({"channel": "/meta/connect", "clientId": id, "connectionType": "long-polling",
                    "advice": {"timeout": 0}, "id": "2"})
            }
            2 => json!({"channel": "/meta/subscribe", "clientId": id, "subscription": channel,
                    "id": "3"}),
            3 => json!({"channel": "/meta/unsubscribe", "clientId": id, "subscription": channel,
                    "id": "4"}),
            4 => json!({"channel": "/meta/disconnect", "clientId": id, "id": "5"}),
            _ => json!({"channel": channel, "clientId": id, "data": {"x": 1}, "id": "6"}),
        })
        .boxed()
}

/// A batch of structured messages: valid and invalid mixed, sometimes several connects.
fn batch() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(prop_oneof![2 => message(), 1 => valid_message()], 0..6)
            .prop_map(|m| Value::Array(m).to_string().into_bytes()),
        1 => message().prop_map(|m| m.to_string().into_bytes()),
        1 => (prop::collection::vec(valid_message(), 0..3), 2usize..5).prop_map(|(mut m, n)| {
            for i in 0..n {
                m.push(json!({"channel": "/meta/connect", "clientId": MINE, "id": i,
                              "advice": {"timeout": 0}, "connectionType": "long-polling"}));
            }
            Value::Array(m).to_string().into_bytes()
        }),
        1 => (prop::collection::vec(prop_oneof![message(), valid_message()], 1..4),
              prop::collection::vec(json_leaf(), 1..3))
            .prop_map(|(m, junk)| {
                // Messages and items that are not messages in one array.
                let mut items = m;
                items.extend(junk);
                Value::Array(items).to_string().into_bytes()
            }),
    ]
    .boxed()
}

/// A body with one huge string (some above the 1 MiB body limit).
fn huge_body() -> BoxedStrategy<Vec<u8>> {
    (
        prop::sample::select(vec![
            64 * 1024,
            900 * 1024,
            1024 * 1024 + 1,
            3 * 1024 * 1024,
        ]),
        prop::sample::select(vec!["channel", "clientId", "ext", "subscription", "id"]),
        prop::sample::select(META),
    )
        .prop_map(|(len, field, channel)| {
            let huge = "7".repeat(len);
            let mut message = json!({"channel": channel, "clientId": MINE});
            message[field] = match field {
                "ext" => json!({"big": huge}),
                _ => json!(huge),
            };
            json!([message]).to_string().into_bytes()
        })
        .boxed()
}

/// Arrays or objects nested `depth` deep: the body itself, or a message's `ext`.
fn deep_body() -> BoxedStrategy<Vec<u8>> {
    (1usize..5000, any::<bool>(), any::<bool>()).prop_map(|(depth, objects, alone)| {
        let (open, close) = if objects {
            (r#"{"a":"#, "}")
        } else {
            ("[", "]")
        };
        let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        if alone {
            nested.into_bytes()
        } else {
            format!(r#"[{{"channel":"/meta/subscribe","clientId":"{MINE}","subscription":"/v2/me/calls","ext":{nested}}}]"#)
                .into_bytes()
        }
    })
    .boxed()
}

/// Many messages in one array (up to a few thousand).
fn many_messages() -> BoxedStrategy<Vec<u8>> {
    (valid_message(), 100usize..3000)
        .prop_map(|(message, n)| Value::Array(vec![message; n]).to_string().into_bytes())
        .boxed()
}

fn arbitrary_body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..256),
        3 => json_value().prop_map(|v| v.to_string().into_bytes()),
        3 => (batch(), any::<prop::sample::Index>()).prop_map(|(text, cut)| {
            let at = cut.index(text.len().max(1));
            text[..at].to_vec()
        }),
        1 => huge_body(),
        1 => deep_body(),
        1 => many_messages(),
        1 => prop::sample::select(vec![
            "", " ", "null", "0", "\"[]\"", "{}", "[]", "[[]]", "[null]", "[{}]", "[[{}]]",
            "{\"channel\":\"/meta/handshake\"}", "[{\"channel\":\"/meta/handshake\"},]",
            "\u{feff}[]", "[{\"channel\":\"/meta/handshake\"}]garbage",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        2 => batch(),
    ]
    .boxed()
}

/// A simulator with agent1 and agent2 each holding a live session (subscribed to `/v2/me/*`,
/// connected once) and agent1 holding a disconnected one.
struct Fixture {
    app: TestApp,
    token: String,
    mine: String,
    theirs: String,
    gone: String,
}

async fn bayeux(
    app: &TestApp,
    user: &str,
    token: &str,
    path: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("authorization", basic(user))
        .header("x-csrf-token", token)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .expect("request");
    let response = app.app.clone().oneshot(request).await.expect("response");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// One request's replies, parsed (panics: only used on the fixture's own, valid traffic).
async fn send(app: &TestApp, user: &str, token: &str, messages: Value) -> Vec<Value> {
    let (status, text) = bayeux(
        app,
        user,
        token,
        "/api/v2/notifications",
        messages.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str::<Vec<Value>>(&text).expect("array")
}

/// Handshake, subscribe to `/v2/me/*`, first connect; returns the client id.
async fn session(app: &TestApp, user: &str, token: &str) -> String {
    let reply = send(
        app,
        user,
        token,
        json!([{"channel": "/meta/handshake", "version": "1.0",
                "supportedConnectionTypes": ["long-polling"]}]),
    )
    .await;
    assert_eq!(reply[0]["successful"], true, "{reply:?}");
    let id = reply[0]["clientId"].as_str().expect("clientId").to_string();
    let reply = send(
        app,
        user,
        token,
        json!([{"channel": "/meta/subscribe", "clientId": id, "subscription": "/v2/me/*"},
               {"channel": "/meta/connect", "clientId": id, "connectionType": "long-polling"}]),
    )
    .await;
    assert!(reply.iter().all(|r| r["successful"] == true), "{reply:?}");
    id
}

async fn fixture() -> Fixture {
    let app = TestApp::new(fuzz_config());
    let token = app.csrf("agent1").await;
    let token2 = app.csrf("agent2").await;
    let mine = session(&app, "agent1", &token).await;
    let theirs = session(&app, "agent2", &token2).await;
    let gone = session(&app, "agent1", &token).await;
    let reply = send(
        &app,
        "agent1",
        &token,
        json!([{"channel": "/meta/disconnect", "clientId": gone}]),
    )
    .await;
    assert_eq!(reply[0]["successful"], true, "{reply:?}");
    Fixture {
        app,
        token,
        mine,
        theirs,
        gone,
    }
}

impl Fixture {
    /// `body` with the placeholders replaced by this fixture's ids.
    fn resolve(&self, body: &[u8]) -> Vec<u8> {
        match std::str::from_utf8(body) {
            Ok(text) if text.contains('@') => text
                .replace(MINE, &self.mine)
                .replace(THEIRS, &self.theirs)
                .replace(GONE, &self.gone)
                .into_bytes(),
            _ => body.to_vec(),
        }
    }

    /// The session table without the idle times (which move with the clock).
    fn sessions(&self) -> Vec<Value> {
        let Value::Array(mut sessions) = self.app.state.hub().snapshot() else {
            return Vec::new();
        };
        for session in &mut sessions {
            if let Some(object) = session.as_object_mut() {
                object.remove("idleMs");
            }
        }
        sessions
    }

    fn sessions_of(&self, user: &str) -> Vec<Value> {
        self.sessions()
            .into_iter()
            .filter(|s| s["user"] == user)
            .collect()
    }

    fn model(&self) -> gws_sim::engine::persist::PersistedModel {
        self.app.state.read(|engine, _| engine.persisted())
    }
}

/// What a reply turned out to be, for the tally and the state checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// The body was not Bayeux (`400`).
    Refused,
    /// A batch where nothing succeeded.
    AllFailed,
    /// A batch where at least one message succeeded.
    SomeSucceeded,
    /// The body was larger than the limit.
    TooLarge,
}

/// Checks a reply against the contract the code promises (see the module doc).
fn check_reply(status: u16, text: &str, sent: &str) -> Result<Outcome, TestCaseError> {
    let preview: String = sent.chars().take(300).collect();
    prop_assert!(status < 500, "{status} for {preview}: {text}");
    let json: Value = serde_json::from_str(text).map_err(|e| {
        TestCaseError::fail(format!("{status} not JSON ({e}) for {preview}: {text}"))
    })?;
    let replies = json
        .as_array()
        .ok_or_else(|| TestCaseError::fail(format!("not an array for {preview}: {text}")))?;
    if status == 400 || status == 413 {
        let prefix = format!("{status}::");
        prop_assert!(
            !replies.is_empty()
                && replies.iter().all(|r| r["successful"] == false
                    && r["error"].as_str().is_some_and(|e| e.starts_with(&prefix))),
            "{} body for {}: {}",
            status,
            preview,
            text
        );
        return Ok(if status == 413 {
            Outcome::TooLarge
        } else {
            Outcome::Refused
        });
    }
    prop_assert_eq!(status, 200, "for {}: {}", preview, text);
    let mut succeeded = false;
    for reply in replies {
        let channel = reply["channel"].as_str();
        prop_assert!(channel.is_some(), "no channel for {}: {}", preview, reply);
        match &reply["successful"] {
            Value::Bool(true) => succeeded = true,
            Value::Bool(false) => {
                let error = reply["error"].as_str().unwrap_or("");
                let code_ok = error
                    .split("::")
                    .next()
                    .is_some_and(|c| c.len() == 3 && c.parse::<u16>().is_ok());
                prop_assert!(
                    code_ok,
                    "unsuccessful without a Bayeux error for {}: {}",
                    preview,
                    reply
                );
            }
            Value::Null => {
                // A published message: an application channel with data.
                prop_assert!(
                    channel.is_some_and(|c| !c.starts_with("/meta/"))
                        && reply.get("data").is_some(),
                    "neither a reply nor a published message for {}: {}",
                    preview,
                    reply
                );
            }
            other => prop_assert!(false, "successful is {} for {}", other, preview),
        }
    }
    Ok(if succeeded {
        Outcome::SomeSucceeded
    } else {
        Outcome::AllFailed
    })
}

/// Sends `body` as agent1 and checks every invariant that holds whatever the body was.
async fn garbage_step(
    fixture: &Fixture,
    path: &str,
    body: &[u8],
) -> Result<(Outcome, Vec<Value>), TestCaseError> {
    let body = fixture.resolve(body);
    let model = fixture.model();
    let sessions = fixture.sessions();
    let theirs = fixture.sessions_of("agent2");
    let (status, text) = bayeux(&fixture.app, "agent1", &fixture.token, path, body.clone()).await;
    let sent = String::from_utf8_lossy(&body);
    let preview: String = sent.chars().take(300).collect();
    let outcome = check_reply(status, &text, &sent)?;
    prop_assert!(
        fixture.model() == model,
        "Bayeux changed the call model: {}",
        preview
    );
    prop_assert_eq!(
        fixture.sessions_of("agent2"),
        theirs,
        "agent1's request touched agent2's sessions: {}",
        preview
    );
    if outcome != Outcome::SomeSucceeded {
        prop_assert_eq!(
            fixture.sessions(),
            sessions,
            "refused ({}) but the session table changed: {}",
            text.chars().take(300).collect::<String>(),
            preview
        );
    }
    let replies = serde_json::from_str::<Vec<Value>>(&text).unwrap_or_default();
    Ok((outcome, replies))
}

/// After the garbage: a new agent1 session works end to end and gets an injected call, and
/// agent2's session (which agent1 could not touch) gets theirs.
async fn still_works(fixture: &Fixture) -> Result<(), TestCaseError> {
    let app = &fixture.app;
    let id = session(app, "agent1", &fixture.token).await;
    app.inject("5000", "5005").await;
    app.inject("5002", "5001").await;
    let delivered = |replies: &[Value]| {
        replies.iter().any(|r| {
            r["channel"] == "/v2/me/calls" && r["data"]["call"]["state"].as_str().is_some()
        })
    };
    let reply = send(
        app,
        "agent1",
        &fixture.token,
        json!([{"channel": "/meta/connect", "clientId": id, "connectionType": "long-polling",
                "advice": {"timeout": 0}}]),
    )
    .await;
    prop_assert!(
        delivered(&reply),
        "agent1's call not delivered: {:?}",
        reply
    );
    let token2 = app.csrf("agent2").await;
    let reply = send(
        app,
        "agent2",
        &token2,
        json!([{"channel": "/meta/connect", "clientId": fixture.theirs,
                "connectionType": "long-polling", "advice": {"timeout": 0}}]),
    )
    .await;
    prop_assert!(
        delivered(&reply),
        "agent2's call not delivered: {:?}",
        reply
    );
    Ok(())
}

/// [`common::fuzz`], each outcome shown as it was counted.
fn run<T: std::fmt::Debug>(
    name: &str,
    default_cases: u32,
    strategy: impl Strategy<Value = T>,
    test: impl Fn(T, &Tally<String>) -> Result<(), TestCaseError>,
) {
    common::fuzz(name, default_cases, strategy, test, |outcome, n| {
        format!("{outcome}: {n}")
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn arbitrary_bodies_never_get_a_5xx_and_refusals_change_nothing() {
    let runtime = runtime();
    let strategy = (prop::sample::select(PATHS), arbitrary_body());
    run(
        "fuzzed Bayeux bodies",
        300,
        strategy,
        |(path, body), tally| {
            runtime.block_on(async {
                let fixture = fixture().await;
                let (outcome, _) = garbage_step(&fixture, path, &body).await?;
                count(tally, format!("{outcome:?}"));
                still_works(&fixture).await
            })
        },
    );
}

/// The items of a batch the server accepted (`successful: true`), in order, or `None` when the
/// body was not an array of items the replies can be matched with.
///
/// Why this matching: `handle_batch` answers every item in order, except the first parsed
/// `/meta/connect`, whose reply comes last (it may wait); the fixture's sessions have nothing
/// queued, so no published message comes before it.
fn accepted(body: &[u8], replies: &[Value]) -> Option<Vec<Value>> {
    let items = match serde_json::from_slice::<Value>(body).ok()? {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return None,
    };
    let is_connect = |item: &Value| {
        gws_protocol::bayeux::parse_messages::<Value>(&json!([item]).to_string())
            .ok()
            .and_then(|parsed| parsed.into_iter().next())
            .is_some_and(|m| m.is_ok_and(|m| m.channel == "/meta/connect"))
    };
    let connect = items.iter().position(is_connect);
    let mut in_order = replies.iter();
    let mut kept = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let reply = if Some(i) == connect {
            replies.last()?
        } else {
            in_order.next()?
        };
        if reply["successful"] == true {
            kept.push(item.clone());
        }
    }
    Some(kept)
}

/// The session table with client ids replaced by their role (agent1's live session, agent2's,
/// any new one), sorted: comparable between two fixtures.
fn by_role(fixture: &Fixture) -> Vec<String> {
    let mut table: Vec<String> = fixture
        .sessions()
        .into_iter()
        .map(|mut session| {
            let id = session["clientId"].as_str().unwrap_or_default();
            let role = if id == fixture.mine {
                "mine"
            } else if id == fixture.theirs {
                "theirs"
            } else if id == fixture.gone {
                "gone"
            } else {
                "new"
            };
            session["clientId"] = json!(role);
            session.to_string()
        })
        .collect();
    table.sort();
    table
}

/// Differential check of "a refused message changes nothing", message by message: the
/// accepted messages alone, sent to a fresh identical fixture, are all accepted again and
/// leave the same session table as the whole batch did.
async fn only_the_accepted_messages_had_an_effect(
    fixture: &Fixture,
    body: &[u8],
    replies: &[Value],
) -> Result<bool, TestCaseError> {
    let Some(kept) = accepted(body, replies) else {
        return Ok(false);
    };
    let twin = self::fixture().await;
    let (status, text) = bayeux(
        &twin.app,
        "agent1",
        &twin.token,
        "/api/v2/notifications",
        twin.resolve(Value::Array(kept.clone()).to_string().as_bytes()),
    )
    .await;
    let preview: String = String::from_utf8_lossy(body).chars().take(400).collect();
    prop_assert_eq!(status, 200, "{}", text);
    let again: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    prop_assert!(
        again.iter().all(|r| r["successful"] == true),
        "accepted in the batch, refused alone: {:?} -> {} (batch {})",
        kept,
        text,
        preview
    );
    prop_assert_eq!(
        by_role(fixture),
        by_role(&twin),
        "the refused messages of the batch had an effect: {} -> {:?}",
        preview,
        replies
    );
    Ok(!kept.is_empty())
}

#[test]
fn structured_messages_of_random_types_keep_the_contract() {
    let runtime = runtime();
    let strategy = (prop::sample::select(PATHS), batch());
    run(
        "fuzzed Bayeux messages",
        300,
        strategy,
        |(path, body), tally| {
            runtime.block_on(async {
                let fixture = fixture().await;
                let (outcome, replies) = garbage_step(&fixture, path, &body).await?;
                count(tally, format!("{outcome:?}"));
                for reply in &replies {
                    if let Some(error) = reply["error"].as_str() {
                        count(tally, error.to_string());
                    }
                }
                if only_the_accepted_messages_had_an_effect(&fixture, &body, &replies).await? {
                    count(tally, "replayed accepted messages".into());
                }
                still_works(&fixture).await
            })
        },
    );
}

/// One step of a sequence, resolved against the sequence's own sessions.
#[derive(Debug, Clone)]
enum Step {
    /// A new agent1 session.
    Handshake,
    /// Anything from [`batch`] (placeholders: the latest session, agent2's, a disconnected one).
    Garbage(Vec<u8>),
    /// Other users' topics, wildcards, `/meta/*` and service channels included.
    Subscribe(Who, &'static str),
    /// Channels never subscribed included (a no-op that succeeds).
    Unsubscribe(Who, &'static str),
    /// With `advice.timeout: 0`, so it is never held.
    Connect(Who),
    Disconnect(Who),
}

/// Whose client id a step presents.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// agent1's latest live session.
    Mine,
    /// agent2's session: agent1 presenting it must get `402` and change nothing.
    Theirs,
    /// A session agent1 disconnected.
    Gone,
}

impl Step {
    /// The step's name for the tally.
    fn kind(&self) -> &'static str {
        match self {
            Step::Handshake => "handshake",
            Step::Garbage(_) => "garbage",
            Step::Subscribe(..) => "subscribe",
            Step::Unsubscribe(..) => "unsubscribe",
            Step::Connect(_) => "connect",
            Step::Disconnect(_) => "disconnect",
        }
    }
}

fn step() -> BoxedStrategy<Step> {
    let who = prop_oneof![4 => Just(Who::Mine), 1 => Just(Who::Theirs), 1 => Just(Who::Gone)];
    prop_oneof![
        1 => Just(Step::Handshake),
        3 => batch().prop_map(Step::Garbage),
        3 => (who.clone(), prop::sample::select(CHANNELS)).prop_map(|(w, c)| Step::Subscribe(w, c)),
        2 => (who.clone(), prop::sample::select(CHANNELS)).prop_map(|(w, c)| Step::Unsubscribe(w, c)),
        2 => who.clone().prop_map(Step::Connect),
        1 => who.prop_map(Step::Disconnect),
    ]
    .boxed()
}

#[test]
fn sequences_of_valid_and_invalid_steps_keep_sessions_apart() {
    let runtime = runtime();
    let strategy = prop::collection::vec(step(), 1..12);
    run("fuzzed Bayeux sequences", 150, strategy, |steps, tally| {
        runtime.block_on(async {
            let mut fixture = fixture().await;
            let allowed = gws_sim::cometd::subscribe::ALLOWED;
            for step in &steps {
                let id = |who: Who| match who {
                    Who::Mine => MINE,
                    Who::Theirs => THEIRS,
                    Who::Gone => GONE,
                };
                let body = match step {
                    Step::Handshake => json!([{"channel": "/meta/handshake", "version": "1.0",
                        "supportedConnectionTypes": ["long-polling"]}]),
                    Step::Garbage(body) => {
                        let (outcome, _) =
                            garbage_step(&fixture, "/api/v2/notifications", body).await?;
                        count(tally, format!("garbage {outcome:?}"));
                        // The garbage may have ended agent1's session: take a new one.
                        if !fixture
                            .sessions()
                            .iter()
                            .any(|s| s["clientId"] == *fixture.mine)
                        {
                            fixture.gone = std::mem::take(&mut fixture.mine);
                            fixture.mine = session(&fixture.app, "agent1", &fixture.token).await;
                        }
                        continue;
                    }
                    Step::Subscribe(who, channel) => json!([{"channel": "/meta/subscribe",
                        "clientId": id(*who), "subscription": channel}]),
                    Step::Unsubscribe(who, channel) => json!([{"channel": "/meta/unsubscribe",
                        "clientId": id(*who), "subscription": channel}]),
                    Step::Connect(who) => json!([{"channel": "/meta/connect",
                        "clientId": id(*who), "connectionType": "long-polling",
                        "advice": {"timeout": 0}}]),
                    Step::Disconnect(who) => json!([{"channel": "/meta/disconnect",
                        "clientId": id(*who)}]),
                };
                let (outcome, replies) = garbage_step(
                    &fixture,
                    "/api/v2/notifications",
                    body.to_string().as_bytes(),
                )
                .await?;
                let reply = replies
                    .iter()
                    .rev()
                    .find(|r| {
                        r["channel"]
                            .as_str()
                            .is_some_and(|c| c.starts_with("/meta/"))
                    })
                    .cloned()
                    .unwrap_or(Value::Null);
                count(
                    tally,
                    format!(
                        "{} {}",
                        step.kind(),
                        reply["error"].as_str().unwrap_or("ok")
                    ),
                );
                // What the code promises for each step.
                let expected_ok = match step {
                    Step::Handshake => true,
                    Step::Garbage(_) => unreachable!(),
                    Step::Subscribe(Who::Mine, channel) => allowed.contains(channel),
                    // Never-subscribed channels included: unsubscribing them is a no-op.
                    Step::Unsubscribe(Who::Mine, _)
                    | Step::Connect(Who::Mine)
                    | Step::Disconnect(Who::Mine) => true,
                    _ => false,
                };
                prop_assert_eq!(
                    outcome == Outcome::SomeSucceeded,
                    expected_ok,
                    "{:?}: {:?}",
                    step,
                    replies
                );
                match step {
                    // The session is checked first, as CometD does (`cometd/subscribe.rs`):
                    // another user's or a dead client id is 402 whatever channel it asks for.
                    Step::Subscribe(Who::Theirs | Who::Gone, _)
                    | Step::Unsubscribe(Who::Theirs | Who::Gone, _)
                    | Step::Connect(Who::Theirs | Who::Gone)
                    | Step::Disconnect(Who::Theirs | Who::Gone) => {
                        prop_assert_eq!(&reply["error"], "402::Unknown client", "{:?}", step);
                    }
                    Step::Subscribe(Who::Mine, channel) if !allowed.contains(channel) => {
                        prop_assert!(
                            reply["error"]
                                .as_str()
                                .is_some_and(|e| e.starts_with("403::")),
                            "{:?}: {}",
                            step,
                            reply
                        );
                    }
                    Step::Handshake => {
                        fixture.mine = reply["clientId"].as_str().unwrap_or_default().to_string();
                    }
                    Step::Disconnect(Who::Mine) => {
                        // The session is gone now: it becomes the disconnected one, and a
                        // new one takes its place.
                        fixture.gone = std::mem::take(&mut fixture.mine);
                        fixture.mine = session(&fixture.app, "agent1", &fixture.token).await;
                    }
                    _ => {}
                }
            }
            still_works(&fixture).await
        })
    });
}
