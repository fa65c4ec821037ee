//! Server state into the stores: notifications (from our loop or the leader tab) and snapshots.
//!
//! Resync rules: the call and device snapshot is read whenever the loop becomes connected (the
//! Bayeux client reports that only once every channel is subscribed, so a call that rings after
//! the snapshot is in the notifications), after a re-handshake and when the page resumes. A
//! snapshot can be older than a notification that arrived while it was on its way: calls touched
//! since the snapshot was asked for are kept as they are ([`CallsStore::reconcile`]).
//!
//! [`CallsStore::reconcile`]: crate::store::CallsStore::reconcile

use super::startup::decode;
use super::tabs::TabMessage;
use super::{HostEvent, Method, Purpose, Severity, Views, WidgetCore};
use crate::agent::AgentStore;
use crate::bayeux::{ConnectionState, Event};
use crate::error::ApiError;
use crate::store::{Change, MAX_CALLS};
use gws_protocol::api::{CallsResponse, DevicesResponse};
use gws_protocol::{Call, CallState, Notification};
use std::collections::HashMap;

impl WidgetCore {
    /// Re-reads calls and devices (and tells follower tabs to do the same).
    pub(super) fn resync(&mut self, now: u64) {
        self.broadcast_as_leader(|from| TabMessage::Resync { from });
        self.request(
            Method::Get,
            "/api/v2/me/calls?fields=*".into(),
            None,
            Purpose::Calls { asked_at: now },
        );
        self.request(
            Method::Get,
            "/api/v2/me/devices?fields=*".into(),
            None,
            Purpose::Devices { asked_at: now },
        );
    }

    /// One event of our notification loop (relayed to follower tabs).
    pub(super) fn on_bayeux_event(&mut self, now: u64, event: Event, views: &mut Views<'_>) {
        match event {
            Event::StateChanged(_) if self.is_signed_out() => {} // the loop is stopping
            Event::StateChanged(state) => {
                if state == ConnectionState::EndedByServer {
                    self.log(
                        Severity::Warning,
                        "gws-widget: the server ended the notification session (reconnect: none); \
                         waiting for the agent to reconnect",
                    );
                }
                self.broadcast_as_leader(|from| super::tabs::connection_message(from, &state, now));
                let now_connected = state == ConnectionState::Connected;
                if !self.set_connection(state, views) && now_connected {
                    self.on_credentials_accepted(views);
                    self.resync(now);
                    self.log_in_if_wanted(now, views);
                }
            }
            Event::ResyncNeeded => self.resync(now),
            Event::Message { channel, data } => {
                // Our view first, then the follower tabs (the text is copied only when a
                // follower may listen).
                self.on_notification(now, &channel, data.get(), views);
                self.broadcast_as_leader(|from| TabMessage::Notification {
                    from,
                    channel,
                    data: data.get().to_owned(),
                });
            }
            Event::SubscriptionFailed { channel, error } => {
                self.log(
                    Severity::Warning,
                    format!("gws-widget: subscription to {channel} refused: {error}"),
                );
                // A channel missing in silence is how calls are missed: the agent bar says so,
                // once — the client asks again on a backoff, and each refusal is only logged.
                if self.refused_channels.contains_key(&channel) {
                    return;
                }
                let message = self.config.catalog.fill(
                    crate::i18n::Key::ErrSubscriptionRefused,
                    &[("channel", &channel), ("error", &error)],
                );
                self.refused_channels.insert(channel, message.clone());
                self.fail(super::Target::Agent, message, views);
            }
            Event::SubscriptionRestored { channel } => {
                self.log(
                    Severity::Info,
                    format!("gws-widget: subscription to {channel} granted after a refusal"),
                );
                if let Some(shown) = self.refused_channels.remove(&channel) {
                    super::clear_agent_error(&shown, views);
                }
            }
            Event::Unauthorized { status } => {
                self.log(
                    Severity::Warning,
                    format!("gws-widget: notifications refused (HTTP {status})"),
                );
                if status == 401 {
                    self.on_unauthorized(now, false, views);
                }
            }
            Event::Malformed(error) => self.log(
                Severity::Warning,
                format!("gws-widget: skipped malformed data: {error}"),
            ),
        }
    }

