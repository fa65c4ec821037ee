//! `gws-widget`: a browser call-control widget for Genesys Web Services API v2 (voice), written
//! in Rust with Leptos (CSR) and compiled to WebAssembly.
//!
//! The widget obeys the server: a card's buttons are the call's `capabilities`; an operation's
//! HTTP 200 only marks the button pending; the card changes when the CometD notification arrives.
//!
//! Public embed API (JavaScript): `mount(element, options) -> WidgetHandle`, the custom element
//! `<gws-agent-widget>` (after `defineElement()`; `embed.js` does both). The demo page's
//! simulator console is plain JavaScript (`www/demo.js`) that mounts widgets through `mount`, so
//! the wasm a CRM page downloads holds no demo code.
//!
//! Layout:
//! - [`app`]: `<AgentWidget/>` and its driver: owns the state signals, provides the contexts,
//!   feeds the sans-IO `gws_client::WidgetCore` and performs its effects (every decision —
//!   start-up, notifications, intents, tabs — is the core's).
//! - [`config`]: what a widget instance needs (`WidgetConfig`, `Credentials`, `Theme`).
//! - [`context`]: context newtypes read by components (`CallsContext`, `AgentContext`, …).
//! - [`intent`]: what components ask for (`Intent`); the core maps intents to REST calls.
//! - [`components`]: one exported component per file; they render and emit intents, no I/O.
//! - [`drivers`]: the only code doing I/O or reading the clock.
//! - [`embed`]: options, `WidgetHandle` and the `gws:*` host events.
//! - [`diagnostics`](mod@diagnostics): live-resource counters (leak checks, support).
//! - [`fatal`]: a crash the host can see (notice in every widget, `gws:error` with `fatal`).
//! - [`i18n`](mod@i18n): the widget's language (option, page, browser), its catalog, `Intl` numbers.
//! - [`error`]: `ApiError`, with messages fit for an agent.
//! - [`log`]: console logging with a host-set level.

pub mod app;
#[cfg(feature = "bench-probe")]
pub mod bench_probe;
pub mod components;
pub mod config;
pub mod context;
pub mod diagnostics;
pub mod drivers;
pub mod embed;
pub mod error;
pub mod fatal;
pub mod focus;
pub mod i18n;
pub mod intent;
pub mod log;

pub use app::AgentWidget;
pub use config::WidgetConfig;

use embed::{
    ControllerSlot, HostBinding, HostEvents, Unmount, WidgetHandle, apply_log_level, parse_options,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// The widget's stylesheet: one source for the demo page and the shadow roots of embedded
/// widgets.
pub const WIDGET_CSS: &str = include_str!("../www/widget.css");

/// Live widgets, notification loops, listeners and timer workers of this page.
#[wasm_bindgen]
pub fn diagnostics() -> JsValue {
    serde_wasm_bindgen::to_value(&diagnostics::snapshot()).unwrap_or(JsValue::NULL)
}

#[wasm_bindgen(module = "/src/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = gwsAdoptStyles)]
    fn adopt_styles(root: &web_sys::Node, css: &str) -> bool;
    #[wasm_bindgen(js_name = gwsDropStyles)]
    fn drop_styles(root: &web_sys::Node);
}

/// Where a widget renders inside `host`: a fresh container in the host's open shadow root, with
/// the stylesheet adopted by that root, so host CSS cannot reach the widget's layout. Returns the
/// container and a function removing what was added.
///
/// The stylesheet is a constructable `CSSStyleSheet` in `adoptedStyleSheets`: a `<style>`
/// element is inline CSS, which a Content-Security-Policy without `'unsafe-inline'` in
/// `style-src` blocks (the widget would render unstyled). The `<style>` element remains for
/// hosts that cannot have a shadow root (e.g. `<button>`) and browsers without constructable
/// stylesheets.
fn prepare_host(host: &HtmlElement) -> Result<(HtmlElement, Unmount), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::new("no document"))?;
    let root: web_sys::Node = match host.shadow_root() {
        Some(root) => root.into(),
        None => match host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
            Ok(root) => root.into(),
            // Elements that cannot host a shadow root (e.g. <button>): render inside them; every
            // class is prefixed, so the stylesheet still styles nothing of the host.
            Err(_) => host.clone().into(),
        },
    };
    // The host page keeps control of the element's display, size and position; padding and
    // border would only squeeze the widget, so they are pinned (inner !important wins).
    let css =
        format!(":host{{display:block;padding:0 !important;border:0 !important}}\n{WIDGET_CSS}");
    let style = if adopt_styles(&root, &css) {
        None
    } else {
        let style = document.create_element("style")?;
        style.set_text_content(Some(&css));
        root.append_child(&style)?;
        Some(style)
    };
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("gws-mount");
    root.append_child(&container)?;
    let cleanup_root = root.clone();
    let cleanup_container = container.clone();
    let focus_watch = focus::watch_shadow_root(&root);
    Ok((
        container,
        Box::new(move || {
            drop(focus_watch);
            match &style {
                Some(style) => {
                    let _ = cleanup_root.remove_child(style);
                }
                None => drop_styles(&cleanup_root),
            }
            let _ = cleanup_root.remove_child(&cleanup_container);
        }),
    ))
}

