//! Console logging with a level set by the host (`logLevel`). Peer data problems are logged and
//! skipped, never panicked on.

use std::sync::atomic::{AtomicU8, Ordering};

/// How much the widget writes to the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Nothing.
    Off = 0,
    /// Errors only.
    Error = 1,
    /// Errors and warnings (default).
    Warn = 2,
    /// Also informational lines.
    Info = 3,
    /// Everything.
    Debug = 4,
}

impl LogLevel {
    /// Parses `off|error|warn|info|debug`.
    pub fn parse(text: &str) -> Option<LogLevel> {
        Some(match text {
            "off" => LogLevel::Off,
            "error" => LogLevel::Error,
            "warn" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            _ => return None,
        })
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Warn as u8);

/// Sets the level for the whole page (the most recently mounted widget decides).
pub fn set_level(level: LogLevel) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

fn enabled(level: LogLevel) -> bool {
    LEVEL.load(Ordering::Relaxed) >= level as u8
}

/// Logs an error.
pub fn error(message: &str) {
    if enabled(LogLevel::Error) {
        web_sys::console::error_1(&message.into());
    }
}

/// Logs a warning.
pub fn warn(message: &str) {
    if enabled(LogLevel::Warn) {
        web_sys::console::warn_1(&message.into());
    }
}

/// Logs an informational line.
pub fn info(message: &str) {
    if enabled(LogLevel::Info) {
        web_sys::console::info_1(&message.into());
    }
}

/// Logs a debugging line.
pub fn debug(message: &str) {
    if enabled(LogLevel::Debug) {
        web_sys::console::debug_1(&message.into());
    }
}
