//! Keeping the keyboard focus in a region of the widget when a re-render removes the control
//! that had it.
//!
//! The server decides a card's buttons, so they come and go under the agent's hands: Hold is
//! replaced by Retrieve, Mute by Unmute, a form closes once sent, the controls go when the call
//! is released, the card goes 5 s later. The browser then moves the focus to the page's
//! `<body>` — Chromium with a `focusout`, Firefox and Safari without any event — and a keyboard
//! or screen-reader user has to find their way back from the top of the CRM page, on every
//! hold. The element that had the focus is remembered when it takes it, and a mutation
//! observer notices when a render removed it. A region marked [`KEEP`] (a card, the agent
//! bar) gets the focus back on the control at the same place, which for the paired operations
//! is their pair (the catalog orders them so: `gws_client::actions_for`), or on the region
//! itself when no control is left; a region marked [`KEEP_HERE`] (the call list and the recent
//! calls, of several calls) takes it itself, never handing it to another call's control, where the agent's next
//! Enter would act on a call they did not choose. Regions nest: the innermost one still on the
//! page takes the focus. Regions have `tabindex="-1"` so that they can hold it.
//!
//! Only a loss caused by a removal is mended: when the agent clicks elsewhere in the page the
//! control that had the focus is still in the page, and nothing is remembered any more. A
//! control patched in place to show another call (a recent-calls row shifted by a newer one)
//! passes the focus to the control of the call it was on.
//! A control that is only unavailable for a while (pending, paused) uses `aria-disabled`
//! instead of `disabled` for the same reason: a disabled control loses the focus too.
//!
//! The same module opens and closes the widget's small forms for keyboard users: a form (or the
//! logout alertdialog) opened by a click takes the focus on its first field
//! ([`autofocus_soon`]), and Escape inside it presses its Cancel button (marked
//! `data-gws-cancel`).
//!
//! Capturing listeners on the document serve every region and form of every widget (an embed's
//! shadow root adds its own `focusin` listener: see [`watch_shadow_root`]): a region is two
//! static attributes, not listeners of its own — per-element event handlers are compiled once
//! per element and closure type, which cost several KB of wasm. One mutation observer watches
//! the tree of the focused element (the document, or the embed's shadow root) only while an
//! element of a region has the focus: a CRM page changes its DOM all day, and an observer of
//! the whole document would have the browser record every change of it for nothing.

use crate::drivers::page_lifecycle::{Listener, event_origin};
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, Event, FocusEvent, HtmlElement, MutationObserver, MutationObserverInit};

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

/// The element of a region that has the focus, read when it took it.
#[derive(Clone)]
struct Focused {
    element: Element,
    /// The regions around it, innermost first.
    regions: Vec<Element>,
    /// The call it belongs to.
    call: Option<String>,
}

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static FOCUSED: RefCell<Option<Focused>> = const { RefCell::new(None) };
    /// The observer of the focused element's tree, made at the first focus in a region.
    static OBSERVER: RefCell<Option<Observer>> = const { RefCell::new(None) };
}

/// A mutation observer and its callback, kept together for the page's life.
struct Observer {
    observer: MutationObserver,
    _callback: Closure<dyn Fn()>,
    /// The tree it observes now, if any.
    root: Option<web_sys::Node>,
}

/// Remembers (or forgets) the focused element, and observes its tree for exactly as long.
fn set_focused(focused: Option<Focused>) {
    let root = focused.as_ref().map(|f| f.element.get_root_node());
    FOCUSED.set(focused);
    OBSERVER.with_borrow_mut(|slot| {
        if slot.is_none() && root.is_some() {
            *slot = new_observer();
        }
        let Some(observer) = slot else {
            return;
        };
        if observer.root == root {
            return;
        }
        observer.observer.disconnect();
        observer.root = None;
        if let Some(root) = root {
            let options = MutationObserverInit::new();
            options.set_child_list(true);
            options.set_subtree(true);
            options.set_attribute_filter(&js_sys::Array::of1(&"data-call-id".into()));
            if observer
                .observer
                .observe_with_options(&root, &options)
                .is_ok()
            {
                observer.root = Some(root);
            }
        }
    });
}

/// A mutation observer calling [`on_mutations`]: elements coming and going, and rows changing
/// call.
fn new_observer() -> Option<Observer> {
    let callback = Closure::<dyn Fn()>::new(on_mutations);
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    Some(Observer {
        observer,
        _callback: callback,
        root: None,
    })
}

/// The tree the focus module observes now: the focused element's document or shadow root, and
/// none while no element of a region has the focus (for tests).
#[doc(hidden)]
pub fn observed_root() -> Option<web_sys::Node> {
    OBSERVER.with_borrow(|slot| slot.as_ref().and_then(|o| o.root.clone()))
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
    if listening {
        WATCHING.set(true);
    }
}

/// What keeps the focus in an embedding's shadow root, for as long as it lives.
pub struct ShadowRootWatch {
    _focus_in: Option<Listener>,
    root: web_sys::Node,
}

impl Drop for ShadowRootWatch {
    /// A widget destroyed while one of its controls had the focus: its shadow root is no
    /// longer observed nor its control remembered (neither would keep the unmounted tree alive
    /// until the next focus move in the page).
    fn drop(&mut self) {
        if observed_root().as_ref() == Some(&self.root) {
            set_focused(None);
        }
    }
}

