//! `--state-file PATH`: the engine's state on disk, so that `kill -9` and a restart on the same
//! port keep every call (as a real GWS keeps calls across its own restarts; CometD and HTTP
//! sessions are lost, CSRF tokens change).
//!
//! Written after every command that reached the engine (`AppState::execute`), before the
//! request that caused it is answered: a client that saw `statusCode 0` finds the change
//! after a restart. The writing (serializing and file I/O) happens on a dedicated thread, not
//! on the async runtime's: the command hands a snapshot over and the response waits for the
//! thread to report it written (several snapshots queued meanwhile are coalesced into the
//! newest). Atomic: the JSON goes to a new `PATH.tmp` (mode `0600`), then is renamed over
//! `PATH`, so a kill in the middle of a write leaves the previous state, never half of one.
//! (No `fsync`: a killed process loses nothing the kernel already has; a power cut is not
//! simulated.)
//!
//! Clock: the engine's times (`duration` of calls, longest-idle routing) are milliseconds on
//! the simulator's clock. The file stores that clock's reading and the wall-clock time of the
//! write; a restarted simulator starts its clock at the stored reading plus the wall-clock
//! time that passed, so durations go on counting across the restart.
//!
//! Timers (a simulated phone about to answer, or to report busy) are stored with their due
//! time on that clock and re-armed when the restarted server starts serving; one that fell
//! due while the simulator was down fires at once. So a call dialled just before the kill is
//! answered as if nothing happened, at the moment it would have been.
//!
//! A file that cannot be used (not JSON, another format, another configuration's users, an
//! inconsistent model) is renamed to `PATH.rejected` with a warning and the simulator starts
//! empty: a test rig must come back up, and the evidence must not be overwritten.

use crate::engine::TimerEvent;
use crate::engine::persist::PersistedModel;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The format written; a file of another format is rejected.
pub const FORMAT: u32 = 1;

/// A timer the engine asked for that has not fired yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTimer {
    /// When it fires, on the simulator's clock (ms).
    pub due_ms: u64,
    /// What it feeds back to the engine.
    pub event: TimerEvent,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedState {
    /// [`FORMAT`].
    pub format: u32,
    /// Wall-clock time of the write, ms since the Unix epoch.
    pub saved_at_unix_ms: u64,
    /// The simulator's clock at the write (ms).
    pub clock_ms: u64,
    /// Timers still to fire.
    pub timers: Vec<PendingTimer>,
    /// The call model.
    pub model: PersistedModel,
}

/// Why a state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Unreadable (permissions, a directory…).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not a state file of this format.
    #[error("{path} is not a gws-sim state file: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Wall-clock milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Reads `path`: `Ok(None)` when there is no file yet.
pub fn load(path: &Path) -> Result<Option<SavedState>, LoadError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(LoadError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let parse_error = |reason: String| LoadError::Parse {
        path: path.to_path_buf(),
        reason,
    };
    // The format first, so that another version says so rather than "missing field".
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| parse_error(e.to_string()))?;
    if value["format"] != FORMAT {
        return Err(parse_error(format!(
            "format {} (expected {FORMAT})",
            value["format"]
        )));
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| parse_error(e.to_string()))
}

/// Writes `state` to `path` atomically: into `PATH.tmp` (created afresh, mode `0600` on Unix:
/// the file holds every call's user data), then renamed over `PATH`, which so gets that mode
/// too. A leftover `PATH.tmp` (or a link planted there) is removed first, never written
/// through. Blocking I/O: the server calls it on its writer thread, never on the runtime's.
pub fn write(path: &Path, state: &SavedState) -> std::io::Result<()> {
    use std::io::Write as _;
    let json = serde_json::to_vec(state).map_err(std::io::Error::other)?;
    let temporary = sibling(path, "tmp");
    match std::fs::remove_file(&temporary) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&temporary)
        .and_then(|mut file| file.write_all(&json))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Moves an unusable file out of the way (to `PATH.rejected`), keeping it for inspection.
pub fn reject(path: &Path) -> PathBuf {
    let rejected = sibling(path, "rejected");
    if let Err(error) = std::fs::rename(path, &rejected) {
        tracing::warn!(path = %path.display(), %error, "could not move the rejected state file aside");
    }
    rejected
}

/// `PATH.suffix`, in the same directory (a rename within one file system is atomic).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}
