//! Errors of REST calls, worded for the agent who reads them on a card.

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
