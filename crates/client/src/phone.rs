//! Phone numbers typed by agents or clicked in a host page, normalised before they reach `Dial`
//! or a transfer: `+1 (555) 010-0100` → `+15550100100`.

use crate::i18n::{Catalog, Key};
use std::fmt;

/// The longest destination we send (GWS forwards it to the switch; real numbers are far shorter).
pub const MAX_NUMBER_LEN: usize = 32;

/// Why a typed number cannot be dialled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Nothing to dial.
    Empty,
    /// A character that is not a digit, `*`, `#`, a leading `+`, or a separator.
    InvalidCharacter(char),
    /// Longer than [`MAX_NUMBER_LEN`].
    TooLong,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::Empty => f.write_str("Enter a number"),
            NumberError::InvalidCharacter(c) => write!(f, "“{c}” is not allowed in a phone number"),
            NumberError::TooLong => write!(f, "A number has at most {MAX_NUMBER_LEN} digits"),
        }
    }
}

impl std::error::Error for NumberError {}

impl NumberError {
    /// The message in `catalog`'s language (`Display` is the English one, for logs).
    pub fn localized(&self, catalog: &Catalog) -> String {
        match self {
            NumberError::Empty => catalog.text(Key::NumberEmpty).to_string(),
            NumberError::InvalidCharacter(c) => {
                catalog.fill(Key::NumberInvalidChar, &[("char", &c.to_string())])
            }
            NumberError::TooLong => {
                catalog.fill(Key::NumberTooLong, &[("max", &MAX_NUMBER_LEN.to_string())])
            }
        }
    }
}

/// Removes separators (spaces, `-`, `.`, `(`, `)`, `/`) and checks what remains: digits, `*`,
/// `#`, and one leading `+`.
pub fn normalize_number(input: &str) -> Result<String, NumberError> {
    let mut number = String::with_capacity(input.len());
    for (index, c) in input.trim().chars().enumerate() {
        match c {
            ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/' => {}
            '0'..='9' | '*' | '#' => number.push(c),
            '+' if index == 0 => number.push(c),
            other => return Err(NumberError::InvalidCharacter(other)),
        }
    }
    match number.trim_start_matches('+').len() {
        0 => Err(NumberError::Empty),
        len if len > MAX_NUMBER_LEN => Err(NumberError::TooLong),
        _ => Ok(number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_in_each_language_and_english_matches_display() {
        let errors = [
            NumberError::Empty,
            NumberError::InvalidCharacter('x'),
            NumberError::TooLong,
        ];
        for error in &errors {
            assert_eq!(error.localized(&Catalog::default()), error.to_string());
        }
        let de = Catalog::new(crate::i18n::Lang::De);
        assert_eq!(errors[0].localized(&de), "Rufnummer eingeben");
        assert_eq!(
            errors[1].localized(&de),
            "„x“ ist in einer Rufnummer nicht erlaubt"
        );
        assert_eq!(
            errors[2].localized(&de),
            "Eine Rufnummer hat höchstens 32 Ziffern"
        );
    }

    #[test]
    fn separators_are_removed() {
        assert_eq!(
            normalize_number("+1 (555) 010-0100"),
            Ok("+15550100100".into())
        );
        assert_eq!(normalize_number(" 5001 "), Ok("5001".into()));
        assert_eq!(normalize_number("555.010/0100"), Ok("5550100100".into()));
        assert_eq!(normalize_number("*72#"), Ok("*72#".into()));
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        assert_eq!(normalize_number(""), Err(NumberError::Empty));
        assert_eq!(normalize_number(" - ( ) "), Err(NumberError::Empty));
        assert_eq!(normalize_number("+"), Err(NumberError::Empty));
        assert_eq!(
            normalize_number("12a4"),
            Err(NumberError::InvalidCharacter('a'))
        );
        assert_eq!(
            normalize_number("1+2"),
            Err(NumberError::InvalidCharacter('+'))
        );
        assert_eq!(
            normalize_number("<img src=x>"),
            Err(NumberError::InvalidCharacter('<'))
        );
        assert_eq!(normalize_number(&"9".repeat(33)), Err(NumberError::TooLong));
        assert!(normalize_number(&"9".repeat(32)).is_ok());
    }
}
