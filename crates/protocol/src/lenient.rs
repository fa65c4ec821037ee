//! Tolerant deserialisation helpers.
//!
//! Why: the peer is a server we do not control. A list with one odd item must not make the whole
//! call unreadable, and a value of an unexpected JSON type must degrade, not fail.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// Declares a string-backed enum whose unknown values are kept as `Unknown(String)`.
///
/// The generated type serialises to and from a JSON string; a non-string JSON value is accepted
/// and kept verbatim (as its JSON text) in `Unknown`, so parsing never fails on it.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know; kept verbatim so it can be shown or sent back.
            Unknown(String),
        }

        impl $name {
            /// Every known variant, in declaration order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The wire name of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Parses a wire name; never fails.
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(match $crate::lenient::Loose::deserialize(deserializer)? {
                    $crate::lenient::Loose::Text(text) => Self::parse(&text),
                    other => $name::Unknown(other.json_text()),
                })
            }
        }
    };
}

/// Any JSON value, read without building a tree for scalars: what the helpers below start from.
///
/// Why not `serde_json::Value`: every lenient field used to go through one, which cost an
/// allocation and a conversion per field of every notification. Arrays and objects, which the
/// helpers mostly discard, still become a `Value` (they are rare where a scalar is expected,
/// and `object_or_none` needs the map).
#[derive(Debug, Clone, PartialEq)]
pub enum Loose<'de> {
    /// `null` (or absent).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as serde_json would keep it.
    Number(serde_json::Number),
    /// A string, borrowed from the input where the deserializer allows.
    Text(Cow<'de, str>),
    /// An array or an object.
    Composite(Value),
}

impl Loose<'_> {
    /// The value as JSON text (`Unknown` enum values keep it verbatim). Written with
    /// `serde_json::to_string`, the writer the rest of the widget uses (`Value`'s `Display`
    /// compiles its own compact and pretty copies of the serializer).
    pub fn json_text(&self) -> String {
        match self {
            Loose::Null => "null".into(),
            Loose::Bool(flag) => flag.to_string(),
            Loose::Number(number) => number.to_string(),
            Loose::Text(text) => serde_json::to_string(text.as_ref()).unwrap_or_default(),
            Loose::Composite(value) => serde_json::to_string(value).unwrap_or_default(),
        }
    }
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Loose::Null, Loose::Number))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v)))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Loose::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Loose::Composite)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Loose::Composite)
    }
}

/// Declares a lenient field type: a newtype over `$inner` whose `Deserialize` applies `$rule`,
/// so a struct field says how it degrades by its type (`pub uri: Text`) instead of by a
/// `deserialize_with` attribute on each of ~60 fields. Reads like the inner `Option` through
/// `Deref`; serialises as it (`null`-free with `skip_serializing_if = "T::is_absent"`).
/// Measured against the attributes on the call resource (`bench/lenient-newtypes`): the same
/// wasm size within 0.3 KB and the same decode time within noise.
macro_rules! lenient_field {
    ($(#[$meta:meta])* $name:ident($inner:ty) by $rule:ident $(, $extra:ident)*) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize $(, $extra)*)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// Whether the server sent nothing usable (what `skip_serializing_if` asks).
            pub fn is_absent(&self) -> bool {
                self.0.is_none()
            }

            /// The plain value.
            pub fn into_inner(self) -> $inner {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $rule(deserializer).map($name)
            }
        }

        impl std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $inner {
                &mut self.0
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> Self {
                $name(value)
            }
        }

        impl PartialEq<$inner> for $name {
            fn eq(&self, other: &$inner) -> bool {
                &self.0 == other
            }
        }
    };
}

lenient_field! {
    /// An optional string; any other JSON type reads as absent.
    Text(Option<String>) by string_or_none, Eq, Hash
}

lenient_field! {
    /// An optional string that some servers send as a number (`duration`, ids, phone numbers):
    /// a number becomes its decimal text, anything else that is not a string reads as absent.
    TextOrNumber(Option<String>) by string_or_number, Eq, Hash
}

lenient_field! {
    /// An optional boolean, also as `"true"`/`"false"` strings; anything else reads as absent.
    Flag(Option<bool>) by lenient_bool, Eq, Hash
}

lenient_field! {
    /// An optional JSON object (attached data, extensions); any other type reads as absent.
    Object(Option<serde_json::Map<String, Value>>) by object_or_none
}

/// What the two text field types add: the text as `&str`, and construction from text (tests,
/// the simulator's rendering).
macro_rules! text_field {
    ($($name:ident),+) => {$(
        impl $name {
            /// The text, if any (what most readers want; saves `.as_deref()` at every use).
            pub fn get(&self) -> Option<&str> {
                self.0.as_deref()
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(Some(text.to_owned()))
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(Some(text))
            }
        }
    )+};
}

