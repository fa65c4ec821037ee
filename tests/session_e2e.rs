//! The agent's sessions, in headless Chromium against gws-sim: the voice login on mount, Log
//! out and Log in again (by click and by the mount API), the confirmation during a call, a
//! logout from another client noticed, a busy place shown as an error, and re-authentication
//! after the password changed — with a credentials provider (asked again) and with static
//! credentials (signed out, then signed in again).

#![cfg(target_arch = "wasm32")]

mod support;

use gws_widget::drivers::rest::RestClient;
use gws_widget::embed::WidgetHandle;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use support::sim_control;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const LOG_OUT: &str = "[data-testid=\"voice-login\"][data-action=\"EndContactCenterSession\"]";
const LOG_IN: &str = "[data-testid=\"voice-login\"][data-action=\"StartContactCenterSession\"]";

/// The same agent on another client (another browser, a desk application).
async fn other_client(user: &str) -> RestClient {
    let rest = RestClient::new(SIM, user, user);
    rest.refresh_csrf().await.expect("signed in elsewhere");
    rest
}

async fn log_out_elsewhere(user: &str) {
    other_client(user)
        .await
        .post_json(
            "/api/v2/me",
            &json!({"operationName": "EndContactCenterSession"}),
        )
        .await
        .expect("logged out from the other client");
}

/// Whether the server shows `user`'s device logged in.
async fn logged_in_on_server(user: &str) -> bool {
    let devices: Value = other_client(user)
        .await
        .get_json("/api/v2/me/devices?fields=*")
        .await
        .expect("devices");
    devices["devices"][0]["userState"]["state"] != "LoggedOut"
}

fn mount(host: &HtmlElement, options: Value) -> WidgetHandle {
    let mut base = json!({"baseUrl": SIM, "username": "agent1", "password": "agent1", "shareAcrossTabs": false});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), options.as_object()) {
        base.extend(extra.clone());
    }
    gws_widget::mount(host.clone().into(), js(&base)).expect("mounted")
}

/// The widget's root inside `host`'s shadow root (what the support helpers search).
/// Mounts a widget in `host` that signs in through `provider` (the host's credentials
/// function), alone in its tab group.
fn mount_with_provider(host: &HtmlElement, provider: &JsValue) -> WidgetHandle {
    let options = js_sys::Object::new();
    for (key, value) in [
        ("baseUrl", JsValue::from_str(SIM)),
        ("shareAcrossTabs", JsValue::FALSE),
        ("credentials", provider.clone()),
    ] {
        js_sys::Reflect::set(&options, &key.into(), &value).expect("option");
    }
    gws_widget::mount(host.clone().into(), options.into()).expect("mounted")
}

/// Changes agent1's password on the simulator (to "changed"; `fresh_simulator` puts it back):
/// the widget's next request is refused with 401.
async fn change_agent1_password() {
    sim_control::post(
        SIM,
        "/sim/users/agent1/password",
        &json!({"password": "changed"}),
    )
    .await
    .expect("password changed");
}

fn root(host: &HtmlElement) -> Element {
    host.shadow_root()
        .and_then(|shadow| shadow.query_selector(".gws-mount").ok().flatten())
        .expect("mount point")
}

async fn wait_for_selector(host: &HtmlElement, what: &str, selector: &str) -> Element {
    let root = root(host);
    wait_for(what, 15_000, || find(&root, selector)).await
}

