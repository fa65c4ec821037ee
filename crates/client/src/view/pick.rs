//! Which call a host page's `answer()` / `hangup()` acts on. A CRM button usually does not
//! know the call id ("answer the ringing call"), so the widget picks the call the agent would
//! mean, and says why when there is none.

use crate::store::CallsStore;
use gws_protocol::{CallState, Operation};
use std::fmt;

/// The states `answer()` looks in, in order, when given no call id.
pub const ANSWER_STATES: [CallState; 1] = [CallState::Ringing];

/// The states `hangup()` looks in, in order, when given no call id: the active call first.
pub const HANGUP_STATES: [CallState; 3] =
    [CallState::Established, CallState::Dialing, CallState::Held];

/// Why no call was picked (the text is shown to the host developer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickError {
    /// The named call does not offer the operation in its current state.
    NotAllowed {
        /// The call.
        id: String,
        /// The operation.
        operation: Operation,
        /// Its state.
        state: CallState,
    },
    /// No call has that id.
    NoSuchCall {
        /// The id asked for.
        id: String,
    },
    /// No call in the wanted states offers the operation.
    NoCall {
        /// The operation.
        operation: Operation,
    },
}

impl fmt::Display for PickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PickError::NotAllowed {
                id,
                operation,
                state,
            } => write!(
                f,
                "call {id} does not allow {} now ({state})",
                operation.as_str()
            ),
            PickError::NoSuchCall { id } => write!(f, "no call with id {id}"),
            PickError::NoCall { operation } => write!(f, "no call to {}", operation.as_str()),
        }
    }
}

impl std::error::Error for PickError {}

/// The call `id` if it allows `operation`, or without an id the first call, in `states` order,
/// that allows it.
pub fn pick_call(
    store: &CallsStore,
    id: Option<&str>,
    operation: &Operation,
    states: &[CallState],
) -> Result<String, PickError> {
    match id {
        Some(id) => match store.get(id) {
            Some(entry) if entry.call.can(operation) => Ok(id.to_string()),
            Some(entry) => Err(PickError::NotAllowed {
                id: id.to_string(),
                operation: operation.clone(),
                state: entry.call.state.clone(),
            }),
            None => Err(PickError::NoSuchCall { id: id.to_string() }),
        },
        None => states
            .iter()
            .find_map(|state| {
                store
                    .entries()
                    .iter()
                    .find(|e| &e.call.state == state && e.call.can(operation))
                    .map(|e| e.call.id.clone())
            })
            .ok_or_else(|| PickError::NoCall {
                operation: operation.clone(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::fixture::store_with;
    use gws_protocol::Call;

    fn store(calls: &[(&str, CallState, &[Operation])]) -> CallsStore {
        store_with(calls.iter().map(|(id, state, caps)| Call {
            id: (*id).into(),
            state: state.clone(),
            capabilities: caps.to_vec(),
            ..Call::default()
        }))
    }

    const HANGUP: &[Operation] = &[Operation::Hangup];

    #[test]
    fn hangup_prefers_the_established_call_over_earlier_held_ones() {
        let store = store(&[
            ("held", CallState::Held, HANGUP),
            ("dialing", CallState::Dialing, HANGUP),
            ("talking", CallState::Established, HANGUP),
        ]);
        let picked = pick_call(&store, None, &Operation::Hangup, &HANGUP_STATES);
        assert_eq!(picked.as_deref(), Ok("talking"));
    }

    #[test]
    fn answer_picks_the_ringing_call_that_can_be_answered() {
        let store = store(&[
            ("mute", CallState::Ringing, &[]),
            ("ring", CallState::Ringing, &[Operation::Answer]),
        ]);
        let picked = pick_call(&store, None, &Operation::Answer, &ANSWER_STATES);
        assert_eq!(picked.as_deref(), Ok("ring"));
    }

    #[test]
    fn a_named_call_is_used_only_when_it_allows_the_operation() {
        let store = store(&[("a", CallState::Held, HANGUP)]);
        assert_eq!(
            pick_call(&store, Some("a"), &Operation::Hangup, &[]).as_deref(),
            Ok("a"),
            "a named call need not be in the default states"
        );
        let refused = pick_call(&store, Some("a"), &Operation::Answer, &ANSWER_STATES);
        assert_eq!(
            refused.map_err(|e| e.to_string()),
            Err("call a does not allow Answer now (Held)".to_string())
        );
        let missing = pick_call(&store, Some("zz"), &Operation::Answer, &ANSWER_STATES);
        assert_eq!(
            missing.map_err(|e| e.to_string()),
            Err("no call with id zz".to_string())
        );
    }

    #[test]
    fn without_a_fitting_call_the_error_names_the_operation() {
        let store = store(&[("a", CallState::Held, HANGUP)]);
        let none = pick_call(&store, None, &Operation::Answer, &ANSWER_STATES);
        assert_eq!(
            none.map_err(|e| e.to_string()),
            Err("no call to Answer".to_string())
        );
    }
}
