//! DOM tests of the call list with a recording dispatcher: seed fixtures in, buttons and
//! intents out. No server involved.

#![cfg(target_arch = "wasm32")]

mod support;

use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use gws_client::WidgetState;
use gws_client::{AgentStore, CallsStore, ConnectionState};
use gws_protocol::{Notification, Operation};
use gws_widget::components::call_list::CallList;
use gws_widget::context::{
    AgentContext, AnnouncerContext, CallsContext, ClockContext, ConnectionContext,
    provide_widget_contexts,
};
use gws_widget::intent::Intent;
use leptos::prelude::*;
use serde_json::Value;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What `provide_widget_contexts` returns.
type ProvidedContexts = (
    CallsContext,
    AgentContext,
    ConnectionContext,
    ClockContext,
    AnnouncerContext,
);

const SWAP_SAMPLE_2: &str =
    include_str!("../crates/protocol/tests/fixtures/seed000_swapcalls_sample2.json");

/// The seed message `index` of SwapCalls sample 2 applied to a fresh store.
fn store_after(messages: &[usize]) -> CallsStore {
    let sample: Vec<Value> = serde_json::from_str(SWAP_SAMPLE_2).expect("fixture");
    let mut store = CallsStore::new();
    for &index in messages {
        if let Ok(Notification::Call(n)) = Notification::from_data(&sample[index]["data"]) {
            store.apply(0, &n);
        }
    }
    store
}

/// Mounts `<CallList/>` over `store` with a recording dispatcher.
fn mount_list(store: CallsStore) -> (web_sys::HtmlElement, UnboundedReceiver<Intent>, impl Sized) {
    let root = fresh_root();
    let (tx, rx) = unbounded();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        provide_widget_contexts(
            WidgetState {
                calls: store.clone(),
                agent: AgentStore::new(),
                connection: ConnectionState::Connected,
            },
            0,
            tx.clone(),
        );
        view! { <CallList/> }
    });
    (root, rx, handle)
}

#[wasm_bindgen_test]
async fn ringing_card_offers_answer_and_the_user_data_operations_only() {
    let (root, _rx, _handle) = mount_list(store_after(&[0]));
    tick().await;
    let id = "013V08JRL498H1OI04000VTAES00000R";
    let card = card(&root, id).expect("card rendered");
    assert_eq!(card.get_attribute("data-state").as_deref(), Some("Ringing"));
    assert_eq!(
        actions_of(&card),
        vec![
            "Answer",
            "AttachUserData",
            "UpdateUserData",
            "DeleteUserDataPair",
            "DeleteUserData"
        ]
    );
}

#[wasm_bindgen_test]
async fn clicking_a_button_dispatches_its_operation_once() {
    let (root, mut rx, _handle) = mount_list(store_after(&[0, 1]));
    tick().await;
    let id = "013V08JRL498H1OI04000VTAES00000R";
    let hold = find(&root, "[data-action=\"Hold\"]").expect("Hold button");
    hold.unchecked_into::<web_sys::HtmlElement>().click();
    tick().await;
    let intent = rx.try_recv().expect("an intent");
    assert_eq!(intent, Intent::operation(id, Operation::Hold));
}

#[wasm_bindgen_test]
async fn unknown_capability_is_a_generic_button_and_the_card_still_renders() {
    let mut store = store_after(&[0, 1]);
    let mut sample: Vec<Value> = serde_json::from_str(SWAP_SAMPLE_2).expect("fixture");
    sample[1]["data"]["call"]["capabilities"]
        .as_array_mut()
        .expect("list")
        .push("BeamMeUp".into());
    sample[1]["data"]["call"]["state"] = "Levitating".into();
    if let Ok(Notification::Call(n)) = Notification::from_data(&sample[1]["data"]) {
        store.apply(1, &n);
    }
    let (root, mut rx, _handle) = mount_list(store);
    tick().await;
    let card = card(&root, "013V08JRL498H1OI04000VTAES00000R").expect("card");
    assert_eq!(
        card.get_attribute("data-state").as_deref(),
        Some("Levitating")
    );
    let beam = find(&card, "[data-action=\"BeamMeUp\"]").expect("generic button");
    assert_eq!(beam.text_content().as_deref(), Some("BeamMeUp"));
    beam.unchecked_into::<web_sys::HtmlElement>().click();
    tick().await;
    let intent = rx.try_recv().expect("an intent");
    assert_eq!(
        intent,
        Intent::operation(
            "013V08JRL498H1OI04000VTAES00000R",
            Operation::Unknown("BeamMeUp".into())
        )
    );
}

