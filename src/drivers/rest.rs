//! One-shot REST calls to GWS over `fetch` (gloo-net).
//!
//! Every request carries HTTP Basic credentials (GWS sessions can be keyed by the Basic user, so
//! several widgets for different users can share one page and its cookie jar) and
//! `credentials: include` (the `JSESSIONID` cookie). The CSRF token announced in the
//! `X-CSRF-HEADER` / `X-CSRF-TOKEN` response headers of any GET is sent on every POST; a 403 for
//! a stale token triggers one refresh and one retry.

use crate::drivers::clock;
use crate::error::ApiError;
use futures::future::{Either, select};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::future::TimeoutFuture;
use gws_client::header::{DEFAULT_CSRF_HEADER, csrf_header_name, is_field_value};
use gws_client::url::{self, UrlError};
use gws_client::{HttpRequest, Method, Millis, Outcome, ReauthFailure};
use gws_protocol::ApiStatus;
use js_sys::Uint8Array;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ReadableStreamDefaultReader, ReadableStreamReadResult, RequestCredentials,
    RequestRedirect,
};

/// Timeout of one-shot REST calls: headers and the whole body.
pub const REST_TIMEOUT_MS: u32 = 15_000;

/// The largest REST reply body read: 8 MiB. GWS replies are kilobytes (a snapshot of the 64
/// calls the store keeps is a few hundred); a server or proxy that sends an endless body must
/// cost a request, not the tab's memory (wasm memory never shrinks).
pub const MAX_REST_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct CsrfToken {
    header: String,
    value: String,
}

/// A REST client bound to one server and one user. Cheap to clone (clones share the
/// credentials and the token cache). Its `Debug` shows no secret.
#[derive(Clone)]
pub struct RestClient {
    base: String,
    /// The user it signs in as, for its whole life: the tab group, the stores and the host's
    /// events are this user's (see [`RestClient::set_credentials`]).
    username: Rc<str>,
    /// The `Authorization` header value; replaced on re-authentication.
    authorization: Rc<RefCell<String>>,
    csrf: Rc<RefCell<Option<CsrfToken>>>,
    /// How long a one-shot call may take, body included ([`REST_TIMEOUT_MS`]).
    timeout_ms: u32,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient")
            .field("base", &self.base)
            .field("authorization", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The HTTP Basic `Authorization` header value.
fn basic_authorization(username: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64(format!("{username}:{password}").as_bytes())
    )
}

/// Why a fetch produced no response.
enum FetchFailure {
    Timeout,
    Network(String),
}

impl RestClient {
    /// A client for `base` (server root, no `/api/v2`; empty = same origin).
    pub fn new(base: &str, username: &str, password: &str) -> Self {
        RestClient {
            base: base.trim_end_matches('/').to_string(),
            username: username.into(),
            authorization: Rc::new(RefCell::new(basic_authorization(username, password))),
            csrf: Rc::new(RefCell::new(None)),
            timeout_ms: REST_TIMEOUT_MS,
        }
    }

    /// The same client with another timeout for one-shot calls (tests of slow servers).
    pub fn with_timeout(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }

    /// Uses these credentials for every request from now on (re-authentication), in every
    /// clone of this client — for the same user only. A host's provider that now answers for
    /// another user (someone else signed in to the CRM on this workstation) must not turn this
    /// widget into theirs: it still leads the first user's other tabs, which would be shown
    /// the new user's calls and customer data, and relay their operations under the new
    /// user's name. A new user is a new widget (a reload); the credentials stay unchanged.
    pub fn set_credentials(&self, username: &str, password: &str) -> Result<(), ReauthFailure> {
        if username != &*self.username {
            return Err(ReauthFailure::OtherUser);
        }
        *self.authorization.borrow_mut() = basic_authorization(username, password);
        Ok(())
    }

    /// The current `Authorization` value and CSRF token, copied out: no `RefCell` borrow may
    /// be held across a call into JS (a throwing setter would leave it held, and the next
    /// `borrow_mut` would panic and kill the shared wasm instance).
    fn secrets(&self) -> (String, Option<CsrfToken>) {
        let authorization = self.authorization.borrow().clone();
        let csrf = self.csrf.borrow().clone();
        (authorization, csrf)
    }

