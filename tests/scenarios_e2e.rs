//! The seed scenarios and every control family, played by clicking the widget's own controls
//! against the real simulator, in headless Chromium. Cards are asserted through the testing
//! contract (`data-testid="call-card"`, `data-call-id`, `data-state`, `data-action`).

#![cfg(target_arch = "wasm32")]

mod support;

use gws_widget::{AgentWidget, WidgetConfig};
use leptos::prelude::*;
use serde_json::json;
use support::sim_control;
use support::*;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// A connected widget for `user` (password = user name, as the built-in users have).
async fn widget(user: &str) -> (HtmlElement, impl Sized) {
    let (root, handle) = mount_widget(WidgetConfig::new(SIM, user, user).with_shortcuts(false));
    wait_connected(&root).await;
    (root, handle)
}

/// agent1 with an answered inbound call from 5000; returns the widget and the call id.
async fn agent1_on_a_call() -> (HtmlElement, impl Sized, String) {
    fresh_simulator().await;
    let (root, handle) = widget("agent1").await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    click_action(&root, &id, "Answer").await;
    wait_card_state(&root, &id, "Established").await;
    (root, handle, id)
}

#[wasm_bindgen_test]
async fn seed_000_hold_dial_and_swap() {
    let (root, _w, first) = agent1_on_a_call().await;
    click_action(&root, &first, "Hold").await;
    wait_card_state(&root, &first, "Held").await;
    type_text(&root, "[data-testid=\"dial-input\"]", "5002");
    click_on(&root, "[data-action=\"Dial\"]").await;
    let second = wait_card_with(&root, "Dialing", "5002").await;
    wait_card_state(&root, &second, "Established").await;
    let offered = actions_of(&card(&root, &second).expect("card"));
    assert!(
        offered.contains(&"SwapCalls".into()) && offered.contains(&"CompleteTransfer".into()),
        "set E: {offered:?}"
    );
    click_action(&root, &second, "SwapCalls").await;
    wait_card_state(&root, &second, "Held").await;
    wait_card_state(&root, &first, "Established").await;
}