#[wasm_bindgen_test]
async fn server_strings_render_as_text_never_as_html() {
    let mut sample: Vec<Value> = serde_json::from_str(SWAP_SAMPLE_2).expect("fixture");
    let evil = "<img src=x onerror=alert(1)>";
    sample[0]["data"]["call"]["participants"][0]["formattedPhoneNumber"] = evil.into();
    sample[0]["data"]["call"]["state"] = evil.into();
    let mut store = CallsStore::new();
    if let Ok(Notification::Call(n)) = Notification::from_data(&sample[0]["data"]) {
        store.apply(0, &n);
    }
    let (root, _rx, _handle) = mount_list(store);
    tick().await;
    assert!(
        find(&root, "img").is_none(),
        "no element was created from server data"
    );
    let parties = find(&root, "[data-testid=\"call-parties\"]").and_then(|p| p.text_content());
    assert_eq!(parties.as_deref(), Some(evil));
}

/// The same announcement twice in a row — the same caller ringing again — changes the live
/// region's text each time, so a screen reader speaks it again. (Clearing the region first was
/// undone before the view updated: the DOM did not change and nothing was spoken.)
#[wasm_bindgen_test]
async fn a_repeated_announcement_changes_the_live_region_again() {
    use gws_widget::components::announcer::Announcer;
    let root = fresh_root();
    let (tx, _rx) = unbounded();
    let announcer = std::rc::Rc::new(std::cell::RefCell::new(None));
    let provided = announcer.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let (_, _, _, _, said) = provide_widget_contexts(WidgetState::default(), 0, tx.clone());
        *provided.borrow_mut() = Some(said);
        view! { <Announcer/> }
    });
    let said = announcer.borrow().expect("mounted");
    let mut seen = Vec::new();
    for _ in 0..3 {
        said.say("Incoming call from 5000");
        tick().await;
        seen.push(text_of(&root, "[data-testid=\"announcer\"]"));
    }
    assert!(
        seen.iter().all(|t| t.trim() == "Incoming call from 5000"),
        "{seen:?}"
    );
    assert_ne!(seen[0], seen[1], "the second one changed the region");
    assert_ne!(seen[1], seen[2], "and the third");
}

/// `<ConnectionBadge/>` alone, reconnecting (attempt 2, the next try at 10 s): its root, the
/// contexts it reads, and the mount (alive until dropped).
fn mount_badge_reconnecting() -> (web_sys::HtmlElement, ProvidedContexts, impl Sized) {
    use gws_widget::components::connection_badge::ConnectionBadge;
    let root = fresh_root();
    let (tx, _rx) = unbounded();
    let provided = std::rc::Rc::new(std::cell::RefCell::new(None));
    let handle = {
        let provided = provided.clone();
        leptos::mount::mount_to(root.clone(), move || {
            let state = WidgetState {
                connection: ConnectionState::Reconnecting {
                    attempt: 2,
                    retry_at: Some(10_000),
                },
                ..WidgetState::default()
            };
            *provided.borrow_mut() = Some(provide_widget_contexts(state, 0, tx.clone()));
            view! { <ConnectionBadge/> }
        })
    };
    let contexts = provided.borrow_mut().take().expect("mounted");
    (root, contexts, handle)
}

/// While reconnecting, the badge shows the countdown but its live region — what a screen
/// reader speaks — says "Reconnecting…" once, not every second.
#[wasm_bindgen_test]
async fn the_badge_speaks_the_state_not_the_countdown() {
    let (root, (_, _, _, clock, _), _handle) = mount_badge_reconnecting();
    let mut shown = Vec::new();
    let mut spoken = Vec::new();
    for now in [0, 1_000, 2_000] {
        clock.0.set(now);
        tick().await;
        shown.push(text_of(&root, ".gws-connection__label"));
        spoken.push(text_of(&root, "[data-testid=\"connection-status\"]"));
    }
    assert_eq!(
        shown,
        [
            "Reconnecting in 10 s",
            "Reconnecting in 9 s",
            "Reconnecting in 8 s"
        ]
    );
    assert!(
        spoken.iter().all(|s| s.trim() == "Reconnecting…"),
        "{spoken:?}"
    );
    let live = find(&root, "[role=\"status\"][aria-live=\"polite\"]").expect("a live region");
    assert_eq!(
        live.get_attribute("data-testid").as_deref(),
        Some("connection-status")
    );
}

