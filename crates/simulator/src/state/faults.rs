//! The faults waiting to hit the next requests, and the body of `POST /sim/faults` that adds
//! them. The middleware that applies them is [`crate::faults`]; the CometD connect handler
//! takes its dropped connects from here too.
//!
//! Why here and not in `faults.rs`: the shared state owns the pending faults, and the middleware
//! depends on the shared state; keeping the data on the state's side means the state depends
//! on no middleware (no `state` ↔ `faults` module cycle).

use serde::{Deserialize, Serialize};

/// Faults waiting to hit the next requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    /// Requests still to fail.
    pub fail_next: u32,
    /// HTTP status of failed requests.
    pub fail_status: u16,
    /// Only requests whose path starts with this fail.
    pub fail_path: String,
    /// Requests still to delay.
    pub delay_next: u32,
    /// How long.
    pub delay_ms: u64,
    /// Only requests whose path starts with this are delayed.
    pub delay_path: String,
    /// `/meta/connect` requests whose response is never sent (the request hangs until the
    /// client gives up; queued messages stay queued for the next connect).
    pub drop_connects: u32,
    /// CometD (`/api/v2/notifications`) replies still to stall: each sends the first byte of
    /// its body, then the rest only after `stall_ms` (a body slow to arrive).
    pub stall_bodies: u32,
    /// How long a stalled body holds its rest.
    pub stall_ms: u64,
    /// `/meta/subscribe` messages still to refuse (`403::Subscription denied`, as for a channel
    /// the user may not see).
    pub refuse_subscriptions: u32,
}

/// The body of `POST /sim/faults`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRequest {
    /// Drop every CometD session now (clients get `402::Unknown client`).
    #[serde(default)]
    pub expire_sessions: bool,
    /// Restart the CometD layer: all sessions lost, calls kept.
    #[serde(default)]
    pub restart_cometd: bool,
    /// Invalidate every HTTP session and CSRF token.
    #[serde(default)]
    pub rotate_csrf: bool,
    /// Fail the next N `/api/v2` requests.
    #[serde(default)]
    pub fail_next: Option<u32>,
    /// Their HTTP status (default 503).
    #[serde(default)]
    pub fail_status: Option<u16>,
    /// Path prefix (default `/api/v2`).
    #[serde(default)]
    pub fail_path: Option<String>,
    /// Delay the next N `/api/v2` requests.
    #[serde(default)]
    pub delay_next: Option<u32>,
    /// By this much (default 2000 ms).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Path prefix (default `/api/v2`).
    #[serde(default)]
    pub delay_path: Option<String>,
    /// Drop the next N connect responses.
    #[serde(default)]
    pub drop_connects: Option<u32>,
    /// Stall the bodies of the next N CometD replies.
    #[serde(default)]
    pub stall_bodies: Option<u32>,
    /// For this long (default 20 000 ms).
    #[serde(default)]
    pub stall_ms: Option<u64>,
    /// Refuse the next N `/meta/subscribe` messages.
    #[serde(default)]
    pub refuse_subscriptions: Option<u32>,
    /// Forget pending faults first.
    #[serde(default)]
    pub clear: bool,
}

impl Faults {
    /// Merges a request into the pending faults (session-level faults are applied by the caller).
    pub fn add(&mut self, request: &FaultRequest) {
        if request.clear {
            *self = Faults::default();
        }
        if let Some(n) = request.fail_next {
            self.fail_next = self.fail_next.saturating_add(n);
            self.fail_status = request.fail_status.unwrap_or(503);
            self.fail_path = request
                .fail_path
                .clone()
                .unwrap_or_else(|| "/api/v2".into());
        }
        if let Some(n) = request.delay_next {
            self.delay_next = self.delay_next.saturating_add(n);
            self.delay_ms = request.delay_ms.unwrap_or(2000);
            self.delay_path = request
                .delay_path
                .clone()
                .unwrap_or_else(|| "/api/v2".into());
        }
        if let Some(n) = request.drop_connects {
            self.drop_connects = self.drop_connects.saturating_add(n);
        }
        if let Some(n) = request.stall_bodies {
            self.stall_bodies = self.stall_bodies.saturating_add(n);
            self.stall_ms = request.stall_ms.unwrap_or(20_000);
        }
        if let Some(n) = request.refuse_subscriptions {
            self.refuse_subscriptions = self.refuse_subscriptions.saturating_add(n);
        }
    }

    /// Takes one "refuse this subscribe" if pending.
    pub fn take_refuse_subscription(&mut self) -> bool {
        take_one(&mut self.refuse_subscriptions)
    }

    /// Takes one "drop this connect" if pending.
    pub fn take_drop_connect(&mut self) -> bool {
        take_one(&mut self.drop_connects)
    }
}

/// Counts one pending fault down; whether there was one.
fn take_one(pending: &mut u32) -> bool {
    let had = *pending > 0;
    *pending = pending.saturating_sub(1);
    had
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts from several requests add up, and past `u32::MAX` they stay there: the control
    /// endpoint must not crash the simulator (a debug build panics on overflow).
    #[test]
    fn fault_counts_add_up_and_saturate() {
        let huge = FaultRequest {
            fail_next: Some(u32::MAX),
            delay_next: Some(u32::MAX),
            drop_connects: Some(u32::MAX),
            stall_bodies: Some(u32::MAX),
            refuse_subscriptions: Some(u32::MAX),
            ..FaultRequest::default()
        };
        let two = FaultRequest {
            fail_next: Some(2),
            drop_connects: Some(2),
            ..FaultRequest::default()
        };
        let mut faults = Faults::default();
        faults.add(&two);
        faults.add(&two);
        assert_eq!((faults.fail_next, faults.drop_connects), (4, 4));
        faults.add(&huge);
        faults.add(&huge);
        assert_eq!(faults.fail_next, u32::MAX);
        assert_eq!(faults.delay_next, u32::MAX);
        assert_eq!(faults.drop_connects, u32::MAX);
        assert_eq!(faults.stall_bodies, u32::MAX);
        assert_eq!(faults.refuse_subscriptions, u32::MAX);
    }
}
