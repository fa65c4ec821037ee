//! From a call's server-sent `capabilities` to the controls a card shows.
//!
//! The server decides *what* is allowed; this table decides only *how it looks*: a stable order
//! (so buttons do not jump when the server lists capabilities in another order — the seeds show it
//! does), a primary/secondary grouping, a label, and which input the operation needs.

use gws_protocol::{Call, Operation};

/// Where a control sits on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionGroup {
    /// Always visible, large: answer, hang up, hold…
    Primary,
    /// Grouped below: transfers, keypad, recording…
    Secondary,
    /// Attached-data editing, folded away with the data it edits.
    Data,
}

/// What the operation needs from the agent before it can be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionInput {
    /// Nothing: a click sends it.
    None,
    /// A phone number (`destination`).
    Destination,
    /// DTMF digits.
    Digits,
    /// Another of the agent's calls (`otherCallUri` / `consultCallUri`).
    OtherCall,
    /// A participant's number.
    Participant,
    /// Key/value pairs (`userData`).
    UserData,
    /// One key of the attached data.
    UserDataKey,
}

/// One control for one capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The operation it sends (`data-action`).
    pub operation: Operation,
    /// Button text.
    pub label: String,
    /// Where it goes.
    pub group: ActionGroup,
    /// What it asks for.
    pub input: ActionInput,
}

/// Known call operations in display order, with group, label and input.
const TABLE: &[(Operation, ActionGroup, &str, ActionInput)] = {
    use ActionGroup::{Data as D, Primary as P, Secondary as S};
    use ActionInput as I;
    use Operation as O;
    &[
        (O::Answer, P, "Answer", I::None),
        (O::Retrieve, P, "Retrieve", I::None),
        (O::Hold, P, "Hold", I::None),
        (O::MuteCall, P, "Mute", I::None),
        (O::UnmuteCall, P, "Unmute", I::None),
        (O::CompleteTransfer, P, "Complete transfer", I::OtherCall),
        (
            O::CompleteConference,
            P,
            "Complete conference",
            I::OtherCall,
        ),
        (O::SwapCalls, P, "Swap", I::OtherCall),
        (O::SwitchToListenIn, P, "Listen in", I::None),
        (O::SwitchToCoach, P, "Coach", I::None),
        (O::SwitchToBargeIn, P, "Barge in", I::None),
        (O::Hangup, P, "Hang up", I::None),
        (O::SendDtmf, S, "Keypad", I::Digits),
        (O::InitiateTransfer, S, "Consult transfer", I::Destination),
        (
            O::InitiateConference,
            S,
            "Consult conference",
            I::Destination,
        ),
        (O::SingleStepTransfer, S, "Transfer", I::Destination),
        (
            O::SingleStepConference,
            S,
            "Add to conference",
            I::Destination,
        ),
        (O::MergeWithOtherCall, S, "Merge", I::OtherCall),
        (
            O::RemoveParticipantFromConference,
            S,
            "Remove party",
            I::Participant,
        ),
        (O::MuteMonitoredUser, S, "Mute agent", I::None),
        (O::UnmuteMonitoredUser, S, "Unmute agent", I::None),
        (O::StartCallRecording, S, "Record", I::None),
        (O::PauseCallRecording, S, "Pause recording", I::None),
        (O::ResumeCallRecording, S, "Resume recording", I::None),
        (O::StopCallRecording, S, "Stop recording", I::None),
        (O::AttachUserData, D, "Add data", I::UserData),
        (O::UpdateUserData, D, "Edit data", I::UserData),
        (O::DeleteUserDataPair, D, "Delete key", I::UserDataKey),
        (O::DeleteUserData, D, "Clear data", I::None),
    ]
};

/// The button text for `operation` (call or device level); unknown operations show their name.
pub fn label(operation: &Operation) -> String {
    let device_label = match operation {
        Operation::Dial => Some("Call"),
        Operation::StartContactCenterSession => Some("Log in"),
        Operation::EndContactCenterSession => Some("Log out"),
        Operation::DoNotDisturbOn => Some("Do not disturb"),
        Operation::DoNotDisturbOff => Some("Disturb again"),
        Operation::ForwardCallsOn => Some("Forward calls"),
        Operation::ForwardCallsOff => Some("Stop forwarding"),
        Operation::ListenIn => Some("Listen in"),
        Operation::Coach => Some("Coach"),
        Operation::BargeIn => Some("Barge in"),
        Operation::CancelSupervisorMonitoring => Some("Stop monitoring"),
        Operation::Ready => Some("Ready"),
        Operation::NotReady => Some("Not ready"),
        Operation::AfterCallWork => Some("After-call work"),
        _ => None,
    };
    device_label
        .or_else(|| {
            TABLE
                .iter()
                .find(|(op, ..)| op == operation)
                .map(|(_, _, label, _)| *label)
        })
        .map_or_else(|| operation.as_str().to_string(), str::to_string)
}

