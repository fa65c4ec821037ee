//! The widget core driven as the browser driver drives it: inputs in (`handle`,
//! `handle_timeout`), effects drained with `poll_effect`, REST replies fed back by token.
//! Time is a plain number of milliseconds; nothing sleeps. The harness and the server's canned
//! shapes are in `support/mod.rs` (shared with `widget_session.rs`).
//!
//! Sections: start-up, Bayeux events, the lost-call windows, intents, the tab protocol.

mod support;

use gws_client::bayeux::ConnectionState;
use gws_client::widget_core::{PENDING_TIMEOUT_MS, RELEASED_LINGER_MS};
use gws_client::{
    ApiError, CoreConfig, Effect, Event, HostEvent, HttpRequest, Input, Intent, Method,
    RelayTarget, RequestToken, Severity, TabMessage, ViewChanges,
};
use gws_protocol::api::OperationRequest;
use gws_protocol::{CallState, Operation};
use serde_json::{Value, json};
use support::*;
// ---------------------------------------------------------------------------------------------
// 1. Start-up
// ---------------------------------------------------------------------------------------------

#[test]
fn sign_in_asks_who_the_agent_is() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    assert_eq!(h.paths(), vec![ME.to_string()]);
    let me = h.request(Method::Get, ME);
    assert_eq!(me.body, None);
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "nothing scheduled before a failure"
    );
}

#[test]
fn a_failed_sign_in_is_retried_after_one_then_two_seconds() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(500, me.token, ApiError::Network("refused".into()));
    assert_eq!(
        h.state.connection,
        ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1500)
        }
    );
    assert!(
        h.hosts()
            .contains(&HostEvent::Connection(ConnectionState::Reconnecting {
                attempt: 1,
                retry_at: Some(1500)
            }))
    );
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    assert!(h.requests().is_empty(), "no immediate retry");
    assert_eq!(h.core.poll_timeout(), Some(1500));

    assert!(h.tick(1499).is_empty(), "not due yet");
    h.tick(1500);
    let again = h.request(Method::Get, ME);
    assert_eq!(h.core.poll_timeout(), None, "the retry was consumed");

    // An undecodable body counts as a failure too; the delay grows.
    h.reply_ok(1600, again.token, json!({"unexpected": true}));
    assert_eq!(
        h.state.connection,
        ConnectionState::Reconnecting {
            attempt: 2,
            retry_at: Some(3600)
        }
    );
    assert_eq!(h.core.poll_timeout(), Some(3600));
    h.tick(3600);
    h.request(Method::Get, ME);
}

#[test]
fn sign_in_retries_wait_at_most_thirty_seconds() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let mut now = 0;
    for _ in 0..40 {
        let me = h.request(Method::Get, ME);
        h.reply_err(now, me.token, ApiError::Timeout);
        let due = h.core.poll_timeout().expect("a retry is scheduled");
        assert!(due - now <= 30_000, "delay {} at attempt", due - now);
        now = due;
        h.tick(now);
    }
    let me = h.request(Method::Get, ME);
    h.reply_err(now, me.token, ApiError::Timeout);
    assert_eq!(h.core.poll_timeout(), Some(now + 30_000));
}

#[test]
fn a_good_sign_in_sets_the_agent_then_loads_settings_snapshot_and_starts_notifications() {
    for config in [ALONE, SHARED] {
        let shared = config.share_across_tabs;
        let mut h = Harness::new(config);
        h.feed(0, Input::SignIn);
        let me = h.request(Method::Get, ME);
        h.reply_ok(100, me.token, me_body("d1"));
        let user = h.state.agent.user.as_ref().expect("user set");
        assert_eq!(user.user_name.as_deref(), Some("agent1"));
        assert_eq!(h.state.agent.device_id(), Some("d1"));
        assert!(h.hosts().contains(&HostEvent::AgentChanged));
        assert_eq!(
            h.paths(),
            vec![AGENT_STATES.to_string(), CALLS.into(), DEVICES.into()]
        );
        assert!(h.requests().iter().all(|r| r.method == Method::Get));
        assert_eq!(
            h.out.last(),
            Some(&Effect::StartNotifications { shared }),
            "the loop starts after the requests are out"
        );
        assert_eq!(h.core.poll_timeout(), None);
        assert!(
            h.broadcasts().is_empty(),
            "no tab role yet: nothing to relay"
        );
    }
}

#[test]
fn a_good_sign_in_after_failures_resets_the_retry_delay() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(0, me.token, ApiError::Timeout);
    h.tick(1000);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1100, me.token, me_body("d1"));
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "no retry pending after success"
    );
    // A later sign-in failure starts again at one second.
    h.feed(2000, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(2000, me.token, ApiError::Timeout);
    assert_eq!(h.core.poll_timeout(), Some(3000));
}

#[test]
fn agent_state_settings_fill_the_agent_store_and_a_failure_only_warns() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_body("d1"));
    let states = h.request(Method::Get, AGENT_STATES);
    h.reply_ok(2, states.token, empty_reply(AGENT_STATES));
    assert_eq!(h.state.agent.agent_states.len(), 1);
    assert_eq!(
        h.state.agent.agent_states[0].state.as_deref(),
        Some("Ready")
    );

    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_body("d1"));
    let states = h.request(Method::Get, AGENT_STATES);
    let before = h.state.clone();
    h.reply_err(2, states.token, ApiError::Http(500));
    assert_eq!(h.state, before);
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    assert!(h.hosts().is_empty() && h.announcements().is_empty());
}

#[test]
fn credentials_failure_disconnects_and_says_why() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::CredentialsFailed("provider threw".into()));
    assert_eq!(h.state.connection, ConnectionState::Disconnected);
    let expected = "Cannot sign in: provider threw".to_string();
    assert_eq!(h.state.agent.error.as_deref(), Some(expected.as_str()));
    assert!(
        h.hosts()
            .contains(&HostEvent::Connection(ConnectionState::Disconnected))
    );
    assert_eq!(h.host_errors(), vec![(expected.clone(), None)]);
    assert_eq!(h.announcements(), vec![expected]);
    assert!(h.requests().is_empty());
    assert_eq!(h.core.poll_timeout(), None);
}

#[test]
fn a_reply_to_an_unknown_token_changes_nothing() {
    let mut h = Harness::connected(ALONE);
    let before = h.state.clone();
    h.reply_ok(20, RequestToken(9_999), json!({"statusCode": 0}));
    assert_eq!(h.state, before);
    assert!(h.requests().is_empty() && h.hosts().is_empty());
    assert_eq!(h.logs(Severity::Info).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// 2. Bayeux events
// ---------------------------------------------------------------------------------------------

#[test]
fn connecting_resyncs_and_tells_the_host() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_body("d1"));
    h.feed(2, Input::Leading { tab_id: None });
    h.bayeux(3, Event::StateChanged(ConnectionState::Connecting));
    assert!(h.requests().is_empty());
    h.bayeux(50, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
    assert_eq!(
        h.hosts(),
        vec![HostEvent::Connection(ConnectionState::Connected)]
    );
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert!(h.changes.connection && !h.changes.calls);
}

#[test]
fn connected_again_while_connected_does_not_resync_but_a_reconnect_does() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(20, Event::StateChanged(ConnectionState::Connected));
    assert!(h.requests().is_empty(), "already connected");
    h.bayeux(
        30,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1030),
        }),
    );
    assert!(h.requests().is_empty());
    h.bayeux(1100, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
}

#[test]
fn resync_needed_rereads_calls_and_devices() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(20, Event::ResyncNeeded);
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
    assert_eq!(h.state.connection, ConnectionState::Connected);
}

