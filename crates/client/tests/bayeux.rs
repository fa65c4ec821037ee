//! The Bayeux client against a scripted peer, in virtual time.
//!
//! Each test mirrors a case of the CometD test list (ConnectFailure, HandshakeFailure,
//! MaxNetworkDelay, DuplicateMetaConnect, EmptyResponse, DisconnectServerSide, Redeploy…).
//! Time is virtual `Millis`; nothing sleeps.

mod support;

use gws_client::backoff::BackoffPolicy;
use gws_client::{
    BayeuxClient, BayeuxConfig, ConnectionState, Event, Millis, Outcome, Request, RequestKind,
};
use gws_protocol::bayeux::RawData;
use serde_json::{Value, json};
use support::{ok, requests};

const CALLS: &str = "/v2/me/calls";
const DEVICES: &str = "/v2/me/devices";

fn config(jitter: f64) -> BayeuxConfig {
    BayeuxConfig {
        max_network_delay: Millis(10_000),
        default_timeout: Millis(30_000),
        backoff: BackoffPolicy {
            increment_ms: 1000,
            max_ms: 60_000,
            jitter,
        },
        jitter_seed: 7,
    }
}

/// A client with both channels wanted, started at t=0.
fn started() -> BayeuxClient {
    let mut client = BayeuxClient::new(config(0.0));
    client.subscribe(CALLS);
    client.subscribe(DEVICES);
    client.start(Millis(0));
    client
}

fn handshake_ok(client_id: &str) -> Outcome {
    ok(json!([{
        "channel": "/meta/handshake", "successful": true, "version": "1.0",
        "supportedConnectionTypes": ["long-polling"], "clientId": client_id,
        "advice": {"reconnect": "retry", "interval": 0, "timeout": 30000, "maxInterval": 10000}
    }]))
}

fn connect_ok() -> Value {
    json!({"channel": "/meta/connect", "successful": true, "advice": {"reconnect": "retry", "interval": 0, "timeout": 30000}})
}

fn subscriptions_ok(request: &Request) -> Outcome {
    let replies: Vec<Value> = request
        .messages
        .iter()
        .map(|m| json!({"channel": m.channel, "successful": true, "subscription": m.subscription}))
        .collect();
    ok(Value::Array(replies))
}

fn disconnect_ok() -> Outcome {
    ok(json!([{"channel": "/meta/disconnect", "successful": true}]))
}

/// A connect reply of a server that lost our session, without advice.
fn unknown_client() -> Outcome {
    ok(json!([{"channel": "/meta/connect", "successful": false, "error": "402::Unknown client"}]))
}

fn drain(client: &mut BayeuxClient) -> Vec<Event> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

/// How often `events` tell the application to re-read state: the change into `Connected`, and
/// `ResyncNeeded` (a recovery must say it exactly once: each is a snapshot read).
fn rereads(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::StateChanged(ConnectionState::Connected) | Event::ResyncNeeded
            )
        })
        .count()
}

fn one(client: &mut BayeuxClient, now: Millis, kind: RequestKind) -> Request {
    let sent = requests(client, now);
    assert_eq!(
        sent.len(),
        1,
        "expected exactly one request at {now}, got {sent:?}"
    );
    assert_eq!(sent[0].kind, kind);
    sent.into_iter().next().expect("one request")
}

/// Handshake answered at t=1: returns the client and what it sent then (subscriptions, connect).
fn handshaken() -> (BayeuxClient, Vec<Request>) {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(1), handshake.id, handshake_ok("c1"));
    let sent = requests(&mut client, Millis(1));
    (client, sent)
}

/// Handshake, subscribe both channels, first connect answered: returns the client with a
/// second connect outstanding (held by the "server"), at t=10.
fn connected() -> (BayeuxClient, Request) {
    let (mut client, sent) = handshaken();
    assert_eq!(
        sent.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![RequestKind::Subscriptions, RequestKind::Connect]
    );
    client.handle_response(Millis(2), sent[0].id, subscriptions_ok(&sent[0]));
    client.handle_response(Millis(3), sent[1].id, ok(json!([connect_ok()])));
    let held = one(&mut client, Millis(10), RequestKind::Connect);
    drain(&mut client);
    (client, held)
}

#[test]
fn handshakes_subscribes_both_channels_in_one_request_and_connects() {
    let mut client = started();
    assert_eq!(client.state(), &ConnectionState::Connecting);
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    let body: Value = serde_json::from_str(&handshake.body()).expect("json");
    assert_eq!(body[0]["channel"], "/meta/handshake");
    assert_eq!(body[0]["version"], "1.0");
    assert_eq!(body[0]["supportedConnectionTypes"], json!(["long-polling"]));

    client.handle_response(Millis(5), handshake.id, handshake_ok("abc"));
    assert_eq!(
        client.state(),
        &ConnectionState::Connecting,
        "not connected before the subscriptions are in place"
    );
    assert_eq!(client.client_id(), Some("abc"));
    let sent = requests(&mut client, Millis(5));
    assert_eq!(sent.len(), 2);
    let channels: Vec<String> = sent[0]
        .messages
        .iter()
        .map(|m| {
            serde_json::to_value(&m.subscription)
                .expect("json")
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(channels, vec![CALLS.to_string(), DEVICES.to_string()]);
    assert!(
        sent[0]
            .messages
            .iter()
            .all(|m| m.client_id.as_deref() == Some("abc"))
    );
    assert_eq!(sent[1].kind, RequestKind::Connect);
    assert_eq!(
        sent[1].timeout,
        Millis(40_000),
        "connect timeout = advice.timeout + max network delay"
    );
    assert_eq!(
        sent[1].messages[0].connection_type.as_deref(),
        Some("long-polling")
    );
    client.handle_response(Millis(6), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(
        client.confirmed_channels().collect::<Vec<_>>(),
        vec![CALLS, DEVICES]
    );
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert!(
        !drain(&mut client).contains(&Event::ResyncNeeded),
        "first handshake needs no resync"
    );
}

#[test]
fn messages_of_several_channels_in_one_reply_are_delivered_in_order() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(20),
        held.id,
        ok(json!([
            {"channel": CALLS, "data": {"n": 1}},
            {"channel": DEVICES, "data": {"n": 2}},
            {"channel": CALLS, "data": {"n": 3}},
            connect_ok()
        ])),
    );
    let data: Vec<(String, Value)> = drain(&mut client)
        .into_iter()
        .filter_map(|e| match e {
            Event::Message { channel, data } => {
                let data: Value = serde_json::from_str(data.get()).expect("payload is JSON");
                Some((channel, data["n"].clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        data,
        vec![
            (CALLS.into(), json!(1)),
            (DEVICES.into(), json!(2)),
            (CALLS.into(), json!(3))
        ]
    );
    one(&mut client, Millis(20), RequestKind::Connect);
}

#[test]
fn handshake_failure_retries_with_growing_backoff() {
    let mut client = started();
    let first = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(
        Millis(100),
        first.id,
        Outcome::NetworkError("refused".into()),
    );
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1100)
        }
    );
    assert!(
        requests(&mut client, Millis(1099)).is_empty(),
        "waits for the backoff"
    );
    assert_eq!(client.poll_deadline(), Some(Millis(1100)));
    let second = one(&mut client, Millis(1100), RequestKind::Handshake);
    client.handle_response(
        Millis(1200),
        second.id,
        Outcome::Http {
            status: 503,
            body: "down".into(),
        },
    );
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 2,
            retry_at: Some(3200)
        }
    );
    let third = one(&mut client, Millis(3200), RequestKind::Handshake);
    client.handle_response(Millis(3300), third.id, handshake_ok("c9"));
    let sent = requests(&mut client, Millis(3300));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    client.handle_response(Millis(3310), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
}

#[test]
fn connect_failure_recovers_without_rehandshake() {
    let (mut client, held) = connected();
    client.handle_response(Millis(50), held.id, Outcome::NetworkError("reset".into()));
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1050)
        }
    );
    let retry = one(&mut client, Millis(1050), RequestKind::Connect);
    assert_eq!(
        retry.messages[0].client_id.as_deref(),
        Some("c1"),
        "same session"
    );
    client.handle_response(Millis(1060), retry.id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Connected);
    let events = drain(&mut client);
    assert!(!events.contains(&Event::ResyncNeeded));
    let next = one(&mut client, Millis(1060), RequestKind::Connect);
    assert_eq!(next.messages[0].client_id.as_deref(), Some("c1"));
}