#[wasm_bindgen_test]
async fn seed_001_two_step_transfer_to_agent2_who_sees_it_ring_and_answers() {
    fresh_simulator().await;
    let (agent1, _a1) = widget("agent1").await;
    let (agent2, _a2) = widget("agent2").await;
    let original = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    click_action(&agent1, &original, "Answer").await;
    wait_card_state(&agent1, &original, "Established").await;

    submit_destination(&agent1, &original, "InitiateTransfer", "5001").await;
    wait_card_state(&agent1, &original, "Held").await;
    let consult = wait_card_with(&agent1, "Dialing", "5001").await;
    let consult_card = card(&agent1, &consult).expect("consult card");
    assert_eq!(
        text_of(&consult_card, "[data-testid=\"call-type\"]"),
        "Consult"
    );
    assert!(
        consult_card.class_list().contains("gws-card--consult"),
        "shown attached to its parent"
    );

    let ringing = wait_card_with(&agent2, "Ringing", "5005").await;
    click_action(&agent2, &ringing, "Answer").await;
    wait_card_state(&agent2, &ringing, "Established").await;
    wait_card_state(&agent1, &consult, "Established").await;

    click_action(&agent1, &consult, "CompleteTransfer").await;
    wait_card_state(&agent1, &original, "Released").await;
    wait_card_state(&agent1, &consult, "Released").await;
    let remaining = wait_card_state(&agent2, &ringing, "Established").await;
    wait_for("agent2 to talk to the customer", 10_000, || {
        text_of(&remaining, "[data-testid=\"call-parties\"]")
            .contains("5000")
            .then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn two_step_conference_lists_both_parties() {
    let (root, _w, original) = agent1_on_a_call().await;
    submit_destination(&root, &original, "InitiateConference", "5002").await;
    wait_card_state(&root, &original, "Held").await;
    let consult = wait_card_with(&root, "Established", "5002").await;
    click_action(&root, &consult, "CompleteConference").await;
    wait_card_state(&root, &consult, "Released").await;
    let conference = wait_card_state(&root, &original, "Established").await;
    let parties = text_of(&conference, "[data-testid=\"call-parties\"]");
    assert!(
        parties.contains("5000") && parties.contains("5002"),
        "conference parties: {parties}"
    );
}

#[wasm_bindgen_test]
async fn single_step_transfer_releases_the_call() {
    let (root, _w, id) = agent1_on_a_call().await;
    submit_destination(&root, &id, "SingleStepTransfer", "5002").await;
    wait_card_state(&root, &id, "Released").await;
}

#[wasm_bindgen_test]
async fn dtmf_digits_are_sent_and_confirmed() {
    let (root, _w, id) = agent1_on_a_call().await;
    click_action(&root, &id, "SendDtmf").await;
    let card = card(&root, &id).expect("card");
    for digit in ["1", "2", "3"] {
        click_on(&card, &format!("[data-digit=\"{digit}\"]")).await;
    }
    click_on(
        &card,
        "[data-testid=\"dtmf-keypad\"] [data-testid=\"form-submit\"]",
    )
    .await;
    // Pending until the DtmfSent notification, then the card is usable again, without error.
    wait_for("the DtmfSent notification to clear pending", 10_000, || {
        find(&card, "[data-action=\"Hangup\"]").filter(is_enabled)
    })
    .await;
    assert!(find(&card, "[data-testid=\"call-error\"]").is_none());
}

#[wasm_bindgen_test]
async fn mute_and_unmute_follow_the_notifications() {
    // The simulator advertises MuteCall when started with --advertise-mute (scripts/test.sh).
    let (root, _w, id) = agent1_on_a_call().await;
    let card = card(&root, &id).expect("card");
    click_action(&root, &id, "MuteCall").await;
    wait_for("the muted flag", 10_000, || {
        find(&card, "[data-testid=\"muted\"]")
    })
    .await;
    click_action(&root, &id, "UnmuteCall").await;
    wait_for("the muted flag to go", 10_000, || {
        find(&card, "[data-testid=\"muted\"]")
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        find(&card, "[data-action=\"MuteCall\"]").is_some(),
        "Mute is offered again"
    );
}

#[wasm_bindgen_test]
async fn user_data_is_attached_and_deleted_by_key() {
    let (root, _w, id) = agent1_on_a_call().await;
    click_action(&root, &id, "AttachUserData").await;
    let card = card(&root, &id).expect("card");
    wait_for("the user data form", 5_000, || {
        find(&card, "[data-testid=\"user-data-key\"]")
    })
    .await;
    type_text(&card, "[data-testid=\"user-data-key\"]", "Reason");
    type_text(
        &card,
        "[data-testid=\"user-data-value\"]",
        "Billing <question>",
    );
    click_on(
        &card,
        "[data-testid=\"user-data-form\"] [data-testid=\"form-submit\"]",
    )
    .await;
    wait_for("the attached data on the card", 10_000, || {
        text_of(&card, "[data-testid=\"user-data\"]")
            .contains("Billing <question>")
            .then_some(())
    })
    .await;
    click_action(&root, &id, "DeleteUserDataPair").await;
    click_on(
        &card,
        "[data-testid=\"choice-form\"] [data-testid=\"form-submit\"]",
    )
    .await;
    wait_for("the key to be gone", 10_000, || {
        find(&card, "[data-testid=\"user-data\"]")
            .is_none()
            .then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn agent_goes_not_ready_with_a_reason_and_back_to_ready() {
    fresh_simulator().await;
    let (root, _w) = widget("agent1").await;
    let badge = wait_for("the agent state", 10_000, || {
        find(&root, "[data-testid=\"agent-state\"]")
            .filter(|b| b.get_attribute("data-state").as_deref() == Some("Ready"))
    })
    .await;
    let choose = |label: &str| {
        let select: web_sys::HtmlSelectElement = wasm_bindgen::JsCast::unchecked_into(
            find(&root, "[data-testid=\"agent-state-select\"]").expect("select"),
        );
        let options = find_all(&select, "option");
        let option = options
            .iter()
            .find(|o| o.text_content().as_deref() == Some(label))
            .expect(label);
        select.set_value(&option.get_attribute("value").unwrap_or_default());
        select
            .dispatch_event(&web_sys::Event::new("change").expect("event"))
            .expect("dispatch");
    };
    wait_for("agent states loaded", 10_000, || {
        (find_all(&root, "[data-testid=\"agent-state-select\"] option").len() > 1).then_some(())
    })
    .await;
    choose("Lunch");
    wait_for("NotReady (Lunch)", 10_000, || {
        (badge.get_attribute("data-state").as_deref() == Some("NotReady")
            && badge.text_content().unwrap_or_default().contains("Lunch"))
        .then_some(())
    })
    .await;
    let usable = || async {
        wait_for("the select to be usable again", 10_000, || {
            find(&root, "[data-testid=\"agent-state-select\"]")
                .filter(|s| s.get_attribute("aria-disabled").as_deref() == Some("false"))
        })
        .await;
    };
    usable().await;
    // Auxiliary work (gws-api.md §5.1): NotReady in its own work mode.
    choose("AuxWork");
    wait_for("AuxWork", 10_000, || {
        (badge.get_attribute("data-work-mode").as_deref() == Some("AuxWork")).then_some(())
    })
    .await;
    usable().await;
    choose("Ready");
    wait_for("Ready", 10_000, || {
        (badge.get_attribute("data-state").as_deref() == Some("Ready")).then_some(())
    })
    .await;
}

#[wasm_bindgen_test]
async fn supervisor_listens_in_then_barges_in() {
    fresh_simulator().await;
    let (supervisor, _s) = widget("supervisor1").await;
    let (agent, _a) = widget("agent1").await;
    let panel = wait_for("the supervisor panel", 10_000, || {
        find(&supervisor, "[data-testid=\"supervisor-panel\"]")
    })
    .await;
    type_text(&panel, "[data-testid=\"monitor-dn\"]", "5005");
    click_on(&panel, "[data-action=\"ListenIn\"]").await;
    wait_for("monitoring armed", 10_000, || {
        find(&panel, "[data-testid=\"monitoring-state\"]")
    })
    .await;

    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    click_action(&agent, &id, "Answer").await;
    let monitor = wait_for("the supervisor's monitoring call", 10_000, || {
        cards(&supervisor)
            .into_iter()
            .find(|c| c.get_attribute("data-state").as_deref() == Some("Established"))
    })
    .await;
    let monitor_id = monitor.get_attribute("data-call-id").expect("id");
    assert_eq!(
        text_of(&monitor, "[data-testid=\"monitoring-mode\"]"),
        "Listening in"
    );
    assert!(
        find(&monitor, "[data-testid=\"muted\"]").is_some(),
        "mute On in ListenIn"
    );
    click_action(&supervisor, &monitor_id, "SwitchToBargeIn").await;
    wait_for("BargeIn", 10_000, || {
        (text_of(&monitor, "[data-testid=\"monitoring-mode\"]") == "Barged in").then_some(())
    })
    .await;
    assert!(
        find(&monitor, "[data-testid=\"muted\"]").is_none(),
        "mute Off in BargeIn"
    );
}

#[wasm_bindgen_test]
async fn transfer_to_a_busy_number_shows_the_error_and_the_call_recovers() {
    let (root, _w, id) = agent1_on_a_call().await;
    submit_destination(&root, &id, "InitiateTransfer", "9000").await;
    let card = card(&root, &id).expect("card");
    wait_for("the busy error on a card", 15_000, || {
        cards(&root)
            .iter()
            .find_map(|c| find(c, "[data-testid=\"call-error\"]"))
            .map(|e| e.text_content())
    })
    .await;
    // The consult leg is released; the original call can be retrieved.
    click_action(&root, &id, "Retrieve").await;
    wait_card_state(&root, &id, "Established").await;
    assert_eq!(
        card.get_attribute("data-state").as_deref(),
        Some("Established")
    );
}

#[wasm_bindgen_test]
async fn dialing_an_invalid_number_shows_the_error_in_the_agent_bar() {
    fresh_simulator().await;
    let (root, _w) = widget("agent1").await;
    type_text(&root, "[data-testid=\"dial-input\"]", "9002");
    click_on(&root, "[data-action=\"Dial\"]").await;
    let error = wait_for("the dial error", 10_000, || {
        find(&root, "[data-testid=\"agent-error\"]")
    })
    .await;
    assert!(!error.text_content().unwrap_or_default().trim().is_empty());
    assert!(
        cards(&root)
            .iter()
            .all(|c| c.get_attribute("data-state").as_deref() != Some("Established"))
    );
}

#[wasm_bindgen_test]
async fn operation_the_server_refuses_is_shown_on_the_card_without_state_change() {
    let (root, _w, id) = agent1_on_a_call().await;
    // The customer hangs up at the very moment the agent clicks Hold: the server refuses (the
    // call is gone) — fault injection makes the request fail deterministically instead.
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"failNext": 1, "failStatus": 503, "failPath": "/api/v2/me/calls"}),
    )
    .await
    .expect("fault armed");
    click_action(&root, &id, "Hold").await;
    let card = card(&root, &id).expect("card");
    let error = wait_for("an error on the card", 10_000, || {
        find(&card, "[data-testid=\"call-error\"]")
    })
    .await;
    assert!(
        error
            .text_content()
            .unwrap_or_default()
            .contains("Hold failed")
    );
    assert_eq!(
        card.get_attribute("data-state").as_deref(),
        Some("Established")
    );
    let live = text_of(&root, "[data-testid=\"announcer\"]");
    assert!(
        live.contains("Hold failed"),
        "announced in the live region: {live}"
    );
}

#[wasm_bindgen_test]
async fn widgets_side_by_side_in_one_view_keep_their_own_state() {
    fresh_simulator().await;
    let root = fresh_root();
    let (first, second) = (
        WidgetConfig::new(SIM, "agent1", "agent1").with_shortcuts(false),
        WidgetConfig::new(SIM, "agent2", "agent2").with_shortcuts(false),
    );
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <div class="one"><AgentWidget config=first.clone()/></div>
            <div class="two"><AgentWidget config=second.clone()/></div>
        }
    });
    let one = wait_for("the first widget", 5_000, || find(&root, ".one")).await;
    let two = wait_for("the second widget", 5_000, || find(&root, ".two")).await;
    wait_connected(&one).await;
    wait_connected(&two).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let card = wait_card_state(&one, &id, "Ringing").await;
    assert_eq!(text_of(&card, "[data-testid=\"call-parties\"]"), "5000");
    assert_eq!(text_of(&one, "[data-testid=\"agent-name\"]"), "Alice Agent");
    assert_eq!(text_of(&two, "[data-testid=\"agent-name\"]"), "Bob Agent");
    assert!(cards(&two).is_empty(), "agent2 has no call");
}

/// The agent bar's error text, once shown.
async fn agent_error(root: &web_sys::Element) -> String {
    wait_for("an error in the agent bar", 10_000, || {
        find(root, "[data-testid=\"agent-error\"]").and_then(|e| e.text_content())
    })
    .await
}

#[wasm_bindgen_test]
async fn a_refused_agent_state_change_is_explained_and_the_state_kept() {
    fresh_simulator().await;
    let (root, _w) = widget("agent1").await;
    wait_for("agent states loaded", 10_000, || {
        (find_all(&root, "[data-testid=\"agent-state-select\"] option").len() > 1).then_some(())
    })
    .await;
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"failNext": 1, "failStatus": 503, "failPath": "/api/v2/me/channels"}),
    )
    .await
    .expect("fault armed");
    let select: web_sys::HtmlSelectElement = wasm_bindgen::JsCast::unchecked_into(
        find(&root, "[data-testid=\"agent-state-select\"]").expect("select"),
    );
    select.set_value("1");
    select
        .dispatch_event(&web_sys::Event::new("change").expect("event"))
        .expect("dispatch");
    assert!(agent_error(&root).await.contains("failed"));
    let badge = find(&root, "[data-testid=\"agent-state\"]").expect("badge");
    assert_eq!(
        badge.get_attribute("data-state").as_deref(),
        Some("Ready"),
        "state unchanged"
    );
}