    /// Applies a notification's `data` (from our loop or the leader tab).
    pub(super) fn on_notification(
        &mut self,
        now: u64,
        channel: &str,
        data: &str,
        views: &mut Views<'_>,
    ) {
        match Notification::from_json(data) {
            Ok(Notification::Call(notification)) => {
                let call = &notification.call;
                if call.id.is_empty() || call.state == CallState::default() {
                    // It cannot be shown truthfully (the store ignores it): not the host's either.
                    return self.log(
                        Severity::Warning,
                        format!("gws-widget: skipped a call without id or state on {channel}"),
                    );
                }
                let previous = views
                    .calls
                    .get(&notification.call.id)
                    .map(|entry| entry.call.state.clone());
                let change = views.calls_mut().apply(now, &notification);
                self.log_evicted(views);
                let call = Box::new(notification.call);
                if change == Change::Added {
                    self.call_added(&call, true, views);
                }
                // A screen-reader user hears a call connect and end, as a sighted agent sees the
                // card change: the customer hanging up would otherwise pass in silence.
                match (&previous, &call.state) {
                    (Some(CallState::Dialing | CallState::Ringing), CallState::Established) => {
                        self.say_about(crate::i18n::Key::AnnounceConnected, &call)
                    }
                    (Some(before), CallState::Released) if *before != CallState::Released => {
                        self.say_about(crate::i18n::Key::AnnounceEnded, &call)
                    }
                    _ => {}
                }
                self.host(HostEvent::CallChanged { previous, call });
            }
            Ok(Notification::Device(update)) => {
                self.device_notified_at = Some(now);
                self.set_agent(views, |store| store.apply(&update))
            }
            Ok(Notification::Error(error)) => {
                let text = error.error_message.0.clone().unwrap_or_else(|| {
                    let failed = self.config.catalog.text(crate::i18n::Key::ErrFailed);
                    failed.to_string()
                });
                let catalog = &self.config.catalog;
                let on_call = views.calls_mut().apply_error(&error, catalog);
                if on_call.is_none() {
                    views.agent_mut().apply_error(&error, catalog);
                }
                self.host(HostEvent::Error {
                    message: text.clone(),
                    call_id: on_call,
                });
                self.announce(text);
            }
            Ok(Notification::Other { message_type }) => self.log(
                Severity::Info,
                format!("gws-widget: ignoring {message_type} on {channel}"),
            ),
            Err(error) => self.log(
                Severity::Warning,
                format!("gws-widget: skipped a notification on {channel}: {error}"),
            ),
        }
    }

    pub(super) fn on_calls_snapshot(
        &mut self,
        now: u64,
        asked_at: u64,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        match decode::<CallsResponse>(result) {
            Ok(snapshot) => self.replace_calls(now, asked_at, snapshot.calls, views),
            Err(error) => self.log(
                Severity::Warning,
                format!("gws-widget: cannot read calls: {error}"),
            ),
        }
    }

    /// A device snapshot asked at `asked_at`. Like a call snapshot, it may be older than the
    /// agent's pending operation (the login sent in the same step as the re-read): then it
    /// cannot confirm it, and the control stays pending.
    pub(super) fn on_devices_snapshot(
        &mut self,
        asked_at: u64,
        result: Result<String, ApiError>,
        views: &mut Views<'_>,
    ) {
        match decode::<DevicesResponse>(result) {
            // A device notification arrived since the snapshot was asked for: it is newer (the
            // login confirmed while the re-read was on its way must not be undone by it).
            Ok(_) if self.device_notified_at.is_some_and(|at| at >= asked_at) => self.log(
                Severity::Info,
                "gws-widget: a device snapshot older than a notification was skipped",
            ),
            Ok(snapshot) => {
                let older = asked_at <= self.agent_pending_at;
                let pending = views.agent.pending.clone().filter(|_| older);
                self.set_agent(views, |store: &mut AgentStore| {
                    let changed = store.replace_devices(&snapshot.devices);
                    store.pending = store.pending.take().or(pending);
                    changed
                })
            }
            Err(error) => self.log(
                Severity::Warning,
                format!("gws-widget: cannot read devices: {error}"),
            ),
        }
    }

