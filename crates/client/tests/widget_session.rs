//! The widget core's two sessions with GWS (`widget_core/session.rs`), driven as the browser
//! driver drives it (harness in `support/mod.rs`): the voice login (`StartContactCenterSession`
//! once the loop is connected, `EndContactCenterSession` after the loop stopped) and the
//! credentials (a 401 asks the provider again; failing that, or with static credentials, the
//! widget is signed out, stops its loop and retries a few times with a growing delay).
//!
//! Sections: automatic login, login errors, the LogIn intent, logout, logged out elsewhere,
//! re-authentication, election while signed out.

mod support;

use gws_client::bayeux::ConnectionState;
use gws_client::widget_core::{
    LoginOptions, PENDING_TIMEOUT_MS, SIGN_IN_RETRIES, SIGN_IN_RETRY_MS,
};
use gws_client::{
    ApiError, CoreConfig, Effect, Event, HostEvent, HttpRequest, Input, Intent, Method,
    ReauthFailure, RelayTarget, TabMessage,
};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use serde_json::{Value, json};
use support::*;

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// Where both session operations are posted.
const SESSION: &str = "/api/v2/me";

fn auto_login() -> LoginOptions {
    LoginOptions {
        auto_login: true,
        place: Some("P1".into()),
        queue: Some("Q".into()),
        login_code: Some("L".into()),
    }
}

fn config(login: LoginOptions, credentials_provider: bool, share_across_tabs: bool) -> CoreConfig {
    CoreConfig {
        share_across_tabs,
        host_events: true,
        credentials_provider,
        login,
        catalog: gws_client::Catalog::default(),
    }
}

/// The simulator's logged-out device.
fn logged_out(id: &str) -> Value {
    json!({
        "id": id,
        "deviceState": "Inactive",
        "userState": {"state": "LoggedOut", "displayName": "Logged out"},
        "capabilities": []
    })
}

/// The simulator's logged-in device (`Active`, `NotReady`).
fn logged_in(id: &str) -> Value {
    device(id, "NotReady")
}

fn me_with(device: &Value, first_name: &str) -> Value {
    json!({
        "statusCode": 0,
        "user": {
            "id": "u1", "userName": "agent1", "firstName": first_name, "lastName": "Agent",
            "roles": ["ROLE_AGENT"],
            "devices": [device]
        }
    })
}

fn devices_reply(device: &Value) -> Value {
    json!({"statusCode": 0, "devices": [device]})
}

/// A `DeviceStateChangeMessage` from our own loop.
fn device_message(device: &Value) -> Event {
    message(
        "/v2/me/devices",
        json!({"messageType": "DeviceStateChangeMessage", "devices": [device]}),
    )
}

/// The reply to a start-up or resync GET, with `device` as the agent's device.
fn snapshot_reply(path: &str, device: &Value) -> Value {
    match path {
        DEVICES => devices_reply(device),
        other => empty_reply(other),
    }
}

/// Answers every GET among `requests` (start-up or resync) with `device`.
fn answer_gets(h: &mut Harness, now: u64, requests: &[HttpRequest], device: &Value) {
    for request in requests.iter().filter(|r| r.method == Method::Get) {
        h.reply_ok(now, request.token, snapshot_reply(&request.path, device));
    }
}

/// Signed in with `device`, leading its own loop (shared with other tabs as `config` says, as
/// `LEADER`), the start-up GETs answered, the loop handshaking (`Connecting` at 5). `out`: that
/// last step.
fn handshaking(config: CoreConfig, device: &Value) -> Harness {
    let tab_id = config.share_across_tabs.then(|| LEADER.to_string());
    let mut h = Harness::new(config);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_with(device, "Ann"));
    let startup = h.requests();
    h.feed(2, Input::Leading { tab_id });
    answer_gets(&mut h, 3, &startup, device);
    h.bayeux(5, Event::StateChanged(ConnectionState::Connecting));
    h
}

/// Like [`handshaking`], then connected at 10 with the resync answered (`device` again) and no
/// automatic login (`config` must not want one that would be sent). `out` is cleared.
fn connected_with(config: CoreConfig, device: &Value) -> Harness {
    let mut h = handshaking(config, device);
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert!(session_bodies(&h).is_empty(), "no login here: {:#?}", h.out);
    let resync = h.requests();
    answer_gets(&mut h, 10, &resync, device);
    h.out.clear();
    h
}

/// Signed in with `device`, following as `me` — but no leader heard of yet (as when this tab is
/// alone: the election gives it the lock next). `out`: the `Following` step.
fn following(config: CoreConfig, device: &Value) -> Harness {
    let mut h = Harness::new(config);
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_ok(1, me.token, me_with(device, "Ann"));
    let startup = h.requests();
    answer_gets(&mut h, 2, &startup, device);
    h.feed(
        3,
        Input::Following {
            tab_id: "me".into(),
        },
    );
    h
}

/// Like [`following`], then the leader tab `LEADER` announced itself and said "connected".
/// `out` cleared.
fn follower_with(config: CoreConfig, device: &Value) -> Harness {
    let mut h = following(config, device);
    h.tab(4, leader_says(LEADER));
    h.tab(4, leader_connected());
    h.out.clear();
    h
}

fn leader_says(from: &str) -> TabMessage {
    TabMessage::Leader { from: from.into() }
}

fn leader_connected() -> TabMessage {
    TabMessage::Connection {
        from: LEADER.into(),
        state: "connected".into(),
        attempt: 0,
        retry_in_ms: None,
    }
}

fn leader_resync() -> TabMessage {
    TabMessage::Resync {
        from: LEADER.into(),
    }
}

/// A follower's session operation as relayed to the leader: `body` typed, for `/api/v2/me`.
fn relayed_session(from: &str, id: u64, body: Value) -> TabMessage {
    TabMessage::Intent {
        from: from.into(),
        id,
        target: RelayTarget::Me,
        request: Box::new(serde_json::from_value::<OperationRequest>(body).expect("a request")),
    }
}

/// Bodies of the POSTs to `/api/v2/me` (the session operations) of the last step.
fn session_bodies(h: &Harness) -> Vec<Value> {
    h.requests()
        .into_iter()
        .filter(|r| r.method == Method::Post && r.path == SESSION)
        .map(|r| serde_json::from_str(r.body.as_deref().expect("a POST has a body")).expect("JSON"))
        .collect()
}