/// In an embedding's shadow root, a focus move between two of the widget's own elements does
/// not reach the document at all (target and `relatedTarget` both retarget to the host, and the
/// event skips nodes outside): a `focusin` listener on the shadow root itself. A loss
/// (`relatedTarget` none) and Escape still reach the document; the root's mutations are
/// observed from the first focus in it (`set_focused`).
pub fn watch_shadow_root(root: &web_sys::Node) -> Option<ShadowRootWatch> {
    let shadow = root.dyn_ref::<web_sys::ShadowRoot>()?;
    Some(ShadowRootWatch {
        _focus_in: Listener::new(shadow, "focusin", focus_in),
        root: root.clone(),
    })
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

/// A click opened a form or dialog (`opened`: [`OPENED_FORM`] or [`OPENED_DIALOG`]) in the
/// clicked control's region: once it is rendered, its first field (or its `data-gws-autofocus`
/// element) takes the focus — a keyboard user types the number at once, a screen-reader user
/// hears the question.
pub fn autofocus_soon(click: &Event, opened: &'static str) {
    let Some(region) = event_origin(click).and_then(|t| t.closest(ANY_REGION).ok().flatten())
    else {
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
    let Some(dialog) = event_origin(&event).and_then(|t| t.closest(DIALOG).ok().flatten()) else {
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

/// An element of a region took the focus: remember it, its regions and its call (after a
/// removal it has no parents to read them from). A control of a [`KEEP`] region also marks its
/// place there; other elements (a form's field, a dismiss button) leave the last control's
/// place, so that a form closing puts the focus back on the button that opened it.
fn focus_in(event: Event) {
    let Some(target) = event_origin(&event) else {
        return;
    };
    let regions = regions_around(&target);
    let Some(region) = regions.first() else {
        set_focused(None); // outside the widget: nothing to keep
        return;
    };
    if region.get_attribute(REGION).as_deref() == Some(KEEP)
        && let Some(position) = controls(region).iter().position(|c| *c == target)
    {
        let _ = region.set_attribute(POSITION, &position.to_string());
    }
    let call = call_of(&target);
    set_focused(Some(Focused {
        element: target,
        regions,
        call,
    }));
}

/// The focus left an element for nowhere. If the element is still in the page, the agent moved
/// the focus away (clicked outside any control): nothing is to be kept any more. A window
/// losing the focus is not that (the element gets it back with the window), nor is a removal,
/// which [`on_mutations`] mends — in every browser, where only Chromium fires this event for a
/// removed element.
fn focus_out(event: Event) {
    let related = event
        .dyn_ref::<FocusEvent>()
        .and_then(FocusEvent::related_target);
    if related.is_some() {
        return; // it went somewhere: its `focusin` says where
    }
    let Some(lost) = event_origin(&event) else {
        return;
    };
    // `focusout` fires before a removal: look once it is done.
    wasm_bindgen_futures::spawn_local(async move {
        let window_blur = lost
            .owner_document()
            .is_some_and(|d| !d.has_focus().unwrap_or(false));
        if lost.is_connected() && !window_blur {
            let kept = FOCUSED.with_borrow(|f| f.as_ref().is_some_and(|f| f.element == lost));
            if kept {
                set_focused(None);
            }
        }
    });
}

/// The DOM changed under a focused element of a region (a widget's render): if it was removed,
/// the focus goes back into its region (see the module's doc); if it was patched in place to
/// show another call (a recent-calls row shifted by a newer one), the focus follows the call it
/// was on — the agent's next Enter must act on the call they chose.
fn on_mutations() {
    let Some(focused) = FOCUSED.with_borrow(Clone::clone) else {
        return;
    };
    if focused.element.is_connected() {
        if focused.call.is_some() && call_of(&focused.element) != focused.call {
            follow_call(&focused);
        }
        return;
    }
    set_focused(None);
    restore(&focused.element, &focused.regions); // its `focusin` observes again
}

/// Focuses the control of `focused`'s call that does what the focused one did (same
/// `data-action`) in the innermost region still in the page, else that region.
fn follow_call(focused: &Focused) {
    let Some(region) = focused.regions.iter().find(|r| r.is_connected()) else {
        return;
    };
    let action = focused.element.get_attribute("data-action");
    let same = controls(region)
        .into_iter()
        .find(|c| c.get_attribute("data-action") == action && call_of(c) == focused.call);
    focus_or_region(same, region);
}

/// The regions around `element`, innermost first.
fn regions_around(element: &Element) -> Vec<Element> {
    let mut regions = Vec::new();
    let mut next = element.closest(ANY_REGION).ok().flatten();
    while let Some(region) = next {
        next = region
            .parent_element()
            .and_then(|parent| parent.closest(ANY_REGION).ok().flatten());
        regions.push(region);
    }
    regions
}

/// The call `element` belongs to (its row's or card's `data-call-id`), if any.
fn call_of(element: &Element) -> Option<String> {
    element
        .closest("[data-call-id]")
        .ok()
        .flatten()
        .and_then(|row| row.get_attribute("data-call-id"))
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
            .cloned()
    } else {
        None
    };
    focus_or_region(candidate, region);
}

/// Focuses `candidate`, or `region` when there is none or it cannot take the focus (a control
/// inside a closed `<details>`).
fn focus_or_region(candidate: Option<Element>, region: &Element) {
    let focused = candidate
        .and_then(|c| c.dyn_into::<HtmlElement>().ok())
        .is_some_and(|c| c.focus().is_ok() && has_focus(&c));
    if !focused && let Some(region) = region.dyn_ref::<HtmlElement>() {
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
