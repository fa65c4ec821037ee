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
//!
//! This is the transport only; what the tabs say to each other, and what each accepts, is the
//! core's (`gws_client::widget_core::tabs`).

use crate::drivers::notifications::LoopCommand;
use futures::channel::mpsc::UnboundedReceiver;
use futures::channel::oneshot;
use futures::{FutureExt, StreamExt};
use gws_client::TabMessage;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

#[wasm_bindgen(module = "/src/glue.js")]
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
    pub fn open(key: &str, on_message: impl Fn(TabMessage) + 'static) -> Option<Rc<TabLink>> {
        let channel = BroadcastChannel::new(&format!("gws-widget:{key}")).ok()?;
        // No `RefCell` around the handler: it feeds the widget core, whose effects call into JS.
        let on_message = Rc::new(on_message);
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            if let Ok(message) = crate::drivers::rest::decode::<TabMessage>(&text) {
                on_message(message);
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

/// This tab's membership of its user's tabs: the channel, and its place in line to lead.
/// Dropping it leaves: the channel closes (once no one else holds it) and the next tab in line
/// leads.
pub struct TabMembership {
    /// The channel to the other tabs.
    pub link: Rc<TabLink>,
    _lease: LeaderLease,
    elected: oneshot::Receiver<()>,
}

impl TabMembership {
    /// Opens the channel for `key` and queues for leadership. `None` when the browser has no
    /// `BroadcastChannel` or no Web Locks: then this tab leads alone.
    pub fn join(key: &str, on_message: impl Fn(TabMessage) + 'static) -> Option<TabMembership> {
        let link = TabLink::open(key, on_message)?;
        let (lease, elected) = request_leadership(key)?;
        Some(TabMembership {
            link,
            _lease: lease,
            elected,
        })
    }

    /// Waits until this tab is elected leader (`true`), or until the widget stops (`false`;
    /// leaving the line). Retry requests are meaningless while the leader runs the loop.
    pub async fn elected(&mut self, commands: &mut UnboundedReceiver<LoopCommand>) -> bool {
        let mut elected = (&mut self.elected).fuse();
        loop {
            futures::select! {
                outcome = elected => return outcome.is_ok(),
                command = commands.next() => match command {
                    Some(LoopCommand::Stop) | None => return false,
                    // Nothing runs to retry, pause or resume while the leader does.
                    Some(_) => {}
                },
            }
        }
    }
}

/// Names the tabs of `username` on the server at `base_url` (empty: this page's origin): only
/// they share a loop.
pub fn tab_key(base_url: &str, username: &str) -> String {
    let server = match base_url {
        "" => web_sys::window().and_then(|w| w.location().origin().ok()),
        base => Some(base.to_string()),
    };
    format!("{}|{username}", server.unwrap_or_default())
}
