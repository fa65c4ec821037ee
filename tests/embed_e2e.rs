//! Embedding in a host page, in headless Chromium against gws-sim: `mount()` and the custom
//! element, option validation, host events for screen-pop, `dial()` and click-to-dial,
//! `destroy()` stopping all traffic and leaking nothing, isolation from host CSS, and one
//! notification loop for two "tabs" of the same user (two widgets of one page share the same
//! Web Locks and BroadcastChannel machinery as two tabs do).

#![cfg(target_arch = "wasm32")]

mod support;

use gloo_timers::future::TimeoutFuture;
use gws_widget::embed::WidgetHandle;
use serde_json::{Value, json};
use support::sim_control;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn options(extra: Value) -> JsValue {
    let mut base = json!({"baseUrl": SIM, "username": "agent1", "password": "agent1", "shareAcrossTabs": false});
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    js(&base)
}

/// The element inside `host`'s shadow root matching `selector`.
fn shadow_find(host: &Element, selector: &str) -> Option<Element> {
    host.shadow_root()?.query_selector(selector).ok().flatten()
}

fn shadow_root_element(host: &Element) -> Element {
    host.shadow_root()
        .expect("shadow root")
        .query_selector(".gws-mount")
        .ok()
        .flatten()
        .expect("mount point")
}

async fn wait_shadow_connected(host: &Element) {
    wait_for("the embedded widget to connect", 15_000, || {
        shadow_find(
            host,
            "[data-testid=\"connection\"][data-state=\"connected\"]",
        )
    })
    .await;
}

fn mount(host: &HtmlElement, extra: Value) -> WidgetHandle {
    gws_widget::mount(host.clone().into(), options(extra)).expect("mounted")
}

fn error_text(result: Result<WidgetHandle, JsValue>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default(),
    }
}

#[wasm_bindgen_test]
async fn invalid_options_throw_a_clear_error() {
    let host = fresh_root();
    let bad = |value: Value| error_text(gws_widget::mount(host.clone().into(), options(value)));
    assert!(bad(json!({"theme": "purple"})).contains("'theme'"));
    assert!(bad(json!({"baseUrl": "ftp://x"})).contains("'baseUrl'"));
    assert!(bad(json!({"logLevel": "loud"})).contains("'logLevel'"));
    assert!(bad(json!({"baseURL": SIM})).contains("did you mean 'baseUrl'"));
    assert!(bad(json!({"compact": "yes"})).contains("'compact'"));
    let no_user = gws_widget::mount(host.clone().into(), js(&json!({"baseUrl": SIM})));
    assert!(error_text(no_user).contains("'username'"));
    let not_element = gws_widget::mount(JsValue::from_str("#widget"), options(json!({})));
    assert!(error_text(not_element).contains("HTML element"));
    assert_eq!(host.child_element_count(), 0, "nothing was rendered");
    assert!(host.shadow_root().is_none(), "nothing was attached");
}

#[wasm_bindgen_test]
async fn custom_element_mounts_itself_and_is_destroyed_when_removed() {
    fresh_simulator().await;
    gws_widget::define_element();
    let loops_before = gws_widget::diagnostics::snapshot().loops;
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let element = document
        .create_element("gws-agent-widget")
        .expect("element");
    for (name, value) in [
        ("base-url", SIM),
        ("user", "agent1"),
        ("password", "agent1"),
        ("share-across-tabs", "false"),
    ] {
        element.set_attribute(name, value).expect("attribute");
    }
    document
        .body()
        .expect("body")
        .append_child(&element)
        .expect("append");
    wait_shadow_connected(&element).await;
    let handle = js_sys::Reflect::get(&element, &"handle".into()).expect("handle property");
    assert!(
        !handle.is_undefined() && !handle.is_null(),
        "the element exposes its WidgetHandle"
    );
    element.remove();
    wait_for("the loop to stop after removal", 10_000, || {
        (gws_widget::diagnostics::snapshot().loops == loops_before).then_some(())
    })
    .await;
    assert!(
        shadow_find(&element, "[data-testid=\"agent-widget\"]").is_none(),
        "emptied"
    );

    // Put back as it was, it mounts again with the password it kept.
    let body = document.body().expect("body");
    body.append_child(&element).expect("append");
    wait_shadow_connected(&element).await;
    element.remove();
    // Moved after its server changed, it does not send that password there.
    let (errors, _listener) = record_events(&element, "gws:error");
    element
        .set_attribute("base-url", "http://127.0.0.1:9")
        .expect("attribute");
    body.append_child(&element).expect("append");
    TimeoutFuture::new(200).await;
    assert!(
        shadow_find(&element, "[data-testid=\"agent-widget\"]").is_none(),
        "not mounted"
    );
    let said = errors.borrow().first().cloned().unwrap_or_default();
    assert!(
        said["message"]
            .as_str()
            .is_some_and(|m| m.contains("another server or user")),
        "{said:?}"
    );
    element.remove();
}