#[test]
fn unknown_client_rehandshakes_resubscribes_and_asks_for_resync() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        ok(
            json!([{"channel": "/meta/connect", "successful": false, "error": "402::Unknown client",
                   "advice": {"reconnect": "handshake", "interval": 0}}]),
        ),
    );
    assert_eq!(client.client_id(), None);
    assert!(requests(&mut client, Millis(100)).is_empty(), "backs off");
    let handshake = one(&mut client, Millis(1100), RequestKind::Handshake);
    client.handle_response(Millis(1110), handshake.id, handshake_ok("c2"));
    assert!(
        !drain(&mut client).contains(&Event::ResyncNeeded),
        "a snapshot read before the new subscriptions could miss a call"
    );
    let sent = requests(&mut client, Millis(1110));
    assert_eq!(
        sent[0].kind,
        RequestKind::Subscriptions,
        "every channel subscribed again"
    );
    assert_eq!(sent[0].messages.len(), 2);
    assert!(
        sent[0]
            .messages
            .iter()
            .all(|m| m.client_id.as_deref() == Some("c2"))
    );
    assert_eq!(sent[1].kind, RequestKind::Connect);
    client.handle_response(Millis(1120), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(rereads(&drain(&mut client)), 1, "told to re-read, once");
    assert_eq!(client.state(), &ConnectionState::Connected);
}

#[test]
fn connected_is_announced_only_once_subscribed_even_if_the_connect_answers_first() {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(5), handshake.id, handshake_ok("c1"));
    let sent = requests(&mut client, Millis(5));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    // The server answers the first connect before the subscribe.
    client.handle_response(Millis(6), sent[1].id, ok(json!([connect_ok()])));
    assert_ne!(client.state(), &ConnectionState::Connected);
    assert!(
        !drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::StateChanged(ConnectionState::Connected))),
        "an application reading its snapshot now could miss a call published before the subscribe"
    );
    client.handle_response(Millis(7), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert!(
        drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::StateChanged(ConnectionState::Connected)))
    );
}

#[test]
fn a_402_without_advice_also_rehandshakes() {
    let (mut client, held) = connected();
    client.handle_response(Millis(100), held.id, unknown_client());
    assert!(requests(&mut client, Millis(100)).is_empty(), "backs off");
    one(&mut client, Millis(1100), RequestKind::Handshake);
}

/// The Bayeux spec's own form of the error, with the client id as its argument
/// (`402:<clientId>:Unknown Client ID`), and no advice: a lost session too, not a connect to
/// retry forever with an id the server no longer knows. Found by `bayeux_walk.rs`.
#[test]
fn a_402_with_arguments_and_without_advice_rehandshakes() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        ok(json!([{"channel": "/meta/connect", "successful": false,
                   "error": "402:c1:Unknown Client ID"}])),
    );
    assert!(requests(&mut client, Millis(100)).is_empty(), "backs off");
    one(&mut client, Millis(1100), RequestKind::Handshake);
}

#[test]
fn subscribe_answered_with_402_rehandshakes() {
    let (mut client, sent) = handshaken();
    client.handle_response(
        Millis(2),
        sent[0].id,
        ok(json!([{"channel": "/meta/subscribe", "successful": false, "error": "402::Unknown client",
                   "subscription": CALLS}])),
    );
    assert_eq!(client.client_id(), None);
    assert!(requests(&mut client, Millis(2)).is_empty(), "backs off");
    let again = requests(&mut client, Millis(1002));
    assert_eq!(
        again.iter().map(|r| r.kind).collect::<Vec<_>>(),
        vec![RequestKind::Handshake]
    );
}

#[test]
fn refused_subscription_is_reported_and_not_retried_in_a_loop() {
    let (mut client, sent) = handshaken();
    client.handle_response(
        Millis(2),
        sent[0].id,
        ok(json!([
            {"channel": "/meta/subscribe", "successful": true, "subscription": CALLS},
            {"channel": "/meta/subscribe", "successful": false, "subscription": DEVICES, "error": "403::denied"}
        ])),
    );
    let events = drain(&mut client);
    assert!(events.contains(&Event::SubscriptionFailed {
        channel: DEVICES.into(),
        error: "403::denied".into()
    }));
    assert!(
        requests(&mut client, Millis(5000))
            .iter()
            .all(|r| r.kind != RequestKind::Subscriptions)
    );
}

/// A refused channel is asked for again in the same session, after 30 s, then 60 s, 120 s…
/// (never in a loop, at most every 5 minutes); once granted, the application hears it and is
/// told to re-read (what was published on it meanwhile was missed). The badge stays
/// `Connected` throughout: the other channels deliver.
#[test]
fn a_refused_channel_is_asked_for_again_on_a_doubling_wait_then_restored() {
    let (mut client, sent) = handshaken();
    let refuse = |request: &Request| {
        ok(json!([{"channel": "/meta/subscribe", "successful": false,
                    "subscription": request.messages[0].subscription, "error": "403::denied"}]))
    };
    client.handle_response(
        Millis(2),
        sent[0].id,
        ok(json!([
            {"channel": "/meta/subscribe", "successful": true, "subscription": CALLS},
            {"channel": "/meta/subscribe", "successful": false, "subscription": DEVICES, "error": "403::denied"}
        ])),
    );
    client.handle_response(Millis(3), sent[1].id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Connected);
    let _held = one(&mut client, Millis(3), RequestKind::Connect);
    drain(&mut client);
    assert_eq!(
        client.poll_deadline(),
        Some(Millis(2 + 30_000)),
        "before the held connect's"
    );
    let mut refused_at = 2;
    for wait in [30_000, 60_000, 120_000, 240_000, 300_000, 300_000] {
        let due = refused_at + wait;
        assert!(
            client.poll_deadline() <= Some(Millis(due)),
            "wakes up for it"
        );
        assert!(requests(&mut client, Millis(due - 1)).is_empty());
        let again = one(&mut client, Millis(due), RequestKind::Subscriptions);
        assert_eq!(
            batch(&again),
            vec![("/meta/subscribe".to_string(), DEVICES.to_string())]
        );
        client.handle_response(Millis(due + 1), again.id, refuse(&again));
        assert_eq!(client.state(), &ConnectionState::Connected);
        let events = drain(&mut client);
        assert_eq!(rereads(&events), 0, "{events:?}");
        refused_at = due + 1;
    }
    let due = refused_at + 300_000;
    let again = one(&mut client, Millis(due), RequestKind::Subscriptions);
    client.handle_response(Millis(due + 1), again.id, subscriptions_ok(&again));
    let events = drain(&mut client);
    assert_eq!(
        events,
        vec![
            Event::SubscriptionRestored {
                channel: DEVICES.into()
            },
            Event::ResyncNeeded
        ]
    );
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert!(
        requests(&mut client, Millis(due + 10_000_000))
            .iter()
            .all(|r| r.kind != RequestKind::Subscriptions),
        "nothing more to ask for"
    );
}

