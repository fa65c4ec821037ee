//! The notification loop under faults, in headless Chromium against gws-sim's `/sim/faults`:
//! expired sessions, an outage with every session lost, and a call released while the widget
//! could not hear about it. The widget must end up showing the truth, with no duplicate cards.
//!
//! A separate test binary from the scenarios: these tests wait out backoffs, and each binary
//! gets its own runner timeout.

#![cfg(target_arch = "wasm32")]

mod support;

use gloo_timers::future::TimeoutFuture;
use gws_widget::WidgetConfig;
use serde_json::json;
use support::sim_control;
use support::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn agent1_on_a_call() -> (HtmlElement, impl Sized, String) {
    sim_control::reset(SIM).await.expect("simulator reachable");
    sim_control::post(SIM, "/sim/faults", &json!({"clear": true}))
        .await
        .expect("faults cleared");
    let (root, handle) =
        mount_widget(WidgetConfig::new(SIM, "agent1", "agent1").with_shortcuts(false));
    wait_connected(&root).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    click_action(&root, &id, "Answer").await;
    wait_card_state(&root, &id, "Established").await;
    (root, handle, id)
}

fn badge_state(root: &Element) -> String {
    find(root, "[data-testid=\"connection\"]")
        .and_then(|b| b.get_attribute("data-state"))
        .unwrap_or_default()
}

/// Every /api/v2 request fails (as if the server were down) and every CometD session is lost;
/// calls are kept. `end_outage` brings the server back.
async fn begin_outage() {
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"restartCometd": true, "failNext": 100000, "failStatus": 503}),
    )
    .await
    .expect("outage armed");
}

async fn end_outage() {
    sim_control::post(SIM, "/sim/faults", &json!({"clear": true}))
        .await
        .expect("outage over");
}

#[wasm_bindgen_test]
async fn expired_sessions_are_rehandshaken_and_the_next_notification_still_updates_the_card() {
    let (root, _widget, id) = agent1_on_a_call().await;
    sim_control::post(SIM, "/sim/faults", &json!({"expireSessions": true}))
        .await
        .expect("sessions expired");
    // The held connect learns of it (402) and the loop re-handshakes; then an operation's
    // notification must reach the card through the new session.
    wait_connected(&root).await;
    TimeoutFuture::new(300).await;
    click_action(&root, &id, "Hold").await;
    wait_card_state(&root, &id, "Held").await;
    click_action(&root, &id, "Retrieve").await;
    wait_card_state(&root, &id, "Established").await;
    assert_eq!(cards(&root).len(), 1, "no duplicate card");
}

#[wasm_bindgen_test]
async fn after_a_ten_second_outage_the_cards_are_right_again() {
    let (root, _widget, id) = agent1_on_a_call().await;
    begin_outage().await;
    wait_for("the badge to show the outage", 30_000, || {
        matches!(badge_state(&root).as_str(), "reconnecting" | "offline").then_some(())
    })
    .await;
    assert!(
        find(&root, "[data-action=\"Hold\"]").is_some_and(|b| !is_enabled(&b)),
        "controls are paused while disconnected"
    );
    // Meanwhile a new call rings: no session exists to hear about it.
    let missed = sim_control::inject_call(SIM, "5007", "5005", None)
        .await
        .expect("call injected");
    TimeoutFuture::new(10_000).await;
    end_outage().await;
    wait_connected(&root).await;
    wait_card_state(&root, &missed, "Ringing").await;
    // The call that was live through the outage is still shown as it is.
    wait_card_state(&root, &id, "Established").await;
    assert_eq!(cards(&root).len(), 2, "each call once");
}

#[wasm_bindgen_test]
async fn a_call_released_while_disconnected_disappears_after_resync() {
    let (root, _widget, id) = agent1_on_a_call().await;
    begin_outage().await;
    wait_for("the badge to show the outage", 30_000, || {
        matches!(badge_state(&root).as_str(), "reconnecting" | "offline").then_some(())
    })
    .await;
    sim_control::remote_hangup(SIM, &id)
        .await
        .expect("customer hangs up");
    TimeoutFuture::new(2_000).await;
    assert!(card(&root, &id).is_some(), "the widget cannot know yet");
    end_outage().await;
    // "Retry now" skips the rest of the backoff.
    if let Some(retry) = find(&root, "[data-testid=\"retry-now\"]") {
        wasm_bindgen::JsCast::unchecked_into::<HtmlElement>(retry).click();
    }
    wait_connected(&root).await;
    wait_for("the released call to leave the list", 15_000, || {
        card(&root, &id).is_none().then_some(())
    })
    .await;
    let recent = wait_for("the recent-calls list", 5_000, || {
        find(&root, "[data-testid=\"recent-calls\"]")
    })
    .await;
    assert!(
        find(&recent, &format!("[data-call-id=\"{id}\"]")).is_some(),
        "kept in recent calls"
    );
}

