//! One fan-out run: an in-process `gws-sim` on 127.0.0.1 (port 0), N long-polling clients,
//! call traffic driven through the engine, and the latency join.
//!
//! Method (printed with the results):
//! - The simulator runs in this process on its own tokio runtime (`--server-threads`
//!   workers); the clients run on another runtime (`--client-threads`), each a real HTTP/1.1
//!   long-polling Bayeux client on its own TCP connection. Both share the machine's cores,
//!   so the figures include the clients' own cost — a pessimistic set-up.
//! - One user (agent DN) per `--clients-per-user` clients; every client subscribes to
//!   `/v2/me/calls` of its user.
//! - The driver (this thread) walks the agents round-robin; each step is one command through
//!   `AppState::execute_timed`, the same path the control API and REST handlers use: an idle
//!   agent gets a call injected (`Ringing`), a ringing agent answers (`Established`), a talking
//!   agent's caller hangs up (`Released`). So every step publishes one notification to one user,
//!   about two thirds of the agents are on a call at any time, and the engine works on a model
//!   as large as the contact center.
//! - Publish time = the `std::time::Instant` taken after the engine computed the outcome,
//!   right before the hub queues the notifications and wakes the held connects. Receipt time =
//!   the `Instant` taken when the client read the last byte of the HTTP response carrying it
//!   (before JSON parsing). Same process, same monotonic clock: latency = receipt − publish,
//!   joined on (call id, call state), which is unique in this traffic.
//! - Warm-up steps are published but not counted; only notifications published inside the
//!   measurement window count, and after the window the clients get a drain period to receive
//!   what is still in flight. Anything never received is reported as `missing`.
//! - Against Faye ([`ServerKind::Faye`], `--against faye`): the same clients, the same driver
//!   and the same engine produce the same notifications at the same rates, but instead of
//!   serving them the in-process gws-sim only computes them; each call notification is handed
//!   to the Faye server (a Node child process, `bench/faye`) which publishes it on the user's
//!   channel with Faye's server-side client. Publish time = Faye's CLOCK_MONOTONIC stamp just
//!   before that publish ([`crate::faye`]), so both servers are timed from the same point: the
//!   moment the server's own publish starts.

pub use crate::cometd::ServerKind;

use crate::cometd::{self, CallStateKey, ClientReport, ClientSpec, Counters};
use crate::faye::{self, FayeError, FayeServer};
use crate::machine;
use crate::stats::Summary;
use gws_protocol::api::OperationRequest;
use gws_sim::engine::{Command, UserSpec};
use gws_sim::{AppState, SimConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::{Semaphore, watch};

/// How the driver offers load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Load {
    /// Open loop: this many deliveries (client receipts) per second, on a fixed schedule —
    /// `rate / clients per user` published notifications per second. Why deliveries: the
    /// server's work is per delivery (one long-poll reply each), so runs with different
    /// clients per user carry the same load. Latency is measured at a load the server is not
    /// allowed to slow down.
    Rate(f64),
    /// Closed loop: publish as fast as the clients receive, with at most this many
    /// deliveries in flight (throughput).
    Saturate(u64),
}

impl std::fmt::Display for Load {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Load::Rate(rate) => write!(f, "{rate:.0} deliveries/s"),
            Load::Saturate(window) => write!(f, "max ({window} in flight)"),
        }
    }
}

