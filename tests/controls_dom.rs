//! DOM tests of every control family, with a recording dispatcher and fixture stores: the
//! buttons of each situation of gws-api.md §10.1 (A–L), the inputs operations ask for, pending,
//! errors, the agent bar and the dial pad. No server involved.

#![cfg(target_arch = "wasm32")]

mod support;

use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use gws_client::WidgetState;
use gws_client::{AgentStore, CallsStore, ConnectionState};
use gws_protocol::api::{AgentStateSetting, OperationRequest, User};
use gws_protocol::notification::{CallNotification, NotificationType};
use gws_protocol::{Call, CallState, CallType, Device, OnOff, Operation, Participant, UserState};
use gws_widget::components::agent_bar::AgentBar;
use gws_widget::components::call_list::CallList;
use gws_widget::components::supervisor_panel::SupervisorPanel;
use gws_widget::context::provide_widget_contexts;
use gws_widget::intent::Intent;
use leptos::prelude::*;
use serde_json::json;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const UD4: [&str; 4] = [
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "DeleteUserDataPair",
];

fn call(id: &str, state: CallState, extra: &[&str]) -> Call {
    Call {
        id: id.into(),
        state,
        call_type: Some(CallType::Internal),
        participants: vec![Participant::internal("5000")],
        capabilities: UD4
            .iter()
            .chain(extra)
            .map(|c| Operation::parse(c))
            .collect(),
        uri: format!("http://127.0.0.1:8080/api/v2/me/calls/{id}").into(),
        duration: "0".into(),
        ..Call::default()
    }
}

/// `call` as a StatusChange notification.
fn status_change(call: Call) -> CallNotification {
    CallNotification {
        notification_type: NotificationType::StatusChange,
        call,
        phone_number: Default::default(),
        extensions: Default::default(),
        dtmf_digits: Default::default(),
    }
}

fn store_of(calls: Vec<Call>) -> CallsStore {
    let mut store = CallsStore::new();
    for call in calls {
        store.apply(0, &status_change(call));
    }
    store
}

struct Mounted {
    root: HtmlElement,
    intents: UnboundedReceiver<Intent>,
    /// The mounted view's calls and agent, to change them as notifications would.
    state: (RwSignal<CallsStore>, RwSignal<AgentStore>),
    _handle: Box<dyn std::any::Any>,
}

impl Mounted {
    fn next_intent(&mut self) -> Option<Intent> {
        self.intents.try_recv().ok()
    }
}

fn mount_calls(store: CallsStore, connection: ConnectionState) -> Mounted {
    mount_with(
        WidgetState {
            calls: store,
            agent: AgentStore::new(),
            connection,
        },
        || view! { <CallList/> }.into_any(),
    )
}

/// Mounts `view` in a fresh root over `state`.
fn mount_with(state: WidgetState, view: fn() -> AnyView) -> Mounted {
    let root = fresh_root();
    let (tx, intents) = unbounded();
    let provided = std::rc::Rc::new(std::cell::Cell::new(None));
    let handle = {
        let provided = provided.clone();
        leptos::mount::mount_to(root.clone(), move || {
            let (calls, agent, ..) = provide_widget_contexts(state.clone(), 0, tx.clone());
            provided.set(Some((calls.0, agent.0)));
            view()
        })
    };
    Mounted {
        root,
        intents,
        state: provided.get().expect("mounted"),
        _handle: Box::new(handle),
    }
}

fn card_actions(root: &Element, id: &str) -> Vec<String> {
    actions_of(&card(root, id).expect("card"))
}

fn click(element: Element) {
    element.unchecked_into::<HtmlElement>().click();
}

fn type_into(root: &Element, selector: &str, text: &str) {
    let input: HtmlInputElement = find(root, selector).expect(selector).unchecked_into();
    input.set_value(text);
    input
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("dispatch");
}

fn button(root: &Element, id: &str, operation: &str) -> Element {
    find(
        &card(root, id).expect("card"),
        &format!("[data-action=\"{operation}\"]"),
    )
    .expect(operation)
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}

fn names(list: &[&str]) -> Vec<String> {
    sorted(
        list.iter()
            .chain(UD4.iter())
            .map(|s| s.to_string())
            .collect(),
    )
}

