//! The tab relay's trust rules (`widget_core::tabs`): followers apply only what the leader they
//! know sends, the leader sends only typed operations valid for their target to paths it builds,
//! and followers' re-reads are rate-limited. Any script of the origin can post on the channel,
//! so every message here is one such a script could forge.

mod support;

use gws_client::widget_core::PENDING_TIMEOUT_MS;
use gws_client::widget_core::tabs::{LEADER_PROBE_MS, RESYNC_INTERVAL_MS};
use gws_client::{ConnectionState, Input, Intent, Method, RelayTarget, Severity, TabMessage};
use gws_protocol::api::OperationRequest;
use gws_protocol::{CallState, Operation};
use serde_json::json;
use support::*;

/// Signed in, following `LEADER` as `me`, told "connected", with call `C1` established.
fn follower() -> Harness {
    let mut h = Harness::following(SHARED, "me");
    h.tab(5, ringing(LEADER, "C1", "Established"));
    h.out.clear();
    h
}

fn leader_says(from: &str) -> TabMessage {
    TabMessage::Leader { from: from.into() }
}

fn connection(from: &str, state: &str) -> TabMessage {
    TabMessage::Connection {
        from: from.into(),
        state: state.into(),
        attempt: 0,
        retry_in_ms: None,
    }
}

/// A call notification with screen-pop user data.
fn ringing(from: &str, id: &str, state: &str) -> TabMessage {
    let mut data = call_data(id, state);
    data["call"]["userData"] = json!({"CustomerName": "Forged"});
    TabMessage::Notification {
        from: from.into(),
        channel: "/v2/me/calls".into(),
        data: data.to_string(),
    }
}

fn resync(from: &str) -> TabMessage {
    TabMessage::Resync { from: from.into() }
}

fn intent(from: &str, id: u64, target: RelayTarget, request: OperationRequest) -> TabMessage {
    TabMessage::Intent {
        from: from.into(),
        id,
        target,
        request: Box::new(request),
    }
}

fn call(id: &str) -> RelayTarget {
    RelayTarget::Call { id: id.into() }
}

fn op(operation: Operation) -> OperationRequest {
    OperationRequest::new(operation)
}

#[test]
fn a_follower_ignores_leader_messages_from_any_other_tab_id() {
    let mut h = follower();
    h.intent(50, hold("C1"));
    h.out.clear();
    let before = h.state.clone();
    for message in [
        ringing("evil", "X", "Ringing"),
        ringing("", "X", "Ringing"),
        ringing("me", "X", "Ringing"),
        connection("evil", "offline"),
        resync("evil"),
        TabMessage::Failed {
            from: "evil".into(),
            to: "me".into(),
            id: 1,
            message: "Hold failed: forged".into(),
        },
    ] {
        let label = format!("{message:?}");
        h.tab(100, message);
        assert!(h.out.is_empty(), "{label}: {:?}", h.out);
        assert_eq!(h.state, before, "{label}");
    }
    assert_eq!(h.call_state("X"), None, "no forged card");
    assert_eq!(
        h.call_pending("C1"),
        Some(Operation::Hold),
        "no forged failure"
    );

    // The same messages from the leader are applied.
    h.tab(200, ringing(LEADER, "X", "Ringing"));
    assert_eq!(h.call_state("X"), Some(CallState::Ringing));
}

/// Signing in and following as `me`, before any leader said so.
fn follower_without_leader() -> Harness {
    let mut h = Harness::new(SHARED);
    h.feed(0, Input::SignIn);
    h.feed(
        1,
        Input::Following {
            tab_id: "me".into(),
        },
    );
    h.out.clear();
    h
}

#[test]
fn a_follower_knowing_no_leader_yet_applies_nothing() {
    let mut h = follower_without_leader();
    h.tab(10, ringing(LEADER, "X", "Ringing"));
    h.tab(11, resync(LEADER));
    assert!(h.out.is_empty(), "{:?}", h.out);
    assert_eq!(h.call_state("X"), None);
    h.tab(12, leader_says(LEADER));
    h.tab(13, ringing(LEADER, "X", "Ringing"));
    assert_eq!(h.call_state("X"), Some(CallState::Ringing));
}

