//! Text formatting shared by components. Durations and party names are view models
//! (`gws_client::view::text`), tested natively; only the button label stays here.

use crate::context::I18nContext;
use gws_protocol::Operation;
use leptos::prelude::*;

/// An id no other element of the page has, for `aria-describedby`: several widgets may share a
/// page, and a widget mounted without a shadow root shares the page's ids.
pub fn unique_id(what: &str) -> String {
    thread_local! {
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = NEXT.get();
    NEXT.set(n.wrapping_add(1));
    format!("gws-{what}-{n}")
}

/// The label of an operation, as on its button, re-read when the language changes.
pub fn operation_label(
    operation: &Operation,
) -> impl Fn() -> String + Send + Sync + 'static + use<> {
    let i18n = I18nContext::expect();
    let operation = operation.clone();
    move || {
        i18n.0
            .with(|catalog| gws_client::label(&operation, catalog))
    }
}
