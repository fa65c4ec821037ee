//! The leader/follower protocol between tabs of the same user.
//!
//! Only the leader tab runs the notification loop (GWS allows few long polls per browser, and N
//! loops multiply the chances of a tab silently missing a call). The leader relays what it
//! receives — notifications, its connection state, "re-read state" — and sends the followers'
//! operations for them, reporting failures back; followers apply what the leader relays and
//! send their operations through it. The transport (a `BroadcastChannel` and a Web Lock for the
//! election) is the driver's (`src/drivers/tabs.rs`); the rules are here.
//!
//! The channel is open to every script of the page's origin, so nothing on it is trusted as
//! is:
//! - A follower relays a typed request ([`RelayTarget`] + [`OperationRequest`]), never a path:
//!   the leader builds the path itself (the call id as one encoded segment, the device from its
//!   own store) and sends only operations valid for the target — on a call, only one it shows
//!   whose capabilities list the operation, as for a click there; anything else is logged and
//!   answered with [`TabMessage::Failed`] so the follower's control does not hang.
//! - Every message of the leader carries its tab id (`from`), and a follower applies
//!   notifications, connection states, resyncs and failures only from the leader it knows.
//!   It learns the leader from a [`TabMessage::Leader`] announcement (sent when elected and in
//!   reply to `Hello`) while it knows none. A claim from another id while it knows one is
//!   probed: the follower says `Hello`, and adopts the claimant only if the known leader has
//!   not answered within [`LEADER_PROBE_MS`] (Web Locks elect one leader at a time, so a
//!   genuine claim only comes once the previous leader is gone, and a live leader always
//!   answers). Residual risk, by construction of a broadcast channel: the ids travel in clear,
//!   so a same-origin script that listens can copy the leader's id into forged messages, or
//!   claim leadership once the real leader has gone. The id check stops blind forgeries, stale
//!   and misrouted messages; it is not authentication (no secret can be shared over a channel
//!   every same-origin script reads — and such a script can as well patch `fetch`). What the
//!   relay refuses — any path, any origin, any unknown operation — holds regardless.
//! - A follower re-reads state on `Resync` at most once per [`RESYNC_INTERVAL_MS`]; more
//!   requests within the window are coalesced into one read at its end.

use super::intents::{describe, failed_because};
pub use super::relay::RelayTarget;
use super::relay::is_tab_id;
use super::{Effect, Method, Purpose, Severity, Target, Views, WidgetCore};
use crate::CallsStore;
use crate::bayeux::ConnectionState;
use crate::error::ApiError;
use crate::i18n::Key;
use crate::small_map::SmallMap;
use crate::view::connection::{RetryCountdown, connection_state, retry_countdown};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use serde::{Deserialize, Serialize};

/// A follower re-reads state on the leader's `Resync` at most this often.
pub const RESYNC_INTERVAL_MS: u64 = 5_000;
/// How long a follower waits for its known leader to answer before it follows a new claimant.
pub const LEADER_PROBE_MS: u64 = 2_000;

