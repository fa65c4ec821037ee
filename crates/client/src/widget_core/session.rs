//! The agent's two sessions with GWS: the voice login and the credentials.
//!
//! **Voice login** (gws-api.md §2.5–2.6): calls reach the agent's device only once the voice
//! channel is started with `StartContactCenterSession`. The widget sends it once, after the
//! notification loop is subscribed (so the resulting device notification is seen) — not again
//! on a re-handshake, and again only when the agent logs back in. Logging out stops the
//! notification loop first (unsubscribe, `/meta/disconnect`) and sends
//! `EndContactCenterSession` last: it ends the HTTP session.
//!
//! **Credentials**: a 401 in the middle of a shift (password changed, session ended elsewhere)
//! asks the host's credentials provider again, once. If that fails, or the credentials are
//! static, the widget is *signed out*: the notification loop stops (no loop of bad credentials
//! against the server), the badge offers "Sign in", and a few backed-off automatic attempts
//! are made ([`SIGN_IN_RETRIES`], from [`SIGN_IN_RETRY_MS`]).

use super::intents::{describe, failed_because};
use super::tabs::{RelayTarget, Relayed, TabMessage};
use super::{
    Effect, Method, Purpose, ReauthFailure, Severity, Target, Views, WidgetCore, clear_agent_error,
};
use crate::AgentStore;
use crate::bayeux::ConnectionState;
use crate::error::ApiError;
use crate::i18n::Key;
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use serde_json::Value;

/// Automatic sign-in attempts after the credentials were refused (the agent can always click).
pub const SIGN_IN_RETRIES: u32 = 3;
/// Delay before the first automatic attempt; it doubles for each next one.
pub const SIGN_IN_RETRY_MS: u64 = 30_000;

/// Whether a sign-out schedules automatic attempts to sign in again ([`SIGN_IN_RETRIES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retries {
    /// Backed off: the server or the provider may accept later (a password being changed, a
    /// provider that failed for a moment).
    Scheduled,
    /// Only the agent's "Sign in" tries: an attempt would get the same answer.
    OnClickOnly,
}

/// How the voice channel is logged in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginOptions {
    /// Log in once notifications flow (off for hosts that log agents in themselves).
    pub auto_login: bool,
    /// Place to log in at (the user's default place when absent).
    pub place: Option<String>,
    /// ACD queue to log in to.
    pub queue: Option<String>,
    /// Switch login code.
    pub login_code: Option<String>,
}

/// Whether this tab's notification loop runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum LoopState {
    /// Not started (signing in, or following the leader tab).
    #[default]
    NotStarted,
    /// Running (connected or reconnecting).
    Running,
    /// Asked to stop; `then_end_session`: a logout, `EndContactCenterSession` follows.
    Stopping { then_end_session: bool },
    /// Stopped by a logout or a sign-out; resumed by logging or signing in again.
    Stopped,
}

/// Trust in the credentials.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum Auth {
    /// No refusal since the last success.
    #[default]
    Trusted,
    /// Refused: asking for credentials again.
    Asking,
    /// New (or the same) credentials are being tried; a refusal now signs out.
    Retrying,
    /// Refused again: signed out until an automatic attempt or the agent's click.
    SignedOut,
}

/// The login and credential bookkeeping of one widget.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    pub(super) loop_state: LoopState,
    /// `StartContactCenterSession` goes out at the next chance.
    login_wanted: bool,
    auth: Auth,
    /// Sign-ins that failed since the last success.
    failed_sign_ins: u32,
    /// When the next automatic sign-in attempt is due.
    sign_in_retry_at: Option<u64>,
    /// The follower tab whose "Log out" the logout under way is: told if it fails.
    logout_for: Option<Relayed>,
    /// The agent-bar message the last sign-out showed, cleared once credentials work again
    /// (only if it still shows: a later error is not the sign-out's to clear).
    signed_out_message: Option<String>,
}

impl Sessions {
    pub(super) fn new(login: &LoginOptions) -> Self {
        Sessions {
            login_wanted: login.auto_login,
            ..Sessions::default()
        }
    }

    pub(super) fn retry_at(&self) -> Option<u64> {
        self.sign_in_retry_at
    }

