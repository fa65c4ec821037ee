//! Keeping the keyboard focus in a region of the widget when a re-render removes the control
//! that had it.
//!
//! The server decides a card's buttons, so they come and go under the agent's hands: Hold is
//! replaced by Retrieve, Mute by Unmute, a form closes once sent, the controls go when the call
//! is released, the card goes 5 s later. The browser then moves the focus to the page's
//! `<body>` (Chromium fires a `focusout` with no `relatedTarget` while the element is still
//! connected, then removes it), and a keyboard or screen-reader user has to find their way back
//! from the top of the CRM page — on every hold. A region marked [`KEEP`] (a card, the agent
//! bar) gets the focus back on the control at the same place, which for the paired operations
//! is their pair (the catalog orders them so: `gws_client::actions_for`), or on the region
//! itself when no control is left; a region marked [`KEEP_HERE`] (the call list, of several
//! calls) takes it itself, never handing it to another call's control, where the agent's next
//! Enter would act on a call they did not choose. Regions nest: the innermost one still on the
//! page takes the focus. Regions have `tabindex="-1"` so that they can hold it.
//!
//! Only a loss caused by a removal is mended: when the agent clicks elsewhere in the page, or
//! the window loses the focus, the control that had it is still in the page and nothing moves.
//! A control that is only unavailable for a while (pending, paused) uses `aria-disabled`
//! instead of `disabled` for the same reason: a disabled control loses the focus too.
//!
//! The same module opens and closes the widget's small forms for keyboard users: a form (or the
//! logout alertdialog) opened by a click takes the focus on its first field
//! ([`autofocus_soon`]), and Escape inside it presses its Cancel button (marked
//! `data-gws-cancel`).
//!
//! Capturing listeners on the document serve every region and form of every widget (in a
//! shadow root too: focus and key events are composed, and the composed path names the element
//! inside): a region is two static attributes, not listeners of its own — per-element event
//! handlers are compiled once per element and closure type, which cost several KB of wasm.

use crate::drivers::page_lifecycle::Listener;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, Event, FocusEvent, HtmlElement};

/// The attribute that marks a region, with [`KEEP`] or [`KEEP_HERE`].
pub const REGION: &str = "data-gws-focus";
/// A region whose controls all act on one thing (one call, the agent): the focus goes to the
/// control at the same place.
pub const KEEP: &str = "controls";
/// A region of several things: the focus goes to the region itself.
pub const KEEP_HERE: &str = "region";

/// What Escape closes: a form or dialog, by pressing its button marked `data-gws-cancel`.
const DIALOG: &str = ".gws-form, .gws-agent__confirm";
const CANCEL: &str = "[data-gws-cancel]";
/// What takes the focus when a form or dialog opens: the element marked `data-gws-autofocus`
/// (a dialog's safe choice, where its first button would be the wrong one), else its first
/// field.
const AUTOFOCUS: &str = "[data-gws-autofocus]";
const FIRST_FIELD: &str = "input, select, textarea, button:not([disabled])";

/// What a click opened, for [`autofocus_soon`]: one of the card's forms, the agent bar's
/// forwarding form, the logout dialog.
pub const OPENED_FORM: &str = ".gws-form";
/// See [`OPENED_FORM`].
pub const OPENED_DIALOG: &str = ".gws-agent__confirm";

/// Where a [`KEEP`] region remembers the position of its control focused last.
const POSITION: &str = "data-gws-focus-at";
/// The controls a region chooses among: the operation buttons.
const CONTROLS: &str = "[data-action]";
const ANY_REGION: &str = "[data-gws-focus]";

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Starts keeping the focus in the page's regions (once per page; later calls do nothing).
/// Components with a region call it when they are built.
pub fn keep_focus() {
    if WATCHING.get() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let listening = listen(&document, "focusin", focus_in)
        && listen(&document, "focusout", focus_out)
        && listen(&document, "keydown", escape);
    if !listening {
        return;
    }
    WATCHING.set(true);
}

/// In an embedding's shadow root, a focus move between two of the widget's own elements does
/// not reach the document at all (target and `relatedTarget` both retarget to the host, and the
/// event skips nodes outside): the region's place is recorded by a `focusin` listener on the
/// shadow root itself, for as long as the returned listener lives. A loss (`relatedTarget`
/// none) and Escape still reach the document.
pub fn watch_shadow_root(root: &web_sys::Node) -> Option<Listener> {
    let root = root.dyn_ref::<web_sys::ShadowRoot>()?;
    Listener::new(root, "focusin", focus_in)
}

/// Listens for `event` on the document, in the capture phase, for the page's life: every widget
/// mounted later uses the same listeners.
fn listen(document: &web_sys::Document, event: &str, handler: fn(Event)) -> bool {
    let callback = Closure::<dyn Fn(Event)>::new(handler);
    let added = document
        .add_event_listener_with_callback_and_bool(event, callback.as_ref().unchecked_ref(), true)
        .is_ok();
    callback.forget();
    added
}