/// "Retry now" goes once used (the state turns to connecting): the focus stays on the badge
/// instead of falling to the host page.
#[wasm_bindgen_test]
async fn the_focus_stays_on_the_badge_when_retry_now_goes() {
    let (root, (_, _, connection, _, _), _handle) = mount_badge_reconnecting();
    let retry: web_sys::HtmlElement = find(&root, "[data-testid=\"retry-now\"]")
        .expect("Retry now")
        .unchecked_into();
    retry.focus().expect("focus");
    connection.0.set(ConnectionState::Connecting);
    tick().await;
    assert!(find(&root, "[data-testid=\"retry-now\"]").is_none());
    let badge = find(&root, "[data-testid=\"connection\"]").expect("badge");
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    assert_eq!(active, Some(badge));
}

/// The parts of a CSS `rgb()`/`rgba()` colour, as `getComputedStyle` writes it.
fn rgb(css: &str) -> [f64; 3] {
    let inner = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let parts: Vec<f64> = inner
        .split(',')
        .take(3)
        .map(|p| p.trim().parse().expect("a number"))
        .collect();
    [parts[0], parts[1], parts[2]]
}

/// The WCAG 2.x contrast ratio of two colours.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let linear = |v: f64| {
            let v = v / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The widget's default colours meet WCAG 2.1 AA in both themes: the text of every operation
/// button (Answer, Hold, Hang up and a secondary one) ≥ 4.5:1 on its fill, a field's border
/// ≥ 3:1 on the widget's background (the dark theme's white-on-light fills were 2.3–2.8:1).
#[wasm_bindgen_test]
async fn the_default_themes_meet_the_contrast_minimums() {
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let style = document.create_element("style").expect("style");
    style.set_text_content(Some(gws_widget::WIDGET_CSS));
    document
        .head()
        .expect("head")
        .append_child(&style)
        .expect("append");
    let calls = |store: &mut CallsStore| {
        for (id, state, capabilities) in [
            ("ringing", "Ringing", vec!["Answer"]),
            (
                "talking",
                "Established",
                vec!["Hold", "Hangup", "InitiateTransfer"],
            ),
        ] {
            let data = serde_json::json!({
                "messageType": "CallStateChangeMessage",
                "notificationType": "StatusChange",
                "call": {"id": id, "state": state, "capabilities": capabilities,
                         "participants": [{"phoneNumber": "5000"}]}
            });
            if let Ok(Notification::Call(n)) = Notification::from_data(&data) {
                store.apply(0, &n);
            }
        }
    };
    for theme in ["gws-widget", "gws-widget gws-widget--dark"] {
        let mut store = CallsStore::new();
        calls(&mut store);
        let (root, _intents, _handle) = mount_list(store);
        root.set_class_name(theme);
        let field = document.create_element("input").expect("input");
        field.set_class_name("gws-input");
        root.append_child(&field).expect("append");
        tick().await;
        let window = web_sys::window().expect("window");
        let computed = |element: &web_sys::Element, property: &str| {
            let style = window
                .get_computed_style(element)
                .expect("style")
                .expect("computed");
            style.get_property_value(property).expect("property")
        };
        let background = rgb(&computed(&root, "background-color"));
        for action in ["Answer", "Hold", "Hangup", "InitiateTransfer"] {
            let button = find(&root, &format!("[data-action=\"{action}\"]")).expect(action);
            let fill = rgb(&computed(&button, "background-color"));
            let text = rgb(&computed(&button, "color"));
            let ratio = contrast(text, fill);
            assert!(ratio >= 4.5, "{theme}: {action} text {ratio:.2}:1");
        }
        let input = find(&root, ".gws-input").expect("input");
        let border = rgb(&computed(&input, "border-top-color"));
        let ratio = contrast(border, background);
        assert!(ratio >= 3.0, "{theme}: field border {ratio:.2}:1");
    }
    style.remove();
}
