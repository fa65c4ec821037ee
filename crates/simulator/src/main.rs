//! The `gws-sim` binary: flags, tracing, bind, serve until Ctrl-C.

use clap::Parser;
use gws_sim::SimConfig;
use std::io::Write;
use std::path::PathBuf;
use tokio::net::TcpListener;

/// A Genesys Web Services API v2 voice simulator (REST + CometD + call model).
#[derive(Debug, Parser)]
#[command(name = "gws-sim", version)]
struct Args {
    /// Port to listen on (0 = any free port; the real one is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Base URL used in every `uri` field (default http://BIND:PORT).
    #[arg(long)]
    external_url: Option<String>,
    /// How long simulated phones take to answer.
    #[arg(long, default_value_t = 1000)]
    answer_delay_ms: u64,
    /// How long a CometD /meta/connect is held.
    #[arg(long, default_value_t = 30_000)]
    cometd_timeout_ms: u64,
    /// How long a CometD session lives without a connect.
    #[arg(long, default_value_t = 10_000)]
    max_interval_ms: u64,
    /// Do not require the CSRF token on POST/PUT/DELETE.
    #[arg(long)]
    no_csrf: bool,
    /// Directory of the built widget served at / (default: ./dist, else <workspace>/dist).
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// JSON file with users (and agent states) replacing the built-in ones.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Generate inbound demo traffic (queue calls, customer hang-ups).
    #[arg(long)]
    autopilot: bool,
    /// Mean milliseconds between autopilot calls.
    #[arg(long, default_value_t = 8000)]
    autopilot_interval_ms: u64,
    /// Simulate call recording (recordingState and the recording operations).
    #[arg(long)]
    recording: bool,
    /// List MuteCall in the capabilities of an established, unmuted call (off keeps the
    /// seeds' capability sets D/E exact).
    #[arg(long)]
    advertise_mute: bool,
    /// Keep the engine's state (agents, devices, calls, timers) in this JSON file: written
    /// after every command, loaded at start-up, so a restart on the same port keeps every call.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,
    /// Start every agent logged in to voice (also after /sim/reset), for load tests; without
    /// it agents start logged out, as after a real GWS restart, until StartContactCenterSession.
    #[arg(long)]
    agents_logged_in: bool,
    /// An origin (scheme://host[:port]) besides the loopback ones whose pages may call /api and
    /// /sim with credentials (CORS). Repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// A Host name (any port) or name:port besides the loopback names that requests may
    /// address (guards against DNS rebinding). Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("gws_sim=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match serve(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "gws-sim failed");
            eprintln!("gws-sim: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = SimConfig {
        external_url: args.external_url,
        answer_delay_ms: args.answer_delay_ms,
        cometd_timeout_ms: args.cometd_timeout_ms,
        max_interval_ms: args.max_interval_ms,
        csrf: !args.no_csrf,
        static_dir: Some(
            args.static_dir
                .unwrap_or_else(gws_sim::config::default_static_dir),
        ),
        autopilot: args.autopilot,
        autopilot_interval_ms: args.autopilot_interval_ms,
        recording: args.recording,
        advertise_mute: args.advertise_mute,
        state_file: args.state_file,
        agents_logged_in: args.agents_logged_in,
        allow_origins: args.allow_origins,
        allow_hosts: args.allow_hosts,
        ..SimConfig::default()
    };
    if let Some(path) = &args.config {
        config.load_file(path)?;
    }
    let listener = TcpListener::bind((args.bind.as_str(), args.port)).await?;
    let port = listener.local_addr()?.port();
    if config.external_url.is_none() {
        let host = if args.bind == "0.0.0.0" || args.bind == "::" {
            "127.0.0.1"
        } else {
            args.bind.as_str()
        };
        config.external_url = Some(format!("http://{host}:{port}"));
    }
    tracing::info!(static_dir = ?config.static_dir, external_url = ?config.external_url, "starting");
    let mut stdout = std::io::stdout();
    writeln!(stdout, "gws-sim listening on http://{}:{port}", args.bind)?;
    stdout.flush()?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    gws_sim::run(listener, config, shutdown).await?;
    Ok(())
}