/// What tabs of the same user tell each other.
///
/// On the channel each message is `{"<variant>": {fields}}` (serde's default enum form): an
/// internally tagged enum (`{"t": …, fields}`) makes serde buffer the whole message in a
/// generic `Content` tree before choosing the variant, which costs about 10 KB of wasm (gzip)
/// for code no other message needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TabMessage {
    /// A new follower asks the leader to announce itself and its connection state.
    #[serde(rename_all = "camelCase")]
    Hello {
        /// The follower's tab id.
        from: String,
    },
    /// "I lead": when elected, and in reply to `Hello`.
    #[serde(rename_all = "camelCase")]
    Leader {
        /// The leader's tab id.
        from: String,
    },
    /// The leader received a notification.
    #[serde(rename_all = "camelCase")]
    Notification {
        /// The leader's tab id.
        from: String,
        /// CometD channel.
        channel: String,
        /// The message's `data`: its JSON text as received, which the follower decodes like
        /// its own notifications.
        data: String,
    },
    /// The leader's connection state.
    #[serde(rename_all = "camelCase")]
    Connection {
        /// The leader's tab id.
        from: String,
        /// `connecting | connected | reconnecting | offline | disconnected | ended | signed-out`.
        state: String,
        /// Consecutive failures.
        attempt: u32,
        /// Time to the next retry (clocks differ between tabs, so it travels as a delay).
        retry_in_ms: Option<u64>,
    },
    /// The leader re-read state (re-handshake or resume): followers re-read theirs too.
    #[serde(rename_all = "camelCase")]
    Resync {
        /// The leader's tab id.
        from: String,
    },
    /// A follower's operation, for the leader to send: what it acts on and the operation —
    /// never a path (the leader builds it).
    #[serde(rename_all = "camelCase")]
    Intent {
        /// The follower's tab id.
        from: String,
        /// The follower's number for this request.
        id: u64,
        /// The resource.
        target: RelayTarget,
        /// The operation and its parameters.
        request: Box<OperationRequest>,
    },
    /// A follower's agent clicked "Retry now" while the leader reconnects: the leader retries.
    #[serde(rename_all = "camelCase")]
    RetryNow {
        /// The follower's tab id.
        from: String,
    },
    /// A follower's agent clicked "Sign in" after the leader signed out: the leader tries again.
    #[serde(rename_all = "camelCase")]
    SignIn {
        /// The follower's tab id.
        from: String,
    },
    /// The leader did not get a follower's operation done.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// The leader's tab id.
        from: String,
        /// The follower's tab id.
        to: String,
        /// The follower's request number.
        id: u64,
        /// What went wrong, worded for the agent.
        message: String,
    },
}

/// A follower's view of the tabs.
#[derive(Debug)]
pub(super) struct Follower {
    tab_id: String,
    next_id: u64,
    /// Requests relayed through the leader, waiting for a possible failure.
    waiting: SmallMap<u64, Target>,
    /// The leader's tab id, once announced.
    leader: Option<String>,
    /// Another tab claiming leadership, followed at this time unless the known leader answers.
    claim: Option<(String, u64)>,
    /// When this tab last re-read state for the leader.
    last_resync: Option<u64>,
    /// A coalesced re-read, due at this time.
    resync_at: Option<u64>,
}

/// This widget's place among the tabs of its user.
#[derive(Debug, Default)]
pub(super) enum TabRole {
    /// Not receiving notifications yet (signing in).
    #[default]
    Starting,
    /// Listening to the leader tab.
    Following(Follower),
    /// Running the notification loop; `tab_id`: followers may listen (shared as this id).
    Leading { tab_id: Option<String> },
}

impl TabRole {
    pub(super) fn is_leading(&self) -> bool {
        matches!(self, TabRole::Leading { .. })
    }

    /// This tab's id while it follows.
    pub(super) fn follower_id(&self) -> Option<&str> {
        match self {
            TabRole::Following(follower) => Some(&follower.tab_id),
            _ => None,
        }
    }

    /// This tab's id while it leads others.
    fn leader_id(&self) -> Option<&str> {
        match self {
            TabRole::Leading { tab_id } => tab_id.as_deref(),
            _ => None,
        }
    }

    /// Numbers a request relayed through the leader and remembers where its failure goes.
    pub(super) fn wait_for_leader(&mut self, target: Target) -> u64 {
        match self {
            TabRole::Following(follower) => {
                follower.next_id += 1;
                follower.waiting.insert(follower.next_id, target);
                follower.next_id
            }
            _ => 0,
        }
    }

    pub(super) fn stop_waiting(&mut self, id: u64) -> Option<Target> {
        match self {
            TabRole::Following(follower) => follower.waiting.remove(&id),
            _ => None,
        }
    }

    /// When [`WidgetCore::tabs_due`] next has something to do.
    pub(super) fn deadline(&self) -> Option<u64> {
        match self {
            TabRole::Following(follower) => {
                [follower.claim.as_ref().map(|c| c.1), follower.resync_at]
                    .into_iter()
                    .flatten()
                    .min()
            }
            _ => None,
        }
    }
}

