//! `sim-fanout`: N long-polling CometD clients against an in-process `gws-sim` on loopback,
//! driven through call traffic; prints notifications/s and publish → receipt latency as a
//! markdown table (issue 3). `--results bench/RESULTS.md` also writes the table into its
//! section there. `--against faye` runs every configuration against the Faye reference server
//! too and adds the gws-sim ÷ Faye ratios (issue 7).

use clap::Parser;
use gws_bench::fanout::{self, FanoutConfig, Load, ServerKind};
use gws_bench::machine::{self, Facts};
use gws_bench::report;
use std::process::ExitCode;
use std::time::Duration;

/// Fan-out benchmark of the gws-sim CometD server (bounded in count and time, 127.0.0.1 only).
#[derive(Debug, Parser)]
#[command(name = "sim-fanout")]
struct Args {
    /// Client counts to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [100, 1000, 5000])]
    clients: Vec<usize>,
    /// Clients per agent user, comma-separated (each notification reaches all of them).
    #[arg(long, value_delimiter = ',', default_values_t = [1, 10])]
    clients_per_user: Vec<usize>,
    /// Offered loads of the fixed-rate runs, in deliveries (client receipts) per second —
    /// published notifications/s × clients per user — comma-separated (0 = none).
    #[arg(long, value_delimiter = ',', default_values_t = [2000.0])]
    rate: Vec<f64>,
    /// Runs per configuration; the table shows the run with the median p99 and the p99 range.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Deliveries in flight in the max-throughput runs (0 = skip them).
    #[arg(long, default_value_t = 64)]
    saturate_window: u64,
    /// Warm-up seconds (published, not counted).
    #[arg(long, default_value_t = 2)]
    warmup_secs: u64,
    /// Measurement window in seconds.
    #[arg(long, default_value_t = 5)]
    measure_secs: u64,
    /// Longest wait for in-flight notifications after the window.
    #[arg(long, default_value_t = 5)]
    drain_secs: u64,
    /// Simulator runtime worker threads.
    #[arg(long, default_value_t = 1)]
    server_threads: usize,
    /// Client runtime worker threads.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// Clients setting up at once.
    #[arg(long, default_value_t = 64)]
    setup_parallelism: usize,
    /// How long the server holds a /meta/connect (ms).
    #[arg(long, default_value_t = 30_000)]
    cometd_timeout_ms: u64,
    /// Also write the table into this file's `## Simulator fan-out (issue 3)` section (with
    /// `--against faye`, into its own block of that section).
    #[arg(long)]
    results: Option<std::path::PathBuf>,
    /// Run every configuration a second time against this reference server, in the same run,
    /// and print gws-sim ÷ reference ratios (needs Node; `bench/faye` is installed with
    /// `npm ci` on first use).
    #[arg(long, value_enum)]
    against: Option<Reference>,
}

/// Reference servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Reference {
    /// Faye (npm `faye`), `bench/faye/server.mjs`.
    Faye,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let largest = args.clients.iter().copied().max().unwrap_or(0) as u64;
    // One socket per client plus the server's side of it, plus headroom.
    let wanted = 2 * largest + 1024;
    match machine::raise_nofile(wanted) {
        Ok(soft) if soft >= wanted => {}
        Ok(soft) => {
            eprintln!(
                "sim-fanout: needs {wanted} open files for {largest} clients, the limit is {soft} \
                 (raise the hard limit: ulimit -Hn)"
            );
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("sim-fanout: cannot raise the open-file limit: {error}");
            return ExitCode::FAILURE;
        }
    }
    let facts = Facts::read();
    let loads: Vec<Load> = args
        .rate
        .iter()
        .filter(|&&rate| rate > 0.0)
        .map(|&rate| Load::Rate(rate))
        .collect();
    let loads: Vec<Load> = loads
        .into_iter()
        .chain((args.saturate_window > 0).then_some(Load::Saturate(args.saturate_window)))
        .collect();
    let mut results = Vec::new();
    let mut matrix = Vec::new();
    for &clients in &args.clients {
        for &per_user in &args.clients_per_user {
            for &load in &loads {
                matrix.push((clients, per_user, load));
            }
        }
    }
    let servers: Vec<ServerKind> = match args.against {
        None => vec![ServerKind::GwsSim],
        Some(Reference::Faye) => vec![ServerKind::GwsSim, ServerKind::Faye],
    };
    let matrix: Vec<(usize, usize, Load, ServerKind)> = matrix
        .into_iter()
        .flat_map(|(clients, per_user, load)| {
            servers
                .iter()
                .map(move |&server| (clients, per_user, load, server))
        })
        .collect();
    for (clients, per_user, load, server) in matrix {
        let mut runs = Vec::new();
        for run in 1..=args.repeat.max(1) {
            let config = FanoutConfig {
                server,
                clients,
                clients_per_user: per_user,
                load,
                warmup: Duration::from_secs(args.warmup_secs),
                measure: Duration::from_secs(args.measure_secs.max(1)),
                drain: Duration::from_secs(args.drain_secs),
                server_threads: args.server_threads,
                client_threads: args.client_threads,
                setup_parallelism: args.setup_parallelism,
                cometd_timeout_ms: args.cometd_timeout_ms,
                setup_timeout: Duration::from_secs(120),
            };
            eprintln!(
                "sim-fanout: {server}, {clients} clients ({per_user}/user), {load}, run {run}/{} …",
                args.repeat.max(1)
            );
            match fanout::run(&config) {
                Ok(result) => {
                    eprintln!(
                        "sim-fanout:   set up in {:.1} s; {:.0} published/s, {:.0} delivered/s, \
                         p50 {} ms, p99 {} ms, missing {}",
                        result.setup_secs,
                        result.published_per_s(),
                        result.delivered_per_s(),
                        gws_bench::stats::ms(result.latency.p50),
                        gws_bench::stats::ms(result.latency.p99),
                        result.missing()
                    );
                    runs.push(result);
                }
                Err(error) => {
                    eprintln!("sim-fanout: {server}, {clients} clients, {load}: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        if let Some(median) = report::Row::median(runs) {
            results.push(median);
        }
    }
    let command = std::env::args()
        .skip(1)
        .fold(String::from("sim-fanout"), |mut line, arg| {
            line.push(' ');
            line.push_str(&arg);
            line
        });
    let table = report::markdown(&facts, &command, &results);
    println!("{}\n\n{table}", report::SECTION);
    if let Some(path) = &args.results {
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let updated = match args.against {
            None => report::splice(&existing, &table),
            Some(Reference::Faye) => {
                report::splice_between(&existing, &table, report::FAYE_BEGIN, report::FAYE_END)
            }
        };
        if let Err(error) = std::fs::write(path, updated) {
            eprintln!("sim-fanout: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("sim-fanout: wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
