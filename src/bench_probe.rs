//! The benchmark probe (cargo feature `bench-probe`; never part of the shipped widget): the
//! notification client alone — the fetch driver, the sans-IO Bayeux machine and the typed
//! decoding of every notification — feeding a consumer that only checks a tag and counts.
//!
//! Why it exists: `bench/browser/throughput.mjs` compares *clients*. cometd.js's callback in that
//! benchmark reads `data.call.userData.run` and counts; the widget does far more per
//! notification (store, view, host events), so its rate says nothing about the client. This
//! probe gives our client the same consumer: decode the notification (what any consumer of
//! ours needs first), read the tag, count.

use crate::drivers::clock::now_fractional_ms;
use crate::drivers::notifications::{LoopCommand, LoopHandle, run_notification_loop};
use crate::drivers::rest::RestClient;
use gws_client::{ConnectionState, Event};
use gws_protocol::{CALLS_CHANNEL, Notification};
use leptos::task::spawn_local;
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// What the probe has seen since the last [`arm`].
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    /// The tag (`call.userData.run`) being counted.
    run: Option<String>,
    /// Notifications carrying the tag.
    n: u64,
    /// `performance.now()` at the first and the last of them.
    first: f64,
    last: f64,
    /// Notifications that did not decode as calls.
    undecoded: u64,
    /// Whether the loop is connected (subscriptions confirmed).
    connected: bool,
}

thread_local! {
    static COUNTS: RefCell<Counts> = RefCell::new(Counts::default());
    static RUNNING: RefCell<Option<LoopHandle>> = const { RefCell::new(None) };
}

fn on_event(event: Event) {
    match event {
        Event::Message { data, .. } => {
            let tag = match Notification::from_json(data.get()) {
                Ok(Notification::Call(notification)) => notification
                    .call
                    .user_data
                    .as_ref()
                    .and_then(|user_data| user_data.get("run"))
                    .and_then(|run| run.as_str().map(str::to_owned)),
                _ => {
                    COUNTS.with_borrow_mut(|c| c.undecoded += 1);
                    return;
                }
            };
            COUNTS.with_borrow_mut(|c| {
                if tag.is_some() && tag == c.run {
                    let now = now_fractional_ms();
                    if c.n == 0 {
                        c.first = now;
                    }
                    c.last = now;
                    c.n += 1;
                }
            });
        }
        Event::StateChanged(state) => {
            COUNTS.with_borrow_mut(|c| c.connected = state == ConnectionState::Connected)
        }
        _ => {}
    }
}

/// Starts one notification loop for `username` on `/v2/me/calls` (stopping any earlier one).
#[wasm_bindgen(js_name = benchListen)]
pub async fn listen(base_url: String, username: String, password: String) -> Result<(), JsValue> {
    crate::fatal::install();
    // The loop spawns its requests on Leptos's executor, which a mounted widget would have set up.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    stop();
    let rest = RestClient::new(&base_url, &username, &password);
    rest.refresh_csrf()
        .await
        .map_err(|error| JsValue::from_str(&format!("GET /api/v2/me: {error:?}")))?;
    let (handle, mut commands) = LoopHandle::new();
    RUNNING.with_borrow_mut(|running| *running = Some(handle));
    spawn_local(async move {
        run_notification_loop(rest, &[CALLS_CHANNEL], &mut commands, on_event).await;
    });
    Ok(())
}

/// Counts, from now on, only notifications tagged `run`.
#[wasm_bindgen(js_name = benchArm)]
pub fn arm(run: String) {
    COUNTS.with_borrow_mut(|c| {
        *c = Counts {
            run: Some(run),
            connected: c.connected,
            ..Counts::default()
        }
    });
}

/// The counts so far, as a plain object.
#[wasm_bindgen(js_name = benchCounts)]
pub fn counts() -> JsValue {
    COUNTS.with_borrow(|c| serde_wasm_bindgen::to_value(c).unwrap_or(JsValue::NULL))
}