/// A call without attached data: `userData` is `null` (present, so a CRM can test it), and the
/// call resource has none, as the server sent it.
#[wasm_bindgen_test]
async fn a_call_without_user_data_has_user_data_null() {
    fresh_simulator().await;
    let host = fresh_root();
    let (ringing, _listener) = record_events(&host, "gws:ringing");
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let detail = wait_for("gws:ringing", 10_000, || ringing.borrow().first().cloned()).await;
    assert_eq!(detail["callId"], json!(id));
    assert_eq!(detail.get("userData"), Some(&Value::Null), "{detail}");
    assert_eq!(detail["call"].get("userData"), None, "{detail}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn host_gets_gws_ringing_with_the_user_data_for_screen_pop() {
    fresh_simulator().await;
    let host = fresh_root();
    let (ringing, _listener) = record_events(&host, "gws:ringing");
    let (states, _l2) = record_events(&host, "gws:agent-state");
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    let user_data = json!({"CustomerId": "C-1042", "Segment": "Gold"});
    let id = sim_control::inject_call(SIM, "5000", "5005", Some(user_data.clone()))
        .await
        .expect("call injected");
    let detail = wait_for("gws:ringing", 10_000, || ringing.borrow().first().cloned()).await;
    assert_eq!(detail["callId"], json!(id));
    assert_eq!(detail["userData"], user_data);
    assert_eq!(detail["call"]["userData"], user_data);
    assert_eq!(detail["ani"], json!("5000"));
    assert_eq!(detail["dnis"], json!("5005"));
    assert_eq!(detail["call"]["state"], json!("Ringing"));
    assert!(
        states.borrow().iter().any(|s| s["state"] == json!("Ready")),
        "agent state announced"
    );
    handle.answer(None).expect("answer the ringing call");
    wait_for("the call to be established", 10_000, || {
        shadow_find(
            &host,
            &format!("[data-call-id=\"{id}\"][data-state=\"Established\"]"),
        )
    })
    .await;
    handle.destroy();
}

/// In the shadow root a CRM page embeds, a keyboard user's Hold keeps the focus on the card:
/// when the server replaces Hold with Retrieve, Retrieve has it (the document's listeners read
/// the composed path into the shadow root); a form opened there takes it and Escape closes it.
#[wasm_bindgen_test]
async fn the_keyboard_focus_stays_in_the_shadow_root_through_a_hold() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let card = format!("[data-call-id=\"{id}\"]");
    let enabled = |action: &str| {
        let (host, selector) = (host.clone(), format!("{card} [data-action=\"{action}\"]"));
        move || shadow_find(&host, &selector).filter(is_enabled)
    };
    let answer = wait_for("Answer", 10_000, enabled("Answer")).await;
    answer.unchecked_into::<HtmlElement>().click();
    let hold: HtmlElement = wait_for("Hold", 10_000, enabled("Hold"))
        .await
        .unchecked_into();
    hold.focus().expect("focus");
    let shadow = host.shadow_root().expect("shadow root");
    let shadow_node: &web_sys::Node = shadow.as_ref();
    assert_eq!(
        gws_widget::focus::observed_root().as_ref(),
        Some(shadow_node),
        "the focused control's tree is observed: the shadow root, not the page"
    );
    hold.click();
    let focused_action = || {
        shadow
            .active_element()
            .and_then(|e| e.get_attribute("data-action"))
    };
    wait_for("Retrieve to have the focus", 10_000, || {
        (focused_action().as_deref() == Some("Retrieve")).then_some(())
    })
    .await;

    let transfer: HtmlElement = shadow_find(
        &host,
        &format!("{card} [data-action=\"SingleStepTransfer\"]"),
    )
    .expect("transfer")
    .unchecked_into();
    transfer.focus().expect("focus");
    transfer.click();
    let input = wait_for("the transfer form's field to have the focus", 5_000, || {
        shadow
            .active_element()
            .filter(|e| e.get_attribute("data-testid").as_deref() == Some("destination-input"))
    })
    .await;
    let escape = js_sys::eval(
        "new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true, composed: true })",
    )
    .expect("event");
    input
        .dispatch_event(escape.unchecked_ref())
        .expect("dispatch");
    wait_for(
        "the form to close and its button to have the focus",
        5_000,
        || {
            (shadow_find(&host, "[data-testid=\"destination-form\"]").is_none()
                && focused_action().as_deref() == Some("SingleStepTransfer"))
            .then_some(())
        },
    )
    .await;
    handle.destroy();
    assert_eq!(
        gws_widget::focus::observed_root(),
        None,
        "a destroyed widget's shadow root is not observed any more"
    );
}

