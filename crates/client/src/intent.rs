//! Intents: what a component asks the widget to do. Components never perform I/O; they send an
//! intent through the widget's dispatcher, and the [`crate::widget_core`] turns it into REST calls. In DOM
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
    /// `POST /api/v2/me/devices/{id}` (DND, forwarding, supervisor monitoring) on the agent's
    /// device.
    DeviceOperation(Box<OperationRequest>),
    /// `POST /api/v2/me/devices/{id}/calls` with `Dial` on the agent's device.
    Dial(Box<OperationRequest>),
    /// `POST /api/v2/me/channels/voice` (Ready / NotReady / AfterCallWork).
    AgentState(Box<OperationRequest>),
    /// Retry the notification connection now.
    RetryConnection,
    /// Hide the error shown on a card.
    DismissError {
        /// The call.
        call_id: String,
    },
    /// Hide the error shown in the agent bar.
    DismissAgentError,
    /// Log the agent's voice channel in (`StartContactCenterSession`).
    LogIn,
    /// Log out: stop notifications, then `EndContactCenterSession` (which ends the HTTP
    /// session, so it goes last).
    LogOut,
    /// Sign in again after the credentials were refused.
    SignIn,
}

impl Intent {
    /// A call operation without parameters.
    pub fn operation(call_id: &str, operation: Operation) -> Self {
        Self::call(call_id, OperationRequest::new(operation))
    }

    /// A call operation with parameters.
    pub fn call(call_id: &str, request: OperationRequest) -> Self {
        Intent::CallOperation {
            call_id: call_id.to_string(),
            request: Box::new(request),
        }
    }

    /// `Dial` to an already normalised number.
    pub fn dial(number: &str) -> Self {
        Intent::Dial(Box::new(
            OperationRequest::new(Operation::Dial).with_destination(number),
        ))
    }
}