/// A refused subscription is said on the agent bar, since a channel missing in silence is a
/// missed call (and the log has it too) — once: the client asks again on a backoff, and each
/// further refusal is only logged. Granted after all, the message goes (not a later error).
#[test]
fn a_refused_subscription_is_said_on_the_agent_bar_once_and_cleared_when_granted() {
    let mut h = Harness::connected(ALONE);
    let refused = || Event::SubscriptionFailed {
        channel: "/v2/me/calls".into(),
        error: "403::Permission denied".into(),
    };
    h.bayeux(20, refused());
    let said =
        "The server refused updates on /v2/me/calls (403::Permission denied): asking again shortly";
    assert_eq!(h.state.agent.error.as_deref(), Some(said));
    assert_eq!(h.announcements(), vec![said.to_string()]);
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    h.bayeux(30_020, refused());
    assert!(h.announcements().is_empty(), "said once");
    assert!(h.host_errors().is_empty());
    assert_eq!(h.logs(Severity::Warning).len(), 1, "logged again");
    h.bayeux(
        90_020,
        Event::SubscriptionRestored {
            channel: "/v2/me/calls".into(),
        },
    );
    assert_eq!(h.state.agent.error, None);

    // Refused again, then another error takes the agent bar: granting clears only its own.
    h.bayeux(100_000, refused());
    assert_eq!(h.announcements(), vec![said.to_string()], "news again");
    h.bayeux(
        100_001,
        message("/v2/me/devices", error_data(None, "Ready", "Place busy")),
    );
    let later = h.state.agent.error.clone().expect("the later error");
    h.bayeux(
        130_000,
        Event::SubscriptionRestored {
            channel: "/v2/me/calls".into(),
        },
    );
    assert_eq!(h.state.agent.error, Some(later));
}

#[test]
fn a_ringing_call_adds_a_card_announces_it_and_tells_the_host() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Ringing");
    assert_eq!(h.call_state("C1"), Some(CallState::Ringing));
    assert_eq!(
        h.announcements(),
        vec!["Incoming call from 5000".to_string()]
    );
    match h.hosts().as_slice() {
        [HostEvent::CallChanged { previous, call }] => {
            assert_eq!(*previous, None);
            assert_eq!(call.id, "C1");
            assert_eq!(call.state, CallState::Ringing);
        }
        other => panic!("expected one CallChanged, got {other:?}"),
    }
    assert!(h.changes.calls && !h.changes.connection);
}

/// A call connecting is said (the agent answered, or the dialled party did), as the card's
/// change is seen; the update's host event carries the state before it.
#[test]
fn a_call_update_reports_its_previous_state_and_a_connect_is_announced() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Ringing");
    h.notify_call(200, "C1", "Established");
    assert_eq!(h.call_state("C1"), Some(CallState::Established));
    assert_eq!(h.announcements(), vec!["Connected with 5000".to_string()]);
    match h.hosts().as_slice() {
        [HostEvent::CallChanged { previous, call }] => {
            assert_eq!(*previous, Some(CallState::Ringing));
            assert_eq!(call.state, CallState::Established);
        }
        other => panic!("expected one CallChanged, got {other:?}"),
    }
    assert_eq!(
        h.changes,
        ViewChanges {
            calls: true,
            agent: false,
            connection: false
        },
        "an update re-renders the calls only"
    );
}

/// What a screen-reader user hears over a call's life: it rings, connects and ends — the
/// customer hanging up is not silent. A hold and its retrieve are not said (the focus moving
/// from Hold to Retrieve says it), nor a second Released.
#[test]
fn a_calls_connect_and_end_are_announced_and_nothing_else() {
    let mut h = Harness::connected(ALONE);
    let mut said = Vec::new();
    for (at, state) in [
        (100, "Ringing"),
        (200, "Established"),
        (300, "Held"),
        (400, "Established"),
        (500, "Released"),
        (600, "Released"),
    ] {
        h.notify_call(at, "C1", state);
        said.extend(h.announcements());
    }
    assert_eq!(
        said,
        [
            "Incoming call from 5000",
            "Connected with 5000",
            "Call with 5000 ended"
        ]
    );
}

#[test]
fn an_outbound_call_appearing_is_not_announced_as_incoming() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Dialing");
    assert!(h.state.calls.get("C1").is_some());
    assert!(h.announcements().is_empty());
}

#[test]
fn a_released_call_lingers_then_retires_when_its_deadline_comes() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Established");
    assert_eq!(h.core.poll_timeout(), None);
    h.notify_call(1_000, "C1", "Released");
    assert_eq!(h.call_state("C1"), Some(CallState::Released));
    assert!(matches!(
        h.hosts().as_slice(),
        [HostEvent::CallChanged { previous: Some(CallState::Established), call }]
            if call.state == CallState::Released
    ));
    let deadline = 1_000 + RELEASED_LINGER_MS;
    assert_eq!(h.core.poll_timeout(), Some(deadline));

    h.tick(deadline - 1);
    assert!(h.state.calls.get("C1").is_some(), "still lingering");
    h.tick(deadline);
    assert!(h.state.calls.get("C1").is_none(), "retired");
    assert_eq!(
        h.state.calls.recent().next().map(|c| c.id.as_str()),
        Some("C1")
    );
    assert_eq!(h.core.poll_timeout(), None);
}

#[test]
fn two_released_calls_retire_each_at_its_own_deadline() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "A", "Established");
    h.notify_call(100, "B", "Established");
    h.notify_call(1_000, "A", "Released");
    h.notify_call(3_000, "B", "Released");
    assert_eq!(h.core.poll_timeout(), Some(1_000 + RELEASED_LINGER_MS));
    h.tick(1_000 + RELEASED_LINGER_MS);
    assert!(h.state.calls.get("A").is_none());
    assert!(h.state.calls.get("B").is_some());
    assert_eq!(h.core.poll_timeout(), Some(3_000 + RELEASED_LINGER_MS));
    h.tick(3_000 + RELEASED_LINGER_MS);
    assert!(h.state.calls.entries().is_empty());
}

#[test]
fn a_device_notification_updates_the_agent_and_tells_the_host() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(100, message("/v2/me/devices", device_data("d1", "Ready")));
    assert_eq!(h.state.agent.state_label(), "Ready");
    assert_eq!(h.hosts(), vec![HostEvent::AgentChanged]);
    assert!(h.changes.agent && !h.changes.calls);

    h.bayeux(
        200,
        message("/v2/me/devices", device_data("other", "NotReady")),
    );
    assert_eq!(h.state.agent.state_label(), "Ready", "not our device");
    assert!(h.hosts().is_empty());
}

#[test]
fn the_core_words_its_messages_in_the_catalog_language() {
    let french = CoreConfig {
        catalog: gws_client::Catalog::new(gws_client::Lang::Fr),
        ..ALONE
    };
    let mut h = Harness::connected(french);
    h.notify_call(100, "C1", "Established");
    h.bayeux(
        200,
        message("/v2/me/calls", error_data(Some("C1"), "Hold", "Busy")),
    );
    assert_eq!(
        h.call_error("C1").as_deref(),
        Some("Échec de « Hold » : Busy"),
        "server words (operation name, message) as sent"
    );
    h.core
        .set_catalog(gws_client::Catalog::new(gws_client::Lang::De));
    h.intent(300, Intent::dial("5001"));
    let post = h.request(Method::Post, "/api/v2/me/devices/d1/calls");
    h.reply_err(310, post.token, ApiError::Http(500));
    assert_eq!(
        h.state.agent.error.as_deref(),
        Some("„Anrufen“ fehlgeschlagen: Der Server antwortete mit HTTP 500"),
        "a language set later words later messages"
    );
    // The watchdog's message too (it was English whatever the language).
    h.intent(400, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(410, post.token, json!({"statusCode": 0}));
    h.tick(410 + PENDING_TIMEOUT_MS);
    assert_eq!(
        h.call_error("C1").as_deref(),
        Some("Halten: noch keine Bestätigung vom Server")
    );
}

#[test]
fn a_clicked_number_that_cannot_be_dialled_is_said_in_the_agent_bar_in_its_language() {
    let french = CoreConfig {
        catalog: gws_client::Catalog::new(gws_client::Lang::Fr),
        ..ALONE
    };
    let mut h = Harness::connected(french);
    let effects = h.feed(
        100,
        Input::CannotDial(gws_client::NumberError::InvalidCharacter('x')),
    );
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Request(_))),
        "nothing is sent: {effects:?}"
    );
    assert_eq!(
        h.state.agent.error.as_deref(),
        Some("Impossible d’appeler : « x » n’est pas autorisé dans un numéro de téléphone")
    );
}