/// A claim in the follower's own name is forged (a tab never hears its own messages): neither
/// followed while no leader is known, nor probed while one is.
#[test]
fn a_follower_ignores_a_leader_claim_in_its_own_name() {
    let mut h = follower_without_leader();
    h.tab(10, leader_says("me"));
    h.tab(11, ringing("me", "X", "Ringing"));
    assert_eq!(h.call_state("X"), None, "not following itself");
    h.tab(12, leader_says(LEADER));
    h.tab(13, ringing(LEADER, "X", "Ringing"));
    assert_eq!(h.call_state("X"), Some(CallState::Ringing));

    let mut h = follower();
    h.tab(100, leader_says("me"));
    assert!(h.out.is_empty(), "no probe: {:?}", h.out);
    assert_eq!(h.core.poll_timeout(), None);
}

#[test]
fn a_leader_claim_is_followed_only_if_the_known_leader_does_not_answer() {
    let mut h = follower();
    // A claim while the leader runs: probed, and refuted by the leader's answer.
    h.tab(100, leader_says("evil"));
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Hello { from: "me".into() }]
    );
    assert_eq!(h.core.poll_timeout(), Some(100 + LEADER_PROBE_MS));
    h.tab(110, ringing("evil", "X", "Ringing"));
    assert_eq!(h.call_state("X"), None, "not followed while probing");
    h.tab(150, leader_says(LEADER));
    assert_eq!(h.logs(Severity::Warning).len(), 1);
    assert_eq!(h.core.poll_timeout(), None);
    h.tick(100 + LEADER_PROBE_MS);
    assert!(h.out.is_empty());
    h.tab(3_000, ringing("evil", "X", "Ringing"));
    assert_eq!(h.call_state("X"), None);

    // The leader is gone (its lock went to another tab): the claimant is followed after the
    // probe, asked for its state, and state is re-read (its messages were ignored meanwhile).
    h.tab(10_000, leader_says("l2"));
    h.tab(10_010, connection("l2", "connected"));
    assert!(h.out.is_empty());
    h.tick(10_000 + LEADER_PROBE_MS);
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Hello { from: "me".into() }]
    );
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
    h.tab(12_100, ringing("l2", "X", "Ringing"));
    assert_eq!(h.call_state("X"), Some(CallState::Ringing));
    h.tab(12_200, ringing(LEADER, "Y", "Ringing"));
    assert_eq!(
        h.call_state("Y"),
        None,
        "the old leader is not followed any more"
    );
}

#[test]
fn the_leader_refuses_unknown_operations_and_operations_not_valid_for_their_target() {
    let mut h = Harness::connected(SHARED);
    let refused = [
        (call("C1"), op(Operation::Unknown("FlyToTheMoon".into()))),
        (call("C1"), op(Operation::StartContactCenterSession)),
        (call("C1"), op(Operation::Dial)),
        (call("C1"), op(Operation::DoNotDisturbOn)),
        (RelayTarget::Me, op(Operation::Hangup)),
        (RelayTarget::Me, op(Operation::Unknown("".into()))),
        (RelayTarget::AgentChannel, op(Operation::DoNotDisturbOn)),
        (RelayTarget::DeviceCalls, op(Operation::Hangup)),
        (RelayTarget::Device, op(Operation::Ready)),
        (RelayTarget::Device, op(Operation::Dial)),
    ];
    for (n, (target, request)) in refused.into_iter().enumerate() {
        let label = format!("{target:?} {:?}", request.operation_name);
        let id = n as u64 + 1;
        h.tab(100, intent("f1", id, target, request));
        assert!(h.requests().is_empty(), "{label}: {:?}", h.out);
        assert_eq!(
            h.broadcasts(),
            vec![TabMessage::Failed {
                from: LEADER.into(),
                to: "f1".into(),
                id,
                message: "The operation was refused: not allowed from another tab".into(),
            }],
            "{label}"
        );
        let warnings = h.logs(Severity::Warning);
        assert_eq!(warnings.len(), 1, "{label}");
        assert!(
            !warnings[0].contains("C1") && !warnings[0].contains("FlyToTheMoon"),
            "no peer values in the log: {warnings:?}"
        );
    }
}

