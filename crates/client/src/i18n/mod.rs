//! Localisation: the languages the widget speaks, the catalog of its texts, and host overrides.
//!
//! Every visible string and ARIA label the widget produces comes from here, so a language is a
//! table, not a code path. The tables are static `&str` matches (no parsing, no allocation, a
//! few kilobytes of wasm per language); a host may replace any text by key (`strings` option).
//! Server data (names, numbers, reason codes, attached data) is shown as the server sent it.
//!
//! A language whose table lacks a key shows the English text and logs the key once per catalog:
//! a half-translated release stays usable, and the gap is visible in the console and fails the
//! completeness test.
//!
//! Layout: [`keys`] (the `Key` enum with the English reference), `fr`, `de`, `es`.

mod de;
mod es;
mod fr;
pub mod keys;

pub use keys::Key;
use std::sync::{Arc, Mutex};

/// A language of the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the reference, and the fallback).
    #[default]
    En,
    /// French.
    Fr,
    /// German.
    De,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::De, Lang::Es];

    /// The BCP 47 primary tag (`lang` attribute, `Intl` locales).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Es => "es",
        }
    }

    /// The language of one BCP 47 tag by its primary subtag (`fr-CA` → French, `de_AT` too, as
    /// some hosts write locales the POSIX way); `None` for a language the widget does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|lang| primary.eq_ignore_ascii_case(lang.tag()))
    }

    /// The first candidate the widget speaks, else English. Candidates come in order of
    /// authority: the host's `lang` option, the page's `<html lang>`, the browser's languages —
    /// an unsupported one (`it`) is skipped rather than forcing English, so an Italian page
    /// on a French browser gets French.
    pub fn negotiate<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Lang {
        candidates
            .into_iter()
            .find_map(Lang::parse)
            .unwrap_or_default()
    }

    fn table(self, key: Key) -> Option<&'static str> {
        match self {
            Lang::En => Some(key.english()),
            Lang::Fr => fr::text(key),
            Lang::De => de::text(key),
            Lang::Es => es::text(key),
        }
    }

    /// The built-in text of `key`, `None` where this language's table lacks it.
    pub fn builtin(self, key: Key) -> Option<&'static str> {
        self.table(key)
    }
}

impl Key {
    /// The key whose dotted name is `name` (host overrides).
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|key| key.name() == name)
    }
}

/// Where a catalog reports a missing translation (the browser shell logs to the console).
pub type MissingSink = fn(&str);

fn ignore_missing(_: &str) {}

/// The texts of one widget: its language plus the host's overrides.
///
/// Cheap to clone (shared tables); clones share the set of keys already reported missing, so a
/// gap is logged once per widget, not once per render.
#[derive(Clone)]
pub struct Catalog {
    lang: Lang,
    /// A few pairs at most: a plain list (no map code in the wasm for a dozen lookups).
    overrides: Option<Arc<Vec<(Key, String)>>>,
    /// Keys already reported (`None`: nothing is reported, see [`Catalog::with_sink`]).
    reported: Option<Arc<Mutex<Vec<Key>>>>,
    sink: MissingSink,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("lang", &self.lang)
            .field("overrides", &self.overrides.as_ref().map_or(0, |o| o.len()))
            .finish()
    }
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang && self.overrides == other.overrides
    }
}

impl Eq for Catalog {}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new(Lang::En)
    }
}

impl Catalog {
    /// The built-in texts of `lang`, no overrides, missing keys not reported (`const`: the
    /// core's tests build configurations as constants).
    pub const fn new(lang: Lang) -> Self {
        Catalog {
            lang,
            overrides: None,
            reported: None,
            sink: ignore_missing,
        }
    }

    /// The same catalog with the host's overrides (`(name, text)`); returns the names that are
    /// not keys, for the host developer's error message.
    pub fn with_overrides(
        mut self,
        overrides: impl IntoIterator<Item = (String, String)>,
    ) -> (Self, Vec<String>) {
        let mut map: Vec<(Key, String)> = Vec::new();
        let mut unknown = Vec::new();
        for (name, text) in overrides {
            match Key::from_name(&name) {
                Some(key) => {
                    map.retain(|(known, _)| *known != key);
                    map.push((key, text));
                }
                None => unknown.push(name),
            }
        }
        self.overrides = (!map.is_empty()).then(|| Arc::new(map));
        (self, unknown)
    }

    /// The same catalog reporting each missing translation once to `sink`.
    pub fn with_sink(mut self, sink: MissingSink) -> Self {
        self.sink = sink;
        self.reported = Some(Arc::default());
        self
    }

    /// The same texts in another language (overrides kept: a host's wording wins in every
    /// language; the report of missing keys starts afresh).
    pub fn with_lang(&self, lang: Lang) -> Self {
        Catalog {
            lang,
            overrides: self.overrides.clone(),
            reported: self.reported.as_ref().map(|_| Arc::default()),
            sink: self.sink,
        }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`: the host's override, else the language's, else English (reported).
    pub fn text(&self, key: Key) -> &str {
        self.lookup(key, self.lang.table(key))
    }

    /// [`Catalog::text`] given the language's entry for `key` (tests pass a sparse table).
    fn lookup(&self, key: Key, builtin: Option<&'static str>) -> &str {
        let overridden = self.overrides.as_ref().and_then(|overrides| {
            overrides
                .iter()
                .find(|(known, _)| *known == key)
                .map(|(_, text)| text)
        });
        if let Some(text) = overridden {
            return text;
        }
        match builtin {
            Some(text) => text,
            None => {
                self.report_missing(key);
                key.english()
            }
        }
    }

    fn report_missing(&self, key: Key) {
        let Some(reported) = &self.reported else {
            return;
        };
        let first = reported
            .lock()
            .map(|mut reported| {
                let first = !reported.contains(&key);
                if first {
                    reported.push(key);
                }
                first
            })
            .unwrap_or(false);
        if first {
            (self.sink)(&format!(
                "gws-widget: no {} text for \"{}\"; showing the English one",
                self.lang.tag(),
                key.name()
            ));
        }
    }

    /// The text of `key` with its `{name}` placeholders replaced by `args` (an unknown
    /// placeholder stays as written, so a host override's typo shows rather than vanishes).
    pub fn fill(&self, key: Key, args: &[(&str, &str)]) -> String {
        fill(self.text(key), args)
    }
}

/// Replaces each `{name}` of `template` by its value in `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(arg, _)| *arg == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names of a template, sorted (the completeness test compares them).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests;
