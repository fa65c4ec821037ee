//! Localisation in headless Chromium against gws-sim: a widget mounted with `lang` fr, de and es
//! shows no English UI text — not on the agent bar and connection badge, the ringing card, the
//! answered card with its buttons, nor an operation error. Every text node and every
//! `aria-label`, `title` and `placeholder` of the shadow root is compared with the English
//! catalog (server data — numbers, names, reason codes — is not in the catalog, so it never
//! matches). An English widget run through the same check must match, so the check can fail.
//! Also: the page's `<html lang>` as the default, `setLang()` on a mounted widget, and a host's
//! `strings` override.

#![cfg(target_arch = "wasm32")]

mod support;

use gws_client::{Catalog, Key, Lang};
use gws_widget::embed::WidgetHandle;
use serde_json::{Value, json};
use support::sim_control;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn mount(host: &HtmlElement, extra: Value) -> WidgetHandle {
    let mut options = json!({"baseUrl": SIM, "username": "agent1", "password": "agent1", "shareAcrossTabs": false});
    if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        options.extend(extra.clone());
    }
    gws_widget::mount(host.clone().into(), js(&options)).expect("mounted")
}

/// The widget's root inside `host`'s shadow root.
fn widget_root(host: &Element) -> Element {
    host.shadow_root()
        .expect("shadow root")
        .query_selector(".gws-mount")
        .ok()
        .flatten()
        .expect("mount point")
}

/// What the agent (or a screen reader) reads: every non-empty text node, and the labels, titles
/// and placeholders, under `element` (hidden decoration excluded).
fn visible_texts(element: &Element, out: &mut Vec<String>) {
    if element.get_attribute("aria-hidden").as_deref() == Some("true") {
        return;
    }
    for attribute in ["aria-label", "title", "placeholder"] {
        if let Some(value) = element.get_attribute(attribute) {
            out.push(value.trim().to_string());
        }
    }
    let children = element.child_nodes();
    for index in 0..children.length() {
        let Some(node) = children.item(index) else {
            continue;
        };
        if let Some(child) = node.dyn_ref::<Element>() {
            visible_texts(child, out);
        } else if node.node_type() == web_sys::Node::TEXT_NODE {
            let text = node.text_content().unwrap_or_default();
            if !text.trim().is_empty() {
                out.push(text.trim().to_string());
            }
        }
    }
}

/// The texts under `root` that are English UI strings: equal to an English catalog text, or
/// starting with the fixed part of an English template ("Call with …").
fn english_ui_texts(root: &Element) -> Vec<String> {
    let mut texts = Vec::new();
    visible_texts(root, &mut texts);
    let english = |text: &str| {
        Key::ALL.iter().any(|key| {
            let reference = key.english();
            match reference.split_once('{') {
                None => text == reference,
                Some((fixed, _)) => fixed.trim().len() >= 4 && text.starts_with(fixed),
            }
        })
    };
    texts.into_iter().filter(|text| english(text)).collect()
}

fn assert_no_english(lang: Lang, root: &Element, step: &str) {
    let found = english_ui_texts(root);
    assert!(
        found.is_empty(),
        "{} widget, {step}: English UI text {found:?}",
        lang.tag()
    );
}

async fn click(root: &Element, selector: &str) {
    let element: HtmlElement = wait_for(selector, 10_000, || find(root, selector))
        .await
        .unchecked_into();
    element.click();
}

/// The main flows in `lang`; returns the English UI texts seen (for the control run).
async fn main_flows(lang: Lang) -> Vec<String> {
    fresh_simulator().await;
    let catalog = Catalog::new(lang);
    let host = fresh_root();
    let handle = mount(&host, json!({"lang": lang.tag()}));
    let root = widget_root(&host);
    let mut seen = Vec::new();
    let mut check = |root: &Element, step: &str| {
        if lang == Lang::En {
            seen.extend(english_ui_texts(root));
        } else {
            assert_no_english(lang, root, step);
        }
    };

    wait_connected(&root).await;
    wait_for("the agent's state", 10_000, || {
        find(&root, "[data-testid=\"agent-state\"]")
            .filter(|e| e.text_content().is_some_and(|t| !t.is_empty()))
    })
    .await;
    assert_eq!(
        text_of(&root, "[data-testid=\"connection\"] .gws-connection__label"),
        catalog.text(Key::ConnConnected)
    );
    assert_eq!(
        find(&root, "[data-testid=\"agent-widget\"]").and_then(|e| e.get_attribute("lang")),
        Some(lang.tag().to_string())
    );
    check(&root, "agent bar and connection badge");

    let id = sim_control::inject_call(SIM, "5000", "5005", None)
        .await
        .expect("call injected");
    let ringing = wait_card_state(&root, &id, "Ringing").await;
    assert_eq!(
        text_of(&ringing, "[data-testid=\"call-state\"]"),
        catalog.text(Key::StateRinging)
    );
    check(&root, "ringing card");

    click(&ringing, "[data-action=\"Answer\"]").await;
    let card = wait_card_state(&root, &id, "Established").await;
    wait_for("the card's buttons", 10_000, || {
        find(&card, "[data-action=\"Hold\"]")
    })
    .await;
    assert_eq!(
        text_of(&card, "[data-action=\"Hangup\"]"),
        catalog.text(Key::OpHangup)
    );
    check(&root, "answered card with its buttons");

    sim_control::post(
        SIM,
        "/sim/faults",
        &json!({"failNext": 1, "failStatus": 503, "failPath": "/api/v2/me/calls"}),
    )
    .await
    .expect("fault armed");
    click(&card, "[data-action=\"Hold\"]").await;
    let error = wait_for("an error on the card", 10_000, || {
        find(&card, "[data-testid=\"call-error\"]")
    })
    .await;
    let message = error.text_content().unwrap_or_default();
    assert!(
        message.contains(catalog.text(Key::OpHold)),
        "the error names the operation as its button does: {message}"
    );
    check(&root, "operation error");

    handle.destroy();
    host.remove();
    seen
}

