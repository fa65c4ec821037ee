//! Capabilities from call state and context: gws-api.md §10.1, situations A–L (J, recording,
//! only when the deployment has recording).
//!
//! Why a table in one place: the widget draws its buttons from these lists and the seeds compare
//! them as sets, so the rules must be readable next to the spec. The same context also decides
//! which operations the engine *accepts*: everything advertised plus a few operations GWS accepts
//! without ever listing them (MuteCall on an established call, MergeWithOtherCall next to a held
//! call, MuteMonitoredUser for a supervisor, SetCallDisposition on a live call, and on the device
//! for a live or recently released call, see [`device_capabilities`]) — no seed shows them as
//! capabilities, and adding them would break the exact capability sets of situations D and E.
//! A deployment that wants a capability-driven client to offer Mute turns on
//! [`CallContext::advertise_mute`] (`--advertise-mute`): the Call Control table lists MuteCall,
//! and a widget that draws its buttons from capabilities can only offer what the server
//! advertises.

use gws_protocol::{CallState, Operation};

/// A supervisor's monitoring mode (device set-up and the supervisor's own call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MonitorMode {
    /// Silent: the supervisor hears, nobody hears the supervisor (`mute` On).
    ListenIn,
    /// Only the agent hears the supervisor.
    Coach,
    /// Everybody hears the supervisor.
    BargeIn,
}

impl MonitorMode {
    /// The wire name (`supervisorMonitoringState.state`).
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorMode::ListenIn => "ListenIn",
            MonitorMode::Coach => "Coach",
            MonitorMode::BargeIn => "BargeIn",
        }
    }
}

/// Call recording state (`recordingState`), only where recording exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Recording {
    /// Not recording (`StartCallRecording` offered).
    Stopped,
    /// Recording (`PauseCallRecording`, `StopCallRecording`).
    Recording,
    /// Paused (`ResumeCallRecording`, `StopCallRecording`).
    Paused,
}

impl Recording {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Recording::Stopped => "Stopped",
            Recording::Recording => "Recording",
            Recording::Paused => "Paused",
        }
    }
}

/// What capabilities depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    /// The call's state.
    pub state: CallState,
    /// Another call on the same device is Held (makes the active call a consult-like call: C, E).
    pub other_held: bool,
    /// Another call on the same device is Dialing or Established.
    pub other_active: bool,
    /// The agent muted this call (I).
    pub muted: bool,
    /// For a supervisor's monitoring call: the mode and whether Coach may still be entered.
    pub monitor: Option<(MonitorMode, bool)>,
    /// The agent owns a conference with at least two other talking parties.
    pub conference_owner: bool,
    /// Supervisor's view: the monitored agent is muted.
    pub monitored_user_muted: bool,
    /// The recording state, when recording exists in this deployment (situation J).
    pub recording: Option<Recording>,
    /// Advertise `MuteCall` on the agent's own established, unmuted call (`--advertise-mute`).
    /// Off by default so that sets D and E stay exactly as the seeds show them.
    pub advertise_mute: bool,
}

/// The four user-data operations present in every non-released state ("UD4").
const UD4: [Operation; 4] = [
    Operation::DeleteUserDataPair,
    Operation::AttachUserData,
    Operation::DeleteUserData,
    Operation::UpdateUserData,
];

/// The established set D (without UD4).
const ESTABLISHED: [Operation; 7] = [
    Operation::Hangup,
    Operation::Hold,
    Operation::SendDtmf,
    Operation::InitiateConference,
    Operation::InitiateTransfer,
    Operation::SingleStepConference,
    Operation::SingleStepTransfer,
];