#[test]
fn an_error_notification_lands_on_its_card() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Established");
    h.bayeux(
        200,
        message("/v2/me/calls", error_data(Some("C1"), "Hold", "Busy")),
    );
    assert_eq!(h.call_error("C1").as_deref(), Some("Hold failed: Busy"));
    assert_eq!(h.call_state("C1"), Some(CallState::Established));
    assert_eq!(h.host_errors(), vec![("Busy".into(), Some("C1".into()))]);
    assert_eq!(h.announcements(), vec!["Busy".to_string()]);
    assert_eq!(h.state.agent.error, None);
}

#[test]
fn an_error_notification_without_a_known_call_lands_on_the_agent_bar() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(
        200,
        message(
            "/v2/me/devices",
            error_data(None, "ForwardCallsOn", "Invalid destination"),
        ),
    );
    assert_eq!(
        h.state.agent.error.as_deref(),
        Some("ForwardCallsOn failed: Invalid destination")
    );
    assert_eq!(h.host_errors(), vec![("Invalid destination".into(), None)]);
}

#[test]
fn malformed_data_only_logs_a_warning() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Established");
    let before = h.state.clone();
    let bad = [
        raw_message(
            "/v2/me/calls",
            r#"{"messageType":"CallStateChangeMessage"}"#,
        ),
        raw_message("/v2/me/calls", r#"{"call":{"id":"C2","state":"Ringing"}}"#),
        raw_message("/v2/me/calls", "[1,2,3]"),
        raw_message("/v2/me/calls", r#""text""#),
        raw_message("/v2/me/devices", r#"{"messageType":7}"#),
        Event::Malformed("unexpected end of input".into()),
    ];
    for event in bad {
        let label = format!("{event:?}");
        h.bayeux(200, event);
        assert_eq!(h.state, before, "{label}");
        assert!(
            h.out
                .iter()
                .all(|effect| matches!(effect, Effect::Log(Severity::Warning, _))),
            "{label}: {:?}",
            h.out
        );
        assert_eq!(h.out.len(), 1, "{label}");
    }
}

#[test]
fn a_flood_of_new_call_ids_is_capped_and_each_eviction_logged_by_id() {
    use gws_client::store::MAX_CALLS;
    let mut h = Harness::connected(ALONE);
    for i in 0..MAX_CALLS + 10 {
        h.notify_call(100 + i as u64, &format!("F{i}"), "Established");
        assert!(h.state.calls.entries().len() <= MAX_CALLS);
        let warnings = h.logs(Severity::Warning);
        if i < MAX_CALLS {
            assert!(warnings.is_empty(), "{warnings:?}");
        } else {
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            let dropped = format!("F{}", i - MAX_CALLS);
            assert!(warnings[0].contains(&dropped), "{warnings:?}");
        }
    }
    // A snapshot of 500 calls: one line for the whole batch, a few ids shown.
    h.bayeux(1_000, Event::ResyncNeeded);
    let snapshot = h
        .requests()
        .into_iter()
        .find(is_calls_snapshot)
        .expect("re-read");
    let calls: Vec<Value> = (0..500)
        .map(|i| call(&format!("S{i}"), "Established"))
        .collect();
    h.reply_ok(
        1_001,
        snapshot.token,
        json!({"statusCode": 0, "calls": calls}),
    );
    assert_eq!(h.state.calls.entries().len(), MAX_CALLS);
    let warnings = h.logs(Severity::Warning);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("dropped 436"), "{warnings:?}");
    assert!(warnings[0].len() < 200, "{warnings:?}");
}

#[test]
fn decoding_errors_are_logged_without_customer_values() {
    let secret = "John Smith";
    let mut h = Harness::connected(ALONE);
    h.bayeux(
        100,
        raw_message(
            "/v2/me/calls",
            r#"{"messageType":"CallStateChangeMessage","call":"John Smith"}"#,
        ),
    );
    let mut warnings = h.logs(Severity::Warning);
    // A snapshot and a sign-in whose fields have the wrong type.
    h.bayeux(200, Event::ResyncNeeded);
    for request in h.requests() {
        let body = if is_calls_snapshot(&request) {
            json!({"statusCode": secret, "calls": []})
        } else {
            json!({"statusCode": 0, "devices": secret})
        };
        h.reply_ok(201, request.token, body);
        warnings.extend(h.logs(Severity::Warning));
    }
    // Malformed Bayeux items, as the client reports them.
    let mut client = gws_client::BayeuxClient::new(gws_client::BayeuxConfig::default());
    client.start(gws_client::Millis(0));
    let handshake = client
        .poll_request(gws_client::Millis(0))
        .expect("handshake");
    client.handle_response(
        gws_client::Millis(1),
        handshake.id,
        gws_client::Outcome::Http {
            status: 200,
            body: r#"[{"channel":"/x","supportedConnectionTypes":"John Smith"},"John Smith"]"#
                .into(),
        },
    );
    while let Some(event) = client.poll_event() {
        if matches!(event, Event::Malformed(_)) {
            h.bayeux(300, event);
            warnings.extend(h.logs(Severity::Warning));
        }
    }
    assert!(warnings.len() >= 5, "{warnings:?}");
    for line in &warnings {
        assert!(!line.contains(secret), "{line}");
    }
    assert!(
        warnings[0].contains("unexpected type or value at line 1 column"),
        "category and position: {warnings:?}"
    );
}

#[test]
fn unknown_message_types_and_a_403_are_only_logged() {
    let mut h = Harness::connected(ALONE);
    let before = h.state.clone();
    h.bayeux(
        100,
        message(
            "/v2/me/channels",
            json!({"messageType": "ChannelStateChangeMessageV2", "x": 1}),
        ),
    );
    assert_eq!(h.logs(Severity::Info).len(), 1);
    assert_eq!(h.out.len(), 1);
    // A 403 is the CSRF token (the driver refreshes it); a 401 signs out (widget_session.rs).
    // (A refused subscription is said on the agent bar: see below.)
    h.bayeux(120, Event::Unauthorized { status: 403 });
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    assert_eq!(h.out.len(), 1);
    assert_eq!(h.state, before);
}

#[test]
fn a_call_without_id_or_state_is_treated_as_malformed() {
    let mut h = Harness::connected(ALONE);
    let before = h.state.clone();
    for data in [
        json!({"messageType": "CallStateChangeMessage", "call": {"id": "", "state": "Ringing"}}),
        json!({"messageType": "CallStateChangeMessage", "call": {"id": "C9"}}),
    ] {
        h.bayeux(100, message("/v2/me/calls", data));
        assert_eq!(h.state.calls, before.calls);
        assert!(
            h.hosts().is_empty(),
            "host told about a malformed call: {:?}",
            h.out
        );
        assert_eq!(h.logs(Severity::Warning).len(), 1);
    }
}

#[test]
fn without_host_events_no_host_effect_is_ever_produced() {
    let config = CoreConfig {
        host_events: false,
        ..ALONE
    };
    let mut all = Vec::new();
    let mut h = Harness::new(config);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(0, me.token, ApiError::Timeout);
    all.extend(h.out.clone());
    h.tick(1000);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1000, me.token, me_body("d1"));
    all.extend(h.out.clone());
    h.feed(1001, Input::Leading { tab_id: None });
    h.bayeux(1002, Event::StateChanged(ConnectionState::Connected));
    all.extend(h.out.clone());
    let snapshot = h.request(Method::Get, CALLS);
    h.notify_call(1003, "OLD", "Established");
    all.extend(h.out.clone());
    h.bayeux(2000, Event::ResyncNeeded);
    let late = h.request(Method::Get, CALLS);
    h.reply_ok(
        2100,
        late.token,
        json!({"statusCode": 0, "calls": [call("NEW", "Ringing")]}),
    );
    all.extend(h.out.clone());
    assert!(h.state.calls.get("OLD").is_none(), "snapshot applied");
    assert!(h.state.calls.get("NEW").is_some());
    h.reply_ok(2200, snapshot.token, empty_reply(CALLS));
    all.extend(h.out.clone());
    h.notify_call(2300, "NEW", "Established");
    all.extend(h.out.clone());
    h.bayeux(2400, message("/v2/me/devices", device_data("d1", "Ready")));
    all.extend(h.out.clone());
    h.bayeux(
        2500,
        message("/v2/me/calls", error_data(Some("NEW"), "Hold", "Busy")),
    );
    all.extend(h.out.clone());
    h.intent(2600, hold("NEW"));
    let post = h.request(Method::Post, "/api/v2/me/calls/NEW");
    h.reply_err(2700, post.token, rejected());
    all.extend(h.out.clone());
    h.feed(2800, Input::CredentialsFailed("x".into()));
    all.extend(h.out.clone());
    assert!(
        !all.iter().any(|effect| matches!(effect, Effect::Host(_))),
        "{all:#?}"
    );
    assert!(
        all.iter()
            .any(|effect| matches!(effect, Effect::Announce(_))),
        "the live region still speaks"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. The lost-call windows
// ---------------------------------------------------------------------------------------------

#[test]
fn the_snapshot_is_reread_only_when_the_loop_reports_connected() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_body("d1"));
    h.feed(2, Input::Leading { tab_id: None });
    let handshake_ish = [
        Event::StateChanged(ConnectionState::Connecting),
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(1000),
        }),
        Event::StateChanged(ConnectionState::Offline),
        Event::StateChanged(ConnectionState::Connecting),
        Event::SubscriptionFailed {
            channel: "/v2/me/devices".into(),
            error: "x".into(),
        },
        Event::Unauthorized { status: 403 },
        Event::Malformed("x".into()),
        message("/v2/me/calls", call_data("C1", "Ringing")),
        Event::StateChanged(ConnectionState::Disconnected),
    ];
    for (i, event) in handshake_ish.into_iter().enumerate() {
        let label = format!("{event:?}");
        h.bayeux(10 + i as u64, event);
        assert!(
            !h.requests().iter().any(is_calls_snapshot),
            "{label} must not read the snapshot"
        );
    }
    h.bayeux(100, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(
        h.requests().iter().filter(|r| is_calls_snapshot(r)).count(),
        1
    );
}

