//! Fuzzed peer data (the rule "never panic on peer data": a panic in wasm kills the widget for
//! the agent's whole shift). Everything a server sends reaches the widget through a few entry
//! points, and each property here throws peer data at one of them:
//!
//! 1. the Bayeux body reader and the sans-IO Bayeux client: random bytes, random JSON, truncated
//!    bodies, deep nesting, huge strings and numbers, and valid envelopes whose `channel`,
//!    `successful`, `advice`, `id`, `clientId`… have random types, cut into random pieces;
//! 2. notification decoding and the widget core fed through its real inputs: structure-aware
//!    mutations of the GWS fixtures and of the REST replies (`/me`, `/me/calls`, `/me/devices`,
//!    agent-state settings, operation replies, error bodies);
//! 3. interleavings: random sequences of valid and mutated notifications, snapshots and time
//!    for a few call ids, into one core.
//!
//! Besides "no panic" (a panic fails the case), each property checks what the code promises:
//! the reader reads a body cut anywhere as it reads it whole; unreadable items come out as
//! `Malformed` events / log lines rather than state changes; the store stays within
//! `MAX_CALLS` with one card per id; and the client and the core keep working afterwards (a
//! message still gets through, a ringing call still gets its card). Cases: `PROPTEST_CASES`
//! (default 256 per property), so the file runs in seconds; each property prints its count.

mod fuzz_support;
mod support;

use fuzz_support::{Mutation, mutate};
use gws_client::bayeux::RequestKind;
use gws_client::store::MAX_CALLS;
use gws_client::view::{AgentBarView, CardContent, card_view, root_ids};
use gws_client::{
    ApiError, BayeuxClient, BayeuxConfig, ConnectionState, Event, HostEvent, Input, Method, Millis,
    Outcome, Request, Severity, WidgetState,
};
use gws_protocol::bayeux::{MessageReader, RawData, parse_messages};
use gws_protocol::{CallState, Notification};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Number, Value, json};
use support::{
    AGENT_STATES, ALONE, CALLS, DEVICES, Harness, ME, call, call_data, device, device_data,
    error_data, me_body, ok, requests,
};

const FIXTURES: [&str; 5] = [
    include_str!("../../protocol/tests/fixtures/seed000_swapcalls_sample1.json"),
    include_str!("../../protocol/tests/fixtures/seed000_swapcalls_sample2.json"),
    include_str!("../../protocol/tests/fixtures/seed001_initiatetransfer_sample1.json"),
    include_str!("../../protocol/tests/fixtures/seed001_initiatetransfer_sample2.json"),
    include_str!("../../protocol/tests/fixtures/seed003_switchtolistenin.json"),
];

const CHANNELS: &[&str] = &[
    "/meta/handshake",
    "/meta/connect",
    "/meta/subscribe",
    "/meta/unsubscribe",
    "/meta/disconnect",
    "/v2/me/calls",
    "/v2/me/devices",
    "/v2/me/other",
    "",
];

const STATES: &[&str] = &[
    "Ringing",
    "Dialing",
    "Established",
    "Held",
    "Released",
    "Unknown",
    "Flying",
    "",
];

/// [`fuzz_support::run`]: this suite reports only its counts.
fn run<S: Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    fuzz_support::run(name, strategy, property, || {});
}

// ---------------------------------------------------------------------------------------------
// Values

/// Values picked for how code tends to mishandle them.
fn nasty() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!(" ")),
        Just(json!(-1)),
        Just(json!(-1.5)),
        Just(json!(0.5)),
        Just(json!(1e300)),
        Just(json!(-1e300)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!("-5")),
        Just(json!("1.5e3")),
        Just(json!("1e999999999")),
        Just(json!("99999999999999999999999999")),
        Just(json!("NaN")),
        Just(json!("é€😀\u{202e}\u{0}")),
        Just(json!("<b>x</b>")),
        Just(json!("/calls/")),
        Just(json!("http://h/api/v2/me/calls/")),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["Answer", "Fly", 7, null, ["Hold"]])),
        Just(json!(true)),
        Just(json!("true")),
        prop::sample::select(STATES).prop_map(|s| json!(s)),
        (1usize..20_000).prop_map(|n| json!("x".repeat(n))),
        (1usize..2_000).prop_map(|n| json!("€".repeat(n))),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::String),
        nasty(),
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
                            "id",
                            "state",
                            "call",
                            "messageType",
                            "devices",
                            "capabilities",
                            "duration",
                            "channel",
                            "data",
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

/// The `data` of every message of the fixtures, plus the shapes the harness builds.
fn seed_notifications() -> Vec<Value> {
    let mut seeds = Vec::new();
    for fixture in FIXTURES {
        let messages: Value = serde_json::from_str(fixture).expect("fixture is JSON");
        for message in messages.as_array().into_iter().flatten() {
            if let Some(data) = message.get("data") {
                seeds.push(data.clone());
            }
        }
    }
    assert!(seeds.len() >= 5, "the fixtures hold notifications");
    seeds.extend([
        call_data("S1", "Ringing"),
        call_data("S2", "Released"),
        device_data("d1", "Ready"),
        error_data(Some("C1"), "Hold", "Busy"),
        error_data(None, "Ready", "No"),
        json!({"messageType": "ChannelStateChangeMessageV2", "channel": {"x": 1}}),
    ]);
    seeds
}