#[wasm_bindgen_test]
async fn every_situation_of_the_capability_table_shows_exactly_its_buttons() {
    // (situation, state, capabilities besides UD4) from gws-api.md §10.1.
    let d = [
        "Hangup",
        "Hold",
        "SendDtmf",
        "InitiateConference",
        "InitiateTransfer",
        "SingleStepConference",
        "SingleStepTransfer",
    ];
    let with = |base: &[&'static str], more: &[&'static str]| {
        base.iter().chain(more).copied().collect::<Vec<&str>>()
    };
    let situations: Vec<(&str, CallState, Vec<&str>)> = vec![
        ("A", CallState::Ringing, vec!["Answer"]),
        ("B", CallState::Dialing, vec!["Hangup", "SendDtmf"]),
        (
            "C",
            CallState::Dialing,
            vec!["Hangup", "SendDtmf", "SwapCalls", "CompleteTransfer"],
        ),
        ("D", CallState::Established, d.to_vec()),
        (
            "E",
            CallState::Established,
            with(&d, &["SwapCalls", "CompleteTransfer", "CompleteConference"]),
        ),
        (
            "F",
            CallState::Held,
            vec![
                "Retrieve",
                "Hangup",
                "InitiateConference",
                "InitiateTransfer",
                "SingleStepConference",
                "SingleStepTransfer",
            ],
        ),
        ("H", CallState::Released, vec![]),
        ("I", CallState::Established, with(&d, &["UnmuteCall"])),
        (
            "J",
            CallState::Established,
            with(&d, &["PauseCallRecording", "StopCallRecording"]),
        ),
        (
            "K",
            CallState::Established,
            with(&d, &["SwitchToBargeIn", "RemoveParticipantFromConference"]),
        ),
        (
            "L",
            CallState::Established,
            with(&d, &["SwitchToListenIn", "RemoveParticipantFromConference"]),
        ),
    ];
    for (name, state, extra) in situations {
        let released = state == CallState::Released;
        let mut fixture = call(&format!("call-{name}"), state, &extra);
        let mut history = Vec::new();
        if released {
            fixture.capabilities.clear();
            // A call is only ever released after it was seen alive.
            history.push(call(&format!("call-{name}"), CallState::Established, &d));
        }
        history.push(fixture);
        let mounted = mount_calls(store_of(history), ConnectionState::Connected);
        tick().await;
        let shown = sorted(card_actions(&mounted.root, &format!("call-{name}")));
        let expected = if released { Vec::new() } else { names(&extra) };
        assert_eq!(shown, expected, "situation {name}");
        mounted.root.remove();
    }
}

#[wasm_bindgen_test]
async fn primary_controls_come_first_in_a_stable_order() {
    let fixture = call(
        "c",
        CallState::Established,
        &["SendDtmf", "Hangup", "InitiateTransfer", "Hold"],
    );
    let mounted = mount_calls(store_of(vec![fixture]), ConnectionState::Connected);
    tick().await;
    let shown = card_actions(&mounted.root, "c");
    assert_eq!(&shown[..3], ["Hold", "Hangup", "SendDtmf"]);
}

#[wasm_bindgen_test]
async fn transfer_asks_for_a_valid_destination_before_sending() {
    let mut mounted = mount_calls(
        store_of(vec![call(
            "c",
            CallState::Established,
            &["InitiateTransfer"],
        )]),
        ConnectionState::Connected,
    );
    tick().await;
    click(button(&mounted.root, "c", "InitiateTransfer"));
    tick().await;
    assert!(
        mounted.next_intent().is_none(),
        "nothing sent before a number is given"
    );
    type_into(&mounted.root, "[data-testid=\"destination-input\"]", "50a1");
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    assert!(
        find(&mounted.root, "[data-testid=\"form-error\"]").is_some(),
        "invalid number is explained"
    );
    assert!(mounted.next_intent().is_none());
    type_into(
        &mounted.root,
        "[data-testid=\"destination-input\"]",
        " 50-01 ",
    );
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    let expected = Intent::call(
        "c",
        OperationRequest::new(Operation::InitiateTransfer).with_destination("5001"),
    );
    assert_eq!(mounted.next_intent(), Some(expected));
    assert!(
        find(&mounted.root, "[data-testid=\"destination-form\"]").is_none(),
        "the form closes"
    );
}

#[wasm_bindgen_test]
async fn keypad_sends_the_digits_in_one_request() {
    let mut mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["SendDtmf"])]),
        ConnectionState::Connected,
    );
    tick().await;
    click(button(&mounted.root, "c", "SendDtmf"));
    tick().await;
    for digit in ["1", "2", "#"] {
        click(find(&mounted.root, &format!("[data-digit=\"{digit}\"]")).expect("key"));
    }
    tick().await;
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    let mut expected = OperationRequest::new(Operation::SendDtmf);
    expected.digits = Some(json!("12#"));
    assert_eq!(mounted.next_intent(), Some(Intent::call("c", expected)));
}

/// Only the held call pairs with the active one, so there is nothing to ask — also beside a
/// ringing call (found by the random walk, random_walk_e2e.rs: the ringing call was offered to
/// swap with, and the server refused it).
#[wasm_bindgen_test]
async fn swap_with_the_only_call_that_pairs_needs_no_question() {
    for with_ringing in [false, true] {
        let mut calls = vec![call("held", CallState::Held, &["Retrieve"])];
        if with_ringing {
            calls.push(call("ringing", CallState::Ringing, &["Answer"]));
        }
        calls.push(call("active", CallState::Established, &["SwapCalls"]));
        let mut mounted = mount_calls(store_of(calls), ConnectionState::Connected);
        tick().await;
        click(button(&mounted.root, "active", "SwapCalls"));
        tick().await;
        let mut expected = OperationRequest::new(Operation::SwapCalls);
        expected.other_call_uri = Some(json!("http://127.0.0.1:8080/api/v2/me/calls/held"));
        assert_eq!(
            mounted.next_intent(),
            Some(Intent::call("active", expected)),
            "beside a ringing call: {with_ringing}"
        );
    }
}

#[wasm_bindgen_test]
async fn merge_with_several_other_calls_asks_which() {
    let active = call("active", CallState::Established, &["MergeWithOtherCall"]);
    let mut mounted = mount_calls(
        store_of(vec![
            call("h1", CallState::Held, &[]),
            call("h2", CallState::Held, &[]),
            active,
        ]),
        ConnectionState::Connected,
    );
    tick().await;
    click(button(&mounted.root, "active", "MergeWithOtherCall"));
    tick().await;
    assert!(mounted.next_intent().is_none());
    let choices = find_all(&mounted.root, "[data-testid=\"choice\"]");
    assert_eq!(choices.len(), 2);
    click(choices[1].clone());
    tick().await;
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    let mut expected = OperationRequest::new(Operation::MergeWithOtherCall);
    expected.other_call_uri = Some(json!("http://127.0.0.1:8080/api/v2/me/calls/h2"));
    assert_eq!(
        mounted.next_intent(),
        Some(Intent::call("active", expected))
    );
}