#[test]
fn a_call_ringing_while_the_snapshot_is_on_its_way_survives_it() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(
        50,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(60),
        }),
    );
    h.bayeux(100, Event::StateChanged(ConnectionState::Connected));
    let snapshot = h.request(Method::Get, CALLS);
    h.notify_call(150, "C1", "Ringing");
    h.reply_ok(200, snapshot.token, empty_reply(CALLS));
    assert_eq!(h.call_state("C1"), Some(CallState::Ringing));
    assert!(h.hosts().is_empty(), "no Released told for a live call");
}

#[test]
fn a_snapshot_removes_calls_untouched_since_before_it_was_asked_for() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "GONE", "Established");
    h.notify_call(60, "ENDED", "Established");
    h.notify_call(70, "ENDED", "Released");
    h.bayeux(100, Event::ResyncNeeded);
    let snapshot = h.request(Method::Get, CALLS);
    h.notify_call(150, "NEW", "Ringing");
    h.reply_ok(200, snapshot.token, empty_reply(CALLS));
    assert!(h.state.calls.get("GONE").is_none());
    assert!(h.state.calls.get("ENDED").is_none());
    assert!(
        h.state.calls.get("NEW").is_some(),
        "newer than the snapshot"
    );
    assert!(h.state.calls.recent().any(|c| c.id == "GONE"));
    match h.hosts().as_slice() {
        [HostEvent::CallChanged { previous, call }] => {
            assert_eq!(call.id, "GONE");
            assert_eq!(*previous, Some(CallState::Established));
            assert_eq!(call.state, CallState::Released);
            assert!(call.capabilities.is_empty());
        }
        other => panic!("expected one Released for GONE only, got {other:?}"),
    }
}

#[test]
fn a_snapshot_adds_missed_calls_and_updates_stale_ones() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.bayeux(100, Event::ResyncNeeded);
    let snapshot = h.request(Method::Get, CALLS);
    h.reply_ok(
        200,
        snapshot.token,
        json!({"statusCode": 0, "calls": [call("C1", "Held"), call("C2", "Ringing")]}),
    );
    assert_eq!(h.call_state("C1"), Some(CallState::Held));
    assert_eq!(h.call_state("C2"), Some(CallState::Ringing));
    let mut seen: Vec<(String, Option<CallState>, CallState)> = h
        .hosts()
        .into_iter()
        .filter_map(|event| match event {
            HostEvent::CallChanged { previous, call } => Some((call.id, previous, call.state)),
            _ => None,
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        vec![
            ("C1".into(), Some(CallState::Established), CallState::Held),
            ("C2".into(), None, CallState::Ringing),
        ]
    );
}

#[test]
fn a_snapshot_does_not_rewind_a_call_notified_after_it_was_asked_for() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.bayeux(100, Event::ResyncNeeded);
    let snapshot = h.request(Method::Get, CALLS);
    h.notify_call(150, "C1", "Held");
    h.reply_ok(
        200,
        snapshot.token,
        json!({"statusCode": 0, "calls": [call("C1", "Established")]}),
    );
    assert_eq!(h.call_state("C1"), Some(CallState::Held));
    assert!(h.hosts().is_empty());
}

#[test]
fn an_older_snapshot_answering_last_does_not_undo_a_newer_one() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(100, Event::ResyncNeeded);
    let first = h.request(Method::Get, CALLS);
    h.bayeux(300, Event::ResyncNeeded);
    let second = h.request(Method::Get, CALLS);
    // The second snapshot saw a call that rang before our subscription (no notification).
    h.reply_ok(
        400,
        second.token,
        json!({"statusCode": 0, "calls": [call("C1", "Ringing")]}),
    );
    h.reply_ok(500, first.token, empty_reply(CALLS));
    assert_eq!(h.call_state("C1"), Some(CallState::Ringing));
}

#[test]
fn a_failed_snapshot_keeps_the_calls_and_warns() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.bayeux(100, Event::ResyncNeeded);
    let snapshot = h.request(Method::Get, CALLS);
    let before = h.state.clone();
    h.reply_err(200, snapshot.token, ApiError::Http(503));
    assert_eq!(h.state, before);
    assert_eq!(h.logs(Severity::Warning).len(), 1);
}

#[test]
fn a_devices_snapshot_updates_our_device() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(100, Event::ResyncNeeded);
    let devices = h.request(Method::Get, DEVICES);
    h.reply_ok(
        200,
        devices.token,
        json!({"statusCode": 0, "devices": [device("d1", "Ready")]}),
    );
    assert_eq!(h.state.agent.state_label(), "Ready");
    assert_eq!(h.hosts(), vec![HostEvent::AgentChanged]);
}

// ---------------------------------------------------------------------------------------------
// 4. Intents
// ---------------------------------------------------------------------------------------------