    /// One Warning line per batch of calls the store dropped over [`MAX_CALLS`] (ids only, and
    /// at most a few of them: a flood must not flood the console too).
    fn log_evicted(&mut self, views: &mut Views<'_>) {
        const SHOWN: usize = 5;
        let evicted = views.calls_mut().take_evicted();
        if evicted.is_empty() {
            return;
        }
        let more = evicted.len().saturating_sub(SHOWN);
        let mut ids = evicted[..evicted.len().min(SHOWN)].join(", ");
        if more > 0 {
            ids.push_str(&format!(" and {more} more"));
        }
        self.log(
            Severity::Warning,
            format!(
                "gws-widget: more than {MAX_CALLS} calls: dropped {} (oldest first): {ids}",
                evicted.len()
            ),
        );
    }

    /// A call the agent had not seen, from a notification or a snapshot: it answers a pending
    /// `Dial` when it can be the dialled call (`answers_dial`), and a ringing one is said
    /// aloud — a call found by the snapshot after an outage rings as much as a notified one.
    fn call_added(&mut self, call: &Call, answers_dial: bool, views: &mut Views<'_>) {
        if answers_dial {
            views.agent_mut().call_appeared();
        }
        if call.state == CallState::Ringing {
            self.say_about(crate::i18n::Key::AnnounceIncoming, call);
        }
    }

    /// Says `key` about `call`, naming its first party.
    fn say_about(&mut self, key: crate::i18n::Key, call: &Call) {
        let party = call.participants.first().map(|p| p.display().to_string());
        let text = self
            .config
            .catalog
            .fill(key, &[("party", &party.unwrap_or_default())]);
        self.announce(text);
    }

    /// Reconciles the call store with a snapshot requested at `asked_at`, telling the host what
    /// changed (calls notified since then are newer than the snapshot and stay).
    fn replace_calls(
        &mut self,
        now: u64,
        asked_at: u64,
        snapshot: Vec<Call>,
        views: &mut Views<'_>,
    ) {
        // The calls as they were, by id. The map holds positions, not calls: the store's
        // reconciling uses the same map type, so the hash table is compiled once.
        let mut before: Vec<Option<Call>> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        if self.config.host_events {
            for entry in views.calls.entries() {
                position.insert(entry.call.id.clone(), before.len());
                before.push(Some(entry.call.clone()));
            }
        }
        let changes = views.calls_mut().reconcile(now, asked_at, snapshot);
        self.log_evicted(views);
        // Asked after the agent's Dial was sent, a snapshot can be the first to show the dialled
        // call (its notification lost in an outage or a re-handshake): it answers the Dial too.
        let answers_dial = asked_at > self.agent_pending_at;
        for (id, change) in &changes {
            if *change == Change::Added
                && let Some(entry) = views.calls.get(id)
            {
                let call = entry.call.clone();
                self.call_added(&call, answers_dial, views);
            }
        }
        if !self.config.host_events {
            return;
        }
        for (id, change) in changes {
            let previous = position
                .remove(&id)
                .and_then(|at| before.get_mut(at).and_then(Option::take));
            if change == Change::Removed {
                if let Some(last) = previous.filter(|call| call.state != CallState::Released) {
                    let previous = Some(last.state.clone());
                    let call = Box::new(Call {
                        state: CallState::Released,
                        capabilities: Vec::new(),
                        ..last
                    });
                    self.host(HostEvent::CallChanged { previous, call });
                }
            } else if let Some(entry) = views.calls.get(&id) {
                self.host(HostEvent::CallChanged {
                    previous: previous.map(|call| call.state),
                    call: Box::new(entry.call.clone()),
                });
            }
        }
    }
}
