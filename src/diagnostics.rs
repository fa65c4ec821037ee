//! Live-resource counters: how many widgets, notification loops, event listeners and timer
//! workers exist right now. They make "mount/destroy a hundred times leaks nothing" a fact a test
//! can check, and let a host page (or support) look at a running widget (`diagnostics()`).

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

/// Mounted `<AgentWidget/>`s.
pub static WIDGETS: AtomicI32 = AtomicI32::new(0);
/// Running notification loops.
pub static LOOPS: AtomicI32 = AtomicI32::new(0);
/// Registered DOM event listeners (page lifecycle, shortcuts, click-to-dial).
pub static LISTENERS: AtomicI32 = AtomicI32::new(0);
/// Timer workers of the background-safe scheduler.
pub static WORKERS: AtomicI32 = AtomicI32::new(0);

/// Notifications delivered by notification loops since the page loaded.
pub static MESSAGES: AtomicU64 = AtomicU64::new(0);
/// When the last Bayeux response reached a notification loop (µs on the `performance.now()`
/// clock): benchmarks subtract it from the time a card changed to get the receipt→DOM latency.
pub static LAST_RESPONSE_US: AtomicU64 = AtomicU64::new(0);

/// Records a Bayeux response received at `now_us`.
pub fn note_response(now_us: u64) {
    LAST_RESPONSE_US.store(now_us, Ordering::Relaxed);
}

/// Counts one delivered notification.
pub fn note_message() {
    MESSAGES.fetch_add(1, Ordering::Relaxed);
}

/// Counts one live resource for as long as it exists.
#[derive(Debug)]
pub struct Live(&'static AtomicI32);

impl Live {
    /// Counts one more `counter` until the guard is dropped.
    pub fn new(counter: &'static AtomicI32) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Live(counter)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The counters at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Mounted widgets.
    pub widgets: i32,
    /// Running notification loops.
    pub loops: i32,
    /// Registered event listeners.
    pub listeners: i32,
    /// Timer workers.
    pub workers: i32,
    /// Notifications delivered so far.
    pub messages: u64,
    /// Time of the last Bayeux response (µs, `performance.now()` clock).
    pub last_response_us: u64,
}

/// Reads the counters.
pub fn snapshot() -> Snapshot {
    Snapshot {
        widgets: WIDGETS.load(Ordering::Relaxed),
        loops: LOOPS.load(Ordering::Relaxed),
        listeners: LISTENERS.load(Ordering::Relaxed),
        workers: WORKERS.load(Ordering::Relaxed),
        messages: MESSAGES.load(Ordering::Relaxed),
        last_response_us: LAST_RESPONSE_US.load(Ordering::Relaxed),
    }
}
