//! Shared server state: the engine behind a mutex, the CometD hub, HTTP sessions, faults, and
//! the clock. `execute` (and `execute_burst`, many lifecycles in one step for `/sim/burst`) is
//! the one way commands reach the engine, so that publishing happens in engine order, timers
//! are scheduled and, with `--state-file`, the state is saved.
//!
//! Data only, no middleware: the types the state holds live here ([`hub`], [`sessions`],
//! [`faults`]), and the code that works on requests — the authentication and fault-injection
//! middleware ([`crate::auth`], [`crate::faults`]) and the CometD meta channels
//! ([`crate::cometd`]) — depends on this module, never the other way round. Why: when the data
//! shared the middleware's files, `state` and those modules depended on each other, and none
//! could be read or changed alone.

pub mod access;
pub mod faults;
pub mod hub;
pub mod sessions;

use crate::config::SimConfig;
use crate::engine::{Command, Engine, EngineError, Outcome, Timer, TimerEvent};
use crate::state_file::{self, PendingTimer, SavedState};
use access::{AccessPolicy, constant_time_eq};
use faults::Faults;
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use hub::Hub;
use sessions::AuthSessions;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use tokio::time::{Duration, Instant};

/// Cheaply clonable handle to everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    config: SimConfig,
    external_url: String,
    /// Allowed origins and hosts, from the configuration.
    access: AccessPolicy,
    engine: Mutex<Engine>,
    /// User name → password (the configured ones until `/sim/users/{name}/password`). Why
    /// outside the engine: every HTTP request (each long poll included) authenticates, and must
    /// not queue behind engine commands; a read lock is shared by every request.
    credentials: RwLock<HashMap<String, String>>,
    hub: Arc<Hub>,
    auth: Mutex<AuthSessions>,
    faults: Mutex<Faults>,
    epoch: Instant,
    /// Added to `epoch.elapsed()`: a restored state's clock goes on from where it was.
    clock_offset_ms: u64,
    /// Timers scheduled and not fired yet, by id. Kept (under the engine lock) so that the
    /// state file can store them; also what a restored state re-arms.
    timers: Mutex<Timers>,
    /// `--state-file`.
    persist: Option<Persist>,
}

#[derive(Debug, Default)]
struct Timers {
    pending: BTreeMap<u64, PendingTimer>,
    next_id: u64,
    /// Restored from the state file, armed when serving starts.
    restored: Vec<u64>,
}

/// The state file and the order of writes: snapshots are numbered under the engine lock and
/// handed to the writer thread ([`writer`]), which writes the newest it has (a snapshot older
/// than the last one written is skipped, so the file always ends with the newest state) and
/// then reports its number in `flushed`, which responses wait for.
struct Persist {
    path: PathBuf,
    next_seq: AtomicU64,
    /// To the writer thread; it ends when this is dropped (with the last `AppState`).
    queue: std::sync::mpsc::Sender<Snapshot>,
    /// The number of the newest snapshot handled (written, or failed and logged).
    flushed: Arc<tokio::sync::watch::Sender<u64>>,
}