text_field!(Text, TextOrNumber);

/// Deserialises a list, skipping items that do not parse as `T` (and a non-list as empty).
///
/// Each item is taken as its raw JSON text, then parsed from that text: a bad item is known
/// only once parsing it failed, and a streaming parser cannot resume after a failure inside
/// it. Parsing from text reuses the decoder the rest of the widget uses, where taking items as
/// `Value` trees (as this did before) compiled a second decoder of every item type for `Value`
/// (−10.9 KB raw, −3.5 KB gzip of wasm, bench/RESULTS.md) and built a tree per item first (a
/// snapshot of ten calls decodes in half the time). A `Value` is read the same way (serde_json
/// writes it back to text); deserializers that are not serde_json's cannot hand out raw text.
pub fn skip_bad_items<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    deserializer.deserialize_any(ListVisitor::<ParsedItems<T>>(std::marker::PhantomData))
}

/// Deserialises a list of values that always parse (such as [`string_enum!`] types), item by
/// item without a tree; anything but a list is an empty list.
pub fn any_items<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(ListVisitor::<EveryItem<T>>(std::marker::PhantomData))
}

/// How the items of a list are read (the list readers differ only in this).
trait ListItems<'de> {
    type Item;
    fn read<A: de::SeqAccess<'de>>(seq: A) -> Result<Vec<Self::Item>, A::Error>;
}

/// Every item, decoded in place ([`any_items`]).
struct EveryItem<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> ListItems<'de> for EveryItem<T> {
    type Item = T;
    fn read<A: de::SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(items)
    }
}

/// The items that parse, each from its raw text ([`skip_bad_items`]).
struct ParsedItems<T>(std::marker::PhantomData<T>);

impl<'de, T: serde::de::DeserializeOwned> ListItems<'de> for ParsedItems<T> {
    type Item = T;
    fn read<A: de::SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
            if let Ok(item) = serde_json::from_str(item.get()) {
                items.push(item);
            }
        }
        Ok(items)
    }
}

/// A list read with `L`; anything else is read whole and gives no items.
struct ListVisitor<L>(std::marker::PhantomData<L>);

impl<'de, L: ListItems<'de>> Visitor<'de> for ListVisitor<L> {
    type Value = Vec<L::Item>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        L::read(seq)
    }
    // Not a list: read it (whatever it is) and keep nothing.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

/// Deserialises an optional string that some servers send as a number (`duration`, ids):
/// a number becomes its decimal text, anything else that is not a string becomes `None`.
pub fn string_or_number<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Loose::deserialize(deserializer)? {
        Loose::Text(text) => Some(text.into_owned()),
        Loose::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// Deserialises an optional boolean, accepting `"true"`/`"false"` strings and ignoring the rest.
pub fn lenient_bool<'de, D>(deserializer: D) -> Result<Option<bool>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Loose::deserialize(deserializer)? {
        Loose::Bool(flag) => Some(flag),
        Loose::Text(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Loose::Text(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// Deserialises an optional JSON object, treating any other JSON type as absent.
pub fn object_or_none<'de, D>(
    deserializer: D,
) -> Result<Option<serde_json::Map<String, Value>>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Loose::deserialize(deserializer)? {
        Loose::Composite(Value::Object(map)) => Some(map),
        _ => None,
    })
}

