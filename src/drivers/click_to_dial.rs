//! Click-to-dial: any element of the host page with `data-gws-dial="+1 555 0100"` dials that
//! number when clicked (opt-in with the `clickToDial` option). The number is normalised
//! (spaces, dashes, parentheses removed) and validated before `Dial` is sent.

use crate::drivers::page_lifecycle::Listener;
use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::{NumberError, normalize_number};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// The number to dial for a click whose innermost target is `target`, if a `data-gws-dial`
/// element encloses it.
pub fn dial_target(target: &Element) -> Option<Result<String, NumberError>> {
    let element = target.closest("[data-gws-dial]").ok().flatten()?;
    let raw = element.get_attribute("data-gws-dial").unwrap_or_default();
    Some(normalize_number(&raw))
}

/// Listens for clicks on `data-gws-dial` elements of the document until dropped. Invalid
/// numbers are reported through `on_invalid`.
pub fn watch_click_to_dial(
    intents: UnboundedSender<Intent>,
    on_invalid: impl Fn(gws_client::NumberError) + 'static,
) -> Option<Listener> {
    let document = web_sys::window()?.document()?;
    Listener::new(document.as_ref(), "click", move |event| {
        // composedPath()[0] is the real target even inside shadow roots.
        let target = event.composed_path().get(0).dyn_into::<Element>().ok();
        let Some(found) = target.as_ref().and_then(dial_target) else {
            return;
        };
        event.prevent_default();
        match found {
            Ok(number) => {
                let _ = intents.unbounded_send(Intent::dial(&number));
            }
            Err(reason) => on_invalid(reason),
        }
    })
}
