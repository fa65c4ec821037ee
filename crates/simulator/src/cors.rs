//! CORS for `/api` and `/sim`: the widget's browser tests run on another port and call the
//! simulator with credentials, so the request `Origin` is echoed (never `*`), credentials are
//! allowed and the CSRF headers are exposed. Pre-flights are answered without authentication.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Methods a cross-origin caller may use.
pub const ALLOW_METHODS: &str = "GET,POST,PUT,DELETE,OPTIONS";
/// Request headers a cross-origin caller may send.
pub const ALLOW_HEADERS: &str =
    "Authorization,Content-Type,X-CSRF-TOKEN,X-Requested-With,Accept,Origin";
/// Response headers browser code may read.
pub const EXPOSE_HEADERS: &str = "X-CSRF-HEADER,X-CSRF-TOKEN";

fn applies(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/sim" || path.starts_with("/sim/")
}

/// The CORS middleware (applied to the whole app; acts on `/api` and `/sim` only).
pub async fn cors(request: Request, next: Next) -> Response {
    if !applies(request.uri().path()) {
        return next.run(request).await;
    }
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("120"),
        );
        preflight
    } else {
        next.run(request).await
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
