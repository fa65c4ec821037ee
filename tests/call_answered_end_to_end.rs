//! The walking skeleton, end to end: the real simulator, the widget's CometD loop in headless
//! Chromium, and the agent's clicks.

#![cfg(target_arch = "wasm32")]

mod support;

use gws_widget::{AgentWidget, WidgetConfig};
use leptos::prelude::*;
use support::sim_control;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn inbound_call_rings_is_answered_and_hung_up_by_clicks() {
    sim_control::reset(SIM)
        .await
        .expect("simulator reachable: start it with scripts/test.sh");
    let root = fresh_root();
    let config = WidgetConfig::new(SIM, "agent1", "agent1");
    let _widget = leptos::mount::mount_to(
        root.clone(),
        move || view! { <AgentWidget config=config.clone()/> },
    );
    wait_connected(&root).await;

    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let ringing = wait_card_state(&root, &id, "Ringing").await;
    let parties = find(&ringing, "[data-testid=\"call-parties\"]")
        .and_then(|p| p.text_content())
        .unwrap_or_default();
    assert_eq!(parties, "5000", "the card shows the caller");
    let actions: Vec<String> = find_all(&ringing, "[data-action]")
        .iter()
        .filter_map(|b| b.get_attribute("data-action"))
        .collect();
    assert!(
        actions.contains(&"Answer".to_string()),
        "Ringing offers Answer: {actions:?}"
    );
    assert!(
        !actions.contains(&"Hangup".to_string()),
        "Ringing (set A) has no Hangup: {actions:?}"
    );

    click_action(&root, &id, "Answer").await;
    wait_card_state(&root, &id, "Established").await;
    click_action(&root, &id, "Hangup").await;
    let released = wait_card_state(&root, &id, "Released").await;
    assert!(
        find_all(&released, "[data-action]").is_empty(),
        "a released call has no controls"
    );
}
