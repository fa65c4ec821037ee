//! Request URLs stay under the configured server's `/api/v2/` (`gws_client::url::join`).

use gws_client::url::{UrlError, join};

const BASE: &str = "https://gws.example:8443";

#[test]
fn api_paths_are_joined_under_the_base() {
    assert_eq!(
        join(BASE, "/api/v2/me/calls/C%2F1"),
        Ok("https://gws.example:8443/api/v2/me/calls/C%2F1".into())
    );
    assert_eq!(
        join("https://GWS.example/", "/api/v2/me?subresources=*"),
        Ok("https://gws.example/api/v2/me?subresources=*".into())
    );
    assert_eq!(
        join("http://10.0.0.5:8090/gws", "/api/v2/notifications"),
        Ok("http://10.0.0.5:8090/gws/api/v2/notifications".into())
    );
    assert_eq!(
        join("http://[::1]:8090", "/api/v2/me"),
        Ok("http://[::1]:8090/api/v2/me".into())
    );
}

#[test]
fn an_empty_base_keeps_origin_relative_api_paths() {
    assert_eq!(join("", "/api/v2/me"), Ok("/api/v2/me".into()));
    assert_eq!(join("", "//evil.example"), Err(UrlError::BadPath));
    assert_eq!(join("", "//evil.example/api/v2/me"), Err(UrlError::BadPath));
    assert_eq!(join("", "/\\evil.example/api/v2/"), Err(UrlError::BadPath));
}

#[test]
fn paths_that_would_leave_the_server_are_refused() {
    for path in [
        ".evil.example/x",
        "@evil.example",
        "@evil.example/api/v2/me",
        ":1@evil.example/api/v2/me",
        "//evil.example",
        "\\\\evil.example/api/v2/me",
        "/api/v2\\..\\..\\x",
        "/api/v2/../../x",
        "/api/v2/%2e%2e/%2E%2E/x",
        "/api/v2/.%2e/x",
        "/api/v2/./me",
        "/api/v2/me/calls/..",
        "/api/v2/me#/../../x",
        "/api/v2/me /x",
        "/api/v2/me\n/x",
        "/api/v2/@evil.example",
        "/x/api/v2/me",
        "/api/v3/me",
        "api/v2/me",
        "",
    ] {
        assert_eq!(join(BASE, path), Err(UrlError::BadPath), "{path:?}");
    }
}

#[test]
fn bases_that_are_not_plain_origins_are_refused() {
    for base in [
        "gws.example",
        "javascript://gws.example",
        "https://user@evil.example",
        "https://gws.example@evil.example",
        "https://gws.example\\@evil.example",
        "https://gws.example:99999",
        "https://gws.example:x",
        "https://",
        "https://gws.example/../x",
        "https://gws.example/a b",
        "https://gws.example?x",
    ] {
        assert_eq!(join(base, "/api/v2/me"), Err(UrlError::BadBase), "{base:?}");
    }
}