/// A channel refused in one session and granted by the next one (after a re-handshake) is
/// restored too — and read once, by the new session's `Connected`, not twice.
#[test]
fn a_channel_granted_by_the_next_session_is_restored_and_read_once() {
    let (mut client, held) = connected();
    let lose_and_rehandshake = |client: &mut BayeuxClient, lost: Request, at: u64| {
        client.handle_response(Millis(at), lost.id, unknown_client());
        let retry = client.poll_deadline().expect("a handshake retry");
        let handshake = one(client, retry, RequestKind::Handshake);
        client.handle_response(retry, handshake.id, handshake_ok("c"));
        drain(client);
        (retry, requests(client, retry))
    };
    let (now, sent) = lose_and_rehandshake(&mut client, held, 20);
    client.handle_response(
        now,
        sent[0].id,
        ok(json!([
            {"channel": "/meta/subscribe", "successful": true, "subscription": CALLS},
            {"channel": "/meta/subscribe", "successful": false, "subscription": DEVICES, "error": "403::denied"}
        ])),
    );
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(
        rereads(&drain(&mut client)),
        1,
        "the new session's Connected"
    );
    let connect = sent[1].clone();
    let (now, sent) = lose_and_rehandshake(&mut client, connect, now.as_u64() + 1);
    client.handle_response(now, sent[0].id, subscriptions_ok(&sent[0]));
    let events = drain(&mut client);
    assert!(
        events.contains(&Event::SubscriptionRestored {
            channel: DEVICES.into()
        }),
        "{events:?}"
    );
    assert_eq!(rereads(&events), 1, "{events:?}");
}

/// Connected, then the held connect answered (`successful` or not) with `reconnect: none` at
/// t=100: the server ended the session.
fn ended_by_the_server(successful: bool) -> BayeuxClient {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        ok(json!([{"channel": "/meta/connect", "successful": successful, "advice": {"reconnect": "none"}}])),
    );
    client
}

#[test]
fn reconnect_none_stops_the_client() {
    let mut client = ended_by_the_server(false);
    assert_eq!(client.state(), &ConnectionState::EndedByServer);
    assert!(requests(&mut client, Millis(1_000_000)).is_empty());
    assert_eq!(client.poll_deadline(), None);
    client.retry_now(Millis(1_000_000));
    client.set_online(Millis(1_000_001), false);
    client.set_online(Millis(1_000_002), true);
    assert!(
        requests(&mut client, Millis(1_000_002)).is_empty(),
        "nothing automatic (a page coming back, the network) defies the server's `none`"
    );
    assert_eq!(client.state(), &ConnectionState::EndedByServer);
}

#[test]
fn server_side_disconnect_on_a_successful_connect_stops_too() {
    let mut client = ended_by_the_server(true);
    assert_eq!(client.state(), &ConnectionState::EndedByServer);
    assert!(requests(&mut client, Millis(100_000)).is_empty());
}

/// The agent clicks "Retry now" after the server ended the session: a new session, every channel
/// subscribed again, and one re-read once it is in place (what happened meanwhile was missed).
#[test]
fn the_agent_reconnects_a_session_the_server_ended() {
    let mut client = ended_by_the_server(true);
    drain(&mut client);
    client.reconnect(Millis(5_000));
    assert_eq!(client.state(), &ConnectionState::Connecting);
    let handshake = one(&mut client, Millis(5_000), RequestKind::Handshake);
    client.handle_response(Millis(5_001), handshake.id, handshake_ok("c2"));
    let sent = requests(&mut client, Millis(5_001));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    assert_eq!(sent[0].messages.len(), 2, "both channels again");
    client.handle_response(Millis(5_002), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(rereads(&drain(&mut client)), 1);
}

/// The application's own stop of an ended client says `Disconnected` (a driver waits for it to
/// end its loop), and `reconnect` on a client the application stopped does nothing.
#[test]
fn an_ended_client_stopped_by_the_application_is_disconnected() {
    let mut client = ended_by_the_server(false);
    client.disconnect();
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    client.reconnect(Millis(200));
    assert!(requests(&mut client, Millis(200)).is_empty());
    assert_eq!(client.state(), &ConnectionState::Disconnected);
}

/// A handshake refused with `reconnect: none` ends it too; while leaving it is a plain stop.
#[test]
fn a_handshake_refused_with_reconnect_none_is_ended_by_the_server() {
    let refused = || {
        ok(
            json!([{"channel": "/meta/handshake", "successful": false, "error": "403::Forbidden",
                   "advice": {"reconnect": "none"}}]),
        )
    };
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(1), handshake.id, refused());
    assert_eq!(client.state(), &ConnectionState::EndedByServer);

    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.disconnect();
    client.handle_response(Millis(1), handshake.id, refused());
    assert_eq!(client.state(), &ConnectionState::Disconnected);
}

/// A handshake *granted* with `reconnect: none` ends it as well (cometd-javascript sets the
/// status to disconnected then): no subscribe and no long poll goes out with the id the server
/// gave while asking not to come back. Found by `bayeux_walk.rs`.
#[test]
fn a_handshake_granted_with_reconnect_none_is_ended_by_the_server() {
    let granted = || {
        ok(
            json!([{"channel": "/meta/handshake", "successful": true, "clientId": "c1",
                   "version": "1.0", "supportedConnectionTypes": ["long-polling"],
                   "advice": {"reconnect": "none"}}]),
        )
    };
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(1), handshake.id, granted());
    assert_eq!(client.state(), &ConnectionState::EndedByServer);
    assert!(requests(&mut client, Millis(1)).is_empty());
    assert_eq!(client.poll_deadline(), None);

    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.leave();
    client.handle_response(Millis(1), handshake.id, granted());
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    assert!(requests(&mut client, Millis(1)).is_empty());
}

#[test]
fn advised_interval_is_respected_between_connects() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        ok(json!([{"channel": "/meta/connect", "successful": true,
                   "advice": {"reconnect": "retry", "interval": 2500, "timeout": 30000}}])),
    );
    assert!(requests(&mut client, Millis(2599)).is_empty());
    assert_eq!(client.poll_deadline(), Some(Millis(2600)));
    one(&mut client, Millis(2600), RequestKind::Connect);
}

#[test]
fn newest_advice_wins_for_the_connect_timeout() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        ok(json!([{"channel": "/meta/connect", "successful": true, "advice": {"timeout": 5000}}])),
    );
    let next = one(&mut client, Millis(100), RequestKind::Connect);
    assert_eq!(next.timeout, Millis(15_000));
}

#[test]
fn server_that_never_answers_times_out_after_max_network_delay_and_retries() {
    let (mut client, held) = connected();
    assert_eq!(client.poll_deadline(), Some(Millis(10 + 40_000)));
    client.handle_timeout(Millis(40_009));
    assert!(client.connect_in_flight(), "not before the deadline");
    client.handle_timeout(Millis(40_010));
    assert!(!client.connect_in_flight());
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt: 1, .. }
    ));
    client.handle_response(Millis(40_020), held.id, ok(json!([connect_ok()])));
    assert!(
        matches!(client.state(), ConnectionState::Reconnecting { .. }),
        "late reply of an abandoned request is ignored"
    );
    one(&mut client, Millis(41_010), RequestKind::Connect);
}

#[test]
fn handshake_that_never_answers_is_retried() {
    let mut client = started();
    one(&mut client, Millis(0), RequestKind::Handshake);
    assert_eq!(client.poll_deadline(), Some(Millis(10_000)));
    client.handle_timeout(Millis(10_000));
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(11_000)
        }
    );
    one(&mut client, Millis(11_000), RequestKind::Handshake);
}

#[test]
fn empty_response_counts_as_a_failure() {
    let (mut client, held) = connected();
    client.handle_response(Millis(100), held.id, ok(json!([])));
    assert!(
        drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::Malformed(_)))
    );
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt: 1, .. }
    ));
    assert!(requests(&mut client, Millis(100)).is_empty());
    one(&mut client, Millis(1100), RequestKind::Connect);
}