/// Deserialises an optional string, treating any other JSON type as absent.
pub fn string_or_none<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Loose::deserialize(deserializer)? {
        Loose::Text(text) => Some(text.into_owned()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    crate::string_enum! {
        /// A test enum.
        pub enum Colour { Red = "Red" }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Fields {
        #[serde(default, deserialize_with = "string_or_number")]
        id: Option<String>,
        #[serde(default, deserialize_with = "string_or_none")]
        name: Option<String>,
        #[serde(default, deserialize_with = "lenient_bool")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "object_or_none")]
        data: Option<serde_json::Map<String, Value>>,
        #[serde(default, deserialize_with = "any_items")]
        colours: Vec<Colour>,
        #[serde(default, deserialize_with = "skip_bad_items")]
        typed: Vec<Typed>,
    }

    /// The same text read from a string and from a `Value` gives the same fields.
    fn both(text: &str) -> Fields {
        let from_text: Fields = serde_json::from_str(text).expect("from text");
        let value: Value = serde_json::from_str(text).expect("JSON");
        let from_value: Fields = serde_json::from_value(value).expect("from value");
        assert_eq!(from_text, from_value, "{text}");
        from_text
    }

    #[test]
    fn scalars_degrade_without_failing() {
        let f = both(r#"{"id": 12, "name": 5, "flag": "TRUE", "data": [1], "colours": "Red"}"#);
        assert_eq!(f.id.as_deref(), Some("12"));
        assert_eq!((f.name, f.flag, f.data), (None, Some(true), None));
        assert!(f.colours.is_empty());
        let f = both(r#"{"id": 1.5, "name": "a\"b", "flag": {"x": 1}, "data": {"k": [null]}}"#);
        assert_eq!(
            (f.id.as_deref(), f.name.as_deref()),
            (Some("1.5"), Some("a\"b"))
        );
        assert_eq!(f.flag, None);
        assert_eq!(f.data.map(Value::Object), Some(json!({"k": [null]})));
        let f = both(r#"{"id": null, "name": null, "flag": null, "data": null, "colours": null}"#);
        assert_eq!(f.id, None);
        assert!(f.colours.is_empty());
        both(r#"{"colours": {"a": [1, {"b": 2}]}}"#);
    }

    #[test]
    fn lists_keep_the_items_that_parse_and_skip_the_others() {
        let f = both(
            r#"{"typed": [{"name": "a"}, 5, "x", null, {"id": 7, "data": {"k": [1, {"z": null}]}},
                {"name": "d\u00e9", "flag": "false"}]}"#,
        );
        let names: Vec<_> = f.typed.iter().map(|t| t.name.get()).collect();
        assert_eq!(names, [Some("a"), None, Some("d\u{e9}")]);
        assert_eq!(f.typed[1].id.get(), Some("7"));
        let data = f.typed[1].data.clone().into_inner().map(Value::Object);
        assert_eq!(data, Some(json!({"k": [1, {"z": null}]})));
        assert_eq!(f.typed[2].flag, Some(false));
        // A duplicated key makes an item unreadable from text, as it does a notification's call.
        let text: Fields = serde_json::from_str(r#"{"typed": [{"name": "b", "name": "c"}, {}]}"#)
            .expect("the list still reads");
        assert_eq!(text.typed, [Typed::default()]);
        for not_a_list in [r#"{"name": "a"}"#, r#""x""#, "3", "null", "true", "[]"] {
            let f = both(&format!(r#"{{"typed": {not_a_list}}}"#));
            assert!(f.typed.is_empty(), "{not_a_list}");
        }
    }

    #[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
    struct Typed {
        #[serde(default, skip_serializing_if = "Text::is_absent")]
        name: Text,
        #[serde(default, skip_serializing_if = "TextOrNumber::is_absent")]
        id: TextOrNumber,
        #[serde(default, skip_serializing_if = "Flag::is_absent")]
        flag: Flag,
        #[serde(default, skip_serializing_if = "Object::is_absent")]
        data: Object,
    }

    #[test]
    fn lenient_field_types_degrade_like_the_helpers_and_serialise_as_their_value() {
        let typed: Typed =
            serde_json::from_str(r#"{"name": 5, "id": 12, "flag": "TRUE", "data": [1]}"#)
                .expect("never fails on odd types");
        assert_eq!(typed.name, None);
        assert_eq!(typed.id.get(), Some("12"));
        assert_eq!(typed.flag, Some(true));
        assert!(typed.data.is_absent());
        // Absent fields are left out; present ones are written as their plain value.
        assert_eq!(
            serde_json::to_value(&typed).expect("JSON"),
            json!({"id": "12", "flag": true})
        );
        let full: Typed =
            serde_json::from_value(json!({"name": "a", "data": {"k": 1}})).expect("parses");
        assert_eq!(full.name.get(), Some("a"));
        assert_eq!(
            serde_json::to_value(&full).expect("JSON"),
            json!({"name": "a", "data": {"k": 1}})
        );
        assert_eq!(Typed::default(), serde_json::from_str("{}").expect("empty"));
    }

    #[test]
    fn unknown_enum_values_keep_their_json_text() {
        let f = both(r#"{"colours": ["Red", "Blue", 7, true, null, [1, "x"], {"a": "b"}, "é\n"]}"#);
        let texts: Vec<String> = f.colours.iter().map(|c| c.as_str().to_owned()).collect();
        assert_eq!(
            texts,
            [
                "Red",
                "Blue",
                "7",
                "true",
                "null",
                r#"[1,"x"]"#,
                r#"{"a":"b"}"#,
                "é\n"
            ]
        );
        assert_eq!(f.colours[0], Colour::KNOWN[0]);
    }
}
