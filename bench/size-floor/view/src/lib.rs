//! Leptos CSR with one keyed list of cards, each with buttons from a list: the view layer's floor.
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn start() {
    let (items, set_items) = signal(vec![(1u32, vec!["Answer".to_string(), "Hangup".to_string()])]);
    leptos::mount::mount_to_body(move || view! {
        <button on:click=move |_| set_items.update(|v| v.push((v.len() as u32 + 1, vec!["Hold".into()])))>"add"</button>
        <For each=move || items.get() key=|(id, _)| *id children=move |(id, actions)| view! {
            <div class="card" data-id=id>
                {actions.into_iter().map(|a| view! { <button data-action=a.clone()>{a.clone()}</button> }).collect_view()}
            </div>
        }/>
    });
}
