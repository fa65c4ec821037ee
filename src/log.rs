//! Console logging. Peer data problems are logged and skipped, never panicked on.

/// Logs a warning to the browser console.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}

/// Logs an informational line to the browser console.
pub fn info(message: &str) {
    web_sys::console::info_1(&message.into());
}