/// A consistent copy of what the state file stores, taken under the engine lock (cheap: the
/// engine's maps are shared until serialized).
struct Snapshot {
    seq: u64,
    engine: Engine,
    timers: Vec<PendingTimer>,
    clock_ms: u64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The engine works on a copy and only commits on success, so the data behind a poisoned
    // lock is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// State for `config`; `uri` fields use `config.external_url` or `http://127.0.0.1:8080`.
    pub fn new(config: SimConfig) -> Self {
        let external_url = config
            .external_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_string();
        let engine_config = config.engine_config(&external_url);
        let mut engine = Engine::new(engine_config.clone());
        let mut clock_offset_ms = 0;
        let mut timers = Timers::default();
        if let Some(path) = &config.state_file {
            match state_file::load(path) {
                Ok(None) => {
                    tracing::info!(path = %path.display(), "no state file yet: starting empty")
                }
                Ok(Some(saved)) => match Engine::restore(engine_config, saved.model) {
                    Ok(restored) => {
                        engine = restored;
                        let downtime = state_file::unix_ms().saturating_sub(saved.saved_at_unix_ms);
                        clock_offset_ms = saved.clock_ms.saturating_add(downtime);
                        for timer in saved.timers {
                            let id = timers.next_id;
                            timers.next_id += 1;
                            timers.pending.insert(id, timer);
                            timers.restored.push(id);
                        }
                        tracing::info!(
                            path = %path.display(),
                            calls = engine.call_count(),
                            timers = timers.restored.len(),
                            downtime_ms = downtime,
                            "state restored"
                        );
                    }
                    Err(error) => {
                        let moved = state_file::reject(path);
                        tracing::warn!(path = %path.display(), moved_to = %moved.display(), %error, "state file not usable: starting empty");
                    }
                },
                Err(error) => {
                    let moved = state_file::reject(path);
                    tracing::warn!(moved_to = %moved.display(), %error, "state file not usable: starting empty");
                }
            }
        }
        let persist = config.state_file.clone().map(|path| {
            let (queue, snapshots) = std::sync::mpsc::channel();
            let flushed = Arc::new(tokio::sync::watch::Sender::new(0));
            writer(path.clone(), snapshots, flushed.clone());
            Persist {
                path,
                next_seq: AtomicU64::new(1),
                queue,
                flushed,
            }
        });
        let hub = Hub::new(
            Duration::from_millis(config.cometd_timeout_ms),
            Duration::from_millis(config.max_interval_ms),
        );
        let mut credentials = HashMap::new();
        for user in &config.users {
            credentials
                .entry(user.user_name.clone())
                .or_insert_with(|| user.password.clone());
        }
        let state = AppState {
            shared: Arc::new(Shared {
                access: AccessPolicy::new(&config, &external_url),
                config,
                external_url,
                engine: Mutex::new(engine),
                credentials: RwLock::new(credentials),
                hub: Arc::new(hub),
                auth: Mutex::new(AuthSessions::default()),
                faults: Mutex::new(Faults::default()),
                epoch: Instant::now(),
                clock_offset_ms,
                timers: Mutex::new(timers),
                persist,
            }),
        };
        // Written at once: the file reflects this start (fresh or restored), and a path that
        // cannot be written shows up in the log now rather than at the first call.
        // (On this thread: the server is not serving yet.)
        let snapshot = state.snapshot(&lock(&state.shared.engine));
        if let (Some(snapshot), Some(persist)) = (snapshot, &state.shared.persist) {
            let seq = snapshot.seq;
            write_snapshot(&persist.path, snapshot);
            persist.flushed.send_replace(seq);
        }
        state
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// Allowed origins and hosts.
    pub fn access(&self) -> &AccessPolicy {
        &self.shared.access
    }

    /// The base of `uri` fields.
    pub fn external_url(&self) -> &str {
        &self.shared.external_url
    }

    /// The simulator's clock in milliseconds: since start (tokio clock, so paused-time tests
    /// control it), or, after a restore, going on from the stored reading.
    pub fn now_ms(&self) -> u64 {
        self.shared.clock_offset_ms + self.shared.epoch.elapsed().as_millis() as u64
    }

    /// The `--state-file` path, if any.
    pub fn state_file(&self) -> Option<&std::path::Path> {
        self.shared.persist.as_ref().map(|p| p.path.as_path())
    }

    /// Timers scheduled and not fired yet.
    pub fn pending_timers(&self) -> Vec<PendingTimer> {
        lock(&self.shared.timers)
            .pending
            .values()
            .cloned()
            .collect()
    }

    /// The CometD hub.
    pub fn hub(&self) -> &Hub {
        &self.shared.hub
    }

    /// The CometD hub, shared.
    pub fn hub_arc(&self) -> Arc<Hub> {
        self.shared.hub.clone()
    }

    /// HTTP sessions and CSRF tokens.
    pub fn auth(&self) -> MutexGuard<'_, AuthSessions> {
        lock(&self.shared.auth)
    }

