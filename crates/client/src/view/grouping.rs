//! Which calls are listed at the top level and which sit under a parent: a consult call (a
//! transfer or conference in progress) is shown attached to the call it consults for, with its
//! complete / cancel controls next to it.

use crate::store::CallsStore;

/// Top-level calls, in order of appearance: those that are not consults of another call present
/// in the store (a consult whose parent has gone stands on its own, so it is never hidden).
pub fn root_ids(store: &CallsStore) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| {
            e.call
                .parent_call_id()
                .is_none_or(|parent| store.get(parent).is_none())
        })
        .map(|e| e.call.id.clone())
        .collect()
}

/// The consult calls of `parent`, in order of appearance.
pub fn consult_ids(store: &CallsStore, parent: &str) -> Vec<String> {
    store
        .entries()
        .iter()
        .filter(|e| e.call.parent_call_id() == Some(parent) && e.call.id != parent)
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
    }
}
