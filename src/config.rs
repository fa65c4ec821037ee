//! What a widget instance needs to talk to a GWS server, and how it behaves.

pub use gws_client::LoginOptions;
use std::fmt;

/// Where the widget's GWS credentials come from.
#[derive(Clone)]
pub enum Credentials {
    /// A user name and password, kept in memory only (never in storage).
    Password {
        /// GWS user name (HTTP Basic).
        username: String,
        /// Password (HTTP Basic).
        password: String,
    },
    /// A host-page function returning `{username, password}` (or a promise of it), called when
    /// the widget starts: the host decides where secrets live.
    Provider(js_sys::Function),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Password { username, .. } => {
                write!(f, "Password {{ username: {username:?}, .. }}")
            }
            Credentials::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// Light (default).
    #[default]
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// The CSS modifier class.
    pub fn class(self) -> &'static str {
        match self {
            Theme::Light => "gws-widget--light",
            Theme::Dark => "gws-widget--dark",
        }
    }
}

/// Settings of one widget.
#[derive(Debug, Clone)]
pub struct WidgetConfig {
    /// Server root, without `/api/v2` (empty = same origin as the page).
    pub base_url: String,
    /// How to sign in.
    pub credentials: Credentials,
    /// Keyboard shortcuts (Alt+A answer, Alt+H hang up).
    pub shortcuts: bool,
    /// Colour scheme.
    pub theme: Theme,
    /// Denser layout for narrow CRM side panels.
    pub compact: bool,
    /// The language asked for (BCP 47: `fr`, `de-AT`); `None`: the page's `<html lang>`, then
    /// the browser's languages, then English (`crate::i18n::negotiate`).
    pub lang: Option<String>,
    /// The host's wording for catalog keys (`strings` option: `{"op.Answer": "Pick up"}`).
    pub strings: Vec<(String, String)>,
    /// Dial numbers clicked in the host page (`data-gws-dial`).
    pub click_to_dial: bool,
    /// Share one notification loop between the tabs of the same user (leader election).
    pub share_across_tabs: bool,
    /// Voice login: automatic or not, and where (`place`, `queue`, `loginCode`).
    pub login: LoginOptions,
}

impl WidgetConfig {
    /// A configuration for `username` / `password` at `base_url`, shortcuts on.
    pub fn new(base_url: &str, username: &str, password: &str) -> Self {
        WidgetConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            credentials: Credentials::Password {
                username: username.to_string(),
                password: password.to_string(),
            },
            shortcuts: true,
            theme: Theme::Light,
            compact: false,
            // The Rust API is explicit (tests stay English); `mount()` negotiates.
            lang: Some("en".to_string()),
            strings: Vec::new(),
            click_to_dial: false,
            share_across_tabs: false,
            login: LoginOptions {
                auto_login: true,
                ..LoginOptions::default()
            },
        }
    }

    /// The same configuration with shortcuts on or off.
    pub fn with_shortcuts(mut self, enabled: bool) -> Self {
        self.shortcuts = enabled;
        self
    }

    /// The same configuration in language `lang` (`None`: negotiated from the page).
    pub fn with_lang(mut self, lang: Option<&str>) -> Self {
        self.lang = lang.map(str::to_string);
        self
    }

    /// The same configuration with tab sharing on or off.
    pub fn with_tab_sharing(mut self, enabled: bool) -> Self {
        self.share_across_tabs = enabled;
        self
    }

    /// What the widget core needs to know (`host_events`: a host listens to `gws:*` events;
    /// `catalog`: the language it words messages in).
    pub fn core_config(
        &self,
        host_events: bool,
        catalog: gws_client::Catalog,
    ) -> gws_client::CoreConfig {
        gws_client::CoreConfig {
            share_across_tabs: self.share_across_tabs,
            host_events,
            credentials_provider: matches!(self.credentials, Credentials::Provider(_)),
            login: self.login.clone(),
            catalog,
        }
    }

    /// The user name when it is known up front (tab sharing is keyed by it).
    pub fn known_username(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Password { username, .. } => Some(username),
            Credentials::Provider(_) => None,
        }
    }
}
