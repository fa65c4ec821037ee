//! Start-up: who am I (`GET /me`, which also obtains the session cookie and CSRF token, retried
//! with a growing delay while the server is unreachable), which agent states exist, a first
//! snapshot, then the notification loop — ours, or the leader tab's.
//!
//! The agent-state list and the first snapshot load while the loop handshakes (off the critical
//! path to the first interactive card); the snapshot is read again once the loop is connected
//! (every wanted channel confirmed), so nothing published in between is missed.

use super::{Method, Purpose, Severity, Views, WidgetCore};
use crate::bayeux::ConnectionState;
use crate::error::ApiError;
use gws_protocol::api::{AgentStatesResponse, CallsResponse, DevicesResponse, MeResponse};

/// Longest wait between two attempts to load the agent.
const MAX_SIGN_IN_DELAY_MS: u64 = 30_000;

/// Progress of `GET /me`.
#[derive(Debug, Default)]
pub(super) struct SignIn {
    /// Consecutive failures.
    attempt: u32,
    /// When to try again, after a failure.
    retry_at: Option<u64>,
    /// The agent was loaded once: the start-up sequence has run.
    signed_in: bool,
}

impl SignIn {
    pub(super) fn retry_at(&self) -> Option<u64> {
        self.retry_at
    }

    /// Whether a retry is due at `now` (consumes it).
    pub(super) fn retry_due(&mut self, now: u64) -> bool {
        if self.retry_at.is_some_and(|at| at <= now) {
            self.retry_at = None;
            return true;
        }
        false
    }
}

/// A GWS reply to a GET: its `statusCode` says whether the rest of it is an answer.
pub(super) trait Reply: serde::de::DeserializeOwned {
    fn status_code(&self) -> i64;
}

macro_rules! reply {
    ($($reply:ty),+) => {$(
        impl Reply for $reply {
            fn status_code(&self) -> i64 {
                self.status_code
            }
        }
    )+};
}

reply!(
    MeResponse,
    AgentStatesResponse,
    CallsResponse,
    DevicesResponse
);

/// Decodes a JSON reply body. A decoding error says what and where, never the value it choked
/// on ([`gws_protocol::redacted_error`]): it is logged, and the body can hold customer data.
///
/// The browser driver hands over any 2xx body of a GET, and every field of these replies has a
/// default: without the two checks below, an error body (`{"statusCode": 4, …}`) or a JSON
/// array (serde reads a struct from an array, field by field: `[]` is a reply of defaults)
/// read as a snapshot without calls and removed every card — found by `tests/fuzz_peer.rs`.
/// Such a reply is an error: logged, and the state stays as it was.
pub(super) fn decode<T: Reply>(result: Result<String, ApiError>) -> Result<T, ApiError> {
    let text = result?;
    if !text.trim_start().starts_with('{') {
        return Err(ApiError::Decode("not a JSON object".into()));
    }
    let reply: T = serde_json::from_str(&text)
        .map_err(|error| ApiError::Decode(gws_protocol::redacted_error(&error)))?;
    match reply.status_code() {
        0 => Ok(reply),
        code => Err(ApiError::Rejected {
            code,
            message: "The server refused the request".into(),
        }),
    }
}

impl WidgetCore {
    pub(super) fn request_me(&mut self) {
        self.request(
            Method::Get,
            "/api/v2/me?subresources=*".into(),
            None,
            Purpose::Me,
        );
    }

    pub(super) fn credentials_failed(&mut self, message: String, views: &mut Views<'_>) {
        self.set_connection(ConnectionState::Disconnected, views);
        let message = self
            .config
            .catalog
            .fill(crate::i18n::Key::ErrCannotSignIn, &[("reason", &message)]);
        self.fail(super::Target::Agent, message, views);
    }

    pub(super) fn on_me(
        &mut self,
        now: u64,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        let me = match decode::<MeResponse>(result) {
            Ok(me) => me,
            // Refused credentials are re-authentication's business (`session.rs`), not a retry.
            Err(ApiError::Unauthorized) => return,
            Err(error) => {
                self.sign_in.attempt = self.sign_in.attempt.saturating_add(1);
                let attempt = self.sign_in.attempt;
                self.log(
                    Severity::Warning,
                    format!("gws-widget: cannot load the agent: {error}"),
                );
                let delay = (u64::from(attempt) * 1000).min(MAX_SIGN_IN_DELAY_MS);
                let retry_at = now.saturating_add(delay);
                self.sign_in.retry_at = Some(retry_at);
                self.set_connection(
                    ConnectionState::Reconnecting {
                        attempt,
                        retry_at: Some(retry_at),
                    },
                    views,
                );
                return;
            }
        };
        let first = !self.sign_in.signed_in;
        self.sign_in = SignIn {
            signed_in: true,
            ..SignIn::default()
        };
        self.set_agent(views, |store| {
            store.set_user(me.user);
            true
        });
        if !first {
            return; // a re-authentication proved the credentials (`session.rs` resumes)
        }
        self.request(
            Method::Get,
            "/api/v2/settings/agent-states".into(),
            None,
            Purpose::AgentStates,
        );
        self.resync(now);
        self.effects.push_back(super::Effect::StartNotifications {
            shared: self.config.share_across_tabs,
        });
    }

    pub(super) fn on_agent_states(
        &mut self,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        match decode::<AgentStatesResponse>(result) {
            Ok(states) => views.agent_mut().agent_states = states.settings,
            Err(error) => self.log(
                Severity::Warning,
                format!("gws-widget: no agent-state settings: {error}"),
            ),
        }
    }
}
