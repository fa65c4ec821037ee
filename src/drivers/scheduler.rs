//! Sleeping that survives background tabs.
//!
//! Browsers throttle `setTimeout` in hidden tabs (Chrome: at most once a second, and once a
//! minute after five minutes of "intensive throttling"), which silently stretches a 1 s reconnect
//! backoff into a minute — the #1 way long-poll agents miss calls (field notes §0.4). Timers in a
//! dedicated Worker are not throttled that way, so, like cometd.js's `useWorkerScheduler`, the
//! loop sleeps through a tiny Blob-URL worker. Where a worker cannot be created (strict CSP without
//! `worker-src blob:`), it falls back to `setTimeout`; the loop also re-checks on
//! `visibilitychange`, so the fallback costs latency, not calls.

use crate::diagnostics::{self, Live};
use futures::channel::oneshot;
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};

/// The worker's whole program: echo each `[id, ms]` back after `ms`.
const WORKER_SOURCE: &str =
    "onmessage = (e) => { const [id, ms] = e.data; setTimeout(() => postMessage(id), ms); };";

type Waiters = Rc<RefCell<HashMap<u32, oneshot::Sender<()>>>>;
/// The worker and its `onmessage` closure (kept alive as long as the worker).
type TimerWorker = (Worker, Closure<dyn FnMut(MessageEvent)>);

/// A sleeper backed by a worker when possible.
pub struct Scheduler {
    worker: Option<TimerWorker>,
    _live: Option<Live>,
    waiters: Waiters,
    next_id: u32,
}

impl Scheduler {
    /// Starts the timer worker (or notes that `setTimeout` must do).
    pub fn new() -> Self {
        let waiters: Waiters = Rc::new(RefCell::new(HashMap::new()));
        let worker = start_worker(&waiters);
        let live = worker.as_ref().map(|_| Live::new(&diagnostics::WORKERS));
        Scheduler {
            worker,
            _live: live,
            waiters,
            next_id: 0,
        }
    }

    /// Whether sleeps run in a worker (unthrottled in background tabs).
    pub fn uses_worker(&self) -> bool {
        self.worker.is_some()
    }

    /// Resolves after `ms` milliseconds.
    pub fn sleep(&mut self, ms: u32) -> impl Future<Output = ()> + 'static {
        let fallback = TimeoutFuture::new(ms);
        let Some((worker, _)) = &self.worker else {
            return futures::future::Either::Left(fallback);
        };
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let (sender, receiver) = oneshot::channel();
        self.waiters.borrow_mut().insert(id, sender);
        let message = js_sys::Array::of2(&JsValue::from(id), &JsValue::from(ms));
        if worker.post_message(&message).is_err() {
            self.waiters.borrow_mut().remove(&id);
            return futures::future::Either::Left(fallback);
        }
        futures::future::Either::Right(async move {
            // A dropped sender (worker gone) ends the sleep early, which is safe: the loop just
            // looks at its state machine again.
            let _ = receiver.await;
        })
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        if let Some((worker, _)) = self.worker.take() {
            worker.terminate();
        }
        self.waiters.borrow_mut().clear();
    }
}

fn start_worker(waiters: &Waiters) -> Option<TimerWorker> {
    let parts = js_sys::Array::of1(&JsValue::from_str(WORKER_SOURCE));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let worker = Worker::new(&url);
    let _ = Url::revoke_object_url(&url);
    let worker = worker.ok()?;
    let waiters = Rc::clone(waiters);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(id) = event
            .data()
            .as_f64()
            .filter(|id| id.is_finite() && *id >= 0.0)
            && let Some(sender) = waiters.borrow_mut().remove(&(id as u32))
        {
            let _ = sender.send(());
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Some((worker, on_message))
}
