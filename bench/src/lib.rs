//! `gws-bench`: benchmarks that print their figures; `bench/RESULTS.md` keeps the latest
//! output (see `bench/README.md`).
//!
//! Why a crate of its own: a benchmark that drives thousands of real sockets needs its own
//! runtime set-up and release build, and must not weigh on the simulator's test build.
//!
//! Layout:
//! - [`http`]: a minimal keep-alive HTTP/1.1 client that stamps receipt times.
//! - [`cometd`]: a long-polling Bayeux client (handshake, subscribe, connect loop).
//! - [`fanout`]: one fan-out run — in-process simulator, clients, driver, latency join.
//! - [`faye`]: the Faye reference server (`bench/faye`, Node) as a child process.
//! - [`stats`]: percentiles. [`machine`]: machine facts and the open-file limit.
//! - [`report`]: the printed markdown and its section in RESULTS.md.
//! - `bin/sim-fanout.rs`: the command line (issue 3's benchmark).

pub mod cometd;
pub mod fanout;
pub mod faye;
pub mod http;
pub mod machine;
pub mod report;
pub mod stats;
