//! The notification connection as the agent and other tabs see it: the badge text and the
//! retry countdown.
//!
//! `ConnectionState::Reconnecting` holds an absolute `retry_at` on the widget's clock. The host
//! (`gws:connection`) and follower tabs get a relative `retryInMs` instead, since clocks of
//! other tabs have other origins; [`retry_countdown`] and [`connection_state`] are the one
//! conversion in each direction.

use crate::bayeux::ConnectionState;
use crate::i18n::{Catalog, Key};

/// Milliseconds until a retry scheduled at `retry_at`, measured at `now` (0 once it is due).
pub fn retry_in_ms(retry_at: u64, now: u64) -> u64 {
    retry_at.saturating_sub(now)
}

/// The absolute time of a retry announced `retry_in_ms` from `now`.
pub fn retry_at(retry_in_ms: u64, now: u64) -> u64 {
    now.saturating_add(retry_in_ms)
}

/// A connection state in relative terms, as sent to the host and to other tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryCountdown {
    /// The reconnect attempt (0 unless reconnecting).
    pub attempt: u32,
    /// Milliseconds until the next attempt, when one is scheduled.
    pub retry_in_ms: Option<u64>,
}

/// The countdown of `state` at `now`.
pub fn retry_countdown(state: &ConnectionState, now: u64) -> RetryCountdown {
    match state {
        ConnectionState::Reconnecting { attempt, retry_at } => RetryCountdown {
            attempt: *attempt,
            retry_in_ms: retry_at.map(|at| retry_in_ms(at, now)),
        },
        _ => RetryCountdown::default(),
    }
}

/// The state named `name` (as by `ConnectionState::as_str`) with `countdown`, received at
/// `now`; an unknown name reads as connecting (the safe assumption: controls stay paused).
pub fn connection_state(name: &str, countdown: RetryCountdown, now: u64) -> ConnectionState {
    match name {
        "connected" => ConnectionState::Connected,
        "reconnecting" => ConnectionState::Reconnecting {
            attempt: countdown.attempt,
            retry_at: countdown.retry_in_ms.map(|ms| retry_at(ms, now)),
        },
        "offline" => ConnectionState::Offline,
        "disconnected" => ConnectionState::Disconnected,
        "ended" => ConnectionState::EndedByServer,
        "signed-out" => ConnectionState::SignedOut,
        _ => ConnectionState::Connecting,
    }
}

/// The badge text at `now`: a silent dead loop is how agents miss calls, so the state is
/// spelled out, with the seconds until the next attempt while one is scheduled.
pub fn badge_label(state: &ConnectionState, now: u64, catalog: &Catalog) -> String {
    let key = match state {
        ConnectionState::Connecting => Key::ConnConnecting,
        ConnectionState::Connected => Key::ConnConnected,
        ConnectionState::Reconnecting {
            retry_at: Some(at), ..
        } => match retry_in_ms(*at, now).div_ceil(1000) {
            0 => Key::ConnReconnecting,
            secs => {
                return catalog.fill(Key::ConnReconnectingIn, &[("seconds", &secs.to_string())]);
            }
        },
        ConnectionState::Reconnecting { retry_at: None, .. } => Key::ConnReconnecting,
        ConnectionState::Offline => Key::ConnOffline,
        ConnectionState::Disconnected => Key::ConnDisconnected,
        ConnectionState::EndedByServer => Key::ConnEnded,
        ConnectionState::SignedOut => Key::ConnSignedOut,
    };
    catalog.text(key).to_string()
}

/// The badge's words for a screen reader: the state without the countdown. A live region that
/// held the countdown was read out every second for the whole outage.
pub fn status_label(state: &ConnectionState, catalog: &Catalog) -> String {
    match state {
        ConnectionState::Reconnecting { .. } => catalog.text(Key::ConnReconnecting).to_string(),
        other => badge_label(other, 0, catalog),
    }
}

/// Whether the badge offers "Sign in": the credentials were refused, and only the agent can
/// decide to try again (the host's credentials provider may prompt).
pub fn can_sign_in(state: &ConnectionState) -> bool {
    *state == ConnectionState::SignedOut
}