/// A follower's operation the leader sent, waiting for its HTTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relayed {
    to: String,
    id: u64,
    operation: Operation,
}

/// The leader's connection state for the followers.
pub(super) fn connection_message(from: String, state: &ConnectionState, now: u64) -> TabMessage {
    let RetryCountdown {
        attempt,
        retry_in_ms,
    } = retry_countdown(state, now);
    TabMessage::Connection {
        from,
        state: state.as_str().to_string(),
        attempt,
        retry_in_ms,
    }
}

impl WidgetCore {
    pub(super) fn follow(&mut self, tab_id: String) {
        self.effects.push_back(Effect::Broadcast(TabMessage::Hello {
            from: tab_id.clone(),
        }));
        self.tabs = TabRole::Following(Follower {
            tab_id,
            next_id: 0,
            waiting: SmallMap::new(),
            leader: None,
            claim: None,
            last_resync: None,
            resync_at: None,
        });
    }

    pub(super) fn lead(&mut self, tab_id: Option<String>) {
        if matches!(self.tabs, TabRole::Following(_)) {
            self.log(
                Severity::Info,
                "gws-widget: this tab now runs the notification loop",
            );
        }
        if let Some(from) = tab_id.clone() {
            self.effects
                .push_back(Effect::Broadcast(TabMessage::Leader { from }));
        }
        self.tabs = TabRole::Leading { tab_id };
        self.loop_started();
    }

    /// Broadcasts `message` (given this tab's id) when this tab leads others (built only then).
    pub(super) fn broadcast_as_leader(&mut self, message: impl FnOnce(String) -> TabMessage) {
        if let Some(from) = self.tabs.leader_id() {
            let message = message(from.to_owned());
            self.effects.push_back(Effect::Broadcast(message));
        }
    }

    /// Sends `message` (given this tab's id) to the leader when this tab follows one, for what
    /// only the tab running the loop can do; `false` (nothing sent) when this tab is not a
    /// follower.
    pub(super) fn ask_the_leader(&mut self, message: impl FnOnce(String) -> TabMessage) -> bool {
        let Some(from) = self.tabs.follower_id() else {
            return false;
        };
        let message = message(from.to_owned());
        self.effects.push_back(Effect::Broadcast(message));
        true
    }

    /// What a follower does with the leader's messages, and what the leader answers.
    pub(super) fn on_tab_message(&mut self, now: u64, message: TabMessage, views: &mut Views<'_>) {
        match &self.tabs {
            TabRole::Starting | TabRole::Leading { tab_id: None } => {}
            TabRole::Leading { tab_id: Some(me) } => {
                let me = me.clone();
                self.on_message_as_leader(now, me, message, views)
            }
            TabRole::Following(_) => self.on_message_as_follower(now, message, views),
        }
    }

    fn on_message_as_leader(
        &mut self,
        now: u64,
        me: String,
        message: TabMessage,
        views: &mut Views<'_>,
    ) {
        match message {
            TabMessage::Hello { from } if is_tab_id(&from) => {
                let state = connection_message(me.clone(), views.connection, now);
                let leader = TabMessage::Leader { from: me };
                self.effects.push_back(Effect::Broadcast(leader));
                self.effects.push_back(Effect::Broadcast(state));
            }
            TabMessage::Intent {
                from,
                id,
                target,
                request,
            } if is_tab_id(&from) => self.relay(now, me, from, id, target, *request, views),
            TabMessage::Intent { .. } => self.log(
                Severity::Warning,
                "gws-widget: ignored a relayed operation from no tab",
            ),
            TabMessage::SignIn { from } if is_tab_id(&from) => self.sign_in_again(),
            TabMessage::RetryNow { from } if is_tab_id(&from) => self.retry_connection(),
            _ => {}
        }
    }

