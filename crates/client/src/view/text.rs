//! Text shared by several views: how long a call has lasted, who is on it, and the names of
//! call states and types in the widget's language.

use crate::i18n::{Catalog, Key};
use gws_protocol::{Call, CallState, CallType};

/// `m:ss`, or `h:mm:ss` from one hour on (short calls read as a stopwatch, long ones stay
/// unambiguous).
pub fn duration(total_secs: u64) -> String {
    let (hours, minutes, seconds) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// The remote parties of a call, for one line of text ("Unknown party" rather than an empty
/// line, so a card never looks broken when the server sends no participants).
pub fn parties(call: &Call, catalog: &Catalog) -> String {
    let names: Vec<&str> = call
        .participants
        .iter()
        .map(|p| p.display())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        catalog.text(Key::CardUnknownParty).to_string()
    } else {
        names.join(", ")
    }
}

/// A call state as shown; a state GWS adds later shows as the server names it.
pub fn call_state(state: &CallState, catalog: &Catalog) -> String {
    let key = match state {
        CallState::Ringing => Key::StateRinging,
        CallState::Dialing => Key::StateDialing,
        CallState::Established => Key::StateEstablished,
        CallState::Held => Key::StateHeld,
        CallState::Released => Key::StateReleased,
        other => return other.as_str().to_string(),
    };
    catalog.text(key).to_string()
}

/// A call type as shown (empty when the server does not say; an unknown type as named).
pub fn call_type(call_type: Option<&CallType>, catalog: &Catalog) -> String {
    let key = match call_type {
        None => return String::new(),
        Some(CallType::Internal) => Key::TypeInternal,
        Some(CallType::Inbound) => Key::TypeInbound,
        Some(CallType::Outbound) => Key::TypeOutbound,
        Some(CallType::Consult) => Key::TypeConsult,
        Some(other) => return other.to_string(),
    };
    catalog.text(key).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use gws_protocol::Participant;

    #[test]
    fn formats_minutes_and_hours() {
        assert_eq!(duration(0), "0:00");
        assert_eq!(duration(75), "1:15");
        assert_eq!(duration(3725), "1:02:05");
    }

    #[test]
    fn parties_prefer_formatted_numbers_and_name_the_unknown() {
        let mut formatted = Participant::internal("5001");
        formatted.formatted_phone_number = "(916) 555-0104".into();
        let call = Call {
            participants: vec![formatted, Participant::internal("5002")],
            ..Call::default()
        };
        let en = Catalog::default();
        assert_eq!(parties(&call, &en), "(916) 555-0104, 5002");
        assert_eq!(parties(&Call::default(), &en), "Unknown party");
        let fr = Catalog::new(Lang::Fr);
        assert_eq!(
            parties(&call, &fr),
            "(916) 555-0104, 5002",
            "server data as sent"
        );
        assert_eq!(parties(&Call::default(), &fr), "Correspondant inconnu");
    }

    #[test]
    fn states_and_types_are_named_in_the_language_and_unknown_ones_as_sent() {
        let names = |lang| {
            let catalog = Catalog::new(lang);
            (
                call_state(&CallState::Established, &catalog),
                call_type(Some(&CallType::Inbound), &catalog),
            )
        };
        assert_eq!(names(Lang::En), ("Established".into(), "Inbound".into()));
        assert_eq!(names(Lang::Fr), ("En cours".into(), "Entrant".into()));
        assert_eq!(names(Lang::De), ("Verbunden".into(), "Eingehend".into()));
        assert_eq!(names(Lang::Es), ("En curso".into(), "Entrante".into()));
        let de = Catalog::new(Lang::De);
        assert_eq!(
            call_state(&CallState::Unknown("Parked".into()), &de),
            "Parked"
        );
        assert_eq!(
            call_type(Some(&CallType::Unknown("Predictive".into())), &de),
            "Predictive"
        );
        assert_eq!(call_type(None, &de), "");
    }
}