/// Found by `fuzz_tabs.rs`: a relayed operation valid for a call target was posted whatever the
/// leader's own state — on a call it does not show (another user's id, a stale one) or one
/// whose capabilities do not list it — where a click in the leader would send nothing.
#[test]
fn the_leader_relays_a_call_operation_only_on_a_call_it_shows_that_allows_it() {
    let mut h = Harness::connected(SHARED);
    let mut data = call_data("C1", "Established");
    data["call"]["capabilities"] = json!(["Hangup", "Hold", "SendDtmf"]);
    h.bayeux(20, message("/v2/me/calls", data));
    h.out.clear();
    let before = h.state.clone();
    for (n, (id, operation)) in [
        ("C1", Operation::SingleStepTransfer),
        ("C1", Operation::Retrieve),
        ("other-users-call", Operation::Hangup),
        ("C2", Operation::Hold),
    ]
    .into_iter()
    .enumerate()
    {
        let label = format!("{id} {operation:?}");
        let n = n as u64 + 1;
        h.tab(100, intent("f1", n, call(id), op(operation)));
        assert!(h.requests().is_empty(), "{label}: {:?}", h.out);
        assert!(h.hosts().is_empty(), "{label}");
        assert!(
            matches!(h.broadcasts().as_slice(), [TabMessage::Failed { to, id, .. }]
                if to == "f1" && *id == n),
            "{label}: the follower is told: {:?}",
            h.out
        );
        assert_eq!(h.logs(Severity::Warning).len(), 1, "{label}");
        assert_eq!(h.state, before, "{label}");
    }
    // What the call allows is sent.
    h.tab(200, intent("f1", 9, call("C1"), op(Operation::Hold)));
    h.request(Method::Post, "/api/v2/me/calls/C1");
}

#[test]
fn the_leader_ignores_intents_from_no_valid_tab_id() {
    let mut h = Harness::connected(SHARED);
    let long = "a".repeat(33);
    for from in ["", "a b", "../x", "f1\n", long.as_str(), "é"] {
        h.tab(100, intent(from, 1, call("C1"), op(Operation::Hold)));
        assert!(h.requests().is_empty(), "{from:?}");
        assert!(h.broadcasts().is_empty(), "{from:?}");
    }
    h.tab(100, TabMessage::Hello { from: "a/b".into() });
    assert!(h.out.is_empty());
}

#[test]
fn a_relayed_operation_is_posted_to_the_path_the_leader_builds() {
    let mut h = Harness::connected(SHARED);
    // The calls it acts on are the leader's (`support::call` lists Answer and Hold).
    h.notify_call(50, "../../x?y#z", "Established");
    h.notify_call(51, "C1", "Ringing");
    let cases = [
        (
            call("../../x?y#z"),
            op(Operation::Hold),
            "/api/v2/me/calls/..%2F..%2Fx%3Fy%23z",
        ),
        (call("C1"), op(Operation::Answer), "/api/v2/me/calls/C1"),
        (
            RelayTarget::Device,
            op(Operation::DoNotDisturbOn),
            "/api/v2/me/devices/d1",
        ),
        (
            RelayTarget::DeviceCalls,
            op(Operation::Dial).with_destination("5001"),
            "/api/v2/me/devices/d1/calls",
        ),
        (
            RelayTarget::AgentChannel,
            op(Operation::Ready),
            "/api/v2/me/channels/voice",
        ),
        (
            RelayTarget::AgentChannel,
            op(Operation::AuxWork),
            "/api/v2/me/channels/voice",
        ),
        (
            RelayTarget::Me,
            op(Operation::StartContactCenterSession),
            "/api/v2/me",
        ),
    ];
    for (n, (target, request, path)) in cases.into_iter().enumerate() {
        let body = serde_json::to_value(&request).expect("serialises");
        h.tab(100, intent("f1", n as u64, target, request));
        let post = h.request(Method::Post, path);
        let sent: serde_json::Value =
            serde_json::from_str(post.body.as_deref().expect("body")).expect("JSON");
        assert_eq!(sent, body);
    }
    // A dot segment would resolve to another path: refused, and the follower told.
    for id in ["..", ".", ""] {
        h.tab(200, intent("f1", 9, call(id), op(Operation::Hangup)));
        assert!(h.requests().is_empty(), "{id:?}");
        assert!(
            matches!(
                h.broadcasts().as_slice(),
                [TabMessage::Failed { id: 9, .. }]
            ),
            "{id:?}: {:?}",
            h.out
        );
    }
}

