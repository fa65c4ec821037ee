//! The engine's interface: what it is asked to do ([`Command`]), what it answers
//! ([`Outcome`], built step by step by `Out`) and why it refuses ([`EngineError`]).
//!
//! Why a separate file: the server, the control API and the benchmarks see only these types;
//! keeping them apart from the model lets the model change without touching its callers.

use gws_protocol::StatusCode;
use gws_protocol::api::OperationRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Identifies a party across conversations (parties move on transfer/conference). Part of the
/// API because timers name the party they are about.
pub type PartyId = u64;
/// Identifies a conversation (one physical call).
pub type ConvId = u64;

/// T-Server-style error codes carried by asynchronous `ErrorMessage` notifications.
pub mod error_codes {
    /// The destination is busy (reserved number, or an agent in do-not-disturb).
    pub const BUSY: i64 = 56;
    /// The destination is not a valid number.
    pub const INVALID_DESTINATION: i64 = 57;
    /// The operation is not supported on this kind of call (e.g. a supervisor's monitoring call).
    pub const NOT_SUPPORTED: i64 = 58;
}

/// What the engine is asked to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// `/sim/calls`: a simulated phone `from` calls `to` (an agent DN, or `"queue"`).
    InjectCall {
        /// The calling simulated phone.
        from: String,
        /// An agent DN or `queue`.
        to: String,
        /// Attached data of the new call.
        user_data: Option<Map<String, Value>>,
    },
    /// The simulated party (or the given number) on the conversation of `call_id` hangs up.
    RemoteHangup {
        /// Any agent call id of the conversation.
        call_id: String,
        /// Which remote number hangs up; default: every simulated phone on it.
        number: Option<String>,
    },
    /// The simulated phone `number` hangs up wherever it is (transfers move customers between
    /// agents, so a customer is found by number, not by call id).
    PhoneHangsUp {
        /// The simulated phone.
        number: String,
    },
    /// `/sim/reset`: release and forget every call, agents back to their initial state.
    Reset,
    /// `POST /api/v2/me/calls/{id}`.
    CallOperation {
        /// Authenticated user.
        user: String,
        /// Call id from the path.
        call_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/devices/{id}/calls` (Dial).
    Dial {
        /// Authenticated user.
        user: String,
        /// Device id from the path.
        device_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/devices/{id}` (DND, forwarding, supervisor monitoring, SetCallDisposition
    /// naming a live or recently released call).
    DeviceOperation {
        /// Authenticated user.
        user: String,
        /// Device id from the path.
        device_id: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me/channels/voice` (Ready / NotReady / AfterCallWork).
    AgentState {
        /// Authenticated user.
        user: String,
        /// The body.
        request: OperationRequest,
    },
    /// `POST /api/v2/me` (Start/EndContactCenterSession).
    Session {
        /// Authenticated user.
        user: String,
        /// The body.
        request: OperationRequest,
    },
    /// A timer the engine asked for earlier has fired.
    Timer(TimerEvent),
}

/// Something that happens later on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum TimerEvent {
    /// The simulated phone `party` answers (if it still rings).
    PhoneAnswers {
        /// The ringing phone party.
        party: PartyId,
    },
    /// The simulated phone `party` turns out to be busy.
    PhoneBusy {
        /// The ringing phone party.
        party: PartyId,
    },
}

/// A timer to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Delay from the command's `now_ms`.
    pub after_ms: u64,
    /// What to feed back as [`Command::Timer`].
    pub event: TimerEvent,
}

/// A CometD message for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct Addressed {
    /// Receiving user name.
    pub user: String,
    /// CometD channel (`/v2/me/calls`, `/v2/me/devices`).
    pub channel: &'static str,
    /// The `data` of the message.
    pub data: Value,
}

/// The result of a command.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Notifications to publish, in order.
    pub notifications: Vec<Addressed>,
    /// Timers to schedule.
    pub timers: Vec<Timer>,
    /// The call id a command created for the caller (`/sim/calls`, Dial).
    pub call_id: Option<String>,
    /// Users whose contact-center session ended: their HTTP and CometD sessions must go.
    pub ended_sessions: Vec<String>,
    /// StartContactCenterSession that started some of its channels but not all: each
    /// channel's result, in request order (the reply is `statusCode` 7, partial success).
    pub partial: Option<Vec<ChannelResult>>,
}

/// One channel's result in a partly successful StartContactCenterSession.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelResult {
    /// The channel as requested (`voice`, `chat`…).
    pub channel: String,
    /// Its `statusCode` (and `statusMessage` when non-zero).
    #[serde(flatten)]
    pub status: gws_protocol::ApiStatus,
}

/// Why a command was refused. The state is unchanged when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Unknown (or someone else's) call, device or user: statusCode 6.
    #[error("{0}")]
    NotFound(String),
    /// A required parameter is missing: statusCode 1.
    #[error("{0}")]
    MissingParameter(String),
    /// A parameter is invalid, or the operation is not allowed in the current state: statusCode 2.
    #[error("{0}")]
    Invalid(String),
    /// The operation is forbidden for this user: statusCode 3.
    #[error("{0}")]
    Forbidden(String),
    /// The destination cannot take the call now (control API only): statusCode 19.
    #[error("{0}")]
    Busy(String),
}

impl EngineError {
    /// The GWS `statusCode` of this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            EngineError::NotFound(_) => StatusCode::NOT_FOUND,
            EngineError::MissingParameter(_) => StatusCode::PARAMETER_MISSING,
            EngineError::Invalid(_) => StatusCode::PARAMETER_INVALID,
            EngineError::Forbidden(_) => StatusCode::FORBIDDEN,
            EngineError::Busy(_) => StatusCode(19),
        }
    }
}

/// Builds an `Outcome` step by step; helpers push notifications in the order the seeds show.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub(in crate::engine) outcome: Outcome,
}

impl Out {
    pub(crate) fn push(&mut self, addressed: Addressed) {
        self.outcome.notifications.push(addressed);
    }

    pub(crate) fn timer(&mut self, after_ms: u64, event: TimerEvent) {
        self.outcome.timers.push(Timer { after_ms, event });
    }

    pub(crate) fn finish(self) -> Outcome {
        self.outcome
    }
}
