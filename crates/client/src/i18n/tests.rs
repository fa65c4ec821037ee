use super::*;
use std::cell::RefCell;

/// Words that read the same in a language as in English, on purpose.
const SAME_AS_ENGLISH: &[(Lang, Key)] = &[];

#[test]
fn every_key_is_translated_in_every_language_with_the_same_placeholders() {
    let mut problems = Vec::new();
    for lang in [Lang::Fr, Lang::De, Lang::Es] {
        for &key in Key::ALL {
            match lang.builtin(key) {
                None => problems.push(format!("{}: {} missing", lang.tag(), key.name())),
                Some(text) if text.trim().is_empty() => {
                    problems.push(format!("{}: {} empty", lang.tag(), key.name()))
                }
                Some(text) if text == key.english() && !SAME_AS_ENGLISH.contains(&(lang, key)) => {
                    problems.push(format!(
                        "{}: {} is the English text",
                        lang.tag(),
                        key.name()
                    ))
                }
                Some(text) if placeholders(text) != placeholders(key.english()) => problems.push(
                    format!("{}: {} placeholders differ", lang.tag(), key.name()),
                ),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn key_names_are_unique_and_read_back() {
    let mut names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Key::ALL.len(), "duplicate key name");
    for &key in Key::ALL {
        assert_eq!(Key::from_name(key.name()), Some(key));
    }
    assert_eq!(Key::from_name("op.Teleport"), None);
}

#[test]
fn negotiation_takes_the_first_spoken_language_by_primary_subtag() {
    assert_eq!(Lang::negotiate(["fr-CA"]), Lang::Fr);
    assert_eq!(Lang::negotiate(["DE_at"]), Lang::De);
    assert_eq!(Lang::negotiate(["es-419", "fr"]), Lang::Es);
    assert_eq!(
        Lang::negotiate(["", "it-IT", "de"]),
        Lang::De,
        "unspoken and empty candidates are skipped"
    );
    assert_eq!(Lang::negotiate(["it", "pt-BR"]), Lang::En);
    assert_eq!(Lang::negotiate([]), Lang::En);
    assert_eq!(Lang::negotiate(["french"]), Lang::En, "not a prefix match");
    assert_eq!(Lang::parse("en-GB"), Some(Lang::En));
}

#[test]
fn placeholders_are_filled_by_name_and_unknown_ones_stay() {
    let catalog = Catalog::new(Lang::Fr);
    assert_eq!(
        catalog.fill(
            Key::CardLabel,
            &[("state", "En cours"), ("parties", "5001")]
        ),
        "Appel avec 5001, En cours"
    );
    assert_eq!(fill("{a} and {b}", &[("a", "1")]), "1 and {b}");
    assert_eq!(fill("{ unclosed", &[]), "{ unclosed");
    assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
    assert_eq!(placeholders("{b} {a}"), ["a", "b"]);
}

#[test]
fn host_overrides_win_in_every_language_and_unknown_names_are_returned() {
    let (catalog, unknown) = Catalog::new(Lang::De).with_overrides([
        ("op.Answer".to_string(), "Abheben".to_string()),
        ("op.Teleport".to_string(), "Beamen".to_string()),
    ]);
    assert_eq!(unknown, ["op.Teleport"]);
    assert_eq!(catalog.text(Key::OpAnswer), "Abheben");
    assert_eq!(catalog.text(Key::OpHangup), "Auflegen");
    let english = catalog.with_lang(Lang::En);
    assert_eq!(english.text(Key::OpAnswer), "Abheben");
    assert_eq!(english.text(Key::OpHangup), "Hang up");
    assert_ne!(catalog, english);
    assert_eq!(Catalog::default(), Catalog::new(Lang::En));
}

thread_local! {
    static LOGGED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn record(message: &str) {
    LOGGED.with(|logged| logged.borrow_mut().push(message.to_string()));
}

/// A language whose table lacks every key but `OpAnswer`, as a half-done translation would.
fn sparse(key: Key) -> Option<&'static str> {
    (key == Key::OpAnswer).then_some("Décrocher")
}

#[test]
fn a_missing_translation_falls_back_to_english_and_is_logged_once() {
    let catalog = Catalog::new(Lang::Fr).with_sink(record);
    let lookup = |catalog: &Catalog, key: Key| catalog.lookup(key, sparse(key)).to_string();
    assert_eq!(lookup(&catalog, Key::OpAnswer), "Décrocher");
    assert_eq!(lookup(&catalog, Key::OpHangup), "Hang up");
    assert_eq!(lookup(&catalog, Key::OpHangup), "Hang up");
    assert_eq!(
        lookup(&catalog.clone(), Key::OpHangup),
        "Hang up",
        "clones share the report"
    );
    assert_eq!(lookup(&catalog, Key::OpHold), "Hold");
    let logged = LOGGED.with(|logged| logged.take());
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged[0].contains("\"op.Hangup\"") && logged[0].contains("fr"));
    assert!(logged[1].contains("\"op.Hold\""));
    // Complete tables never report.
    let full = Catalog::new(Lang::Es).with_sink(record);
    for &key in Key::ALL {
        full.text(key);
    }
    assert!(LOGGED.with(|logged| logged.take()).is_empty());
}
