//! Text formatting shared by components. Durations and party names are view models
//! (`gws_client::view::text`), tested natively; only the button label stays here.

use crate::context::I18nContext;
use gws_protocol::Operation;
use leptos::prelude::*;

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
