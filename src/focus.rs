//! Keeping the keyboard focus in a region of the widget when a re-render removes the control
//! that had it.
//!
//! The server decides a card's buttons, so they come and go under the agent's hands: Hold is
//! replaced by Retrieve, Mute by Unmute, a form closes once sent, the controls go when the call
//! is released. The browser then moves the focus to the page's `<body>` (Chromium fires a
//! `focusout` with no `relatedTarget`, still connected, and removes the element), and a keyboard
//! or screen-reader user has to find their way back from the top of the CRM page — on every
//! hold. A [`FocusKeeper`] on a region (a card, the agent bar) notices that loss and puts the
//! focus on the control at the same place, which for the paired operations is their pair (the
//! catalog orders them so: `gws_client::actions_for`), or on the region itself. Regions nest:
//! a card's keeper mends a loss inside the card, the call list's one a card that left.
//!
//! Only a loss caused by a removal is mended: when the agent clicks elsewhere in the page, or
//! the window loses the focus, the control that had it is still in the page and nothing moves.
//! A control that is only unavailable for a while (pending, paused) uses `aria-disabled`
//! instead of `disabled` for the same reason: a disabled control loses the focus too.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, FocusEvent, HtmlElement};

/// The controls a keeper chooses among: the operation buttons.
const CONTROLS: &str = "[data-action]";

/// Remembers where the focus was in one region; wire [`FocusKeeper::focus_in`] and
/// [`FocusKeeper::focus_out`] to the region's `focusin` and `focusout`, and give the region
/// `tabindex="-1"` so that it can hold the focus when no control is left.
#[derive(Clone, Copy)]
pub struct FocusKeeper {
    /// The position, among the region's controls, of the control focused last.
    position: StoredValue<Option<usize>>,
    /// Whether the focus may go to one of the region's controls, or only to the region.
    to_controls: bool,
}

impl Default for FocusKeeper {
    fn default() -> Self {
        Self::new()
    }
}

impl FocusKeeper {
    /// A keeper for one region whose controls all act on one thing (a card: one call; the
    /// agent bar: one agent): the focus goes to the control at the same place.
    pub fn new() -> Self {
        Self {
            position: StoredValue::new(None),
            to_controls: true,
        }
    }

    /// A keeper for a region of several things (the call list, when a card leaves it): the
    /// focus goes to the region itself, never to a control of another call, where the agent's
    /// next Enter would act on a call they did not choose.
    pub fn region_only() -> Self {
        Self {
            to_controls: false,
            ..Self::new()
        }
    }

    /// A control of the region took the focus: remember its place. Other elements (a form's
    /// field, the dismiss button) keep the last control's place, so that a form closing puts
    /// the focus back on the button that opened it.
    pub fn focus_in(self, event: FocusEvent) {
        if !self.to_controls {
            return;
        }
        let (Some(region), Some(target)) =
            (element(event.current_target()), element(event.target()))
        else {
            return;
        };
        if let Some(position) = controls(&region).iter().position(|c| *c == target) {
            self.position.set_value(Some(position));
        }
    }

    /// The focus left an element of the region for nowhere: once the re-render under way has
    /// finished, mend it if the element was removed (see the module's doc).
    pub fn focus_out(self, event: FocusEvent) {
        if event.related_target().is_some() {
            return; // it went somewhere: the agent's choice
        }
        let (Some(region), Some(lost)) = (element(event.current_target()), element(event.target()))
        else {
            return;
        };
        // `focusout` fires before the removal: look again once it is done.
        wasm_bindgen_futures::spawn_local(async move {
            self.restore(&region, &lost);
        });
    }

    fn restore(self, region: &Element, lost: &Element) {
        if lost.is_connected() || !region.is_connected() || focus_is_somewhere(region) {
            return;
        }
        let controls = if self.to_controls {
            controls(region)
        } else {
            Vec::new()
        };
        let at = self.position.try_get_value().flatten().unwrap_or(0);
        let candidate = controls
            .get(at.min(controls.len().saturating_sub(1)))
            .and_then(|c| c.dyn_ref::<HtmlElement>());
        // A control inside a closed `<details>` cannot take the focus: the region does.
        if candidate.is_none_or(|c| c.focus().is_err() || !has_focus(c))
            && let Some(region) = region.dyn_ref::<HtmlElement>()
        {
            let _ = region.focus();
        }
    }
}

fn element(target: Option<web_sys::EventTarget>) -> Option<Element> {
    target.and_then(|t| t.dyn_into::<Element>().ok())
}

fn controls(region: &Element) -> Vec<Element> {
    let Ok(list) = region.query_selector_all(CONTROLS) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Whether something other than the page itself has the focus (in the region's document or
/// shadow root): then the loss was mended already, or the focus went elsewhere on purpose.
fn focus_is_somewhere(region: &Element) -> bool {
    let Some(document) = region.owner_document() else {
        return true;
    };
    match document.active_element() {
        None => false,
        Some(active) => document.body().is_none_or(|body| *body != active),
    }
}

fn has_focus(element: &HtmlElement) -> bool {
    let root = element.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => root
            .dyn_ref::<web_sys::Document>()
            .and_then(|d| d.active_element()),
    };
    active.is_some_and(|a| a == **element)
}