    /// Whether an automatic sign-in attempt is due at `now` (consumes it).
    pub(super) fn retry_due(&mut self, now: u64) -> bool {
        if self.sign_in_retry_at.is_some_and(|at| at <= now) {
            self.sign_in_retry_at = None;
            return true;
        }
        false
    }

    /// The leader tab logs the agent in; a follower never does, even once elected later.
    pub(super) fn follow(&mut self) {
        self.login_wanted = false;
    }
}

impl WidgetCore {
    /// The notification loop is subscribed: the one automatic login, if wanted and needed.
    pub(super) fn log_in_if_wanted(&mut self, now: u64, views: &mut Views<'_>) {
        if !std::mem::take(&mut self.sessions.login_wanted) {
            return;
        }
        if views.agent.logged_in == Some(true) {
            return; // e.g. a reload: the agent is still logged in
        }
        views.agent_mut().pending = None;
        self.send_login(now, views);
    }

    fn send_login(&mut self, now: u64, views: &mut Views<'_>) {
        let login = &self.config.login;
        let mut request = OperationRequest::new(Operation::StartContactCenterSession);
        request.channels = Some(Value::from(vec!["voice"]));
        for (key, value) in [
            ("place", &login.place),
            ("queue", &login.queue),
            ("loginCode", &login.login_code),
        ] {
            if let Some(value) = value {
                request
                    .other
                    .insert(key.into(), Value::from(value.as_str()));
            }
        }
        self.send_operation(now, RelayTarget::Me, Box::new(request), views);
    }

    /// The agent clicked "Log in" (or the host called `login()`).
    pub(super) fn log_in(&mut self, now: u64, views: &mut Views<'_>) {
        match self.sessions.loop_state {
            LoopState::Running if *views.connection == ConnectionState::Connected => {
                self.send_login(now, views)
            }
            LoopState::Stopped => {
                self.sessions.login_wanted = true;
                self.resume_notifications();
            }
            // Signing in, following, stopping or reconnecting: at the next subscription (a
            // follower sends it through the leader at once).
            _ if self.tabs.follower_id().is_some() => self.send_login(now, views),
            _ => self.sessions.login_wanted = true,
        }
    }

    /// The agent confirmed "Log out" (or the host called `logout()`).
    pub(super) fn log_out(&mut self, now: u64, views: &mut Views<'_>) {
        if self.tabs.follower_id().is_some() {
            // The leader logs out as for its own click, and tells this tab if it fails.
            self.sessions.login_wanted = false;
            let end = Box::new(OperationRequest::new(Operation::EndContactCenterSession));
            return self.send_operation(now, RelayTarget::Me, end, views);
        }
        self.log_out_for(now, None, views);
    }

    /// Logs out from this tab, which runs the loop: stops it (unsubscribe, disconnect), then
    /// `EndContactCenterSession`. `follower`: the tab that asked, if another one did.
    pub(super) fn log_out_for(
        &mut self,
        now: u64,
        follower: Option<Relayed>,
        views: &mut Views<'_>,
    ) {
        if !views
            .agent_mut()
            .mark_pending(Operation::EndContactCenterSession)
        {
            let Some(follower) = follower else {
                return; // a double click
            };
            if views.agent.pending == Some(Operation::EndContactCenterSession) {
                // A logout is already under way: it answers for both (told if it fails).
                self.sessions.logout_for.get_or_insert(follower);
            } else {
                // Another agent operation waits for the server: the follower must hear that
                // its Log out did not go out, not see it time out in silence.
                let catalog = &self.config.catalog;
                let message = failed_because(
                    &Operation::EndContactCenterSession,
                    catalog.text(Key::ErrBusy),
                    catalog,
                );
                self.tell_relay_failed(follower, message);
            }
            return;
        }
        self.sessions.login_wanted = false;
        self.agent_pending_at = now;
        self.sessions.logout_for = follower;
        match self.sessions.loop_state {
            LoopState::Running => {
                self.sessions.loop_state = LoopState::Stopping {
                    then_end_session: true,
                };
                self.effects
                    .push_back(Effect::StopNotifications { unsubscribe: true });
            }
            _ => self.send_end_session(),
        }
    }

