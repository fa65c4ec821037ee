//! The widget's logic without any view: Bayeux machine, message and notification decoding, call
//! store. Whatever the widget shows, it carries at least this.
use gws_client::{BayeuxClient, BayeuxConfig, CallsStore, Event, Millis, Outcome};
use gws_protocol::Notification;
use wasm_bindgen::prelude::*;

/// Feeds `body` to a client as every reply and applies its call notifications to a store;
/// returns how many calls the store holds (so nothing is optimised away).
#[wasm_bindgen]
pub fn run(body: &str, now: f64) -> u32 {
    let now = Millis(now as u64);
    let mut client = BayeuxClient::new(BayeuxConfig::default());
    client.subscribe(gws_protocol::CALLS_CHANNEL);
    client.start(now);
    let mut store = CallsStore::default();
    for _ in 0..4 {
        while let Some(request) = client.poll_request(now) {
            let _ = request.body();
            let outcome = Outcome::Http {
                status: 200,
                body: body.to_owned(),
            };
            client.handle_response(now, request.id, outcome);
        }
        while let Some(event) = client.poll_event() {
            if let Event::Message { data, .. } = event
                && let Ok(Notification::Call(call)) = Notification::from_json(data.get())
            {
                store.apply(now.as_u64(), &call);
            }
        }
    }
    u32::try_from(store.entries().len()).unwrap_or(u32::MAX)
}
