//! The Faye reference server (`bench/faye/server.mjs`, npm `faye`) as a child process: started
//! on 127.0.0.1 with a free port, fed the notifications to publish on its stdin, asked for its
//! publish times at the end.
//!
//! Why Faye publishes and stamps, not this process: the latency measured on gws-sim starts when
//! the hub is about to queue a notification, inside the server; the fair counterpart is the
//! moment Faye's own server-side publish is called, inside Faye, not before a pipe and a JSON
//! parse. Faye stamps with `process.hrtime.bigint()` (CLOCK_MONOTONIC), the clock behind
//! `std::time::Instant` on Linux, so its stamps convert exactly to `Instant`s ([`Clock`]).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// Why the Faye server could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FayeError {
    /// Node or npm could not be run, or the pipe to the child failed.
    #[error("faye: {0}")]
    Io(#[from] std::io::Error),
    /// `npm ci` failed (no network, no npm).
    #[error("faye: `npm ci` in {dir} failed: {detail}")]
    Install {
        /// `bench/faye`.
        dir: PathBuf,
        /// What npm said.
        detail: String,
    },
    /// The child said something unexpected (or nothing).
    #[error("faye: {0}")]
    Protocol(String),
}

/// `bench/faye`, next to this crate's manifest.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("faye")
}

/// Installs the pinned `faye` (`npm ci`, from `package-lock.json`) when `node_modules` lacks it.
pub fn ensure_installed(dir: &Path) -> Result<(), FayeError> {
    if dir.join("node_modules/faye/package.json").is_file() {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .output()?;
    if !output.status.success() {
        return Err(FayeError::Install {
            dir: dir.to_path_buf(),
            detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(())
}

/// CLOCK_MONOTONIC nanoseconds ↔ `Instant`, from one reading of both.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    instant: Instant,
    nanos: u128,
}

/// CLOCK_MONOTONIC now, in nanoseconds.
pub fn monotonic_ns() -> u128 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    t.tv_sec as u128 * 1_000_000_000 + t.tv_nsec as u128
}

impl Clock {
    /// Reads both clocks back to back (they are the same clock; the pair pins the offset).
    pub fn now() -> Self {
        let instant = Instant::now();
        let nanos = monotonic_ns();
        Clock { instant, nanos }
    }

    /// The `Instant` of a CLOCK_MONOTONIC reading (`None` if outside `Instant`'s range).
    pub fn instant_of(&self, nanos: u128) -> Option<Instant> {
        if nanos >= self.nanos {
            let ahead = u64::try_from(nanos - self.nanos).ok()?;
            self.instant.checked_add(Duration::from_nanos(ahead))
        } else {
            let behind = u64::try_from(self.nanos - nanos).ok()?;
            self.instant.checked_sub(Duration::from_nanos(behind))
        }
    }
}

/// A running Faye server.
#[derive(Debug)]
pub struct FayeServer {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl FayeServer {
    /// Starts `node server.mjs` in `dir` (installing `faye` first if needed) and waits for its
    /// listening line. `timeout_secs`: how long it holds a `/meta/connect`.
    pub fn start(dir: &Path, timeout_secs: u64) -> Result<Self, FayeError> {
        ensure_installed(dir)?;
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(dir)
            .env("FAYE_TIMEOUT_SECS", timeout_secs.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(FayeError::Protocol("no pipes to the child".into()));
        };
        let mut server = FayeServer {
            child,
            stdin: BufWriter::new(stdin),
            stdout: BufReader::new(stdout),
            port: 0,
        };
        let line = server.read_line()?;
        server.port = line
            .trim()
            .strip_prefix("faye listening on http://127.0.0.1:")
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| FayeError::Protocol(format!("unexpected first line {line:?}")))?;
        Ok(server)
    }

    fn read_line(&mut self) -> Result<String, FayeError> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err(FayeError::Protocol("the server exited".into()));
        }
        Ok(line)
    }

    /// Asks Faye to publish `data` on `channel` now.
    pub fn publish(&mut self, channel: &str, data: &serde_json::Value) -> Result<(), FayeError> {
        let line = serde_json::json!({"channel": channel, "data": data});
        serde_json::to_writer(&mut self.stdin, &line).map_err(std::io::Error::other)?;
        self.stdin.write_all(b"\n")?;
        self.stdin.flush()?;
        Ok(())
    }

    /// The CLOCK_MONOTONIC time of every publish since the last report, in order.
    pub fn report(&mut self) -> Result<Vec<u128>, FayeError> {
        self.stdin.write_all(b"report\n")?;
        self.stdin.flush()?;
        let line = self.read_line()?;
        let stamps: Vec<String> = serde_json::from_str(&line)
            .map_err(|e| FayeError::Protocol(format!("bad report: {e}")))?;
        stamps
            .iter()
            .map(|s| {
                s.parse()
                    .map_err(|_| FayeError::Protocol(format!("bad stamp {s:?}")))
            })
            .collect()
    }

    /// User + system CPU seconds the server process has used.
    pub fn cpu_seconds(&self) -> Option<f64> {
        crate::machine::cpu_seconds_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// Stops the server (closing its stdin ends it; killed if it lingers).
    pub fn stop(mut self) {
        drop(self.stdin);
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_monotonic_reading_converts_to_the_matching_instant() {
        let clock = Clock::now();
        let later = clock.instant_of(clock.nanos + 1_500_000).expect("in range");
        assert_eq!(
            later.duration_since(clock.instant),
            Duration::from_micros(1500)
        );
        let earlier = clock.instant_of(clock.nanos - 2_000).expect("in range");
        assert_eq!(
            clock.instant.duration_since(earlier),
            Duration::from_micros(2)
        );
        // Same clock: a fresh reading converts to (about) now.
        let now = clock.instant_of(monotonic_ns()).expect("in range");
        let drift = now.saturating_duration_since(Instant::now())
            + Instant::now().saturating_duration_since(now);
        assert!(drift < Duration::from_millis(5), "{drift:?}");
    }
}
