//! Who may talk to the simulator, as data: the allowed origins and hosts (built once from the
//! configuration, read by the CORS and `Host` middleware in [`crate::guard`] and [`crate::cors`])
//! and a constant-time comparison for secrets (passwords, CSRF tokens, session cookies).
//!
//! It lives with the shared state, which owns a policy and compares secrets, so that the state
//! depends on no middleware module (the middleware depends on the state).

use crate::config::SimConfig;
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
