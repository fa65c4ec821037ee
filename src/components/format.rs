//! Text formatting shared by components.

use gws_protocol::{Call, Operation};

/// `m:ss`, or `h:mm:ss` from one hour on.
pub fn duration(total_secs: u64) -> String {
    let (hours, minutes, seconds) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

/// The label of an operation, as on its button.
pub fn operation_label(operation: &Operation) -> String {
    gws_client::label(operation)
}

/// The remote parties of a call, for one line of text.
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
    #[test]
    fn formats_minutes_and_hours() {
        assert_eq!(super::duration(0), "0:00");
        assert_eq!(super::duration(75), "1:15");
        assert_eq!(super::duration(3725), "1:02:05");
    }
}
