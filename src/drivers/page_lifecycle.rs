//! Page lifecycle signals the notification loop must react to: the tab coming back
//! (`visibilitychange`, `pageshow`, `resume` after a freeze), the network (`online` / `offline`) and the page going away
//! (`pagehide`). A frozen or hidden tab may have missed anything; when it is back, the loop checks
//! its session at once and the widget re-reads its state.

use crate::diagnostics::{self, Live};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Event, EventTarget};

/// An event listener removed when dropped (so unmounting a widget leaves no listener behind).
pub struct Listener {
    _live: Live,
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Listens for `event` on `target`.
    pub fn new(
        target: &EventTarget,
        event: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Option<Self> {
        let callback = Closure::<dyn FnMut(Event)>::new(handler);
        target
            .add_event_listener_with_callback(event, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Listener {
            _live: Live::new(&diagnostics::LISTENERS),
            target: target.clone(),
            event,
            callback,
        })
    }
}

/// The element an event happened on, inside a shadow root too (`composedPath()[0]`: the
/// event's `target` is the shadow host once it leaves the root).
pub fn event_origin(event: &Event) -> Option<web_sys::Element> {
    event.composed_path().get(0).dyn_into().ok()
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// What happened to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSignal {
    /// The tab became visible again or was restored from the back/forward cache.
    Resumed,
    /// The browser's network status changed.
    Online(bool),
    /// The page is being hidden for good or put in the back/forward cache.
    Hidden,
}

/// Whether the browser currently reports a network connection (true when unknown).
pub fn browser_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Subscribes `handler` to the page signals; the listeners live as long as the returned vector.
pub fn watch_page(handler: impl Fn(PageSignal) + 'static) -> Vec<Listener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let document = window.document();
    // `Fn` behind an `Rc`, no `RefCell`: a handler that ends up calling into JS (which could
    // dispatch another page event) must not find itself still borrowed.
    let handler = std::rc::Rc::new(handler);
    let mut listeners = Vec::new();
    let on = |target: &EventTarget, event: &'static str, map: fn(&Event) -> Option<PageSignal>| {
        let handler = handler.clone();
        Listener::new(target, event, move |e| {
            if let Some(signal) = map(&e) {
                handler(signal);
            }
        })
    };
    if let Some(document) = &document {
        listeners.extend(on(document.as_ref(), "visibilitychange", |_| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
                .unwrap_or(true);
            visible.then_some(PageSignal::Resumed)
        }));
    }
    listeners.extend(on(window.as_ref(), "pageshow", |_| {
        Some(PageSignal::Resumed)
    }));
    listeners.extend(on(window.as_ref(), "online", |_| {
        Some(PageSignal::Online(true))
    }));
    listeners.extend(on(window.as_ref(), "offline", |_| {
        Some(PageSignal::Online(false))
    }));
    listeners.extend(on(window.as_ref(), "pagehide", |_| {
        Some(PageSignal::Hidden)
    }));
    listeners
}
