//! The built widget is served compressed when the browser accepts it: precompressed `.br` /
//! `.gz` files where they exist, on-the-fly compression otherwise, and identity for a client
//! that asks for nothing.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{TestApp, config};
use gws_sim::SimConfig;
use http_body_util::BodyExt;
use std::io::Read;
use std::path::PathBuf;
use tower::ServiceExt;

/// A throw-away static dir with an index and a compressible "wasm" file.
struct Dist(PathBuf);

impl Dist {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gws-sim-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("index.html"), "<html>widget</html>").expect("index");
        std::fs::write(dir.join("app.wasm"), wasm_like()).expect("wasm");
        Dist(dir)
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wasm_like() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..20_000u32 {
        bytes.extend_from_slice(format!("fn{} ", i % 97).as_bytes());
    }
    bytes
}

async fn get(
    app: &TestApp,
    path: &str,
    accept: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some(accept) = accept {
        request = request.header("accept-encoding", accept);
    }
    let response = app
        .app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let encoding = response
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, encoding, body.to_vec())
}

fn app_for(dist: &Dist) -> TestApp {
    TestApp::new(SimConfig {
        static_dir: Some(dist.0.clone()),
        ..config()
    })
}

#[tokio::test]
async fn a_gzip_accepting_browser_gets_the_file_gzip_compressed() {
    let dist = Dist::new("gzip");
    let app = app_for(&dist);
    let (status, encoding, body) = get(&app, "/app.wasm", Some("gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut plain)
        .expect("valid gzip");
    assert_eq!(plain, wasm_like());
    assert!(
        body.len() * 3 < plain.len(),
        "{} of {}",
        body.len(),
        plain.len()
    );
}

#[tokio::test]
async fn brotli_is_preferred_when_the_browser_offers_it() {
    let dist = Dist::new("br");
    let app = app_for(&dist);
    let (_, encoding, body) = get(&app, "/app.wasm", Some("gzip, deflate, br")).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert!(body.len() * 3 < wasm_like().len());
}

#[tokio::test]
async fn a_client_that_accepts_no_encoding_gets_the_file_as_is() {
    let dist = Dist::new("identity");
    let app = app_for(&dist);
    let (status, encoding, body) = get(&app, "/app.wasm", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding, None);
    assert_eq!(body, wasm_like());
}

#[tokio::test]
async fn a_precompressed_file_is_served_instead_of_compressing_again() {
    let dist = Dist::new("pre");
    // A marker payload: served verbatim proves the .gz file was used, not recompressed.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, b"precompressed").expect("gzip");
    let precompressed = encoder.finish().expect("gzip");
    std::fs::write(dist.0.join("app.wasm.gz"), &precompressed).expect("gz");
    let app = app_for(&dist);
    let (_, encoding, body) = get(&app, "/app.wasm", Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(body, precompressed);
}

#[tokio::test]
async fn the_api_is_not_affected_by_static_compression() {
    let dist = Dist::new("api");
    let app = app_for(&dist);
    let (status, encoding, _) = get(&app, "/api/v2/diagnostics/version", Some("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding, None);
}