/// The REST replies the core reads, as GWS sends them.
fn seed_replies() -> Vec<(&'static str, Value)> {
    let mut devices = me_body("d1");
    devices["user"]["devices"]
        .as_array_mut()
        .expect("devices")
        .push(device("d2", "Ready"));
    vec![
        (ME, me_body("d1")),
        (ME, devices),
        (
            CALLS,
            json!({"statusCode": 0, "calls": [call("C1", "Established"), call("C3", "Ringing")]}),
        ),
        (CALLS, json!({"statusCode": 0, "calls": []})),
        (
            DEVICES,
            json!({"statusCode": 0, "devices": [device("d1", "Ready")]}),
        ),
        (
            AGENT_STATES,
            json!({"statusCode": 0, "settings": [
                {"id": "id-Ready", "displayName": "Ready", "state": "Ready", "operationName": "Ready"},
                {"id": "id-Break", "displayName": "Break", "state": "NotReady",
                 "operationName": "NotReady", "reasonCode": "Break"}
            ]}),
        ),
        // Error bodies of a 2xx reply (the driver hands a GET's over as they are).
        (
            CALLS,
            json!({"statusCode": 4, "statusMessage": "Internal error"}),
        ),
        (
            DEVICES,
            json!({"statusCode": 6, "statusMessage": "Not found", "devices": []}),
        ),
        // An operation reply, and an error body.
        ("op", json!({"statusCode": 0})),
        (
            "op",
            json!({"statusCode": 5, "statusMessage": "Not permitted"}),
        ),
    ]
}

/// Mutations of server data: fields dropped, values of other types, unknown fields, duplicated
/// items.
fn mutation() -> BoxedStrategy<Mutation> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "id",
            "state",
            "capabilities",
            "duration",
            "messageType",
            "notificationType",
            "call",
            "calls",
            "devices",
            "userState",
            "participants",
            "userData",
            "callUri",
            "statusCode",
            "user",
            "settings",
        ])
        .prop_map(str::to_string),
        "\\PC{0,10}",
    ];
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Drop),
        4 => (any::<Index>(), prop_oneof![2 => nasty(), 1 => json_value()])
            .prop_map(|(at, value)| Mutation::Replace(at, value)),
        2 => (any::<Index>(), key, json_value())
            .prop_map(|(at, key, value)| Mutation::Add(at, key, value)),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
    ]
    .boxed()
}

/// A fixture notification with 0..4 mutations.
fn mutated_notification() -> BoxedStrategy<Value> {
    let seeds = seed_notifications();
    (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 0..4),
    )
        .prop_map(|(seed, mutations)| mutate(seed, &mutations))
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Bodies

