//! Shared helpers of the browser tests: mounting, DOM queries, bounded waiting, the simulator.
//!
//! Every wait is bounded (a hanging async test would kill the whole test binary and hide the
//! other results), and every failure message says what was awaited.

#![allow(dead_code)]

pub mod sim_control;

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The simulator the end-to-end tests talk to (started by `scripts/test.sh`).
pub const SIM: &str = match option_env!("GWS_SIM_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:18080",
};

/// A fresh `<div>` appended to `<body>`, for one test's widget.
pub fn fresh_root() -> HtmlElement {
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let root: HtmlElement = document
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    root
}

/// `<AgentWidget config/>` mounted in a fresh root: the root, and the mount handle (the widget
/// lives until it is dropped).
pub fn mount_widget(config: gws_widget::WidgetConfig) -> (HtmlElement, impl Sized) {
    use leptos::prelude::*;
    let root = fresh_root();
    let handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <gws_widget::AgentWidget config=config.clone()/> },
    );
    (root, handle)
}

/// Polls `probe` every 20 ms until it yields a value, or panics after `timeout_ms`.
pub async fn wait_for<T>(what: &str, timeout_ms: u32, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = js_sys::Date::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        if js_sys::Date::now() - start > f64::from(timeout_ms) {
            let html = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
                .map(|b| b.inner_html())
                .unwrap_or_default();
            panic!("timed out after {timeout_ms} ms waiting for {what}; page: {html}");
        }
        TimeoutFuture::new(20).await;
    }
}

/// Lets Leptos run its scheduled effects (DOM updates happen after the current task).
pub async fn tick() {
    TimeoutFuture::new(0).await;
}

/// The first element under `root` matching `selector`.
pub fn find(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

/// All elements under `root` matching `selector`.
pub fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// The card of call `id`.
pub fn card(root: &Element, id: &str) -> Option<Element> {
    find(
        root,
        &format!("[data-testid=\"call-card\"][data-call-id=\"{id}\"]"),
    )
}

/// Waits until the card of call `id` shows `state`.
pub async fn wait_card_state(root: &Element, id: &str, state: &str) -> Element {
    wait_for(&format!("call {id} in state {state}"), 10_000, || {
        card(root, id).filter(|c| c.get_attribute("data-state").as_deref() == Some(state))
    })
    .await
}

/// Whether a control can be used now: neither `disabled` nor `aria-disabled="true"` (the
/// widget's operation buttons use the latter, which keeps the keyboard focus).
pub fn is_enabled(control: &Element) -> bool {
    !control.has_attribute("disabled")
        && control.get_attribute("aria-disabled").as_deref() != Some("true")
}

/// Clicks the button `data-action=operation` of call `id` (waits until it is enabled).
pub async fn click_action(root: &Element, id: &str, operation: &str) {
    let button = wait_for(
        &format!("enabled {operation} button on call {id}"),
        10_000,
        || {
            card(root, id)
                .and_then(|c| find(&c, &format!("[data-action=\"{operation}\"]")))
                .filter(is_enabled)
        },
    )
    .await;
    button.unchecked_into::<HtmlElement>().click();
}

/// Waits until the connection badge says `connected`.
pub async fn wait_connected(root: &Element) {
    wait_for("the connection badge to say connected", 15_000, || {
        find(root, "[data-testid=\"connection\"]")
            .filter(|b| b.get_attribute("data-state").as_deref() == Some("connected"))
    })
    .await;
}

/// Every card under `root`.
pub fn cards(root: &Element) -> Vec<Element> {
    find_all(root, "[data-testid=\"call-card\"]")
}

/// The text of the first element matching `selector` under `root` (empty when absent).
pub fn text_of(root: &Element, selector: &str) -> String {
    find(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Waits for a card in `state` whose parties line contains `party`; returns its call id.
pub async fn wait_card_with(root: &Element, state: &str, party: &str) -> String {
    wait_for(&format!("a {state} card with {party}"), 10_000, || {
        cards(root)
            .into_iter()
            .find(|c| {
                c.get_attribute("data-state").as_deref() == Some(state)
                    && text_of(c, "[data-testid=\"call-parties\"]").contains(party)
            })
            .and_then(|c| c.get_attribute("data-call-id"))
    })
    .await
}

/// Sets an input's value as a user would (the widget listens to `input` events).
pub fn type_text(root: &Element, selector: &str, text: &str) {
    let input: web_sys::HtmlInputElement = find(root, selector).expect(selector).unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

/// Clicks the first element matching `selector` under `root` (waits until it exists and is
/// enabled).
pub async fn click_on(root: &Element, selector: &str) {
    let element = wait_for(&format!("enabled {selector}"), 10_000, || {
        find(root, selector).filter(is_enabled)
    })
    .await;
    element.unchecked_into::<HtmlElement>().click();
}

/// Opens `operation`'s form on call `id`, types `number` and submits it.
pub async fn submit_destination(root: &Element, id: &str, operation: &str, number: &str) {
    click_action(root, id, operation).await;
    let card = card(root, id).expect("card");
    wait_for("the destination form", 5_000, || {
        find(&card, "[data-testid=\"destination-input\"]")
    })
    .await;
    type_text(&card, "[data-testid=\"destination-input\"]", number);
    click_on(
        &card,
        "[data-testid=\"destination-form\"] [data-testid=\"form-submit\"]",
    )
    .await;
}

/// The `detail`s of the events seen so far.
pub type Recorded = std::rc::Rc<std::cell::RefCell<Vec<serde_json::Value>>>;

/// Collects the `detail` of every `name` event on `target`.
pub fn record_events(
    target: &Element,
    name: &str,
) -> (
    Recorded,
    wasm_bindgen::closure::Closure<dyn FnMut(web_sys::CustomEvent)>,
) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(
        move |event: web_sys::CustomEvent| {
            let detail: serde_json::Value =
                serde_wasm_bindgen::from_value(event.detail()).unwrap_or(serde_json::Value::Null);
            sink.borrow_mut().push(detail);
        },
    );
    target
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .expect("listen");
    (seen, listener)
}

/// Calls released, agents back to their start-up state (logins, passwords), faults cleared: each
/// end-to-end test starts from the same simulator.
pub async fn fresh_simulator() {
    sim_control::reset(SIM)
        .await
        .expect("simulator reachable: run scripts/test.sh or start gws-sim");
    sim_control::post(SIM, "/sim/faults", &serde_json::json!({"clear": true}))
        .await
        .expect("faults cleared");
}

/// A plain JS object (not a `Map`) from JSON.
pub fn js(value: &serde_json::Value) -> wasm_bindgen::JsValue {
    use serde::Serialize;
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("js value")
}

/// The `data-action` of every control under `element` (a card: its operation buttons, in order).
pub fn actions_of(element: &Element) -> Vec<String> {
    find_all(element, "[data-action]")
        .iter()
        .filter_map(|b| b.get_attribute("data-action"))
        .collect()
}

/// Waits `ms` milliseconds: the interval of a poll whose condition [`wait_for`] cannot express
/// (the random walk's settling compares the screen with the simulator, an async read).
pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}