/// The element the event happened on, inside a shadow root too.
fn origin(event: &Event) -> Option<Element> {
    event.composed_path().get(0).dyn_into::<Element>().ok()
}

/// A click opened a form or dialog (`opened`: [`OPENED_FORM`] or [`OPENED_DIALOG`]) in the
/// clicked control's region: once it is rendered, its first field (or its `data-gws-autofocus`
/// element) takes the focus — a keyboard user types the number at once, a screen-reader user
/// hears the question.
pub fn autofocus_soon(click: &Event, opened: &'static str) {
    let Some(region) = origin(click).and_then(|t| t.closest(ANY_REGION).ok().flatten()) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let container = region.query_selector(opened).ok().flatten();
        let field = container.and_then(|container| {
            let marked = container.query_selector(AUTOFOCUS).ok().flatten();
            marked.or_else(|| container.query_selector(FIRST_FIELD).ok().flatten())
        });
        if let Some(field) = field.and_then(|f| f.dyn_into::<HtmlElement>().ok()) {
            let _ = field.focus();
        }
    });
}

/// Escape inside one of the widget's forms or dialogs presses its Cancel, and goes no further
/// (the host page's own Escape handling, e.g. closing a panel around the widget, is not run).
fn escape(event: Event) {
    let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
        return;
    };
    // 229: Safari ends a composition before the Escape that cancels it reaches the page.
    if key.key() != "Escape"
        || key.default_prevented()
        || key.is_composing()
        || key.key_code() == 229
    {
        return;
    }
    let Some(dialog) = origin(&event).and_then(|t| t.closest(DIALOG).ok().flatten()) else {
        return;
    };
    // Its own Cancel: a widget mounted without a shadow root may sit in a host page's dialog.
    let cancel = dialog
        .query_selector(CANCEL)
        .ok()
        .flatten()
        .filter(|c| c.closest(DIALOG).ok().flatten().as_ref() == Some(&dialog));
    if let Some(cancel) = cancel.and_then(|c| c.dyn_into::<HtmlElement>().ok()) {
        event.prevent_default();
        event.stop_propagation();
        cancel.click();
    }
}

/// A control of a [`KEEP`] region took the focus: the region remembers its place. Other
/// elements (a form's field, a dismiss button) leave the last control's place, so that a form
/// closing puts the focus back on the button that opened it.
fn focus_in(event: Event) {
    let Some(target) = origin(&event) else {
        return;
    };
    let Ok(Some(region)) = target.closest(ANY_REGION) else {
        return;
    };
    if region.get_attribute(REGION).as_deref() != Some(KEEP) {
        return;
    }
    if let Some(position) = controls(&region).iter().position(|c| *c == target) {
        let _ = region.set_attribute(POSITION, &position.to_string());
    }
}

/// The focus left an element for nowhere: once the re-render under way has finished, mend it
/// if the element was removed (see the module's doc).
fn focus_out(event: Event) {
    let related = event
        .dyn_ref::<FocusEvent>()
        .and_then(FocusEvent::related_target);
    if related.is_some() {
        return; // it went somewhere: the agent's choice
    }
    let Some(lost) = origin(&event) else {
        return;
    };
    // The regions around it, innermost first, read now: after the removal it has no parents.
    let mut regions = Vec::new();
    let mut next = lost.closest(ANY_REGION).ok().flatten();
    while let Some(region) = next {
        next = region
            .parent_element()
            .and_then(|parent| parent.closest(ANY_REGION).ok().flatten());
        regions.push(region);
    }
    if regions.is_empty() {
        return;
    }
    // `focusout` fires before the removal: look again once it is done.
    wasm_bindgen_futures::spawn_local(async move { restore(&lost, &regions) });
}

fn restore(lost: &Element, regions: &[Element]) {
    if lost.is_connected() || focus_is_somewhere(lost) {
        return;
    }
    let Some(region) = regions.iter().find(|r| r.is_connected()) else {
        return;
    };
    let candidate = if region.get_attribute(REGION).as_deref() == Some(KEEP) {
        let controls = controls(region);
        let at = region
            .get_attribute(POSITION)
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(0);
        controls
            .get(at.min(controls.len().saturating_sub(1)))
            .and_then(|c| c.dyn_ref::<HtmlElement>())
            .cloned()
    } else {
        None
    };
    // A control inside a closed `<details>` cannot take the focus: the region does.
    if candidate.is_none_or(|c| c.focus().is_err() || !has_focus(&c))
        && let Some(region) = region.dyn_ref::<HtmlElement>()
    {
        let _ = region.focus();
    }
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

/// Whether something other than the page itself has the focus: then the loss was mended
/// already, or the focus went elsewhere on purpose.
fn focus_is_somewhere(element: &Element) -> bool {
    let Some(document) = element.owner_document() else {
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