/// Whether the badge offers "Retry now": while a reconnect is scheduled, and after the server
/// ended the session (nothing retries then unless the agent asks). Offline waits for the network;
/// disconnected is the widget's own choice (a logout, or going away).
pub fn can_retry_now(state: &ConnectionState) -> bool {
    matches!(
        state,
        ConnectionState::Reconnecting { .. } | ConnectionState::EndedByServer
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn en() -> Catalog {
        Catalog::default()
    }

    #[test]
    fn the_badge_reads_in_each_language() {
        let state = reconnecting(2, Some(5_000));
        for (lang, connected, countdown) in [
            (Lang::Fr, "Connecté", "Reconnexion dans 5 s"),
            (Lang::De, "Verbunden", "Neuer Versuch in 5 s"),
            (Lang::Es, "Conectado", "Reconectando en 5 s"),
        ] {
            let catalog = Catalog::new(lang);
            assert_eq!(
                badge_label(&ConnectionState::Connected, 0, &catalog),
                connected
            );
            assert_eq!(badge_label(&state, 0, &catalog), countdown);
        }
    }

    fn reconnecting(attempt: u32, retry_at: Option<u64>) -> ConnectionState {
        ConnectionState::Reconnecting { attempt, retry_at }
    }

    #[test]
    fn the_countdown_rounds_up_to_whole_seconds_then_says_reconnecting() {
        let state = reconnecting(2, Some(5_000));
        assert_eq!(badge_label(&state, 0, &en()), "Reconnecting in 5 s");
        assert_eq!(badge_label(&state, 3_999, &en()), "Reconnecting in 2 s");
        assert_eq!(badge_label(&state, 4_999, &en()), "Reconnecting in 1 s");
        assert_eq!(badge_label(&state, 5_000, &en()), "Reconnecting…");
        assert_eq!(
            badge_label(&state, 9_000, &en()),
            "Reconnecting…",
            "late, not negative"
        );
        assert_eq!(
            badge_label(&reconnecting(1, None), 0, &en()),
            "Reconnecting…"
        );
    }

    #[test]
    fn every_state_is_spelled_out() {
        assert_eq!(
            badge_label(&ConnectionState::Connecting, 0, &en()),
            "Connecting…"
        );
        assert_eq!(
            badge_label(&ConnectionState::Connected, 0, &en()),
            "Connected"
        );
        assert_eq!(badge_label(&ConnectionState::Offline, 0, &en()), "Offline");
        assert_eq!(
            badge_label(&ConnectionState::Disconnected, 0, &en()),
            "Disconnected"
        );
    }

    #[test]
    fn retry_now_is_offered_while_reconnecting_and_after_the_server_ended_the_session() {
        assert!(can_retry_now(&reconnecting(1, None)));
        assert!(can_retry_now(&ConnectionState::EndedByServer));
        assert!(!can_retry_now(&ConnectionState::Offline));
        assert!(!can_retry_now(&ConnectionState::Connected));
        assert!(!can_retry_now(&ConnectionState::Disconnected), "a logout");
        assert_eq!(
            badge_label(&ConnectionState::EndedByServer, 0, &en()),
            "Disconnected by the server"
        );
    }

    #[test]
    fn the_screen_reader_status_has_no_countdown() {
        let counting = reconnecting(2, Some(5_000));
        assert_eq!(status_label(&counting, &en()), "Reconnecting…");
        assert_eq!(
            status_label(&ConnectionState::EndedByServer, &en()),
            "Disconnected by the server"
        );
        assert_eq!(
            status_label(&ConnectionState::Connected, &en()),
            badge_label(&ConnectionState::Connected, 0, &en())
        );
    }

    #[test]
    fn retry_in_ms_counts_down_and_stops_at_zero() {
        assert_eq!(retry_in_ms(5_000, 1_000), 4_000);
        assert_eq!(retry_in_ms(5_000, 7_000), 0);
        assert_eq!(retry_at(4_000, 1_000), 5_000);
    }

    #[test]
    fn countdown_round_trips_between_clocks() {
        let state = reconnecting(3, Some(10_000));
        let countdown = retry_countdown(&state, 4_000);
        assert_eq!(
            countdown,
            RetryCountdown {
                attempt: 3,
                retry_in_ms: Some(6_000)
            }
        );
        // Another tab whose clock reads 100 000 schedules the same retry 6 s from its now.
        assert_eq!(
            connection_state("reconnecting", countdown, 100_000),
            reconnecting(3, Some(106_000))
        );
        assert_eq!(
            retry_countdown(&ConnectionState::Connected, 4_000),
            RetryCountdown::default()
        );
    }

    #[test]
    fn state_names_read_back_and_unknown_ones_read_as_connecting() {
        for state in [
            ConnectionState::Connected,
            ConnectionState::Offline,
            ConnectionState::Disconnected,
            ConnectionState::EndedByServer,
            ConnectionState::SignedOut,
            ConnectionState::Connecting,
        ] {
            assert_eq!(
                connection_state(state.as_str(), RetryCountdown::default(), 0),
                state
            );
        }
        assert_eq!(
            connection_state("teleporting", RetryCountdown::default(), 0),
            ConnectionState::Connecting
        );
    }
}
