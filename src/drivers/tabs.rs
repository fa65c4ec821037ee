//! One notification loop per browser: when the same user has the widget open in several tabs,
//! only the leader tab runs the CometD loop; the others (followers) receive its notifications
//! and connection state over a `BroadcastChannel` and send their operations through it.
//!
//! Why: GWS (CometD) servers allow few long polls per browser (`maxSessionsPerBrowser` 1 by
//! default, others degraded to slow polling), and N tabs × one session each multiplies server
//! load and the chances of a tab silently missing a call (field notes §0.3). Leadership uses the
//! Web Locks API: the leader holds an exclusive lock named after server + user; when its tab
//! closes (or its widget is destroyed) the browser releases the lock at once and the next tab in
//! line takes over, starts its own loop and re-reads state. Without Web Locks every tab leads
//! alone (the previous behaviour), which is safe, only heavier.

use futures::channel::oneshot;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

#[wasm_bindgen(inline_js = r#"
export function gwsLocksAvailable() {
  return typeof navigator !== 'undefined' && !!navigator.locks && typeof navigator.locks.request === 'function';
}
export function gwsRequestLeadership(name, onAcquired) {
  let release = () => {};
  const held = new Promise((resolve) => { release = resolve; });
  const abort = new AbortController();
  navigator.locks
    .request(name, { mode: 'exclusive', signal: abort.signal }, () => { onAcquired(); return held; })
    .catch(() => {});
  return () => { abort.abort(); release(); };
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = gwsLocksAvailable)]
    fn locks_available() -> bool;
    #[wasm_bindgen(js_name = gwsRequestLeadership)]
    fn request_lock(name: &str, on_acquired: &js_sys::Function) -> js_sys::Function;
}

/// A request for leadership; holding it keeps the lock, dropping it releases (or withdraws) it.
pub struct LeaderLease {
    cancel: js_sys::Function,
    _on_acquired: Closure<dyn FnMut()>,
}

impl Drop for LeaderLease {
    fn drop(&mut self) {
        let _ = self.cancel.call0(&JsValue::NULL);
    }
}

/// Queues for leadership of `key`. `None` when the browser has no Web Locks (lead alone);
/// otherwise the lease and a receiver that fires once this tab is the leader.
pub fn request_leadership(key: &str) -> Option<(LeaderLease, oneshot::Receiver<()>)> {
    if !locks_available() {
        return None;
    }
    let (sender, receiver) = oneshot::channel();
    let sender = RefCell::new(Some(sender));
    let on_acquired = Closure::<dyn FnMut()>::new(move || {
        if let Some(sender) = sender.borrow_mut().take() {
            let _ = sender.send(());
        }
    });
    let cancel = request_lock(
        &format!("gws-widget-leader:{key}"),
        on_acquired.as_ref().unchecked_ref(),
    );
    Some((
        LeaderLease {
            cancel,
            _on_acquired: on_acquired,
        },
        receiver,
    ))
}

/// What tabs of the same user tell each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "camelCase")]
pub enum TabMessage {
    /// A new follower asks the leader for its connection state.
    #[serde(rename_all = "camelCase")]
    Hello {
        /// The follower's tab id.
        from: String,
    },
    /// The leader received a notification.
    Notification {
        /// CometD channel.
        channel: String,
        /// The message's `data`: its JSON text as received (a string, because a raw JSON
        /// value cannot sit inside this internally tagged enum).
        data: String,
    },
    /// The leader's connection state.
    #[serde(rename_all = "camelCase")]
    Connection {
        /// `connecting | connected | reconnecting | offline | disconnected`.
        state: String,
        /// Consecutive failures.
        attempt: u32,
        /// Time to the next retry (clocks differ between tabs, so it travels as a delay).
        retry_in_ms: Option<u64>,
    },
    /// The leader re-read state (re-handshake or resume): followers re-read theirs too.
    Resync,
    /// A follower's operation, for the leader to send.
    #[serde(rename_all = "camelCase")]
    Intent {
        /// The follower's tab id.
        from: String,
        /// The follower's number for this request.
        id: u64,
        /// REST path (from the server root).
        path: String,
        /// The operation body.
        request: Value,
    },
    /// The leader's POST of a follower's operation failed.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// The follower's tab id.
        to: String,
        /// The follower's request number.
        id: u64,
        /// What went wrong, worded for the agent.
        message: String,
    },
}

/// A `BroadcastChannel` between the tabs of one user, closed when dropped.
pub struct TabLink {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    /// This tab's (this widget's) id.
    pub tab_id: String,
}

impl TabLink {
    /// Opens the channel for `key`; `on_message` gets every well-formed message of the other
    /// tabs (malformed ones are ignored: the channel is shared with any script of the origin).
    pub fn open(key: &str, on_message: impl FnMut(TabMessage) + 'static) -> Option<Rc<TabLink>> {
        let channel = BroadcastChannel::new(&format!("gws-widget:{key}")).ok()?;
        let on_message = Rc::new(RefCell::new(on_message));
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            if let Ok(message) = crate::drivers::rest::decode::<TabMessage>(&text) {
                (on_message.borrow_mut())(message);
            }
        });
        channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
        let tab_id = format!("{:x}", (js_sys::Math::random() * 9.0e15) as u64);
        Some(Rc::new(TabLink {
            channel,
            _on_message: closure,
            tab_id,
        }))
    }

    /// Sends to every other tab.
    pub fn send(&self, message: &TabMessage) {
        if let Ok(text) = serde_json::to_string(message) {
            let _ = self.channel.post_message(&JsValue::from_str(&text));
        }
    }
}

impl Drop for TabLink {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
