//! HTTP Basic authentication, the `JSESSIONID` session and CSRF tokens.
//!
//! Why the Basic header wins over the cookie: several widgets for different users live in one
//! demo page and share one cookie jar, so the cookie names whichever user answered last.
//! For the same reason sessions and CSRF tokens are kept per user, not per cookie.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use gws_protocol::ApiStatus;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "JSESSIONID";
/// Response header naming the request header that carries the token.
pub const CSRF_HEADER_NAME: &str = "X-CSRF-HEADER";
/// The token header.
pub const CSRF_TOKEN: &str = "X-CSRF-TOKEN";
/// The 403 body of a missing or wrong token (gws-api.md §2.3).
pub const CSRF_FAILURE: &str = "Missing or invalid Csrf token";

// The sessions themselves are data the shared state owns (`state/sessions.rs`); re-exported
// here, where they have always been named.
pub use crate::state::sessions::{AuthSessions, Session};

/// The authenticated user, put into request extensions by [`require_auth`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser(pub String);

/// `401` with `statusCode 20` and no `WWW-Authenticate` (which would pop a browser dialog).
pub fn unauthorized() -> Response {
    let body = ApiStatus::error(
        gws_protocol::StatusCode::NOT_AUTHENTICATED,
        "Access denied: authentication required",
    );
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        })
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            text.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
        });
    Some(parsed.ok_or(()))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
}

/// Who is calling: the Basic header if present (wrong credentials = 401 even with a valid
/// cookie), else the session cookie.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Option<String> {
    match basic_credentials(headers) {
        Some(Ok((user, password))) => state.check_password(&user, &password),
        Some(Err(())) => None,
        None => session_cookie(headers).and_then(|cookie| state.auth().user_of_cookie(&cookie)),
    }
}

/// Middleware for `/api/v2`: authenticates, checks CSRF on writes, then sets the session
/// cookie and (on GET) the CSRF headers on the response.
pub async fn require_auth(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(user) = authenticate(&state, request.headers()) else {
        return unauthorized();
    };
    let session = state.auth().session(&user);
    let method = request.method().clone();
    let writes = matches!(
        method,
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    if writes && state.config().csrf {
        let presented = request
            .headers()
            .get(CSRF_TOKEN)
            .and_then(|v| v.to_str().ok());
        let valid = presented.is_some_and(|token| {
            crate::guard::constant_time_eq(token.as_bytes(), session.csrf.as_bytes())
        });
        if !valid {
            tracing::debug!(%user, "CSRF token missing or wrong");
            return (StatusCode::FORBIDDEN, CSRF_FAILURE).into_response();
        }
    }
    request.extensions_mut().insert(AuthUser(user.clone()));
    let mut response = next.run(request).await;
    // EndContactCenterSession invalidates the session: then no cookie or token is handed out.
    if let Some(session) = state.auth().current(&user) {
        let headers = response.headers_mut();
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
            session.id
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
        if method == Method::GET {
            headers.insert(CSRF_HEADER_NAME, HeaderValue::from_static(CSRF_TOKEN));
            if let Ok(value) = HeaderValue::from_str(&session.csrf) {
                headers.insert(CSRF_TOKEN, value);
            }
        }
    }
    response
}