#[wasm_bindgen_test]
async fn a_logged_out_agent_is_logged_in_on_mount() {
    fresh_simulator().await;
    log_out_elsewhere("agent1").await;
    assert!(!logged_in_on_server("agent1").await);
    let host = fresh_root();
    let (states, _listener) = record_events(&host, "gws:agent-state");
    let handle = mount(&host, json!({}));
    wait_for_selector(&host, "the Log out control (logged in)", LOG_OUT).await;
    let state = wait_for_selector(&host, "the agent state", "[data-testid=\"agent-state\"]").await;
    assert_eq!(
        state.get_attribute("data-state").as_deref(),
        Some("NotReady")
    );
    assert!(logged_in_on_server("agent1").await);
    let seen = states.borrow().clone();
    assert_eq!(
        seen.first().map(|d| d["loggedIn"].clone()),
        Some(json!(false))
    );
    assert_eq!(
        seen.last().map(|d| d["loggedIn"].clone()),
        Some(json!(true))
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn log_out_then_log_in_again() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    wait_connected(&root(&host)).await;
    let log_out = wait_for_selector(&host, "the Log out control", LOG_OUT).await;
    log_out.unchecked_into::<HtmlElement>().click();
    wait_for_selector(&host, "the Log in control (logged out)", LOG_IN).await;
    wait_for_selector(
        &host,
        "the badge to say disconnected",
        "[data-testid=\"connection\"][data-state=\"disconnected\"]",
    )
    .await;
    assert!(!logged_in_on_server("agent1").await);

    let log_in = wait_for_selector(&host, "the Log in control", LOG_IN).await;
    log_in.unchecked_into::<HtmlElement>().click();
    wait_connected(&root(&host)).await;
    wait_for_selector(&host, "the Log out control again", LOG_OUT).await;
    assert!(logged_in_on_server("agent1").await);

    // The same through the mount API.
    handle.logout().expect("logout");
    wait_for_selector(&host, "logged out by logout()", LOG_IN).await;
    handle.login().expect("login");
    wait_for_selector(&host, "logged in by login()", LOG_OUT).await;
    wait_connected(&root(&host)).await;
    assert!(logged_in_on_server("agent1").await);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn logging_out_during_a_call_asks_first() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    let widget = root(&host);
    wait_connected(&widget).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    wait_card_state(&widget, &id, "Ringing").await;
    click_action(&widget, &id, "Answer").await;
    wait_card_state(&widget, &id, "Established").await;
    let log_out = wait_for_selector(&host, "the Log out control", LOG_OUT).await;
    log_out.unchecked_into::<HtmlElement>().click();
    let confirm = wait_for_selector(
        &host,
        "the confirmation",
        "[data-testid=\"logout-confirm\"]",
    )
    .await;
    let cancel = confirm
        .query_selector(".gws-btn--link")
        .ok()
        .flatten()
        .expect("cancel button");
    cancel.unchecked_into::<HtmlElement>().click();
    wait_for("the confirmation to close", 5_000, || {
        find(&widget, "[data-testid=\"logout-confirm\"]")
            .is_none()
            .then_some(())
    })
    .await;
    assert!(logged_in_on_server("agent1").await, "nothing was sent");
    assert!(find(&widget, LOG_OUT).is_some());
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_logout_from_another_client_is_shown() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    wait_connected(&root(&host)).await;
    wait_for_selector(&host, "the Log out control", LOG_OUT).await;
    log_out_elsewhere("agent1").await;
    // The other client's logout ends this widget's CometD session too: it re-handshakes,
    // re-reads the device and shows the agent logged out — without logging back in by itself.
    wait_for_selector(&host, "the Log in control after the remote logout", LOG_IN).await;
    wait_connected(&root(&host)).await;
    gloo_timers::future::TimeoutFuture::new(1_000).await;
    assert!(
        !logged_in_on_server("agent1").await,
        "no automatic login again"
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_busy_place_is_shown_as_an_error() {
    fresh_simulator().await;
    log_out_elsewhere("agent1").await;
    let host = fresh_root();
    let (errors, _listener) = record_events(&host, "gws:error");
    let handle = mount(&host, json!({"place": "Place_5001"}));
    let error = wait_for_selector(&host, "the login error", "[data-testid=\"agent-error\"]").await;
    let text = error.text_content().unwrap_or_default();
    assert!(text.contains("Log in failed"), "{text}");
    assert!(text.contains("Place_5001"), "{text}");
    assert!(
        errors.borrow().iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("Log in failed"))),
        "gws:error fired: {:?}",
        errors.borrow()
    );
    wait_for_selector(&host, "the Log in control", LOG_IN).await;
    assert!(!logged_in_on_server("agent1").await);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_changed_password_asks_the_credentials_provider_again() {
    fresh_simulator().await;
    let password = Rc::new(RefCell::new("agent1".to_string()));
    let asked = Rc::new(RefCell::new(0_u32));
    let provider = {
        let (password, asked) = (password.clone(), asked.clone());
        Closure::<dyn FnMut() -> JsValue>::new(move || {
            *asked.borrow_mut() += 1;
            js(&json!({"username": "agent1", "password": password.borrow().clone()}))
        })
    };
    let host = fresh_root();
    let handle = mount_with_provider(&host, provider.as_ref());
    wait_connected(&root(&host)).await;
    assert_eq!(*asked.borrow(), 1);

    // The provider knows the new password before the server does: the 401 that makes the
    // widget ask may arrive before this test's next line runs (it once did, and the widget,
    // handed the old password again, rightly signed out).
    *password.borrow_mut() = "changed".into();
    change_agent1_password().await;
    wait_for("the provider to be asked again", 20_000, || {
        (*asked.borrow() >= 2).then_some(())
    })
    .await;
    wait_connected(&root(&host)).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    wait_card_state(&root(&host), &id, "Ringing").await;
    assert_eq!(*asked.borrow(), 2, "asked once per refusal, not in a loop");
    handle.destroy();
    fresh_simulator().await; // the password back
}

/// The host's provider answers for whoever is signed in to the CRM: after agent1's password
/// changed it returns agent2. The widget, which leads agent1's tabs, does not become agent2's:
/// it signs out saying why, and agent2 never gets a session from it.
#[wasm_bindgen_test]
async fn a_provider_answering_for_another_user_signs_out() {
    fresh_simulator().await;
    let user = Rc::new(RefCell::new("agent1"));
    let provider = {
        let user = user.clone();
        Closure::<dyn FnMut() -> JsValue>::new(move || {
            let name = *user.borrow();
            js(&json!({"username": name, "password": name}))
        })
    };
    let host = fresh_root();
    let (errors, _listener) = record_events(&host, "gws:error");
    let handle = mount_with_provider(&host, provider.as_ref());
    wait_connected(&root(&host)).await;

    *user.borrow_mut() = "agent2";
    change_agent1_password().await;
    wait_for("the widget to sign out", 20_000, || {
        find(&root(&host), "[data-testid=\"connection\"]")
            .filter(|b| b.get_attribute("data-state").as_deref() == Some("signed-out"))
    })
    .await;
    assert!(
        errors.borrow().iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("another user"))),
        "{:?}",
        errors.borrow()
    );
    let state = sim_control::state(SIM).await;
    let agent2_sessions = state["cometdSessions"]
        .as_array()
        .map(|list| list.iter().filter(|s| s["user"] == json!("agent2")).count());
    assert_eq!(agent2_sessions, Some(0), "no session for agent2");
    handle.destroy();
    fresh_simulator().await; // the password back
}