/// Mounts a widget into `element` (any element; it gets a shadow root). Options: `baseUrl`,
/// `username` + `password` or `credentials` (a function returning `{username, password}` or a
/// promise of it), `theme` (`light` | `dark`), `lang` (BCP 47; default: the page's
/// `<html lang>`, then the browser's; `locale` is its former name), `strings` (the host's
/// wording by catalog key), `compact`, `shortcuts`, `logLevel`,
/// `clickToDial`, `shareAcrossTabs`, `autoLogin` (default true: log the voice channel in once
/// notifications flow), `place`, `queue`, `loginCode`. Invalid options throw an `Error` saying
/// what is wrong.
#[wasm_bindgen]
pub fn mount(element: JsValue, options: JsValue) -> Result<WidgetHandle, JsValue> {
    fatal::install();
    let element: HtmlElement = element.dyn_into().map_err(|_| {
        JsValue::from(JsError::new(
            "gws-widget: mount() needs an HTML element as its first argument",
        ))
    })?;
    if fatal::stopped() {
        return Err(JsValue::from(JsError::new(
            "gws-widget: stopped after an internal error; reload the page",
        )));
    }
    let options = parse_options(&options)?;
    apply_log_level(&options);
    let (container, cleanup) = prepare_host(&element)?;
    let catalog = crate::i18n::catalog(&options.config);
    let notice = catalog.text(gws_client::Key::FatalNotice).to_string();
    fatal::watch(&element, &notice, catalog.lang().tag());
    let watched = element.clone();
    let controller: ControllerSlot = Rc::new(RefCell::new(None));
    let events = HostEvents::new(element.into());
    let host = HostBinding {
        events: events.clone(),
        controller: controller.clone(),
    };
    let config = options.config;
    let handle = leptos::mount::mount_to(container, move || {
        leptos::view! { <AgentWidget config=config.clone() host=host.clone()/> }
    });
    let unmount = Box::new(move || {
        fatal::forget(&watched);
        drop(handle);
        cleanup();
        // The widget's own state is gone with it: this is the host's last word from it (the
        // integration guide's `disconnected` on destroy).
        events.connection_changed(&gws_client::ConnectionState::Disconnected, 0);
    });
    Ok(WidgetHandle::new(controller, unmount))
}

#[wasm_bindgen(module = "/src/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = gwsDefineElement)]
    fn define_custom_element(mount: &js_sys::Function) -> bool;
}

/// Defines `<gws-agent-widget base-url="…" user="…" password="…">` (attributes: `theme`,
/// `lang` (observed: changing it switches the language), `locale`, `log-level`, `place`,
/// `queue`, `login-code`, and the flags `compact`,
/// `shortcuts`, `click-to-dial`, `share-across-tabs`, `auto-login` (`auto-login="false"`
/// turns it off); `password` is removed from the element once read; or set the element's `credentials` property to a provider function
/// before inserting it; its `strings` property, set before inserting it, overrides texts). The element mounts itself when connected and is destroyed when
/// removed; its `handle` property is the `WidgetHandle`. Returns false if already defined.
#[wasm_bindgen(js_name = defineElement)]
pub fn define_element() -> bool {
    fatal::install();
    let mount_fn = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|element, options| {
        match mount(element, options) {
            Ok(handle) => JsValue::from(handle),
            Err(error) => wasm_bindgen::throw_val(error),
        }
    });
    let defined = define_custom_element(mount_fn.as_ref().unchecked_ref());
    // The element class keeps calling it for the lifetime of the page.
    mount_fn.forget();
    defined
}
