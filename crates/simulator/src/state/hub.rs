//! The session registry: one queue per Bayeux client, fan-out per user, held-connect wake-ups,
//! expiry.
//!
//! Why a plain `std::sync::Mutex`: every operation is a few map look-ups, never held across an
//! `.await`; waiting happens on each client's `Notify`, outside the lock.
//!
//! Why queues hold serialized JSON ([`Queued`]): a notification goes to every session of its
//! user (several widgets, tabs); it is serialized once at publish time and the same bytes are
//! shared by every reply that carries it, instead of a deep copy and a serialization per
//! session.

use gws_protocol::Message;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// Why a client id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    /// Not handshaken, expired, disconnected, or handshaken by another user.
    #[error("402::Unknown client")]
    UnknownClient,
}

/// One Bayeux client session.
#[derive(Debug)]
struct Client {
    user: String,
    subscriptions: BTreeSet<String>,
    queue: Vec<Queued>,
    notify: Arc<Notify>,
    /// Incremented by every connect; a held connect with an older number was superseded.
    connect_seq: u64,
    held: bool,
    connected_once: bool,
    last_seen: Instant,
    /// Ended from the server's side ([`Hub::end_user`]): its next connect look says so.
    ended: bool,
}

#[derive(Debug, Default)]
struct Inner {
    clients: BTreeMap<String, Client>,
    /// User → their client ids. Why: a publish reaches one user's clients; scanning every
    /// session under the lock would make each notification cost the number of connected
    /// widgets (thousands in the fan-out benchmark).
    by_user: BTreeMap<String, BTreeSet<String>>,
    next_id: u64,
    /// Bumped on restart so ids never repeat across CometD "restarts".
    generation: u64,
}

/// A published message as queued for delivery: its JSON object (`{"channel":…,"data":…}`),
/// serialized once and shared by every session it reaches.
pub type Queued = Arc<str>;

/// How a connect starts.
#[derive(Debug)]
pub enum ConnectStart {
    /// Reply now with these messages (first connect, or messages already queued).
    Immediate(Vec<Queued>),
    /// The server ended this session ([`Hub::end_user`]): it is gone now.
    Ended,
    /// Hold: wait on `notify`, then poll with `seq`.
    Hold {
        /// This connect's number.
        seq: u64,
        /// Woken on publish, supersede, expiry.
        notify: Arc<Notify>,
    },
}

/// What a held connect finds when it looks again.
#[derive(Debug, PartialEq)]
pub enum ConnectPoll {
    /// Messages to deliver.
    Ready(Vec<Queued>),
    /// Nothing yet.
    Pending,
    /// A newer connect of the same client took over.
    Superseded,
    /// The session is gone (expired, disconnected, restarted).
    Gone,
    /// The server ended this session ([`Hub::end_user`]): it is gone now.
    Ended,
}

/// The CometD session registry.
#[derive(Debug)]
pub struct Hub {
    inner: Mutex<Inner>,
    /// How long a connect is held.
    pub timeout: Duration,
    /// How long a session lives without a connect.
    pub max_interval: Duration,
}

/// Whether a subscription pattern covers a channel (`/a/*` one segment, `/a/**` any depth).
pub fn channel_matches(pattern: &str, channel: &str) -> bool {
    if pattern == channel {
        return true;
    }
    if let Some(prefix) = pattern.strip_suffix("/**") {
        return channel
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1);
    }
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return channel
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|segment| !segment.is_empty() && !segment.contains('/'));
    }
    false
}

impl Hub {
    /// An empty registry.
    pub fn new(timeout: Duration, max_interval: Duration) -> Self {
        Hub {
            inner: Mutex::new(Inner::default()),
            timeout,
            max_interval,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets one client in the user index.
    fn unindex(by_user: &mut BTreeMap<String, BTreeSet<String>>, user: &str, id: &str) {
        if let Some(ids) = by_user.get_mut(user) {
            ids.remove(id);
            if ids.is_empty() {
                by_user.remove(user);
            }
        }
    }

    /// Creates a session for `user`; returns its client id.
    pub fn handshake(&self, user: &str) -> String {
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = format!(
            "{:x}{:06x}{}",
            inner.generation,
            inner.next_id,
            uuid::Uuid::new_v4().simple()
        );
        inner
            .by_user
            .entry(user.to_string())
            .or_default()
            .insert(id.clone());
        inner.clients.insert(
            id.clone(),
            Client {
                user: user.to_string(),
                subscriptions: BTreeSet::new(),
                queue: Vec::new(),
                notify: Arc::new(Notify::new()),
                connect_seq: 0,
                held: false,
                connected_once: false,
                last_seen: Instant::now(),
                ended: false,
            },
        );
        id
    }

    fn client<'a>(inner: &'a mut Inner, id: &str, user: &str) -> Result<&'a mut Client, HubError> {
        inner
            .clients
            .get_mut(id)
            .filter(|c| c.user == user)
            .ok_or(HubError::UnknownClient)
    }

