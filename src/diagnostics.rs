//! Live-resource counters: how many widgets, notification loops, event listeners and timer
//! workers exist right now. They make "mount/destroy a hundred times leaks nothing" a fact a test
//! can check, and let a host page (or support) look at a running widget (`diagnostics()`).

use std::sync::atomic::{AtomicI32, Ordering};

/// Mounted `<AgentWidget/>`s.
pub static WIDGETS: AtomicI32 = AtomicI32::new(0);
/// Running notification loops.
pub static LOOPS: AtomicI32 = AtomicI32::new(0);
/// Registered DOM event listeners (page lifecycle, shortcuts, click-to-dial).
pub static LISTENERS: AtomicI32 = AtomicI32::new(0);
/// Timer workers of the background-safe scheduler.
pub static WORKERS: AtomicI32 = AtomicI32::new(0);

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
pub struct Snapshot {
    /// Mounted widgets.
    pub widgets: i32,
    /// Running notification loops.
    pub loops: i32,
    /// Registered event listeners.
    pub listeners: i32,
    /// Timer workers.
    pub workers: i32,
}

/// Reads the counters.
pub fn snapshot() -> Snapshot {
    Snapshot {
        widgets: WIDGETS.load(Ordering::Relaxed),
        loops: LOOPS.load(Ordering::Relaxed),
        listeners: LISTENERS.load(Ordering::Relaxed),
        workers: WORKERS.load(Ordering::Relaxed),
    }
}
