//! The widget's language in the browser: which one (the host's `lang` option, then the page's
//! `<html lang>`, then the browser's languages, then English), the catalog with the host's
//! `strings` overrides, and numbers through `Intl`. The catalog itself (tables, fallback,
//! overrides) is `gws_client::i18n`, tested natively.

use crate::config::WidgetConfig;
use gws_client::{Catalog, Lang};
use leptos::prelude::*;

/// Logs a missing translation (once per key and widget, see `Catalog`).
fn warn_missing(message: &str) {
    crate::log::warn(message);
}

/// The language for an explicit `lang` (option or attribute; empty = not given), else the page's
/// and the browser's.
pub fn negotiate(explicit: Option<&str>) -> Lang {
    let page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"));
    let navigator = web_sys::window().map(|w| w.navigator());
    let mut browser: Vec<String> = navigator
        .as_ref()
        .map(|n| n.languages().iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    browser.extend(navigator.and_then(|n| n.language()));
    let candidates = explicit.into_iter().chain(page.as_deref());
    Lang::negotiate(candidates.chain(browser.iter().map(String::as_str)))
}

/// The catalog of a widget: its negotiated language with the host's `strings` (already checked
/// by the options).
pub fn catalog(config: &WidgetConfig) -> Catalog {
    let (catalog, _unknown) = Catalog::new(negotiate(config.lang.as_deref()))
        .with_sink(warn_missing)
        .with_overrides(config.strings.iter().cloned());
    catalog
}

/// `n` written the language's way (`Intl` through `Number.prototype.toLocaleString`: 1 234 in
/// French, 1.234 in German).
pub fn number(lang: Lang, n: f64) -> String {
    js_sys::Number::from(n).to_locale_string(lang.tag()).into()
}

/// Calls `changed` with the catalog each time the host changes the language (`setLang`), not
/// for the one the widget starts with.
pub fn on_change(texts: RwSignal<Catalog>, changed: impl Fn(Catalog) + 'static) {
    Effect::new(move |first: Option<()>| {
        let catalog = texts.get();
        if first.is_some() {
            changed(catalog);
        }
    });
}
