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

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gws_protocol::ApiStatus;

pub use crate::state::access::{AccessPolicy, constant_time_eq};

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