/// The server ends the session (`reconnect: none`): the widget does not come back on its own —
/// the badge says "Disconnected by the server" and offers "Retry now" — and the agent's click
/// brings a new session that hears what happened meanwhile and what comes next.
#[wasm_bindgen_test]
async fn a_session_the_server_ended_comes_back_when_the_agent_asks() {
    let (root, _widget, id) = agent1_on_a_call().await;
    TimeoutFuture::new(300).await; // the long poll is held
    sim_control::post(SIM, "/sim/users/agent1/disconnect", &json!({}))
        .await
        .expect("sessions ended");
    wait_for("the badge to say the server ended it", 10_000, || {
        (badge_state(&root) == "ended").then_some(())
    })
    .await;
    assert_eq!(
        text_of(&root, ".gws-connection__label"),
        "Disconnected by the server"
    );
    // Nothing automatic: a call rings meanwhile and the widget cannot hear it.
    let missed = sim_control::inject_call(SIM, "5007", "5005", None)
        .await
        .expect("call injected");
    TimeoutFuture::new(1_500).await;
    assert!(card(&root, &missed).is_none(), "no session to hear it on");
    assert_eq!(badge_state(&root), "ended", "not retried on its own");
    click_on(&root, "[data-testid=\"retry-now\"]").await;
    wait_connected(&root).await;
    wait_card_state(&root, &missed, "Ringing").await;
    click_action(&root, &id, "Hold").await;
    wait_card_state(&root, &id, "Held").await;
    assert_eq!(cards(&root).len(), 2, "each call once");
}

/// The server refuses the calls channel once: the agent bar says so, the widget asks again
/// 30 s later on its own, and once granted the message goes, the call that rang meanwhile is
/// read, and the next one arrives as a notification.
#[wasm_bindgen_test]
async fn a_refused_channel_is_asked_for_again_and_then_delivers() {
    sim_control::reset(SIM).await.expect("simulator reachable");
    sim_control::post(
        SIM,
        "/sim/faults",
        // Slow snapshots (the CI machine's, made certain): a read of calls still on its way
        // when the next call rings would show that call early.
        &json!({"clear": true, "refuseSubscriptions": 1,
                "delayNext": 2, "delayMs": 400, "delayPath": "/api/v2/me/calls"}),
    )
    .await
    .expect("fault armed");
    // A call that rang before the widget: it is read although its channel is refused.
    let before = sim_control::inject_call(SIM, "5002", "5005", None)
        .await
        .expect("call injected");
    let (root, _widget) =
        mount_widget(WidgetConfig::new(SIM, "agent1", "agent1").with_shortcuts(false));
    let agent_error =
        |root: &Element| find(root, "[data-testid=\"agent-error\"]").and_then(|e| e.text_content());
    let said = wait_for("the refusal on the agent bar", 15_000, || {
        agent_error(&root)
    })
    .await;
    assert!(
        said.starts_with("The server refused updates on /v2/me/calls"),
        "{said}"
    );
    wait_connected(&root).await; // the devices channel delivers
    wait_card_state(&root, &before, "Ringing").await;
    // The card is the first read (on starting) answered; the second (on connecting) is the same
    // URL, which Chromium sends once the first is answered: it lands within its delay. After
    // that nothing re-reads calls until the channel is granted.
    TimeoutFuture::new(1_000).await;
    let missed = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    TimeoutFuture::new(1_000).await;
    assert!(
        card(&root, &missed).is_none(),
        "not subscribed to calls yet"
    );
    wait_for("the refusal to go once granted", 45_000, || {
        agent_error(&root).is_none().then_some(())
    })
    .await;
    wait_card_state(&root, &missed, "Ringing").await;
    click_action(&root, &missed, "Answer").await;
    wait_card_state(&root, &missed, "Established").await;
}