    fn send_end_session(&mut self) {
        let end = OperationRequest::new(Operation::EndContactCenterSession);
        let body = serde_json::to_string(&end).unwrap_or_default();
        self.request(
            Method::Post,
            "/api/v2/me".into(),
            Some(body),
            Purpose::Logout,
        );
    }

    /// The notification loop has ended (after [`Effect::StopNotifications`]).
    pub(super) fn on_notifications_stopped(&mut self) {
        let then_end_session = matches!(
            self.sessions.loop_state,
            LoopState::Stopping {
                then_end_session: true
            }
        );
        self.sessions.loop_state = LoopState::Stopped;
        if then_end_session {
            self.send_end_session();
        } else if self.sessions.auth == Auth::Trusted {
            // Signed in again while the loop was stopping after a sign-out.
            self.resume_notifications();
        }
    }

    pub(super) fn on_logout_reply(
        &mut self,
        now: u64,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        let follower = self.sessions.logout_for.take();
        match result {
            Ok(_) => {
                self.set_connection(ConnectionState::Disconnected, views);
                self.set_agent(views, AgentStore::logged_out);
                // No notification comes any more: the device's logged-out state is read (and
                // clears the pending control), and follower tabs re-read theirs.
                self.request(
                    Method::Get,
                    "/api/v2/me/devices?fields=*".into(),
                    None,
                    Purpose::Devices { asked_at: now },
                );
                self.broadcast_as_leader(|from| TabMessage::Resync { from });
                if self.sessions.login_wanted {
                    self.resume_notifications(); // "Log in" was clicked meanwhile
                }
            }
            Err(error) => {
                let message = describe(
                    &Operation::EndContactCenterSession,
                    &error,
                    &self.config.catalog,
                );
                if let Some(follower) = follower {
                    self.tell_relay_failed(follower, message.clone());
                }
                self.fail(Target::Agent, message, views);
                self.resume_notifications();
            }
        }
    }

    /// This tab's notification loop runs (it leads): stopped at once if signed out meanwhile.
    pub(super) fn loop_started(&mut self) {
        self.sessions.loop_state = LoopState::Running;
        if self.sessions.auth == Auth::SignedOut {
            self.sessions.loop_state = LoopState::Stopping {
                then_end_session: false,
            };
            self.effects
                .push_back(Effect::StopNotifications { unsubscribe: false });
        }
    }

    pub(super) fn resume_notifications(&mut self) {
        if self.sessions.loop_state == LoopState::Stopped {
            self.sessions.loop_state = LoopState::Running;
            self.effects.push_back(Effect::ResumeNotifications);
        }
    }

    /// A request or the notification loop was refused with 401. `proof`: it was the `GET /me`
    /// that tries new credentials — while they are tried, only its refusal counts (a request
    /// sent with the old ones may be refused after they were replaced).
    pub(super) fn on_unauthorized(&mut self, now: u64, proof: bool, views: &mut Views<'_>) {
        match self.sessions.auth {
            Auth::Trusted if self.config.credentials_provider => {
                self.sessions.auth = Auth::Asking;
                self.effects.push_back(Effect::Reauthenticate);
            }
            Auth::Trusted => {
                let why = self
                    .config
                    .catalog
                    .text(Key::ErrCredentialsRefused)
                    .to_string();
                self.sign_out(now, &why, Retries::Scheduled, views)
            }
            Auth::Retrying if proof => {
                let why = self
                    .config
                    .catalog
                    .text(Key::ErrCredentialsRefused)
                    .to_string();
                self.sign_out(now, &why, Retries::Scheduled, views)
            }
            Auth::Retrying | Auth::Asking | Auth::SignedOut => {}
        }
    }

    /// The driver asked the host for credentials (or kept the static ones) after a refusal.
    pub(super) fn on_reauthenticated(
        &mut self,
        now: u64,
        result: Result<(), ReauthFailure>,
        views: &mut Views<'_>,
    ) {
        match result {
            Ok(()) => {
                self.sessions.auth = Auth::Retrying;
                self.request_me(); // proves them, then resumes (see `on_credentials_accepted`)
            }
            Err(ReauthFailure::Provider(detail)) => {
                self.sign_out(now, &detail, Retries::Scheduled, views)
            }
            Err(ReauthFailure::OtherUser) => {
                let why = self
                    .config
                    .catalog
                    .text(Key::ErrCredentialsOtherUser)
                    .to_string();
                // The provider would name the other user again: only a click tries.
                self.sign_out(now, &why, Retries::OnClickOnly, views);
            }
        }
    }