/// Stable output order (the seeds' own order varies; order carries no meaning).
const ORDER: [Operation; 26] = [
    Operation::Answer,
    Operation::Retrieve,
    Operation::DeleteUserDataPair,
    Operation::AttachUserData,
    Operation::Hangup,
    Operation::DeleteUserData,
    Operation::Hold,
    Operation::SendDtmf,
    Operation::InitiateConference,
    Operation::InitiateTransfer,
    Operation::SingleStepConference,
    Operation::UpdateUserData,
    Operation::SingleStepTransfer,
    Operation::SwapCalls,
    Operation::CompleteTransfer,
    Operation::CompleteConference,
    Operation::UnmuteCall,
    Operation::RemoveParticipantFromConference,
    Operation::SwitchToListenIn,
    Operation::SwitchToBargeIn,
    Operation::SwitchToCoach,
    Operation::MuteCall,
    Operation::StartCallRecording,
    Operation::PauseCallRecording,
    Operation::ResumeCallRecording,
    Operation::StopCallRecording,
];

impl CallContext {
    /// The advertised capability list (situations A–L).
    pub fn capabilities(&self) -> Vec<Operation> {
        let mut set: Vec<Operation> = Vec::new();
        match self.state {
            // A
            CallState::Ringing => {
                set.extend(UD4);
                set.push(Operation::Answer);
            }
            // B, C, C′
            CallState::Dialing => {
                set.extend(UD4);
                set.extend([Operation::Hangup, Operation::SendDtmf]);
                if self.other_held {
                    set.extend([Operation::SwapCalls, Operation::CompleteTransfer]);
                }
            }
            // D, E, I, K, L
            CallState::Established => {
                set.extend(UD4);
                set.extend(ESTABLISHED);
                if self.other_held {
                    set.extend([
                        Operation::SwapCalls,
                        Operation::CompleteTransfer,
                        Operation::CompleteConference,
                    ]);
                }
                if self.muted {
                    set.push(Operation::UnmuteCall);
                }
                if self.mute_advertised() {
                    set.push(Operation::MuteCall);
                }
                match self.recording {
                    Some(Recording::Stopped) => set.push(Operation::StartCallRecording),
                    Some(Recording::Recording) => {
                        set.extend([Operation::PauseCallRecording, Operation::StopCallRecording]);
                    }
                    Some(Recording::Paused) => {
                        set.extend([Operation::ResumeCallRecording, Operation::StopCallRecording]);
                    }
                    None => {}
                }
                if let Some((mode, coach_allowed)) = self.monitor {
                    set.push(Operation::RemoveParticipantFromConference);
                    match mode {
                        MonitorMode::ListenIn => set.push(Operation::SwitchToBargeIn),
                        MonitorMode::BargeIn => set.push(Operation::SwitchToListenIn),
                        MonitorMode::Coach => {
                            set.extend([Operation::SwitchToListenIn, Operation::SwitchToBargeIn]);
                        }
                    }
                    if coach_allowed && mode != MonitorMode::Coach {
                        set.push(Operation::SwitchToCoach);
                    }
                } else if self.conference_owner {
                    set.push(Operation::RemoveParticipantFromConference);
                }
            }
            // F
            CallState::Held => {
                set.extend(UD4);
                set.extend([
                    Operation::Retrieve,
                    Operation::Hangup,
                    Operation::InitiateConference,
                    Operation::InitiateTransfer,
                    Operation::SingleStepConference,
                    Operation::SingleStepTransfer,
                ]);
                if self.conference_owner {
                    set.push(Operation::RemoveParticipantFromConference);
                }
            }
            // H (and anything unknown)
            _ => {}
        }
        ORDER
            .iter()
            .filter(|op| set.contains(op))
            .cloned()
            .collect()
    }

    /// Whether MuteCall makes sense: the agent's own established call, not muted yet. A
    /// supervisor's monitoring call is muted by its mode (ListenIn), never by MuteCall.
    fn mute_applies(&self) -> bool {
        self.state == CallState::Established && !self.muted && self.monitor.is_none()
    }

    /// Whether MuteCall is listed in the capabilities (situation D/E plus `--advertise-mute`).
    fn mute_advertised(&self) -> bool {
        self.advertise_mute && self.mute_applies()
    }

