//! The Faye reference run end to end, small and bounded: 20 clients against `bench/faye` (a Node
//! child process on 127.0.0.1), under two seconds of traffic. Checks the harness — the same
//! notifications reach the same clients through Faye and the Faye-stamped publish times join
//! with the receipts — not performance. Needs Node and npm (`npm ci` on first use); without
//! them the test says so and passes.

use gws_bench::fanout::{self, BenchError, FanoutConfig, Load, ServerKind};
use gws_bench::faye::{self, FayeError};
use std::time::Duration;

fn config(load: Load) -> FanoutConfig {
    FanoutConfig {
        server: ServerKind::Faye,
        clients: 20,
        clients_per_user: 2,
        load,
        warmup: Duration::from_millis(300),
        measure: Duration::from_millis(700),
        drain: Duration::from_secs(3),
        server_threads: 1,
        client_threads: 1,
        setup_parallelism: 8,
        cometd_timeout_ms: 5_000,
        setup_timeout: Duration::from_secs(20),
    }
}

/// Whether Node and the pinned Faye are available (installing it if npm can).
fn faye_available() -> bool {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no node");
        return false;
    }
    match faye::ensure_installed(&faye::default_dir()) {
        Ok(()) => true,
        Err(error @ (FayeError::Install { .. } | FayeError::Io(_))) => {
            eprintln!("skipped: {error}");
            false
        }
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn through_faye_every_notification_reaches_every_client_of_its_user_with_a_joined_latency() {
    if !faye_available() {
        return;
    }
    let result = match fanout::run(&config(Load::Rate(400.0))) {
        Ok(result) => result,
        Err(BenchError::Faye(error)) => panic!("Faye: {error}"),
        Err(error) => panic!("{error}"),
    };
    assert_eq!(result.users, 10);
    assert!(result.published > 50, "{result:?}");
    assert_eq!(result.expected, 2 * result.published);
    assert_eq!(result.missing(), 0, "{result:?}");
    assert_eq!(
        (result.client_errors, result.rehandshakes, result.unmatched),
        (0, 0, 0),
        "{:?}",
        result.first_error
    );
    assert_eq!((result.ambiguous, result.duplicates), (0, 0));
    // Faye's stamps are on the receipts' clock: latencies are positive and below the drain.
    assert!(
        result.latency.p50 > 0 && result.latency.max < 3_000_000,
        "{:?}",
        result.latency
    );
    assert_eq!(
        result.engine.count, 0,
        "engine time is not reported for Faye"
    );
}

#[test]
fn the_closed_loop_through_faye_loses_nothing() {
    if !faye_available() {
        return;
    }
    let result = fanout::run(&config(Load::Saturate(8))).expect("run");
    assert!(result.published > 0);
    assert_eq!(result.missing(), 0, "{result:?}");
    assert_eq!(result.client_errors, 0, "{:?}", result.first_error);
}
