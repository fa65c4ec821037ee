//! Shared server state: the engine behind a mutex, the CometD hub, HTTP sessions, faults, and
//! the clock. `execute` is the one way commands reach the engine, so that publishing happens
//! in engine order and timers are scheduled.

use crate::auth::AuthSessions;
use crate::cometd::Hub;
use crate::config::SimConfig;
use crate::engine::{Command, Engine, EngineError, Outcome};
use crate::faults::Faults;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::time::{Duration, Instant};

/// Cheaply clonable handle to everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    config: SimConfig,
    external_url: String,
    engine: Mutex<Engine>,
    /// User name → password, fixed at start. Why outside the engine: every HTTP request
    /// (each long poll included) authenticates, and must not queue behind engine commands.
    credentials: HashMap<String, String>,
    hub: Arc<Hub>,
    auth: Mutex<AuthSessions>,
    faults: Mutex<Faults>,
    epoch: Instant,
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
        let engine = Engine::new(config.engine_config(&external_url));
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
        AppState {
            shared: Arc::new(Shared {
                config,
                external_url,
                engine: Mutex::new(engine),
                credentials,
                hub: Arc::new(hub),
                auth: Mutex::new(AuthSessions::default()),
                faults: Mutex::new(Faults::default()),
                epoch: Instant::now(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// The base of `uri` fields.
    pub fn external_url(&self) -> &str {
        &self.shared.external_url
    }

    /// Milliseconds since start (tokio clock, so paused-time tests control it).
    pub fn now_ms(&self) -> u64 {
        self.shared.epoch.elapsed().as_millis() as u64
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

    /// The user name if `password` is theirs (HTTP Basic), without touching the engine lock.
    pub fn check_password(&self, user: &str, password: &str) -> Option<String> {
        (self.shared.credentials.get(user).map(String::as_str) == Some(password))
            .then(|| user.to_string())
    }

    /// Whether `user` is a configured user (without touching the engine lock).
    pub fn has_user(&self, user: &str) -> bool {
        self.shared.credentials.contains_key(user)
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
        let now = self.now_ms();
        let (outcome, published_at) = {
            let mut engine = lock(&self.shared.engine);
            let outcome = engine.handle(now, command)?;
            let published_at = std::time::Instant::now();
            for n in &outcome.notifications {
                let delivered = self.hub().publish(&n.user, n.channel, &n.data);
                tracing::debug!(user = %n.user, channel = n.channel, delivered, "published");
            }
            (outcome, published_at)
        };
        for timer in &outcome.timers {
            let state = self.clone();
            let event = timer.event.clone();
            let delay = Duration::from_millis(timer.after_ms);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Err(error) = state.execute(Command::Timer(event)) {
                    tracing::warn!(%error, "timer failed");
                }
            });
        }
        for user in &outcome.ended_sessions {
            self.auth().end(user);
            self.hub().drop_user(user);
        }
        Ok((outcome, published_at))
    }
}
