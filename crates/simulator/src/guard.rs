//! Who may talk to the simulator: the `Host` check (DNS rebinding), the origin allow-list used
//! by CORS ([`crate::cors`]), the `Content-Type` check of `/sim` (no simple cross-site POST),
//! and a constant-time comparison for secrets.
//!
//! Why: `/sim` has no authentication (tests and the demo console drive it), so any web page
//! the simulator's user visits must not be able to drive it either:
//! - a `text/plain` or form POST needs no CORS pre-flight, so `/sim` writes require
//!   `Content-Type: application/json` (which does need one) → otherwise `415`;
//! - CORS answers only allowed origins (loopback origins by default, plus `--allow-origin`);
//! - a DNS-rebinding page reaches the simulator under its own host name, so the `Host`
//!   header must be a loopback name or an `--allow-host` value → otherwise `421`.

use crate::config::SimConfig;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gws_protocol::ApiStatus;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Compares two secrets in time that depends on their lengths only, not on where they
/// differ (passwords, CSRF tokens, session cookies).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let longest = a.len().max(b.len());
    let mut difference = a.len() ^ b.len();
    for i in 0..longest {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        difference |= usize::from(x ^ y);
    }
    std::hint::black_box(difference) == 0
}

/// The allowed origins and hosts, built once from the configuration.
#[derive(Debug, Clone, Default)]
pub struct AccessPolicy {
    /// `--allow-origin` values, normalized (`scheme://host[:port]`, lower case, no `/`).
    origins: Vec<String>,
    /// `--allow-host` values (and the host of `--external-url`), lower case; one without a
    /// port matches any port.
    hosts: Vec<String>,
}

impl AccessPolicy {
    /// The policy of `config` (`allow_origins`, `allow_hosts`, and the host and origin of
    /// `external_url`, which clients are told to use).
    pub fn new(config: &SimConfig, external_url: &str) -> Self {
        let mut origins: Vec<String> = config
            .allow_origins
            .iter()
            .map(|o| normalize_origin(o))
            .collect();
        let mut hosts: Vec<String> = config
            .allow_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some((_, authority)) = external_url.split_once("://") {
            let authority = authority
                .split('/')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if !authority.is_empty() {
                origins.push(normalize_origin(external_url));
                hosts.push(authority);
            }
        }
        AccessPolicy { origins, hosts }
    }

    /// Whether `host` (a `Host` header value) names this simulator: a loopback name
    /// (127.0.0.0/8, `localhost`, `[::1]`, any port) or an allowed host.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, _) = split_port(&host);
        is_loopback_name(name)
            || self.hosts.iter().any(|allowed| {
                *allowed == host || (split_port(allowed).1.is_none() && allowed == name)
            })
    }

    /// Whether a request with this `Origin` may read answers (CORS) and write: a loopback
    /// origin (`http(s)://127.0.0.1`, `localhost` or `[::1]`, any port), an allowed one, or
    /// the request's own origin (`host` = its `Host` header, already checked).
    pub fn origin_allowed(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = normalize_origin(origin);
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false; // `null`, or garbage
        };
        if scheme != "http" && scheme != "https" {
            return false;
        }
        let (name, _) = split_port(authority);
        matches!(name, "127.0.0.1" | "localhost" | "[::1]")
            || self.origins.contains(&origin)
            || host.is_some_and(|h| h.trim().eq_ignore_ascii_case(authority))
    }
}

fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// `("name", Some("port"))` from `name:port`, `[v6]:port`, `name` or `[v6]`.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let port = authority[end + 1..].strip_prefix(':');
                (&authority[..=end], port)
            }
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (authority, None),
    }
}