#[test]
fn malformed_bodies_and_items_are_events_not_panics() {
    let (mut client, held) = connected();
    client.handle_response(
        Millis(100),
        held.id,
        Outcome::Http {
            status: 200,
            body: "<html>proxy error".into(),
        },
    );
    assert!(
        drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::Malformed(_)))
    );
    let retry = one(&mut client, Millis(1100), RequestKind::Connect);
    client.handle_response(
        Millis(1200),
        retry.id,
        ok(json!([42, "x", {"channel": CALLS}, {"data": {"a": 1}}, {"channel": CALLS, "data": {"ok": true}}, connect_ok()])),
    );
    let events = drain(&mut client);
    let malformed = events
        .iter()
        .filter(|e| matches!(e, Event::Malformed(_)))
        .count();
    assert_eq!(malformed, 4);
    assert!(events.contains(&Event::Message {
        channel: CALLS.into(),
        data: RawData::from_json(json!({"ok": true}).to_string()).expect("JSON")
    }));
    assert_eq!(client.state(), &ConnectionState::Connected);
    for body in [
        "",
        "null",
        "{}",
        "[[]]",
        "[{\"channel\":\"/meta/connect\",\"successful\":\"maybe\"}]",
    ] {
        let next = one(&mut client, Millis(100_000), RequestKind::Connect);
        client.handle_response(
            Millis(100_000),
            next.id,
            Outcome::Http {
                status: 200,
                body: body.into(),
            },
        );
        client.retry_now(Millis(100_000));
        drain(&mut client);
    }
}

#[test]
fn at_most_one_connect_is_outstanding() {
    let (mut client, _held) = connected();
    assert!(
        requests(&mut client, Millis(10_000)).is_empty(),
        "no second connect while one is held"
    );
    client.retry_now(Millis(10_000));
    assert!(
        requests(&mut client, Millis(10_000)).is_empty(),
        "retry now does not duplicate a live connect"
    );
}

#[test]
fn at_most_one_other_request_is_outstanding() {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.subscribe("/v2/me/other");
    assert!(
        requests(&mut client, Millis(0)).is_empty(),
        "nothing else while the handshake is out"
    );
    client.handle_response(Millis(1), handshake.id, handshake_ok("c1"));
    let sent = requests(&mut client, Millis(1));
    assert_eq!(
        sent.iter()
            .filter(|r| r.kind == RequestKind::Subscriptions)
            .count(),
        1
    );
    client.unsubscribe("/v2/me/other");
    assert!(
        requests(&mut client, Millis(2)).is_empty(),
        "the unsubscribe waits for the batch in flight"
    );
}

#[test]
fn unsubscribe_goes_out_after_confirmation() {
    let (mut client, _held) = connected();
    client.unsubscribe(DEVICES);
    let sent = one(&mut client, Millis(20), RequestKind::Subscriptions);
    assert_eq!(sent.messages[0].channel, "/meta/unsubscribe");
    client.handle_response(Millis(21), sent.id, subscriptions_ok(&sent));
    assert_eq!(client.confirmed_channels().collect::<Vec<_>>(), vec![CALLS]);
}

#[test]
fn redeploy_losing_all_sessions_is_recovered_within_backoff() {
    // The server goes away (connections refused) and comes back without our session.
    let (mut client, held) = connected();
    let mut now = Millis(100);
    client.handle_response(now, held.id, Outcome::NetworkError("refused".into()));
    for _ in 0..3 {
        now = client.poll_deadline().expect("a retry is scheduled");
        let retry = one(&mut client, now, RequestKind::Connect);
        client.handle_response(
            now + Millis(5),
            retry.id,
            Outcome::NetworkError("refused".into()),
        );
    }
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt: 4, .. }
    ));
    let back_at = client.poll_deadline().expect("retry scheduled");
    assert!(
        back_at - now <= Millis(4000 + 5),
        "next try within one more backoff increment"
    );
    let retry = one(&mut client, back_at, RequestKind::Connect);
    client.handle_response(
        back_at + Millis(1),
        retry.id,
        ok(
            json!([{"channel": "/meta/connect", "successful": false, "error": "402::Unknown client",
                   "advice": {"reconnect": "handshake", "interval": 0}}]),
        ),
    );
    // The 402 is one more consecutive failure: the handshake waits for the fifth backoff.
    let handshake_at = client.poll_deadline().expect("handshake scheduled");
    assert_eq!(handshake_at - back_at, Millis(5001));
    let handshake = one(&mut client, handshake_at, RequestKind::Handshake);
    client.handle_response(
        handshake_at + Millis(1),
        handshake.id,
        handshake_ok("fresh"),
    );
    let sent = requests(&mut client, handshake_at + Millis(1));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    client.handle_response(
        handshake_at + Millis(2),
        sent[0].id,
        subscriptions_ok(&sent[0]),
    );
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(rereads(&drain(&mut client)), 1, "told to re-read, once");
}

#[test]
fn absence_longer_than_max_interval_rehandshakes_instead_of_reconnecting() {
    let (mut client, held) = connected();
    // The connect fails long after the last reply (laptop sleep): timeout 30 s + maxInterval 10 s.
    client.handle_response(
        Millis(60_000),
        held.id,
        Outcome::NetworkError("suspended".into()),
    );
    assert_eq!(
        client.client_id(),
        None,
        "session surely expired on the server"
    );
    let at = client.poll_deadline().expect("handshake scheduled");
    one(&mut client, at, RequestKind::Handshake);
}

#[test]
fn retry_now_skips_the_backoff() {
    let mut client = started();
    let first = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(0), first.id, Outcome::NetworkError("x".into()));
    assert!(requests(&mut client, Millis(10)).is_empty());
    client.retry_now(Millis(10));
    one(&mut client, Millis(10), RequestKind::Handshake);
}

#[test]
fn offline_parks_and_online_resumes_at_once() {
    let (mut client, held) = connected();
    client.set_online(Millis(100), false);
    assert_eq!(client.state(), &ConnectionState::Offline);
    client.handle_response(
        Millis(150),
        held.id,
        Outcome::NetworkError("offline".into()),
    );
    assert_eq!(client.state(), &ConnectionState::Offline);
    assert!(
        requests(&mut client, Millis(100_000)).is_empty(),
        "nothing is sent while offline"
    );
    client.set_online(Millis(100_000), true);
    let resumed = requests(&mut client, Millis(100_000));
    assert_eq!(resumed.len(), 1);
    assert!(matches!(
        resumed[0].kind,
        RequestKind::Connect | RequestKind::Handshake
    ));
}

/// A reply that was already on its way when the browser went offline (the subscribe batch, the
/// held long poll) does not announce `Connected`: nothing can go out to renew the long poll, so
/// the badge stays `Offline` until the network is back — and then says `Connected` (the
/// application's re-read) at once. Found by `bayeux_walk.rs`.
#[test]
fn a_reply_that_arrives_offline_does_not_announce_connected() {
    let (mut client, sent) = handshaken();
    client.set_online(Millis(2), false);
    client.handle_response(Millis(3), sent[0].id, subscriptions_ok(&sent[0]));
    client.handle_response(Millis(4), sent[1].id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Offline);
    client.set_online(Millis(5), true);
    assert_eq!(client.state(), &ConnectionState::Connected);
    one(&mut client, Millis(5), RequestKind::Connect);

    let (mut client, held) = connected();
    client.set_online(Millis(100), false);
    client.handle_response(Millis(150), held.id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Offline);
    assert!(requests(&mut client, Millis(200)).is_empty());
    client.set_online(Millis(200), true);
    assert_eq!(client.state(), &ConnectionState::Connected);
    one(&mut client, Millis(200), RequestKind::Connect);
}

