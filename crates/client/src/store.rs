//! `CallsStore`: the calls an agent sees, as a pure reducer.
//!
//! The only ways calls change are [`CallsStore::apply`] (a `CallStateChangeMessage`) and
//! [`CallsStore::reconcile`] (a snapshot from `GET /api/v2/me/calls?fields=*`, after start-up or a
//! re-handshake). The HTTP reply to an operation never changes a call: it only marks the card
//! pending until the next notification tells the truth.

use crate::i18n::{Catalog, Key};
use gws_protocol::notification::{CallNotification, ErrorNotification};
use gws_protocol::{Call, CallState, Operation};
use std::collections::{HashMap, VecDeque};

/// How many released calls the recent list keeps.
pub const RECENT_CAPACITY: usize = 20;

/// The most calls the store holds at once, live and lingering released ones together. An agent
/// has a handful of calls (a consultation, a conference); the cap is far above that, and is there
/// because every notification about a new id adds an entry: a misbehaving server flooding new
/// ids must not grow the page's memory (and the card list) without bound. Over the cap, released
/// calls leave first (oldest release first, to the recent list as if retired), then the oldest
/// live ones; [`CallsStore::take_evicted`] reports them so the core can log it.
pub const MAX_CALLS: usize = 64;

/// The most released calls that linger on screen at once (see `RELEASED_LINGER_MS` of the
/// widget core). Why: a released call stays a few seconds so the agent sees how it ended, but a
/// backlog of lifecycles (issue 14, a burst) releases thousands of calls within that time; each
/// lingering one is a card and an entry, and they filled the store up to [`MAX_CALLS`] and the
/// page with cards nobody could read. Over the cap the oldest release retires early, to the
/// recent list, as it would have a few seconds later.
pub const MAX_LINGERING: usize = 8;

/// A call plus what the UI needs around it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEntry {
    /// The call as the server last described it.
    pub call: Call,
    /// Clock value (ms) when `call.duration` was received: the timer ticks from there.
    pub received_at: u64,
    /// Clock value when the call entered `Held`.
    pub held_since: Option<u64>,
    /// Clock value when the call was released (it lingers briefly before leaving the list).
    pub released_at: Option<u64>,
    /// An operation sent and accepted, waiting for its notification.
    pub pending: Option<Operation>,
    /// Clock value when `pending` was sent: a snapshot asked before it cannot confirm it, and a
    /// late HTTP reply of an earlier operation must not settle it.
    pub pending_at: u64,
    /// The last error about this call, shown until the next operation on it.
    pub error: Option<String>,
}

impl CallEntry {
    fn new(now: u64, call: Call) -> Self {
        let held_since = (call.state == CallState::Held).then_some(now);
        let released_at = (call.state == CallState::Released).then_some(now);
        CallEntry {
            call,
            received_at: now,
            held_since,
            released_at,
            pending: None,
            pending_at: 0,
            error: None,
        }
    }

    /// Seconds since the call appeared: the server's `duration` plus local time since receipt.
    pub fn elapsed_secs(&self, now: u64) -> u64 {
        let base = self.call.duration_secs();
        if self.released_at.is_some() {
            return base;
        }
        base.saturating_add(now.saturating_sub(self.received_at) / 1000)
    }

    /// Seconds on hold, while held.
    pub fn held_secs(&self, now: u64) -> Option<u64> {
        self.held_since
            .map(|since| now.saturating_sub(since) / 1000)
    }
}

/// What a reducer step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new call appeared.
    Added,
    /// A known call changed.
    Updated,
    /// A call entered `Released`.
    Released,
    /// A call left the store.
    Removed,
    /// Nothing to do (e.g. `Released` for a call never seen).
    Ignored,
}

/// The calls of one agent, in order of appearance, and the recent (released) calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallsStore {
    entries: Vec<CallEntry>,
    recent: VecDeque<Call>,
    /// Ids dropped over [`MAX_CALLS`] and not yet reported ([`CallsStore::take_evicted`]).
    evicted: Vec<String>,
}