    /// The URL of `path` under the configured base — or an error, and then no request is
    /// sent: the pure check ([`gws_client::url::join`]) refuses anything but a clean
    /// `/api/v2/…` path, and the page's URL parser must agree that the result keeps the base's
    /// origin (the page's when the base is empty) and the `/api/v2/` path.
    pub fn url(&self, path: &str) -> Result<String, ApiError> {
        let refused = |error: UrlError| ApiError::Network(error.to_string());
        let joined = url::join(&self.base, path).map_err(refused)?;
        let base = url::parse_base(&self.base).map_err(refused)?;
        let origin = match base.origin.as_str() {
            "" => web_sys::window()
                .and_then(|window| window.location().origin().ok())
                .ok_or(refused(UrlError::BadBase))?,
            origin => origin.to_string(),
        };
        let expected_origin = web_sys::Url::new(&origin).map_err(|_| refused(UrlError::BadBase))?;
        let expected_path = format!("{}{}", base.prefix, url::API_PREFIX);
        match web_sys::Url::new_with_base(&joined, &origin) {
            Ok(parsed)
                if parsed.origin() == expected_origin.origin()
                    && parsed.pathname().starts_with(&expected_path) =>
            {
                Ok(parsed.href())
            }
            _ => Err(refused(UrlError::BadPath)),
        }
    }

    fn authorised(&self, builder: RequestBuilder, with_csrf: bool) -> RequestBuilder {
        let (authorization, csrf) = self.secrets();
        // Never followed: a redirect would carry the CSRF token, the body and the cookies to
        // an address nobody configured (and read the next token from its answer). GWS itself
        // does not redirect API calls; a proxy that does is a `baseUrl` to correct.
        let mut builder = builder
            .redirect(RequestRedirect::Error)
            .credentials(RequestCredentials::Include)
            .header("Authorization", &authorization)
            .header("Accept", "application/json");
        if with_csrf && let Some(token) = csrf {
            builder = builder.header(&token.header, &token.value);
        }
        builder
    }

    fn remember_csrf(&self, response: &Response) {
        let headers = response.headers();
        // Server data: an invalid name falls back to the default, an invalid value is dropped
        // (either would make `Headers.set` throw in the middle of the next request).
        if let Some(value) = headers
            .get(DEFAULT_CSRF_HEADER)
            .filter(|v| is_field_value(v))
        {
            let announced = headers.get("X-CSRF-HEADER");
            let header = csrf_header_name(announced.as_deref()).to_string();
            *self.csrf.borrow_mut() = Some(CsrfToken { header, value });
        }
    }

    async fn send(
        &self,
        request: Request,
        controller: Option<AbortController>,
        timeout_ms: u32,
    ) -> Result<Response, FetchFailure> {
        let fetch = Box::pin(fetch_response(request.into()));
        let timer = Box::pin(TimeoutFuture::new(timeout_ms));
        match select(fetch, timer).await {
            Either::Left((Ok(response), _)) => {
                self.remember_csrf(&response);
                Ok(response)
            }
            Either::Left((Err(failure), _)) => Err(failure),
            Either::Right(((), _)) => {
                controller.inspect(AbortController::abort);
                Err(FetchFailure::Timeout)
            }
        }
    }

    fn abortable(builder: RequestBuilder) -> (RequestBuilder, Option<AbortController>) {
        match AbortController::new() {
            Ok(controller) => {
                let builder = builder.abort_signal(Some(&controller.signal()));
                (builder, Some(controller))
            }
            Err(_) => (builder, None),
        }
    }

