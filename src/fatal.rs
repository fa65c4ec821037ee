//! A crash the host can see.
//!
//! A panic in wasm aborts (the release build has `panic = "abort"`), and every widget of the
//! page shares the instance: after it nothing of the widget runs, and a console line is all a
//! host would otherwise get while the agent looks at a frozen card. So a panic — or a trap that
//! did not come from one, seen by the page as a `WebAssembly.RuntimeError` — makes every
//! mounted widget show a "stopped — reload" notice inside its shadow root and fire `gws:error`
//! with `fatal: true` on its host element; `handle.stopped` then reads `true`, and `mount()`
//! refuses to start a widget on the dead instance.
//!
//! The notice and the registry are plain JS (the first section of `src/glue.js`), so they still
//! work when the wasm does not.

use std::sync::Once;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = gwsStopAll)]
    fn stop_all();
    #[wasm_bindgen(js_name = gwsRegisterHost)]
    fn register_host(host: &web_sys::HtmlElement, notice: &str, lang: &str);
    #[wasm_bindgen(js_name = gwsUnregisterHost)]
    fn unregister_host(host: &web_sys::HtmlElement);
    #[wasm_bindgen(js_name = gwsStopped)]
    fn js_stopped() -> bool;
    #[wasm_bindgen(js_name = gwsWatchTraps)]
    fn watch_traps();
    #[wasm_bindgen(js_name = gwsTestHooksEnabled)]
    fn test_hooks_enabled() -> bool;
}

/// Installs the panic hook (the console message, then the notices) and the trap watch, once.
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            stop_all();
        }));
        watch_traps();
    });
}

/// Registers an embedded widget's host element for the notice, worded in the widget's language
/// and marked with its tag `lang` (a screen reader reads it with that language's voice), until
/// [`forget`].
pub fn watch(host: &web_sys::HtmlElement, notice: &str, lang: &str) {
    register_host(host, notice, lang);
}

/// The widget of `host` was destroyed.
pub fn forget(host: &web_sys::HtmlElement) {
    unregister_host(host);
}

/// Whether the instance stopped (a panic or a trap).
pub fn stopped() -> bool {
    js_stopped()
}

/// Panics on purpose, for the tests of this module's behaviour — only on a page that set
/// `globalThis.__GWS_TEST_HOOKS__ = true` (elsewhere it does nothing).
#[doc(hidden)]
#[wasm_bindgen(js_name = __forceFatalForTests)]
pub fn force_fatal_for_tests() {
    if test_hooks_enabled() {
        panic!("gws-widget: a fatal error forced by a test");
    }
}