    /// Pending injected faults.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.shared.faults)
    }

    fn credentials(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, String>> {
        // Writes replace one value at a time: a poisoned map is still consistent.
        self.shared
            .credentials
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The user name if `password` is theirs (HTTP Basic), without touching the engine lock.
    /// Compared in constant time; an unknown user's attempt is compared too, with a password
    /// no one has (`None` can never match).
    pub fn check_password(&self, user: &str, password: &str) -> Option<String> {
        let credentials = self.credentials();
        let (expected, known) = match credentials.get(user) {
            Some(expected) => (expected.as_bytes(), true),
            None => (password.as_bytes(), false),
        };
        (constant_time_eq(expected, password.as_bytes()) && known).then(|| user.to_string())
    }

    /// Whether `user` is a configured user (without touching the engine lock).
    pub fn has_user(&self, user: &str) -> bool {
        self.credentials().contains_key(user)
    }

    /// Changes a user's password and ends their HTTP session (cookie, CSRF token) and CometD
    /// sessions, as a password change on a real server invalidates the logins made with the
    /// old one. `false` (nothing changed) for an unknown user.
    pub fn set_password(&self, user: &str, password: &str) -> bool {
        {
            let mut credentials = self
                .shared
                .credentials
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            match credentials.get_mut(user) {
                Some(current) => *current = password.to_string(),
                None => return false,
            }
        }
        self.end_sessions(user);
        true
    }

    /// Ends `user`'s CometD sessions from the server's side ([`Hub::end_user`]); `None` for an
    /// unknown user, else how many sessions.
    pub fn end_notification_sessions(&self, user: &str) -> Option<usize> {
        let known = self
            .shared
            .credentials
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(user);
        known.then(|| self.hub().end_user(user))
    }

    /// Puts every configured password back (`/sim/reset`); sessions are kept.
    pub fn restore_passwords(&self) {
        let mut credentials = self
            .shared
            .credentials
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for user in self.shared.config.users.iter().rev() {
            credentials.insert(user.user_name.clone(), user.password.clone());
        }
    }

    /// Ends a user's HTTP session (the cookie and CSRF token stop working) and every CometD
    /// session of theirs (the next `/meta/connect` gets `402::Unknown client`).
    pub fn end_sessions(&self, user: &str) {
        self.auth().end(user);
        self.hub().drop_user(user);
    }

    /// Reads the engine.
    pub fn read<R>(&self, f: impl FnOnce(&Engine, u64) -> R) -> R {
        let now = self.now_ms();
        f(&lock(&self.shared.engine), now)
    }

    /// Runs a command: publishes its notifications (under the engine lock, so in engine
    /// order), schedules its timers and ends the sessions it ended.
    pub fn execute(&self, command: Command) -> Result<Outcome, EngineError> {
        self.execute_timed(command).map(|(outcome, _)| outcome)
    }

    /// [`execute`](Self::execute), also returning the moment publishing began (after the engine
    /// computed the outcome, before the first notification reached the hub). Why: the fan-out
    /// benchmark measures latency from publish to receipt on the same monotonic clock
    /// (`std::time::Instant`, real time even in paused-clock tests), excluding engine time.
    pub fn execute_timed(
        &self,
        command: Command,
    ) -> Result<(Outcome, std::time::Instant), EngineError> {
        self.run_command(command, None)
    }

    /// Runs a command; `fired` is the id of the timer that produced it (forgotten in the same
    /// step, so a saved state never holds both a timer and its effect, nor neither).
    fn run_command(
        &self,
        command: Command,
        fired: Option<u64>,
    ) -> Result<(Outcome, std::time::Instant), EngineError> {
        let now = self.now_ms();
        let (outcome, published_at, scheduled, snapshot) = {
            let mut engine = lock(&self.shared.engine);
            if let Some(id) = fired {
                lock(&self.shared.timers).pending.remove(&id);
            }
            let result = engine.handle(now, command);
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(error) => {
                    // A timer's command that fails still consumed the timer.
                    let snapshot = fired.and_then(|_| self.snapshot(&engine));
                    drop(engine);
                    if let Some(snapshot) = snapshot {
                        self.save(snapshot);
                    }
                    return Err(error);
                }
            };
            let published_at = std::time::Instant::now();
            for n in &outcome.notifications {
                let delivered = self.hub().publish(&n.user, n.channel, &n.data);
                tracing::debug!(user = %n.user, channel = n.channel, delivered, "published");
            }
            let scheduled = self.schedule(now, &outcome.timers);
            let snapshot = self.snapshot(&engine);
            (outcome, published_at, scheduled, snapshot)
        };
        for (id, due_ms, event) in scheduled {
            self.arm(id, due_ms, event);
        }
        for user in &outcome.ended_sessions {
            self.end_sessions(user);
        }
        if let Some(snapshot) = snapshot {
            self.save(snapshot);
        }
        Ok((outcome, published_at))
    }

    /// Records `timers` as pending (call with the engine lock held, like the command that asked
    /// for them) and returns what to [`arm`](Self::arm) once the lock is released.
    fn schedule(&self, now: u64, asked: &[Timer]) -> Vec<(u64, u64, TimerEvent)> {
        let mut timers = lock(&self.shared.timers);
        asked
            .iter()
            .map(|timer| {
                let id = timers.next_id;
                timers.next_id += 1;
                let due_ms = now.saturating_add(timer.after_ms);
                timers.pending.insert(
                    id,
                    PendingTimer {
                        due_ms,
                        event: timer.event.clone(),
                    },
                );
                (id, due_ms, timer.event.clone())
            })
            .collect()
    }

    /// `/sim/burst`: `count` whole lifecycles on `user`'s device — the simulated phone `from`
    /// rings it, the agent answers, the agent hangs up — computed in one step and published
    /// under one hub lock, so they reach the user's CometD sessions as a backlog (one or a few
    /// connect replies carrying thousands of messages), the way a server does after a stall.
    /// Returns how many deliveries were queued.
    ///
    /// All or nothing: the lifecycles run on a copy of the engine, committed only if every
    /// one succeeded, so a refused burst (unknown user, busy device, bad `from`) changes
    /// nothing and publishes nothing.
    pub fn execute_burst(
        &self,
        user: &str,
        from: &str,
        count: usize,
    ) -> Result<usize, EngineError> {
        let now = self.now_ms();
        let (delivered, scheduled, snapshot) = {
            let mut engine = lock(&self.shared.engine);
            let dn = engine
                .config()
                .users
                .iter()
                .find(|spec| spec.user_name == user)
                .map(|spec| spec.dn.clone())
                .ok_or_else(|| EngineError::NotFound(format!("User {user} not found")))?;
            let mut next = engine.clone();
            let mut notifications = Vec::new();
            let mut timers = Vec::new();
            for _ in 0..count {
                let rung = next.handle(
                    now,
                    Command::InjectCall {
                        from: from.to_string(),
                        to: dn.clone(),
                        user_data: None,
                    },
                )?;
                let call_id = rung.call_id.clone().ok_or_else(|| {
                    EngineError::Invalid(format!("DN {dn} did not ring (forwarded?)"))
                })?;
                let mut outcomes = vec![rung];
                for operation in [Operation::Answer, Operation::Hangup] {
                    outcomes.push(next.handle(
                        now,
                        Command::CallOperation {
                            user: user.to_string(),
                            call_id: call_id.clone(),
                            request: OperationRequest::new(operation),
                        },
                    )?);
                }
                for outcome in outcomes {
                    notifications.extend(outcome.notifications);
                    timers.extend(outcome.timers);
                }
            }
            *engine = next;
            let delivered = self.hub().publish_batch(
                notifications
                    .iter()
                    .map(|n| (n.user.as_str(), n.channel, &n.data)),
            );
            let scheduled = self.schedule(now, &timers);
            (delivered, scheduled, self.snapshot(&engine))
        };
        for (id, due_ms, event) in scheduled {
            self.arm(id, due_ms, event);
        }
        if let Some(snapshot) = snapshot {
            self.save(snapshot);
        }
        Ok(delivered)
    }

    /// Fires timer `id` at `due_ms` on the simulator's clock (at once if that has passed).
    fn arm(&self, id: u64, due_ms: u64, event: TimerEvent) {
        let state = self.clone();
        tokio::spawn(async move {
            let delay = due_ms.saturating_sub(state.now_ms());
            tokio::time::sleep(Duration::from_millis(delay)).await;
            if let Err(error) = state.run_command(Command::Timer(event), Some(id)) {
                tracing::warn!(%error, "timer failed");
            }
        });
    }

    /// Arms the timers restored from the state file (once; `serve` calls it).
    pub fn arm_restored_timers(&self) {
        let restored: Vec<(u64, PendingTimer)> = {
            let mut timers = lock(&self.shared.timers);
            let ids = std::mem::take(&mut timers.restored);
            ids.into_iter()
                .filter_map(|id| timers.pending.get(&id).map(|t| (id, t.clone())))
                .collect()
        };
        for (id, timer) in restored {
            self.arm(id, timer.due_ms, timer.event);
        }
    }

    /// What the state file would store now; `None` without `--state-file`. Called with the
    /// engine lock held, so that the numbering follows the order of commands.
    fn snapshot(&self, engine: &Engine) -> Option<Snapshot> {
        let persist = self.shared.persist.as_ref()?;
        Some(Snapshot {
            seq: persist.next_seq.fetch_add(1, Ordering::Relaxed),
            engine: engine.clone(),
            timers: lock(&self.shared.timers)
                .pending
                .values()
                .cloned()
                .collect(),
            clock_ms: self.now_ms(),
        })
    }

    /// Hands a snapshot to the writer thread. A failed write is logged and the command
    /// stands: the simulator keeps serving from memory.
    fn save(&self, snapshot: Snapshot) {
        let Some(persist) = &self.shared.persist else {
            return;
        };
        if persist.queue.send(snapshot).is_err() {
            tracing::warn!(path = %persist.path.display(), "state file writer gone: not written");
        }
    }

    /// The number of the newest state-file snapshot taken so far (0: none, or no
    /// `--state-file`). With [`state_file_written`](Self::state_file_written), lets a response
    /// wait until what its request changed is on disk.
    pub fn state_file_seq(&self) -> u64 {
        self.shared
            .persist
            .as_ref()
            .map_or(0, |p| p.next_seq.load(Ordering::Relaxed).saturating_sub(1))
    }

    /// Resolves once snapshot `seq` (or a newer one) has been written (or its write failed
    /// and was logged); at once without `--state-file`.
    pub async fn state_file_written(&self, seq: u64) {
        if let Some(persist) = &self.shared.persist {
            let mut flushed = persist.flushed.subscribe();
            let _ = flushed.wait_for(|done| *done >= seq).await;
        }
    }
}