#[wasm_bindgen_test]
async fn a_refused_device_operation_is_explained() {
    fresh_simulator().await;
    let (root, _w) = widget("agent1").await;
    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"failNext": 1, "failStatus": 503, "failPath": "/api/v2/me/devices/"}),
    )
    .await
    .expect("fault armed");
    click_on(&root, "[data-action=\"DoNotDisturbOn\"]").await;
    assert!(agent_error(&root).await.contains("Do not disturb failed"));
    assert!(
        find(&root, "[data-testid=\"dnd-on\"]").is_none(),
        "DND not shown as on"
    );
    assert!(
        find(&root, "[data-action=\"DoNotDisturbOn\"]").is_some(),
        "still offered"
    );
}

#[wasm_bindgen_test]
async fn monitoring_an_unknown_dn_is_explained() {
    fresh_simulator().await;
    let (supervisor, _s) = widget("supervisor1").await;
    let panel = wait_for("the supervisor panel", 10_000, || {
        find(&supervisor, "[data-testid=\"supervisor-panel\"]")
    })
    .await;
    type_text(&panel, "[data-testid=\"monitor-dn\"]", "7777");
    click_on(&panel, "[data-action=\"ListenIn\"]").await;
    assert!(agent_error(&supervisor).await.contains("not found"));
    assert!(find(&panel, "[data-testid=\"monitoring-state\"]").is_none());
}
