//! What a follower tab may ask the leader to send: a typed operation on a known resource of
//! the signed-in agent — never a path. The leader builds the path itself, from the target and
//! its own stores, and sends only the operations valid for that target; anything else on the
//! channel (which any script of the origin can post to) is refused.

use super::{Target, encode_segment};
use crate::agent::AgentStore;
use gws_protocol::Operation;
use serde::{Deserialize, Serialize};

/// The resource a relayed operation acts on: `"device"`, `"deviceCalls"`, `"agentChannel"`,
/// `"me"`, or `{"call": {"id": …}}` on the channel (serde's default enum form; see
/// [`TabMessage`](super::TabMessage) for why not an internal tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RelayTarget {
    /// `POST /api/v2/me/calls/{id}`: call operations.
    Call {
        /// The call id (encoded as one path segment by whoever builds the path).
        id: String,
    },
    /// `POST /api/v2/me/devices/{device}`: DND, forwarding, supervisor monitoring.
    Device,
    /// `POST /api/v2/me/devices/{device}/calls`: `Dial`.
    DeviceCalls,
    /// `POST /api/v2/me/channels/voice`: agent state.
    AgentChannel,
    /// `POST /api/v2/me`: voice login / logout.
    Me,
}

impl RelayTarget {
    /// Whether `operation` may be sent to this target.
    pub fn allows(&self, operation: &Operation) -> bool {
        use Operation as O;
        match self {
            RelayTarget::Call { .. } => matches!(
                operation,
                O::Answer
                    | O::Hangup
                    | O::Hold
                    | O::Retrieve
                    | O::SendDtmf
                    | O::SingleStepTransfer
                    | O::SingleStepConference
                    | O::InitiateTransfer
                    | O::CompleteTransfer
                    | O::InitiateConference
                    | O::CompleteConference
                    | O::SwapCalls
                    | O::MergeWithOtherCall
                    | O::RemoveParticipantFromConference
                    | O::MuteCall
                    | O::UnmuteCall
                    | O::AttachUserData
                    | O::UpdateUserData
                    | O::DeleteUserData
                    | O::DeleteUserDataPair
                    | O::StartCallRecording
                    | O::PauseCallRecording
                    | O::ResumeCallRecording
                    | O::StopCallRecording
                    | O::SetCallDisposition
                    | O::SwitchToListenIn
                    | O::SwitchToBargeIn
                    | O::SwitchToCoach
                    | O::MuteMonitoredUser
                    | O::UnmuteMonitoredUser
            ),
            RelayTarget::Device => matches!(
                operation,
                O::DoNotDisturbOn
                    | O::DoNotDisturbOff
                    | O::ForwardCallsOn
                    | O::ForwardCallsOff
                    | O::ListenIn
                    | O::Coach
                    | O::BargeIn
                    | O::CancelSupervisorMonitoring
            ),
            RelayTarget::DeviceCalls => matches!(operation, O::Dial),
            RelayTarget::AgentChannel => {
                matches!(
                    operation,
                    O::Ready | O::NotReady | O::AfterCallWork | O::AuxWork
                )
            }
            RelayTarget::Me => matches!(
                operation,
                O::StartContactCenterSession | O::EndContactCenterSession
            ),
        }
    }

    /// The REST path, from the server root: the call id as one encoded segment, the device
    /// from `agent`. `None` when there is nothing to act on (no device yet, an empty or dot
    /// call id, which a URL parser would resolve to another path).
    pub fn path(&self, agent: &AgentStore) -> Option<String> {
        let device = || {
            agent
                .device_id()
                .filter(|id| !id.is_empty())
                .map(encode_segment)
        };
        match self {
            RelayTarget::Call { id } if matches!(id.as_str(), "" | "." | "..") => None,
            RelayTarget::Call { id } => Some(format!("/api/v2/me/calls/{}", encode_segment(id))),
            RelayTarget::Device => Some(format!("/api/v2/me/devices/{}", device()?)),
            RelayTarget::DeviceCalls => Some(format!("/api/v2/me/devices/{}/calls", device()?)),
            RelayTarget::AgentChannel => Some("/api/v2/me/channels/voice".into()),
            RelayTarget::Me => Some("/api/v2/me".into()),
        }
    }

    /// Where the operation's pending state and error live.
    pub(super) fn store_target(&self) -> Target {
        match self {
            RelayTarget::Call { id } => Target::Call(id.clone()),
            _ => Target::Agent,
        }
    }
}

/// Whether `text` looks like a tab id (what the driver draws: a short run of letters, digits,
/// `-` or `_`). Messages naming anything else are not from a widget.
pub fn is_tab_id(text: &str) -> bool {
    (1..=32).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
