//! The intent executor: what happens when a button is clicked.
//!
//! An operation goes out only if its store accepts it as pending (the double-click guard) — by
//! REST, or through the leader tab when this tab follows. The HTTP reply never touches call or
//! device state: a 2xx only starts the watchdog (or, for an operation no notification confirms,
//! settles it); the card changes when the notification arrives.
//! Failures land on the card or the agent bar, in the live region and in a `gws:error` event; a
//! control still pending [`PENDING_TIMEOUT_MS`] after it was accepted becomes an error too.

use super::tabs::{RelayTarget, TabMessage};
use super::{Effect, Method, PENDING_TIMEOUT_MS, Purpose, Severity, Target, Views, WidgetCore};
use crate::error::ApiError;
use crate::i18n::{Catalog, Key};
use crate::intent::Intent;
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;

/// Operations whose acceptance is all the confirmation there is: `SingleStepConference` changes
/// the caller's own call only when the invited party answers (`ParticipantsUpdated`), which may
/// be long after or never (nobody picks up), so waiting for a notification would block the call's
/// other controls meanwhile and then call a working conference unconfirmed. A destination the
/// server refuses later still lands on the card, as an `ErrorMessage`.
fn confirmed_by_acceptance(operation: &Operation) -> bool {
    matches!(operation, Operation::SingleStepConference)
}

/// The operation pending on `target` is settled without a notification.
fn settle(target: &Target, views: &mut Views<'_>) {
    match target {
        Target::Call(id) => views.calls_mut().settle_pending(id),
        Target::Agent => views.agent_mut().pending = None,
    }
}

/// An operation this tab sent, waiting for its HTTP reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    target: Target,
    operation: Operation,
    /// When it was sent (its target's pending time): the reply settles this operation only.
    sent_at: u64,
}

/// A control that must be confirmed by a notification before `deadline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Watchdog {
    pub(super) deadline: u64,
    target: Target,
    operation: Operation,
    /// The follower's request number, when the leader tab sent it for us.
    relayed: Option<u64>,
}

/// "Hold failed: …", worded for the agent in `catalog`'s language.
pub(super) fn describe(operation: &Operation, error: &ApiError, catalog: &Catalog) -> String {
    failed_because(operation, &error.localized(catalog), catalog)
}

/// "`operation` failed: `reason`", with the operation's label in the catalog's language.
pub(super) fn failed_because(operation: &Operation, reason: &str, catalog: &Catalog) -> String {
    catalog.fill(
        Key::ErrOperationFailed,
        &[
            ("operation", &crate::actions::label(operation, catalog)),
            ("error", reason),
        ],
    )
}

/// The typed operation an intent asks for: what this tab sends itself, or relays to the leader
/// tab, which builds the same path from it ([`RelayTarget::path`]). `None`: not an operation.
pub(super) fn operation_of(intent: Intent) -> Option<(RelayTarget, Box<OperationRequest>)> {
    match intent {
        Intent::CallOperation { call_id, request } => {
            Some((RelayTarget::Call { id: call_id }, request))
        }
        Intent::DeviceOperation(request) => Some((RelayTarget::Device, request)),
        Intent::Dial(request) => Some((RelayTarget::DeviceCalls, request)),
        Intent::AgentState(request) => Some((RelayTarget::AgentChannel, request)),
        _ => None,
    }
}

impl WidgetCore {
    pub(super) fn on_intent(&mut self, now: u64, intent: Intent, views: &mut Views<'_>) {
        match intent {
            Intent::RetryConnection => self.retry_connection(),
            Intent::DismissError { call_id } => views.calls_mut().dismiss_error(&call_id),
            Intent::DismissAgentError => views.agent_mut().error = None,
            Intent::LogIn => self.log_in(now, views),
            Intent::LogOut => self.log_out(now, views),
            Intent::SignIn => self.sign_in_again(),
            operation => {
                if let Some((target, request)) = operation_of(operation) {
                    self.send_operation(now, target, request, views);
                }
            }
        }
    }

