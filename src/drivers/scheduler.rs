//! Sleeping that survives background tabs.
//!
//! Browsers throttle `setTimeout` in hidden tabs (Chrome: at most once a second, and once a
//! minute after five minutes of "intensive throttling"), which silently stretches a 1 s reconnect
//! backoff into a minute — the #1 way long-poll agents miss calls (field notes §0.4). Timers in a
//! dedicated Worker are not throttled that way, so, like cometd.js's `useWorkerScheduler`, the
//! loop sleeps through a tiny timer worker.
//!
//! The worker is the file `gws-timer-worker.js` beside the widget's glue, loaded as a module
//! worker, when that file is on the page's origin (a worker script must be same-origin): then a
//! Content-Security-Policy of `script-src 'self'` allows it, where a `blob:` worker would be a
//! violation (`worker-src` falls back to `script-src`, then `default-src`). Only when the widget
//! is served from another origin does it use a Blob-URL worker (a CSP-strict host self-hosts the
//! widget's files, docs/integration.md). Where no worker starts, or one fails to load (an `error`
//! event, e.g. a 404), sleeps use `setTimeout` alone; every sleep also races a `setTimeout`, so a
//! worker that dies mid-sleep costs nothing, and the loop re-checks on `visibilitychange`: the
//! fallback costs latency in hidden tabs, not calls.

use crate::diagnostics::{self, Live};
use futures::channel::oneshot;
use gloo_timers::future::TimeoutFuture;
use gws_client::SmallMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Event, MessageEvent, Worker};

#[wasm_bindgen(module = "/src/glue.js")]
extern "C" {
    /// A timer worker, or `null` when none can be created here.
    #[wasm_bindgen(js_name = gwsTimerWorker)]
    fn timer_worker() -> Option<Worker>;
}

type Waiters = Rc<RefCell<SmallMap<u32, oneshot::Sender<()>>>>;

/// The worker and its event closures (kept alive as long as the worker).
struct TimerWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    /// Set by the `error` event: the script did not load (or threw); sleeps stop using it.
    failed: Rc<Cell<bool>>,
}

/// A sleeper backed by a worker when possible.
pub struct Scheduler {
    worker: Option<TimerWorker>,
    /// Counts the worker in the diagnostics while it is usable (emptied on its `error`).
    live: Rc<RefCell<Option<Live>>>,
    waiters: Waiters,
    next_id: u32,
}

impl Scheduler {
    /// Starts the timer worker (or notes that `setTimeout` must do).
    pub fn new() -> Self {
        let waiters: Waiters = Rc::new(RefCell::new(SmallMap::new()));
        let live = Rc::new(RefCell::new(None));
        let worker = start_worker(&waiters, &live);
        if worker.is_some() {
            *live.borrow_mut() = Some(Live::new(&diagnostics::WORKERS));
        }
        Scheduler {
            worker,
            live,
            waiters,
            next_id: 0,
        }
    }

    /// Whether sleeps run in a worker (unthrottled in background tabs).
    pub fn uses_worker(&self) -> bool {
        self.worker.as_ref().is_some_and(|w| !w.failed.get())
    }

    /// Resolves after `ms` milliseconds: on the worker's reply or the page's `setTimeout`,
    /// whichever comes first (the worker's in a throttled background tab, the timeout's if the
    /// worker died).
    pub fn sleep(&mut self, ms: u32) -> impl Future<Output = ()> + 'static {
        let fallback = TimeoutFuture::new(ms);
        let Some(TimerWorker { worker, failed, .. }) = &self.worker else {
            return futures::future::Either::Left(fallback);
        };
        if failed.get() {
            return futures::future::Either::Left(fallback);
        }
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
            // A dropped sender (scheduler dropped) ends the sleep early, which is safe: the loop
            // just looks at its state machine again.
            let _ = futures::future::select(receiver, fallback).await;
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
        if let Some(timer) = self.worker.take() {
            timer.worker.terminate();
        }
        self.live.borrow_mut().take();
        self.waiters.borrow_mut().clear();
    }
}

fn start_worker(waiters: &Waiters, live: &Rc<RefCell<Option<Live>>>) -> Option<TimerWorker> {
    let worker = timer_worker()?;
    let failed = Rc::new(Cell::new(false));
    let on_error = {
        let (failed, live) = (Rc::clone(&failed), Rc::clone(live));
        Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // The page would otherwise report the failed load as an uncaught worker error.
            event.prevent_default();
            failed.set(true);
            live.borrow_mut().take();
        })
    };
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
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
    Some(TimerWorker {
        worker,
        _on_message: on_message,
        _on_error: on_error,
        failed,
    })
}
