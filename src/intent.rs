//! Intents: what a component asks the app to do. Components never perform I/O; they send an
//! intent through [`crate::context::Dispatch`], and the app turns it into REST calls. In DOM
//! tests the dispatcher records intents instead, so controls are tested without a server.

use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;

/// Something the agent asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// `POST /api/v2/me/calls/{call_id}` with this body.
    CallOperation {
        /// The call.
        call_id: String,
        /// The operation and its parameters (boxed: it is by far the largest variant).
        request: Box<OperationRequest>,
    },
    /// Retry the notification connection now.
    RetryConnection,
    /// Hide the error shown on a card.
    DismissError {
        /// The call.
        call_id: String,
    },
}

impl Intent {
    /// A call operation without parameters.
    pub fn operation(call_id: &str, operation: Operation) -> Self {
        Intent::CallOperation {
            call_id: call_id.to_string(),
            request: Box::new(OperationRequest::new(operation)),
        }
    }
}