/// The one session POST of the last step.
fn session_post(h: &Harness) -> HttpRequest {
    h.request(Method::Post, SESSION)
}

fn count(h: &Harness, wanted: &Effect) -> usize {
    h.out.iter().filter(|effect| *effect == wanted).count()
}

fn stops(h: &Harness) -> Vec<bool> {
    h.out
        .iter()
        .filter_map(|effect| match effect {
            Effect::StopNotifications { unsubscribe } => Some(*unsubscribe),
            _ => None,
        })
        .collect()
}

fn starts_notifications(h: &Harness) -> usize {
    h.out
        .iter()
        .filter(|effect| matches!(effect, Effect::StartNotifications { .. }))
        .count()
}

fn connection_events(h: &Harness) -> Vec<ConnectionState> {
    h.hosts()
        .into_iter()
        .filter_map(|event| match event {
            HostEvent::Connection(state) => Some(state),
            _ => None,
        })
        .collect()
}

fn full_start_body() -> Value {
    json!({
        "operationName": "StartContactCenterSession",
        "channels": ["voice"],
        "place": "P1",
        "queue": "Q",
        "loginCode": "L"
    })
}

fn end_body() -> Value {
    json!({"operationName": "EndContactCenterSession"})
}

fn place_busy() -> ApiError {
    ApiError::Rejected {
        code: 19,
        message: "Place P1 is in use".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Automatic login
// ---------------------------------------------------------------------------------------------

#[test]
fn auto_login_starts_the_voice_session_once_connected_with_place_queue_and_code() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    assert!(session_bodies(&h).is_empty(), "not while handshaking");
    assert_eq!(h.state.agent.logged_in, Some(false));

    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(session_bodies(&h), vec![full_start_body()]);
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession)
    );
    let start = session_post(&h);
    let resync = h.requests();
    assert!(resync.iter().any(|r| r.path == DEVICES), "resync too");

    h.reply_ok(11, start.token, json!({"statusCode": 0}));
    assert!(h.requests().is_empty());
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession),
        "the HTTP reply does not confirm it"
    );

    // The device notification confirms it.
    h.bayeux(12, device_message(&logged_in("d1")));
    assert_eq!(h.state.agent.pending, None);
    assert_eq!(h.state.agent.logged_in, Some(true));
    assert!(h.hosts().contains(&HostEvent::AgentChanged));
    answer_gets(&mut h, 13, &resync, &logged_in("d1"));

    // A re-handshake, and a resync, do not log in again.
    h.bayeux(
        20,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(25),
        }),
    );
    assert!(session_bodies(&h).is_empty());
    h.bayeux(30, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()), "it resyncs");
    assert!(session_bodies(&h).is_empty(), "no second login");
    h.bayeux(40, Event::ResyncNeeded);
    assert!(!h.requests().is_empty());
    assert!(session_bodies(&h).is_empty(), "no second login");
}

#[test]
fn auto_login_without_options_starts_the_voice_channel_only() {
    let login = LoginOptions {
        auto_login: true,
        ..LoginOptions::default()
    };
    let mut h = handshaking(config(login, false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(
        session_bodies(&h),
        vec![json!({"operationName": "StartContactCenterSession", "channels": ["voice"]})]
    );
}

#[test]
fn auto_login_is_not_sent_when_the_device_is_already_logged_in() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_in("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()));
    assert!(session_bodies(&h).is_empty());
    assert_eq!(h.state.agent.pending, None);
    // Nor later, once the device turns out logged out after all.
    let resync = h.requests();
    answer_gets(&mut h, 11, &resync, &logged_out("d1"));
    h.bayeux(
        20,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(25),
        }),
    );
    h.bayeux(30, Event::StateChanged(ConnectionState::Connected));
    assert!(session_bodies(&h).is_empty());
}

#[test]
fn auto_login_is_not_sent_when_disabled() {
    let mut h = handshaking(config(NO_LOGIN, false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()));
    assert!(session_bodies(&h).is_empty());
}

#[test]
fn auto_login_waits_for_the_loop_to_be_connected() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    assert!(session_bodies(&h).is_empty(), "Connecting");
    h.bayeux(
        8,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(9),
        }),
    );
    assert!(session_bodies(&h).is_empty(), "Reconnecting");
    h.bayeux(9, Event::ResyncNeeded);
    assert!(
        session_bodies(&h).is_empty(),
        "a resync is not a connection"
    );
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(session_bodies(&h), vec![full_start_body()]);
}

/// The resync asked with the login reads the device as it was before the login: its (logged
/// out) answer must not pass for the login's confirmation.
#[test]
fn the_snapshot_asked_with_the_login_does_not_confirm_it() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    let start = session_post(&h);
    let resync = h.requests();
    h.reply_ok(11, start.token, json!({"statusCode": 0}));
    answer_gets(&mut h, 12, &resync, &logged_out("d1"));
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession),
        "a snapshot older than the login"
    );
    h.tick(11 + PENDING_TIMEOUT_MS);
    assert!(
        h.state
            .agent
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no confirmation")),
        "{:?}",
        h.state.agent.error
    );
}

#[test]
fn a_device_snapshot_older_than_the_login_notification_does_not_undo_it() {
    // Seen as a flaky browser test: the re-read asked with the login answered after the login's
    // device notification, with the device as it was before, and showed the agent logged out.
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    let start = session_post(&h);
    let resync = h.requests();
    h.reply_ok(11, start.token, json!({"statusCode": 0}));
    h.bayeux(12, device_message(&logged_in("d1")));
    assert_eq!(h.state.agent.logged_in, Some(true));
    answer_gets(&mut h, 13, &resync, &logged_out("d1"));
    assert_eq!(
        h.state.agent.logged_in,
        Some(true),
        "the older snapshot was skipped"
    );
    assert_eq!(h.state.agent.pending, None);
}

// ---------------------------------------------------------------------------------------------
// 2. Login errors
// ---------------------------------------------------------------------------------------------