/// One run's parameters.
#[derive(Debug, Clone)]
pub struct FanoutConfig {
    /// The server under load.
    pub server: ServerKind,
    /// Long-polling clients.
    pub clients: usize,
    /// Clients sharing one user (each notification goes to all of them).
    pub clients_per_user: usize,
    /// Offered load.
    pub load: Load,
    /// Published but not counted.
    pub warmup: Duration,
    /// The measurement window.
    pub measure: Duration,
    /// How long in-flight notifications may take to arrive after the window.
    pub drain: Duration,
    /// Simulator runtime workers.
    pub server_threads: usize,
    /// Client runtime workers.
    pub client_threads: usize,
    /// Clients setting up (GET /me, handshake, subscribe) at once.
    pub setup_parallelism: usize,
    /// How long the server holds a `/meta/connect`.
    pub cometd_timeout_ms: u64,
    /// Longest time all clients may take to set up.
    pub setup_timeout: Duration,
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct FanoutResult {
    /// The parameters.
    pub config: FanoutConfig,
    /// Users (agents) in the model.
    pub users: usize,
    /// Seconds the clients took to set up.
    pub setup_secs: f64,
    /// Notifications published in the window.
    pub published: u64,
    /// Deliveries those should produce (notifications × clients of the user).
    pub expected: u64,
    /// Deliveries received.
    pub delivered: u64,
    /// Publish → receipt, microseconds.
    pub latency: Summary,
    /// Command start → publish (engine time under the engine lock), microseconds.
    pub engine: Summary,
    /// How far the open-loop driver fell behind its schedule at worst, milliseconds.
    pub max_behind_ms: f64,
    /// Process CPU time over the window, in percent of one core.
    pub cpu_percent: Option<f64>,
    /// CPU time other processes on the machine used over the window, in percent of one core
    /// (noise: the benchmark shares the cores with whatever else runs).
    pub other_cpu_percent: Option<f64>,
    /// `/meta/connect` replies received by all clients (whole run).
    pub connects: u64,
    /// Re-handshakes (should be 0).
    pub rehandshakes: u64,
    /// Clients that ended with an error (should be 0).
    pub client_errors: usize,
    /// The first client error, for the log.
    pub first_error: Option<String>,
    /// Receipts with no matching publication (should be 0).
    pub unmatched: u64,
    /// (call id, state) keys published more than once (should be 0: the join needs them unique).
    pub ambiguous: u64,
    /// Notifications a client received more than once (should be 0).
    pub duplicates: u64,
}

impl FanoutResult {
    /// Published notifications per second in the window.
    pub fn published_per_s(&self) -> f64 {
        self.published as f64 / self.config.measure.as_secs_f64()
    }

    /// Deliveries per second in the window.
    pub fn delivered_per_s(&self) -> f64 {
        self.delivered as f64 / self.config.measure.as_secs_f64()
    }