#[wasm_bindgen_test]
async fn dial_and_click_to_dial_create_calls_through_the_simulator() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({"clickToDial": true}));
    wait_shadow_connected(&host).await;
    assert!(
        handle.dial("not a number", None).is_err(),
        "invalid numbers are refused at once"
    );
    let object = |text: &str| js_sys::JSON::parse(text).expect("JSON").unchecked_into();
    assert!(
        handle.dial("5002", Some(object(r#"["C-7"]"#))).is_err(),
        "attached data must be an object"
    );
    let user_data = object(r#"{"CaseId": "C-7", "Segment": "gold"}"#);
    handle.dial(" 50-02 ", Some(user_data)).expect("dial");
    let inside = shadow_root_element(&host);
    wait_card_with(&inside, "Established", "5002").await;
    let calls: Vec<Value> =
        serde_wasm_bindgen::from_value(handle.calls().expect("calls")).expect("array");
    assert_eq!(
        calls[0]["userData"],
        json!({"CaseId": "C-7", "Segment": "gold"}),
        "the dialled call carries the data attached in dial()"
    );

    let link = dial_link("(500) 3");
    let label: HtmlElement = web_sys::window()
        .and_then(|w| w.document())
        .expect("document")
        .create_element("span")
        .expect("span")
        .unchecked_into();
    label.set_text_content(Some("call Grace"));
    link.append_child(&label).expect("child");
    label.click();
    wait_card_with(&inside, "Established", "5003").await;
    let calls: Vec<Value> =
        serde_wasm_bindgen::from_value(handle.calls().expect("calls")).expect("array");
    assert_eq!(calls.len(), 2);

    link.set_attribute("data-gws-dial", "call me")
        .expect("attribute");
    label.click();
    let error = wait_for("the refusal in the agent bar", 5_000, || {
        let error = inside.query_selector("[data-testid=agent-error]").ok()??;
        error.text_content()
    })
    .await;
    assert!(
        error.starts_with("Cannot dial: “c” is not allowed"),
        "a clicked number that cannot be dialled is said, not sent: {error}"
    );
    let calls: Vec<Value> =
        serde_wasm_bindgen::from_value(handle.calls().expect("calls")).expect("array");
    assert_eq!(calls.len(), 2, "nothing was dialled");
    link.remove();
    handle.destroy();
}

/// Two widgets of agent1 that share one loop, both connected: the first leads.
async fn leader_and_follower() -> (HtmlElement, WidgetHandle, HtmlElement, WidgetHandle) {
    let leader_host = fresh_root();
    let leader = mount(&leader_host, json!({"shareAcrossTabs": true}));
    wait_shadow_connected(&leader_host).await;
    let follower_host = fresh_root();
    let follower = mount(&follower_host, json!({"shareAcrossTabs": true}));
    wait_shadow_connected(&follower_host).await;
    (leader_host, leader, follower_host, follower)
}

/// The client ids of agent1's CometD sessions on the simulator.
async fn agent1_client_ids() -> Vec<String> {
    let state = sim_control::state(SIM).await;
    let sessions = state["cometdSessions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    sessions
        .into_iter()
        .filter(|s| s["user"] == json!("agent1"))
        .map(|s| s["clientId"].to_string())
        .collect()
}

/// A click-to-dial link for `number` in the page's body (the host page's markup).
fn dial_link(number: &str) -> HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let link: HtmlElement = document.create_element("a").expect("a").unchecked_into();
    link.set_attribute("data-gws-dial", number)
        .expect("attribute");
    document
        .body()
        .expect("body")
        .append_child(&link)
        .expect("append");
    link
}

/// How many requests this page has made to the simulator so far (resource timing entries).
fn simulator_requests() -> usize {
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("performance");
    performance
        .get_entries_by_type("resource")
        .iter()
        .filter(|entry| {
            js_sys::Reflect::get(entry, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .is_some_and(|name| name.starts_with(SIM) && name.contains("/api/v2"))
        })
        .count()
}

async fn agent1_sessions() -> usize {
    let state = sim_control::state(SIM).await;
    state["cometdSessions"]
        .as_array()
        .map(|list| list.iter().filter(|s| s["user"] == json!("agent1")).count())
        .unwrap_or(0)
}

/// A fresh simulator and a connected widget, with agent1's CometD sessions and the page's
/// notification loops counted before it was mounted.
async fn mount_connected() -> (HtmlElement, WidgetHandle, usize, i32) {
    fresh_simulator().await;
    let (sessions_before, loops_before) = (
        agent1_sessions().await,
        gws_widget::diagnostics::snapshot().loops,
    );
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    (host, handle, sessions_before, loops_before)
}

#[wasm_bindgen_test]
async fn destroy_stops_all_traffic() {
    let (host, handle, sessions_before, loops_before) = mount_connected().await;
    assert_eq!(agent1_sessions().await, sessions_before + 1);
    let (states, _listener) = record_events(&host, "gws:connection");
    handle.destroy();
    handle.destroy();
    assert_eq!(
        states
            .borrow()
            .iter()
            .map(|d| d["state"].clone())
            .collect::<Vec<_>>(),
        vec![json!("disconnected")],
        "the host hears the end once, as the guide says"
    );
    assert!(
        handle.answer(None).is_err(),
        "a destroyed widget refuses commands"
    );
    TimeoutFuture::new(1_500).await;
    assert_eq!(
        agent1_sessions().await,
        sessions_before,
        "/meta/disconnect was sent"
    );
    let settled = simulator_requests();
    TimeoutFuture::new(3_000).await;
    assert_eq!(simulator_requests(), settled, "no request after destroy");
    assert_eq!(gws_widget::diagnostics::snapshot().loops, loops_before);
    assert_eq!(
        shadow_root_element_count(&host),
        0,
        "the widget's DOM is gone"
    );
}

fn shadow_root_element_count(host: &Element) -> u32 {
    host.shadow_root()
        .map(|root| root.child_element_count())
        .unwrap_or(0)
}

/// A widget destroyed while a notification body is still arriving stops at once: the loop
/// abandons the body instead of waiting for its end (it used to read on until the body ended or
/// the request's deadline passed, ~20 s here, before it even looked at the stop).
#[wasm_bindgen_test]
async fn destroy_while_a_body_is_arriving_stops_at_once() {
    let (_host, handle, sessions_before, loops_before) = mount_connected().await;
    // The held connect answers the ringing call with its first byte, the rest 20 s later.
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"stallBodies": 1, "stallMs": 20_000}),
    )
    .await
    .expect("fault");
    sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("inject");
    TimeoutFuture::new(500).await;
    handle.destroy();
    wait_for("the loop to end after destroy", 5_000, || {
        (gws_widget::diagnostics::snapshot().loops == loops_before).then_some(())
    })
    .await;
    // `/meta/disconnect` went out without waiting for the body (bounded: 5 s).
    let mut sessions = agent1_sessions().await;
    for _ in 0..50 {
        if sessions == sessions_before {
            break;
        }
        TimeoutFuture::new(100).await;
        sessions = agent1_sessions().await;
    }
    assert_eq!(sessions, sessions_before, "the CometD session was closed");
}

#[wasm_bindgen_test]
async fn mounting_and_destroying_a_hundred_times_leaks_nothing() {
    fresh_simulator().await;
    let before = gws_widget::diagnostics::snapshot();
    let sessions_before = agent1_sessions().await;
    for _ in 0..100 {
        let host = fresh_root();
        let handle = mount(&host, json!({"clickToDial": true}));
        TimeoutFuture::new(0).await;
        handle.destroy();
        host.remove();
    }
    // At most what was live before (an earlier test's widget may finish stopping meanwhile).
    wait_for("every loop, listener and worker to be gone", 20_000, || {
        let now = gws_widget::diagnostics::snapshot();
        (now.widgets <= before.widgets
            && now.loops <= before.loops
            && now.listeners <= before.listeners
            && now.workers <= before.workers)
            .then_some(())
    })
    .await;
    TimeoutFuture::new(1_000).await;
    assert!(
        agent1_sessions().await <= sessions_before,
        "no CometD session left behind"
    );
}

fn boxes(host: &Element) -> Vec<(String, i64, i64)> {
    let inside = shadow_root_element(host);
    [
        "[data-testid=\"agent-widget\"]",
        "[data-testid=\"agent-bar\"]",
        "[data-action=\"Dial\"]",
        "[data-testid=\"dial-input\"]",
        ".gws-agent__badge",
        "[data-testid=\"connection\"]",
    ]
    .iter()
    .map(|selector| {
        let rect = find(&inside, selector)
            .expect(selector)
            .get_bounding_client_rect();
        (
            selector.to_string(),
            rect.width().round() as i64,
            rect.height().round() as i64,
        )
    })
    .collect()
}

#[wasm_bindgen_test]
async fn aggressive_host_css_leaves_the_widget_layout_unchanged() {
    fresh_simulator().await;
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let frame = fresh_root();
    frame.style().set_property("width", "420px").expect("width");
    // The host page decides the host element's size and margins; everything inside is ours.
    let host: HtmlElement = document
        .create_element("x-crm-panel")
        .expect("element")
        .unchecked_into();
    frame.append_child(&host).expect("append");
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    TimeoutFuture::new(100).await;
    let before = boxes(&host);
    let style = document.create_element("style").expect("style");
    style.set_text_content(Some(
        "* { padding: 9px !important; border: 3px solid red !important; font-size: 31px !important; \
         line-height: 3 !important; letter-spacing: 4px !important; text-transform: uppercase !important; \
         font-family: serif !important; box-sizing: content-box !important; } \
         button { display: block !important; width: 500px !important; } \
         input, select { height: 80px !important; } div, section, span { margin: 17px !important; }",
    ));
    document
        .head()
        .expect("head")
        .append_child(&style)
        .expect("style added");
    TimeoutFuture::new(100).await;
    let after = boxes(&host);
    style.remove();
    handle.destroy();
    assert_eq!(after, before, "host CSS changed the widget's boxes");
}

#[wasm_bindgen_test]
async fn two_tabs_of_one_user_share_one_loop_and_the_other_takes_over() {
    fresh_simulator().await;
    let (sessions_before, loops_before) = (
        agent1_sessions().await,
        gws_widget::diagnostics::snapshot().loops,
    );
    let (leader_host, leader, follower_host, follower) = leader_and_follower().await;
    TimeoutFuture::new(500).await;
    assert_eq!(
        agent1_sessions().await,
        sessions_before + 1,
        "one /meta/connect loop for the user"
    );
    assert_eq!(gws_widget::diagnostics::snapshot().loops, loops_before + 1);

    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let follower_view = shadow_root_element(&follower_host);
    wait_card_state(&follower_view, &id, "Ringing").await;
    follower
        .answer(Some(id.clone()))
        .expect("answer through the leader");
    wait_card_state(&follower_view, &id, "Established").await;
    wait_card_state(&shadow_root_element(&leader_host), &id, "Established").await;

    let old_clients = agent1_client_ids().await;
    let closed_at = js_sys::Date::now();
    leader.destroy();
    let mut took_over = false;
    while js_sys::Date::now() - closed_at < 2_000.0 {
        let clients = agent1_client_ids().await;
        let fresh = clients.iter().filter(|c| !old_clients.contains(c)).count();
        if fresh == 1
            && clients.len() == sessions_before + 1
            && gws_widget::diagnostics::snapshot().loops == loops_before + 1
            && find(
                &follower_view,
                "[data-testid=\"connection\"][data-state=\"connected\"]",
            )
            .is_some()
        {
            took_over = true;
            break;
        }
        TimeoutFuture::new(50).await;
    }
    assert!(took_over, "the other tab took over within 2 s");
    click_action(&follower_view, &id, "Hangup").await;
    wait_card_state(&follower_view, &id, "Released").await;
    follower.destroy();
}

/// A host's `gws:agent-state` listener may call back into the widget at once — here it clicks a
/// click-to-dial link whose number cannot be dialled. The event used to be dispatched while the
/// agent store was read, so that input found the store locked and was dropped without a word.
#[wasm_bindgen_test]
async fn a_host_listener_that_calls_back_into_the_widget_is_heard() {
    fresh_simulator().await;
    let host = fresh_root();
    let link = dial_link("call me");
    let clicks = std::rc::Rc::new(std::cell::Cell::new(0));
    let clicked = clicks.clone();
    let target = link.clone();
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if clicked.replace(clicked.get() + 1) == 0 {
            target.click(); // synchronously, inside the widget's event
        }
    });
    host.add_event_listener_with_callback("gws:agent-state", listener.as_ref().unchecked_ref())
        .expect("listen");
    let handle = mount(&host, json!({"clickToDial": true}));
    let inside = shadow_root_element(&host);
    let error = wait_for("the refusal in the agent bar", 10_000, || {
        let error = inside.query_selector("[data-testid=agent-error]").ok()??;
        error.text_content()
    })
    .await;
    assert!(clicks.get() >= 1, "the listener ran");
    assert!(
        error.starts_with("Cannot dial: “c” is not allowed"),
        "the click inside the event was handled: {error}"
    );
    link.remove();
    handle.destroy();
}

