//! HTTP header names and values chosen by the server, checked before they go into a request.
//!
//! GWS names the CSRF header in `X-CSRF-HEADER` and gives its value in `X-CSRF-TOKEN`. The browser's
//! `Headers.set` throws on a name that is not an HTTP token (a duplicated header arrives joined,
//! `X-CSRF-TOKEN, X-CSRF-TOKEN`) or a value with a line break; a throw in the middle of a request
//! must not be possible from server data, so such a name falls back to the default and such a
//! value is not kept. Nor may the server's name replace a header the widget sets itself — a
//! CSRF "header" named `Authorization` would put a token of the server's choosing in place of
//! the agent's credentials — so those names fall back to the default too.

/// The CSRF request header when the server names none (or names an invalid one).
pub const DEFAULT_CSRF_HEADER: &str = "X-CSRF-TOKEN";

/// Whether `name` is an HTTP token (RFC 9110 §5.6.2): the only valid header names.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` can be sent as a header value: visible ASCII, spaces and tabs inside, no
/// line breaks or other controls, not empty.
pub fn is_field_value(value: &str) -> bool {
    !value.trim().is_empty()
        && value
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Headers the widget sets itself, or that the browser controls: never the CSRF header's name.
const RESERVED: [&str; 8] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "content-type",
    "content-length",
    "accept",
    "host",
    "origin",
];

/// The CSRF header to send: the server's choice when it is a valid name of no header the
/// widget or the browser sets, else the default.
pub fn csrf_header_name(announced: Option<&str>) -> &str {
    match announced.map(str::trim) {
        Some(name)
            if is_token(name)
                && !RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r))
                && !name.to_ascii_lowercase().starts_with("sec-") =>
        {
            name
        }
        _ => DEFAULT_CSRF_HEADER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_announced_header_name_is_used_only_when_it_is_a_token() {
        assert_eq!(csrf_header_name(Some("X-Csrf-Token")), "X-Csrf-Token");
        assert_eq!(csrf_header_name(Some(" X-XSRF ")), "X-XSRF");
        for bad in [
            "X-CSRF-TOKEN, X-CSRF-TOKEN",
            "X CSRF",
            "",
            "X-CSRF\r\nSet-Cookie: a=b",
            "Ünïcode",
            "a:b",
            "Authorization",
            "authorization",
            "Cookie",
            "Content-Type",
            "Accept",
            "Sec-Fetch-Site",
        ] {
            assert_eq!(csrf_header_name(Some(bad)), DEFAULT_CSRF_HEADER, "{bad:?}");
        }
        assert_eq!(csrf_header_name(None), DEFAULT_CSRF_HEADER);
    }

    #[test]
    fn values_with_line_breaks_or_controls_are_refused() {
        assert!(is_field_value("a1b2-c3d4"));
        assert!(is_field_value("token with spaces"));
        for bad in ["", "  ", "a\r\nb", "a\nb", "a\u{0}b", "é"] {
            assert!(!is_field_value(bad), "{bad:?}");
        }
    }
}