#[test]
fn a_call_operation_posts_to_the_encoded_call_path_and_marks_it_pending() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "a/b?c", "Established");
    let request = OperationRequest::new(Operation::InitiateTransfer).with_destination("5001");
    h.intent(100, Intent::call("a/b?c", request.clone()));
    let post = h.request(Method::Post, "/api/v2/me/calls/a%2Fb%3Fc");
    let body: Value = serde_json::from_str(post.body.as_deref().expect("a body")).expect("JSON");
    assert_eq!(body, serde_json::to_value(&request).expect("serialises"));
    assert_eq!(body["operationName"], "InitiateTransfer");
    assert_eq!(body["destination"], json!({"phoneNumber": "5001"}));
    assert_eq!(h.out.len(), 1, "only the request");
    assert_eq!(h.call_pending("a/b?c"), Some(Operation::InitiateTransfer));
    assert_eq!(h.call_state("a/b?c"), Some(CallState::Established));
}

#[test]
fn a_second_click_while_pending_sends_nothing() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    assert_eq!(h.requests().len(), 1);
    h.intent(110, hold("C1"));
    assert!(h.out.is_empty(), "double click: {:?}", h.out);
    h.intent(120, Intent::operation("C1", Operation::Hangup));
    assert!(h.out.is_empty(), "another control on the same pending card");
}

#[test]
fn an_operation_on_an_unknown_call_sends_nothing() {
    let mut h = Harness::connected(ALONE);
    h.intent(100, hold("NOPE"));
    assert!(h.out.is_empty());
}

#[test]
fn a_rejected_operation_shows_the_error_on_its_card() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_err(200, post.token, rejected());
    let expected = "Hold failed: Not allowed (code 50)".to_string();
    assert_eq!(h.call_error("C1"), Some(expected.clone()));
    assert_eq!(h.call_pending("C1"), None);
    assert_eq!(h.call_state("C1"), Some(CallState::Established));
    assert_eq!(h.host_errors(), vec![(expected.clone(), Some("C1".into()))]);
    assert_eq!(h.announcements(), vec![expected]);
    assert_eq!(h.core.poll_timeout(), None, "no watchdog after a failure");
    // The card accepts the next click.
    h.intent(300, hold("C1"));
    assert_eq!(h.requests().len(), 1);
    assert_eq!(h.call_error("C1"), None, "a new operation clears the error");
}

#[test]
fn an_accepted_operation_never_confirmed_becomes_an_error_after_the_timeout() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(1_000, post.token, json!({"statusCode": 0}));
    assert_eq!(
        h.call_state("C1"),
        Some(CallState::Established),
        "HTTP is not truth"
    );
    assert_eq!(h.call_pending("C1"), Some(Operation::Hold));
    let deadline = 1_000 + PENDING_TIMEOUT_MS;
    assert_eq!(h.core.poll_timeout(), Some(deadline));
    h.tick(deadline - 1);
    assert!(h.out.is_empty());
    h.tick(deadline);
    let expected = "Hold: no confirmation from the server yet".to_string();
    assert_eq!(h.call_error("C1"), Some(expected.clone()));
    assert_eq!(h.call_pending("C1"), None);
    assert_eq!(h.host_errors(), vec![(expected.clone(), Some("C1".into()))]);
    assert_eq!(h.announcements(), vec![expected]);
    assert_eq!(h.core.poll_timeout(), None);
}

/// The caller's own call changes only when the invited party answers, which may be never: the
/// accepted conference is all the confirmation there is, and the call's controls are free at
/// once (a refused destination still comes as an `ErrorMessage`).
#[test]
fn an_accepted_single_step_conference_is_settled_by_its_reply() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    let conference =
        OperationRequest::new(Operation::SingleStepConference).with_destination("9001");
    h.intent(100, Intent::call("C1", conference));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    assert_eq!(h.call_pending("C1"), Some(Operation::SingleStepConference));
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    assert_eq!(h.call_pending("C1"), None, "settled by its reply");
    assert_eq!(h.core.poll_timeout(), None, "no watchdog");
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert_eq!(h.call_error("C1"), None, "not called unconfirmed");
    h.intent(300 + PENDING_TIMEOUT_MS, hold("C1"));
    h.request(Method::Post, "/api/v2/me/calls/C1");
}

#[test]
fn a_confirmed_operation_does_not_time_out() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.notify_call(300, "C1", "Held");
    assert_eq!(h.call_pending("C1"), None);
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert!(h.out.is_empty(), "{:?}", h.out);
    assert_eq!(h.call_error("C1"), None);
    assert_eq!(h.core.poll_timeout(), None);
}

#[test]
fn a_notification_before_the_http_reply_still_confirms_the_operation() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.notify_call(150, "C1", "Held");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert!(h.out.is_empty(), "{:?}", h.out);
    assert_eq!(h.call_error("C1"), None);
}

/// A snapshot asked before the agent clicked cannot show the click's effect: the operation
/// stays pending (the double-click guard with it), even though the call in it differs.
#[test]
fn a_snapshot_asked_before_an_operation_keeps_it_pending() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Ringing");
    h.bayeux(100, Event::ResyncNeeded);
    let calls = h.request(Method::Get, CALLS);
    h.intent(150, Intent::operation("C1", Operation::Answer));
    h.request(Method::Post, "/api/v2/me/calls/C1");
    let mut ringing = call("C1", "Ringing");
    ringing["duration"] = json!("3");
    h.reply_ok(
        200,
        calls.token,
        json!({"statusCode": 0, "calls": [ringing]}),
    );
    assert_eq!(h.call_pending("C1"), Some(Operation::Answer));
    h.intent(210, Intent::operation("C1", Operation::Answer));
    assert!(
        h.requests().is_empty(),
        "still guarded against a double click"
    );
}

/// The agent held C1 (the Held notification came before the Hold's HTTP reply), then clicked
/// Retrieve, whose POST was accepted at t=250: returns the harness and the Hold's POST, still
/// unanswered.
fn retrieving_before_the_holds_reply() -> (Harness, HttpRequest) {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let hold_post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.notify_call(150, "C1", "Held");
    h.intent(200, Intent::operation("C1", Operation::Retrieve));
    let retrieve_post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(250, retrieve_post.token, json!({"statusCode": 0}));
    (h, hold_post)
}

/// A late reply of an earlier operation — the agent held, the notification came, they
/// retrieved, then the Hold's HTTP reply failed (a timeout) — is not the Retrieve's: no
/// "Hold failed" on a call that is held, and the Retrieve stays pending and watched.
#[test]
fn a_late_reply_of_an_earlier_operation_does_not_settle_the_newer_one() {
    let (mut h, hold_post) = retrieving_before_the_holds_reply();
    h.reply_err(300, hold_post.token, ApiError::Timeout);
    assert_eq!(h.call_error("C1"), None);
    assert!(h.host_errors().is_empty());
    assert_eq!(h.call_pending("C1"), Some(Operation::Retrieve));
    assert_eq!(h.logs(Severity::Warning).len(), 1, "logged, not shown");
    // Its watchdog still runs: unconfirmed, the Retrieve becomes an error.
    h.tick(250 + PENDING_TIMEOUT_MS);
    let error = h.call_error("C1").expect("no confirmation");
    assert!(error.contains("no confirmation"), "{error}");
}

/// Replies out of order: the Retrieve's OK before the Hold's. The Hold's late OK must not
/// replace the Retrieve's watchdog (the card would stay pending for good).
#[test]
fn a_late_ok_of_an_earlier_operation_keeps_the_newer_ones_watchdog() {
    let (mut h, hold_post) = retrieving_before_the_holds_reply();
    h.reply_ok(300, hold_post.token, json!({"statusCode": 0}));
    h.tick(250 + PENDING_TIMEOUT_MS);
    assert_eq!(h.call_pending("C1"), None, "the watchdog settled it");
    assert!(
        h.call_error("C1")
            .is_some_and(|e| e.contains("no confirmation"))
    );
}

#[test]
fn an_old_watchdog_does_not_fail_a_newer_identical_operation() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.notify_call(300, "C1", "Held");
    h.intent(400, Intent::operation("C1", Operation::Retrieve));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(500, post.token, json!({"statusCode": 0}));
    h.notify_call(600, "C1", "Established");
    // Hold again, one second before the first Hold's watchdog is due.
    let again = 200 + PENDING_TIMEOUT_MS - 1_000;
    h.intent(again, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(again + 50, post.token, json!({"statusCode": 0}));
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert_eq!(
        h.call_error("C1"),
        None,
        "the second Hold was sent 1 s ago: its own watchdog decides"
    );
    assert_eq!(h.call_pending("C1"), Some(Operation::Hold));
    assert!(h.host_errors().is_empty());
}

