//! A small, bounded fan-out run end to end: 20 clients on 127.0.0.1, under two seconds of
//! traffic. Checks the harness itself (set-up, join, accounting), not performance.

use gws_bench::fanout::{self, FanoutConfig, Load, ServerKind};
use std::time::Duration;

fn config(clients: usize, clients_per_user: usize, load: Load) -> FanoutConfig {
    FanoutConfig {
        server: ServerKind::GwsSim,
        clients,
        clients_per_user,
        load,
        warmup: Duration::from_millis(200),
        measure: Duration::from_millis(600),
        drain: Duration::from_secs(3),
        server_threads: 1,
        client_threads: 1,
        setup_parallelism: 8,
        cometd_timeout_ms: 5_000,
        setup_timeout: Duration::from_secs(20),
    }
}

#[test]
fn every_notification_published_in_the_window_reaches_every_client_of_its_user() {
    let result = fanout::run(&config(20, 2, Load::Rate(400.0))).expect("run");
    assert_eq!(result.users, 10);
    assert!(result.published > 50, "{result:?}");
    assert_eq!(result.expected, 2 * result.published);
    assert_eq!(result.missing(), 0, "{result:?}");
    assert_eq!(result.delivered, result.expected);
    assert_eq!(
        (result.client_errors, result.rehandshakes, result.unmatched),
        (0, 0, 0),
        "{:?}",
        result.first_error
    );
    assert_eq!((result.ambiguous, result.duplicates), (0, 0));
    assert!(result.latency.p50 <= result.latency.p99 && result.latency.p99 <= result.latency.max);
}

#[test]
fn the_closed_loop_keeps_deliveries_flowing_without_losing_any() {
    let result = fanout::run(&config(10, 1, Load::Saturate(8))).expect("run");
    assert!(result.published > 0);
    assert_eq!(result.missing(), 0, "{result:?}");
    assert_eq!(result.client_errors, 0, "{:?}", result.first_error);
}

#[test]
fn a_client_count_that_is_not_a_multiple_of_clients_per_user_is_refused() {
    assert!(fanout::run(&config(5, 2, Load::Rate(10.0))).is_err());
}