    /// Deliveries that never arrived.
    pub fn missing(&self) -> u64 {
        self.expected.saturating_sub(self.delivered)
    }
}

/// Why a run could not complete.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Runtime or socket set-up.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The engine refused a step of the traffic.
    #[error("engine refused a step: {0}")]
    Engine(#[from] gws_sim::engine::EngineError),
    /// Not every client managed to set up.
    #[error("only {ready} of {wanted} clients set up in time; first error: {error}")]
    Setup {
        /// Ready clients.
        ready: u64,
        /// Clients started.
        wanted: usize,
        /// What went wrong.
        error: String,
    },
    /// Inconsistent parameters.
    #[error("{0}")]
    Config(String),
    /// The Faye reference server failed.
    #[error(transparent)]
    Faye(#[from] FayeError),
}

/// The benchmark's users: `bench00000`… on DNs 100000…, one device each.
pub fn bench_users(count: usize) -> Vec<UserSpec> {
    (0..count)
        .map(|i| UserSpec {
            user_name: format!("bench{i:05}"),
            password: format!("pw{i}"),
            id: format!("{i:032x}"),
            first_name: "Bench".into(),
            last_name: format!("Agent {i}"),
            roles: vec!["ROLE_AGENT".into()],
            dn: (100_000 + i).to_string(),
            device_id: format!("00000000-0000-4000-8000-{i:012}"),
            initial_state: None,
            place: None,
        })
        .collect()
}

enum Phase {
    Idle,
    Ringing(String),
    Talking(String),
}

struct Agent {
    user: String,
    dn: String,
    phone: String,
    phase: Phase,
}

struct Publication {
    call_id: String,
    state: CallStateKey,
    at: Instant,
}

struct Driver {
    state: AppState,
    /// Against Faye: the server that publishes what the engine computed.
    faye: Option<FayeServer>,
    agents: Vec<Agent>,
    next: usize,
    answer: OperationRequest,
    clients_per_user: u64,
    publications: Vec<Publication>,
    engine_us: Vec<(Instant, u64)>,
    expected_total: u64,
}

impl Driver {
    /// One command for the next agent in turn.
    fn step(&mut self) -> Result<(), BenchError> {
        let index = self.next;
        self.next = (self.next + 1) % self.agents.len();
        let agent = &mut self.agents[index];
        let command = match &agent.phase {
            Phase::Idle => Command::InjectCall {
                from: agent.phone.clone(),
                to: agent.dn.clone(),
                user_data: None,
            },
            Phase::Ringing(id) => Command::CallOperation {
                user: agent.user.clone(),
                call_id: id.clone(),
                request: self.answer.clone(),
            },
            Phase::Talking(id) => Command::RemoteHangup {
                call_id: id.clone(),
                number: None,
            },
        };
        let started = Instant::now();
        let (outcome, published_at) = self.state.execute_timed(command)?;
        agent.phase = match std::mem::replace(&mut agent.phase, Phase::Idle) {
            Phase::Idle => Phase::Ringing(outcome.call_id.clone().unwrap_or_default()),
            Phase::Ringing(id) => Phase::Talking(id),
            Phase::Talking(_) => Phase::Idle,
        };
        if self.faye.is_none() {
            self.engine_us.push((
                published_at,
                published_at.duration_since(started).as_micros() as u64,
            ));
        }
        for n in &outcome.notifications {
            let call = &n.data["call"];
            if n.channel != gws_protocol::CALLS_CHANNEL {
                continue;
            }
            if let (Some(id), Some(state)) = (call["id"].as_str(), call["state"].as_str()) {
                if let Some(faye) = &mut self.faye {
                    // Timed by Faye (`report`); `published_at` is replaced after the run.
                    faye.publish(&format!("/v2/me/calls/{}", n.user), &n.data)?;
                }
                self.publications.push(Publication {
                    call_id: id.to_string(),
                    state: CallStateKey::parse(state),
                    at: published_at,
                });
                self.expected_total += self.clients_per_user;
            }
        }
        Ok(())
    }
}

fn runtime(threads: usize, name: &str) -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
        .enable_all()
        .build()
}

/// Runs one configuration end to end.
pub fn run(config: &FanoutConfig) -> Result<FanoutResult, BenchError> {
    let per_user = config.clients_per_user.max(1);
    if config.clients == 0 || !config.clients.is_multiple_of(per_user) {
        return Err(BenchError::Config(format!(
            "clients ({}) must be a positive multiple of clients per user ({per_user})",
            config.clients
        )));
    }
    let user_count = config.clients / per_user;
    let users = bench_users(user_count);

    // ---------------------------------------------------------------- the server
    let server_rt = runtime(config.server_threads, "gws-sim")?;
    let listener = server_rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let mut faye_server = match config.server {
        ServerKind::GwsSim => None,
        ServerKind::Faye => Some(FayeServer::start(
            &faye::default_dir(),
            config.cometd_timeout_ms.div_ceil(1000),
        )?),
    };
    let address: SocketAddr = match &faye_server {
        Some(faye) => SocketAddr::from(([127, 0, 0, 1], faye.port)),
        None => listener.local_addr()?,
    };
    let sim_config = SimConfig {
        external_url: Some(format!("http://{address}")),
        cometd_timeout_ms: config.cometd_timeout_ms,
        users: users.clone(),
        // Every bench agent takes calls from the start, without a StartContactCenterSession.
        agents_logged_in: true,
        ..SimConfig::default()
    };
    // Against Faye the engine only computes the notifications; nothing is served.
    let state = {
        let _context = server_rt.enter();
        AppState::new(sim_config)
    };
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let serving = match config.server {
        ServerKind::GwsSim => {
            Some(
                server_rt.spawn(gws_sim::serve(listener, state.clone(), async move {
                    let mut shutdown_rx = shutdown_rx;
                    let _ = shutdown_rx.wait_for(|stop| *stop).await;
                })),
            )
        }
        ServerKind::Faye => {
            drop(listener);
            None
        }
    };

    // ---------------------------------------------------------------- the clients
    let client_rt = runtime(config.client_threads, "fanout-client")?;
    let counters = Arc::new(Counters::default());
    let setup = Arc::new(Semaphore::new(config.setup_parallelism.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let setup_started = Instant::now();
    let handles: Vec<_> = (0..config.clients)
        .map(|i| {
            let user = &users[i / per_user];
            let spec = ClientSpec {
                address,
                server: config.server,
                user: user.user_name.clone(),
                password: user.password.clone(),
            };
            client_rt.spawn(cometd::run(
                spec,
                counters.clone(),
                setup.clone(),
                stop_rx.clone(),
            ))
        })
        .collect();
    let wanted = config.clients as u64;
    while counters.ready.load(Ordering::Relaxed) < wanted {
        let finished = handles.iter().filter(|h| h.is_finished()).count();
        if finished > 0 || setup_started.elapsed() > config.setup_timeout {
            let _ = stop_tx.send(true);
            let reports = collect(&client_rt, handles);
            let error = reports
                .iter()
                .find_map(|r| r.error.clone())
                .unwrap_or_else(|| "timed out".into());
            let _ = shutdown_tx.send(true);
            if let Some(faye) = faye_server.take() {
                faye.stop();
            }
            server_rt.shutdown_timeout(Duration::from_secs(1));
            client_rt.shutdown_timeout(Duration::from_secs(1));
            return Err(BenchError::Setup {
                ready: counters.ready.load(Ordering::Relaxed),
                wanted: config.clients,
                error,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let setup_secs = setup_started.elapsed().as_secs_f64();
    // Let every client's second connect reach the server and be held.
    std::thread::sleep(Duration::from_millis(500));

    // ---------------------------------------------------------------- the traffic
    let answer: OperationRequest =
        serde_json::from_value(serde_json::json!({"operationName": "Answer"}))
            .map_err(|e| BenchError::Config(format!("Answer body: {e}")))?;
    let mut driver = Driver {
        state: state.clone(),
        faye: faye_server.take(),
        agents: users
            .iter()
            .enumerate()
            .map(|(i, u)| Agent {
                user: u.user_name.clone(),
                dn: u.dn.clone(),
                phone: (7_000_000 + i).to_string(),
                phase: Phase::Idle,
            })
            .collect(),
        next: 0,
        answer,
        clients_per_user: per_user as u64,
        publications: Vec::new(),
        engine_us: Vec::new(),
        expected_total: 0,
    };
    let start = Instant::now();
    let window_start = start + config.warmup;
    let end = window_start + config.measure;
    let mut cpu_at_window = None;
    let mut max_behind = Duration::ZERO;
    let mut scheduled: u64 = 0;
    // Timers the engine asks for are spawned on the simulator's runtime.
    let context = server_rt.enter();
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        if cpu_at_window.is_none() && now >= window_start {
            cpu_at_window = Some((
                now,
                our_cpu_seconds(driver.faye.as_ref()),
                machine::machine_busy_seconds(),
            ));
        }
        match config.load {
            Load::Rate(rate) => {
                let published_per_s = rate / per_user as f64;
                let due = start + Duration::from_secs_f64(scheduled as f64 / published_per_s);
                if due > now {
                    std::thread::sleep((due - now).min(end - now));
                    continue;
                }
                if now >= window_start {
                    max_behind = max_behind.max(now - due);
                }
                scheduled += 1;
            }
            Load::Saturate(window) => {
                let received = counters.received.load(Ordering::Relaxed);
                if driver.expected_total.saturating_sub(received) >= window {
                    std::thread::sleep(Duration::from_micros(50));
                    continue;
                }
            }
        }
        driver.step()?;
    }
    drop(context);
    let (cpu_percent, other_cpu_percent) = match (
        cpu_at_window,
        our_cpu_seconds(driver.faye.as_ref()),
        machine::machine_busy_seconds(),
    ) {
        (Some((at, Some(ours_before), Some(all_before))), Some(ours), Some(all)) => {
            let wall = at.elapsed().as_secs_f64();
            let ours = ours - ours_before;
            let others = ((all - all_before) - ours).max(0.0);
            (Some(100.0 * ours / wall), Some(100.0 * others / wall))
        }
        (Some((at, Some(before), _)), Some(after), _) => (
            Some(100.0 * (after - before) / at.elapsed().as_secs_f64()),
            None,
        ),
        _ => (None, None),
    };
    // Drain: wait for what is in flight.
    let drain_end = Instant::now() + config.drain;
    while counters.received.load(Ordering::Relaxed) < driver.expected_total
        && Instant::now() < drain_end
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = stop_tx.send(true);
    let reports = collect(&client_rt, handles);
    let _ = shutdown_tx.send(true);
    if let Some(serving) = serving {
        let _ = server_rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(2), serving).await });
    }
    client_rt.shutdown_timeout(Duration::from_secs(1));
    server_rt.shutdown_timeout(Duration::from_secs(1));
    if let Some(mut faye) = driver.faye.take() {
        // Faye's own publish times replace the driver's.
        let clock = faye::Clock::now();
        let stamps = faye.report();
        faye.stop();
        let stamps = stamps?;
        if stamps.len() != driver.publications.len() {
            return Err(BenchError::Config(format!(
                "Faye stamped {} publishes, the driver sent {}",
                stamps.len(),
                driver.publications.len()
            )));
        }
        for (publication, stamp) in driver.publications.iter_mut().zip(stamps) {
            publication.at = clock
                .instant_of(stamp)
                .ok_or_else(|| BenchError::Config(format!("Faye stamp {stamp} out of range")))?;
        }
    }

    // ---------------------------------------------------------------- the join
    let in_window = |at: Instant| at >= window_start && at < end;
    let mut published_at: HashMap<(&str, CallStateKey), Instant> = HashMap::new();
    let mut published = 0u64;
    let mut ambiguous = 0u64;
    for p in &driver.publications {
        if in_window(p.at) {
            published += 1;
        }
        if published_at
            .insert((p.call_id.as_str(), p.state), p.at)
            .is_some()
        {
            ambiguous += 1;
        }
    }
    let mut latencies = Vec::new();
    let mut unmatched = 0u64;
    let mut duplicates = 0u64;
    for report in &reports {
        let mut seen = std::collections::HashSet::new();
        for receipt in &report.receipts {
            if !seen.insert((receipt.call_id.as_str(), receipt.state)) {
                duplicates += 1;
                continue;
            }
            match published_at.get(&(receipt.call_id.as_str(), receipt.state)) {
                Some(&at) if in_window(at) => {
                    latencies.push(receipt.at.saturating_duration_since(at).as_micros() as u64);
                }
                Some(_) => {}
                None => unmatched += 1,
            }
        }
    }
    let engine: Vec<u64> = driver
        .engine_us
        .iter()
        .filter(|(at, _)| in_window(*at))
        .map(|(_, us)| *us)
        .collect();
    Ok(FanoutResult {
        config: config.clone(),
        users: user_count,
        setup_secs,
        published,
        expected: published * per_user as u64,
        delivered: latencies.len() as u64,
        latency: Summary::of(latencies),
        engine: Summary::of(engine),
        max_behind_ms: max_behind.as_secs_f64() * 1000.0,
        cpu_percent,
        other_cpu_percent,
        connects: reports.iter().map(|r| r.connects).sum(),
        rehandshakes: reports.iter().map(|r| r.rehandshakes).sum(),
        client_errors: reports.iter().filter(|r| r.error.is_some()).count(),
        first_error: reports.iter().find_map(|r| r.error.clone()),
        unmatched,
        ambiguous,
        duplicates,
    })
}

/// CPU seconds of the server side: this process, plus the Faye child when there is one
/// (`None` if either is unreadable).
fn our_cpu_seconds(faye: Option<&FayeServer>) -> Option<f64> {
    let ours = machine::process_cpu_seconds()?;
    match faye {
        Some(faye) => Some(ours + faye.cpu_seconds()?),
        None => Some(ours),
    }
}

/// Waits (bounded) for every client task to finish and returns their reports.
fn collect(
    client_rt: &Runtime,
    handles: Vec<tokio::task::JoinHandle<ClientReport>>,
) -> Vec<ClientReport> {
    client_rt.block_on(async {
        let mut reports = Vec::with_capacity(handles.len());
        for handle in handles {
            match tokio::time::timeout(Duration::from_secs(10), handle).await {
                Ok(Ok(report)) => reports.push(report),
                Ok(Err(join)) => reports.push(ClientReport {
                    error: Some(format!("client task failed: {join}")),
                    ..ClientReport::default()
                }),
                Err(_) => reports.push(ClientReport {
                    error: Some("client did not stop".into()),
                    ..ClientReport::default()
                }),
            }
        }
        reports
    })
}