    async fn fetch(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
        timeout_ms: u32,
    ) -> Result<Response, FetchFailure> {
        let (builder, controller) = Self::abortable(builder);
        let request = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body),
            None => builder.build(),
        }
        .map_err(|e| FetchFailure::Network(e.to_string()))?;
        self.send(request, controller, timeout_ms).await
    }

    /// A one-shot request: its status and body text, both within the client's timeout.
    async fn exchange(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
    ) -> Result<(u16, String), ApiError> {
        let deadline = clock::now() + Millis(u64::from(self.timeout_ms));
        let response = self
            .fetch(builder, body, self.timeout_ms)
            .await
            .map_err(api_failure)?;
        let status = response.status();
        Ok((status, read_text(response, deadline).await?))
    }

    /// Sends a request of the widget core: the body of its successful reply, or the error.
    pub async fn perform(&self, request: HttpRequest) -> Result<String, ApiError> {
        match (request.method, request.body) {
            (Method::Post, Some(body)) => self.post_text(&request.path, body).await,
            _ => self.get_text(&request.path).await,
        }
    }

    /// `GET path`, decoded as `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        decode(&self.get_text(path).await?)
    }

    /// `GET path`: the body of a 2xx reply.
    pub async fn get_text(&self, path: &str) -> Result<String, ApiError> {
        let builder = self.authorised(Request::get(&self.url(path)?), false);
        let (status, text) = self.exchange(builder, None).await?;
        if !(200..300).contains(&status) {
            return Err(error_from(status, &text));
        }
        Ok(text)
    }

    /// Re-reads the CSRF token (any authenticated GET announces it).
    pub async fn refresh_csrf(&self) -> Result<(), ApiError> {
        self.get_json::<serde_json::Value>("/api/v2/me")
            .await
            .map(|_| ())
    }

    /// `POST path` with a JSON body. Succeeds only on HTTP 2xx with `statusCode 0`.
    pub async fn post_json<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<ApiStatus, ApiError> {
        let body = serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        decode(&self.post_text(path, body).await?)
    }

    /// `POST path` with a JSON body text: the body of a reply with HTTP 2xx and `statusCode 0`
    /// (a 403 for a stale CSRF token refreshes it and retries once).
    pub async fn post_text(&self, path: &str, body: String) -> Result<String, ApiError> {
        let mut refreshed = false;
        loop {
            let builder = self.authorised(Request::post(&self.url(path)?), true);
            let (status, text) = self.exchange(builder, Some(body.clone())).await?;
            if status == 403 && is_csrf_refusal(&text) {
                if refreshed {
                    return Err(ApiError::Csrf);
                }
                refreshed = true;
                self.refresh_csrf().await?;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(error_from(status, &text));
            }
            let reply: ApiStatus = decode(&text)?;
            return if reply.is_ok() {
                Ok(text)
            } else {
                Err(ApiError::Rejected {
                    code: reply.status_code,
                    message: reply
                        .status_message
                        .0
                        .unwrap_or_else(|| "The operation was refused".into()),
                })
            };
        }
    }

    /// Fire-and-forget `POST` that outlives the page (`keepalive`): the `/meta/disconnect` sent on
    /// `pagehide`, when awaiting a response is no longer possible. `sendBeacon` cannot carry the
    /// Authorization and CSRF headers, a keepalive fetch can.
    pub fn post_keepalive(&self, path: &str, body: &str) {
        let Ok(url) = self.url(path) else {
            return;
        };
        let Ok(headers) = web_sys::Headers::new() else {
            return;
        };
        let _ = headers.append("Content-Type", "application/json");
        let (authorization, csrf) = self.secrets();
        let _ = headers.append("Authorization", &authorization);
        if let Some(token) = csrf {
            let _ = headers.append(&token.header, &token.value);
        }
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        // web-sys has no setter for `keepalive` yet; it is a plain RequestInit member.
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
        init.set_credentials(RequestCredentials::Include);
        init.set_redirect(RequestRedirect::Error);
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
        let _ = fetch_url(&url, &init);
    }

    /// `POST path` for the Bayeux loop: a 200 reply whose body is still to be read
    /// ([`BayeuxReply::Body`]), or whatever else happened as an [`Outcome`] for the sans-IO
    /// client (which owns all interpretation, including of malformed bodies).
    ///
    /// Why a 200 body is not read here: a long-poll reply after a stall carries a backlog
    /// (issue 14: thousands of messages, megabytes). Read whole, it sat in wasm memory as bytes,
    /// then as text, then as decoded messages; the loop instead feeds it to the client piece by
    /// piece ([`BodyStream`]). Where the browser gives no body stream, the body is read whole.
    pub async fn post_bayeux(&self, path: &str, body: String, timeout: Millis) -> BayeuxReply {
        let url = match self.url(path) {
            Ok(url) => url,
            Err(error) => return BayeuxReply::Done(Outcome::NetworkError(error.to_string())),
        };
        let builder = self.authorised(Request::post(&url), true);
        let deadline = clock::now() + timeout;
        let timeout = u32::try_from(timeout.as_u64()).unwrap_or(u32::MAX);
        let response = match self.fetch(builder, Some(body), timeout).await {
            Ok(response) => response,
            Err(FetchFailure::Timeout) => return BayeuxReply::Done(Outcome::Timeout),
            Err(FetchFailure::Network(error)) => {
                return BayeuxReply::Done(Outcome::NetworkError(error));
            }
        };
        let status = response.status();
        if status == 200
            && let Some(body) = BodyStream::of(&response, deadline)
        {
            return BayeuxReply::Body(body);
        }
        // An error reply (or a browser without body streams): read whole, but by the deadline
        // and bounded, like a one-shot reply.
        BayeuxReply::Done(match read_text(response, deadline).await {
            Ok(body) => Outcome::Http { status, body },
            Err(ApiError::Timeout) => Outcome::Timeout,
            Err(error) => Outcome::NetworkError(error.to_string()),
        })
    }
}

