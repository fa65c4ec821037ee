//! CORS for `/api` and `/sim`: the widget's browser tests run on another port and call the
//! simulator with credentials, so an *allowed* request `Origin` is echoed (never `*`),
//! credentials are allowed and the CSRF headers are exposed. Pre-flights are answered without
//! authentication.
//!
//! Allowed origins ([`crate::guard::AccessPolicy::origin_allowed`]): the loopback names
//! (`http(s)://127.0.0.1`, `localhost`, `[::1]`, any port), `--allow-origin` values, and the
//! simulator's own origin. Another origin gets no `Access-Control-Allow-*` header (its page
//! cannot read `/sim/state` or an agent's calls), its pre-flight is refused (`403`), and its
//! writes (any method but GET/HEAD) are refused (`403`) before they reach a handler: a
//! cross-site form or `no-cors` POST must change nothing even where no other check applies
//! (`--no-csrf`). Requests without `Origin` (Node, curl, same-origin GETs) are not affected.
//!
//! The static files (the built widget at `/`) get `Access-Control-Allow-Origin: *` on every
//! response: a page on another origin embeds the widget with
//! `<script type="module" src="https://host/embed.js">`, and module scripts, their imports
//! (`gws-widget.js`, `snippets/…`) and the `fetch` of the `.wasm` are CORS requests that fail
//! without it. `*` rather than the echoed origin because these requests carry no credentials
//! and the files hold no secrets; it also lets caches share one copy (no `Vary: Origin`).
//! `Cross-Origin-Resource-Policy: cross-origin` lets an embedding page that is cross-origin
//! isolated (COEP `require-corp`) load them too.

use crate::guard::{refusal, request_host};
use crate::state::AppState;
use axum::extract::{Request, State};
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

/// The CORS middleware (applied to the whole app): credentialed CORS for allowed origins on
/// `/api` and `/sim` (others refused, see the module docs); `*` on the static files.
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !applies(request.uri().path()) {
        let mut response = next.run(request).await;
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        );
        return response;
    }
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(value) = &origin {
        let host = request_host(&request);
        let text = String::from_utf8_lossy(value.as_bytes());
        if !state.access().origin_allowed(&text, host.as_deref()) {
            let reads = matches!(*request.method(), Method::GET | Method::HEAD);
            if !reads {
                tracing::warn!(origin = %text, method = %request.method(), path = %request.uri().path(), "cross-origin request refused");
                return refusal(
                    StatusCode::FORBIDDEN,
                    gws_protocol::StatusCode::FORBIDDEN,
                    &format!(
                        "Origin '{text}' is not allowed: start gws-sim with --allow-origin {text}"
                    ),
                );
            }
            // Answered (a same-site navigation may send one), but unreadable by the page.
            let mut response = next.run(request).await;
            response
                .headers_mut()
                .append(header::VARY, HeaderValue::from_static("Origin"));
            return response;
        }
    }
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