    /// Whether `id` is a live session of `user` (what a meta message is checked for first, as
    /// CometD does: an unknown client is told so before anything about its request).
    pub fn knows(&self, id: &str, user: &str) -> bool {
        let mut inner = self.lock();
        Self::client(&mut inner, id, user).is_ok()
    }

    /// Adds subscriptions.
    pub fn subscribe(&self, id: &str, user: &str, channels: &[&str]) -> Result<(), HubError> {
        let mut inner = self.lock();
        let client = Self::client(&mut inner, id, user)?;
        client.last_seen = Instant::now();
        client
            .subscriptions
            .extend(channels.iter().map(|c| c.to_string()));
        Ok(())
    }

    /// Removes subscriptions.
    pub fn unsubscribe(&self, id: &str, user: &str, channels: &[&str]) -> Result<(), HubError> {
        let mut inner = self.lock();
        let client = Self::client(&mut inner, id, user)?;
        client.last_seen = Instant::now();
        for channel in channels {
            client.subscriptions.remove(*channel);
        }
        Ok(())
    }

    /// Ends a session; a held connect of it is released.
    pub fn disconnect(&self, id: &str, user: &str) -> Result<(), HubError> {
        let mut inner = self.lock();
        Self::client(&mut inner, id, user)?;
        if let Some(client) = Self::forget(&mut inner, id) {
            client.notify.notify_waiters();
        }
        Ok(())
    }

    /// Starts a `/meta/connect`: the first one after the handshake and any with queued messages
    /// answer at once; the others are held. A connect still held for this client is superseded.
    pub fn begin_connect(&self, id: &str, user: &str) -> Result<ConnectStart, HubError> {
        let mut inner = self.lock();
        let client = Self::client(&mut inner, id, user)?;
        if client.ended {
            Self::forget(&mut inner, id);
            return Ok(ConnectStart::Ended);
        }
        client.last_seen = Instant::now();
        client.connect_seq += 1;
        if client.held {
            client.notify.notify_waiters();
        }
        if !client.connected_once || !client.queue.is_empty() {
            client.connected_once = true;
            client.held = false;
            return Ok(ConnectStart::Immediate(std::mem::take(&mut client.queue)));
        }
        client.held = true;
        Ok(ConnectStart::Hold {
            seq: client.connect_seq,
            notify: client.notify.clone(),
        })
    }

    /// Looks at a held connect again. `finish` ends the hold (timeout): it then returns
    /// `Ready` even with no messages.
    pub fn poll_connect(&self, id: &str, seq: u64, finish: bool) -> ConnectPoll {
        let mut inner = self.lock();
        let Some(client) = inner.clients.get_mut(id) else {
            return ConnectPoll::Gone;
        };
        if client.connect_seq != seq {
            return ConnectPoll::Superseded;
        }
        if client.ended {
            Self::forget(&mut inner, id);
            return ConnectPoll::Ended;
        }
        if client.queue.is_empty() && !finish {
            return ConnectPoll::Pending;
        }
        client.held = false;
        client.last_seen = Instant::now();
        ConnectPoll::Ready(std::mem::take(&mut client.queue))
    }

    /// A held connect went away without a reply (the HTTP request was dropped): the session
    /// starts its `maxInterval` countdown.
    pub fn abandon_connect(&self, id: &str, seq: u64) {
        let mut inner = self.lock();
        if let Some(client) = inner.clients.get_mut(id)
            && client.connect_seq == seq
            && client.held
        {
            client.held = false;
            client.last_seen = Instant::now();
        }
    }

    /// Queues `data` on `channel` for every client of `user` subscribed to it, and wakes their
    /// held connects. Returns how many clients got it.
    pub fn publish(&self, user: &str, channel: &str, data: &Value) -> usize {
        self.publish_copies(user, channel, data, 1)
    }

    /// [`Hub::publish`] `copies` times in one step: the copies are queued back to back under
    /// one lock, so a connect woken by the first sees them all (a flood for load tests).
    pub fn publish_copies(&self, user: &str, channel: &str, data: &Value, copies: usize) -> usize {
        Self::queue_copies(&mut self.lock(), user, channel, data, copies)
    }

