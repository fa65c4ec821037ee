//! Long-shift memory: call cards come and go all day, and the widget must not keep anything of
//! them. A card that read widget-wide signals used to leave its reactive nodes behind (Leptos
//! keeps dead subscribers until the signal itself is dropped), and a keyed list in a long-lived
//! owner left one row owner per call (~110 bytes each), and a reactive attribute in the
//! recent list's rows, rebuilt at every change, left an effect per row and rebuild; this test
//! fails if any returns. Wasm
//! memory grows in 64 KiB pages: the bound allows one page of allocator slack over 1 500 calls,
//! the row-owner leak alone was ~165 KiB.

#![cfg(target_arch = "wasm32")]

mod support;

use futures::channel::mpsc::unbounded;
use gws_client::WidgetState;
use gws_client::{AgentStore, CallsStore, ConnectionState};
use gws_protocol::notification::{CallNotification, NotificationType};
use gws_protocol::{Call, CallState, Operation, Participant};
use gws_widget::components::call_list::CallList;
use gws_widget::components::recent_calls::RecentCalls;
use gws_widget::context::provide_widget_contexts;
use leptos::prelude::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The wasm linear memory in KiB (it only grows: a high-water mark).
fn wasm_memory_kib() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    f64::from(
        memory
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length(),
    ) / 1024.0
}

fn note(id: &str, state: CallState) -> CallNotification {
    CallNotification {
        notification_type: NotificationType::StatusChange,
        call: Call {
            id: id.into(),
            state,
            participants: vec![Participant::internal("5000")],
            capabilities: vec![
                Operation::Answer,
                Operation::Hangup,
                Operation::Hold,
                Operation::AttachUserData,
            ],
            duration: "0".into(),
            ..Call::default()
        },
        phone_number: Default::default(),
        extensions: Default::default(),
        dtmf_digits: Default::default(),
    }
}

#[wasm_bindgen_test]
async fn two_thousand_call_lifecycles_leave_no_memory_behind() {
    let root = fresh_root();
    let (tx, _rx) = unbounded();
    let slot = std::rc::Rc::new(std::cell::RefCell::new(None));
    let publish = slot.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let (calls, _, _, clock, _) = provide_widget_contexts(
            WidgetState {
                calls: CallsStore::new(),
                agent: AgentStore::new(),
                connection: ConnectionState::Connected,
            },
            0,
            tx.clone(),
        );
        *publish.borrow_mut() = Some((calls.0, clock.0));
        // The recent list too: it is rebuilt at every change of the calls, with a "Call back"
        // on each of its 20 rows (a reactive attribute per row left its effect behind at
        // every rebuild: ~20 KiB per call).
        view! { <CallList/><RecentCalls/> }
    });
    let Some((calls, clock)) = *slot.borrow() else {
        panic!("mounted")
    };
    let mut after_warm_up = 0.0;
    for lifecycle in 0..2000u64 {
        let id = format!("call-{lifecycle}");
        for state in [
            CallState::Ringing,
            CallState::Established,
            CallState::Released,
        ] {
            calls.update(|store| {
                store.apply(lifecycle, &note(&id, state.clone()));
                store.retire_released(lifecycle + 10_000, 0);
            });
            clock.set(lifecycle);
            tick().await;
        }
        if lifecycle == 499 {
            after_warm_up = wasm_memory_kib();
        }
    }
    assert!(cards(&root).is_empty(), "every released card left");
    let growth = wasm_memory_kib() - after_warm_up;
    assert!(
        growth <= 64.0,
        "wasm memory grew {growth} KiB over 1500 call lifecycles"
    );
}
