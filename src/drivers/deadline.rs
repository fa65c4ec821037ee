//! One timer kept armed for a state machine's next deadline (`poll_timeout`): re-armed only when
//! the deadline moves, cancelled when it goes away or the timer is dropped.

use gloo_timers::callback::Timeout;
use std::cell::RefCell;

/// The armed timer and its deadline (ms on the widget's clock).
#[derive(Default)]
pub struct DeadlineTimer {
    armed: RefCell<Option<(u64, Timeout)>>,
}

impl DeadlineTimer {
    /// Arms for `deadline` (`now` is the current time), calling `on_due` then, unless it is
    /// already armed for that deadline. `None` cancels.
    pub fn arm(&self, deadline: Option<u64>, now: u64, on_due: impl FnOnce() + 'static) {
        if self.armed.borrow().as_ref().map(|(at, _)| *at) == deadline {
            return;
        }
        // Creating and cancelling timers call into JS: no borrow is held meanwhile.
        let timer = deadline.map(|at| {
            let delay = u32::try_from(at.saturating_sub(now)).unwrap_or(u32::MAX);
            (at, Timeout::new(delay, on_due))
        });
        let previous = self.armed.replace(timer);
        drop(previous);
    }

    /// Forgets the timer that just fired (so the same deadline can be armed again).
    pub fn fired(&self) {
        let fired = self.armed.take();
        drop(fired);
    }
}