#[test]
fn a_refused_login_lands_on_the_agent_bar() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    let start = session_post(&h);
    h.reply_err(11, start.token, place_busy());
    let message = "Log in failed: Place P1 is in use (code 19)".to_string();
    assert_eq!(h.state.agent.error.as_deref(), Some(message.as_str()));
    assert_eq!(h.host_errors(), vec![(message.clone(), None)]);
    assert_eq!(h.announcements(), vec![message]);
    assert_eq!(h.state.agent.pending, None);
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert!(h.requests().is_empty(), "not retried");
    assert_eq!(h.core.poll_timeout(), None, "no watchdog");
    // Nor retried at the next connection.
    h.bayeux(
        20,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(25),
        }),
    );
    h.bayeux(30, Event::StateChanged(ConnectionState::Connected));
    assert!(session_bodies(&h).is_empty());
}

// ---------------------------------------------------------------------------------------------
// 3. The LogIn intent
// ---------------------------------------------------------------------------------------------

#[test]
fn log_in_while_connected_posts_at_once() {
    let mut h = connected_with(config(NO_LOGIN, false, false), &logged_out("d1"));
    h.intent(20, Intent::LogIn);
    assert_eq!(
        session_bodies(&h),
        vec![json!({"operationName": "StartContactCenterSession", "channels": ["voice"]})]
    );
    assert_eq!(h.requests().len(), 1);
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession)
    );
    // A second click while pending sends nothing.
    h.intent(21, Intent::LogIn);
    assert!(h.requests().is_empty());
}

#[test]
fn log_in_while_handshaking_waits_for_the_connection() {
    let mut h = handshaking(config(NO_LOGIN, false, false), &logged_out("d1"));
    h.intent(6, Intent::LogIn);
    assert!(h.out.iter().all(|e| !matches!(e, Effect::Request(_))));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(session_bodies(&h).len(), 1);
}

/// Logs the agent out of a connected harness: stop, end, device re-read (`logged_out`).
fn log_out(h: &mut Harness, now: u64) {
    h.intent(now, Intent::LogOut);
    assert_eq!(stops(h), vec![true]);
    h.feed(now + 1, Input::NotificationsStopped);
    let end = session_post(h);
    h.reply_ok(now + 2, end.token, json!({"statusCode": 0}));
    let devices = h.request(Method::Get, DEVICES);
    h.reply_ok(now + 3, devices.token, devices_reply(&logged_out("d1")));
    assert_eq!(h.state.agent.logged_in, Some(false));
}

#[test]
fn log_in_after_a_logout_resumes_the_loop_then_logs_in_once_connected() {
    let mut h = Harness::connected(config(NO_LOGIN, false, false));
    log_out(&mut h, 20);

    h.intent(30, Intent::LogIn);
    assert_eq!(h.out, vec![Effect::ResumeNotifications]);
    h.bayeux(31, Event::StateChanged(ConnectionState::Connecting));
    assert!(session_bodies(&h).is_empty());
    h.bayeux(32, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(
        session_bodies(&h),
        vec![json!({"operationName": "StartContactCenterSession", "channels": ["voice"]})]
    );
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession)
    );
    let resync = h.requests();
    h.bayeux(33, device_message(&logged_in("d1")));
    answer_gets(&mut h, 34, &resync, &logged_in("d1"));
    assert_eq!(h.state.agent.logged_in, Some(true));
    // Once.
    h.bayeux(
        40,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(45),
        }),
    );
    h.bayeux(50, Event::StateChanged(ConnectionState::Connected));
    assert!(session_bodies(&h).is_empty());
}

// ---------------------------------------------------------------------------------------------
// 4. Logout
// ---------------------------------------------------------------------------------------------

#[test]
fn log_out_stops_the_loop_then_ends_the_session_then_rereads_the_device() {
    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    assert_eq!(h.state.agent.logged_in, Some(true));

    h.intent(20, Intent::LogOut);
    assert_eq!(
        count(&h, &Effect::StopNotifications { unsubscribe: true }),
        1
    );
    assert!(h.requests().is_empty(), "EndContactCenterSession goes last");
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::EndContactCenterSession)
    );

    h.feed(21, Input::NotificationsStopped);
    assert_eq!(h.requests().len(), 1);
    assert_eq!(session_bodies(&h), vec![end_body()]);
    let end = session_post(&h);

    h.reply_ok(22, end.token, json!({"statusCode": 0}));
    assert_eq!(h.state.connection, ConnectionState::Disconnected);
    assert!(
        h.hosts()
            .contains(&HostEvent::Connection(ConnectionState::Disconnected))
    );
    let devices = h.request(Method::Get, DEVICES);
    assert_eq!(h.requests().len(), 1);
    assert!(h.broadcasts().contains(&TabMessage::Resync {
        from: LEADER.into()
    }));

    h.reply_ok(23, devices.token, devices_reply(&logged_out("d1")));
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert_eq!(h.state.agent.pending, None);
    assert!(h.hosts().contains(&HostEvent::AgentChanged));
    assert_eq!(h.state.agent.error, None);
}