/// What a Bayeux POST gave the loop.
pub enum BayeuxReply {
    /// A 200 reply: its body is read piece by piece into the client.
    Body(BodyStream),
    /// Anything else, complete.
    Done(Outcome),
}

/// The most bytes copied into wasm memory at once from a response body: the browser's chunks
/// can be larger, and the copy is what stays allocated (wasm memory never shrinks).
pub const PIECE_BYTES: u32 = 64 * 1024;

/// The body of a 200 Bayeux reply, read as the network delivers it.
pub struct BodyStream {
    reader: ReadableStreamDefaultReader,
    /// The browser's chunk being copied out, and how much of it has been.
    chunk: Option<(Uint8Array, u32)>,
    /// The copy of the current piece (reused: its allocation is at most [`PIECE_BYTES`]).
    piece: Vec<u8>,
    /// The request's deadline: a body still arriving then is abandoned.
    deadline: Millis,
}

impl BodyStream {
    /// `response`'s body, to be read by `deadline`; `None` when the browser gives no body stream
    /// (or there is no body).
    fn of(response: &Response, deadline: Millis) -> Option<BodyStream> {
        let reader = response
            .body()
            .and_then(|stream| stream.get_reader().dyn_into().ok())?;
        Some(BodyStream {
            reader,
            chunk: None,
            piece: Vec::new(),
            deadline,
        })
    }

    /// The next piece of the body (at most [`PIECE_BYTES`]): `Ok(None)` at its end, `Err` if
    /// the network failed or the request's deadline passed while reading it.
    pub async fn next_piece(&mut self) -> Result<Option<&[u8]>, String> {
        let (chunk, offset) = match self.chunk.take() {
            Some(current) => current,
            None => match self.read_chunk().await? {
                Some(chunk) => (chunk, 0),
                None => return Ok(None),
            },
        };
        let end = chunk.length().min(offset.saturating_add(PIECE_BYTES));
        let part = chunk.subarray(offset, end);
        self.piece.resize(part.length() as usize, 0);
        part.copy_to(&mut self.piece);
        if end < chunk.length() {
            self.chunk = Some((chunk, end));
        }
        Ok(Some(&self.piece))
    }

    /// The browser's next non-empty chunk, `None` at the end.
    async fn read_chunk(&mut self) -> Result<Option<Uint8Array>, String> {
        loop {
            let left = self.deadline - clock::now();
            let read = Box::pin(JsFuture::from(self.reader.read()));
            let timer = Box::pin(TimeoutFuture::new(
                u32::try_from(left.as_u64()).unwrap_or(u32::MAX),
            ));
            let result = match select(read, timer).await {
                Either::Left((Ok(result), _)) => result,
                Either::Left((Err(error), _)) => {
                    return Err(error
                        .as_string()
                        .unwrap_or_else(|| "body read failed".into()));
                }
                Either::Right(((), _)) => return Err("timed out reading the body".into()),
            };
            let result: ReadableStreamReadResult = result.unchecked_into();
            if result.get_done().unwrap_or(true) {
                return Ok(None);
            }
            match result.get_value().dyn_into::<Uint8Array>() {
                Ok(chunk) if chunk.length() > 0 => return Ok(Some(chunk)),
                Ok(_) => {}
                Err(_) => return Err("body chunk is not bytes".into()),
            }
        }
    }
}

impl Drop for BodyStream {
    /// Stops the download of a body left unread (abandoned request, loop stopping, deadline):
    /// nothing more of it is wanted. Harmless on a body read to its end.
    fn drop(&mut self) {
        // A stream that failed rejects the cancel: awaited here, so it is no unhandled
        // rejection on the console.
        let cancelled = JsFuture::from(self.reader.cancel());
        wasm_bindgen_futures::spawn_local(async move {
            let _ = cancelled.await;
        });
    }
}