    /// Why a follower's `operation` on call `id` is not sent, if it is not: as for a click
    /// here, only on a call this tab shows and only what its capabilities list now (another
    /// user's call id, a stale or forged request are not sent).
    fn refused_on_call(
        &self,
        id: &str,
        operation: &Operation,
        calls: &CallsStore,
    ) -> Option<String> {
        let catalog = &self.config.catalog;
        match calls.get(id) {
            Some(entry) if entry.call.can(operation) => None,
            Some(_) => Some(catalog.text(Key::ErrOtherTab).to_string()),
            None => Some(failed_because(
                operation,
                catalog.text(Key::ErrNothing),
                catalog,
            )),
        }
    }

    /// Sends a follower's operation — only one valid for its target (on a call, one this tab
    /// shows whose capabilities list it, as for a click here), to the path built here.
    #[allow(clippy::too_many_arguments)] // the message's fields, taken apart once
    fn relay(
        &mut self,
        now: u64,
        me: String,
        to: String,
        id: u64,
        target: RelayTarget,
        request: OperationRequest,
        views: &mut Views<'_>,
    ) {
        let operation = request.operation_name.clone();
        let refusal = if !target.allows(&operation) {
            // No customer value (call ids, names, data) in the log: only what was refused.
            self.log(
                Severity::Warning,
                "gws-widget: refused a relayed operation not valid for its target",
            );
            Some(self.config.catalog.text(Key::ErrOtherTab).to_string())
        } else if let RelayTarget::Call { id } = &target
            && let Some(reason) = self.refused_on_call(id, &operation, views.calls)
        {
            self.log(
                Severity::Warning,
                "gws-widget: refused a relayed operation its call does not allow",
            );
            Some(reason)
        } else {
            match target.path(views.agent) {
                // A follower's logout is this tab's own: its loop unsubscribes and disconnects
                // before `EndContactCenterSession` ends the HTTP session (API doc §2.6), as for
                // a click here. Posted straight away, it ended the session under the live loop,
                // which then re-handshook into a session the agent had just left.
                Some(_) if operation == Operation::EndContactCenterSession => {
                    let relayed = Relayed { to, id, operation };
                    return self.log_out_for(now, Some(relayed), views);
                }
                Some(path) => {
                    let body = serde_json::to_string(&request).unwrap_or_default();
                    // A follower logs the agent in after this tab logged out: the loop this tab
                    // stopped then runs again, or no tab would hear the login (nor any call).
                    if operation == Operation::StartContactCenterSession {
                        self.resume_notifications();
                    }
                    let relayed = Relayed { to, id, operation };
                    return self.request(Method::Post, path, Some(body), Purpose::Relay(relayed));
                }
                None => {
                    let catalog = &self.config.catalog;
                    Some(failed_because(
                        &operation,
                        catalog.text(Key::ErrNothing),
                        catalog,
                    ))
                }
            }
        };
        if let Some(message) = refusal {
            self.effects
                .push_back(Effect::Broadcast(TabMessage::Failed {
                    from: me,
                    to,
                    id,
                    message,
                }));
        }
    }

    fn on_message_as_follower(&mut self, now: u64, message: TabMessage, views: &mut Views<'_>) {
        let TabRole::Following(follower) = &self.tabs else {
            return;
        };
        let (leader, me) = (follower.leader.clone(), follower.tab_id.clone());
        let from_leader = |from: &str| leader.as_deref() == Some(from);
        match message {
            // A tab never hears its own messages on the channel: a claim in this tab's name is
            // forged, and following it would leave this tab following itself, relaying its
            // operations to nobody.
            TabMessage::Leader { from } if is_tab_id(&from) && from != me => {
                self.on_leader_claim(now, from)
            }
            TabMessage::Notification {
                from,
                channel,
                data,
            } if from_leader(&from) => self.on_notification(now, &channel, &data, views),
            TabMessage::Connection {
                from,
                state,
                attempt,
                retry_in_ms,
            } if from_leader(&from) && !self.is_signed_out() => {
                let countdown = RetryCountdown {
                    attempt,
                    retry_in_ms,
                };
                let state = connection_state(&state, countdown, now);
                self.set_connection(state, views);
            }
            TabMessage::Resync { from } if from_leader(&from) => self.resync_for_leader(now),
            TabMessage::Failed {
                from,
                to,
                id,
                message,
            } if from_leader(&from) && to == me => {
                if let Some(target) = self.tabs.stop_waiting(id) {
                    self.fail(target, message, views);
                }
            }
            _ => {}
        }
    }

