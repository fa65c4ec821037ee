//! Issue 14, burst memory: a backlog of 10 000 ring → answer → hang-up lifecycles arrives in one
//! `/meta/connect` reply, read in pieces as the browser driver reads it, every event handed to
//! the widget core as soon as it is out. What must hold: the client never holds more than a
//! piece's worth of messages, the store ends bounded, nothing is lost, duplicated or reordered.

mod support;

use gws_client::store::{MAX_LINGERING, RECENT_CAPACITY};
use gws_client::{
    BayeuxClient, BayeuxConfig, ConnectionState, Event, Millis, Outcome, Request, RequestKind,
    Severity,
};
use serde_json::{Value, json};
use support::{ALONE, Harness, call_data, ok, requests};

const LIFECYCLES: usize = 10_000;
/// What the browser driver copies out of the response stream at most per piece.
const PIECE: usize = 64 * 1024;

/// A client with a session, its subscriptions confirmed, and a connect held.
fn connected() -> (BayeuxClient, Request) {
    let mut client = BayeuxClient::new(BayeuxConfig::default());
    client.subscribe("/v2/me/calls");
    client.start(Millis(0));
    let handshake = requests(&mut client, Millis(0)).remove(0);
    client.handle_response(
        Millis(1),
        handshake.id,
        ok(
            json!([{"channel": "/meta/handshake", "successful": true, "clientId": "c1",
                   "version": "1.0", "supportedConnectionTypes": ["long-polling"],
                   "advice": {"reconnect": "retry", "interval": 0, "timeout": 30000}}]),
        ),
    );
    for request in requests(&mut client, Millis(2)) {
        let reply = match request.kind {
            RequestKind::Subscriptions => json!([{"channel": "/meta/subscribe", "successful": true,
                                                 "subscription": "/v2/me/calls"}]),
            _ => json!([{"channel": "/meta/connect", "successful": true}]),
        };
        client.handle_response(Millis(3), request.id, ok(reply));
    }
    let held = requests(&mut client, Millis(4)).remove(0);
    assert_eq!(held.kind, RequestKind::Connect);
    assert_eq!(client.state(), &ConnectionState::Connected);
    while client.poll_event().is_some() {}
    (client, held)
}

/// The backlog: every lifecycle's three notifications, then the connect reply (CometD puts the
/// reply to the connect after the messages it carries).
fn backlog() -> String {
    let mut body = String::from("[");
    for n in 0..LIFECYCLES {
        for state in ["Ringing", "Established", "Released"] {
            let message = json!({"channel": "/v2/me/calls", "data": call_data(&id(n), state)});
            body.push_str(&message.to_string());
            body.push(',');
        }
    }
    body.push_str(r#"{"channel":"/meta/connect","successful":true,"advice":{"reconnect":"retry","interval":0}}]"#);
    body
}

fn id(n: usize) -> String {
    format!("burst-{n:05}")
}

#[test]
fn a_backlog_read_in_pieces_keeps_the_client_and_the_store_bounded_and_loses_nothing() {
    let (mut client, held) = connected();
    let mut core = Harness::connected(ALONE);
    let body = backlog();
    assert!(body.len() > 10 * 1024 * 1024, "a backlog of megabytes");

    assert!(client.begin_body(Millis(100), held.id));
    let mut delivered: Vec<(String, String)> = Vec::new();
    let (mut most_queued, mut most_live, mut most_lingering) = (0, 0, 0);
    let mut warnings = Vec::new();
    for (index, piece) in body.as_bytes().chunks(PIECE).enumerate() {
        let now = 100 + index as u64;
        client.feed_body(Millis(now), piece);
        let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
        most_queued = most_queued.max(events.len());
        for event in events {
            if let Event::Message { data, .. } = &event {
                let data: Value = serde_json::from_str(data.get()).expect("JSON");
                let call = &data["call"];
                delivered.push((
                    call["id"].as_str().unwrap_or_default().to_string(),
                    call["state"].as_str().unwrap_or_default().to_string(),
                ));
            }
            core.bayeux(now, event);
            warnings.extend(core.logs(Severity::Warning));
            let entries = core.state.calls.entries();
            most_live = most_live.max(entries.iter().filter(|e| e.released_at.is_none()).count());
            most_lingering =
                most_lingering.max(entries.iter().filter(|e| e.released_at.is_some()).count());
        }
    }
    client.end_body(Millis(10_000));

    // The client: never more than one piece's messages at once, whatever the body's size.
    assert!(
        most_queued <= PIECE / 500,
        "{most_queued} events queued at once"
    );
    assert!(
        std::iter::from_fn(|| client.poll_event()).all(|e| !matches!(e, Event::Message { .. })),
        "every message was out before the body ended"
    );
    // Nothing lost, duplicated or reordered.
    let expected: Vec<(String, String)> = (0..LIFECYCLES)
        .flat_map(|n| {
            ["Ringing", "Established", "Released"].map(|state| (id(n), state.to_string()))
        })
        .collect();
    assert_eq!(delivered.len(), expected.len());
    assert!(
        delivered == expected,
        "messages lost, duplicated or reordered"
    );
    // The connect reply, read last, renewed the long poll.
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(
        requests(&mut client, Millis(10_000))
            .iter()
            .map(|r| r.kind)
            .collect::<Vec<_>>(),
        [RequestKind::Connect]
    );

    // The store: one live call at a time, at most MAX_LINGERING released ones, no eviction.
    assert_eq!(most_live, 1);
    assert_eq!(most_lingering, MAX_LINGERING);
    assert!(warnings.is_empty(), "{warnings:?}");
    let lingering: Vec<String> = core
        .state
        .calls
        .entries()
        .iter()
        .map(|e| e.call.id.clone())
        .collect();
    let newest: Vec<String> = (LIFECYCLES - MAX_LINGERING..LIFECYCLES).map(id).collect();
    assert_eq!(lingering, newest, "the newest releases linger, in order");
    let recent: Vec<String> = core
        .state
        .calls
        .recent()
        .map(|call| call.id.clone())
        .collect();
    let before: Vec<String> = (LIFECYCLES - MAX_LINGERING - RECENT_CAPACITY
        ..LIFECYCLES - MAX_LINGERING)
        .rev()
        .map(id)
        .collect();
    assert_eq!(
        recent, before,
        "the ones before them are recent calls, newest first"
    );
}

#[test]
fn pieces_cut_anywhere_give_the_events_of_the_whole_body() {
    let body = json!([
        {"channel": "/v2/me/calls", "data": {"s": "é]},\"\\€😀"}},
        42,
        {"channel": "/v2/me/calls", "data": {"n": 2}},
        {"channel": "/meta/connect", "successful": true},
    ])
    .to_string();
    let (mut whole, held) = connected();
    whole.handle_response(
        Millis(10),
        held.id,
        Outcome::Http {
            status: 200,
            body: body.clone(),
        },
    );
    let expected: Vec<Event> = std::iter::from_fn(|| whole.poll_event()).collect();
    assert_eq!(expected.len(), 3, "two messages and one malformed item");
    for cut in 0..=body.len() {
        let (mut client, held) = connected();
        assert!(client.begin_body(Millis(10), held.id));
        client.feed_body(Millis(10), &body.as_bytes()[..cut]);
        client.feed_body(Millis(10), &body.as_bytes()[cut..]);
        client.end_body(Millis(10));
        let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
        assert_eq!(events, expected, "cut at {cut}");
    }
}

#[test]
fn a_body_cut_short_keeps_what_arrived_and_fails_the_connect() {
    let (mut client, held) = connected();
    assert!(client.begin_body(Millis(10), held.id));
    client.feed_body(
        Millis(10),
        br#"[{"channel":"/v2/me/calls","data":{"n":1}},{"channel":"/v2/me/calls","da"#,
    );
    let first: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(first.len(), 1, "the whole message is out at once");
    // The network fails mid-body: the driver ends the body there.
    client.end_body(Millis(20));
    let events: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Malformed(m) if m == "truncated body"))
    );
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt: 1, .. }
    ));
    // A body for a request that is not out is skipped.
    assert!(!client.begin_body(Millis(30), held.id));
    client.feed_body(
        Millis(30),
        br#"[{"channel":"/v2/me/calls","data":{"n":1}}]"#,
    );
    client.end_body(Millis(30));
    assert_eq!(client.poll_event(), None);
}