/// The body of a one-shot reply as text, read by the request's `deadline` and at most
/// [`MAX_REST_BODY_BYTES`] long. `Response::text()` alone waited for the body without end: a
/// server that sent its headers and then stalled held the request — a sign-in, a snapshot —
/// forever, and an endless body grew wasm memory until the tab died.
async fn read_text(response: Response, deadline: Millis) -> Result<String, ApiError> {
    let too_large = || ApiError::Network(format!("reply larger than {MAX_REST_BODY_BYTES} bytes"));
    let failed = |error: String| {
        if clock::now() >= deadline {
            ApiError::Timeout
        } else {
            ApiError::Network(error)
        }
    };
    // Dropped on every early return: the rest of the download is cancelled.
    let Some(mut body) = BodyStream::of(&response, deadline) else {
        // No body stream (no body at all, or a browser without streams): whole, by the deadline.
        let left = u32::try_from((deadline - clock::now()).as_u64()).unwrap_or(u32::MAX);
        return match select(
            Box::pin(response.text()),
            Box::pin(TimeoutFuture::new(left)),
        )
        .await
        {
            Either::Left((Ok(text), _)) if text.len() > MAX_REST_BODY_BYTES => Err(too_large()),
            Either::Left((Ok(text), _)) => Ok(text),
            Either::Left((Err(error), _)) => Err(failed(error.to_string())),
            Either::Right(((), _)) => Err(ApiError::Timeout),
        };
    };
    let mut bytes = Vec::new();
    while let Some(piece) = body.next_piece().await.map_err(failed)? {
        if bytes.len() + piece.len() > MAX_REST_BODY_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(piece);
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned()))
}

/// Parses a JSON body into `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    // Category and position only: serde's text can quote customer data from the body.
    serde_json::from_str(text).map_err(|e| ApiError::Decode(gws_protocol::redacted_error(&e)))
}

#[wasm_bindgen]
extern "C" {
    /// The page's `fetch`, bound here rather than through gloo's `Request::send` or web-sys: a
    /// host page or extension may wrap `fetch`, and a wrapper that throws (`catch`) or gives
    /// something other than a promise of a `Response` of this page must cost a request, not the
    /// widget. gloo panics on a non-`Response` ("this is a bug"), and a throw would unwind through
    /// wasm.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_request(input: &web_sys::Request) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_url(input: &str, init: &web_sys::RequestInit) -> Result<JsValue, JsValue>;
}

/// `fetch(request)`: its response, or a network failure for anything else the page's `fetch`
/// did (threw, rejected, or resolved to something that is not a `Response`).
async fn fetch_response(request: web_sys::Request) -> Result<Response, FetchFailure> {
    let failed = |error: JsValue| FetchFailure::Network(js_error_text(&error));
    // `Promise.resolve` also takes a wrapper's plain value or foreign thenable.
    let promise = js_sys::Promise::resolve(&fetch_request(&request).map_err(failed)?);
    let value = JsFuture::from(promise).await.map_err(failed)?;
    value
        .dyn_into::<web_sys::Response>()
        .map(Response::from)
        .map_err(|_| {
            FetchFailure::Network("fetch resolved to something that is not a Response".into())
        })
}

/// What a failed `fetch` said ("TypeError: Failed to fetch"), for the logs and the card.
fn js_error_text(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.to_string()),
        None => error.as_string().unwrap_or_else(|| "fetch failed".into()),
    }
}

fn api_failure(failure: FetchFailure) -> ApiError {
    match failure {
        FetchFailure::Timeout => ApiError::Timeout,
        FetchFailure::Network(error) => ApiError::Network(error),
    }
}

fn is_csrf_refusal(text: &str) -> bool {
    text.to_ascii_lowercase().contains("csrf")
}

/// Maps an HTTP error to an [`ApiError`], reading the GWS body when there is one.
fn error_from(status: u16, text: &str) -> ApiError {
    if let Ok(reply) = decode::<ApiStatus>(text)
        && reply.status_code > 0
    {
        if reply.status_code == 20 {
            return ApiError::Unauthorized;
        }
        return ApiError::Rejected {
            code: reply.status_code,
            message: reply
                .status_message
                .0
                .unwrap_or_else(|| format!("HTTP {status}")),
        };
    }
    match status {
        401 => ApiError::Unauthorized,
        403 if is_csrf_refusal(text) => ApiError::Csrf,
        other => ApiError::Http(other),
    }
}

/// Standard base64 (RFC 4648) — `btoa` only takes Latin-1, passwords may not be.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let triple = (u32::from(bytes[0]) << 16) | (u32::from(bytes[1]) << 8) | u32::from(bytes[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((triple >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("agent1:agent1", "YWdlbnQxOmFnZW50MQ=="),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