/// A Bayeux message whose every field may have any type.
fn envelope() -> BoxedStrategy<Value> {
    let channel = prop_oneof![
        6 => prop::sample::select(CHANNELS).prop_map(|c| json!(c)),
        1 => json_leaf(),
    ];
    let successful = prop_oneof![
        Just(json!(true)),
        Just(json!(false)),
        Just(json!("true")),
        json_leaf()
    ];
    let advice = prop_oneof![
        3 => (
            prop_oneof![Just(json!("retry")), Just(json!("handshake")), Just(json!("none")), json_leaf()],
            prop_oneof![Just(json!(0)), Just(json!(1000)), json_leaf()],
            prop_oneof![Just(json!(30000)), json_leaf()],
            json_leaf(),
            json_leaf(),
        )
            .prop_map(|(reconnect, interval, timeout, max_interval, multiple)| {
                json!({"reconnect": reconnect, "interval": interval, "timeout": timeout,
                       "maxInterval": max_interval, "multiple-clients": multiple})
            }),
        1 => json_value(),
    ];
    let client_id = prop_oneof![Just(json!("c1")), Just(json!("other")), json_leaf()];
    let data = prop_oneof![
        3 => mutated_notification(),
        1 => json_value(),
    ];
    let subscription = prop_oneof![
        Just(json!("/v2/me/calls")),
        Just(json!(["/v2/me/calls", "/v2/me/devices"])),
        json_value(),
    ];
    let error = prop_oneof![
        Just(json!("402::Unknown client")),
        Just(json!("403::Denied")),
        json_leaf()
    ];
    (
        channel,
        prop::option::of(successful),
        prop::option::of(advice),
        prop::option::of(json_leaf()),
        prop::option::of(client_id),
        prop::option::of(data),
        prop::option::of(subscription),
        prop::option::of(error),
        prop::option::of(json_value()),
    )
        .prop_map(
            |(channel, successful, advice, id, client_id, data, subscription, error, ext)| {
                let mut message = Map::new();
                message.insert("channel".into(), channel);
                for (key, value) in [
                    ("successful", successful),
                    ("advice", advice),
                    ("id", id),
                    ("clientId", client_id),
                    ("data", data),
                    ("subscription", subscription),
                    ("error", error),
                    ("ext", ext),
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

/// Arrays or objects nested `depth` deep (serde_json's recursion limit is 128).
fn deep(depth: usize, objects: bool) -> String {
    let (open, close) = if objects {
        (r#"{"a":"#, "}")
    } else {
        ("[", "]")
    };
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

/// A body a peer could send to a Bayeux request.
fn body() -> BoxedStrategy<Vec<u8>> {
    let envelopes = || prop::collection::vec(envelope(), 0..5);
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..256),
        2 => json_value().prop_map(|v| v.to_string().into_bytes()),
        8 => envelopes().prop_map(|m| Value::Array(m).to_string().into_bytes()),
        1 => envelope().prop_map(|m| m.to_string().into_bytes()),
        3 => (envelopes(), any::<Index>()).prop_map(|(m, cut)| {
            // Truncated.
            let text = Value::Array(m).to_string().into_bytes();
            let at = cut.index(text.len().max(1));
            text[..at].to_vec()
        }),
        1 => (envelopes(), any::<Index>(), any::<u8>()).prop_map(|(m, at, byte)| {
            // One byte changed.
            let mut text = Value::Array(m).to_string().into_bytes();
            if !text.is_empty() {
                let at = at.index(text.len());
                text[at] = byte;
            }
            text
        }),
        1 => (1usize..3000, any::<bool>(), any::<bool>()).prop_map(|(depth, objects, wrap)| {
            let nested = deep(depth, objects);
            if wrap {
                format!(r#"[{{"channel":"/v2/me/calls","data":{nested}}}]"#).into_bytes()
            } else {
                nested.into_bytes()
            }
        }),
        1 => prop::sample::select(vec![
            1024 * 1024 - 64,
            1024 * 1024 + 1,
            2 * 1024 * 1024,
        ])
        .prop_map(|len| {
            format!(
                r#"[{{"channel":"/v2/me/calls","data":{{"x":"{}"}}}},{{"channel":"/v2/me/calls","data":{}}}]"#,
                "7".repeat(len),
                "9".repeat(400)
            )
            .into_bytes()
        }),
    ]
    .boxed()
}

/// Cut points of a body, as fractions of it.
fn cuts() -> impl Strategy<Value = Vec<Index>> {
    prop::collection::vec(any::<Index>(), 0..6)
}

fn pieces<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

type Items = Vec<Result<gws_protocol::Message<Value>, String>>;

fn read(pieces: &[&[u8]]) -> (Items, Option<String>) {
    let mut reader = MessageReader::new();
    let mut items = Items::new();
    for piece in pieces {
        items.extend(reader.feed::<Value>(piece));
    }
    (items, reader.finish())
}

// ---------------------------------------------------------------------------------------------
// 1. The Bayeux reader and client

#[test]
fn the_bayeux_reader_reads_any_body_cut_anywhere_as_it_reads_it_whole() {
    run("bayeux reader", (body(), cuts()), |(body, cuts)| {
        let whole = read(&[&body]);
        let cut = read(&pieces(&body, &cuts));
        prop_assert_eq!(&cut, &whole);
        // The whole-body parser too, when the body is text.
        if let Ok(text) = std::str::from_utf8(&body) {
            let _ = parse_messages::<Value>(text);
            let _ = parse_messages::<RawData>(text);
        }
        Ok(())
    });
}

fn handshake_reply() -> Value {
    json!([{"channel": "/meta/handshake", "successful": true, "clientId": "c1", "version": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "advice": {"reconnect": "retry", "interval": 0, "timeout": 30000}}])
}

/// What a well-behaved server answers to `request`; its connect replies carry a marker message.
fn benign(request: &Request) -> Outcome {
    match request.kind {
        RequestKind::Handshake => ok(handshake_reply()),
        RequestKind::Subscriptions => ok(Value::Array(
            request
                .messages
                .iter()
                .map(|m| json!({"channel": m.channel, "successful": true, "subscription": m.subscription}))
                .collect(),
        )),
        RequestKind::Connect => ok(json!([
            {"channel": "/meta/connect", "successful": true,
             "advice": {"reconnect": "retry", "interval": 0, "timeout": 30000}},
            {"channel": "/v2/me/calls", "data": {"marker": "after the fuzz"}}
        ])),
        RequestKind::Disconnect => ok(json!([{"channel": "/meta/disconnect", "successful": true}])),
    }
}

/// A client with a session and both channels confirmed, its second connect outstanding.
fn connected_client() -> (BayeuxClient, Request) {
    let mut client = BayeuxClient::new(BayeuxConfig::default());
    client.subscribe("/v2/me/calls");
    client.subscribe("/v2/me/devices");
    client.start(Millis(0));
    let handshake = requests(&mut client, Millis(0)).remove(0);
    client.handle_response(Millis(1), handshake.id, ok(handshake_reply()));
    for request in requests(&mut client, Millis(2)) {
        let reply = match request.kind {
            RequestKind::Connect => ok(json!([{"channel": "/meta/connect", "successful": true}])),
            _ => benign(&request),
        };
        client.handle_response(Millis(3), request.id, reply);
    }
    let held = requests(&mut client, Millis(4)).remove(0);
    assert_eq!(held.kind, RequestKind::Connect);
    assert_eq!(client.state(), &ConnectionState::Connected);
    while client.poll_event().is_some() {}
    (client, held)
}

/// Serves `client` as a well-behaved server would, in virtual time from `now`, until the marker
/// message of a connect reply comes out (reconnecting when the garbage ended the session with
/// `reconnect: none`, as the agent would). Whether it came out within a few dozen steps.
fn recovers(client: &mut BayeuxClient, mut now: u64) -> bool {
    for _ in 0..60 {
        if *client.state() == ConnectionState::EndedByServer {
            client.reconnect(Millis(now));
        }
        let sent = requests(client, Millis(now));
        if sent.is_empty() {
            let next = client.poll_deadline().map_or(now + 1000, |at| at.0);
            now = next.max(now + 1);
            client.handle_timeout(Millis(now));
            continue;
        }
        for request in sent {
            client.handle_response(Millis(now), request.id, benign(&request));
        }
        while let Some(event) = client.poll_event() {
            if let Event::Message { data, .. } = event
                && data.get().contains("after the fuzz")
            {
                return true;
            }
        }
        now += 1;
    }
    false
}

#[test]
fn the_bayeux_client_reports_unreadable_replies_and_keeps_working() {
    let strategy = (
        body(),
        cuts(),
        prop_oneof![6 => Just(200u16), 1 => Just(401u16), 1 => Just(500u16)],
        any::<bool>(),
    );
    run(
        "bayeux client",
        strategy,
        |(body, cuts, status, to_handshake)| {
            let (mut client, request) = if to_handshake {
                let mut client = BayeuxClient::new(BayeuxConfig::default());
                client.subscribe("/v2/me/calls");
                client.start(Millis(0));
                let handshake = requests(&mut client, Millis(0)).remove(0);
                (client, handshake)
            } else {
                connected_client()
            };
            let now = Millis(20);
            if status == 200 {
                prop_assert!(client.begin_body(now, request.id));
                for piece in pieces(&body, &cuts) {
                    client.feed_body(now, piece);
                }
                client.end_body(now);
            } else {
                let text = String::from_utf8_lossy(&body).into_owned();
                client.handle_response(now, request.id, Outcome::Http { status, body: text });
            }
            let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
            if status == 200 {
                // Every item the reader could not read is a `Malformed` event (never a silent
                // skip); the client may add its own (a reply that answers nothing).
                let (items, end) = read(&[&body]);
                let unreadable =
                    items.iter().filter(|i| i.is_err()).count() + usize::from(end.is_some());
                let malformed = events
                    .iter()
                    .filter(|e| matches!(e, Event::Malformed(_)))
                    .count();
                prop_assert!(
                    malformed >= unreadable,
                    "{malformed} Malformed events for {unreadable} unreadable items: {events:?}"
                );
            }
            // The same events into a widget core, as the driver hands them over: each
            // `Malformed` becomes a warning in the console, and the core keeps working.
            let mut h = core_with_calls();
            for event in events {
                let malformed = matches!(event, Event::Malformed(_));
                h.bayeux(21, event);
                if malformed {
                    prop_assert!(
                        h.logs(Severity::Warning)
                            .iter()
                            .any(|l| l.contains("malformed")),
                        "a Malformed event was not logged: {:?}",
                        h.out
                    );
                }
                check_views(&h, 21)?;
            }
            still_rings(&mut h, 22, "FUZZ-RING")?;
            prop_assert!(
                recovers(&mut client, 21),
                "no message got through after the reply; state {:?}",
                client.state()
            );
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Notifications and REST replies into the widget core

/// A connected core showing an established call `C1` and a held `C2`.
fn core_with_calls() -> Harness {
    let mut h = Harness::connected(ALONE);
    h.notify_call(20, "C1", "Established");
    h.notify_call(21, "C2", "Held");
    h.out.clear();
    h
}

/// What must hold of the stores after any step: the cap, one card per id, and view models
/// that build (they read every field of the peer's calls and devices).
fn check_views(h: &Harness, now: u64) -> Result<(), TestCaseError> {
    let entries = h.state.calls.entries();
    prop_assert!(entries.len() <= MAX_CALLS, "{} calls", entries.len());
    let mut ids: Vec<&str> = entries.iter().map(|e| e.call.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    prop_assert_eq!(ids.len(), before, "a call id has two cards");
    let catalog = h.core.catalog();
    for (at, entry) in entries.iter().enumerate() {
        let _ = CardContent::of(entry, false, catalog);
        // The actions of a card weigh every other call: a few cards are enough (a full
        // store of 64 would make this quadratic part most of the suite's time).
        if at < 8 {
            let _ = card_view(&h.state.calls, &entry.call.id, true, catalog);
        }
        let _ = gws_client::view::card::call_timer(entry, now);
        let _ = gws_client::view::card::hold_timer(entry, now);
    }
    let _ = root_ids(&h.state.calls);
    let _ = gws_client::view::recent::recent_rows(&h.state.calls, catalog);
    let _ = AgentBarView::of(&h.state.agent, true, catalog);
    let _ = gws_client::view::voice_login::VoiceLoginView::of(&h.state.agent, &h.state.calls);
    Ok(())
}

/// The core still works: a valid ringing call gets its card (and its host event).
fn still_rings(h: &mut Harness, now: u64, id: &str) -> Result<(), TestCaseError> {
    h.notify_call(now, id, "Ringing");
    prop_assert!(h.changes.calls, "the ringing call changed nothing");
    prop_assert_eq!(h.call_state(id), Some(CallState::Ringing));
    prop_assert!(
        h.hosts().iter().any(|e| matches!(
            e,
            HostEvent::CallChanged { call, .. } if call.id == id
        )),
        "no host event for the ringing call"
    );
    check_views(h, now + 5_000)
}

fn has_log(h: &Harness, severity: Severity) -> bool {
    !h.logs(severity).is_empty()
}

/// What the core acts on in a decoded notification.
fn gist(
    decoded: &Result<Notification, gws_protocol::notification::NotificationError>,
) -> Option<(&'static str, String, String)> {
    Some(match decoded.as_ref().ok()? {
        Notification::Call(n) => ("call", n.call.id.clone(), n.call.state.as_str().to_owned()),
        Notification::Device(d) => ("device", d.devices.len().to_string(), String::new()),
        Notification::Error(e) => ("error", e.call_id().unwrap_or("").to_owned(), String::new()),
        Notification::Other { message_type } => ("other", message_type.clone(), String::new()),
    })
}

#[test]
fn mutated_notifications_are_applied_or_reported_and_the_core_keeps_working() {
    let channel = prop::sample::select(vec!["/v2/me/calls", "/v2/me/devices", "/v2/other"]);
    run(
        "notifications",
        (mutated_notification(), channel),
        |(data, channel)| {
            let text = data.to_string();
            // The two decoders agree (`from_data` reads the tree the text parses to).
            // Not to the letter: error texts differ (one from text has a position), and so can
            // the last digit of a float kept as the text of an unknown value (serde_json parses
            // floats lossily, not always alike along the two paths). What the core acts on must
            // not: the outcome, the kind, and a call's id and state.
            let reparsed: Value = serde_json::from_str(&text).expect("JSON");
            let decoded = Notification::from_json(&text);
            let from_data = Notification::from_data(&reparsed);
            prop_assert_eq!(gist(&decoded), gist(&from_data), "{}", text);

            let mut h = core_with_calls();
            let before = h.state.clone();
            h.bayeux(30, support::raw_message(channel, &text));
            match &decoded {
                Err(_) | Ok(Notification::Other { .. }) => {
                    prop_assert_eq!(&h.state, &before, "{}", text);
                    let severity = if decoded.is_err() {
                        Severity::Warning
                    } else {
                        Severity::Info
                    };
                    prop_assert!(has_log(&h, severity), "not logged: {text}");
                }
                Ok(Notification::Call(n))
                    if n.call.id.is_empty() || n.call.state == CallState::default() =>
                {
                    prop_assert_eq!(&h.state, &before, "{}", text);
                    prop_assert!(has_log(&h, Severity::Warning), "not logged: {text}");
                }
                Ok(Notification::Call(n)) => {
                    let shown = h.call_state(&n.call.id);
                    if n.call.state == CallState::Released {
                        // Released: lingers if it was shown, goes to the recent list if not.
                        prop_assert!(shown.is_none() || shown == Some(CallState::Released));
                    } else {
                        prop_assert_eq!(shown, Some(n.call.state.clone()), "{}", text);
                    }
                }
                Ok(Notification::Device(_) | Notification::Error(_)) => {}
            }
            check_views(&h, 40)?;
            // Time passes (released calls retire, watchdogs fire), then a call rings.
            h.tick(60_000);
            check_views(&h, 60_000)?;
            still_rings(&mut h, 60_001, "FUZZ-RING")
        },
    );
}

/// Which REST reply a case mutates, and how it arrives.
#[derive(Debug, Clone)]
enum Reply {
    /// A 2xx body (the driver hands any 2xx GET body over; a POST's only with `statusCode` 0).
    Body(Value),
    /// Raw text (not always JSON).
    Text(String),
    /// A failure the driver reports.
    Error(ApiError),
}

fn api_error() -> impl Strategy<Value = ApiError> {
    prop_oneof![
        Just(ApiError::Unauthorized),
        Just(ApiError::Timeout),
        Just(ApiError::Csrf),
        any::<u16>().prop_map(ApiError::Http),
        "\\PC{0,40}".prop_map(ApiError::Network),
        "\\PC{0,40}".prop_map(ApiError::Decode),
        (any::<i64>(), "\\PC{0,40}")
            .prop_map(|(code, message)| ApiError::Rejected { code, message }),
    ]
}

fn reply_for(seed: Value) -> impl Strategy<Value = Reply> {
    prop_oneof![
        8 => prop::collection::vec(mutation(), 0..4)
            .prop_map(move |m| Reply::Body(mutate(seed.clone(), &m))),
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| Reply::Text(String::from_utf8_lossy(&b).into_owned())),
        1 => json_value().prop_map(Reply::Body),
        1 => api_error().prop_map(Reply::Error),
    ]
}

fn result_of(reply: &Reply) -> Result<String, ApiError> {
    match reply {
        Reply::Body(value) => Ok(value.to_string()),
        Reply::Text(text) => Ok(text.clone()),
        Reply::Error(error) => Err(error.clone()),
    }
}

/// Whether `reply` to the snapshot `path` is one: a body that decodes, with `statusCode` 0.
fn is_snapshot(path: &str, reply: &Reply) -> bool {
    let Ok(text) = result_of(reply) else {
        return false;
    };
    match path {
        CALLS => serde_json::from_str::<gws_protocol::api::CallsResponse>(&text)
            .is_ok_and(|r| r.status_code == 0),
        DEVICES => serde_json::from_str::<gws_protocol::api::DevicesResponse>(&text)
            .is_ok_and(|r| r.status_code == 0),
        _ => true,
    }
}

fn replies() -> impl Strategy<Value = (&'static str, Reply)> {
    prop::sample::select(seed_replies())
        .prop_flat_map(|(path, seed)| reply_for(seed).prop_map(move |reply| (path, reply)))
}

#[test]
fn mutated_rest_replies_never_break_the_core() {
    run("REST replies", replies(), |(path, reply)| {
        let result = result_of(&reply);
        let mut h = match path {
            ME => {
                // Sign-in: the reply to `GET /me`, then the start-up reads answered well.
                let mut h = Harness::new(ALONE);
                h.feed(0, Input::SignIn);
                let me = h.request(Method::Get, ME);
                h.feed(
                    1,
                    Input::Reply {
                        token: me.token,
                        result,
                    },
                );
                if h.requests().is_empty() {
                    // Not signed in: it says so, and tries again later.
                    prop_assert!(
                        has_log(&h, Severity::Warning) || matches!(reply, Reply::Error(_)),
                        "a refused /me was not reported"
                    );
                    return check_views(&h, 2);
                }
                let startup = h.requests();
                h.feed(2, Input::Leading { tab_id: None });
                for request in startup {
                    h.reply_ok(3, request.token, support::empty_reply(&request.path));
                }
                h.bayeux(5, Event::StateChanged(ConnectionState::Connected));
                for request in h.requests() {
                    h.reply_ok(6, request.token, support::empty_reply(&request.path));
                }
                h
            }
            "op" => {
                // The reply to an operation on a call: it never changes the call, only
                // settles or fails the pending control.
                let mut h = core_with_calls();
                h.intent(30, support::hold("C1"));
                let post = h.request(Method::Post, "/api/v2/me/calls/C1");
                let call = h.state.calls.get("C1").map(|e| e.call.clone());
                h.feed(
                    31,
                    Input::Reply {
                        token: post.token,
                        result,
                    },
                );
                prop_assert_eq!(h.state.calls.get("C1").map(|e| e.call.clone()), call);
                h
            }
            _ => {
                // A snapshot or the settings, asked for at a resync.
                let mut h = core_with_calls();
                h.bayeux(30, Event::ResyncNeeded);
                let requests = h.requests();
                let asked: Vec<_> = if path == AGENT_STATES {
                    // Settings are read at start-up only: a fresh sign-in asks for them.
                    h = Harness::new(ALONE);
                    h.feed(0, Input::SignIn);
                    let me = h.request(Method::Get, ME);
                    h.reply_ok(1, me.token, me_body("d1"));
                    h.requests()
                } else {
                    requests
                };
                for request in asked {
                    let before = h.state.clone();
                    let result = if request.path == path {
                        result_of(&reply)
                    } else {
                        Ok(support::empty_reply(&request.path).to_string())
                    };
                    h.feed(
                        31,
                        Input::Reply {
                            token: request.token,
                            result,
                        },
                    );
                    if request.path == path
                        && !matches!(reply, Reply::Error(_))
                        && !is_snapshot(path, &reply)
                    {
                        // An unreadable snapshot, or a refusal (`statusCode` ≠ 0), is logged
                        // and changes no call and no device.
                        if path == CALLS {
                            prop_assert_eq!(&h.state.calls, &before.calls, "{:?}", reply);
                        } else {
                            prop_assert_eq!(&h.state.agent, &before.agent, "{:?}", reply);
                        }
                        prop_assert!(has_log(&h, Severity::Warning), "{:?}", reply);
                    }
                }
                if path == AGENT_STATES {
                    h.feed(2, Input::Leading { tab_id: None });
                    h.bayeux(5, Event::StateChanged(ConnectionState::Connected));
                    for request in h.requests() {
                        h.reply_ok(6, request.token, support::empty_reply(&request.path));
                    }
                }
                h
            }
        };
        check_views(&h, 50)?;
        h.tick(70_000);
        check_views(&h, 70_000)?;
        still_rings(&mut h, 70_001, "FUZZ-RING")
    });
}

/// A snapshot of up to a few hundred calls with duplicated and odd ids.
#[test]
fn large_odd_snapshots_keep_the_store_bounded() {
    let calls = prop::collection::vec(
        (
            prop_oneof![
                4 => (0u32..300).prop_map(|n| format!("S{n}")),
                1 => Just(String::new()),
                1 => Just("C1".to_string()),
            ],
            prop::sample::select(STATES),
            prop::collection::vec(mutation(), 0..2),
        )
            .prop_map(|(id, state, m)| mutate(call(&id, state), &m)),
        0..120,
    );
    run("snapshots", calls, |calls| {
        let mut h = core_with_calls();
        h.bayeux(30, Event::ResyncNeeded);
        for request in h.requests() {
            let body = if request.path == CALLS {
                json!({"statusCode": 0, "calls": calls})
            } else {
                support::empty_reply(&request.path)
            };
            h.reply_ok(31, request.token, body);
        }
        check_views(&h, 40)?;
        still_rings(&mut h, 41, "FUZZ-RING")
    });
}

/// Durations of any shape (negative, float, exponent, huge, not a number) on a held call, its
/// timers read at any time: `duration_secs` and the timers saturate instead of overflowing.
#[test]
fn any_duration_gives_a_timer() {
    let duration = prop_oneof![
        nasty(),
        "[-+ ]?[0-9]{0,30}(\\.[0-9]{0,5})?([eE][-+]?[0-9]{0,12})?".prop_map(|s| json!(s)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<i64>().prop_map(|n| json!(n)),
    ];
    let now = prop_oneof![
        Just(u64::MAX),
        Just(u64::MAX / 2),
        Just(0u64),
        0u64..10_000_000
    ];
    run(
        "durations",
        (duration, now, prop::sample::select(STATES)),
        |(duration, now, state)| {
            let mut data = call_data("T", state);
            data["call"]["duration"] = duration;
            let mut h = core_with_calls();
            h.bayeux(now, support::message("/v2/me/calls", data));
            check_views(&h, now)?;
            check_views(&h, now.saturating_add(3_600_000))?;
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Interleavings

/// One thing that happens to the core.
#[derive(Debug, Clone)]
enum Step2 {
    /// A well-formed notification of call `id` in `state`.
    Call(usize, &'static str),
    /// A mutated notification (or any JSON) about one of the calls.
    Mutated(usize, Value),
    /// Raw text the client delivered as `data` (duplicated keys and the like).
    Raw(String),
    /// A device change.
    Device(&'static str),
    /// An asynchronous error about one of the calls.
    Error(usize),
    /// A resync whose call snapshot holds these calls.
    Snapshot(Vec<(usize, &'static str)>),
    /// Time passes.
    Tick(u64),
    /// The agent holds a call; the reply is ok or not.
    Hold(usize, bool),
}

const IDS: [&str; 3] = ["A", "B", "C"];

fn step() -> impl Strategy<Value = Step2> {
    let id = 0usize..IDS.len();
    let state = prop::sample::select(STATES);
    prop_oneof![
        6 => (id.clone(), state.clone()).prop_map(|(i, s)| Step2::Call(i, s)),
        4 => (id.clone(), mutated_notification()).prop_map(|(i, v)| Step2::Mutated(i, v)),
        1 => (id.clone(), prop::sample::select(STATES)).prop_map(|(i, s)| {
            let id = IDS[i];
            Step2::Raw(format!(
                r#"{{"messageType":"CallStateChangeMessage","call":{{"id":"{id}","id":"Z{id}","state":"{s}"}}}}"#
            ))
        }),
        1 => prop::sample::select(vec!["Ready", "NotReady", "LoggedOut", "Flying"])
            .prop_map(Step2::Device),
        1 => id.clone().prop_map(Step2::Error),
        1 => prop::collection::vec((id.clone(), state), 0..4).prop_map(Step2::Snapshot),
        1 => (0u64..20_000).prop_map(Step2::Tick),
        1 => (id, any::<bool>()).prop_map(|(i, ok)| Step2::Hold(i, ok)),
    ]
}

/// A mutated notification made to be about call `id` where it names a call.
fn about(mut data: Value, id: &str) -> Value {
    if let Some(call) = data.get_mut("call").and_then(Value::as_object_mut)
        && call.get("id").is_some_and(Value::is_string)
    {
        call.insert("id".into(), json!(id));
    }
    data
}

#[test]
fn interleaved_notifications_for_a_few_calls_keep_the_store_coherent() {
    run(
        "interleavings",
        prop::collection::vec(step(), 1..40),
        |steps| {
            let mut h = core_with_calls();
            let mut now = 100;
            for step in steps {
                now += 1;
                match step {
                    Step2::Call(i, state) => {
                        h.notify_call(now, IDS[i], state);
                        let shown = h.call_state(IDS[i]);
                        match state {
                            "" => {}
                            "Released" => {
                                prop_assert!(shown.is_none() || shown == Some(CallState::Released))
                            }
                            _ => prop_assert_eq!(
                                shown.map(|s| s.as_str().to_owned()),
                                Some(state.to_string())
                            ),
                        }
                    }
                    Step2::Mutated(i, data) => {
                        let text = about(data, IDS[i]).to_string();
                        h.bayeux(now, support::raw_message("/v2/me/calls", &text));
                    }
                    Step2::Raw(text) => {
                        let before = h.state.calls.clone();
                        h.bayeux(now, support::raw_message("/v2/me/calls", &text));
                        // Duplicated keys make the message unreadable: reported, not applied.
                        prop_assert_eq!(&h.state.calls, &before);
                        prop_assert!(has_log(&h, Severity::Warning));
                    }
                    Step2::Device(state) => {
                        h.bayeux(
                            now,
                            support::message("/v2/me/devices", device_data("d1", state)),
                        );
                    }
                    Step2::Error(i) => {
                        h.bayeux(
                            now,
                            support::message(
                                "/v2/me/calls",
                                error_data(Some(IDS[i]), "Hold", "Busy"),
                            ),
                        );
                    }
                    Step2::Snapshot(calls) => {
                        h.bayeux(now, Event::ResyncNeeded);
                        let body: Vec<Value> =
                            calls.iter().map(|(i, s)| call(IDS[*i], s)).collect();
                        for request in h.requests() {
                            let reply = if request.path == CALLS {
                                json!({"statusCode": 0, "calls": body})
                            } else {
                                support::empty_reply(&request.path)
                            };
                            h.reply_ok(now + 1, request.token, reply);
                        }
                        now += 1;
                    }
                    Step2::Tick(ms) => {
                        now += ms;
                        h.tick(now);
                    }
                    Step2::Hold(i, ok) => {
                        h.intent(now, support::hold(IDS[i]));
                        let posts: Vec<_> = h
                            .requests()
                            .into_iter()
                            .filter(|r| r.method == Method::Post)
                            .collect();
                        for post in posts {
                            let result = if ok {
                                Ok(json!({"statusCode": 0}).to_string())
                            } else {
                                Err(support::rejected())
                            };
                            h.feed(
                                now,
                                Input::Reply {
                                    token: post.token,
                                    result,
                                },
                            );
                        }
                    }
                }
                check_views(&h, now)?;
            }
            still_rings(&mut h, now + 1, "FUZZ-RING")
        },
    );
}

#[test]
fn the_state_of_the_harness_is_comparable() {
    // The properties compare whole stores; this keeps `WidgetState: PartialEq + Clone` honest.
    let h = core_with_calls();
    let copy: WidgetState = h.state.clone();
    assert_eq!(copy, h.state);
    assert_eq!(h.call_state("C2"), Some(CallState::Held));
}

// ---------------------------------------------------------------------------------------------
// Regressions the properties found

/// Found by `mutated_rest_replies_never_break_the_core`: a 2xx reply to `GET /me/calls` that is
/// not a snapshot — an error body, or a JSON array (serde reads a struct from an array) — was
/// read as a snapshot without calls and removed every card. It is logged and changes nothing.
#[test]
fn a_calls_reply_that_is_not_a_snapshot_keeps_the_calls() {
    for body in [
        json!({"statusCode": 4, "statusMessage": "Internal error"}),
        json!([-1]),
        json!([]),
        json!([0]),
    ] {
        let mut h = core_with_calls();
        h.bayeux(30, Event::ResyncNeeded);
        let before = h.state.clone();
        let calls = h.request(Method::Get, CALLS);
        h.reply_ok(31, calls.token, body.clone());
        assert_eq!(h.state, before, "{body}");
        let logs = h.logs(Severity::Warning);
        assert!(
            logs.iter().any(|l| l.contains("cannot read calls")),
            "{body}: {logs:?}"
        );
    }
}

/// The same for `GET /me/devices`: the agent's device stays as it was.
#[test]
fn a_devices_reply_that_is_not_a_snapshot_keeps_the_device() {
    for body in [
        json!({"statusCode": 6, "statusMessage": "Not found", "devices": []}),
        json!([]),
    ] {
        let mut h = core_with_calls();
        h.bayeux(30, Event::ResyncNeeded);
        let before = h.state.clone();
        let devices = h.request(Method::Get, DEVICES);
        h.reply_ok(31, devices.token, body.clone());
        assert_eq!(h.state, before, "{body}");
        assert!(
            h.logs(Severity::Warning)
                .iter()
                .any(|l| l.contains("cannot read devices")),
            "{body}"
        );
    }
}

/// And a refused `GET /me` is not a sign-in: it is retried, like an unreachable server.
#[test]
fn a_refused_me_reply_is_retried() {
    let mut body = me_body("d1");
    body["statusCode"] = json!(2);
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, body);
    assert!(h.requests().is_empty(), "{:?}", h.out);
    assert!(h.state.agent.user.is_none());
    assert!(matches!(
        h.state.connection,
        ConnectionState::Reconnecting { .. }
    ));
    h.tick(1_001);
    h.request(Method::Get, ME);
}
