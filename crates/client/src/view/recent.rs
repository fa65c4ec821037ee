//! The rows of the recent-calls list (released calls, newest first): what the agent needs to
//! recognise a call they just finished.

use super::text;
use crate::i18n::Catalog;
use crate::store::CallsStore;

/// One released call, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentRow {
    /// The call id (`data-call-id`).
    pub id: String,
    /// The remote parties.
    pub parties: String,
    /// Its type (empty when the server does not say).
    pub kind: String,
    /// Its final duration.
    pub duration: String,
}

/// The recent calls of `store`, newest first.
pub fn recent_rows(store: &CallsStore, catalog: &Catalog) -> Vec<RecentRow> {
    store
        .recent()
        .map(|call| RecentRow {
            id: call.id.clone(),
            parties: text::parties(call, catalog),
            kind: text::call_type(call.call_type.as_ref(), catalog),
            duration: text::duration(call.duration_secs()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::fixture::store_with;
    use gws_protocol::{Call, CallState, CallType, Participant};

    #[test]
    fn a_retired_call_is_listed_with_its_parties_type_and_final_duration() {
        let mut store = store_with([Call {
            id: "a".into(),
            state: CallState::Released,
            call_type: Some(CallType::Inbound),
            participants: vec![Participant::internal("5000")],
            duration: "75".into(),
            ..Call::default()
        }]);
        store.retire_released(60_000, 1_000);
        let es = Catalog::new(crate::i18n::Lang::Es);
        assert_eq!(recent_rows(&store, &es)[0].kind, "Entrante");
        assert_eq!(
            recent_rows(&store, &Catalog::default()),
            [RecentRow {
                id: "a".into(),
                parties: "5000".into(),
                kind: "Inbound".into(),
                duration: "1:15".into(),
            }]
        );
    }
}