#[test]
fn a_path_style_intent_is_not_a_tab_message() {
    for forged in [
        json!({"intent": {"from": "f1", "id": 1, "path": ".evil.example/x",
               "request": {"operationName": "Hold"}}}),
        json!({"intent": {"from": "f1", "id": 1, "target": {"url": {"url": "//evil.example"}},
               "request": {"operationName": "Hold"}}}),
        json!({"notification": {"channel": "/v2/me/calls", "data": "{}"}}),
        json!({"resync": {}}),
        // The internally tagged form of earlier versions is not a message either.
        json!({"t": "leader", "from": "l"}),
    ] {
        assert!(
            serde_json::from_value::<TabMessage>(forged.clone()).is_err(),
            "{forged}"
        );
    }
}

#[test]
fn a_follower_sends_the_typed_request_the_leader_would_build_the_path_from() {
    let mut h = follower();
    h.intent(100, Intent::dial("5001"));
    assert!(h.requests().is_empty());
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::Intent {
            from: "me".into(),
            id: 1,
            target: RelayTarget::DeviceCalls,
            request: Box::new(op(Operation::Dial).with_destination("5001")),
        }]
    );
    // …and a leader turns exactly that message into its POST.
    let mut leader = Harness::connected(SHARED);
    leader.tab(200, h.broadcasts().remove(0));
    leader.request(Method::Post, "/api/v2/me/devices/d1/calls");
}

/// The leader reports failures only: a relayed single-step conference that none came for is
/// settled at the timeout, without the "no confirmation" error a Hold would get.
#[test]
fn a_followers_single_step_conference_is_settled_when_no_failure_came() {
    let mut h = follower();
    let conference = op(Operation::SingleStepConference).with_destination("5002");
    h.intent(100, Intent::call("C1", conference));
    assert_eq!(h.broadcasts().len(), 1, "relayed to the leader");
    assert_eq!(h.call_pending("C1"), Some(Operation::SingleStepConference));
    h.tick(100 + PENDING_TIMEOUT_MS);
    assert_eq!(h.call_pending("C1"), None);
    assert_eq!(h.call_error("C1"), None);
}

