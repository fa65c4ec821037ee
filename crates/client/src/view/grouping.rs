//! Which calls are listed at the top level and which sit under a parent: a consult call (a
//! transfer or conference in progress) is shown attached to the call it consults for, with its
//! complete / cancel controls next to it.

use crate::store::CallsStore;
use gws_protocol::Call;

/// Whether `call` has no parent shown beside it: none named, itself named, or one the store does
/// not hold (a consult whose parent has gone stands on its own, so it is never hidden).
fn stands_alone(store: &CallsStore, call: &Call) -> bool {
    call.parent_call_id()
        .is_none_or(|parent| parent == call.id || store.get(parent).is_none())
}

/// Whether `call` is listed at the top level. The list nests one level only — a consult under
/// the call it consults for — so a call whose parent is itself a consult (a transfer started
/// from a consult call), or whose parents name each other, is listed at the top: every call in
/// the store has a card, and the agent can see what a shortcut or a host call would act on.
fn is_top_level(store: &CallsStore, call: &Call) -> bool {
    stands_alone(store, call)
        || call
            .parent_call_id()
            .and_then(|parent| store.get(parent))
            .is_some_and(|parent| !stands_alone(store, &parent.call))
}

/// Top-level calls, in order of appearance: every call but a consult shown under its parent.
pub fn root_ids(store: &CallsStore) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| is_top_level(store, &e.call))
        .map(|e| e.call.id.clone())
        .collect()
}

/// The consult calls shown under `parent`, in order of appearance.
pub fn consult_ids(store: &CallsStore, parent: &str) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| e.call.parent_call_id() == Some(parent) && !is_top_level(store, &e.call))
        .map(|e| e.call.id.clone())
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::view::fixture::store_with;
    use gws_protocol::{Call, CallState};

    /// A store holding `calls` (id, parent id) in that order, all established.
    pub(crate) fn store_of(calls: &[(&str, Option<&str>)]) -> CallsStore {
        store_with(calls.iter().map(|(id, parent)| Call {
            id: (*id).into(),
            state: CallState::Established,
            parent_call_uri: (parent.map(|p| format!("http://gws/api/v2/me/calls/{p}"))).into(),
            ..Call::default()
        }))
    }

    #[test]
    fn consults_are_grouped_under_their_parent() {
        let store = store_of(&[("a", None), ("b", Some("a")), ("c", None)]);
        assert_eq!(root_ids(&store), ["a", "c"]);
        assert_eq!(consult_ids(&store, "a"), ["b"]);
        assert!(consult_ids(&store, "c").is_empty());
    }

    #[test]
    fn a_consult_whose_parent_is_gone_is_listed_at_the_top() {
        let store = store_of(&[("b", Some("gone"))]);
        assert_eq!(root_ids(&store), ["b"]);
    }

    #[test]
    fn a_call_naming_itself_as_parent_is_not_its_own_consult() {
        let store = store_of(&[("a", Some("a"))]);
        assert!(consult_ids(&store, "a").is_empty());
        assert_eq!(root_ids(&store), ["a"], "and it is listed");
    }

    /// Every call is shown exactly once: a transfer started from a consult call (its parent a
    /// consult itself) had no card at all, and a shortcut could act on it unseen.
    #[test]
    fn every_call_is_listed_exactly_once_however_parents_chain() {
        let cases: [&[(&str, Option<&str>)]; 3] = [
            // A consult of a consult.
            &[("a", None), ("b", Some("a")), ("c", Some("b"))],
            // Parents naming each other (malformed server data).
            &[("a", Some("b")), ("b", Some("a"))],
            // A longer chain.
            &[
                ("a", None),
                ("b", Some("a")),
                ("c", Some("b")),
                ("d", Some("c")),
            ],
        ];
        for calls in cases {
            let store = store_of(calls);
            let roots = root_ids(&store);
            let mut shown: Vec<String> = roots.clone();
            for root in &roots {
                shown.extend(consult_ids(&store, root));
            }
            shown.sort();
            let mut all: Vec<String> = calls.iter().map(|(id, _)| (*id).to_string()).collect();
            all.sort();
            assert_eq!(shown, all, "{calls:?}: roots {roots:?}");
        }
        let store = store_of(&[("a", None), ("b", Some("a")), ("c", Some("b"))]);
        assert_eq!(root_ids(&store), ["a", "c"]);
        assert_eq!(consult_ids(&store, "a"), ["b"]);
    }
}