#[test]
fn dial_and_device_operations_need_a_device() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(
        1,
        me.token,
        json!({"statusCode": 0, "user": {"id": "u1", "userName": "nodevice"}}),
    );
    for intent in [
        Intent::dial("5001"),
        Intent::DeviceOperation(Box::new(OperationRequest::new(Operation::DoNotDisturbOn))),
    ] {
        h.intent(10, intent);
        let expected = "No device to act on yet".to_string();
        assert!(h.requests().is_empty());
        assert_eq!(h.state.agent.error.as_deref(), Some(expected.as_str()));
        assert_eq!(h.state.agent.pending, None);
        assert_eq!(h.host_errors(), vec![(expected.clone(), None)]);
        assert_eq!(h.announcements(), vec![expected]);
    }
}

#[test]
fn dial_and_device_operations_post_to_the_agents_device() {
    let mut h = Harness::new(ALONE);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_body("dev 1"));

    h.intent(10, Intent::dial("5001"));
    let post = h.request(Method::Post, "/api/v2/me/devices/dev%201/calls");
    let body: Value = serde_json::from_str(post.body.as_deref().expect("body")).expect("JSON");
    assert_eq!(body["operationName"], "Dial");
    assert_eq!(body["destination"], json!({"phoneNumber": "5001"}));
    assert_eq!(h.state.agent.pending, Some(Operation::Dial));
    h.intent(11, Intent::dial("5001"));
    assert!(h.out.is_empty(), "double click guard on the agent bar");
    h.reply_err(20, post.token, ApiError::Http(500));
    assert_eq!(
        h.state.agent.error.as_deref(),
        Some("Call failed: The server answered HTTP 500")
    );
    assert_eq!(h.state.agent.pending, None);

    h.intent(
        30,
        Intent::DeviceOperation(Box::new(OperationRequest::new(Operation::DoNotDisturbOn))),
    );
    let post = h.request(Method::Post, "/api/v2/me/devices/dev%201");
    assert!(
        post.body
            .as_deref()
            .is_some_and(|b| b.contains("DoNotDisturbOn"))
    );
    assert_eq!(h.state.agent.error, None);
}

#[test]
fn a_new_call_confirms_a_pending_dial() {
    let mut h = Harness::connected(ALONE);
    h.intent(100, Intent::dial("5001"));
    let post = h.request(Method::Post, "/api/v2/me/devices/d1/calls");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.notify_call(300, "OUT", "Dialing");
    assert_eq!(h.state.agent.pending, None);
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert!(h.out.is_empty(), "{:?}", h.out);
    assert_eq!(h.state.agent.error, None);
}

/// The dialled call's notification was lost (an outage, a re-handshake): the snapshot read
/// afterwards is the first to show it, and it answers the Dial — no "no confirmation" error
/// while the agent is on the call they dialled. A snapshot asked before the Dial was sent
/// cannot hold the dialled call, and leaves it pending.
#[test]
fn a_call_first_seen_in_a_snapshot_confirms_a_pending_dial_asked_after_it() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(90, Event::ResyncNeeded);
    let early = h.request(Method::Get, CALLS);
    h.intent(100, Intent::dial("5001"));
    let post = h.request(Method::Post, "/api/v2/me/devices/d1/calls");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.reply_ok(
        210,
        early.token,
        json!({"statusCode": 0, "calls": [call("MISSED", "Established")]}),
    );
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::Dial),
        "asked before the Dial: not the dialled call"
    );

    h.bayeux(300, Event::ResyncNeeded);
    let later = h.request(Method::Get, CALLS);
    h.reply_ok(
        400,
        later.token,
        json!({"statusCode": 0, "calls": [call("MISSED", "Established"), call("OUT", "Dialing")]}),
    );
    assert_eq!(h.state.agent.pending, None);
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert_eq!(h.state.agent.error, None);
}

/// A ringing call the widget first learns of from a snapshot (it rang during an outage) is
/// announced like a notified one: a screen-reader user would not hear of it otherwise.
#[test]
fn a_ringing_call_first_seen_in_a_snapshot_is_announced() {
    let mut h = Harness::connected(ALONE);
    h.bayeux(100, Event::ResyncNeeded);
    let calls = h.request(Method::Get, CALLS);
    h.reply_ok(
        200,
        calls.token,
        json!({"statusCode": 0, "calls": [call("RING", "Ringing"), call("TALK", "Established")]}),
    );
    let said = h.announcements();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("Incoming call"), "{said:?}");
}

#[test]
fn an_agent_state_change_posts_to_the_voice_channel() {
    let mut h = Harness::connected(ALONE);
    h.intent(
        100,
        Intent::AgentState(Box::new(OperationRequest::new(Operation::Ready))),
    );
    let post = h.request(Method::Post, "/api/v2/me/channels/voice");
    let body: Value = serde_json::from_str(post.body.as_deref().expect("body")).expect("JSON");
    assert_eq!(body, json!({"operationName": "Ready"}));
    assert_eq!(h.state.agent.pending, Some(Operation::Ready));
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.bayeux(300, message("/v2/me/devices", device_data("d1", "Ready")));
    assert_eq!(
        h.state.agent.pending, None,
        "confirmed by the device notification"
    );
    h.tick(200 + PENDING_TIMEOUT_MS);
    assert!(h.out.is_empty());
}

#[test]
fn an_unconfirmed_agent_state_change_times_out_on_the_agent_bar() {
    let mut h = Harness::connected(ALONE);
    h.intent(
        100,
        Intent::AgentState(Box::new(OperationRequest::new(Operation::NotReady))),
    );
    let post = h.request(Method::Post, "/api/v2/me/channels/voice");
    h.reply_ok(200, post.token, json!({"statusCode": 0}));
    h.tick(200 + PENDING_TIMEOUT_MS);
    let expected = "Not ready: no confirmation from the server yet".to_string();
    assert_eq!(h.state.agent.error, Some(expected.clone()));
    assert_eq!(h.host_errors(), vec![(expected, None)]);
}

/// The server ends the session (`reconnect: none`): the badge, the host and the follower tabs
/// say so, a warning is logged, and the agent's "Retry now" goes to the loop (which starts a new
/// session); once connected again, everything is re-read.
#[test]
fn a_session_the_server_ended_is_said_and_reconnected_on_request() {
    let mut h = Harness::connected(SHARED);
    h.bayeux(100, Event::StateChanged(ConnectionState::EndedByServer));
    assert_eq!(h.state.connection, ConnectionState::EndedByServer);
    assert!(
        h.hosts()
            .contains(&HostEvent::Connection(ConnectionState::EndedByServer))
    );
    assert!(h.broadcasts().iter().any(|m| matches!(
        m,
        TabMessage::Connection { state, .. } if state == "ended"
    )));
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    h.out.clear();
    h.intent(200, Intent::RetryConnection);
    assert_eq!(h.out, vec![Effect::RetryConnection]);
    h.out.clear();
    h.bayeux(300, Event::StateChanged(ConnectionState::Connecting));
    h.bayeux(400, Event::StateChanged(ConnectionState::Connected));
    assert!(
        h.requests().iter().any(is_calls_snapshot),
        "{:?}",
        h.paths()
    );
}

#[test]
fn retry_connection_asks_the_loop() {
    let mut h = Harness::connected(ALONE);
    h.intent(100, Intent::RetryConnection);
    assert_eq!(h.out, vec![Effect::RetryConnection]);
}