    /// Sends an operation the agent asked for — unless one is already pending on its target
    /// (the double-click guard): by REST, or through the leader tab when this tab follows (as
    /// the typed request: the leader builds the same path from it).
    pub(super) fn send_operation(
        &mut self,
        now: u64,
        relay: RelayTarget,
        request: Box<OperationRequest>,
        views: &mut Views<'_>,
    ) {
        let target = relay.store_target();
        let Some(path) = relay.path(views.agent) else {
            let message = match relay {
                RelayTarget::Device | RelayTarget::DeviceCalls => Key::ErrNoDevice,
                _ => Key::ErrNothing,
            };
            let message = self.config.catalog.text(message).to_string();
            return self.fail(target, message, views);
        };
        let operation = request.operation_name.clone();
        let accepted = match &target {
            Target::Call(id) => views.calls_mut().mark_pending(id, operation.clone(), now),
            // Only an accepted one moves the time: a refused double click is not an operation.
            Target::Agent if views.agent_mut().mark_pending(operation.clone()) => {
                self.agent_pending_at = now;
                true
            }
            Target::Agent => false,
        };
        if !accepted {
            return;
        }
        if let Some(tab_id) = self.tabs.follower_id() {
            let from = tab_id.to_owned();
            let id = self.tabs.wait_for_leader(target.clone());
            self.effects
                .push_back(Effect::Broadcast(TabMessage::Intent {
                    from,
                    id,
                    target: relay,
                    request,
                }));
            self.watch(now, target, operation, Some(id));
        } else {
            let body = serde_json::to_string(request.as_ref()).unwrap_or_default();
            self.request(
                Method::Post,
                path,
                Some(body),
                Purpose::Operation(Sent {
                    target,
                    operation,
                    sent_at: now,
                }),
            );
        }
    }

    pub(super) fn on_operation_reply(
        &mut self,
        now: u64,
        sent: Sent,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        // Only while this very operation is pending: a late reply of an earlier one (the agent
        // held, the notification came, they retrieved) must neither fail nor time the newer one.
        let still_pending = match &sent.target {
            Target::Call(id) => views.calls.get(id).is_some_and(|entry| {
                entry.pending.as_ref() == Some(&sent.operation) && entry.pending_at == sent.sent_at
            }),
            Target::Agent => {
                views.agent.pending.as_ref() == Some(&sent.operation)
                    && self.agent_pending_at == sent.sent_at
            }
        };
        match result {
            Ok(_) if still_pending && confirmed_by_acceptance(&sent.operation) => {
                settle(&sent.target, views);
            }
            Ok(_) if still_pending => self.watch(now, sent.target, sent.operation, None),
            Ok(_) => {} // confirmed already by its notification
            Err(error) if still_pending => {
                let message = describe(&sent.operation, &error, &self.config.catalog);
                self.fail(sent.target, message, views);
            }
            Err(error) => self.log(
                Severity::Warning,
                format!(
                    "gws-widget: {} failed after it was settled: {error}",
                    sent.operation
                ),
            ),
        }
    }

    fn watch(&mut self, now: u64, target: Target, operation: Operation, relayed: Option<u64>) {
        // The store accepts a new pending operation only once the previous one settled: an older
        // watchdog of this target is stale, and must not fail the new operation early.
        let (stale, others) = std::mem::take(&mut self.watchdogs)
            .into_iter()
            .partition(|watchdog: &Watchdog| watchdog.target == target);
        self.watchdogs = others;
        for watchdog in stale {
            if let Some(id) = watchdog.relayed {
                self.tabs.stop_waiting(id);
            }
        }
        self.watchdogs.push(Watchdog {
            deadline: now.saturating_add(PENDING_TIMEOUT_MS),
            target,
            operation,
            relayed,
        });
    }

    /// Controls still pending past their deadline become errors.
    pub(super) fn expire_watchdogs(&mut self, now: u64, views: &mut Views<'_>) {
        let (expired, waiting) = std::mem::take(&mut self.watchdogs)
            .into_iter()
            .partition(|watchdog| watchdog.deadline <= now);
        self.watchdogs = waiting;
        for watchdog in expired {
            if let Some(id) = watchdog.relayed {
                // The leader reports failures only; past the timeout none is coming.
                self.tabs.stop_waiting(id);
            }
            let pending = match &watchdog.target {
                Target::Call(id) => views.calls.get(id).and_then(|e| e.pending.as_ref()),
                Target::Agent => views.agent.pending.as_ref(),
            };
            if pending == Some(&watchdog.operation) && confirmed_by_acceptance(&watchdog.operation)
            {
                // Relayed through the leader, which reports failures only: none came.
                settle(&watchdog.target, views);
            } else if pending == Some(&watchdog.operation) {
                let catalog = &self.config.catalog;
                let message = catalog.fill(
                    Key::ErrNoConfirmation,
                    &[(
                        "operation",
                        &crate::actions::label(&watchdog.operation, catalog),
                    )],
                );
                self.fail(watchdog.target, message, views);
            }
        }
    }
}