/// Starts the state-file writer thread: it takes snapshots off `snapshots` (the newest of
/// those queued; older ones are skipped), serializes and writes each, and reports its number
/// in `flushed`. Why a thread of its own: serializing the whole model and the file I/O block,
/// and must not hold up the async runtime's threads (long polls, other requests).
fn writer(
    path: PathBuf,
    snapshots: std::sync::mpsc::Receiver<Snapshot>,
    flushed: Arc<tokio::sync::watch::Sender<u64>>,
) {
    let spawned = std::thread::Builder::new()
        .name("gws-sim-state-file".into())
        .spawn(move || {
            let mut written = 0;
            while let Ok(mut snapshot) = snapshots.recv() {
                while let Ok(newer) = snapshots.try_recv() {
                    if newer.seq > snapshot.seq {
                        snapshot = newer;
                    }
                }
                let seq = snapshot.seq;
                if seq > written {
                    write_snapshot(&path, snapshot);
                    written = seq;
                }
                flushed.send_modify(|done| *done = (*done).max(seq));
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "state file writer thread not started: the state will not be saved");
    }
}

/// Serializes and writes one snapshot (blocking); a failure is logged.
fn write_snapshot(path: &std::path::Path, snapshot: Snapshot) {
    let saved = SavedState {
        format: state_file::FORMAT,
        saved_at_unix_ms: state_file::unix_ms(),
        clock_ms: snapshot.clock_ms,
        timers: snapshot.timers,
        model: snapshot.engine.persisted(),
    };
    if let Err(error) = state_file::write(path, &saved) {
        tracing::warn!(path = %path.display(), %error, "state file not written");
    }
}
