//! Text formatting shared by components. Durations and party names are view models
//! (`gws_client::view::text`), tested natively; only the button label stays here, where the
//! app's error toasts also read it.

use gws_protocol::Operation;

/// The label of an operation, as on its button.
pub fn operation_label(operation: &Operation) -> String {
    gws_client::label(operation)
}