/// A stop while a long poll's body is arriving: the driver cuts the body short and disconnects;
/// what arrived whole was delivered, and the session is still closed with `/meta/disconnect`.
#[test]
fn a_connect_body_cut_short_by_a_stop_still_ends_with_a_disconnect() {
    let (mut client, held) = connected();
    assert!(client.begin_body(Millis(5), held.id));
    assert_eq!(client.reading(), Some(RequestKind::Connect));
    let whole = json!({"channel": "/v2/me/calls", "data": call_data("cut-1", "Ringing")});
    client.feed_body(
        Millis(6),
        format!("[{whole},{{\"channel\":\"/v2/me").as_bytes(),
    );
    client.end_body(Millis(7));
    assert_eq!(client.reading(), None);
    let delivered: Vec<Event> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(
        delivered.iter().any(
            |event| matches!(event, Event::Message { channel, .. } if channel == "/v2/me/calls")
        ),
        "the whole message was delivered: {delivered:?}"
    );
    client.disconnect();
    let sent = requests(&mut client, Millis(8));
    assert!(
        sent.iter()
            .any(|request| request.kind == RequestKind::Disconnect),
        "{sent:?}"
    );
}

/// The handshake's body is what tells the client its session exists: while it is read, the
/// client says so, and a disconnect asked for after it closes that session.
#[test]
fn a_handshake_body_is_reported_as_such_and_its_session_is_closed_by_a_later_disconnect() {
    let mut client = BayeuxClient::new(BayeuxConfig::default());
    client.subscribe("/v2/me/calls");
    client.start(Millis(0));
    let handshake = requests(&mut client, Millis(0)).remove(0);
    assert!(client.begin_body(Millis(1), handshake.id));
    assert_eq!(client.reading(), Some(RequestKind::Handshake));
    let reply = json!([{"channel": "/meta/handshake", "successful": true, "clientId": "c1",
                        "version": "1.0", "supportedConnectionTypes": ["long-polling"]}]);
    client.feed_body(Millis(2), reply.to_string().as_bytes());
    client.end_body(Millis(3));
    client.disconnect();
    let sent = requests(&mut client, Millis(4));
    assert!(
        sent.iter()
            .any(|request| request.kind == RequestKind::Disconnect),
        "{sent:?}"
    );
}