/// A form opened from the keyboard takes the focus on its first field; Escape closes it and
/// the focus goes back to the button that opened it.
#[wasm_bindgen_test]
async fn a_form_takes_the_focus_and_escape_gives_it_back_to_its_button() {
    let mut mounted = mount_calls(
        store_of(vec![call(
            "c",
            CallState::Established,
            &["Hangup", "SendDtmf"],
        )]),
        ConnectionState::Connected,
    );
    tick().await;
    let keypad = button(&mounted.root, "c", "SendDtmf");
    focus(&keypad);
    click(keypad.clone());
    tick().await;
    let field = find(&mounted.root, "[data-testid=\"dtmf-input\"]").expect("the keypad");
    assert_eq!(focused(), Some(field.clone()));
    key_down(&field, "Escape");
    tick().await;
    assert!(find(&mounted.root, "[data-testid=\"dtmf-keypad\"]").is_none());
    assert_eq!(focused(), Some(keypad));
    assert_eq!(mounted.next_intent(), None);
}

/// A form with nothing to choose (no attached data to delete) has its submit disabled: the
/// focus goes to Cancel, so that its message is heard and Escape still closes it.
#[wasm_bindgen_test]
async fn an_empty_choice_form_focuses_cancel() {
    let mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["Hangup"])]),
        ConnectionState::Connected,
    );
    tick().await;
    // The attached-data operations are folded away: the agent opens them first.
    let folded = find(&mounted.root, ".gws-actions__data").expect("folded");
    folded.set_attribute("open", "").expect("open");
    let delete = button(&mounted.root, "c", "DeleteUserDataPair");
    focus(&delete);
    click(delete.clone());
    tick().await;
    let cancel = find(
        &mounted.root,
        "[data-testid=\"choice-form\"] [data-testid=\"form-cancel\"]",
    )
    .expect("the form");
    assert_eq!(focused(), Some(cancel.clone()));
    key_down(&cancel, "Escape");
    tick().await;
    assert!(find(&mounted.root, "[data-testid=\"choice-form\"]").is_none());
    assert_eq!(focused(), Some(delete));
}

/// Escape belongs to the widget only inside its own forms: a widget mounted without a shadow
/// root inside a host page's dialog leaves the host's Escape alone (the host's listener runs,
/// the widget's open form stays).
#[wasm_bindgen_test]
async fn escape_in_a_host_dialog_around_the_widget_is_the_hosts() {
    let mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["SendDtmf"])]),
        ConnectionState::Connected,
    );
    tick().await;
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let dialog = document.create_element("div").expect("div");
    dialog.set_attribute("role", "alertdialog").expect("role");
    let field = document.create_element("input").expect("input");
    dialog.append_child(&field).expect("append");
    document
        .body()
        .expect("body")
        .append_child(&dialog)
        .expect("append");
    dialog
        .append_child(&mounted.root)
        .expect("move the widget in");
    let heard = js_sys::eval("(() => { const seen = []; return seen; })()").expect("array");
    let listener = {
        let heard: js_sys::Array = heard.clone().unchecked_into();
        wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            heard.push(&"escape".into());
        })
    };
    dialog
        .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref())
        .expect("listen");
    click(button(&mounted.root, "c", "SendDtmf"));
    tick().await;
    key_down(&field, "Escape");
    tick().await;
    assert!(
        find(&mounted.root, "[data-testid=\"dtmf-keypad\"]").is_some(),
        "the widget's form stays open"
    );
    assert_eq!(
        heard.unchecked_ref::<js_sys::Array>().length(),
        1,
        "the host heard its Escape"
    );
    dialog.remove();
}

/// A consult still dialing, of the call `parent`, offering CompleteTransfer.
fn consult_of_parent() -> Call {
    let mut consult = call(
        "consult",
        CallState::Dialing,
        &["Hangup", "CompleteTransfer", "SwapCalls"],
    );
    consult.call_type = Some(CallType::Consult);
    consult.parent_call_uri = "http://127.0.0.1:8080/api/v2/me/calls/parent".into();
    consult
}

#[wasm_bindgen_test]
async fn complete_transfer_on_a_linked_consult_sends_at_once() {
    let parent = call("parent", CallState::Held, &["Retrieve"]);
    let consult = consult_of_parent();
    let mut mounted = mount_calls(store_of(vec![parent, consult]), ConnectionState::Connected);
    tick().await;
    let group = find(&mounted.root, ".gws-call-group").expect("group");
    assert_eq!(
        find_all(&group, "[data-testid=\"call-card\"]").len(),
        2,
        "the consult sits with its parent"
    );
    click(button(&mounted.root, "consult", "CompleteTransfer"));
    tick().await;
    assert_eq!(
        mounted.next_intent(),
        Some(Intent::operation("consult", Operation::CompleteTransfer))
    );
}