#[wasm_bindgen_test]
async fn static_credentials_refused_sign_out_then_sign_in_again() {
    fresh_simulator().await;
    let host = fresh_root();
    let (connection, _listener) = record_events(&host, "gws:connection");
    let handle = mount(&host, json!({}));
    wait_connected(&root(&host)).await;
    change_agent1_password().await;
    wait_for_selector(
        &host,
        "the badge to say signed out",
        "[data-testid=\"connection\"][data-state=\"signed-out\"]",
    )
    .await;
    let error = wait_for_selector(&host, "the agent error", "[data-testid=\"agent-error\"]").await;
    assert!(
        error
            .text_content()
            .unwrap_or_default()
            .contains("Signed out")
    );
    assert!(
        connection
            .borrow()
            .iter()
            .any(|detail| detail["state"] == "signed-out"),
        "{:?}",
        connection.borrow()
    );
    // Signed out means quiet: the badge stays signed out (no loop of refused requests turns it
    // back into reconnecting).
    gloo_timers::future::TimeoutFuture::new(2_000).await;
    assert!(
        find(
            &root(&host),
            "[data-testid=\"connection\"][data-state=\"signed-out\"]"
        )
        .is_some()
    );

    sim_control::post(
        SIM,
        "/sim/users/agent1/password",
        &json!({"password": "agent1"}),
    )
    .await
    .expect("password restored");
    let sign_in = wait_for_selector(&host, "the Sign in button", "[data-testid=\"sign-in\"]").await;
    sign_in.unchecked_into::<HtmlElement>().click();
    wait_connected(&root(&host)).await;
    handle.destroy();
}

/// A provider may return a thenable that is not this frame's `Promise` — jQuery's
/// `$.getJSON('/crm/gws-credentials')`, or a promise of another frame — as `PromiseLike`
/// promises: the widget awaits it like any promise and signs in.
#[wasm_bindgen_test]
async fn a_provider_returning_a_thenable_signs_in() {
    fresh_simulator().await;
    let provider = js_sys::eval(
        "(() => () => ({ then(resolve) { setTimeout(() => resolve({ username: 'agent1', password: 'agent1' }), 10); } }))()",
    )
    .expect("provider");
    let host = fresh_root();
    let handle = mount_with_provider(&host, &provider);
    wait_connected(&root(&host)).await;
    handle.destroy();
}