impl CallsStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current calls (including released ones that have not been retired yet).
    pub fn entries(&self) -> &[CallEntry] {
        &self.entries
    }

    /// Released calls, newest first, at most [`RECENT_CAPACITY`].
    pub fn recent(&self) -> impl Iterator<Item = &Call> {
        self.recent.iter()
    }

    /// The entry of call `id`.
    pub fn get(&self, id: &str) -> Option<&CallEntry> {
        self.entries.iter().find(|entry| entry.call.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut CallEntry> {
        self.entries.iter_mut().find(|entry| entry.call.id == id)
    }

    /// Live (not released) calls other than `id` (the ones a pairing may pick:
    /// [`CallsStore::pairable`]).
    pub fn others(&self, id: &str) -> Vec<&Call> {
        self.entries
            .iter()
            .filter(|entry| entry.call.id != id && entry.released_at.is_none())
            .map(|entry| &entry.call)
            .collect()
    }

    /// The calls that call `id` can be paired with by swap, merge or complete: one of the two
    /// held, the other active (dialing or established) — what the server's pairing operations
    /// require (T-Lib's alternate, merge and complete all take a held and an active call). Why
    /// not [`CallsStore::others`]: a ringing or second active call offered there could only be
    /// refused, and as the only candidate it was even sent without asking.
    pub fn pairable(&self, id: &str) -> Vec<&Call> {
        let Some(this) = self.get(id).map(|entry| &entry.call.state) else {
            return Vec::new();
        };
        self.others(id)
            .into_iter()
            .filter(|other| match this {
                CallState::Held => other.state.is_active(),
                state if state.is_active() => other.state == CallState::Held,
                _ => false,
            })
            .collect()
    }

    /// Applies a `CallStateChangeMessage`.
    pub fn apply(&mut self, now: u64, notification: &CallNotification) -> Change {
        let call = notification.call.clone();
        // A call without an id or a state cannot be shown truthfully: treat it as malformed.
        if call.id.is_empty() || call.state == CallState::default() {
            return Change::Ignored;
        }
        let released = call.state == CallState::Released;
        match self.get_mut(&call.id) {
            Some(entry) => {
                let was_released = entry.released_at.is_some();
                let was_held = entry.call.state == CallState::Held;
                entry.held_since = match (&call.state, was_held) {
                    (CallState::Held, true) => entry.held_since.or(Some(now)),
                    (CallState::Held, false) => Some(now),
                    _ => None,
                };
                entry.call = call;
                entry.received_at = now;
                entry.pending = None;
                if released && !was_released {
                    entry.released_at = Some(now);
                    let id = entry.call.id.clone();
                    self.limit_lingering(&id);
                    Change::Released
                } else {
                    Change::Updated
                }
            }
            None if released => {
                self.remember(call);
                Change::Ignored
            }
            None => {
                self.settle_consulting_parent(&call);
                self.entries.push(CallEntry::new(now, call));
                self.enforce_cap();
                Change::Added
            }
        }
    }

    /// A new consult call confirms the `InitiateTransfer` / `InitiateConference` its parent is
    /// pending on. Why: the parent's own notification is what normally settles it, but a server
    /// need not send one when the parent was held already (nothing about it changed), and the
    /// control would then stay pending — blocking every other operation on the call — until the
    /// watchdog gave up, although the consult is dialing.
    fn settle_consulting_parent(&mut self, consult: &Call) {
        let Some(parent) = consult.parent_call_id() else {
            return;
        };
        if let Some(entry) = self.get_mut(parent)
            && matches!(
                entry.pending,
                Some(Operation::InitiateTransfer | Operation::InitiateConference)
            )
        {
            entry.pending = None;
        }
    }

    /// Retires released calls over [`MAX_LINGERING`], oldest release first (ties: order of
    /// appearance), never `keep` (the call just released).
    fn limit_lingering(&mut self, keep: &str) {
        loop {
            let mut lingering = self
                .entries
                .iter()
                .enumerate()
                .filter_map(|(index, entry)| entry.released_at.map(|at| (at, index, entry)));
            let count = lingering.clone().count();
            if count <= MAX_LINGERING {
                return;
            }
            let Some(index) = lingering
                .by_ref()
                .filter(|(_, _, entry)| entry.call.id != keep)
                .min_by_key(|(at, index, _)| (*at, *index))
                .map(|(_, index, _)| index)
            else {
                return;
            };
            let entry = self.entries.remove(index);
            self.remember(entry.call);
        }
    }

    /// The ids of calls dropped because the store was over [`MAX_CALLS`] since the last call,
    /// oldest first (released ones, then live ones). Empty almost always.
    pub fn take_evicted(&mut self) -> Vec<String> {
        std::mem::take(&mut self.evicted)
    }

    /// Drops entries over [`MAX_CALLS`]: released ones first (oldest release first, then order of
    /// appearance), then the oldest live ones. O(n log n) in the entries, whatever the excess.
    fn enforce_cap(&mut self) {
        let excess = self.entries.len().saturating_sub(MAX_CALLS);
        if excess == 0 {
            return;
        }
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        // Released (by release time) before live; ties and live ones in order of appearance.
        // The first `excess` of this order are dropped, in this order. The index makes every
        // key distinct, so an unstable sort gives the same order (and is smaller code).
        order.sort_unstable_by_key(|&index| {
            let released_at = self.entries[index].released_at;
            (released_at.is_none(), released_at.unwrap_or(0), index)
        });
        let mut slots: Vec<Option<CallEntry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect();
        let dropped: Vec<CallEntry> = order[..excess]
            .iter()
            .filter_map(|&index| slots.get_mut(index)?.take())
            .collect();
        self.entries = slots.into_iter().flatten().collect();
        for entry in dropped {
            self.evicted.push(entry.call.id.clone());
            if entry.released_at.is_some() {
                self.remember(entry.call);
            }
        }
    }

    /// Reconciles with a snapshot requested at `asked_at`: calls gone are removed, new ones
    /// added, changed ones replaced; never duplicates a card. A call a notification touched at
    /// or after `asked_at` is newer than the snapshot and stays as it is — the snapshot can have
    /// been taken before that call rang, and must not remove it. Returns what happened to each
    /// call id.
    pub fn reconcile(
        &mut self,
        now: u64,
        asked_at: u64,
        snapshot: Vec<Call>,
    ) -> Vec<(String, Change)> {
        let mut changes = Vec::new();
        let mut kept = Vec::with_capacity(snapshot.len());
        // O(n): the current entries indexed by id (the first of a duplicate id wins, as a
        // front-to-back search would), taken out as the snapshot names them. An id the snapshot
        // already named maps to `NAMED`, so its duplicates are skipped: one map, not a map and
        // a set (each `HashMap`/`HashSet` type is its own copy of the hash table code).
        const NAMED: usize = usize::MAX;
        let mut current: Vec<Option<CallEntry>> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(Some)
            .collect();
        let mut index: HashMap<String, usize> =
            HashMap::with_capacity(current.len() + snapshot.len());
        for (position, entry) in current.iter().enumerate() {
            if let Some(entry) = entry {
                index.entry(entry.call.id.clone()).or_insert(position);
            }
        }
        for call in snapshot {
            if call.id.is_empty() || call.state == CallState::default() {
                continue; // malformed
            }
            let position = match index.get_mut(&call.id) {
                Some(position) if *position == NAMED => continue, // a duplicate
                Some(position) => Some(std::mem::replace(position, NAMED)),
                None => {
                    index.insert(call.id.clone(), NAMED);
                    None
                }
            };
            match position.and_then(|position| current[position].take()) {
                Some(mut entry) => {
                    if entry.call != call && entry.received_at < asked_at {
                        let fresh = CallEntry::new(now, call);
                        entry.held_since = match (&fresh.call.state, entry.held_since) {
                            (CallState::Held, Some(since)) => Some(since),
                            (_, _) => fresh.held_since,
                        };
                        entry.released_at = fresh.released_at;
                        entry.received_at = now;
                        entry.call = fresh.call;
                        // Asked before the operation was sent, the snapshot cannot show its
                        // effect: the operation stays pending (and the double-click guard on).
                        if entry.pending_at < asked_at {
                            entry.pending = None;
                        }
                        changes.push((entry.call.id.clone(), Change::Updated));
                    }
                    kept.push(entry);
                }
                // Released here and retired from the screen since: a snapshot asked before the
                // release still lists it live (a call never comes back once released).
                None if self.recent.iter().any(|known| known.id == call.id) => {}
                None => {
                    changes.push((call.id.clone(), Change::Added));
                    kept.push(CallEntry::new(now, call));
                }
            }
        }
        for gone in current.into_iter().flatten() {
            if gone.received_at >= asked_at {
                kept.push(gone);
                continue;
            }
            changes.push((gone.call.id.clone(), Change::Removed));
            self.remember(gone.call);
        }
        self.entries = kept;
        self.enforce_cap();
        self.limit_lingering("");
        changes
    }

    /// Removes calls released more than `linger_ms` ago, moving them to the recent list.
    pub fn retire_released(&mut self, now: u64, linger_ms: u64) -> Vec<String> {
        let (retired, live): (Vec<CallEntry>, Vec<CallEntry>) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|entry| {
                entry
                    .released_at
                    .is_some_and(|at| now.saturating_sub(at) >= linger_ms)
            });
        self.entries = live;
        retired
            .into_iter()
            .map(|entry| {
                let id = entry.call.id.clone();
                self.remember(entry.call);
                id
            })
            .collect()
    }

    /// Marks `operation` as sent on call `id`. Returns `false` (send nothing) when the call is
    /// unknown or already waiting for an operation: this is the double-click guard.
    pub fn mark_pending(&mut self, id: &str, operation: Operation, now: u64) -> bool {
        match self.get_mut(id) {
            Some(entry) if entry.pending.is_none() => {
                entry.pending = Some(operation);
                entry.pending_at = now;
                entry.error = None;
                true
            }
            _ => false,
        }
    }

    /// The operation pending on call `id` needs no notification to be confirmed (see
    /// `widget_core/intents.rs`): not pending any more, nothing shown.
    pub fn settle_pending(&mut self, id: &str) {
        if let Some(entry) = self.get_mut(id) {
            entry.pending = None;
        }
    }

    /// The operation on call `id` failed (HTTP error or non-zero `statusCode`): not pending any
    /// more, and the message is shown. The call's state is left alone.
    pub fn operation_failed(&mut self, id: &str, message: String) {
        if let Some(entry) = self.get_mut(id) {
            entry.pending = None;
            entry.error = Some(message);
        }
    }

    /// An asynchronous `ErrorMessage`: shown on the call it names. Returns that call's id.
    pub fn apply_error(&mut self, error: &ErrorNotification, catalog: &Catalog) -> Option<String> {
        let id = error.call_id()?.to_string();
        let message = error
            .error_message
            .0
            .clone()
            .unwrap_or_else(|| catalog.text(Key::ErrFailed).to_string());
        let entry = self.get_mut(&id)?;
        entry.pending = None;
        entry.error = Some(match &*error.operation_name {
            Some(operation) => catalog.fill(
                Key::ErrOperationFailed,
                &[
                    // As the server names it: asynchronous errors may name operations the
                    // widget never offered.
                    ("operation", operation),
                    ("error", &message),
                ],
            ),
            None => message,
        });
        Some(id)
    }

    /// Clears the error shown on call `id`.
    pub fn dismiss_error(&mut self, id: &str) {
        if let Some(entry) = self.get_mut(id) {
            entry.error = None;
        }
    }

    fn remember(&mut self, call: Call) {
        self.recent.retain(|known| known.id != call.id);
        self.recent.push_front(call);
        self.recent.truncate(RECENT_CAPACITY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::Participant;

    fn call(id: &str, state: CallState) -> Call {
        Call {
            id: id.into(),
            state,
            participants: vec![Participant::internal("5000")],
            duration: "0".into(),
            ..Call::default()
        }
    }

    fn note(call: Call) -> CallNotification {
        CallNotification {
            notification_type: gws_protocol::notification::NotificationType::StatusChange,
            call,
            phone_number: "5005".into(),
            extensions: Default::default(),
            dtmf_digits: Default::default(),
        }
    }

    /// A snapshot asked before a call's release answers after the released call has left the
    /// screen: it must not bring the call back as live.
    #[test]
    fn a_slow_snapshot_does_not_bring_back_a_retired_call() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("a", CallState::Established)));
        store.apply(20, &note(call("a", CallState::Released)));
        assert_eq!(store.retire_released(10_000, 5_000), vec!["a".to_string()]);
        let changes = store.reconcile(
            12_000,
            10,
            vec![
                call("a", CallState::Established),
                call("b", CallState::Ringing),
            ],
        );
        assert_eq!(changes, vec![("b".to_string(), Change::Added)]);
        let ids: Vec<&str> = store.entries().iter().map(|e| e.call.id.as_str()).collect();
        assert_eq!(ids, vec!["b"]);
        assert_eq!(
            store.recent().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            vec!["a"]
        );
    }

    #[test]
    fn ringing_then_established_then_released_keeps_one_entry() {
        let mut store = CallsStore::new();
        assert_eq!(
            store.apply(0, &note(call("a", CallState::Ringing))),
            Change::Added
        );
        assert_eq!(
            store.apply(10, &note(call("a", CallState::Established))),
            Change::Updated
        );
        assert_eq!(
            store.apply(20, &note(call("a", CallState::Released))),
            Change::Released
        );
        assert_eq!(store.entries().len(), 1);
        assert_eq!(store.entries()[0].released_at, Some(20));
    }

    #[test]
    fn calls_without_id_or_state_are_ignored() {
        let mut store = CallsStore::new();
        assert_eq!(
            store.apply(0, &note(call("", CallState::Ringing))),
            Change::Ignored
        );
        assert_eq!(
            store.apply(0, &note(call("x", CallState::default()))),
            Change::Ignored
        );
        store.reconcile(0, 0, vec![call("y", CallState::default())]);
        assert!(store.entries().is_empty());
    }

    #[test]
    fn released_calls_retire_to_recent_after_linger() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("a", CallState::Established)));
        store.apply(1000, &note(call("a", CallState::Released)));
        assert!(store.retire_released(2000, 3000).is_empty());
        assert_eq!(store.retire_released(4000, 3000), vec!["a".to_string()]);
        assert!(store.entries().is_empty());
        assert_eq!(store.recent().next().map(|c| c.id.as_str()), Some("a"));
    }

    #[test]
    fn recent_list_is_capped_and_newest_first() {
        let mut store = CallsStore::new();
        for i in 0..30 {
            store.apply(i, &note(call(&format!("c{i}"), CallState::Released)));
        }
        let recent: Vec<&str> = store.recent().map(|c| c.id.as_str()).collect();
        assert_eq!(recent.len(), RECENT_CAPACITY);
        assert_eq!(recent[0], "c29");
    }

    #[test]
    fn snapshot_reconciles_without_duplicates() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("gone", CallState::Established)));
        store.apply(0, &note(call("same", CallState::Established)));
        store.apply(0, &note(call("changed", CallState::Established)));
        let changes = store.reconcile(
            5000,
            5000,
            vec![
                call("same", CallState::Established),
                call("changed", CallState::Held),
                call("new", CallState::Ringing),
                call("new", CallState::Ringing),
                // A second copy of a known call: the first one named wins.
                call("same", CallState::Held),
            ],
        );
        let ids: Vec<&str> = store.entries().iter().map(|e| e.call.id.as_str()).collect();
        assert_eq!(ids, vec!["same", "changed", "new"]);
        assert_eq!(
            store.get("same").map(|e| &e.call.state),
            Some(&CallState::Established)
        );
        assert!(changes.contains(&("gone".into(), Change::Removed)));
        assert!(changes.contains(&("changed".into(), Change::Updated)));
        assert!(changes.contains(&("new".into(), Change::Added)));
        assert!(!changes.iter().any(|(id, _)| id == "same"));
        assert_eq!(store.get("changed").and_then(|e| e.held_since), Some(5000));
    }

    #[test]
    fn a_snapshot_older_than_a_notification_neither_removes_nor_rewinds_its_call() {
        let mut store = CallsStore::new();
        store.apply(100, &note(call("old", CallState::Established)));
        store.apply(100, &note(call("gone", CallState::Established)));
        // The snapshot is asked for at 200; meanwhile a call rings and "old" is put on hold.
        store.apply(210, &note(call("rang", CallState::Ringing)));
        store.apply(220, &note(call("old", CallState::Held)));
        let changes = store.reconcile(
            250,
            200,
            vec![
                call("old", CallState::Established),
                call("new", CallState::Ringing),
            ],
        );
        assert_eq!(
            store.get("rang").map(|e| &e.call.state),
            Some(&CallState::Ringing),
            "rang after the snapshot was taken: kept"
        );
        assert_eq!(
            store.get("old").map(|e| &e.call.state),
            Some(&CallState::Held),
            "the notification is newer than the snapshot"
        );
        assert!(store.get("new").is_some());
        assert!(changes.contains(&("gone".into(), Change::Removed)));
        assert!(!changes.iter().any(|(id, _)| id == "rang" || id == "old"));
    }

    #[test]
    fn pending_blocks_a_second_click_until_the_next_notification() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("a", CallState::Ringing)));
        assert!(store.mark_pending("a", Operation::Answer, 0));
        assert!(
            !store.mark_pending("a", Operation::Answer, 0),
            "double click sends once"
        );
        assert!(!store.mark_pending("unknown", Operation::Answer, 0));
        store.apply(10, &note(call("a", CallState::Established)));
        assert_eq!(store.get("a").and_then(|e| e.pending.clone()), None);
        assert!(store.mark_pending("a", Operation::Hangup, 0));
    }

    /// Against a server that says nothing about an already-held call when a consult starts from
    /// it, the consult's arrival is the only confirmation the parent's control gets.
    #[test]
    fn a_new_consult_call_settles_its_parents_initiate_operation() {
        for operation in [Operation::InitiateTransfer, Operation::InitiateConference] {
            let mut store = CallsStore::new();
            store.apply(0, &note(call("parent", CallState::Held)));
            store.apply(0, &note(call("other", CallState::Established)));
            assert!(store.mark_pending("parent", operation.clone(), 10));
            assert!(store.mark_pending("other", operation.clone(), 10));
            let mut consult = call("consult", CallState::Dialing);
            consult.parent_call_uri = Some("http://x/api/v2/me/calls/parent".to_string()).into();
            assert_eq!(store.apply(20, &note(consult)), Change::Added);
            let pending = |id: &str| store.get(id).and_then(|e| e.pending.clone());
            assert_eq!(pending("parent"), None, "{operation:?}");
            assert_eq!(
                pending("other"),
                Some(operation),
                "another call's stays pending"
            );
        }
    }

    #[test]
    fn a_consult_call_does_not_settle_another_operation_of_its_parent() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("parent", CallState::Held)));
        assert!(store.mark_pending("parent", Operation::Retrieve, 10));
        let mut consult = call("consult", CallState::Dialing);
        consult.parent_call_uri = Some("http://x/api/v2/me/calls/parent".to_string()).into();
        store.apply(20, &note(consult));
        assert_eq!(
            store.get("parent").and_then(|e| e.pending.clone()),
            Some(Operation::Retrieve)
        );
    }

    /// Found by the random walk (tests/random_walk_e2e.rs): Swap on the active call offered a
    /// ringing call, and the server refused it.
    #[test]
    fn only_a_held_and_an_active_call_pair() {
        let mut store = CallsStore::new();
        for (id, state) in [
            ("active", CallState::Established),
            ("dialing", CallState::Dialing),
            ("held", CallState::Held),
            ("ringing", CallState::Ringing),
            ("gone", CallState::Released),
        ] {
            store.apply(0, &note(call(id, state)));
        }
        let ids =
            |id: &str| -> Vec<String> { store.pairable(id).iter().map(|c| c.id.clone()).collect() };
        assert_eq!(ids("active"), vec!["held"]);
        assert_eq!(ids("dialing"), vec!["held"]);
        assert_eq!(ids("held"), vec!["active", "dialing"]);
        assert!(ids("ringing").is_empty());
        assert!(ids("unknown").is_empty());
    }

    #[test]
    fn failed_operation_shows_error_and_keeps_state() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("a", CallState::Established)));
        store.mark_pending("a", Operation::Hold, 0);
        store.operation_failed("a", "Not allowed".into());
        let entry = store.get("a").expect("exists");
        assert_eq!(entry.call.state, CallState::Established);
        assert_eq!(entry.pending, None);
        assert_eq!(entry.error.as_deref(), Some("Not allowed"));
    }

    #[test]
    fn error_notification_lands_on_the_named_call() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("a", CallState::Established)));
        store.mark_pending("a", Operation::InitiateTransfer, 0);
        let error = ErrorNotification {
            error_message: "Destination busy".into(),
            operation_name: "InitiateTransfer".into(),
            call_uri: "http://x/api/v2/me/calls/a".into(),
            ..ErrorNotification::default()
        };
        assert_eq!(
            store.apply_error(&error, &Catalog::default()),
            Some("a".into())
        );
        let entry = store.get("a").expect("exists");
        assert_eq!(
            entry.error.as_deref(),
            Some("InitiateTransfer failed: Destination busy")
        );
        assert_eq!(entry.pending, None);
    }

    #[test]
    fn at_most_max_lingering_released_calls_linger_oldest_release_retiring_first() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("live", CallState::Established)));
        for i in 0..30u64 {
            let id = format!("c{i}");
            store.apply(10 + 3 * i, &note(call(&id, CallState::Ringing)));
            store.apply(11 + 3 * i, &note(call(&id, CallState::Established)));
            assert_eq!(
                store.apply(12 + 3 * i, &note(call(&id, CallState::Released))),
                Change::Released
            );
            let lingering = store
                .entries()
                .iter()
                .filter(|e| e.released_at.is_some())
                .count();
            assert!(lingering <= MAX_LINGERING, "{lingering} lingering");
        }
        let ids: Vec<&str> = store.entries().iter().map(|e| e.call.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "live", "c22", "c23", "c24", "c25", "c26", "c27", "c28", "c29"
            ],
            "the live call stays; the newest releases linger"
        );
        let recent: Vec<&str> = store.recent().take(3).map(|c| c.id.as_str()).collect();
        assert_eq!(recent, ["c21", "c20", "c19"], "retired early, newest first");
        assert!(
            store.take_evicted().is_empty(),
            "an early retirement is no eviction"
        );
    }

    #[test]
    fn a_flood_of_new_ids_stays_within_the_cap_dropping_released_calls_first() {
        let mut store = CallsStore::new();
        store.apply(0, &note(call("live-first", CallState::Established)));
        store.apply(1, &note(call("released-late", CallState::Established)));
        store.apply(2, &note(call("released-early", CallState::Established)));
        store.apply(3, &note(call("released-early", CallState::Released)));
        store.apply(4, &note(call("released-late", CallState::Released)));
        for i in 0..10_000u64 {
            store.apply(
                10 + i,
                &note(call(&format!("flood{i}"), CallState::Ringing)),
            );
            assert!(store.entries().len() <= MAX_CALLS);
        }
        assert_eq!(store.entries().len(), MAX_CALLS);
        let evicted = store.take_evicted();
        assert_eq!(evicted.len(), 10_003 - MAX_CALLS);
        assert_eq!(
            evicted[..3],
            ["released-early", "released-late", "live-first"],
            "released first (oldest release first), then the oldest live call"
        );
        assert!(store.take_evicted().is_empty(), "reported once");
        assert_eq!(
            store
                .recent()
                .take(2)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["released-late", "released-early"],
            "evicted released calls retire to the recent list"
        );
        let newest = format!("flood{}", 10_000 - 1);
        assert_eq!(
            store.entries().last().map(|e| e.call.id.as_str()),
            Some(newest.as_str())
        );
        assert!(store.get(&format!("flood{}", 10_000 - MAX_CALLS)).is_some());
        assert!(
            store
                .get(&format!("flood{}", 10_000 - MAX_CALLS - 1))
                .is_none()
        );
    }

    #[test]
    fn reconciling_a_huge_snapshot_is_linear_and_capped() {
        let mut store = CallsStore::new();
        for i in 0..MAX_CALLS {
            store.apply(0, &note(call(&format!("c{i}"), CallState::Established)));
        }
        // 5 000 calls, each twice, the first 64 already known (half of them changed).
        let snapshot: Vec<Call> = (0..5_000)
            .flat_map(|i| {
                let state = if i % 2 == 0 && i < MAX_CALLS {
                    CallState::Held
                } else {
                    CallState::Established
                };
                [
                    call(&format!("c{i}"), state.clone()),
                    call(&format!("c{i}"), state),
                ]
            })
            .collect();
        let changes = store.reconcile(10, 5, snapshot);
        let count = |wanted: Change| changes.iter().filter(|(_, c)| *c == wanted).count();
        assert_eq!(count(Change::Added), 5_000 - MAX_CALLS);
        assert_eq!(count(Change::Updated), MAX_CALLS / 2);
        assert_eq!(count(Change::Removed), 0);
        assert_eq!(changes.len(), 5_000 - MAX_CALLS / 2, "one change per id");
        assert_eq!(store.entries().len(), MAX_CALLS);
        assert_eq!(store.take_evicted().len(), 5_000 - MAX_CALLS);
        // The same snapshot again: nothing changes, nothing is duplicated.
        let ids: Vec<Call> = (0..5_000)
            .map(|i| call(&format!("c{i}"), CallState::Ringing))
            .collect();
        store.reconcile(20, 15, ids);
        assert_eq!(store.entries().len(), MAX_CALLS);
        let unique: std::collections::HashSet<&str> =
            store.entries().iter().map(|e| e.call.id.as_str()).collect();
        assert_eq!(unique.len(), MAX_CALLS);
    }

    #[test]
    fn timers_saturate_on_extreme_durations_and_clocks() {
        let mut store = CallsStore::new();
        let mut huge = call("a", CallState::Held);
        huge.duration = "1e300".into();
        store.apply(5_000, &note(huge));
        let entry = store.get("a").expect("exists");
        assert_eq!(entry.elapsed_secs(u64::MAX), u64::MAX);
        assert_eq!(
            entry.elapsed_secs(0),
            u64::MAX,
            "a clock before the receipt adds nothing"
        );
        assert_eq!(entry.held_secs(0), Some(0), "a clock before the hold: zero");
        assert_eq!(entry.held_secs(u64::MAX), Some((u64::MAX - 5_000) / 1000));
        let mut store = CallsStore::new();
        store.apply(u64::MAX, &note(call("b", CallState::Established)));
        assert_eq!(store.get("b").map(|e| e.elapsed_secs(3)), Some(0));
    }

    #[test]
    fn timers_tick_from_server_duration_and_hold_start() {
        let mut store = CallsStore::new();
        let mut established = call("a", CallState::Established);
        established.duration = "60".into();
        store.apply(1_000, &note(established));
        assert_eq!(store.get("a").map(|e| e.elapsed_secs(6_500)), Some(65));
        let mut held = call("a", CallState::Held);
        held.duration = "70".into();
        store.apply(10_000, &note(held.clone()));
        store.apply(12_000, &note(held));
        assert_eq!(
            store.get("a").and_then(|e| e.held_secs(15_000)),
            Some(5),
            "hold timer keeps its start"
        );
    }
}