#[test]
fn disconnect_sends_meta_disconnect_then_stops() {
    let (mut client, _held) = connected();
    client.disconnect();
    let bye = one(&mut client, Millis(20), RequestKind::Disconnect);
    assert_eq!(bye.messages[0].channel, "/meta/disconnect");
    assert_eq!(bye.messages[0].client_id.as_deref(), Some("c1"));
    client.handle_response(Millis(21), bye.id, disconnect_ok());
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    assert!(requests(&mut client, Millis(100_000)).is_empty());
}

#[test]
fn unauthorized_responses_are_reported_for_credential_refresh() {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(
        Millis(1),
        handshake.id,
        Outcome::Http {
            status: 403,
            body: "Missing or invalid Csrf token".into(),
        },
    );
    assert!(drain(&mut client).contains(&Event::Unauthorized { status: 403 }));
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt: 1, .. }
    ));
}

#[test]
fn jittered_retries_stay_within_bounds() {
    let mut client = BayeuxClient::new(config(0.5));
    client.start(Millis(0));
    let mut now = Millis(0);
    for attempt in 1..=10u64 {
        let request = one(&mut client, now, RequestKind::Handshake);
        client.handle_response(now, request.id, Outcome::NetworkError("x".into()));
        let at = client.poll_deadline().expect("scheduled");
        let delay = (at - now).as_u64();
        let base = 1000 * attempt;
        assert!(
            delay >= base / 2 && delay <= base * 3 / 2,
            "attempt {attempt}: {delay} ms"
        );
        now = at;
    }
}

#[test]
fn disconnect_during_the_handshake_closes_the_session_it_creates() {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.disconnect();
    assert_ne!(
        client.state(),
        &ConnectionState::Disconnected,
        "waits for the handshake reply"
    );
    client.handle_response(Millis(5), handshake.id, handshake_ok("late"));
    let bye = one(&mut client, Millis(5), RequestKind::Disconnect);
    assert_eq!(bye.messages[0].client_id.as_deref(), Some("late"));
    client.handle_response(Millis(6), bye.id, disconnect_ok());
    assert_eq!(client.state(), &ConnectionState::Disconnected);
}

#[test]
fn disconnect_during_a_failing_handshake_just_stops() {
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.disconnect();
    client.handle_response(
        Millis(5),
        handshake.id,
        Outcome::NetworkError("refused".into()),
    );
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    assert!(requests(&mut client, Millis(100_000)).is_empty());
}

#[test]
fn goodbye_is_a_disconnect_for_the_session_that_leaves_the_client_running() {
    let mut client = started();
    one(&mut client, Millis(0), RequestKind::Handshake);
    assert_eq!(client.goodbye(), None, "no session, nothing to close");

    let (mut client, held) = connected();
    let bye = client.goodbye().expect("a session to close");
    assert_eq!(bye.kind, RequestKind::Disconnect);
    assert_eq!(bye.messages.len(), 1);
    assert_eq!(bye.messages[0].channel, "/meta/disconnect");
    assert_eq!(bye.messages[0].client_id.as_deref(), Some("c1"));
    assert!(bye.messages[0].id.is_some());
    assert_ne!(bye.id, held.id);
    let body: Value = serde_json::from_str(&bye.body()).expect("json");
    assert_eq!(body[0]["channel"], "/meta/disconnect");
    assert_eq!(body[0]["clientId"], "c1");

    // Fire-and-forget: the page may come back from the back/forward cache.
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert!(client.connect_in_flight());
    assert!(drain(&mut client).is_empty());
    assert!(requests(&mut client, Millis(20)).is_empty());
    client.handle_response(Millis(21), bye.id, disconnect_ok());
    assert_eq!(
        client.state(),
        &ConnectionState::Connected,
        "its reply, if one ever arrives, is not ours to handle"
    );
    // Back from the cache: the server no longer knows the session.
    client.handle_response(Millis(30), held.id, unknown_client());
    assert_eq!(
        client.poll_deadline(),
        Some(Millis(1030)),
        "after a backoff"
    );
    one(&mut client, Millis(1030), RequestKind::Handshake);
}

/// Handshaken with the subscribe batch out, then closed by `close`: the batch is awaited (and
/// answered at t=3) without the session being announced. Returns the client at t=3.
fn closed_with_the_subscribe_batch_in_flight(close: fn(&mut BayeuxClient)) -> BayeuxClient {
    let (mut client, sent) = handshaken();
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    close(&mut client);
    assert!(
        requests(&mut client, Millis(2)).is_empty(),
        "at most one request besides the connect"
    );
    client.handle_response(Millis(3), sent[0].id, subscriptions_ok(&sent[0]));
    assert_ne!(
        client.state(),
        &ConnectionState::Connected,
        "a session on its way out is not announced"
    );
    client
}

#[test]
fn disconnect_waits_for_the_subscriptions_batch_in_flight() {
    let mut client = closed_with_the_subscribe_batch_in_flight(BayeuxClient::disconnect);
    let bye = one(&mut client, Millis(3), RequestKind::Disconnect);
    assert_eq!(bye.messages[0].client_id.as_deref(), Some("c1"));
    assert!(
        requests(&mut client, Millis(100_000)).is_empty(),
        "one disconnect, and no new long poll"
    );
    client.handle_timeout(Millis(3) + bye.timeout);
    assert_eq!(
        client.state(),
        &ConnectionState::Disconnected,
        "a disconnect that is never answered still stops the client"
    );
    assert_eq!(client.poll_deadline(), None);
}

#[test]
fn the_held_connect_still_delivers_while_disconnecting_and_a_lost_session_just_stops() {
    let (mut client, held) = connected();
    client.disconnect();
    let bye = one(&mut client, Millis(20), RequestKind::Disconnect);
    client.handle_response(
        Millis(21),
        held.id,
        ok(json!([
            {"channel": CALLS, "data": {"n": 1}},
            {"channel": "/meta/connect", "successful": false, "error": "402::Unknown client",
             "advice": {"reconnect": "handshake"}}
        ])),
    );
    let events = drain(&mut client);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Message { channel, .. } if channel == CALLS))
    );
    assert_eq!(
        client.state(),
        &ConnectionState::Disconnected,
        "no new handshake for a client that is leaving"
    );
    assert!(requests(&mut client, Millis(100_000)).is_empty());
    client.handle_response(Millis(22), bye.id, disconnect_ok());
    assert!(drain(&mut client).is_empty(), "late reply ignored");
}

#[test]
fn disconnect_while_a_handshake_retry_waits_stops_at_once() {
    let mut client = started();
    let first = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(1), first.id, Outcome::NetworkError("refused".into()));
    client.disconnect();
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    assert!(requests(&mut client, Millis(100_000)).is_empty());
    assert_eq!(client.poll_deadline(), None);
}

#[test]
fn a_second_start_does_not_drop_the_session() {
    let (mut client, _held) = connected();
    client.start(Millis(20));
    assert_eq!(client.client_id(), Some("c1"));
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert!(requests(&mut client, Millis(20)).is_empty());
}