#[test]
fn dismissing_errors_clears_them() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(50, "C1", "Established");
    h.intent(100, hold("C1"));
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_err(200, post.token, rejected());
    h.feed(300, Input::CredentialsFailed("x".into()));
    assert!(h.call_error("C1").is_some() && h.state.agent.error.is_some());

    h.intent(
        400,
        Intent::DismissError {
            call_id: "C1".into(),
        },
    );
    assert_eq!(h.call_error("C1"), None);
    assert!(h.state.agent.error.is_some(), "only the card's error");
    assert!(h.out.is_empty());
    h.intent(500, Intent::DismissAgentError);
    assert_eq!(h.state.agent.error, None);
    assert!(h.changes.agent && !h.changes.calls);
}

// ---------------------------------------------------------------------------------------------
// 5. The tab protocol
// ---------------------------------------------------------------------------------------------

/// Signed in, following the leader as `me`, told "connected", with call `C1` established.
fn follower() -> Harness {
    let mut h = Harness::following(SHARED, "me");
    h.tab(
        5,
        TabMessage::Notification {
            from: LEADER.into(),
            channel: "/v2/me/calls".into(),
            data: call_data("C1", "Established").to_string(),
        },
    );
    h.out.clear();
    h
}

#[test]
fn a_following_tab_says_hello() {
    let mut h = Harness::new(SHARED);
    h.feed(
        0,
        Input::Following {
            tab_id: "t-7".into(),
        },
    );
    assert_eq!(
        h.out,
        vec![Effect::Broadcast(TabMessage::Hello { from: "t-7".into() })]
    );
    assert!(!h.core.is_leading());
}

#[test]
fn a_follower_sends_its_operations_through_the_leader() {
    let mut h = follower();
    h.intent(100, hold("C1"));
    assert!(h.requests().is_empty(), "no REST from a follower");
    match h.broadcasts().as_slice() {
        [
            TabMessage::Intent {
                from,
                id,
                target,
                request,
            },
        ] => {
            assert_eq!(from, "me");
            assert_eq!(*id, 1);
            assert_eq!(target, &RelayTarget::Call { id: "C1".into() });
            assert_eq!(request.as_ref(), &OperationRequest::new(Operation::Hold));
        }
        other => panic!("expected one relayed intent, got {other:?}"),
    }
    assert_eq!(h.call_pending("C1"), Some(Operation::Hold));
    assert_eq!(h.core.poll_timeout(), Some(100 + PENDING_TIMEOUT_MS));
    h.intent(110, hold("C1"));
    assert!(h.out.is_empty(), "double click guard applies to followers");
}

#[test]
fn a_failure_reported_to_this_tab_lands_on_the_card() {
    let mut h = follower();
    h.intent(100, hold("C1"));
    h.tab(
        200,
        TabMessage::Failed {
            from: LEADER.into(),
            to: "other-tab".into(),
            id: 1,
            message: "Hold failed: elsewhere".into(),
        },
    );
    assert!(h.out.is_empty());
    assert_eq!(h.call_error("C1"), None);
    assert_eq!(h.call_pending("C1"), Some(Operation::Hold));

    h.tab(
        300,
        TabMessage::Failed {
            from: LEADER.into(),
            to: "me".into(),
            id: 1,
            message: "Hold failed: Not allowed (code 50)".into(),
        },
    );
    let expected = "Hold failed: Not allowed (code 50)".to_string();
    assert_eq!(h.call_error("C1"), Some(expected.clone()));
    assert_eq!(h.call_pending("C1"), None);
    assert_eq!(h.host_errors(), vec![(expected.clone(), Some("C1".into()))]);
    assert_eq!(h.announcements(), vec![expected]);

    // Reported once: a repeat, an unknown id and the watchdog add nothing.
    h.tab(
        310,
        TabMessage::Failed {
            from: LEADER.into(),
            to: "me".into(),
            id: 1,
            message: "again".into(),
        },
    );
    assert!(h.out.is_empty());
    h.tick(100 + PENDING_TIMEOUT_MS);
    assert!(h.out.is_empty(), "{:?}", h.out);
}

#[test]
fn a_relayed_operation_with_no_news_times_out_and_a_late_failure_is_ignored() {
    let mut h = follower();
    h.intent(100, hold("C1"));
    h.tick(100 + PENDING_TIMEOUT_MS);
    assert_eq!(
        h.call_error("C1").as_deref(),
        Some("Hold: no confirmation from the server yet")
    );
    h.intent(
        20_000,
        Intent::DismissError {
            call_id: "C1".into(),
        },
    );
    h.tab(
        20_100,
        TabMessage::Failed {
            from: LEADER.into(),
            to: "me".into(),
            id: 1,
            message: "late".into(),
        },
    );
    assert!(h.out.is_empty());
    assert_eq!(h.call_error("C1"), None);
}

#[test]
fn a_follower_applies_what_the_leader_relays() {
    let mut h = follower();
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert_eq!(h.call_state("C1"), Some(CallState::Established));

    h.tab(
        1_000,
        TabMessage::Notification {
            from: LEADER.into(),
            channel: "/v2/me/calls".into(),
            data: call_data("C2", "Ringing").to_string(),
        },
    );
    assert_eq!(h.call_state("C2"), Some(CallState::Ringing));
    assert_eq!(
        h.announcements(),
        vec!["Incoming call from 5000".to_string()]
    );
    assert!(h.broadcasts().is_empty(), "a follower relays nothing");

    h.tab(
        2_000,
        TabMessage::Connection {
            from: LEADER.into(),
            state: "reconnecting".into(),
            attempt: 2,
            retry_in_ms: Some(3_000),
        },
    );
    assert_eq!(
        h.state.connection,
        ConnectionState::Reconnecting {
            attempt: 2,
            retry_at: Some(5_000)
        },
        "the delay is converted to our clock"
    );
    assert!(h.requests().is_empty());

    h.tab(
        3_000,
        TabMessage::Resync {
            from: LEADER.into(),
        },
    );
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
    assert!(h.broadcasts().is_empty());
}

#[test]
fn a_follower_ignores_what_only_a_leader_handles() {
    let mut h = follower();
    let before = h.state.clone();
    h.tab(
        100,
        TabMessage::Hello {
            from: "newcomer".into(),
        },
    );
    assert!(h.out.is_empty());
    h.tab(
        110,
        TabMessage::Intent {
            from: "other".into(),
            id: 1,
            target: RelayTarget::Call { id: "C1".into() },
            request: Box::new(OperationRequest::new(Operation::Hangup)),
        },
    );
    assert!(h.out.is_empty());
    assert_eq!(h.state, before);
}

#[test]
fn a_shared_leader_answers_hello_with_its_connection_state() {
    let mut h = Harness::connected(SHARED);
    assert!(h.core.is_leading());
    h.tab(100, TabMessage::Hello { from: "f1".into() });
    assert_eq!(
        h.out,
        vec![
            Effect::Broadcast(TabMessage::Leader {
                from: LEADER.into()
            }),
            Effect::Broadcast(TabMessage::Connection {
                from: LEADER.into(),
                state: "connected".into(),
                attempt: 0,
                retry_in_ms: None
            })
        ]
    );
    h.bayeux(
        200,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 3,
            retry_at: Some(4_200),
        }),
    );
    h.tab(1_200, TabMessage::Hello { from: "f2".into() });
    assert_eq!(
        h.broadcasts(),
        vec![
            TabMessage::Leader {
                from: LEADER.into()
            },
            TabMessage::Connection {
                from: LEADER.into(),
                state: "reconnecting".into(),
                attempt: 3,
                retry_in_ms: Some(3_000)
            }
        ]
    );
}