/// Found by the random walk (random_walk_e2e.rs): once a consult's parent had gone (the
/// customer hung up), its CompleteTransfer button still sent the request without the call to
/// complete with — the button kept the action it was made with (linked, no input) — and the
/// server, finding no related call, refused it. Now the held call, the only one that pairs, is
/// named.
#[wasm_bindgen_test]
async fn complete_transfer_on_a_consult_whose_parent_left_names_the_held_call() {
    let parent = call("parent", CallState::Held, &["Retrieve"]);
    let held = call("held", CallState::Held, &["Retrieve"]);
    let consult = consult_of_parent();
    let mut mounted = mount_calls(
        store_of(vec![parent.clone(), held, consult]),
        ConnectionState::Connected,
    );
    tick().await;
    let mut released = parent;
    released.state = CallState::Released;
    released.capabilities = Vec::new();
    mounted.state.0.update(|store| {
        store.apply(10, &status_change(released));
    });
    tick().await;
    click(button(&mounted.root, "consult", "CompleteTransfer"));
    tick().await;
    let mut expected = OperationRequest::new(Operation::CompleteTransfer);
    expected.consult_call_uri = Some(json!("http://127.0.0.1:8080/api/v2/me/calls/held"));
    assert_eq!(
        mounted.next_intent(),
        Some(Intent::call("consult", expected))
    );
}

#[wasm_bindgen_test]
async fn remove_participant_offers_the_conference_parties() {
    let mut conference = call(
        "conf",
        CallState::Established,
        &["RemoveParticipantFromConference"],
    );
    conference.participants = vec![Participant::internal("5000"), Participant::internal("5001")];
    let mut mounted = mount_calls(store_of(vec![conference]), ConnectionState::Connected);
    tick().await;
    click(button(
        &mounted.root,
        "conf",
        "RemoveParticipantFromConference",
    ));
    tick().await;
    let choices = find_all(&mounted.root, "[data-testid=\"choice\"]");
    assert_eq!(
        choices
            .iter()
            .filter_map(|c| c.get_attribute("value"))
            .collect::<Vec<_>>(),
        vec!["5000", "5001"]
    );
    click(choices[1].clone());
    tick().await;
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    let mut expected = OperationRequest::new(Operation::RemoveParticipantFromConference);
    expected.participant = Some(json!("5001"));
    assert_eq!(mounted.next_intent(), Some(Intent::call("conf", expected)));
}

#[wasm_bindgen_test]
async fn user_data_is_shown_as_text_and_edited_by_key_and_value() {
    let mut fixture = call("c", CallState::Established, &[]);
    let evil = "<img src=x onerror=alert(1)>";
    fixture.user_data =
        (Some(serde_json::from_value(json!({"AccountNumber": "123", "Note": evil})).expect("map")))
            .into();
    let mut mounted = mount_calls(store_of(vec![fixture]), ConnectionState::Connected);
    tick().await;
    let data = find(&mounted.root, "[data-testid=\"user-data\"]")
        .expect("data list")
        .text_content()
        .unwrap_or_default();
    assert!(data.contains("AccountNumber") && data.contains("123") && data.contains(evil));
    assert!(
        find(&mounted.root, "img").is_none(),
        "no markup from server data"
    );

    click(button(&mounted.root, "c", "UpdateUserData"));
    tick().await;
    type_into(&mounted.root, "[data-testid=\"user-data-key\"]", "Segment");
    type_into(&mounted.root, "[data-testid=\"user-data-value\"]", "Gold");
    click(find(&mounted.root, "[data-testid=\"form-submit\"]").expect("submit"));
    tick().await;
    let mut expected = OperationRequest::new(Operation::UpdateUserData);
    expected.user_data = Some(json!({"Segment": "Gold"}));
    assert_eq!(mounted.next_intent(), Some(Intent::call("c", expected)));

    click(button(&mounted.root, "c", "DeleteUserDataPair"));
    tick().await;
    let keys: Vec<String> = find_all(&mounted.root, "[data-testid=\"choice\"]")
        .iter()
        .filter_map(|c| c.get_attribute("value"))
        .collect();
    assert_eq!(keys, vec!["AccountNumber", "Note"]);
}

