//! Keyboard shortcuts: Alt+A answers the ringing call, Alt+H hangs up the active one. They only
//! send the same intents as the buttons (so the server still decides), and a widget can turn
//! them off (`WidgetConfig::shortcuts`) when a host page uses those keys.

use crate::drivers::page_lifecycle::{Listener, event_origin};
use crate::intent::Intent;
use futures::channel::mpsc::UnboundedSender;
use gws_client::CallsStore;
use gws_protocol::{CallState, Operation};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

/// Which call a shortcut acts on, if any: the first call in `states` order that offers `operation`.
pub fn shortcut_target(
    store: &CallsStore,
    operation: &Operation,
    states: &[CallState],
) -> Option<String> {
    states.iter().find_map(|state| {
        store
            .entries()
            .iter()
            .find(|e| &e.call.state == state && e.call.can(operation) && e.pending.is_none())
            .map(|e| e.call.id.clone())
    })
}

/// The intent for a key press, if it is one of our shortcuts.
pub fn shortcut_intent(store: &CallsStore, alt: bool, code: &str) -> Option<Intent> {
    if !alt {
        return None;
    }
    let (operation, states): (Operation, &[CallState]) = match code {
        "KeyA" => (Operation::Answer, &[CallState::Ringing]),
        "KeyH" => (
            Operation::Hangup,
            &[CallState::Established, CallState::Dialing, CallState::Held],
        ),
        _ => return None,
    };
    shortcut_target(store, &operation, states).map(|id| Intent::operation(&id, operation))
}

/// Whether the key press is the agent typing: in a text field, a list or an editable element
/// (the host's CRM notes, the widget's own number fields). On macOS Option+A types "å"; a
/// shortcut there must not answer a call and swallow the letter.
fn typing_in(event: &KeyboardEvent) -> bool {
    let Some(target) = event_origin(event).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    target.is_content_editable()
        || matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

/// Listens for the shortcuts on the window until the returned listener is dropped.
///
/// Only Alt with no other modifier is ours: AltGr (Ctrl+Alt on Windows) types characters such as
/// "ą", and Ctrl/Meta/Shift combinations belong to the browser and the host. A key held down
/// (auto-repeat), a press inside an input method's composition, a press the host page already
/// handled (`preventDefault`), or typing in a field is left alone. Several widgets on one page
/// each listen: the first to act marks the press handled, so one Alt+A answers one call.
pub fn watch_shortcuts(
    calls: RwSignal<CallsStore>,
    intents: UnboundedSender<Intent>,
) -> Option<Listener> {
    let window = web_sys::window()?;
    Listener::new(window.as_ref(), "keydown", move |event| {
        let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if key.default_prevented()
            || key.repeat()
            || key.is_composing()
            || key.ctrl_key()
            || key.meta_key()
            || key.shift_key()
            || typing_in(key)
        {
            return;
        }
        let intent = calls
            .try_with_untracked(|store| shortcut_intent(store, key.alt_key(), &key.code()))
            .flatten();
        if let Some(intent) = intent {
            key.prevent_default();
            let _ = intents.unbounded_send(intent);
        }
    })
}