    /// Operations accepted though not advertised (see the module docs).
    pub fn hidden(&self) -> Vec<Operation> {
        let mut hidden = Vec::new();
        if !matches!(self.state, CallState::Released | CallState::Unknown(_)) {
            hidden.push(Operation::SetCallDisposition);
        }
        if self.mute_applies() && !self.advertise_mute {
            hidden.push(Operation::MuteCall);
        }
        // Not on a call still dialing: merged, it would be established unanswered (the held
        // side next to a dialing call is refused by `swap_merge.rs`, which sees the pair).
        let paired = match self.state {
            CallState::Established => self.other_held,
            CallState::Held => self.other_active,
            _ => false,
        };
        if paired && self.monitor.is_none() {
            hidden.push(Operation::MergeWithOtherCall);
        }
        if self.state == CallState::Established && self.monitor.is_some() {
            hidden.push(if self.monitored_user_muted {
                Operation::UnmuteMonitoredUser
            } else {
                Operation::MuteMonitoredUser
            });
        }
        hidden
    }

    /// Whether the engine accepts `operation` now.
    pub fn allows(&self, operation: &Operation) -> bool {
        self.capabilities().contains(operation) || self.hidden().contains(operation)
    }
}

/// Device capabilities: the On/Off partner of DND and forwarding; supervisors add the monitoring
/// operations, and `CancelSupervisorMonitoring` while monitoring is armed (gws-api.md §8.1).
///
/// `SetCallDisposition` is accepted on the device (with `callUuid` / `callUri`, for a live or
/// a recently released call) but never listed here: gws-api.md §5.2 names the device as only
/// its older location, no sample device capability list shows it (§5.1, §8), and the call-level
/// form is not advertised either (§7.5). Listing it would change every device's capability set.
pub fn device_capabilities(
    dnd: bool,
    forwarding: bool,
    supervisor: bool,
    monitoring: bool,
) -> Vec<Operation> {
    let mut caps = vec![
        if forwarding {
            Operation::ForwardCallsOff
        } else {
            Operation::ForwardCallsOn
        },
        if dnd {
            Operation::DoNotDisturbOff
        } else {
            Operation::DoNotDisturbOn
        },
    ];
    if supervisor {
        caps.extend([Operation::ListenIn, Operation::Coach, Operation::BargeIn]);
        if monitoring {
            caps.push(Operation::CancelSupervisorMonitoring);
        }
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ctx(state: CallState) -> CallContext {
        CallContext {
            state,
            other_held: false,
            other_active: false,
            muted: false,
            monitor: None,
            conference_owner: false,
            monitored_user_muted: false,
            recording: None,
            advertise_mute: false,
        }
    }

    fn names(ops: &[Operation]) -> BTreeSet<String> {
        ops.iter().map(|op| op.as_str().to_string()).collect()
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    const UD: [&str; 4] = [
        "AttachUserData",
        "UpdateUserData",
        "DeleteUserData",
        "DeleteUserDataPair",
    ];

    fn with_ud(extra: &[&str]) -> BTreeSet<String> {
        let mut all = set(&UD);
        all.extend(set(extra));
        all
    }

    #[test]
    fn ringing_offers_answer_and_user_data_only() {
        assert_eq!(
            names(&ctx(CallState::Ringing).capabilities()),
            with_ud(&["Answer"])
        );
    }

    #[test]
    fn dialing_alone_offers_hangup_and_dtmf() {
        assert_eq!(
            names(&ctx(CallState::Dialing).capabilities()),
            with_ud(&["Hangup", "SendDtmf"])
        );
    }

    #[test]
    fn dialing_next_to_a_held_call_offers_swap_and_complete_transfer() {
        let c = CallContext {
            other_held: true,
            ..ctx(CallState::Dialing)
        };
        assert_eq!(
            names(&c.capabilities()),
            with_ud(&["Hangup", "SendDtmf", "SwapCalls", "CompleteTransfer"])
        );
    }

    #[test]
    fn established_alone_is_set_d_with_eleven_entries() {
        let caps = ctx(CallState::Established).capabilities();
        assert_eq!(caps.len(), 11);
        assert!(
            !caps.contains(&Operation::MuteCall),
            "MuteCall is accepted but never advertised"
        );
    }

    #[test]
    fn established_next_to_a_held_call_is_set_e_with_fourteen_entries() {
        let c = CallContext {
            other_held: true,
            ..ctx(CallState::Established)
        };
        let caps = c.capabilities();
        assert_eq!(caps.len(), 14);
        assert!(caps.contains(&Operation::CompleteConference));
        assert!(c.allows(&Operation::MergeWithOtherCall));
    }

    #[test]
    fn held_is_set_f_with_retrieve_and_without_hold_or_dtmf() {
        let caps = names(&ctx(CallState::Held).capabilities());
        assert_eq!(
            caps,
            with_ud(&[
                "Retrieve",
                "Hangup",
                "InitiateConference",
                "InitiateTransfer",
                "SingleStepConference",
                "SingleStepTransfer"
            ])
        );
    }

    #[test]
    fn released_has_no_capabilities_and_accepts_nothing() {
        let c = ctx(CallState::Released);
        assert!(c.capabilities().is_empty());
        assert!(!c.allows(&Operation::Hangup));
    }

    #[test]
    fn muted_call_offers_unmute_and_no_longer_accepts_mute() {
        let c = CallContext {
            muted: true,
            ..ctx(CallState::Established)
        };
        assert!(c.capabilities().contains(&Operation::UnmuteCall));
        assert!(!c.allows(&Operation::MuteCall));
        assert!(ctx(CallState::Established).allows(&Operation::MuteCall));
    }

    #[test]
    fn advertise_mute_lists_mute_call_only_where_it_is_accepted() {
        let on = |state| CallContext {
            advertise_mute: true,
            ..ctx(state)
        };
        let established = on(CallState::Established);
        assert!(established.capabilities().contains(&Operation::MuteCall));
        assert!(
            !established.hidden().contains(&Operation::MuteCall),
            "advertised, so no longer hidden"
        );
        for state in [CallState::Ringing, CallState::Dialing, CallState::Held] {
            assert!(!on(state.clone()).allows(&Operation::MuteCall), "{state}");
        }
        let muted = CallContext {
            muted: true,
            ..on(CallState::Established)
        };
        assert!(!muted.capabilities().contains(&Operation::MuteCall));
        let monitoring = CallContext {
            monitor: Some((MonitorMode::BargeIn, false)),
            ..on(CallState::Established)
        };
        assert!(!monitoring.allows(&Operation::MuteCall));
    }

    #[test]
    fn supervisor_in_listen_in_after_coach_matches_seed_003() {
        let c = CallContext {
            monitor: Some((MonitorMode::ListenIn, false)),
            muted: false,
            ..ctx(CallState::Established)
        };
        let caps = c.capabilities();
        assert_eq!(caps.len(), 13);
        assert!(caps.contains(&Operation::SwitchToBargeIn));
        assert!(caps.contains(&Operation::RemoveParticipantFromConference));
        assert!(!caps.contains(&Operation::SwitchToCoach));
    }

    #[test]
    fn supervisor_in_barge_in_offers_listen_in() {
        let c = CallContext {
            monitor: Some((MonitorMode::BargeIn, false)),
            ..ctx(CallState::Established)
        };
        let caps = c.capabilities();
        assert!(caps.contains(&Operation::SwitchToListenIn));
        assert!(!caps.contains(&Operation::SwitchToBargeIn));
        assert_eq!(caps.len(), 13);
    }

    #[test]
    fn device_lists_only_the_partner_of_each_toggle() {
        assert_eq!(
            device_capabilities(true, false, false, false),
            vec![Operation::ForwardCallsOn, Operation::DoNotDisturbOff]
        );
        let supervisor = device_capabilities(false, true, true, true);
        assert!(supervisor.contains(&Operation::ForwardCallsOff));
        assert!(supervisor.contains(&Operation::CancelSupervisorMonitoring));
    }
}