#[test]
fn a_stopped_client_starts_again_with_a_resync() {
    let (mut client, _held) = connected();
    client.disconnect();
    let bye = one(&mut client, Millis(20), RequestKind::Disconnect);
    client.handle_response(Millis(21), bye.id, disconnect_ok());
    assert_eq!(client.client_id(), None);
    assert_eq!(client.confirmed_channels().count(), 0);
    client.start(Millis(30));
    let handshake = one(&mut client, Millis(30), RequestKind::Handshake);
    client.handle_response(Millis(31), handshake.id, handshake_ok("c2"));
    let sent = requests(&mut client, Millis(31));
    assert_eq!(sent[0].messages.len(), 2, "every channel subscribed again");
    client.handle_response(Millis(32), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(rereads(&drain(&mut client)), 1, "told to re-read, once");
}

/// The `(meta channel, subscription)` pairs of a subscriptions batch, in order.
fn batch(request: &Request) -> Vec<(String, String)> {
    request
        .messages
        .iter()
        .map(|m| {
            let channel = serde_json::to_value(&m.subscription).expect("json");
            (
                m.channel.clone(),
                channel.as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn unsubscribe_both() -> Vec<(String, String)> {
    [CALLS, DEVICES]
        .iter()
        .map(|c| ("/meta/unsubscribe".to_string(), c.to_string()))
        .collect()
}

/// The client is stopped for good: nothing goes out and nothing is scheduled, however late.
fn assert_stopped(client: &mut BayeuxClient) {
    assert_eq!(client.state(), &ConnectionState::Disconnected);
    assert!(requests(client, Millis(100_000)).is_empty());
    assert_eq!(client.poll_deadline(), None);
}

/// Connected, then leaving: returns the client, its held connect and the unsubscribe batch that
/// went out at t=20 (checked: both channels, nothing else).
fn leaving() -> (BayeuxClient, Request, Request) {
    let (mut client, held) = connected();
    client.leave();
    let unsubscribe = one(&mut client, Millis(20), RequestKind::Subscriptions);
    assert_eq!(batch(&unsubscribe), unsubscribe_both());
    (client, held, unsubscribe)
}

/// The `/meta/disconnect` that goes out at `now` for session `client_id`, answered: stopped.
fn disconnects_and_stops(client: &mut BayeuxClient, now: Millis, client_id: &str) {
    let bye = one(client, now, RequestKind::Disconnect);
    assert_eq!(bye.messages[0].channel, "/meta/disconnect");
    assert_eq!(bye.messages[0].client_id.as_deref(), Some(client_id));
    assert!(
        requests(client, now).is_empty(),
        "one unsubscribe batch at most, one disconnect"
    );
    client.handle_response(now + Millis(1), bye.id, disconnect_ok());
    assert_stopped(client);
}

/// The leave's unsubscribe batch answered at `now`: then the disconnect, then stopped.
fn unsubscribed_and_stops(client: &mut BayeuxClient, now: Millis, unsubscribe: &Request) {
    client.handle_response(now, unsubscribe.id, subscriptions_ok(unsubscribe));
    assert_eq!(client.confirmed_channels().count(), 0);
    disconnects_and_stops(client, now, "c1");
}

#[test]
fn leave_unsubscribes_every_channel_in_one_batch_then_disconnects() {
    let (mut client, _held, unsubscribe) = leaving();
    assert!(
        unsubscribe
            .messages
            .iter()
            .all(|m| m.client_id.as_deref() == Some("c1") && m.id.is_some())
    );
    assert!(
        requests(&mut client, Millis(25)).is_empty(),
        "the disconnect waits for the unsubscribe reply"
    );
    assert_ne!(client.state(), &ConnectionState::Disconnected);

    unsubscribed_and_stops(&mut client, Millis(26), &unsubscribe);
    assert!(drain(&mut client).contains(&Event::StateChanged(ConnectionState::Disconnected)));
}

#[test]
fn leave_with_a_failed_unsubscribe_still_disconnects() {
    fn refused(request: &Request) -> Option<Outcome> {
        let replies: Vec<Value> = request
            .messages
            .iter()
            .map(|m| {
                json!({"channel": m.channel, "successful": false, "error": "403::refused",
                            "subscription": m.subscription})
            })
            .collect();
        Some(ok(Value::Array(replies)))
    }
    /// `None`: never answered, so the request times out.
    type Failure = fn(&Request) -> Option<Outcome>;
    let failures: [(&str, Failure); 5] = [
        ("HTTP error", |_| {
            Some(Outcome::Http {
                status: 500,
                body: String::new(),
            })
        }),
        ("network error", |_| {
            Some(Outcome::NetworkError("reset".into()))
        }),
        ("timeout", |_| None),
        ("refused", refused),
        ("empty response", |_| Some(ok(json!([])))),
    ];
    for (case, outcome) in failures {
        let (mut client, _held, unsubscribe) = leaving();
        let answered_at = match outcome(&unsubscribe) {
            Some(outcome) => {
                client.handle_response(Millis(21), unsubscribe.id, outcome);
                Millis(21)
            }
            None => {
                let deadline = Millis(20) + unsubscribe.timeout;
                assert!(client.poll_deadline() <= Some(deadline), "{case}");
                client.handle_timeout(deadline);
                deadline
            }
        };
        // Not retried: the disconnect is next, and the last request.
        disconnects_and_stops(&mut client, answered_at, "c1");
    }
}

#[test]
fn leave_waits_for_the_subscribe_batch_in_flight_and_unsubscribes_what_it_confirmed() {
    let mut client = closed_with_the_subscribe_batch_in_flight(|client| {
        client.leave();
        client.subscribe("/v2/me/other");
    });
    let unsubscribe = one(&mut client, Millis(3), RequestKind::Subscriptions);
    assert_eq!(
        batch(&unsubscribe),
        unsubscribe_both(),
        "no subscribe goes out while leaving"
    );
    unsubscribed_and_stops(&mut client, Millis(4), &unsubscribe);
}

#[test]
fn leave_after_a_failed_subscribe_batch_has_nothing_to_unsubscribe() {
    let (mut client, sent) = handshaken();
    client.leave();
    client.handle_response(Millis(3), sent[0].id, Outcome::NetworkError("reset".into()));
    disconnects_and_stops(&mut client, Millis(3), "c1");
}

#[test]
fn leave_while_handshaking_behaves_like_disconnect() {
    // The handshake out is awaited; the session it creates has confirmed nothing.
    let mut client = started();
    let handshake = one(&mut client, Millis(0), RequestKind::Handshake);
    client.leave();
    assert_ne!(client.state(), &ConnectionState::Disconnected);
    client.handle_response(Millis(5), handshake.id, handshake_ok("late"));
    disconnects_and_stops(&mut client, Millis(5), "late");

    // A handshake retry waiting: stops at once.
    let mut client = started();
    let first = one(&mut client, Millis(0), RequestKind::Handshake);
    client.handle_response(Millis(1), first.id, Outcome::NetworkError("refused".into()));
    client.leave();
    assert_stopped(&mut client);

    // Idle, or already disconnecting: nothing changes.
    let mut client = BayeuxClient::new(config(0.0));
    client.leave();
    assert_stopped(&mut client);
    assert!(drain(&mut client).is_empty());
    let (mut client, _held) = connected();
    client.disconnect();
    client.leave();
    one(&mut client, Millis(20), RequestKind::Disconnect);
}

#[test]
fn the_held_connect_still_delivers_while_leaving() {
    let (mut client, held, unsubscribe) = leaving();
    client.handle_response(
        Millis(21),
        held.id,
        ok(json!([{"channel": CALLS, "data": {"n": 1}}, connect_ok()])),
    );
    assert!(
        drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::Message { channel, .. } if channel == CALLS))
    );
    assert!(!client.connect_in_flight());
    assert!(
        requests(&mut client, Millis(22)).is_empty(),
        "the long poll is not renewed"
    );
    unsubscribed_and_stops(&mut client, Millis(23), &unsubscribe);
}

#[test]
fn a_session_lost_while_leaving_just_stops() {
    let (mut client, held, unsubscribe) = leaving();
    client.handle_response(Millis(21), held.id, unknown_client());
    assert_stopped(&mut client);
    client.handle_response(Millis(22), unsubscribe.id, subscriptions_ok(&unsubscribe));
    assert!(
        !drain(&mut client)
            .iter()
            .any(|e| matches!(e, Event::Malformed(_))),
        "late reply ignored"
    );
    assert_stopped(&mut client);

    // The unsubscribe reply itself says the session is gone.
    let (mut client, _held, unsubscribe) = leaving();
    client.handle_response(
        Millis(21),
        unsubscribe.id,
        ok(json!([{"channel": "/meta/unsubscribe", "successful": false,
                   "error": "402::Unknown client", "subscription": CALLS}])),
    );
    assert_stopped(&mut client);
}

/// A server that lost the session answers `402` to *every* message of a batch. The first reply
/// decides; the next ones find no session and must not act again: no second re-handshake (with
/// a second backoff step) while connecting, and — after a leave's unsubscribe batch stopped the
/// client — no re-handshake that turns the logout into a new session. Found by
/// `bayeux_walk.rs`.
#[test]
fn a_402_to_every_message_of_a_batch_acts_once() {
    let lost = |channel: &str| {
        ok(json!([
            {"channel": channel, "successful": false, "error": "402::Unknown client",
             "subscription": CALLS},
            {"channel": channel, "successful": false, "error": "402::Unknown client",
             "subscription": DEVICES}
        ]))
    };
    let (mut client, sent) = handshaken();
    client.handle_response(Millis(2), sent[0].id, lost("/meta/subscribe"));
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1002)
        },
        "one failure, one backoff step"
    );
    assert!(requests(&mut client, Millis(1001)).is_empty(), "backs off");
    one(&mut client, Millis(1002), RequestKind::Handshake);

    let (mut client, _held, unsubscribe) = leaving();
    client.handle_response(Millis(21), unsubscribe.id, lost("/meta/unsubscribe"));
    assert_stopped(&mut client);
}

