//! Secrets stay out of what a page can print: the REST client's and the configuration's
//! `Debug` never show the password or the `Authorization` value (logs and error reports end up
//! in support tickets and session-replay tools). And what the page's `fetch` or the server sends
//! back — a badly wrapped `fetch`, a body that stalls or never ends — costs a request, never the
//! widget.

#![cfg(target_arch = "wasm32")]

use gws_widget::WidgetConfig;
use gws_widget::drivers::rest::RestClient;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PASSWORD: &str = "s3cret-Pa55";
/// `agent1:s3cret-Pa55` in base64, as it would appear in an `Authorization` header.
const BASIC: &str = "YWdlbnQxOnMzY3JldC1QYTU1";

#[wasm_bindgen_test]
fn the_rest_client_debug_shows_no_credentials() {
    let rest = RestClient::new("http://127.0.0.1:1", "agent1", PASSWORD);
    rest.set_credentials("agent1", PASSWORD)
        .expect("the same user");
    let shown = format!("{rest:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(!shown.contains(BASIC), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

/// Re-authentication keeps the user: credentials of another one (a provider answering for
/// whoever signed in to the CRM since) are refused, and the first user's stay in use.
#[wasm_bindgen_test]
fn re_authentication_refuses_another_user() {
    let rest = RestClient::new("http://127.0.0.1:1", "agent1", PASSWORD);
    let refused = rest
        .set_credentials("agent2", "agent2")
        .expect_err("another user");
    assert_eq!(refused, gws_client::ReauthFailure::OtherUser);
    assert!(rest.set_credentials("agent1", "new-password").is_ok());
}

#[wasm_bindgen_test]
fn the_configuration_debug_shows_no_password() {
    let config = WidgetConfig::new("http://127.0.0.1:1", "agent1", PASSWORD);
    let shown = format!("{config:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("agent1"), "{shown}");
}

/// What the page's `fetch` does when a host page or an extension wraps it badly.
const BROKEN_FETCHES: [(&str, &str); 4] = [
    (
        "resolves to a plain object",
        "() => Promise.resolve({ ok: true, status: 200 })",
    ),
    (
        "throws",
        "() => { throw new TypeError('blocked by policy') }",
    ),
    ("returns no promise", "() => undefined"),
    ("rejects with a string", "() => Promise.reject('nope')"),
];

/// A `fetch` wrapped badly by the host page costs a request, never the widget: gloo's
/// `Request::send` panicked on a non-`Response` (and a panic stops every widget of the page),
/// and a wrapper that throws unwound through wasm. Every REST and Bayeux path, and the keepalive
/// goodbye, gets a network error instead.
#[wasm_bindgen_test]
async fn a_badly_wrapped_fetch_costs_a_request_not_the_widget() {
    use gws_client::{Millis, Outcome};
    use gws_widget::drivers::rest::BayeuxReply;
    use gws_widget::error::ApiError;

    let global = js_sys::global();
    let original = js_sys::Reflect::get(&global, &"fetch".into()).expect("fetch");
    let rest = RestClient::new("", "agent1", PASSWORD);
    let mut seen = Vec::new();
    for (what, wrapper) in BROKEN_FETCHES {
        let wrapper = js_sys::eval(&format!("({wrapper})")).expect("wrapper");
        js_sys::Reflect::set(&global, &"fetch".into(), &wrapper).expect("patch fetch");
        let get = rest.get_text("/api/v2/me").await;
        let post = rest.post_text("/api/v2/me/calls/c1", "{}".into()).await;
        let bayeux = match rest
            .post_bayeux("/api/v2/notifications", "[]".into(), Millis(300))
            .await
        {
            BayeuxReply::Done(outcome) => Some(outcome),
            BayeuxReply::Body(_) => None,
        };
        rest.post_keepalive("/api/v2/notifications", "[]");
        seen.push((what, get, post, bayeux));
    }
    js_sys::Reflect::set(&global, &"fetch".into(), &original).expect("restore fetch");
    for (what, get, post, bayeux) in seen {
        let failed = |result: &Result<String, ApiError>| {
            matches!(result, Err(ApiError::Network(_) | ApiError::Timeout))
        };
        assert!(failed(&get), "GET when fetch {what}: {get:?}");
        assert!(failed(&post), "POST when fetch {what}: {post:?}");
        assert!(
            matches!(bayeux, Some(Outcome::NetworkError(_) | Outcome::Timeout)),
            "Bayeux POST when fetch {what}: {bayeux:?}"
        );
        if what == "throws" {
            assert!(format!("{get:?}").contains("blocked by policy"), "{get:?}");
        }
    }
}

/// A reply whose body stalls after its headers, or never ends, costs one request: the body is
/// read by the request's deadline and up to 8 MiB. (`Response::text()` waited forever on a
/// stalled body — a sign-in that never finished — and held an endless one in memory.)
#[wasm_bindgen_test]
async fn a_stalled_or_endless_reply_body_costs_a_request() {
    use gws_client::{Millis, Outcome};
    use gws_widget::drivers::rest::{BayeuxReply, MAX_REST_BODY_BYTES};
    use gws_widget::error::ApiError;

    let global = js_sys::global();
    let original = js_sys::Reflect::get(&global, &"fetch".into()).expect("fetch");
    let rest = RestClient::new("", "agent1", PASSWORD).with_timeout(500);
    let serve = |body: &str| {
        let wrapper = js_sys::eval(&format!("(() => Promise.resolve(new Response({body})))"))
            .expect("wrapper");
        js_sys::Reflect::set(&global, &"fetch".into(), &wrapper).expect("patch fetch");
    };
    serve(
        "new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{\"statusCode\"')) } })",
    );
    let stalled_get = rest.get_text("/api/v2/me").await;
    let stalled_post = rest.post_text("/api/v2/me/calls/c1", "{}".into()).await;
    serve("new ReadableStream({ start(c) { c.enqueue(new Uint8Array([123])) } }), { status: 503 }");
    let stalled_bayeux_error = match rest
        .post_bayeux("/api/v2/notifications", "[]".into(), Millis(300))
        .await
    {
        BayeuxReply::Done(outcome) => Some(outcome),
        BayeuxReply::Body(_) => None,
    };
    serve("new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1 << 20).fill(32)) } })");
    let endless = rest.get_text("/api/v2/me").await;
    serve("'{\"statusCode\":0}'");
    let fine = rest.post_text("/api/v2/me/calls/c1", "{}".into()).await;
    js_sys::Reflect::set(&global, &"fetch".into(), &original).expect("restore fetch");

    assert!(
        matches!(stalled_get, Err(ApiError::Timeout)),
        "{stalled_get:?}"
    );
    assert!(
        matches!(stalled_post, Err(ApiError::Timeout)),
        "{stalled_post:?}"
    );
    assert_eq!(stalled_bayeux_error, Some(Outcome::Timeout));
    match endless {
        Err(ApiError::Network(message)) => {
            assert!(
                message.contains(&MAX_REST_BODY_BYTES.to_string()),
                "{message}"
            )
        }
        other => panic!("an endless body must fail: {other:?}"),
    }
    assert_eq!(fine.as_deref(), Ok("{\"statusCode\":0}"));
}

/// No request follows a redirect: a proxy or an open redirect answering 307 to another origin
/// would otherwise receive the CSRF token, the body (numbers dialled, customer data) and the
/// cookies, and choose the next CSRF header. One-shot calls, Bayeux polls and the keepalive
/// `/meta/disconnect` all ask the browser to fail instead.
#[wasm_bindgen_test]
async fn no_request_follows_a_redirect() {
    use gws_client::Millis;
    let global = js_sys::global();
    let original = js_sys::Reflect::get(&global, &"fetch".into()).expect("fetch");
    let recorder = js_sys::eval(
        "(() => { globalThis.__gwsRedirects = []; return (input, init) => { \
           globalThis.__gwsRedirects.push(input instanceof Request ? input.redirect : init && init.redirect); \
           return Promise.resolve(new Response('{\"statusCode\":0}')); }; })()",
    )
    .expect("recorder");
    js_sys::Reflect::set(&global, &"fetch".into(), &recorder).expect("patch fetch");
    let rest = RestClient::new("", "agent1", PASSWORD);
    let _ = rest.get_text("/api/v2/me").await;
    let _ = rest.post_text("/api/v2/me/calls/c1", "{}".into()).await;
    let _ = rest
        .post_bayeux("/api/v2/notifications", "[]".into(), Millis(1_000))
        .await;
    rest.post_keepalive("/api/v2/notifications", "[]");
    js_sys::Reflect::set(&global, &"fetch".into(), &original).expect("restore fetch");
    let seen: Vec<Option<String>> = js_sys::Array::from(
        &js_sys::Reflect::get(&global, &"__gwsRedirects".into()).expect("recorded"),
    )
    .iter()
    .map(|mode| mode.as_string())
    .collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(
        seen.iter().all(|mode| mode.as_deref() == Some("error")),
        "{seen:?}"
    );
}
