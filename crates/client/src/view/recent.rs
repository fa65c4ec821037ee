//! The rows of the recent-calls list (released calls, newest first): what the agent needs to
//! recognise a call they just finished.

use super::text;
use crate::i18n::{Catalog, Key};
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
    /// The number a "Call back" dials: the first party's, when it is one a phone can dial
    /// (normalised as the dial pad does); `None` hides the button.
    pub call_back: Option<String>,
    /// The call-back button's name for screen readers ("Call back 5000").
    pub call_back_label: String,
}

/// The recent calls of `store`, newest first.
pub fn recent_rows(store: &CallsStore, catalog: &Catalog) -> Vec<RecentRow> {
    store
        .recent()
        .map(|call| {
            let party = call.participants.first();
            let call_back = party.and_then(|p| crate::phone::normalize_number(p.number()).ok());
            let named = party.map_or("", |p| p.display());
            RecentRow {
                id: call.id.clone(),
                parties: text::parties(call, catalog),
                kind: text::call_type(call.call_type.as_ref(), catalog),
                duration: text::duration(call.duration_secs()),
                call_back,
                call_back_label: catalog.fill(Key::RecentCallBackLabel, &[("party", named)]),
            }
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
                call_back: Some("5000".into()),
                call_back_label: "Call back 5000".into(),
            }]
        );
    }

    /// "Call back" dials the first party's number as the dial pad would send it, and is not
    /// offered for a party no phone can dial (a SIP URI, a name).
    #[test]
    fn call_back_is_offered_for_a_dialable_number_only() {
        let released = |id: &str, number: &str| Call {
            id: id.into(),
            state: CallState::Released,
            participants: vec![Participant::internal(number)],
            ..Call::default()
        };
        let mut store = store_with([
            released("dialable", "+1 (555) 010-0100"),
            released("sip", "sip:agent@example.com"),
        ]);
        store.retire_released(60_000, 1_000);
        let rows = recent_rows(&store, &Catalog::default());
        let call_back = |id: &str| {
            rows.iter()
                .find(|row| row.id == id)
                .and_then(|row| row.call_back.clone())
        };
        assert_eq!(call_back("dialable").as_deref(), Some("+15550100100"));
        assert_eq!(call_back("sip"), None);
    }
}