    /// A tab says it leads: followed at once when no leader is known; otherwise the known
    /// leader is asked to answer, and the claimant followed only if it does not.
    fn on_leader_claim(&mut self, now: u64, from: String) {
        let TabRole::Following(follower) = &mut self.tabs else {
            return;
        };
        match &follower.leader {
            None => {
                follower.leader = Some(from);
                // Another tab leads and logged the agent in: this one never does, even once
                // elected later. (A tab that is elected without ever hearing of a leader was
                // alone, and logs in itself.)
                self.sessions.follow();
            }
            Some(known) if *known == from => {
                if follower.claim.take().is_some() {
                    self.log(
                        Severity::Warning,
                        "gws-widget: another tab claimed to lead while the leader runs; ignored",
                    );
                }
            }
            Some(_) if follower.claim.is_some() => {} // already probing
            Some(_) => {
                follower.claim = Some((from, now.saturating_add(LEADER_PROBE_MS)));
                let hello = TabMessage::Hello {
                    from: follower.tab_id.clone(),
                };
                self.effects.push_back(Effect::Broadcast(hello));
            }
        }
    }

    /// Re-reads state for the leader's `Resync`, at most once per [`RESYNC_INTERVAL_MS`] (one
    /// more read at the window's end stands for every request within it).
    fn resync_for_leader(&mut self, now: u64) {
        let TabRole::Following(follower) = &mut self.tabs else {
            return;
        };
        match follower.last_resync {
            Some(last) if now < last.saturating_add(RESYNC_INTERVAL_MS) => {
                follower
                    .resync_at
                    .get_or_insert(last.saturating_add(RESYNC_INTERVAL_MS));
            }
            _ => {
                follower.last_resync = Some(now);
                follower.resync_at = None; // this read stands for a coalesced one too
                self.resync(now);
            }
        }
    }

    /// A follower's due work: a coalesced re-read, a claimant the known leader did not
    /// contradict (followed, asked for its state, and state re-read: its messages were
    /// ignored meanwhile).
    pub(super) fn tabs_due(&mut self, now: u64) {
        let TabRole::Following(follower) = &mut self.tabs else {
            return;
        };
        if follower.claim.as_ref().is_some_and(|claim| claim.1 <= now) {
            follower.leader = follower.claim.take().map(|claim| claim.0);
            let hello = TabMessage::Hello {
                from: follower.tab_id.clone(),
            };
            self.effects.push_back(Effect::Broadcast(hello));
            self.log(Severity::Info, "gws-widget: following a new leader tab");
            self.resync_for_leader(now);
        }
        let TabRole::Following(follower) = &mut self.tabs else {
            return;
        };
        if follower.resync_at.is_some_and(|at| at <= now) {
            follower.resync_at = None;
            follower.last_resync = Some(now);
            self.resync(now);
        }
    }

    /// The leader reports a follower's failed operation back to it.
    pub(super) fn on_relay_reply(&mut self, relayed: Relayed, result: Result<String, ApiError>) {
        if let Err(error) = result {
            let message = describe(&relayed.operation, &error, &self.config.catalog);
            self.tell_relay_failed(relayed, message);
        }
    }

    /// Tells the follower that asked for `relayed` that it failed, and why.
    pub(super) fn tell_relay_failed(&mut self, relayed: Relayed, message: String) {
        self.broadcast_as_leader(|from| TabMessage::Failed {
            from,
            to: relayed.to,
            id: relayed.id,
            message,
        });
    }
}