/// Pending, every control of the card is unavailable — `aria-disabled`, which keeps the
/// keyboard focus where `disabled` would drop it on the host page's `<body>` — and a click on
/// one sends nothing.
#[wasm_bindgen_test]
async fn pending_operation_disables_the_card_and_marks_its_button() {
    let mut store = store_of(vec![call("c", CallState::Established, &["Hold", "Hangup"])]);
    assert!(store.mark_pending("c", Operation::Hold, 0));
    let mut mounted = mount_calls(store, ConnectionState::Connected);
    tick().await;
    let hold = button(&mounted.root, "c", "Hold");
    assert_eq!(hold.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(!is_enabled(&hold));
    let hangup = button(&mounted.root, "c", "Hangup");
    assert!(!is_enabled(&hangup), "one operation at a time");
    assert!(
        !hold.has_attribute("disabled") && !hangup.has_attribute("disabled"),
        "never `disabled`: the focus would leave the widget"
    );
    click(hangup);
    tick().await;
    assert_eq!(mounted.next_intent(), None);
}

/// A `keydown` of `key` on `target`, as the keyboard sends it.
fn key_down(target: &Element, key: &str) {
    let event = js_sys::eval(&format!(
        "new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true, cancelable: true }})"
    ))
    .expect("event");
    target
        .dispatch_event(event.unchecked_ref())
        .expect("dispatch");
}

/// The element that has the focus in the document, if any but `<body>`.
fn focused() -> Option<Element> {
    let document = web_sys::window()?.document()?;
    document
        .active_element()
        .filter(|active| document.body().is_none_or(|body| *body != *active))
}

fn focus(element: &Element) {
    element
        .unchecked_ref::<HtmlElement>()
        .focus()
        .expect("focus");
}

/// The notification of call `id` in `state` with `capabilities`, applied as the loop would.
fn notify(mounted: &Mounted, id: &str, state: CallState, capabilities: &[&str]) {
    let notification = status_change(call(id, state, capabilities));
    mounted.state.0.update(|store| {
        store.apply(1, &notification);
    });
}

/// A keyboard user holds with Enter: the pending Hold keeps the focus, and when the Held
/// notification replaces Hold with Retrieve the focus is on Retrieve — not on the CRM page's
/// `<body>`, from where they would have to tab back through the whole page.
#[wasm_bindgen_test]
async fn the_focus_passes_from_a_replaced_button_to_its_pair() {
    let mut store = store_of(vec![call("c", CallState::Established, &["Hold", "Hangup"])]);
    let mounted = mount_calls(store.clone(), ConnectionState::Connected);
    tick().await;
    focus(&button(&mounted.root, "c", "Hold"));
    assert!(store.mark_pending("c", Operation::Hold, 0));
    mounted.state.0.set(store);
    tick().await;
    let still = focused().and_then(|e| e.get_attribute("data-action"));
    assert_eq!(still.as_deref(), Some("Hold"), "pending keeps the focus");

    notify(&mounted, "c", CallState::Held, &["Retrieve", "Hangup"]);
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-action"));
    assert_eq!(now.as_deref(), Some("Retrieve"));
}

/// Firefox and Safari fire no `focusout` when the focused element is removed: the focus is
/// kept all the same (the removal is seen by a mutation observer). Simulated here by stopping
/// every `focusout` before the document sees it.
#[wasm_bindgen_test]
async fn the_focus_is_kept_without_a_focusout_as_in_firefox() {
    let window = web_sys::window().expect("window");
    let swallow =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
            event.stop_immediate_propagation()
        });
    window
        .add_event_listener_with_callback_and_bool(
            "focusout",
            swallow.as_ref().unchecked_ref(),
            true,
        )
        .expect("listen");
    let mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["Hold", "Hangup"])]),
        ConnectionState::Connected,
    );
    tick().await;
    focus(&button(&mounted.root, "c", "Hold"));
    notify(&mounted, "c", CallState::Held, &["Retrieve", "Hangup"]);
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-action"));
    window
        .remove_event_listener_with_callback_and_bool(
            "focusout",
            swallow.as_ref().unchecked_ref(),
            true,
        )
        .expect("unlisten");
    assert_eq!(now.as_deref(), Some("Retrieve"));
}

/// Released, the card loses its controls but lingers: the focus stays on the card, which says
/// what happened (its label), instead of falling to the page.
#[wasm_bindgen_test]
async fn the_focus_stays_on_a_card_whose_controls_went() {
    let mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["Hangup"])]),
        ConnectionState::Connected,
    );
    tick().await;
    focus(&button(&mounted.root, "c", "Hangup"));
    notify(&mounted, "c", CallState::Released, &[]);
    tick().await;
    let card = card(&mounted.root, "c").expect("the card lingers");
    assert!(find(&card, "[data-action]").is_none(), "no controls left");
    assert_eq!(focused(), Some(card));
}

/// Five seconds later the released card leaves the list: the focus it kept goes to the list
/// (never to another call's button, where the next Enter would act on a call not chosen).
#[wasm_bindgen_test]
async fn the_focus_of_a_card_that_leaves_goes_to_the_list() {
    let mounted = mount_calls(
        store_of(vec![
            call("c", CallState::Established, &["Hangup"]),
            call("other", CallState::Established, &["Hangup"]),
        ]),
        ConnectionState::Connected,
    );
    tick().await;
    focus(&button(&mounted.root, "c", "Hangup"));
    notify(&mounted, "c", CallState::Released, &[]);
    tick().await;
    assert_eq!(focused(), card(&mounted.root, "c"));
    mounted.state.0.update(|store| {
        store.retire_released(10_000, 5_000);
    });
    tick().await;
    assert!(card(&mounted.root, "c").is_none(), "retired");
    let list = find(&mounted.root, "[data-testid=\"call-list\"]").expect("list");
    assert_eq!(focused(), Some(list));
}

/// Only a loss caused by a re-render is mended: focus the agent moved away (to the page) is not
/// taken back when the card changes afterwards. The page's DOM is observed only while a
/// widget control has the focus (a CRM page changes its DOM all day).
#[wasm_bindgen_test]
async fn the_focus_the_agent_moved_away_is_not_taken_back() {
    let mounted = mount_calls(
        store_of(vec![call("c", CallState::Established, &["Hold", "Hangup"])]),
        ConnectionState::Connected,
    );
    tick().await;
    let hold = button(&mounted.root, "c", "Hold");
    focus(&hold);
    let document: web_sys::Node = web_sys::window()
        .and_then(|w| w.document())
        .expect("document")
        .into();
    assert_eq!(gws_widget::focus::observed_root(), Some(document));
    hold.unchecked_ref::<HtmlElement>().blur().expect("blur");
    tick().await;
    assert_eq!(gws_widget::focus::observed_root(), None, "nothing observed");
    notify(&mounted, "c", CallState::Held, &["Retrieve", "Hangup"]);
    tick().await;
    assert_eq!(focused(), None);
}