#[test]
fn leave_keeps_the_wanted_channels_for_a_later_start() {
    let (mut client, _held, unsubscribe) = leaving();
    unsubscribed_and_stops(&mut client, Millis(21), &unsubscribe);
    client.start(Millis(30));
    let handshake = one(&mut client, Millis(30), RequestKind::Handshake);
    client.handle_response(Millis(31), handshake.id, handshake_ok("c2"));
    let sent = requests(&mut client, Millis(31));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    assert_eq!(
        batch(&sent[0]),
        [CALLS, DEVICES]
            .iter()
            .map(|c| ("/meta/subscribe".to_string(), c.to_string()))
            .collect::<Vec<_>>(),
        "every channel wanted before the logout is subscribed again"
    );
    client.handle_response(Millis(32), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
}

#[test]
fn a_failed_unsubscribe_while_leaving_does_not_grow_the_next_backoff() {
    let (mut client, _held, unsubscribe) = leaving();
    client.handle_response(
        Millis(21),
        unsubscribe.id,
        Outcome::NetworkError("x".into()),
    );
    disconnects_and_stops(&mut client, Millis(21), "c1");
    client.start(Millis(30));
    let handshake = one(&mut client, Millis(30), RequestKind::Handshake);
    client.handle_response(Millis(31), handshake.id, Outcome::NetworkError("x".into()));
    assert_eq!(
        client.state(),
        &ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1031)
        },
        "the first failure of the new start backs off one step"
    );
}

// ------------------------------------------------------------------------------------- bounds

/// Drives `client` in virtual time until `until`, the "server" answering every request at once
/// with `server(request)` (`None`: held until its deadline), and the driver asking for the next
/// request after every reply. Returns what was sent, and when. At most 1000 requests: a client
/// that retries at once, forever, is cut off there (and fails the callers' bounds).
fn run_holding(
    client: &mut BayeuxClient,
    mut now: Millis,
    until: Millis,
    mut server: impl FnMut(&Request) -> Option<Outcome>,
) -> Vec<(Millis, RequestKind)> {
    let mut sent = Vec::new();
    while sent.len() < 1000 {
        while sent.len() < 1000
            && let Some(request) = client.poll_request(now)
        {
            sent.push((now, request.kind));
            if let Some(outcome) = server(&request) {
                client.handle_response(now, request.id, outcome);
            }
        }
        client.handle_timeout(now);
        match client.poll_deadline() {
            Some(next) if next <= until => now = next.max(now),
            _ => break,
        }
    }
    drain(client);
    sent
}

/// [`run_holding`] with a server that answers everything at once.
fn run(
    client: &mut BayeuxClient,
    now: Millis,
    until: Millis,
    mut server: impl FnMut(&Request) -> Outcome,
) -> Vec<(Millis, RequestKind)> {
    run_holding(client, now, until, |request| Some(server(request)))
}

fn connect_refused_retry_now() -> Outcome {
    ok(json!([{"channel": "/meta/connect", "successful": false,
               "advice": {"reconnect": "retry", "interval": 0}}]))
}

/// The times of the requests of `kind`, and the gaps between them.
fn gaps(sent: &[(Millis, RequestKind)], kind: RequestKind) -> (Vec<Millis>, Vec<Millis>) {
    let times: Vec<Millis> = sent
        .iter()
        .filter(|(_, k)| *k == kind)
        .map(|(at, _)| *at)
        .collect();
    let gaps = times.windows(2).map(|w| w[1] - w[0]).collect();
    (times, gaps)
}

#[test]
fn failed_connects_advising_an_immediate_retry_back_off_with_growing_gaps() {
    let (mut client, held) = connected();
    client.handle_response(Millis(10), held.id, connect_refused_retry_now());
    let sent = run(&mut client, Millis(10), Millis(60_010), |request| {
        assert_eq!(
            request.kind,
            RequestKind::Connect,
            "same session throughout"
        );
        connect_refused_retry_now()
    });
    let (times, gaps) = gaps(&sent, RequestKind::Connect);
    assert!(
        times.len() <= 10,
        "{} connects in 60 s: {times:?}",
        times.len()
    );
    assert!(times.len() >= 5, "still retrying: {times:?}");
    assert!(gaps.windows(2).all(|w| w[0] <= w[1]), "gaps {gaps:?}");
    assert!(gaps[0] >= Millis(1000), "first retry waits a backoff");
    assert!(matches!(
        client.state(),
        ConnectionState::Reconnecting { attempt, .. } if *attempt as usize == times.len() + 1
    ));

    // A successful connect resets the backoff: the next one goes out at once (interval 0).
    let now = client.poll_deadline().expect("retry scheduled");
    let retry = one(&mut client, now, RequestKind::Connect);
    client.handle_response(now, retry.id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Connected);
    one(&mut client, now, RequestKind::Connect);
}

#[test]
fn failed_connects_back_off_with_jitter_too() {
    let mut client = BayeuxClient::new(config(0.25));
    client.subscribe(CALLS);
    client.start(Millis(0));
    let sent = run(
        &mut client,
        Millis(0),
        Millis(60_000),
        |request| match request.kind {
            RequestKind::Handshake => handshake_ok("c1"),
            RequestKind::Subscriptions => subscriptions_ok(request),
            _ => connect_refused_retry_now(),
        },
    );
    let (times, gaps) = gaps(&sent, RequestKind::Connect);
    assert!(
        times.len() <= 12,
        "{} connects in 60 s: {times:?}",
        times.len()
    );
    assert!(gaps.iter().all(|gap| *gap >= Millis(750)), "gaps {gaps:?}");
}

#[test]
fn a_server_losing_every_session_is_handshaken_with_a_growing_backoff() {
    // Sessions granted, then every connect answered 402: the successful handshakes do not reset
    // the backoff, so the cycle slows down instead of spinning.
    let mut client = started();
    let sent = run(
        &mut client,
        Millis(0),
        Millis(60_000),
        |request| match request.kind {
            RequestKind::Handshake => handshake_ok("c1"),
            RequestKind::Subscriptions => subscriptions_ok(request),
            _ => ok(json!([{"channel": "/meta/connect", "successful": false,
                        "error": "402::Unknown client",
                        "advice": {"reconnect": "handshake", "interval": 0}}])),
        },
    );
    let (times, gaps) = gaps(&sent, RequestKind::Handshake);
    assert!(
        times.len() <= 11,
        "{} handshakes in 60 s: {times:?}",
        times.len()
    );
    assert!(gaps.windows(2).all(|w| w[0] < w[1]), "gaps {gaps:?}");
}