/// The leader tab logs out and is destroyed while its goodbye (unsubscribe, then
/// `/meta/disconnect`) is still on its way. The stop used to be dropped while the logout's pause
/// was finishing: the ended loop then waited for a resume forever, and kept its place as leader,
/// so the other tab of the same user never took over.
#[wasm_bindgen_test]
async fn a_leader_destroyed_while_logging_out_hands_over() {
    fresh_simulator().await;
    let loops_before = gws_widget::diagnostics::snapshot().loops;
    let (_leader_host, leader, _follower_host, follower) = leader_and_follower().await;
    assert_eq!(gws_widget::diagnostics::snapshot().loops, loops_before + 1);
    // The goodbye's requests take their time.
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"delayNext": 2, "delayMs": 600, "delayPath": "/api/v2/notifications"}),
    )
    .await
    .expect("fault");
    let old_clients = agent1_client_ids().await;
    leader.logout().expect("logout");
    TimeoutFuture::new(150).await; // the logout is on its way: the loop is pausing
    leader.destroy();
    let started = js_sys::Date::now();
    let mut took_over = false;
    while js_sys::Date::now() - started < 5_000.0 {
        let fresh = agent1_client_ids()
            .await
            .into_iter()
            .any(|c| !old_clients.contains(&c));
        if fresh && gws_widget::diagnostics::snapshot().loops == loops_before + 1 {
            took_over = true;
            break;
        }
        TimeoutFuture::new(50).await;
    }
    assert!(took_over, "the other tab leads its own loop within 5 s");
    follower.destroy();
}