#[wasm_bindgen_test]
async fn an_error_is_shown_on_the_card_with_the_state_unchanged() {
    let mut store = store_of(vec![call("c", CallState::Established, &["Hold"])]);
    store.mark_pending("c", Operation::Hold, 0);
    store.operation_failed("c", "Hold failed: Operation forbidden (code 3)".into());
    let mounted = mount_calls(store, ConnectionState::Connected);
    tick().await;
    let card = card(&mounted.root, "c").expect("card");
    assert_eq!(
        card.get_attribute("data-state").as_deref(),
        Some("Established")
    );
    let error = find(&card, "[data-testid=\"call-error\"]").expect("error shown");
    assert_eq!(
        error.get_attribute("role"),
        None,
        "the announcer says it once; an alert would say it again"
    );
    assert!(
        error
            .text_content()
            .unwrap_or_default()
            .contains("Operation forbidden")
    );
    assert!(
        is_enabled(&button(&mounted.root, "c", "Hold")),
        "the agent may try again"
    );
}

#[wasm_bindgen_test]
async fn controls_pause_while_the_connection_is_down() {
    let mut mounted = mount_calls(
        store_of(vec![call("c", CallState::Ringing, &["Answer"])]),
        ConnectionState::Reconnecting {
            attempt: 2,
            retry_at: Some(5000),
        },
    );
    tick().await;
    let answer = button(&mounted.root, "c", "Answer");
    assert!(!is_enabled(&answer));
    click(answer.clone());
    tick().await;
    assert_eq!(mounted.next_intent(), None, "paused controls send nothing");
    assert!(
        answer
            .get_attribute("title")
            .unwrap_or_default()
            .contains("not connected")
    );
}

fn agent_fixture() -> AgentStore {
    let device = Device {
        id: "dev-1".into(),
        phone_number: "5005".into(),
        do_not_disturb: Some(OnOff::Off),
        user_state: Some(UserState {
            id: "ready-id".into(),
            display_name: "Ready".into(),
            state: "Ready".into(),
            ..UserState::default()
        }),
        capabilities: vec![Operation::DoNotDisturbOn, Operation::ForwardCallsOn],
        ..Device::default()
    };
    let mut agent = AgentStore::new();
    agent.set_user(User {
        first_name: "Alice".into(),
        last_name: "Agent".into(),
        devices: vec![device],
        ..User::default()
    });
    let setting = |id: &str, name: &str, op: &str, reason: Option<&str>| AgentStateSetting {
        id: id.into(),
        display_name: name.into(),
        state: Some(if op == "Ready" { "Ready" } else { "NotReady" }.into()).into(),
        operation_name: op.into(),
        reason_code: reason.map(str::to_string).into(),
        work_mode: Default::default(),
    };
    agent.agent_states = vec![
        setting("ready-id", "Ready", "Ready", None),
        setting("nr-id", "Not Ready", "NotReady", None),
        setting("lunch-id", "Lunch", "NotReady", Some("Lunch")),
    ];
    agent
}

fn mount_agent_bar(agent: AgentStore) -> Mounted {
    mount_with(
        WidgetState {
            calls: CallsStore::new(),
            agent,
            connection: ConnectionState::Connected,
        },
        || view! { <AgentBar/> }.into_any(),
    )
}

/// The agent bar of a logged-in agent with a call up (Log out asks first).
fn mount_agent_bar_on_a_call() -> Mounted {
    let mut agent = agent_fixture();
    agent.logged_in = Some(true);
    mount_with(
        WidgetState {
            calls: store_of(vec![call("c", CallState::Established, &["Hangup"])]),
            agent,
            connection: ConnectionState::Connected,
        },
        || view! { <AgentBar/> }.into_any(),
    )
}

/// The intent of the fixture's third state: NotReady with the reason code Lunch.
fn not_ready_for_lunch() -> Intent {
    let mut request = OperationRequest::new(Operation::NotReady);
    request.reason_code = Some(json!("Lunch"));
    Intent::AgentState(Box::new(request))
}

