//! The leader/follower protocol between tabs of the same user.
//!
//! Only the leader tab runs the notification loop (GWS allows few long polls per browser, and N
//! loops multiply the chances of a tab silently missing a call). The leader relays what it
//! receives — notifications, its connection state, "re-read state" — and sends the followers'
//! operations for them, reporting failures back; followers apply what the leader relays and
//! send their operations through it. The transport (a `BroadcastChannel` and a Web Lock for the
//! election) is the driver's (`src/drivers/tabs.rs`); the rules are here.

use super::intents::describe;
use super::{Effect, Method, Purpose, Severity, Target, Views, WidgetCore};
use crate::bayeux::ConnectionState;
use crate::error::ApiError;
use crate::view::connection::{RetryCountdown, connection_state, retry_countdown};
use gws_protocol::Operation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// What tabs of the same user tell each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "camelCase")]
pub enum TabMessage {
    /// A new follower asks the leader for its connection state.
    #[serde(rename_all = "camelCase")]
    Hello {
        /// The follower's tab id.
        from: String,
    },
    /// The leader received a notification.
    Notification {
        /// CometD channel.
        channel: String,
        /// The message's `data`: its JSON text as received (a string, because a raw JSON
        /// value cannot sit inside this internally tagged enum).
        data: String,
    },
    /// The leader's connection state.
    #[serde(rename_all = "camelCase")]
    Connection {
        /// `connecting | connected | reconnecting | offline | disconnected`.
        state: String,
        /// Consecutive failures.
        attempt: u32,
        /// Time to the next retry (clocks differ between tabs, so it travels as a delay).
        retry_in_ms: Option<u64>,
    },
    /// The leader re-read state (re-handshake or resume): followers re-read theirs too.
    Resync,
    /// A follower's operation, for the leader to send.
    #[serde(rename_all = "camelCase")]
    Intent {
        /// The follower's tab id.
        from: String,
        /// The follower's number for this request.
        id: u64,
        /// REST path (from the server root).
        path: String,
        /// The operation body.
        request: Value,
    },
    /// The leader's POST of a follower's operation failed.
    #[serde(rename_all = "camelCase")]
    Failed {
        /// The follower's tab id.
        to: String,
        /// The follower's request number.
        id: u64,
        /// What went wrong, worded for the agent.
        message: String,
    },
}

/// This widget's place among the tabs of its user.
#[derive(Debug, Default)]
pub(super) enum TabRole {
    /// Not receiving notifications yet (signing in).
    #[default]
    Starting,
    /// Listening to the leader tab.
    Following {
        tab_id: String,
        next_id: u64,
        /// Requests relayed through the leader, waiting for a possible failure.
        waiting: HashMap<u64, Target>,
    },
    /// Running the notification loop; `shared`: followers may listen.
    Leading { shared: bool },
}

impl TabRole {
    pub(super) fn is_leading(&self) -> bool {
        matches!(self, TabRole::Leading { .. })
    }

    /// This tab's id while it follows.
    pub(super) fn follower_id(&self) -> Option<&str> {
        match self {
            TabRole::Following { tab_id, .. } => Some(tab_id),
            _ => None,
        }
    }

    /// Numbers a request relayed through the leader and remembers where its failure goes.
    pub(super) fn wait_for_leader(&mut self, target: Target) -> u64 {
        match self {
            TabRole::Following {
                next_id, waiting, ..
            } => {
                *next_id += 1;
                waiting.insert(*next_id, target);
                *next_id
            }
            _ => 0,
        }
    }

    pub(super) fn stop_waiting(&mut self, id: u64) -> Option<Target> {
        match self {
            TabRole::Following { waiting, .. } => waiting.remove(&id),
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
pub(super) fn connection_message(state: &ConnectionState, now: u64) -> TabMessage {
    let RetryCountdown {
        attempt,
        retry_in_ms,
    } = retry_countdown(state, now);
    TabMessage::Connection {
        state: state.as_str().to_string(),
        attempt,
        retry_in_ms,
    }
}

impl WidgetCore {
    pub(super) fn follow(&mut self, tab_id: String) {
        self.sessions.follow();
        self.effects.push_back(Effect::Broadcast(TabMessage::Hello {
            from: tab_id.clone(),
        }));
        self.tabs = TabRole::Following {
            tab_id,
            next_id: 0,
            waiting: HashMap::new(),
        };
    }

    pub(super) fn lead(&mut self, shared: bool) {
        if matches!(self.tabs, TabRole::Following { .. }) {
            self.log(
                Severity::Info,
                "gws-widget: this tab now runs the notification loop",
            );
        }
        self.tabs = TabRole::Leading { shared };
        self.loop_started();
    }

    /// Broadcasts `message` when this tab leads others (built only then).
    pub(super) fn broadcast_as_leader(&mut self, message: impl FnOnce() -> TabMessage) {
        if matches!(self.tabs, TabRole::Leading { shared: true }) {
            self.effects.push_back(Effect::Broadcast(message()));
        }
    }

    /// What a follower does with the leader's messages, and what the leader answers.
    pub(super) fn on_tab_message(&mut self, now: u64, message: TabMessage, views: &mut Views<'_>) {
        let leading = match &self.tabs {
            TabRole::Starting => return,
            TabRole::Leading { shared: false } => return,
            TabRole::Leading { shared: true } => true,
            TabRole::Following { .. } => false,
        };
        match message {
            TabMessage::Hello { .. } if leading => {
                let state = connection_message(views.connection, now);
                self.effects.push_back(Effect::Broadcast(state));
            }
            TabMessage::Intent {
                from,
                id,
                path,
                request,
            } if leading => {
                let operation = request
                    .get("operationName")
                    .and_then(Value::as_str)
                    .map(Operation::parse)
                    .unwrap_or_else(|| Operation::Unknown(String::new()));
                self.request(
                    Method::Post,
                    path,
                    Some(request.to_string()),
                    Purpose::Relay(Relayed {
                        to: from,
                        id,
                        operation,
                    }),
                );
            }
            TabMessage::Notification { channel, data } if !leading => {
                self.on_notification(now, &channel, &data, views)
            }
            TabMessage::Connection {
                state,
                attempt,
                retry_in_ms,
            } if !leading && !self.is_signed_out() => {
                let countdown = RetryCountdown {
                    attempt,
                    retry_in_ms,
                };
                let state = connection_state(&state, countdown, now);
                self.set_connection(state, views);
            }
            TabMessage::Resync if !leading => self.resync(now),
            TabMessage::Failed { to, id, message }
                if self.tabs.follower_id() == Some(to.as_str()) =>
            {
                if let Some(target) = self.tabs.stop_waiting(id) {
                    self.fail(target, message, views);
                }
            }
            _ => {}
        }
    }

    /// The leader reports a follower's failed operation back to it.
    pub(super) fn on_relay_reply(&mut self, relayed: Relayed, result: Result<String, ApiError>) {
        if let Err(error) = result {
            self.effects
                .push_back(Effect::Broadcast(TabMessage::Failed {
                    to: relayed.to,
                    id: relayed.id,
                    message: describe(&relayed.operation, &error),
                }));
        }
    }
}