/// 127.0.0.0/8, `localhost` or `[::1]` (lower case, without the port).
fn is_loopback_name(name: &str) -> bool {
    if name == "localhost" {
        return true;
    }
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// A refusal with the GWS error shape `{statusCode, statusMessage}`.
pub fn refusal(http: StatusCode, code: gws_protocol::StatusCode, message: &str) -> Response {
    (http, axum::Json(ApiStatus::error(code, message))).into_response()
}

/// The `Host` of a request: the header, else the URI's authority (HTTP/2); `None` when the
/// request names none (an HTTP/1.0 client, or an in-process test).
pub fn request_host(request: &Request) -> Option<String> {
    host_of(request.headers()).or_else(|| request.uri().authority().map(|a| a.to_string()))
}

fn host_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::HOST)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Middleware (the whole app): a request whose `Host` is not a loopback name or an allowed
/// host gets `421 Misdirected Request` with `statusCode 3`. A request without any `Host`
/// passes: browsers always send one, so a rebinding page cannot omit it.
pub async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(host) = request_host(&request)
        && !state.access().host_allowed(&host)
    {
        tracing::warn!(%host, path = %request.uri().path(), "request for another host refused");
        return refusal(
            StatusCode::MISDIRECTED_REQUEST,
            gws_protocol::StatusCode::FORBIDDEN,
            &format!(
                "Host '{host}' is not served here: use a loopback address or start gws-sim with --allow-host"
            ),
        );
    }
    next.run(request).await
}

/// Whether `headers` declare a JSON body (`application/json`, any parameters, any case).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Middleware for `/sim`: a write (any method but GET, HEAD, OPTIONS) without
/// `Content-Type: application/json` gets `415` with `statusCode 2` and does nothing. Why:
/// `text/plain`, form and multipart POSTs are "simple" requests a page on any site may send
/// without a CORS pre-flight; a JSON one needs the pre-flight, which CORS answers only for
/// allowed origins.
pub async fn require_json(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !is_json(request.headers()) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            gws_protocol::StatusCode::PARAMETER_INVALID,
            "Content-Type must be application/json",
        );
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(origins: &[&str], hosts: &[&str]) -> AccessPolicy {
        let config = SimConfig {
            allow_origins: origins.iter().map(|s| s.to_string()).collect(),
            allow_hosts: hosts.iter().map(|s| s.to_string()).collect(),
            ..SimConfig::default()
        };
        AccessPolicy::new(&config, "http://127.0.0.1:8080")
    }

    #[test]
    fn constant_time_eq_compares_bytes_and_lengths() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret\0"));
        assert!(!constant_time_eq(b"", b"\0"));
        assert!(!constant_time_eq(b"a", b""));
    }

    #[test]
    fn loopback_hosts_are_allowed_with_any_port_others_only_when_listed() {
        let p = policy(&[], &["sim.test", "box.lan:9000"]);
        for host in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "127.1.2.3:1",
            "localhost",
            "LOCALHOST:80",
            "[::1]:8080",
            "[::1]",
            "sim.test:1234",
            "sim.test",
            "box.lan:9000",
        ] {
            assert!(p.host_allowed(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "128.0.0.1",
            "[::2]:80",
            "box.lan",
            "box.lan:9001",
            "0.0.0.0:8080",
            "",
        ] {
            assert!(!p.host_allowed(host), "{host}");
        }
    }

    #[test]
    fn loopback_origin_names_listed_and_same_origin_are_allowed() {
        let p = policy(&["http://Embed.Test:9000/"], &[]);
        for origin in [
            "http://127.0.0.1:5000",
            "https://127.0.0.1",
            "http://localhost:3000",
            "http://[::1]:8080",
            "http://embed.test:9000",
        ] {
            assert!(p.origin_allowed(origin, None), "{origin}");
        }
        for origin in [
            "https://evil.example",
            "http://127.0.0.2:5000",
            "http://embed.test:9001",
            "null",
            "file://",
            "ftp://127.0.0.1",
        ] {
            assert!(!p.origin_allowed(origin, None), "{origin}");
        }
        assert!(p.origin_allowed("http://box.lan:8080", Some("box.lan:8080")));
        assert!(!p.origin_allowed("http://box.lan:8081", Some("box.lan:8080")));
        // The external URL's origin is the simulator's own.
        assert!(p.origin_allowed("http://127.0.0.1:8080", None));
    }
}