    fn sign_out(&mut self, now: u64, why: &str, retries: Retries, views: &mut Views<'_>) {
        let attempt = self.sessions.failed_sign_ins;
        self.sessions.failed_sign_ins = attempt.saturating_add(1);
        self.sessions.auth = Auth::SignedOut;
        self.sessions.sign_in_retry_at = (retries == Retries::Scheduled
            && attempt < SIGN_IN_RETRIES)
            .then(|| now.saturating_add(crate::backoff::doubled(SIGN_IN_RETRY_MS, attempt)));
        self.log(Severity::Warning, format!("gws-widget: signed out: {why}"));
        self.set_connection(ConnectionState::SignedOut, views);
        // Follower tabs show it too (they would go on showing the last state relayed, while no
        // notification comes), and offer "Sign in", which they send here.
        self.broadcast_as_leader(|from| {
            super::tabs::connection_message(from, &ConnectionState::SignedOut, now)
        });
        let message = self
            .config
            .catalog
            .fill(Key::ErrSignedOut, &[("reason", why)]);
        self.sessions.signed_out_message = Some(message.clone());
        self.fail(Target::Agent, message, views);
        if self.sessions.loop_state == LoopState::Running {
            self.sessions.loop_state = LoopState::Stopping {
                then_end_session: false,
            };
            self.effects
                .push_back(Effect::StopNotifications { unsubscribe: false });
        }
    }

    /// The agent clicked "Retry now" (in this tab, or in a follower tab, which sends it here:
    /// a follower runs no loop of its own to retry).
    pub(super) fn retry_connection(&mut self) {
        if !self.ask_the_leader(|from| TabMessage::RetryNow { from }) {
            self.effects.push_back(Effect::RetryConnection);
        }
    }

    /// The agent clicked "Sign in" (in this tab, or in a follower tab, which sends it here), or
    /// an automatic attempt is due.
    pub(super) fn sign_in_again(&mut self) {
        // This tab's own credentials were refused (a request of its own got a 401): it signs
        // in again itself, follower or not — the leader's session may be fine, and asking it
        // left a follower signed out for good.
        if self.sessions.auth == Auth::SignedOut {
            self.sessions.sign_in_retry_at = None;
            self.sessions.auth = Auth::Asking;
            self.effects.push_back(Effect::Reauthenticate);
            return;
        }
        // A follower showing the leader's sign-out: it is the leader's session.
        self.ask_the_leader(|from| TabMessage::SignIn { from });
    }

    /// A request succeeded with the current credentials.
    pub(super) fn on_credentials_accepted(&mut self, views: &mut Views<'_>) {
        match self.sessions.auth {
            Auth::Trusted => self.sessions.failed_sign_ins = 0,
            Auth::Retrying => {
                self.sessions.auth = Auth::Trusted;
                self.sessions.failed_sign_ins = 0;
                self.sessions.sign_in_retry_at = None;
                // Exactly the message `sign_out` showed (a prefix of its template matched any
                // error once a host's wording began with the reason).
                if let Some(shown) = self.sessions.signed_out_message.take() {
                    clear_agent_error(&shown, views);
                }
                if let Some(me) = self.tabs.follower_id() {
                    // A follower runs no loop: it asks the leader for its state again (the
                    // leader's state messages were set aside while this tab was signed out).
                    let hello = TabMessage::Hello {
                        from: me.to_owned(),
                    };
                    self.effects.push_back(Effect::Broadcast(hello));
                    return;
                }
                match self.sessions.loop_state {
                    LoopState::Stopped => self.resume_notifications(),
                    // Resumed once stopped (`on_notifications_stopped`).
                    LoopState::Stopping { .. } => {}
                    _ => self.effects.push_back(Effect::RetryConnection),
                }
            }
            // A late reply from before the refusal proves nothing about what comes next.
            Auth::Asking | Auth::SignedOut => {}
        }
    }

    /// Whether the widget is signed out (the loop's own state changes must not hide it).
    pub(super) fn is_signed_out(&self) -> bool {
        self.sessions.auth == Auth::SignedOut
    }
}