#[test]
fn an_unshared_leader_logging_out_broadcasts_nothing() {
    let mut h = Harness::connected(config(NO_LOGIN, false, false));
    h.intent(20, Intent::LogOut);
    h.feed(21, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_ok(22, end.token, json!({"statusCode": 0}));
    h.request(Method::Get, DEVICES);
    assert!(h.broadcasts().is_empty());
}

#[test]
fn a_failed_logout_says_so_and_resumes_notifications() {
    let mut h = Harness::connected(config(NO_LOGIN, false, false));
    h.intent(20, Intent::LogOut);
    h.feed(21, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_err(22, end.token, ApiError::Network("refused".into()));
    let error = h.state.agent.error.clone().expect("an error");
    assert!(error.starts_with("Log out failed: "), "{error}");
    assert!(error.contains("refused"), "{error}");
    assert_eq!(h.host_errors(), vec![(error.clone(), None)]);
    assert_eq!(h.announcements(), vec![error]);
    assert_eq!(h.state.agent.pending, None);
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    assert!(h.requests().is_empty());
    // The resumed loop works as before, without logging in.
    h.bayeux(30, Event::StateChanged(ConnectionState::Connecting));
    h.bayeux(31, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()));
    assert!(session_bodies(&h).is_empty());
}

#[test]
fn a_second_log_out_click_stops_nothing_more() {
    let mut h = Harness::connected(config(NO_LOGIN, false, false));
    h.intent(20, Intent::LogOut);
    assert_eq!(stops(&h), vec![true]);
    h.intent(21, Intent::LogOut);
    assert!(stops(&h).is_empty());
    assert!(h.requests().is_empty());
    h.feed(22, Input::NotificationsStopped);
    assert_eq!(session_bodies(&h), vec![end_body()]);
}

#[test]
fn a_followers_log_out_and_log_in_go_through_the_leader() {
    let mut h = follower_with(config(NO_LOGIN, false, true), &logged_in("d1"));
    h.intent(10, Intent::LogOut);
    assert!(stops(&h).is_empty());
    assert!(h.requests().is_empty());
    assert_eq!(h.broadcasts(), vec![relayed_session("me", 1, end_body())]);
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::EndContactCenterSession)
    );

    // The leader relays the device logged out.
    h.tab(
        11,
        TabMessage::Notification {
            from: LEADER.into(),
            channel: "/v2/me/devices".into(),
            data: json!({"messageType": "DeviceStateChangeMessage", "devices": [logged_out("d1")]})
                .to_string(),
        },
    );
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert_eq!(h.state.agent.pending, None);

    h.intent(12, Intent::LogIn);
    assert!(h.requests().is_empty());
    assert!(!h.out.contains(&Effect::ResumeNotifications));
    assert_eq!(
        h.broadcasts(),
        vec![relayed_session(
            "me",
            2,
            json!({"operationName": "StartContactCenterSession", "channels": ["voice"]})
        )]
    );
}

/// A follower's "Log out" is the leader's own logout, in the documented order: the leader's
/// loop unsubscribes and disconnects first, `EndContactCenterSession` goes last (posted at once,
/// it ended the HTTP session under the live loop). Every tab then shows the same thing.
#[test]
fn a_shared_leader_logs_out_for_a_follower_in_the_documented_order() {
    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    h.tab(20, relayed_session("other", 1, end_body()));
    assert_eq!(stops(&h), vec![true], "unsubscribe, then disconnect");
    assert!(h.requests().is_empty(), "EndContactCenterSession goes last");
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::EndContactCenterSession)
    );
    h.feed(21, Input::NotificationsStopped);
    assert_eq!(session_bodies(&h), vec![end_body()]);
    let end = session_post(&h);
    h.reply_ok(22, end.token, json!({"statusCode": 0}));
    assert_eq!(h.state.connection, ConnectionState::Disconnected);
    assert!(h.broadcasts().contains(&TabMessage::Resync {
        from: LEADER.into()
    }));
    assert!(
        !h.broadcasts()
            .iter()
            .any(|m| matches!(m, TabMessage::Failed { .. }))
    );
}

/// The follower that asked is told when the logout fails (the leader's loop resumes).
#[test]
fn a_failed_logout_for_a_follower_is_told_to_it() {
    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    h.tab(20, relayed_session("other", 7, end_body()));
    h.feed(21, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_err(22, end.token, ApiError::Network("refused".into()));
    let failed: Vec<TabMessage> = h
        .broadcasts()
        .into_iter()
        .filter(|m| matches!(m, TabMessage::Failed { .. }))
        .collect();
    match failed.as_slice() {
        [
            TabMessage::Failed {
                to, id, message, ..
            },
        ] => {
            assert_eq!((to.as_str(), *id), ("other", 7));
            assert!(message.starts_with("Log out failed: "), "{message}");
        }
        other => panic!("one Failed for the follower: {other:?}"),
    }
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    // A later logout of the leader's own is not the follower's.
    h.intent(30, Intent::LogOut);
    h.feed(31, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_err(32, end.token, ApiError::Network("refused".into()));
    assert!(
        !h.broadcasts()
            .iter()
            .any(|m| matches!(m, TabMessage::Failed { .. }))
    );
}

/// Another tab led (and logged the agent in): once a tab heard of a leader, it never logs in
/// automatically, not even once elected itself.
#[test]
fn a_follower_never_logs_in_automatically_even_once_elected() {
    let mut h = following(config(auto_login(), false, true), &logged_out("d1"));
    h.tab(4, leader_says(LEADER));
    assert!(h.broadcasts().is_empty());
    h.tab(5, leader_connected());
    assert!(h.broadcasts().is_empty(), "not through the leader");
    h.feed(
        6,
        Input::Leading {
            tab_id: Some("me".into()),
        },
    );
    assert!(h.requests().is_empty());
    h.bayeux(7, Event::StateChanged(ConnectionState::Connecting));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()), "it resyncs");
    assert!(session_bodies(&h).is_empty());
    assert!(
        h.broadcasts()
            .iter()
            .all(|m| !matches!(m, TabMessage::Intent { .. }))
    );
    assert_eq!(h.state.agent.pending, None);
}

/// The first tab of a user with `shareAcrossTabs` follows first, hears of no leader (there is
/// none) and is elected: it logs the agent in, once.
#[test]
fn a_tab_elected_without_ever_hearing_of_a_leader_logs_in_automatically_once() {
    let mut h = following(config(auto_login(), false, true), &logged_out("d1"));
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Hello { from: "me".into() }]
    );
    h.feed(
        6,
        Input::Leading {
            tab_id: Some("me".into()),
        },
    );
    assert!(
        session_bodies(&h).is_empty(),
        "not before the loop connects"
    );
    h.bayeux(7, Event::StateChanged(ConnectionState::Connecting));
    assert!(session_bodies(&h).is_empty(), "not while handshaking");
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(session_bodies(&h), vec![full_start_body()]);
    assert!(
        h.broadcasts()
            .iter()
            .all(|m| !matches!(m, TabMessage::Intent { .. })),
        "sent itself, not relayed: {:#?}",
        h.out
    );
    assert_eq!(
        h.state.agent.pending,
        Some(Operation::StartContactCenterSession)
    );
    let start = session_post(&h);
    let resync = h.requests();
    h.reply_ok(11, start.token, json!({"statusCode": 0}));
    h.bayeux(12, device_message(&logged_in("d1")));
    answer_gets(&mut h, 13, &resync, &logged_in("d1"));
    assert_eq!(h.state.agent.logged_in, Some(true));

    // Once: not again at a re-handshake.
    h.bayeux(
        20,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(25),
        }),
    );
    h.bayeux(30, Event::StateChanged(ConnectionState::Connected));
    assert!(h.paths().contains(&DEVICES.to_string()), "it resyncs");
    assert!(session_bodies(&h).is_empty(), "no second login");
}

