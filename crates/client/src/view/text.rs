//! Text shared by several views: how long a call has lasted and who is on it.

use gws_protocol::Call;

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
pub fn parties(call: &Call) -> String {
    let names: Vec<&str> = call
        .participants
        .iter()
        .map(|p| p.display())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        "Unknown party".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        formatted.formatted_phone_number = Some("(916) 555-0104".into());
        let call = Call {
            participants: vec![formatted, Participant::internal("5002")],
            ..Call::default()
        };
        assert_eq!(parties(&call), "(916) 555-0104, 5002");
        assert_eq!(parties(&Call::default()), "Unknown party");
    }
}
