//! Click-to-dial: any element of the host page with `data-gws-dial="+1 555 0100"` dials that
//! number when clicked (opt-in with the `clickToDial` option). The number is normalised
//! (spaces, dashes, parentheses removed) and validated before `Dial` is sent.

use crate::drivers::page_lifecycle::Listener;
use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::{NumberError, normalize_number};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// The number of the first `data-gws-dial` element on the click's composed path: the click may
/// land inside a web component's shadow tree (the padding or icon of an `<sl-button
/// data-gws-dial>`), where `closest` from the innermost target stops at the shadow root.
fn dial_on_path(event: &web_sys::Event) -> Option<Result<String, NumberError>> {
    event
        .composed_path()
        .iter()
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .find_map(|element| {
            let raw = element.get_attribute("data-gws-dial")?;
            Some(normalize_number(&raw))
        })
}

/// Listens for clicks on `data-gws-dial` elements of the document until dropped. Invalid
/// numbers are reported through `on_invalid`.
///
/// A plain primary click only: a Ctrl/Cmd/Shift/Alt click opens a link elsewhere, and a click
/// the page already handled (`preventDefault`: its own dial, say) is its own. The widget that
/// dials marks the click handled, so with several widgets on a page one click dials once.
pub fn watch_click_to_dial(
    intents: UnboundedSender<Intent>,
    on_invalid: impl Fn(gws_client::NumberError) + 'static,
) -> Option<Listener> {
    let document = web_sys::window()?.document()?;
    Listener::new(document.as_ref(), "click", move |event| {
        if event.default_prevented() {
            return;
        }
        if let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>()
            && (mouse.button() != 0
                || mouse.ctrl_key()
                || mouse.meta_key()
                || mouse.shift_key()
                || mouse.alt_key())
        {
            return;
        }
        let Some(found) = dial_on_path(&event) else {
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