// ---------------------------------------------------------------------------------------------
// 5. Logged out by another client
// ---------------------------------------------------------------------------------------------

#[test]
fn a_logout_elsewhere_shows_logged_out_and_does_not_log_in_again() {
    // Auto-login wanted, but the agent was logged in already.
    let mut h = Harness::connected(config(auto_login(), false, false));
    assert_eq!(h.state.agent.logged_in, Some(true));
    h.bayeux(20, Event::ResyncNeeded);
    let devices = h.request(Method::Get, DEVICES);
    h.reply_ok(21, devices.token, devices_reply(&logged_out("d1")));
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert!(h.hosts().contains(&HostEvent::AgentChanged));
    assert!(h.requests().is_empty());
    // Nor at the next connection.
    h.bayeux(
        30,
        Event::StateChanged(ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(35),
        }),
    );
    h.bayeux(40, Event::StateChanged(ConnectionState::Connected));
    assert!(session_bodies(&h).is_empty());
}

#[test]
fn a_logout_notified_by_the_server_is_shown_without_logging_in_again() {
    let mut h = handshaking(config(auto_login(), false, false), &logged_out("d1"));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    let start = session_post(&h);
    h.reply_ok(11, start.token, json!({"statusCode": 0}));
    h.bayeux(12, device_message(&logged_in("d1")));
    assert_eq!(h.state.agent.logged_in, Some(true));
    h.bayeux(20, device_message(&logged_out("d1")));
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert!(h.hosts().contains(&HostEvent::AgentChanged));
    assert!(h.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// 6. Re-authentication
// ---------------------------------------------------------------------------------------------

const PROVIDER: bool = true;
const STATIC: bool = false;

/// A connected leader whose resync snapshots are refused with 401 at `now`; `out`: the step of
/// the first refusal.
fn refused(credentials_provider: bool, now: u64) -> Harness {
    let mut h = Harness::connected(config(NO_LOGIN, credentials_provider, false));
    h.bayeux(now, Event::ResyncNeeded);
    let calls = h.request(Method::Get, CALLS);
    let devices = h.request(Method::Get, DEVICES);
    h.reply_err(now, devices.token, ApiError::Unauthorized);
    let first = h.out.clone();
    h.reply_err(now, calls.token, ApiError::Unauthorized);
    let second = h.out.clone();
    assert!(
        !second.contains(&Effect::Reauthenticate),
        "asked once: {second:#?}"
    );
    assert!(
        second.iter().all(|e| !matches!(e, Effect::Host(_))),
        "nothing new after the first refusal: {second:#?}"
    );
    h.out = first;
    h
}

#[test]
fn a_401_asks_the_provider_once_then_proves_the_credentials_and_retries_the_loop() {
    let mut h = refused(PROVIDER, 20);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    assert!(stops(&h).is_empty());
    assert_ne!(h.state.connection, ConnectionState::SignedOut);
    h.bayeux(21, Event::Unauthorized { status: 401 });
    assert_eq!(count(&h, &Effect::Reauthenticate), 0, "still asking");

    h.feed(22, Input::Reauthenticated(Ok(())));
    assert_eq!(h.paths(), vec![ME.to_string()]);
    let me = h.request(Method::Get, ME);
    h.reply_ok(23, me.token, me_with(&logged_in("d1"), "Anna"));
    assert_eq!(count(&h, &Effect::RetryConnection), 1);
    assert_eq!(starts_notifications(&h), 0);
    assert!(h.requests().is_empty(), "no second start-up: {:#?}", h.out);
    assert!(!h.out.contains(&Effect::ResumeNotifications));
    let user = h.state.agent.user.as_ref().expect("user");
    assert_eq!(user.first_name.as_deref(), Some("Anna"));
    assert_eq!(h.state.connection, ConnectionState::Connected);

    // Trusted again: a later 401 asks the provider again.
    h.bayeux(30, Event::Unauthorized { status: 401 });
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
}

#[test]
fn a_bayeux_401_asks_the_provider_and_a_403_does_not() {
    let mut h = Harness::connected(config(NO_LOGIN, PROVIDER, false));
    h.bayeux(20, Event::Unauthorized { status: 403 });
    assert!(!h.out.contains(&Effect::Reauthenticate));
    assert_eq!(h.state.connection, ConnectionState::Connected);
    h.bayeux(21, Event::Unauthorized { status: 401 });
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.bayeux(22, Event::Unauthorized { status: 401 });
    assert!(!h.out.contains(&Effect::Reauthenticate), "once");
    h.feed(23, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(24, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(count(&h, &Effect::RetryConnection), 1);
    assert_eq!(starts_notifications(&h), 0);
}

#[test]
fn a_403_with_static_credentials_does_not_sign_out() {
    let mut h = Harness::connected(config(NO_LOGIN, STATIC, false));
    h.bayeux(20, Event::Unauthorized { status: 403 });
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert!(stops(&h).is_empty());
}

/// A provider-backed leader that was refused and whose provider then failed at `now`.
fn signed_out_by_provider(now: u64) -> Harness {
    let mut h = refused(PROVIDER, now - 1);
    h.feed(
        now,
        Input::Reauthenticated(Err("the provider threw".into())),
    );
    h
}

#[test]
fn when_the_provider_fails_the_widget_signs_out_and_stops_its_loop() {
    let mut h = signed_out_by_provider(100);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert_eq!(
        connection_events(&h),
        vec![ConnectionState::SignedOut],
        "{:#?}",
        h.out
    );
    let error = h.state.agent.error.clone().expect("an error");
    assert!(error.starts_with("Signed out"), "{error}");
    assert!(error.contains("the provider threw"), "{error}");
    assert_eq!(h.announcements(), vec![error]);
    assert_eq!(stops(&h), vec![false]);
    assert!(h.requests().is_empty());
    assert_eq!(h.core.poll_timeout(), Some(100 + SIGN_IN_RETRY_MS));

    // The stopping loop's own states do not hide it.
    for state in [
        ConnectionState::Disconnected,
        ConnectionState::Reconnecting {
            attempt: 1,
            retry_at: Some(200),
        },
        ConnectionState::Connected,
    ] {
        h.bayeux(101, Event::StateChanged(state));
        assert_eq!(h.state.connection, ConnectionState::SignedOut);
        assert!(connection_events(&h).is_empty());
        assert!(h.requests().is_empty());
    }
    h.feed(102, Input::NotificationsStopped);
    assert!(h.out.is_empty(), "stays stopped: {:#?}", h.out);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
}

#[test]
fn automatic_sign_in_attempts_back_off_then_stop_but_a_click_always_tries() {
    let mut h = signed_out_by_provider(100);
    h.feed(101, Input::NotificationsStopped);
    let mut now = 100;
    for attempt in 0..SIGN_IN_RETRIES {
        let delay = SIGN_IN_RETRY_MS << attempt;
        let due = h.core.poll_timeout().expect("an attempt is scheduled");
        assert_eq!(due, now + delay, "attempt {attempt}");
        h.tick(due - 1);
        assert!(!h.out.contains(&Effect::Reauthenticate), "not yet");
        h.tick(due);
        assert_eq!(count(&h, &Effect::Reauthenticate), 1, "attempt {attempt}");
        assert_eq!(h.core.poll_timeout(), None, "consumed");
        h.feed(due, Input::Reauthenticated(Err("still failing".into())));
        assert_eq!(h.state.connection, ConnectionState::SignedOut);
        assert!(stops(&h).is_empty(), "already stopped");
        now = due;
    }
    assert_eq!(h.core.poll_timeout(), None, "no more automatic attempts");
    h.tick(now + 100 * SIGN_IN_RETRY_MS);
    assert!(!h.out.contains(&Effect::Reauthenticate));

    for click in 0..2 {
        h.intent(now + 1, Intent::SignIn);
        assert_eq!(count(&h, &Effect::Reauthenticate), 1, "click {click}");
        h.feed(now + 2, Input::Reauthenticated(Err("no".into())));
        assert_eq!(h.core.poll_timeout(), None);
    }
}

#[test]
fn the_retry_delays_are_thirty_sixty_and_a_hundred_twenty_seconds() {
    let mut h = signed_out_by_provider(100);
    let mut delays = vec![];
    let mut now = 100;
    while let Some(due) = h.core.poll_timeout() {
        delays.push(due - now);
        h.tick(due);
        h.feed(due, Input::Reauthenticated(Err("no".into())));
        now = due;
    }
    let expected: Vec<u64> = (0..SIGN_IN_RETRIES)
        .map(|i| SIGN_IN_RETRY_MS << i)
        .collect();
    assert_eq!(delays, expected);
}

/// A provider that now answers for another user (someone else signed in to the CRM on this
/// workstation) signs the widget out in its own language, and nothing retries by itself: the
/// provider would name the same other user again. A click still asks (the first user may be
/// back).
#[test]
fn a_provider_answering_for_another_user_signs_out_without_automatic_attempts() {
    let mut h = Harness::connected(CoreConfig {
        catalog: gws_client::Catalog::new(gws_client::Lang::Fr),
        ..config(NO_LOGIN, PROVIDER, false)
    });
    h.bayeux(20, Event::Unauthorized { status: 401 });
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.feed(21, Input::Reauthenticated(Err(ReauthFailure::OtherUser)));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    let error = h.state.agent.error.clone().expect("an error");
    assert_eq!(
        error,
        "Session fermée : la page identifie maintenant un autre utilisateur : rechargez-la pour continuer avec lui"
    );
    assert_eq!(h.announcements(), vec![error]);
    assert_eq!(stops(&h), vec![false]);
    assert!(h.requests().is_empty(), "{:#?}", h.out);
    assert_eq!(h.core.poll_timeout(), None, "no automatic attempt");
    h.feed(22, Input::NotificationsStopped);
    h.tick(22 + 100 * SIGN_IN_RETRY_MS);
    assert!(!h.out.contains(&Effect::Reauthenticate));

    h.intent(30, Intent::SignIn);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1, "a click asks again");
    h.feed(31, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(32, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    assert_eq!(h.state.agent.error, None);
}

#[test]
fn signing_in_again_after_the_loop_stopped_resumes_it_and_trusts_the_credentials() {
    let mut h = signed_out_by_provider(100);
    h.feed(101, Input::NotificationsStopped);
    h.intent(200, Intent::SignIn);
    assert_eq!(h.out, vec![Effect::Reauthenticate]);
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "the automatic attempt is replaced"
    );
    h.feed(201, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(202, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    assert!(!h.out.contains(&Effect::RetryConnection));
    assert_eq!(starts_notifications(&h), 0);
    assert!(h.requests().is_empty());
    assert_eq!(h.core.poll_timeout(), None);

    // The resumed loop's states show again.
    h.bayeux(203, Event::StateChanged(ConnectionState::Connecting));
    assert_eq!(h.state.connection, ConnectionState::Connecting);
    h.bayeux(204, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert!(h.paths().contains(&CALLS.to_string()), "resync");

    // Trusted again: a 401 asks the provider, it does not sign out.
    h.bayeux(300, Event::Unauthorized { status: 401 });
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert!(stops(&h).is_empty());
}

#[test]
fn signing_in_again_before_the_loop_has_stopped_still_resumes_it() {
    let mut h = signed_out_by_provider(100);
    assert_eq!(stops(&h), vec![false]);
    h.intent(101, Intent::SignIn);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.feed(102, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(103, me.token, me_with(&logged_in("d1"), "Ann"));
    // The loop has not reported that it stopped yet.
    h.feed(104, Input::NotificationsStopped);
    assert_eq!(
        count(&h, &Effect::ResumeNotifications),
        1,
        "the loop must run again: {:#?}",
        h.out
    );
}

#[test]
fn static_credentials_sign_out_at_the_first_401_and_retry_with_the_same_ones() {
    let mut h = refused(STATIC, 20);
    assert!(!h.out.contains(&Effect::Reauthenticate));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert_eq!(connection_events(&h), vec![ConnectionState::SignedOut]);
    assert!(
        h.state
            .agent
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("Signed out"))
    );
    assert_eq!(stops(&h), vec![false]);
    assert_eq!(h.core.poll_timeout(), Some(20 + SIGN_IN_RETRY_MS));
    h.feed(21, Input::NotificationsStopped);

    // The automatic attempt keeps the same credentials: the driver answers at once.
    let due = 20 + SIGN_IN_RETRY_MS;
    h.tick(due);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.feed(due, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_err(due + 1, me.token, ApiError::Unauthorized);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert!(!h.out.contains(&Effect::Reauthenticate));
    assert!(stops(&h).is_empty(), "already stopped");
    assert_eq!(h.core.poll_timeout(), Some(due + 1 + 2 * SIGN_IN_RETRY_MS));

    // A click tries again too.
    h.intent(due + 2, Intent::SignIn);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.feed(due + 3, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(due + 4, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    assert_eq!(h.core.poll_timeout(), None);
}

#[test]
fn a_401_on_the_first_sign_in_with_a_provider_asks_again_then_starts_up_once() {
    let mut h = Harness::new(config(NO_LOGIN, PROVIDER, false));
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(1, me.token, ApiError::Unauthorized);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    assert!(h.requests().is_empty());
    assert_eq!(h.state.connection, ConnectionState::Connecting);
    assert!(connection_events(&h).is_empty(), "not Reconnecting");
    assert_eq!(h.core.poll_timeout(), None, "no /me retry");

    h.feed(2, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(3, me.token, me_with(&logged_in("d1"), "Ann"));
    let mut paths = h.paths();
    paths.sort();
    let mut expected = vec![AGENT_STATES, CALLS, DEVICES];
    expected.sort();
    assert_eq!(paths, expected);
    assert_eq!(starts_notifications(&h), 1);
    assert!(h.state.agent.user.is_some());

    let startup = h.requests();
    h.feed(4, Input::Leading { tab_id: None });
    assert!(stops(&h).is_empty());
    answer_gets(&mut h, 5, &startup, &logged_in("d1"));
    h.bayeux(6, Event::StateChanged(ConnectionState::Connecting));
    h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(h.state.connection, ConnectionState::Connected);
    assert_eq!(starts_notifications(&h), 0);
    assert!(!h.paths().contains(&AGENT_STATES.to_string()));
}

#[test]
fn a_401_on_the_first_sign_in_with_static_credentials_signs_out_without_the_me_retry_loop() {
    let mut h = Harness::new(config(NO_LOGIN, STATIC, false));
    h.feed(0, Input::SignIn);
    let me = h.request(Method::Get, ME);
    h.reply_err(1, me.token, ApiError::Unauthorized);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert_eq!(connection_events(&h), vec![ConnectionState::SignedOut]);
    assert!(!h.out.contains(&Effect::Reauthenticate));
    assert!(stops(&h).is_empty(), "no loop to stop");
    assert_eq!(h.core.poll_timeout(), Some(1 + SIGN_IN_RETRY_MS));
    h.tick(1_001);
    assert!(h.requests().is_empty(), "the /me retry loop is not running");
    assert_eq!(h.state.connection, ConnectionState::SignedOut);

    h.tick(1 + SIGN_IN_RETRY_MS);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    let now = 1 + SIGN_IN_RETRY_MS;
    h.feed(now, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(now + 1, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(starts_notifications(&h), 1);
    assert_eq!(h.requests().len(), 3);
    h.feed(now + 2, Input::Leading { tab_id: None });
    assert!(stops(&h).is_empty(), "trusted again: the loop runs");
}

// ---------------------------------------------------------------------------------------------
// 7. Elected while signed out
// ---------------------------------------------------------------------------------------------

#[test]
fn a_tab_signed_out_while_following_stops_the_loop_as_soon_as_it_is_elected() {
    let mut h = follower_with(config(NO_LOGIN, STATIC, true), &logged_in("d1"));
    h.tab(10, leader_resync());
    let calls = h.request(Method::Get, CALLS);
    h.reply_err(11, calls.token, ApiError::Unauthorized);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert!(stops(&h).is_empty(), "a follower runs no loop");

    h.feed(
        12,
        Input::Leading {
            tab_id: Some("me".into()),
        },
    );
    assert_eq!(stops(&h), vec![false]);
    h.bayeux(13, Event::StateChanged(ConnectionState::Connecting));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    h.feed(14, Input::NotificationsStopped);
    assert!(h.out.is_empty(), "{:#?}", h.out);
}

#[test]
fn a_provider_tab_signed_out_before_its_election_stops_the_loop_once_elected() {
    let mut h = follower_with(config(NO_LOGIN, PROVIDER, true), &logged_in("d1"));
    h.tab(10, leader_resync());
    let calls = h.request(Method::Get, CALLS);
    h.reply_err(11, calls.token, ApiError::Unauthorized);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    h.feed(12, Input::Reauthenticated(Err("gone".into())));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert!(stops(&h).is_empty());
    h.feed(
        13,
        Input::Leading {
            tab_id: Some("me".into()),
        },
    );
    assert_eq!(stops(&h), vec![false]);
}

/// The leader tab logged the agent out (its loop stopped); a follower tab then logs them in
/// through it. The relayed login used to be posted alone: no tab ran a loop any more, so neither
/// the login nor any later call was heard.
#[test]
fn a_login_relayed_after_the_leader_logged_out_resumes_its_loop() {
    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    log_out(&mut h, 20);
    h.out.clear();
    let login = OperationRequest::new(Operation::StartContactCenterSession);
    h.tab(
        30,
        TabMessage::Intent {
            from: "f1".into(),
            id: 1,
            target: RelayTarget::Me,
            request: Box::new(login),
        },
    );
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1, "{:?}", h.out);
    assert_eq!(
        session_bodies(&h).len(),
        1,
        "the login is sent for the follower"
    );
    // Any other relayed operation leaves the stopped loop alone.
    log_out(&mut h, 40);
    h.out.clear();
    h.tab(
        50,
        TabMessage::Intent {
            from: "f1".into(),
            id: 2,
            target: RelayTarget::Me,
            request: Box::new(OperationRequest::new(Operation::EndContactCenterSession)),
        },
    );
    assert_eq!(count(&h, &Effect::ResumeNotifications), 0, "{:?}", h.out);
}

/// Signing in again clears exactly the message the sign-out showed, not a later error: a host
/// wording that begins with the reason (`"{reason} — sign in again"`) made every agent-bar error
/// look like the sign-out's when it was recognised by the template's text before `{reason}`.
#[test]
fn signing_in_again_clears_the_sign_out_message_only() {
    let (catalog, unknown) = gws_client::Catalog::default().with_overrides([(
        "error.signedOut".to_string(),
        "{reason} — sign in again".to_string(),
    )]);
    assert!(unknown.is_empty());
    let mut h = Harness::connected(CoreConfig {
        catalog,
        ..config(NO_LOGIN, STATIC, false)
    });
    h.bayeux(20, Event::ResyncNeeded);
    let devices = h.request(Method::Get, DEVICES);
    h.reply_err(20, devices.token, ApiError::Unauthorized);
    let shown = h.state.agent.error.clone().expect("signed out");
    assert_eq!(shown, "the server refused the credentials — sign in again");
    h.feed(21, Input::NotificationsStopped);
    h.intent(30, Intent::SignIn);
    h.feed(30, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(31, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(
        h.state.agent.error, None,
        "the sign-out's message is cleared"
    );

    // Signed out again; meanwhile another error takes the agent bar.
    h.bayeux(40, Event::ResyncNeeded);
    let devices = h.request(Method::Get, DEVICES);
    h.reply_err(40, devices.token, ApiError::Unauthorized);
    h.feed(41, Input::NotificationsStopped);
    h.bayeux(
        42,
        message("/v2/me/devices", error_data(None, "Ready", "Place busy")),
    );
    let later = h.state.agent.error.clone().expect("the later error");
    assert!(later.contains("Place busy"), "{later}");
    h.intent(50, Intent::SignIn);
    h.feed(50, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(51, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(
        h.state.agent.error,
        Some(later),
        "not the sign-out's to clear"
    );
}

/// The logout's own reply ends it: the device re-read that follows may fail, or no longer list
/// the device (GWS unassigns it at logout) — "Logging out…" must not stay on screen, and
/// "Log in" must work again.
#[test]
fn a_logout_ends_even_if_the_device_re_read_fails() {
    let mut h = Harness::connected(config(NO_LOGIN, false, false));
    h.intent(20, Intent::LogOut);
    h.feed(21, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_ok(22, end.token, json!({"statusCode": 0}));
    assert_eq!(h.state.agent.pending, None);
    assert_eq!(h.state.agent.logged_in, Some(false));
    assert!(h.hosts().contains(&HostEvent::AgentChanged));
    let devices = h.request(Method::Get, DEVICES);
    h.reply_err(23, devices.token, ApiError::Http(502));
    assert_eq!(h.state.agent.logged_in, Some(false));

    h.intent(30, Intent::LogIn);
    assert_eq!(count(&h, &Effect::ResumeNotifications), 1);
    h.bayeux(31, Event::StateChanged(ConnectionState::Connecting));
    h.bayeux(32, Event::StateChanged(ConnectionState::Connected));
    assert_eq!(
        session_bodies(&h)
            .iter()
            .filter(|b| b["operationName"] == "StartContactCenterSession")
            .count(),
        1,
        "logs in again"
    );
}

/// A follower whose own request was refused (its credentials, not the leader's) signs in again
/// itself — asking the leader, whose session is fine, left it signed out for good — and then
/// shows the leader's state again.
#[test]
fn a_follower_signed_out_by_its_own_request_signs_in_again_itself() {
    let mut h = follower_with(config(NO_LOGIN, STATIC, true), &logged_in("d1"));
    h.tab(10_000, leader_resync());
    let calls = h.request(Method::Get, CALLS);
    h.reply_err(10_001, calls.token, ApiError::Unauthorized);
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    h.tab(10_002, leader_connected());
    assert_eq!(h.state.connection, ConnectionState::SignedOut, "its own");

    h.intent(10_003, Intent::SignIn);
    assert_eq!(count(&h, &Effect::Reauthenticate), 1);
    assert!(h.broadcasts().is_empty(), "not the leader's to fix");
    h.feed(10_004, Input::Reauthenticated(Ok(())));
    let me = h.request(Method::Get, ME);
    h.reply_ok(10_005, me.token, me_with(&logged_in("d1"), "Ann"));
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Hello { from: "me".into() }]
    );
    assert!(
        !h.out.contains(&Effect::RetryConnection),
        "a follower runs no loop"
    );
    h.tab(10_006, leader_connected());
    assert_eq!(h.state.connection, ConnectionState::Connected);
}

/// A follower's Log out while the leader waits for another agent operation: the follower is
/// told it did not go out (it used to time out in silence 15 s later), and the leader's own
/// wish to log in is untouched. While the leader's own logout is under way, the follower's
/// joins it and hears if it fails.
#[test]
fn a_followers_logout_the_leader_cannot_send_now_is_answered() {
    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    h.intent(
        10,
        Intent::AgentState(Box::new(OperationRequest::new(Operation::Ready))),
    );
    h.tab(11, relayed_session("other", 3, end_body()));
    match h.broadcasts().as_slice() {
        [
            TabMessage::Failed {
                to, id, message, ..
            },
        ] => {
            assert_eq!((to.as_str(), *id), ("other", 3));
            assert_eq!(
                message,
                "Log out failed: another operation is still waiting for the server"
            );
        }
        other => panic!("one Failed: {other:?}"),
    }
    assert!(stops(&h).is_empty());

    let mut h = Harness::connected(config(NO_LOGIN, false, true));
    h.intent(20, Intent::LogOut);
    h.tab(21, relayed_session("other", 4, end_body()));
    assert!(h.broadcasts().is_empty());
    h.feed(22, Input::NotificationsStopped);
    let end = session_post(&h);
    h.reply_err(23, end.token, ApiError::Network("refused".into()));
    assert!(h.broadcasts().iter().any(|m| matches!(
        m,
        TabMessage::Failed { to, id: 4, .. } if to == "other"
    )));
}