/// A follower tab's "Log out" is the leader's own logout: the leader's loop unsubscribes and
/// disconnects before `EndContactCenterSession` ends the HTTP session. Posted straight away, the
/// logout ended the session under the live loop, which re-handshook into a fresh CometD session
/// the agent had just left — and the two tabs disagreed (the leader "connected", its own logout
/// "disconnected"). Then "Log in" in the follower brings both back.
#[wasm_bindgen_test]
async fn a_followers_logout_is_the_leaders_and_its_login_brings_both_back() {
    const LOG_OUT: &str = "[data-testid=\"voice-login\"][data-action=\"EndContactCenterSession\"]";
    const LOG_IN: &str = "[data-testid=\"voice-login\"][data-action=\"StartContactCenterSession\"]";
    const DISCONNECTED: &str = "[data-testid=\"connection\"][data-state=\"disconnected\"]";
    fresh_simulator().await;
    let (leader_host, leader, follower_host, follower) = leader_and_follower().await;
    for host in [&leader_host, &follower_host] {
        wait_for("logged in", 10_000, || shadow_find(host, LOG_OUT)).await;
    }
    follower.logout().expect("logout");
    for host in [&leader_host, &follower_host] {
        wait_for("the Log in control in both tabs", 10_000, || {
            shadow_find(host, LOG_IN)
        })
        .await;
        wait_for("both tabs disconnected", 10_000, || {
            shadow_find(host, DISCONNECTED)
        })
        .await;
    }
    TimeoutFuture::new(500).await;
    assert!(
        agent1_client_ids().await.is_empty(),
        "the leader's session was closed before the logout, not re-handshaken after it"
    );
    follower.login().expect("login");
    for host in [&leader_host, &follower_host] {
        wait_shadow_connected(host).await;
        wait_for("the Log out control in both tabs", 10_000, || {
            shadow_find(host, LOG_OUT)
        })
        .await;
    }
    leader.destroy();
    follower.destroy();
}

