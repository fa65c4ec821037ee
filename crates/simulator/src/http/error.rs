//! GWS error responses: `{"statusCode":N,"statusMessage":"…"}` with a fitting HTTP status.

use crate::engine::EngineError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gws_protocol::ApiStatus;

/// An error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub http: StatusCode,
    /// GWS `statusCode`.
    pub code: gws_protocol::StatusCode,
    /// `statusMessage`.
    pub message: String,
}

impl ApiError {
    /// A parameter is missing (400, 1).
    pub fn missing(message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::BAD_REQUEST,
            code: gws_protocol::StatusCode::PARAMETER_MISSING,
            message: message.into(),
        }
    }

    /// A parameter is invalid (400, 2).
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::BAD_REQUEST,
            code: gws_protocol::StatusCode::PARAMETER_INVALID,
            message: message.into(),
        }
    }

    /// The request body is larger than [`crate::http::MAX_BODY_BYTES`] (413, 10).
    pub fn too_large(message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::PAYLOAD_TOO_LARGE,
            code: gws_protocol::StatusCode::INVALID_INPUT,
            message: message.into(),
        }
    }

    /// Not found (404, 6).
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            http: StatusCode::NOT_FOUND,
            code: gws_protocol::StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        let http = match &error {
            EngineError::NotFound(_) => StatusCode::NOT_FOUND,
            EngineError::MissingParameter(_) | EngineError::Invalid(_) => StatusCode::BAD_REQUEST,
            EngineError::Forbidden(_) => StatusCode::FORBIDDEN,
            EngineError::Busy(_) => StatusCode::CONFLICT,
        };
        ApiError {
            http,
            code: error.status_code(),
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.http,
            axum::Json(ApiStatus::error(self.code, self.message)),
        )
            .into_response()
    }
}
