//! The walking skeleton, end to end: the real simulator, the widget's CometD loop in headless
//! Chromium, and the agent's clicks.

#![cfg(target_arch = "wasm32")]

mod support;

use gws_widget::WidgetConfig;
use support::sim_control;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn inbound_call_rings_is_answered_and_hung_up_by_clicks() {
    sim_control::reset(SIM)
        .await
        .expect("simulator reachable: start it with scripts/test.sh");
    let (root, _widget) = mount_widget(WidgetConfig::new(SIM, "agent1", "agent1"));
    wait_connected(&root).await;

    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let ringing = wait_card_state(&root, &id, "Ringing").await;
    let parties = find(&ringing, "[data-testid=\"call-parties\"]")
        .and_then(|p| p.text_content())
        .unwrap_or_default();
    assert_eq!(parties, "5000", "the card shows the caller");
    let actions = actions_of(&ringing);
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

/// Dispatches a `keydown` of `code` with `modifiers` (a JS object literal's fields) on
/// `target_js` (a JS expression), as the browser would.
fn press(target_js: &str, code: &str, modifiers: &str) {
    js_sys::eval(&format!(
        "({target_js}).dispatchEvent(new KeyboardEvent('keydown', \
         {{ code: '{code}', bubbles: true, cancelable: true, composed: true, {modifiers} }}))"
    ))
    .expect("keydown dispatched");
}

/// Alt+A answers and Alt+H hangs up — but not AltGr (Ctrl+Alt: it types "ą"), not a press
/// while the agent types in the host page's field (Option+A types "å" on macOS), and not a
/// press the host page already handled.
#[wasm_bindgen_test]
async fn shortcuts_act_only_on_a_plain_alt_press_outside_text_fields() {
    sim_control::reset(SIM).await.expect("simulator reachable");
    let (root, _widget) =
        mount_widget(WidgetConfig::new(SIM, "agent1", "agent1").with_shortcuts(true));
    wait_connected(&root).await;
    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    wait_card_state(&root, &id, "Ringing").await;

    js_sys::eval(
        "(() => { const notes = document.createElement('textarea'); notes.id = 'crm-notes'; \
         document.body.appendChild(notes); \
         window.__handled = (e) => { if (e.code === 'KeyA' && e.altKey) e.preventDefault(); }; })()",
    )
    .expect("host page");
    press("document.body", "KeyA", "altKey: true, ctrlKey: true");
    press(
        "document.getElementById('crm-notes')",
        "KeyA",
        "altKey: true",
    );
    js_sys::eval("window.addEventListener('keydown', window.__handled, true)").expect("listen");
    press("document.body", "KeyA", "altKey: true");
    js_sys::eval("window.removeEventListener('keydown', window.__handled, true)")
        .expect("unlisten");
    tick().await;
    gloo_timers::future::TimeoutFuture::new(1_000).await;
    assert!(
        find(
            &root,
            &format!("[data-call-id=\"{id}\"][data-state=\"Ringing\"]")
        )
        .is_some(),
        "still ringing: none of these presses was the agent's shortcut"
    );

    press("document.body", "KeyA", "altKey: true");
    wait_card_state(&root, &id, "Established").await;
    press("document.body", "KeyH", "altKey: true");
    wait_card_state(&root, &id, "Released").await;
    js_sys::eval("document.getElementById('crm-notes').remove()").expect("cleanup");
}