#[test]
fn a_follower_rereads_state_at_most_once_per_interval() {
    let mut h = follower();
    h.tab(1_000, resync(LEADER));
    assert_eq!(h.paths(), vec![CALLS.to_string(), DEVICES.into()]);
    h.tab(2_000, resync(LEADER));
    assert!(h.out.is_empty(), "within the window: coalesced");
    h.tab(3_000, resync(LEADER));
    assert!(h.out.is_empty());
    assert_eq!(h.core.poll_timeout(), Some(1_000 + RESYNC_INTERVAL_MS));
    h.tick(1_000 + RESYNC_INTERVAL_MS - 1);
    assert!(h.out.is_empty());
    h.tick(1_000 + RESYNC_INTERVAL_MS);
    assert_eq!(
        h.paths(),
        vec![CALLS.to_string(), DEVICES.into()],
        "one read at the window's end for both"
    );
    assert_eq!(h.core.poll_timeout(), None);
    h.tick(7_000);
    assert!(h.out.is_empty());
    h.tab(8_000, resync(LEADER));
    assert!(h.out.is_empty(), "the coalesced read opened a new window");
    assert_eq!(h.core.poll_timeout(), Some(11_000));
    h.tab(11_000, resync(LEADER));
    assert_eq!(
        h.paths(),
        vec![CALLS.to_string(), DEVICES.into()],
        "a request at the window's end is read at once…"
    );
    assert_eq!(
        h.core.poll_timeout(),
        None,
        "…and stands for the coalesced one"
    );
    h.tick(11_000);
    assert!(h.out.is_empty());
}

#[test]
fn a_leader_that_signs_out_tells_its_followers_and_signs_in_again_when_one_asks() {
    use gws_client::bayeux::{ConnectionState, Event};
    let mut h = Harness::connected(SHARED);
    h.bayeux(20, Event::Unauthorized { status: 401 });
    h.feed(21, Input::Reauthenticated(Err("refused".into())));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    assert!(
        h.broadcasts().contains(&connection(LEADER, "signed-out")),
        "{:?}",
        h.broadcasts()
    );
    h.out.clear();
    // Only from a tab id; then "Sign in" as if clicked here.
    h.tab(30, TabMessage::SignIn { from: "a/b".into() });
    assert!(h.out.is_empty(), "{:?}", h.out);
    h.tab(31, TabMessage::SignIn { from: "f1".into() });
    assert!(
        h.out.contains(&gws_client::Effect::Reauthenticate),
        "{:?}",
        h.out
    );
}

#[test]
fn a_follower_shows_the_leaders_sign_out_and_sends_its_sign_in_to_the_leader() {
    use gws_client::bayeux::ConnectionState;
    let mut h = follower();
    h.tab(10, connection(LEADER, "signed-out"));
    assert_eq!(h.state.connection, ConnectionState::SignedOut);
    h.feed(11, Input::Intent(Intent::SignIn));
    assert_eq!(
        h.broadcasts(),
        vec![TabMessage::SignIn { from: "me".into() }]
    );
    assert!(!h.out.contains(&gws_client::Effect::Reauthenticate));
    h.tab(12, connection(LEADER, "connected"));
    assert_eq!(h.state.connection, ConnectionState::Connected);
}

/// The leader's session ended by the server shows in a follower as it does in the leader, with
/// "Retry now" going to the leader.
#[test]
fn a_follower_shows_a_session_the_server_ended() {
    let mut f = follower();
    f.tab(10, connection(LEADER, "ended"));
    assert_eq!(f.state.connection, ConnectionState::EndedByServer);
    f.feed(11, Input::Intent(Intent::RetryConnection));
    assert_eq!(
        f.broadcasts(),
        vec![TabMessage::RetryNow { from: "me".into() }]
    );
}

/// A follower runs no loop: its "Retry now" (shown while the leader reconnects) goes to the
/// leader, which retries its own; only from a tab id.
#[test]
fn a_followers_retry_now_is_the_leaders() {
    let mut f = follower();
    f.tab(10, connection(LEADER, "reconnecting"));
    f.feed(11, Input::Intent(Intent::RetryConnection));
    assert_eq!(
        f.broadcasts(),
        vec![TabMessage::RetryNow { from: "me".into() }]
    );
    assert!(!f.out.contains(&gws_client::Effect::RetryConnection));

    let mut h = Harness::connected(SHARED);
    h.tab(20, TabMessage::RetryNow { from: "a b".into() });
    assert!(h.out.is_empty(), "{:?}", h.out);
    h.tab(21, TabMessage::RetryNow { from: "f1".into() });
    assert_eq!(h.out, vec![gws_client::Effect::RetryConnection]);
}
