//! Text formatting shared by components.

/// `m:ss`, or `h:mm:ss` from one hour on.
pub fn duration(total_secs: u64) -> String {
    let (hours, minutes, seconds) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
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
