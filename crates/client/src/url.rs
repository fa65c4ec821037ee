//! Request URLs under the configured server, and nothing else.
//!
//! Every REST URL is the configured base (`scheme://host[:port][/prefix]`, or empty for the
//! page's own origin) followed by a path of the GWS API. Concatenating strings is not enough:
//! `base + ".evil.example/x"` or `"" + "//evil.example"` leaves the server, with the
//! credentials. [`join`] parses the base, accepts only a clean `/api/v2/…` path, and refuses
//! anything a URL parser could resolve elsewhere: a scheme-relative `//`, a backslash (read as
//! `/` by browsers), `.`/`..` segments (also percent-encoded), userinfo, controls and spaces.
//! The browser driver then re-parses the result with the URL parser of the page and checks its
//! origin (`src/drivers/rest.rs`); this part is pure, and tested natively.

use thiserror::Error;

/// The prefix of every path the widget may request.
pub const API_PREFIX: &str = "/api/v2/";

/// Why a URL was refused (no request is sent).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// The configured base is not `http(s)://host[:port][/prefix]`.
    #[error("the configured server address is not a plain http(s) origin")]
    BadBase,
    /// The path is not a clean path of the GWS API.
    #[error("refused a request outside the server's /api/v2/")]
    BadPath,
}

/// A parsed base: its origin (`scheme://host[:port]`, lower-cased) and path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// `scheme://host[:port]`; empty for the page's own origin.
    pub origin: String,
    /// Path before `/api/v2/` (no trailing `/`; usually empty).
    pub prefix: String,
}

/// Parses `base` (trailing `/` ignored; empty: the page's origin).
pub fn parse_base(base: &str) -> Result<Base, UrlError> {
    let base = base.trim_end_matches('/');
    if base.is_empty() {
        return Ok(Base {
            origin: String::new(),
            prefix: String::new(),
        });
    }
    let (scheme, rest) = base.split_once("://").ok_or(UrlError::BadBase)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(UrlError::BadBase);
    }
    let (authority, prefix) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    if !valid_authority(authority) || !clean_path(prefix) {
        return Err(UrlError::BadBase);
    }
    Ok(Base {
        origin: format!("{scheme}://{}", authority.to_ascii_lowercase()),
        prefix: prefix.to_string(),
    })
}

/// `host[:port]`: a DNS name or IPv4 address, or a bracketed IPv6 address; no userinfo.
fn valid_authority(authority: &str) -> bool {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((address, port)) => {
                let ok = !address.is_empty()
                    && address
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b":.".contains(&b));
                if !ok {
                    return false;
                }
                ("v6", port)
            }
            None => return false,
        }
    } else {
        match authority.find(':') {
            Some(at) => authority.split_at(at),
            None => (authority, ""),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let port_ok = match port {
        "" => true,
        port => port
            .strip_prefix(':')
            .is_some_and(|digits| (1..=5).contains(&digits.len()) && digits.parse::<u16>().is_ok()),
    };
    host_ok && port_ok
}

/// A path (possibly empty) of `/segment`s with no character or segment a URL parser could
/// resolve elsewhere.
fn clean_path(path: &str) -> bool {
    if path.is_empty() {
        return true;
    }
    if !path.starts_with('/') || path.starts_with("//") {
        return false;
    }
    let unsafe_char = |c: char| c.is_control() || c.is_whitespace() || "\\#@".contains(c);
    if path.chars().any(unsafe_char) {
        return false;
    }
    path[1..].split('/').all(|segment| !is_dot_segment(segment))
}

/// `.` or `..`, also percent-encoded (`%2e`, any case), as URL parsers read them.
fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// The URL of `path` (an `/api/v2/…` path, with an optional `?query`) under `base`: the base's
/// origin and prefix followed by `path`, or `path` alone when `base` is empty (the page's
/// origin). Refuses anything else.
pub fn join(base: &str, path: &str) -> Result<String, UrlError> {
    let base = parse_base(base)?;
    let (route, query) = match path.split_once('?') {
        Some((route, query)) => (route, Some(query)),
        None => (path, None),
    };
    let query_ok = query.is_none_or(|query| {
        !query
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "\\#".contains(c))
    });
    if !route.starts_with(API_PREFIX) || !clean_path(route) || !query_ok {
        return Err(UrlError::BadPath);
    }
    Ok(format!("{}{}{path}", base.origin, base.prefix))
}
