//! Secrets stay out of what a page can print: the REST client's and the configuration's
//! `Debug` never show the password or the `Authorization` value (logs and error reports end up
//! in support tickets and session-replay tools).

#![cfg(target_arch = "wasm32")]

use gws_widget::WidgetConfig;
use gws_widget::drivers::rest::RestClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PASSWORD: &str = "s3cret-Pa55";
/// `agent1:s3cret-Pa55` in base64, as it would appear in an `Authorization` header.
const BASIC: &str = "YWdlbnQxOnMzY3JldC1QYTU1";

#[wasm_bindgen_test]
fn the_rest_client_debug_shows_no_credentials() {
    let rest = RestClient::new("http://127.0.0.1:1", "agent1", PASSWORD);
    rest.set_credentials("agent1", PASSWORD);
    let shown = format!("{rest:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(!shown.contains(BASIC), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[wasm_bindgen_test]
fn the_configuration_debug_shows_no_password() {
    let config = WidgetConfig::new("http://127.0.0.1:1", "agent1", PASSWORD);
    let shown = format!("{config:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("agent1"), "{shown}");
}