#[wasm_bindgen_test]
async fn agent_bar_shows_the_agent_and_sends_not_ready_with_its_reason() {
    let mut mounted = mount_agent_bar(agent_fixture());
    tick().await;
    let text = |selector: &str| {
        find(&mounted.root, selector)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    assert_eq!(text("[data-testid=\"agent-name\"]"), "Alice Agent");
    assert_eq!(text("[data-testid=\"agent-dn\"]"), "5005");
    assert_eq!(text("[data-testid=\"agent-state\"]"), "Ready");
    let state = find(&mounted.root, "[data-testid=\"agent-state\"]").expect("state");
    assert_eq!(
        state.get_attribute("role").as_deref(),
        Some("status"),
        "a state change is heard"
    );
    let select: HtmlSelectElement = find(&mounted.root, "[data-testid=\"agent-state-select\"]")
        .expect("select")
        .unchecked_into();
    assert_eq!(select.length(), 4, "placeholder + three configured states");
    select.set_value("2");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    tick().await;
    assert_eq!(mounted.next_intent(), Some(not_ready_for_lunch()));
}

/// A key that moves the closed select's value (Windows: ArrowDown on the focused select changes
/// it and fires `change` at once) does not send a state: the choice waits for Enter, with a hint;
/// Escape drops it. A pick with the pointer sends at once (the test above).
#[wasm_bindgen_test]
async fn a_keyboard_change_of_the_agent_state_waits_for_enter() {
    let mut mounted = mount_agent_bar(agent_fixture());
    tick().await;
    let select: HtmlSelectElement = find(&mounted.root, "[data-testid=\"agent-state-select\"]")
        .expect("select")
        .unchecked_into();
    let key = |key: &str| key_down(&select, key);
    let arrow_to = |value: &str| {
        // What the browser does: the keydown, then (before the next task) the change.
        key("ArrowDown");
        select.set_value(value);
        select
            .dispatch_event(&web_sys::Event::new("change").expect("event"))
            .expect("dispatch");
    };
    arrow_to("1");
    tick().await;
    assert_eq!(mounted.next_intent(), None, "only looking");
    let hint = || text_of(&mounted.root, "[data-testid=\"agent-state-hint\"]");
    assert!(!hint().is_empty(), "the hint says to press Enter");
    assert_eq!(select.value(), "1", "the choice stays shown");
    key("Escape");
    tick().await;
    assert_eq!(hint(), "", "the hint's live region stays, empty");
    assert_eq!(select.value(), "", "back to the prompt");
    assert_eq!(mounted.next_intent(), None);

    arrow_to("2");
    tick().await;
    key("Enter");
    tick().await;
    assert_eq!(mounted.next_intent(), Some(not_ready_for_lunch()));
    assert!(
        !select.has_attribute("disabled"),
        "never disabled: the focus would leave for the host page"
    );
}

#[wasm_bindgen_test]
async fn device_controls_follow_the_device_capabilities() {
    let mut mounted = mount_agent_bar(agent_fixture());
    tick().await;
    let actions = actions_of(&mounted.root);
    assert!(actions.contains(&"DoNotDisturbOn".to_string()));
    assert!(
        !actions.contains(&"DoNotDisturbOff".to_string()),
        "only the partner of the current state"
    );
    click(find(&mounted.root, "[data-action=\"DoNotDisturbOn\"]").expect("dnd"));
    tick().await;
    assert_eq!(
        mounted.next_intent(),
        Some(Intent::DeviceOperation(Box::new(OperationRequest::new(
            Operation::DoNotDisturbOn
        ))))
    );

    click(find(&mounted.root, "[data-action=\"ForwardCallsOn\"]").expect("forward"));
    tick().await;
    type_into(&mounted.root, "[data-testid=\"destination-input\"]", "5001");
    click(
        find(
            &mounted.root,
            "[data-testid=\"destination-form\"] [data-testid=\"form-submit\"]",
        )
        .expect("submit"),
    );
    tick().await;
    let mut expected = OperationRequest::new(Operation::ForwardCallsOn);
    expected.destination = Some(json!("5001"));
    assert_eq!(
        mounted.next_intent(),
        Some(Intent::DeviceOperation(Box::new(expected))),
        "ForwardCallsOn takes a plain string"
    );
}

/// Do not disturb turned on replaces its button with "off": the focus goes with it.
#[wasm_bindgen_test]
async fn the_agent_bars_focus_passes_to_a_toggles_pair() {
    let mounted = mount_agent_bar(agent_fixture());
    tick().await;
    focus(&find(&mounted.root, "[data-action=\"DoNotDisturbOn\"]").expect("dnd on"));
    mounted.state.1.update(|agent| {
        let device = agent.device.as_mut().expect("the agent's device");
        device.do_not_disturb = Some(OnOff::On);
        device.capabilities = vec![Operation::DoNotDisturbOff, Operation::ForwardCallsOn];
    });
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-action"));
    assert_eq!(now.as_deref(), Some("DoNotDisturbOff"));
}

/// Log out during a call opens an alertdialog that takes the focus on its safe choice
/// (Cancel); Escape closes it and gives the focus back to the Log out button.
#[wasm_bindgen_test]
async fn the_logout_confirmation_takes_the_focus_and_gives_it_back() {
    let mut mounted = mount_agent_bar_on_a_call();
    tick().await;
    let log_out = find(&mounted.root, "[data-testid=\"voice-login\"]").expect("log out");
    focus(&log_out);
    click(log_out.clone());
    tick().await;
    let cancel = find(&mounted.root, "[data-testid=\"logout-cancel\"]").expect("asked first");
    assert_eq!(focused(), Some(cancel.clone()));
    let dialog = find(&mounted.root, "[role=\"alertdialog\"]").expect("the dialog");
    let question = dialog
        .get_attribute("aria-describedby")
        .and_then(|id| find(&mounted.root, &format!("#{id}")))
        .and_then(|q| q.text_content())
        .unwrap_or_default();
    assert!(!question.is_empty(), "the question is read with the dialog");
    key_down(&cancel, "Escape");
    tick().await;
    assert!(find(&mounted.root, "[data-testid=\"logout-confirm\"]").is_none());
    assert_eq!(focused(), Some(log_out));
    assert_eq!(mounted.next_intent(), None, "nothing sent");
}

/// The supervisor starts listening in from the keyboard: the mode pending keeps the focus
/// (`aria-disabled`), and when the device offers only "Stop monitoring" the focus is on it.
#[wasm_bindgen_test]
async fn the_supervisor_panels_focus_follows_the_modes_offered() {
    let mut agent = agent_fixture();
    let device = agent.device.as_mut().expect("the agent's device");
    device.capabilities = vec![Operation::ListenIn, Operation::Coach, Operation::BargeIn];
    let mut mounted = mount_with(
        WidgetState {
            calls: CallsStore::new(),
            agent,
            connection: ConnectionState::Connected,
        },
        || view! { <SupervisorPanel/> }.into_any(),
    );
    tick().await;
    let listen_in = find(&mounted.root, "[data-action=\"ListenIn\"]").expect("ListenIn");
    focus(&listen_in);
    mounted
        .state
        .1
        .update(|agent| agent.pending = Some(Operation::ListenIn));
    tick().await;
    assert!(!is_enabled(&listen_in));
    assert_eq!(
        focused(),
        Some(listen_in.clone()),
        "pending keeps the focus"
    );
    click(listen_in);
    tick().await;
    assert_eq!(mounted.next_intent(), None, "nothing sent while pending");

    mounted.state.1.update(|agent| {
        agent.pending = None;
        let device = agent.device.as_mut().expect("the agent's device");
        device.capabilities = vec![Operation::CancelSupervisorMonitoring];
    });
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-action"));
    assert_eq!(now.as_deref(), Some("CancelSupervisorMonitoring"));
}

/// A recent call offers "Call back", named for its party, which dials its number; when a call
/// changes, the rows are rebuilt in place and the focus stays on the button.
#[wasm_bindgen_test]
async fn a_recent_call_is_called_back_and_keeps_the_focus() {
    use gws_widget::components::recent_calls::RecentCalls;
    let mut calls = store_of(vec![call("done", CallState::Released, &[])]);
    calls.retire_released(10_000, 5_000);
    let mut mounted = mount_with(
        WidgetState {
            calls,
            agent: agent_fixture(),
            connection: ConnectionState::Connected,
        },
        || view! { <RecentCalls/> }.into_any(),
    );
    tick().await;
    find(&mounted.root, "[data-testid=\"recent-calls\"]")
        .expect("the list")
        .set_attribute("open", "")
        .expect("open");
    let call_back = find(&mounted.root, "[data-testid=\"call-back\"]").expect("call back");
    assert_eq!(
        call_back.get_attribute("aria-label").as_deref(),
        Some("Call back 5000")
    );
    focus(&call_back);
    click(call_back);
    tick().await;
    assert_eq!(mounted.next_intent(), Some(Intent::dial("5000")));

    notify(&mounted, "new", CallState::Ringing, &["Answer"]);
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(
        now.as_deref(),
        Some("call-back"),
        "the rebuilt row's button"
    );

    // A newer call is listed above: the rows are patched by position, and the focused button
    // would now show (and dial) 5002. The focus follows the call it was on.
    let mut newer = call("newer", CallState::Released, &[]);
    newer.participants = vec![Participant::internal("5002")];
    mounted.state.0.update(|store| {
        store.apply(20_000, &status_change(newer));
        store.retire_released(30_000, 5_000);
    });
    tick().await;
    let label = focused().and_then(|e| e.get_attribute("aria-label"));
    assert_eq!(
        label.as_deref(),
        Some("Call back 5000"),
        "still the chosen call"
    );
    click(focused().expect("focused"));
    tick().await;
    assert_eq!(mounted.next_intent(), Some(Intent::dial("5000")));

    mounted
        .state
        .1
        .update(|agent| agent.pending = Some(Operation::Dial));
    tick().await;
    click(find(&mounted.root, "[data-testid=\"call-back\"]").expect("call back"));
    tick().await;
    assert_eq!(mounted.next_intent(), None, "one Dial at a time");
}

/// Opening the forwarding form while the logout question is open focuses the form's number
/// field, not the question's Cancel (what a click opened is looked for in what it opened).
#[wasm_bindgen_test]
async fn the_forwarding_form_takes_the_focus_even_with_the_logout_question_open() {
    let mounted = mount_agent_bar_on_a_call();
    tick().await;
    click(find(&mounted.root, "[data-testid=\"voice-login\"]").expect("log out"));
    tick().await;
    assert!(find(&mounted.root, "[data-testid=\"logout-confirm\"]").is_some());
    click(find(&mounted.root, "[data-action=\"ForwardCallsOn\"]").expect("forward"));
    tick().await;
    let now = focused().and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(now.as_deref(), Some("destination-input"));
}

#[wasm_bindgen_test]
async fn dial_pad_normalises_and_validates_numbers() {
    let mut mounted = mount_agent_bar(agent_fixture());
    tick().await;
    type_into(&mounted.root, "[data-testid=\"dial-input\"]", "call me");
    click(find(&mounted.root, "[data-action=\"Dial\"]").expect("dial"));
    tick().await;
    let error = find(&mounted.root, "[data-testid=\"dial-error\"]").expect("the reason");
    let input = find(&mounted.root, "[data-testid=\"dial-input\"]").expect("input");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby"),
        Some(error.id()),
        "the field is described by its reason, read again when the agent comes back to it"
    );
    assert!(mounted.next_intent().is_none());
    type_into(
        &mounted.root,
        "[data-testid=\"dial-input\"]",
        "+1 (555) 010-0100",
    );
    click(find(&mounted.root, "[data-action=\"Dial\"]").expect("dial"));
    tick().await;
    assert_eq!(mounted.next_intent(), Some(Intent::dial("+15550100100")));
}