/// Stops the loop (it sends `/meta/disconnect`).
#[wasm_bindgen(js_name = benchStop)]
pub fn stop() {
    if let Some(handle) = RUNNING.with_borrow_mut(Option::take) {
        handle.send(LoopCommand::Stop);
    }
}

/// Decodes a long-poll body as the client does (Bayeux messages, then each `data` into its
/// typed notification) and returns how many call notifications it held: the floor of our
/// client's cost per body, set against the browser's `JSON.parse` of the same body (the floor
/// of any JavaScript client's).
#[wasm_bindgen(js_name = benchDecode)]
pub fn decode(body: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(body);
    let Ok(items) = gws_protocol::bayeux::parse_messages::<gws_protocol::bayeux::RawData>(&text)
    else {
        return 0;
    };
    calls_among(
        items
            .iter()
            .flatten()
            .filter_map(|message| message.data.as_ref())
            .map(|data| Notification::from_json(data.get())),
    )
}

/// How many of the decoded notifications are calls: what every decode entry point returns, so
/// the page checks each against the count it put in the body.
fn calls_among<E>(notifications: impl Iterator<Item = Result<Notification, E>>) -> u32 {
    let calls = notifications
        .filter(|notification| matches!(notification, Ok(Notification::Call(_))))
        .count();
    u32::try_from(calls).unwrap_or(u32::MAX)
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a string that stays in JS. `js_sys::JSON::parse` takes a `&str`, which
    /// would copy a body into wasm memory and back out before the browser parsed it.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
}

/// The `data` of a message as `JSON.parse` made it: the JS object itself (serde-wasm-bindgen's
/// `preserve`), so the Bayeux envelope is decoded without touching the payload — the counterpart
/// of [`gws_protocol::bayeux::RawData`], which keeps the payload's text.
struct JsData(JsValue);

impl<'de> serde::Deserialize<'de> for JsData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(deserializer).map(JsData)
    }
}

/// The messages of a parsed body (an array of messages or one message object), each decoded on
/// its own as `parse_messages` does in its fallback: an item that is not a message is skipped.
fn messages_of(parsed: JsValue) -> impl Iterator<Item = gws_protocol::bayeux::Message<JsData>> {
    let items = match parsed.dyn_into::<js_sys::Array>() {
        Ok(array) => array.to_vec(),
        Err(single) => vec![single],
    };
    items
        .into_iter()
        .filter(JsValue::is_object)
        .filter_map(|item| serde_wasm_bindgen::from_value(item).ok())
}

/// [`decode`] the other way (issue 15, item 5): the browser's `JSON.parse` of the body and the
/// Bayeux envelope through serde-wasm-bindgen, then each `data` back to text with
/// `JSON.stringify` and into [`Notification::from_json`] as [`decode`] does. Takes the body as a
/// JS string — what a client that parses with `JSON.parse` would have (`response.text()`), where
/// [`decode`] takes the bytes our fetch driver reads. Returns the same count, so the two are
/// checked against each other.
///
/// The payloads cannot go through serde-wasm-bindgen themselves any more: lenient lists (a
/// call's participants, device lists) read each item as its raw JSON text
/// ([`gws_protocol::lenient::skip_bad_items`]), which only serde_json can hand out. That variant
/// (`benchDecodeParsed`, 1.8–1.9× slower than [`decode`], +13 KB gzip) is recorded in
/// bench/RESULTS.md, throughput section.
#[wasm_bindgen(js_name = benchDecodeRestringified)]
pub fn decode_restringified(body: &js_sys::JsString) -> u32 {
    let Ok(parsed) = json_parse(body) else {
        return 0;
    };
    calls_among(
        messages_of(parsed)
            .filter_map(|message| message.data)
            .filter_map(|data| js_sys::JSON::stringify(&data.0).ok()?.as_string())
            .map(|text| Notification::from_json(&text)),
    )
}
