//! `--autopilot`: plausible inbound traffic for the demo.

use crate::state::AppState;

/// Runs until aborted.
pub async fn run(_state: AppState) {}