#[test]
fn a_shared_leader_sends_a_followers_operation_and_reports_only_failures() {
    let mut h = Harness::connected(SHARED);
    h.notify_call(50, "C1", "Established"); // the leader relays only on a call it shows
    h.out.clear();
    let request = Box::new(OperationRequest::new(Operation::Hold));
    let target = RelayTarget::Call { id: "C1".into() };
    h.tab(
        100,
        TabMessage::Intent {
            from: "f1".into(),
            id: 4,
            target: target.clone(),
            request: request.clone(),
        },
    );
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    let body: Value = serde_json::from_str(post.body.as_deref().expect("body")).expect("JSON");
    assert_eq!(body, json!({"operationName": "Hold"}));
    assert!(h.broadcasts().is_empty());
    h.reply_err(200, post.token, rejected());
    assert_eq!(
        h.out,
        vec![Effect::Broadcast(TabMessage::Failed {
            from: LEADER.into(),
            to: "f1".into(),
            id: 4,
            message: "Hold failed: Not allowed (code 50)".into()
        })],
        "the failure is the follower's, not ours"
    );
    assert_eq!(h.state.agent.error, None);

    h.tab(
        300,
        TabMessage::Intent {
            from: "f1".into(),
            id: 5,
            target,
            request,
        },
    );
    let post = h.request(Method::Post, "/api/v2/me/calls/C1");
    h.reply_ok(400, post.token, json!({"statusCode": 0}));
    assert!(h.out.is_empty(), "success is confirmed by the notification");
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "the follower keeps the watchdog"
    );
}

#[test]
fn a_shared_leader_ignores_other_tabs_notifications_and_states() {
    let mut h = Harness::connected(SHARED);
    let before = h.state.clone();
    for message in [
        TabMessage::Notification {
            from: "other".into(),
            channel: "/v2/me/calls".into(),
            data: call_data("X", "Ringing").to_string(),
        },
        TabMessage::Connection {
            from: "other".into(),
            state: "offline".into(),
            attempt: 0,
            retry_in_ms: None,
        },
        TabMessage::Resync {
            from: "other".into(),
        },
        TabMessage::Leader {
            from: "other".into(),
        },
        TabMessage::Failed {
            from: "other".into(),
            to: "me".into(),
            id: 1,
            message: "x".into(),
        },
    ] {
        let label = format!("{message:?}");
        h.tab(100, message);
        assert!(h.out.is_empty(), "{label}: {:?}", h.out);
        assert_eq!(h.state, before, "{label}");
    }
}

#[test]
fn an_unshared_leader_and_a_starting_tab_ignore_every_tab_message() {
    let all = || {
        vec![
            TabMessage::Hello { from: "f".into() },
            TabMessage::Leader { from: "l".into() },
            TabMessage::Notification {
                from: "l".into(),
                channel: "/v2/me/calls".into(),
                data: call_data("X", "Ringing").to_string(),
            },
            TabMessage::Connection {
                from: "l".into(),
                state: "offline".into(),
                attempt: 0,
                retry_in_ms: None,
            },
            TabMessage::Resync { from: "l".into() },
            TabMessage::Intent {
                from: "f".into(),
                id: 1,
                target: RelayTarget::Call { id: "X".into() },
                request: Box::new(OperationRequest::new(Operation::Hold)),
            },
            TabMessage::Failed {
                from: "l".into(),
                to: "f".into(),
                id: 1,
                message: "x".into(),
            },
        ]
    };
    let mut unshared = Harness::connected(ALONE);
    let mut starting = Harness::new(SHARED);
    for h in [&mut unshared, &mut starting] {
        let before = h.state.clone();
        for message in all() {
            let label = format!("{message:?}");
            h.tab(100, message);
            assert!(h.out.is_empty(), "{label}: {:?}", h.out);
            assert_eq!(h.state, before, "{label}");
        }
    }
}

#[test]
fn a_shared_leader_relays_its_notifications_states_and_resyncs() {
    let mut h = Harness::connected(SHARED);
    let data = call_data("C1", "Ringing");
    h.bayeux(100, message("/v2/me/calls", data.clone()));
    match h.broadcasts().as_slice() {
        [
            TabMessage::Notification {
                from,
                channel,
                data: text,
            },
        ] => {
            assert_eq!(from, LEADER);
            assert_eq!(channel, "/v2/me/calls");
            assert_eq!(serde_json::from_str::<Value>(text).expect("JSON"), data);
        }
        other => panic!("expected one relayed notification, got {other:?}"),
    }
    assert!(h.state.calls.get("C1").is_some(), "applied here too");

    h.bayeux(200, Event::ResyncNeeded);
    let resync = TabMessage::Resync {
        from: LEADER.into(),
    };
    assert_eq!(h.broadcasts(), vec![resync.clone()]);
    h.bayeux(300, Event::StateChanged(ConnectionState::Offline));
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Connection {
            from: LEADER.into(),
            state: "offline".into(),
            attempt: 0,
            retry_in_ms: None
        }]
    );
    h.bayeux(400, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(
        h.broadcasts(),
        vec![
            TabMessage::Connection {
                from: LEADER.into(),
                state: "connected".into(),
                attempt: 0,
                retry_in_ms: None
            },
            resync
        ],
        "followers re-read state after the leader reconnects"
    );
}

#[test]
fn an_unshared_leader_broadcasts_nothing() {
    let mut h = Harness::connected(ALONE);
    h.notify_call(100, "C1", "Ringing");
    h.bayeux(200, Event::ResyncNeeded);
    h.bayeux(300, Event::StateChanged(ConnectionState::Offline));
    h.bayeux(400, Event::StateChanged(ConnectionState::Connected));
    assert!(h.broadcasts().is_empty());
    h.notify_call(500, "C1", "Released");
    assert!(h.broadcasts().is_empty());
}

#[test]
fn a_follower_elected_leader_sends_its_own_operations() {
    let mut h = follower();
    h.feed(
        1_000,
        Input::Leading {
            tab_id: Some("me".into()),
        },
    );
    assert!(h.core.is_leading());
    assert_eq!(h.logs(Severity::Info).len(), 1);
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Leader { from: "me".into() }],
        "a tab elected announces itself"
    );
    h.intent(1_100, hold("C1"));
    assert!(h.broadcasts().is_empty());
    h.request(Method::Post, "/api/v2/me/calls/C1");
}

#[test]
fn tab_messages_keep_their_wire_shape() {
    let hello = serde_json::to_value(TabMessage::Hello { from: "a".into() }).expect("serialises");
    assert_eq!(hello, json!({"hello": {"from": "a"}}));
    let connection = serde_json::to_value(TabMessage::Connection {
        from: "l".into(),
        state: "reconnecting".into(),
        attempt: 1,
        retry_in_ms: Some(5),
    })
    .expect("serialises");
    assert_eq!(
        connection,
        json!({"connection": {"from": "l", "state": "reconnecting", "attempt": 1, "retryInMs": 5}})
    );
    let intent = serde_json::to_value(TabMessage::Intent {
        from: "f".into(),
        id: 3,
        target: RelayTarget::Call { id: "C/1".into() },
        request: Box::new(OperationRequest::new(Operation::Hold)),
    })
    .expect("serialises");
    assert_eq!(
        intent,
        json!({"intent": {"from": "f", "id": 3,
               "target": {"call": {"id": "C/1"}},
               "request": {"operationName": "Hold"}}})
    );
    let leader: TabMessage =
        serde_json::from_value(json!({"leader": {"from": "l"}})).expect("parses");
    assert_eq!(leader, TabMessage::Leader { from: "l".into() });
    let device: TabMessage = serde_json::from_value(json!({"intent": {"from": "f", "id": 4,
        "target": "deviceCalls",
        "request": {"operationName": "Dial", "destination": {"phoneNumber": "5001"}}}}))
    .expect("parses");
    assert!(matches!(
        device,
        TabMessage::Intent {
            target: RelayTarget::DeviceCalls,
            ..
        }
    ));
    let failed: TabMessage = serde_json::from_value(
        json!({"failed": {"from": "l", "to": "b", "id": 2, "message": "m"}}),
    )
    .expect("parses");
    assert_eq!(
        failed,
        TabMessage::Failed {
            from: "l".into(),
            to: "b".into(),
            id: 2,
            message: "m".into()
        }
    );
}
