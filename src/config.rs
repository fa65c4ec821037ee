//! What a widget instance needs to talk to a GWS server, and how it behaves.

/// Settings of one widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Server root, without `/api/v2` (empty = same origin as the page).
    pub base_url: String,
    /// GWS user name (HTTP Basic).
    pub username: String,
    /// Password (HTTP Basic). Kept in memory only, never in storage.
    pub password: String,
    /// Keyboard shortcuts (Alt+A answer, Alt+H hang up) on this widget.
    pub shortcuts: bool,
}

impl WidgetConfig {
    /// A configuration for `username` / `password` at `base_url`, shortcuts on.
    pub fn new(base_url: &str, username: &str, password: &str) -> Self {
        WidgetConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            username: username.to_string(),
            password: password.to_string(),
            shortcuts: true,
        }
    }

    /// The same configuration with shortcuts on or off.
    pub fn with_shortcuts(mut self, enabled: bool) -> Self {
        self.shortcuts = enabled;
        self
    }
}
