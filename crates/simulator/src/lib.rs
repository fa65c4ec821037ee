//! `gws-sim`: a faithful Genesys Web Services API v2 voice simulator — REST, a CometD
//! (Bayeux long-polling) server, a multi-party call model, a control API and static serving of
//! the built widget.
//!
//! mini-redis shape: [`app`] builds the router (tested with `tower::ServiceExt::oneshot`),
//! [`run`] serves it on a listener until a shutdown future resolves; `main.rs` only parses
//! flags, sets up tracing and binds.
//!
//! Layout:
//! - [`engine`]: the pure call model (`Engine::handle(now, command) -> Outcome`), split by
//!   concern (API types, config, model, rendering, capability refresh, queries, parameters)
//!   with one file per operation family; see its module docs.
//! - [`cometd`]: the Bayeux server, one file per meta channel (the session hub lives in
//!   [`state`]).
//! - [`http`]: REST handlers under `/api/v2`.
//! - [`control`]: the `/sim` control API.
//! - [`auth`], [`cors`]: Basic auth, `JSESSIONID`, CSRF; CORS for cross-origin test pages.
//! - [`guard`]: who may call at all — the `Host` check, the origin allow-list, JSON-only
//!   `/sim` writes, constant-time comparison of secrets.
//! - [`faults`]: fault injection for reliability tests (the middleware).
//! - [`autopilot`]: demo traffic.
//! - [`config`], [`web`]: flags and config file, static files.
//! - [`state`]: the shared state and the data it holds (engine, CometD hub, HTTP sessions,
//!   pending faults); the middleware and handlers above depend on it, it depends on none of
//!   them.
//! - [`state_file`]: `--state-file`, the engine's state kept across restarts.

pub mod auth;
pub mod autopilot;
pub mod cometd;
pub mod config;
pub mod control;
pub mod cors;
pub mod engine;
pub mod faults;
pub mod guard;
pub mod http;
pub mod state;
pub mod state_file;
pub mod web;

pub use config::SimConfig;
pub use state::AppState;

use axum::Router;
use axum::serve::ListenerExt as _;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::time::Duration;

/// The whole application: `/api/v2`, `/sim`, and the widget at `/`.
pub fn app(state: AppState) -> Router {
    let api = http::router(state.clone()).layer(axum::middleware::from_fn_with_state(
        state.clone(),
        faults::inject,
    ));
    Router::new()
        .nest("/api/v2", api)
        .nest(
            "/sim",
            control::router().layer(axum::middleware::from_fn(guard::require_json)),
        )
        .merge(web::router(state.config().static_dir.as_deref()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            answer_after_state_file,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cors::cors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check_host,
        ))
        .with_state(state)
}

/// Middleware: a response leaves only once the state file holds every change made while its
/// request ran (with `--state-file`; the writes happen on the writer thread), so a client that
/// saw `statusCode 0` finds the change after a `kill -9` and a restart.
async fn answer_after_state_file(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let before = state.state_file_seq();
    let response = next.run(request).await;
    let after = state.state_file_seq();
    if after > before {
        state.state_file_written(after).await;
    }
    response
}

/// Serves on `listener` until `shutdown` resolves. `uri` fields use `config.external_url`, or
/// `http://<listener address>` when none is set. Starts the CometD session sweeper (and the
/// autopilot when enabled).
pub async fn run(
    listener: TcpListener,
    mut config: SimConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if config.external_url.is_none() {
        let address = listener.local_addr()?;
        let host = if address.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            address.ip().to_string()
        };
        config.external_url = Some(format!("http://{host}:{}", address.port()));
    }
    serve(listener, AppState::new(config), shutdown).await
}

/// Serves an already built `state` on `listener` until `shutdown` resolves, with the session
/// sweeper (and the autopilot when enabled); timers restored from a state file are armed. Why separate from [`run`]: an in-process harness
/// (the fan-out benchmark) keeps a handle on the state to drive the engine directly and to
/// read the same clock as the server.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.arm_restored_timers();
    let sweeper = tokio::spawn(sweep_sessions(state.clone()));
    let autopilot = state
        .config()
        .autopilot
        .then(|| tokio::spawn(autopilot::run(state.clone())));
    // Nagle off: a long-poll reply is one small write that must leave at once; with Nagle a
    // reply written while an earlier segment awaits its (delayed, up to 40 ms) ACK waits too.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
    });
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    if let Some(task) = autopilot {
        task.abort();
    }
    result
}

/// Expires CometD sessions that have gone `maxInterval` without a connect.
async fn sweep_sessions(state: AppState) {
    let period =
        (state.hub().max_interval / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        let expired = state.hub().sweep();
        if expired > 0 {
            tracing::info!(expired, "CometD sessions expired");
        }
    }
}