/// The controls for `call`, given the agent's other live calls.
///
/// Complete* needs no input when the pairing is known: the call is a consult (`parentCallUri`)
/// or another call is a consult of it. Otherwise the agent picks the other call.
/// Capabilities the table does not know become generic secondary buttons sending the operation
/// with no parameters, after the known ones, in the server's order, without duplicates.
pub fn actions_for(call: &Call, other_calls: &[&Call]) -> Vec<Action> {
    let linked = call.parent_call_id().is_some()
        || other_calls
            .iter()
            .any(|other| other.parent_call_id() == Some(call.id.as_str()));
    let mut actions: Vec<Action> = TABLE
        .iter()
        .filter(|(operation, ..)| call.can(operation))
        .map(|(operation, group, label, input)| {
            let input = match operation {
                Operation::CompleteTransfer | Operation::CompleteConference if linked => {
                    ActionInput::None
                }
                _ => *input,
            };
            Action {
                operation: operation.clone(),
                label: (*label).to_string(),
                group: *group,
                input,
            }
        })
        .collect();
    for capability in &call.capabilities {
        let known = TABLE.iter().any(|(operation, ..)| operation == capability);
        let listed = actions.iter().any(|action| &action.operation == capability);
        if !known && !listed && !capability.as_str().is_empty() {
            actions.push(Action {
                operation: capability.clone(),
                label: capability.as_str().to_string(),
                group: ActionGroup::Secondary,
                input: ActionInput::None,
            });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::CallState;

    fn with_caps(caps: &[&str]) -> Call {
        Call {
            id: "c".into(),
            state: CallState::Established,
            capabilities: caps.iter().map(|c| Operation::parse(c)).collect(),
            ..Call::default()
        }
    }

    fn names(actions: &[Action]) -> Vec<&str> {
        actions.iter().map(|a| a.operation.as_str()).collect()
    }

    #[test]
    fn order_is_stable_whatever_the_server_order() {
        let a = with_caps(&[
            "UpdateUserData",
            "Hangup",
            "Hold",
            "SendDtmf",
            "AttachUserData",
        ]);
        let b = with_caps(&[
            "SendDtmf",
            "AttachUserData",
            "Hold",
            "UpdateUserData",
            "Hangup",
        ]);
        assert_eq!(names(&actions_for(&a, &[])), names(&actions_for(&b, &[])));
        assert_eq!(
            names(&actions_for(&a, &[])),
            vec![
                "Hold",
                "Hangup",
                "SendDtmf",
                "AttachUserData",
                "UpdateUserData"
            ]
        );
    }

    #[test]
    fn unknown_capability_becomes_a_generic_button_once() {
        let call = with_caps(&["Hangup", "Teleport", "Teleport", ""]);
        let actions = actions_for(&call, &[]);
        assert_eq!(names(&actions), vec!["Hangup", "Teleport"]);
        assert_eq!(actions[1].group, ActionGroup::Secondary);
        assert_eq!(actions[1].input, ActionInput::None);
        assert_eq!(actions[1].label, "Teleport");
    }

    #[test]
    fn complete_transfer_needs_no_input_on_a_linked_consult() {
        let mut consult = with_caps(&["CompleteTransfer", "SwapCalls"]);
        consult.parent_call_uri = Some("http://h/api/v2/me/calls/parent".into());
        let actions = actions_for(&consult, &[]);
        assert_eq!(actions[0].input, ActionInput::None);
        assert_eq!(
            actions[1].input,
            ActionInput::OtherCall,
            "swap still picks the other call"
        );

        let mut parent = with_caps(&["CompleteTransfer"]);
        parent.id = "parent".into();
        assert_eq!(
            actions_for(&parent, &[&consult])[0].input,
            ActionInput::None
        );
        let plain = with_caps(&["CompleteTransfer"]);
        assert_eq!(
            actions_for(&plain, &[])[0].input,
            ActionInput::OtherCall,
            "plain dial: pick"
        );
    }

    #[test]
    fn released_call_has_no_controls() {
        assert!(actions_for(&with_caps(&[]), &[]).is_empty());
    }
}
