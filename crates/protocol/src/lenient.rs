//! Tolerant deserialisation helpers.
//!
//! Why: the peer is a server we do not control. A list with one odd item must not make the whole
//! call unreadable, and a value of an unexpected JSON type must degrade, not fail.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

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
                let value = ::serde_json::Value::deserialize(deserializer)?;
                Ok(match value {
                    ::serde_json::Value::String(text) => Self::parse(&text),
                    other => $name::Unknown(other.to_string()),
                })
            }
        }
    };
}

/// Deserialises a list, skipping items that do not parse as `T` (and a non-list as empty).
pub fn skip_bad_items<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// Deserialises an optional string that some servers send as a number (`duration`, ids):
/// a number becomes its decimal text, anything else that is not a string becomes `None`.
pub fn string_or_number<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::String(text)) => Some(text),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    })
}

/// Deserialises an optional boolean, accepting `"true"`/`"false"` strings and ignoring the rest.
pub fn lenient_bool<'de, D>(deserializer: D) -> Result<Option<bool>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Bool(flag)) => Some(flag),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => Some(false),
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
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    })
}

/// Deserialises an optional string, treating any other JSON type as absent.
pub fn string_or_none<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(Value::String(text)) => Some(text),
        _ => None,
    })
}