#[test]
fn refused_handshakes_advising_an_immediate_retry_back_off() {
    let mut client = started();
    let sent = run(&mut client, Millis(0), Millis(60_000), |_| {
        ok(json!([{"channel": "/meta/handshake", "successful": false,
                   "advice": {"reconnect": "retry", "interval": 0}}]))
    });
    let (times, gaps) = gaps(&sent, RequestKind::Handshake);
    assert!(
        times.len() <= 11,
        "{} handshakes in 60 s: {times:?}",
        times.len()
    );
    assert!(gaps.windows(2).all(|w| w[0] < w[1]), "gaps {gaps:?}");
}

#[test]
fn subscription_replies_that_settle_nothing_back_off() {
    // Unsuccessful without naming a channel, or successful for a channel never asked for: the
    // batch is still owed, and goes out again only after a growing backoff.
    for reply in [
        json!([{"channel": "/meta/subscribe", "successful": false}]),
        json!([{"channel": "/meta/subscribe", "successful": true, "subscription": "/other"}]),
    ] {
        let mut client = started();
        let sent = run_holding(&mut client, Millis(0), Millis(60_000), |request| {
            match request.kind {
                RequestKind::Handshake => Some(handshake_ok("c1")),
                RequestKind::Subscriptions => Some(ok(reply.clone())),
                // The long poll is held by the server.
                _ => None,
            }
        });
        let (times, gaps) = gaps(&sent, RequestKind::Subscriptions);
        assert!(
            times.len() <= 12,
            "{reply}: {} batches: {times:?}",
            times.len()
        );
        assert!(
            gaps.windows(2).all(|w| w[0] <= w[1]),
            "{reply}: gaps {gaps:?}"
        );
    }
}

#[test]
fn extreme_advice_is_clamped_and_never_overflows() {
    let huge = [
        json!(u64::MAX),
        json!(1e300),
        json!(-1),
        json!(-1e300),
        json!("18446744073709551615"),
    ];
    for value in huge {
        for start in [Millis(0), Millis(u64::MAX - 5)] {
            let mut client = BayeuxClient::new(config(0.25));
            client.subscribe(CALLS);
            client.start(start);
            let advice = json!({"reconnect": "retry", "interval": value, "timeout": value,
                                "maxInterval": value});
            let handshake = one(&mut client, start, RequestKind::Handshake);
            client.handle_response(
                start,
                handshake.id,
                ok(json!([{"channel": "/meta/handshake", "successful": true,
                           "clientId": "c1", "advice": advice}])),
            );
            let ten_minutes = gws_client::bayeux::MAX_ADVICE.as_u64();
            let advised = client.advice().clone();
            for millis in [advised.interval, advised.timeout, advised.max_interval] {
                assert!(
                    millis.is_none_or(|m| m <= ten_minutes),
                    "{value}: {advised:?}"
                );
            }
            // Connects that fail, time out and succeed with the same advice, far into the clock.
            let mut round = 0;
            let sent = run(&mut client, start, Millis(u64::MAX), |request| {
                round += 1;
                assert!(request.timeout <= Millis(ten_minutes + 10_000), "{value}");
                match (request.kind, round % 3) {
                    (RequestKind::Subscriptions, _) => subscriptions_ok(request),
                    (_, 0) => Outcome::Timeout,
                    (_, 1) => ok(json!([{"channel": "/meta/connect", "successful": false,
                                         "advice": advice}])),
                    _ => ok(json!([{"channel": "/meta/connect", "successful": true,
                                    "advice": advice}])),
                }
            });
            assert!(!sent.is_empty(), "{value}");
            client.retry_now(Millis(u64::MAX));
            client.handle_timeout(Millis(u64::MAX));
        }
    }
}

/// A tab frozen past the server's `maxInterval` comes back showing `Connected`: its held connect
/// is abandoned and its session surely expired, so it handshakes again — and the application is
/// told to re-read once, not twice.
#[test]
fn a_session_expired_unseen_asks_for_a_reread_once() {
    let (mut client, _held) = connected();
    drain(&mut client);
    client.retry_now(Millis(100_000));
    let handshake = one(&mut client, Millis(100_000), RequestKind::Handshake);
    client.handle_response(Millis(100_001), handshake.id, handshake_ok("c2"));
    let sent = requests(&mut client, Millis(100_001));
    assert_eq!(sent[0].kind, RequestKind::Subscriptions);
    client.handle_response(Millis(100_002), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
    let events = drain(&mut client);
    assert_eq!(rereads(&events), 1, "{events:?}");
}

/// The session's first long poll fails before its subscribe is answered: the badge must keep
/// saying "reconnecting" (with the retry time) until a connect succeeds — subscriptions in place
/// do not deliver anything while the long poll is backing off.
#[test]
fn a_subscribe_confirmed_while_the_connect_backs_off_is_not_connected() {
    let (mut client, sent) = handshaken();
    assert_eq!(sent[1].kind, RequestKind::Connect);
    client.handle_response(Millis(2), sent[1].id, Outcome::NetworkError("reset".into()));
    let backing_off = ConnectionState::Reconnecting {
        attempt: 1,
        retry_at: Some(1002),
    };
    assert_eq!(client.state(), &backing_off);
    client.handle_response(Millis(3), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &backing_off, "the long poll is still down");
    client.retry_now(Millis(4));
    assert!(
        matches!(client.state(), ConnectionState::Reconnecting { .. }),
        "{:?}",
        client.state()
    );
    let events = drain(&mut client);
    assert_eq!(rereads(&events), 0, "nothing to re-read yet: {events:?}");
    let retry = one(&mut client, Millis(4), RequestKind::Connect);
    client.handle_response(Millis(5), retry.id, ok(json!([connect_ok()])));
    assert_eq!(client.state(), &ConnectionState::Connected);
    assert_eq!(rereads(&drain(&mut client)), 1, "read once, now");
}

/// After a re-handshake the failure count stays up until a connect succeeds (so a server that
/// grants sessions but fails every connect keeps its backoff). A subscribed session whose long
/// poll is held must still stay `Connected` when the tab becomes visible again or the network
/// comes back (both call `retry_now`): a flip to `Reconnecting` and back would be a false alarm
/// on the badge and a needless snapshot read.
#[test]
fn a_healthy_held_connect_after_a_rehandshake_stays_connected() {
    let (mut client, held) = connected();
    client.handle_response(Millis(100), held.id, unknown_client());
    let handshake = one(&mut client, Millis(1100), RequestKind::Handshake);
    client.handle_response(Millis(1110), handshake.id, handshake_ok("c2"));
    let sent = requests(&mut client, Millis(1110));
    assert_eq!(sent[1].kind, RequestKind::Connect, "held by the server");
    client.handle_response(Millis(1120), sent[0].id, subscriptions_ok(&sent[0]));
    assert_eq!(client.state(), &ConnectionState::Connected);
    drain(&mut client);
    client.retry_now(Millis(2000));
    client.set_online(Millis(2100), false);
    client.set_online(Millis(2200), true);
    assert_eq!(client.state(), &ConnectionState::Connected);
    let events = drain(&mut client);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::StateChanged(ConnectionState::Reconnecting { .. }))),
        "{events:?}"
    );
    assert!(
        requests(&mut client, Millis(2200)).is_empty(),
        "the held connect is still out"
    );
}

/// The network drops between the handshake and the subscribe: when it comes back the badge says
/// "connecting" again, not "offline" until the subscribe is answered.
#[test]
fn back_online_before_the_subscribe_is_connecting_again() {
    let (mut client, _sent) = handshaken();
    client.set_online(Millis(2), false);
    assert_eq!(client.state(), &ConnectionState::Offline);
    client.set_online(Millis(3), true);
    assert_eq!(client.state(), &ConnectionState::Connecting);
}
