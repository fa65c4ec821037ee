//! Static serving of the built widget, or a short page explaining how to build it.
//!
//! Compressed: the wasm is about 1 MB raw and a third of that gzip'd, so a demo page served
//! uncompressed transfers three times what a real deployment (behind any web server) would.
//! A `file.br` / `file.gz` beside a file is served as is when the browser accepts it (best
//! ratio, no CPU per request); anything else is compressed on the fly at a fast level.
//!
//! The CRM embed demo (`/crm-demo.html`) is served under the strictest Content-Security-Policy
//! a host page is likely to have ([`STRICT_CSP`]), so the demo and its e2e test prove the widget
//! needs nothing more: no inline script or style, no `eval`, no `blob:` worker.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, Response};
use axum::routing::get;
use std::path::Path;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

const NO_WIDGET: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gws-sim</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>gws-sim is running</h1>
<p>The widget has not been built yet, so there is nothing to show here.</p>
<p>Run <code>scripts/demo.sh</code> from the repository root: it builds the widget into
<code>dist/</code> and starts this simulator serving it.</p>
<p>The API is at <code>/api/v2</code>, CometD at <code>/api/v2/notifications</code>, and the control API
at <code>/sim</code> (try <a href="/sim/state">/sim/state</a>).</p>
</body></html>"#;

/// The policy of the CRM embed demo page: scripts and styles only from files of this origin,
/// WebAssembly compilation allowed (`'wasm-unsafe-eval'`, without which no wasm runs), network
/// only to this origin (here the GWS API, the widget's files and the page are all one origin; a
/// real host lists its GWS origin in `connect-src`). docs/integration.md explains each directive.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; style-src 'self'";

/// The pages served under [`STRICT_CSP`].
const STRICT_CSP_PAGES: [&str; 1] = ["/crm-demo.html"];

/// Middleware: adds [`STRICT_CSP`] to the responses for [`STRICT_CSP_PAGES`].
async fn strict_csp(request: Request, next: Next) -> Response {
    let strict = STRICT_CSP_PAGES.contains(&request.uri().path());
    let mut response = next.run(request).await;
    if strict {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        );
    }
    response
}

/// Serves `dir` at `/` when it holds an `index.html`, else the "how to build it" page.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    match dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            Router::new()
                .fallback_service(
                    ServeDir::new(dir)
                        .append_index_html_on_directories(true)
                        .precompressed_br()
                        .precompressed_gzip()
                        .fallback(index),
                )
                // Already-encoded (precompressed) responses pass through untouched.
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(3)))
                .layer(axum::middleware::from_fn(strict_csp))
        }
        None => Router::new().route("/", get(|| async { Html(NO_WIDGET) })),
    }
}