    /// [`Hub::publish`] for each `(user, channel, data)` in order, all under one lock, so a
    /// held connect woken by the first finds the whole batch queued (`/sim/burst`: a backlog
    /// that arrives in one or few connect replies). Returns how many deliveries were queued.
    pub fn publish_batch<'a>(
        &self,
        batch: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>,
    ) -> usize {
        let mut inner = self.lock();
        batch
            .into_iter()
            .map(|(user, channel, data)| Self::queue_copies(&mut inner, user, channel, data, 1))
            .sum()
    }

    /// Queues `copies` of one message for every client of `user` subscribed to `channel`.
    fn queue_copies(
        inner: &mut Inner,
        user: &str,
        channel: &str,
        data: &Value,
        copies: usize,
    ) -> usize {
        let Inner {
            clients, by_user, ..
        } = inner;
        let Some(ids) = by_user.get(user) else {
            return 0;
        };
        let mut delivered = 0;
        let mut serialized: Option<Queued> = None;
        for id in ids {
            let Some(client) = clients.get_mut(id) else {
                continue;
            };
            if client
                .subscriptions
                .iter()
                .any(|s| channel_matches(s, channel))
            {
                let queued = match &serialized {
                    Some(queued) => queued.clone(),
                    None => {
                        let message = Message {
                            channel: channel.to_string(),
                            data: Some(data.clone()),
                            ..Message::default()
                        };
                        match serde_json::to_string(&message) {
                            Ok(json) => serialized.insert(Queued::from(json)).clone(),
                            Err(error) => {
                                tracing::error!(%error, %channel, "message not serializable");
                                return 0;
                            }
                        }
                    }
                };
                client
                    .queue
                    .extend(std::iter::repeat_n(queued, copies.max(1)));
                client.notify.notify_waiters();
                delivered += 1;
            }
        }
        delivered
    }

    /// Removes sessions with no connect held and none seen for `max_interval`.
    pub fn sweep(&self) -> usize {
        let now = Instant::now();
        let max = self.max_interval;
        let mut inner = self.lock();
        let Inner {
            clients, by_user, ..
        } = &mut *inner;
        let mut expired = 0;
        clients.retain(|id, c| {
            let keep = c.held || now.duration_since(c.last_seen) <= max;
            if !keep {
                Self::unindex(by_user, &c.user, id);
                expired += 1;
            }
            keep
        });
        expired
    }

    /// Drops every session (fault injection, "restart"); held connects answer `402`.
    pub fn drop_all(&self) -> usize {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.by_user.clear();
        let clients = std::mem::take(&mut inner.clients);
        for client in clients.values() {
            client.notify.notify_waiters();
        }
        clients.len()
    }

    /// Drops every session of one user (their contact-center session ended).
    pub fn drop_user(&self, user: &str) {
        let mut inner = self.lock();
        inner.by_user.remove(user);
        inner.clients.retain(|_, c| {
            let keep = c.user != user;
            if !keep {
                c.notify.notify_waiters();
            }
            keep
        });
    }

    /// Ends every session of `user` from the server's side (an administrator's disconnect, a
    /// node leaving the cluster): each one's held connect — or its next connect — is answered
    /// with `reconnect: none`, and the session is gone after that. Returns how many sessions.
    pub fn end_user(&self, user: &str) -> usize {
        let mut inner = self.lock();
        let Inner {
            clients, by_user, ..
        } = &mut *inner;
        let Some(ids) = by_user.get(user) else {
            return 0;
        };
        for id in ids {
            if let Some(client) = clients.get_mut(id) {
                client.ended = true;
                client.notify.notify_waiters();
            }
        }
        ids.len()
    }

    /// Removes one session from the registry and the user index; returns it.
    fn forget(inner: &mut Inner, id: &str) -> Option<Client> {
        let client = inner.clients.remove(id)?;
        Self::unindex(&mut inner.by_user, &client.user, id);
        Some(client)
    }

    /// Number of live sessions.
    pub fn len(&self) -> usize {
        self.lock().clients.len()
    }

    /// Whether there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sessions for `/sim/state`.
    pub fn snapshot(&self) -> Value {
        let inner = self.lock();
        let now = Instant::now();
        Value::Array(
            inner
                .clients
                .iter()
                .map(|(id, c)| {
                    json!({
                        "clientId": id,
                        "user": c.user,
                        "subscriptions": c.subscriptions,
                        "queued": c.queue.len(),
                        "connectHeld": c.held,
                        "idleMs": now.duration_since(c.last_seen).as_millis() as u64,
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> Hub {
        Hub::new(Duration::from_millis(30_000), Duration::from_millis(10_000))
    }

    #[test]
    fn wildcards_match_one_or_many_segments() {
        assert!(channel_matches("/v2/me/calls", "/v2/me/calls"));
        assert!(channel_matches("/v2/me/*", "/v2/me/calls"));
        assert!(!channel_matches("/v2/me/*", "/v2/me/calls/x"));
        assert!(channel_matches("/v2/me/**", "/v2/me/calls/x"));
        assert!(!channel_matches("/v2/me/*", "/v2/me"));
        assert!(!channel_matches("/v2/me/calls", "/v2/me/devices"));
    }

    #[tokio::test]
    async fn first_connect_answers_at_once_and_later_ones_are_held() {
        let hub = hub();
        let id = hub.handshake("agent1");
        assert!(
            matches!(hub.begin_connect(&id, "agent1"), Ok(ConnectStart::Immediate(m)) if m.is_empty())
        );
        assert!(matches!(
            hub.begin_connect(&id, "agent1"),
            Ok(ConnectStart::Hold { .. })
        ));
    }

    #[tokio::test]
    async fn a_client_id_presented_by_another_user_is_unknown() {
        let hub = hub();
        let id = hub.handshake("agent1");
        assert_eq!(
            hub.subscribe(&id, "agent2", &["/v2/me/calls"]),
            Err(HubError::UnknownClient)
        );
        assert!(hub.begin_connect(&id, "agent2").is_err());
    }

    #[tokio::test]
    async fn publish_reaches_only_subscribed_clients_of_that_user() {
        let hub = hub();
        let mine = hub.handshake("agent1");
        let unsubscribed = hub.handshake("agent1");
        let theirs = hub.handshake("agent2");
        hub.subscribe(&mine, "agent1", &["/v2/me/*"])
            .expect("subscribed");
        hub.subscribe(&theirs, "agent2", &["/v2/me/calls"])
            .expect("subscribed");
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({"n": 1})), 1);
        let _ = unsubscribed;
        match hub.begin_connect(&mine, "agent1") {
            Ok(ConnectStart::Immediate(messages)) => assert_eq!(messages.len(), 1),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn publish_reaches_only_live_sessions_after_disconnects_expiry_and_drops() {
        let hub = hub();
        let gone = hub.handshake("agent1");
        let expired = hub.handshake("agent1");
        let live = hub.handshake("agent1");
        let other = hub.handshake("agent2");
        for id in [&gone, &expired, &live] {
            hub.subscribe(id, "agent1", &["/v2/me/calls"])
                .expect("subscribed");
        }
        hub.subscribe(&other, "agent2", &["/v2/me/calls"])
            .expect("subscribed");
        hub.disconnect(&gone, "agent1").expect("disconnected");
        tokio::time::advance(Duration::from_millis(6_000)).await;
        let _ = hub.begin_connect(&live, "agent1");
        let _ = hub.begin_connect(&live, "agent1");
        tokio::time::advance(Duration::from_millis(5_000)).await;
        assert_eq!(hub.sweep(), 2, "`expired` and agent2's idle session");
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({})), 1);
        assert_eq!(hub.publish("agent2", "/v2/me/calls", &json!({})), 0);
        hub.drop_user("agent1");
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({})), 0);
        let again = hub.handshake("agent1");
        hub.subscribe(&again, "agent1", &["/v2/me/*"])
            .expect("subscribed");
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({})), 1);
        hub.drop_all();
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({})), 0);
    }

    #[tokio::test]
    async fn a_notification_is_serialized_once_and_shared_by_every_session_of_the_user() {
        let hub = hub();
        let ids: Vec<String> = (0..3).map(|_| hub.handshake("agent1")).collect();
        for id in &ids {
            hub.subscribe(id, "agent1", &["/v2/me/calls"])
                .expect("subscribed");
        }
        assert_eq!(hub.publish("agent1", "/v2/me/calls", &json!({"n": 1})), 3);
        let queued: Vec<Queued> = ids
            .iter()
            .map(|id| match hub.begin_connect(id, "agent1") {
                Ok(ConnectStart::Immediate(mut messages)) => messages.remove(0),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(&*queued[0], r#"{"channel":"/v2/me/calls","data":{"n":1}}"#);
        assert!(Arc::ptr_eq(&queued[0], &queued[1]) && Arc::ptr_eq(&queued[1], &queued[2]));
    }

    #[tokio::test]
    async fn a_second_connect_supersedes_the_held_one() {
        let hub = hub();
        let id = hub.handshake("agent1");
        let _ = hub.begin_connect(&id, "agent1");
        let Ok(ConnectStart::Hold { seq, .. }) = hub.begin_connect(&id, "agent1") else {
            panic!("held")
        };
        let _ = hub.begin_connect(&id, "agent1");
        assert_eq!(hub.poll_connect(&id, seq, false), ConnectPoll::Superseded);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_sessions_expire_after_max_interval_but_held_ones_do_not() {
        let hub = hub();
        let idle = hub.handshake("agent1");
        let held = hub.handshake("agent1");
        let _ = hub.begin_connect(&held, "agent1");
        let _ = hub.begin_connect(&held, "agent1");
        tokio::time::advance(Duration::from_millis(10_001)).await;
        assert_eq!(hub.sweep(), 1);
        assert!(hub.subscribe(&idle, "agent1", &[]).is_err());
        assert!(hub.subscribe(&held, "agent1", &[]).is_ok());
    }
}