/// Click-to-dial on a web component: the click lands inside the component's shadow tree (its
/// padding, its icon), beyond which `closest` cannot look — the number is found on the click's
/// composed path. A Ctrl-click (open elsewhere) and a click the page already handled do not
/// dial.
#[wasm_bindgen_test]
async fn click_to_dial_reaches_into_web_components_and_leaves_handled_clicks_alone() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({"clickToDial": true}));
    wait_shadow_connected(&host).await;
    let inside = shadow_root_element(&host);
    js_sys::eval(
        "(() => { const b = document.createElement('span'); b.id = 'fancy-dial'; \
         b.setAttribute('data-gws-dial', '5003'); \
         b.attachShadow({ mode: 'open' }).innerHTML = '<i id=\"icon\">☎</i>'; \
         document.body.appendChild(b); })()",
    )
    .expect("a web component");
    let click = |modifiers: &str| {
        js_sys::eval(&format!(
            "document.getElementById('fancy-dial').shadowRoot.getElementById('icon')\
             .dispatchEvent(new MouseEvent('click', {{ bubbles: true, composed: true, cancelable: true, {modifiers} }}))"
        ))
        .expect("clicked");
    };
    click("ctrlKey: true");
    js_sys::eval(
        "window.__mine = (e) => e.preventDefault(); \
         document.getElementById('fancy-dial').addEventListener('click', window.__mine)",
    )
    .expect("host handler");
    click("");
    js_sys::eval(
        "document.getElementById('fancy-dial').removeEventListener('click', window.__mine)",
    )
    .expect("host handler gone");
    TimeoutFuture::new(1_000).await;
    let calls: Vec<Value> =
        serde_wasm_bindgen::from_value(handle.calls().expect("calls")).expect("array");
    assert!(calls.is_empty(), "nothing dialled yet: {calls:?}");
    click("");
    wait_card_with(&inside, "Established", "5003").await;
    js_sys::eval("document.getElementById('fancy-dial').remove()").expect("cleanup");
    handle.destroy();
}

/// `setAgentState` sends the documented agent states — auxiliary work included — and refuses
/// an unknown one (or an unknown reason) with a clear error.
#[wasm_bindgen_test]
async fn set_agent_state_sends_the_documented_states() {
    fresh_simulator().await;
    let host = fresh_root();
    let handle = mount(&host, json!({}));
    wait_shadow_connected(&host).await;
    let inside = shadow_root_element(&host);
    let badge_mode = || {
        find(&inside, "[data-testid=\"agent-state\"]")
            .and_then(|b| b.get_attribute("data-work-mode"))
            .unwrap_or_default()
    };
    handle.set_agent_state("AuxWork", None).expect("AuxWork");
    wait_for("auxiliary work", 10_000, || {
        (badge_mode() == "AuxWork").then_some(())
    })
    .await;
    let refused = handle
        .set_agent_state("Lunchtime", None)
        .expect_err("unknown");
    let message = js_sys::Error::from(refused)
        .message()
        .as_string()
        .unwrap_or_default();
    assert!(message.contains("AuxWork"), "{message}");
    assert!(
        handle
            .set_agent_state("NotReady", Some("Nap".into()))
            .is_err()
    );
    handle.destroy();
}
