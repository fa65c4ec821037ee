//! Errors of REST calls, worded for the agent who reads them on a card.

use crate::i18n::{Catalog, Key};
use thiserror::Error;

/// Why a REST call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// No response (offline, refused, CORS…).
    #[error("Cannot reach the server ({0})")]
    Network(String),
    /// No response in time.
    #[error("The server did not answer in time")]
    Timeout,
    /// Credentials refused.
    #[error("Not signed in: the server refused the credentials")]
    Unauthorized,
    /// The CSRF token was refused even after a refresh.
    #[error("The server refused the request (security token)")]
    Csrf,
    /// GWS answered with a non-zero `statusCode`.
    #[error("{message} (code {code})")]
    Rejected {
        /// GWS `statusCode`.
        code: i64,
        /// GWS `statusMessage`.
        message: String,
    },
    /// An HTTP error without a GWS body.
    #[error("The server answered HTTP {0}")]
    Http(u16),
    /// A body we could not read.
    #[error("Unexpected answer from the server: {0}")]
    Decode(String),
}

impl ApiError {
    /// The message in `catalog`'s language (`Display` is the English one, for logs). Server
    /// wording (a rejection's message, a network detail) is kept as sent.
    pub fn localized(&self, catalog: &Catalog) -> String {
        match self {
            ApiError::Network(detail) => catalog.fill(Key::ErrNetwork, &[("detail", detail)]),
            ApiError::Timeout => catalog.text(Key::ErrTimeout).to_string(),
            ApiError::Unauthorized => catalog.text(Key::ErrUnauthorized).to_string(),
            ApiError::Csrf => catalog.text(Key::ErrCsrf).to_string(),
            ApiError::Rejected { code, message } => catalog.fill(
                Key::ErrRejected,
                &[("message", message), ("code", &code.to_string())],
            ),
            ApiError::Http(status) => {
                catalog.fill(Key::ErrHttp, &[("status", &status.to_string())])
            }
            ApiError::Decode(detail) => catalog.fill(Key::ErrDecode, &[("detail", detail)]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn english_matches_display_and_other_languages_keep_server_words() {
        let errors = [
            ApiError::Network("refused".into()),
            ApiError::Timeout,
            ApiError::Unauthorized,
            ApiError::Csrf,
            ApiError::Rejected {
                code: 12,
                message: "Busy".into(),
            },
            ApiError::Http(503),
            ApiError::Decode("eof".into()),
        ];
        for error in &errors {
            assert_eq!(error.localized(&Catalog::default()), error.to_string());
        }
        let fr = Catalog::new(Lang::Fr);
        assert_eq!(
            errors[1].localized(&fr),
            "Le serveur n’a pas répondu à temps"
        );
        assert_eq!(errors[4].localized(&fr), "Busy (code d’erreur 12)");
        assert_eq!(
            errors[5].localized(&Catalog::new(Lang::De)),
            "Der Server antwortete mit HTTP 503"
        );
        assert_eq!(
            errors[0].localized(&Catalog::new(Lang::Es)),
            "No se puede contactar con el servidor (refused)"
        );
    }
}