#[wasm_bindgen_test]
async fn french_widget_shows_no_english_ui_text() {
    main_flows(Lang::Fr).await;
}

#[wasm_bindgen_test]
async fn german_widget_shows_no_english_ui_text() {
    main_flows(Lang::De).await;
}

#[wasm_bindgen_test]
async fn spanish_widget_shows_no_english_ui_text() {
    main_flows(Lang::Es).await;
}

#[wasm_bindgen_test]
async fn the_check_finds_english_in_an_english_widget() {
    let seen = main_flows(Lang::En).await;
    for expected in ["Connected", "Answer", "Hang up", "Ringing", "Established"] {
        assert!(
            seen.iter().any(|text| text == expected),
            "{expected:?} not detected in {seen:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_page_language_is_the_default_and_set_lang_switches_a_mounted_widget() {
    fresh_simulator().await;
    let html = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .expect("html");
    let before = html.get_attribute("lang");
    html.set_attribute("lang", "es-MX").expect("lang");
    let host = fresh_root();
    let handle = mount(
        &host,
        json!({"strings": {"op.StartContactCenterSession": "Entrar"}}),
    );
    match &before {
        Some(lang) => html.set_attribute("lang", lang).expect("lang"),
        None => html.remove_attribute("lang").expect("lang"),
    }
    let root = widget_root(&host);
    wait_connected(&root).await;
    assert_eq!(handle.lang().expect("lang"), "es");
    let label = || text_of(&root, "[data-testid=\"connection\"] .gws-connection__label");
    assert_eq!(label(), "Conectado");

    handle.set_lang("de-AT").expect("setLang");
    wait_for("German text", 5_000, || {
        (label() == "Verbunden").then_some(())
    })
    .await;
    assert_eq!(handle.lang().expect("lang"), "de");
    assert_no_english(Lang::De, &root, "after setLang");
    handle.destroy();
    host.remove();
}

/// `lang` wins over its former name `locale`, whichever comes last (the custom element lists
/// `lang` first, and an empty `locale=""` used to make the widget English).
#[wasm_bindgen_test]
async fn lang_wins_over_the_former_locale_option() {
    for options in [
        json!({"lang": "de", "locale": "fr"}),
        json!({"locale": "fr", "lang": "de"}),
        json!({"lang": "de", "locale": ""}),
    ] {
        let host = fresh_root();
        let handle = mount(&host, options.clone());
        assert_eq!(handle.lang().expect("lang"), "de", "{options}");
        handle.destroy();
        host.remove();
    }
    let host = fresh_root();
    let handle = mount(&host, json!({"locale": "fr"}));
    assert_eq!(
        handle.lang().expect("lang"),
        "fr",
        "locale alone still works"
    );
    handle.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn unknown_string_keys_are_refused_with_a_hint() {
    let host = fresh_root();
    let options = json!({"baseUrl": SIM, "username": "agent1", "password": "agent1",
                         "strings": {"op.answer": "Pick up"}});
    let error = gws_widget::mount(host.clone().into(), js(&options))
        .err()
        .and_then(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_default();
    assert!(error.contains("did you mean 'op.Answer'"), "{error}");
    host.remove();
}

#[wasm_bindgen_test]
async fn the_elements_lang_attribute_is_read_and_observed() {
    fresh_simulator().await;
    gws_widget::define_element();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let element = document
        .create_element("gws-agent-widget")
        .expect("element");
    for (name, value) in [
        ("base-url", SIM),
        ("user", "agent1"),
        ("password", "agent1"),
        ("share-across-tabs", "false"),
        ("lang", "fr-CA"),
    ] {
        element.set_attribute(name, value).expect("attribute");
    }
    document
        .body()
        .expect("body")
        .append_child(&element)
        .expect("append");
    let root = widget_root(&element);
    wait_connected(&root).await;
    let label = || text_of(&root, "[data-testid=\"connection\"] .gws-connection__label");
    assert_eq!(label(), "Connecté");
    element.set_attribute("lang", "es").expect("lang");
    wait_for("Spanish text", 5_000, || {
        (label() == "Conectado").then_some(())
    })
    .await;
    assert_no_english(Lang::Es, &root, "after the attribute changed");
    element.remove();
}
