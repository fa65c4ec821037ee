//! From a call's server-sent `capabilities` to the controls a card shows.
//!
//! The server decides *what* is allowed; this table decides only *how it looks*: a stable order
//! (so buttons do not jump when the server lists capabilities in another order — the seeds show it
//! does), a primary/secondary grouping, a label, and which input the operation needs.
//!
//! Labels are catalog keys: a known operation reads in the widget's language; an operation the
//! table does not know keeps the server's name (readable, and the only name there is).

use crate::i18n::{Catalog, Key};
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
const TABLE: &[(Operation, ActionGroup, Key, ActionInput)] = {
    use ActionGroup::{Data as D, Primary as P, Secondary as S};
    use ActionInput as I;
    use Key as K;
    use Operation as O;
    &[
        (O::Answer, P, K::OpAnswer, I::None),
        (O::Retrieve, P, K::OpRetrieve, I::None),
        (O::Hold, P, K::OpHold, I::None),
        (O::MuteCall, P, K::OpMute, I::None),
        (O::UnmuteCall, P, K::OpUnmute, I::None),
        (O::CompleteTransfer, P, K::OpCompleteTransfer, I::OtherCall),
        (
            O::CompleteConference,
            P,
            K::OpCompleteConference,
            I::OtherCall,
        ),
        (O::SwapCalls, P, K::OpSwap, I::OtherCall),
        (O::SwitchToListenIn, P, K::OpListenIn, I::None),
        (O::SwitchToCoach, P, K::OpCoach, I::None),
        (O::SwitchToBargeIn, P, K::OpBargeIn, I::None),
        (O::Hangup, P, K::OpHangup, I::None),
        (O::SendDtmf, S, K::OpKeypad, I::Digits),
        (O::InitiateTransfer, S, K::OpConsultTransfer, I::Destination),
        (
            O::InitiateConference,
            S,
            K::OpConsultConference,
            I::Destination,
        ),
        (O::SingleStepTransfer, S, K::OpTransfer, I::Destination),
        (
            O::SingleStepConference,
            S,
            K::OpAddToConference,
            I::Destination,
        ),
        (O::MergeWithOtherCall, S, K::OpMerge, I::OtherCall),
        (
            O::RemoveParticipantFromConference,
            S,
            K::OpRemoveParty,
            I::Participant,
        ),
        (O::MuteMonitoredUser, S, K::OpMuteAgent, I::None),
        (O::UnmuteMonitoredUser, S, K::OpUnmuteAgent, I::None),
        (O::StartCallRecording, S, K::OpRecord, I::None),
        (O::PauseCallRecording, S, K::OpPauseRecording, I::None),
        (O::ResumeCallRecording, S, K::OpResumeRecording, I::None),
        (O::StopCallRecording, S, K::OpStopRecording, I::None),
        (O::AttachUserData, D, K::OpAddData, I::UserData),
        (O::UpdateUserData, D, K::OpEditData, I::UserData),
        (O::DeleteUserDataPair, D, K::OpDeleteKey, I::UserDataKey),
        (O::DeleteUserData, D, K::OpClearData, I::None),
    ]
};

/// The catalog key of `operation`'s button text (call or device level); `None` for an
/// operation the widget does not know.
pub fn label_key(operation: &Operation) -> Option<Key> {
    let device_key = match operation {
        Operation::Dial => Some(Key::OpDial),
        Operation::StartContactCenterSession => Some(Key::OpLogIn),
        Operation::EndContactCenterSession => Some(Key::OpLogOut),
        Operation::DoNotDisturbOn => Some(Key::OpDndOn),
        Operation::DoNotDisturbOff => Some(Key::OpDndOff),
        Operation::ForwardCallsOn => Some(Key::OpForwardOn),
        Operation::ForwardCallsOff => Some(Key::OpForwardOff),
        Operation::ListenIn => Some(Key::OpListenIn),
        Operation::Coach => Some(Key::OpCoach),
        Operation::BargeIn => Some(Key::OpBargeIn),
        Operation::CancelSupervisorMonitoring => Some(Key::OpStopMonitoring),
        Operation::Ready => Some(Key::OpReady),
        Operation::NotReady => Some(Key::OpNotReady),
        Operation::AfterCallWork => Some(Key::OpAfterCallWork),
        _ => None,
    };
    device_key.or_else(|| {
        TABLE
            .iter()
            .find(|(op, ..)| op == operation)
            .map(|(_, _, key, _)| *key)
    })
}

/// The button text for `operation` in `catalog`'s language; unknown operations show their name.
pub fn label(operation: &Operation, catalog: &Catalog) -> String {
    label_key(operation).map_or_else(
        || operation.as_str().to_string(),
        |key| catalog.text(key).to_string(),
    )
}

/// The controls for `call`, given the agent's other live calls.
///
/// Complete* needs no input when the pairing is known: the call is a consult of another live
/// call (`parentCallUri`) or another call is a consult of it. Otherwise the agent picks the
/// other call — also on a consult whose parent is gone (transferred away, hung up): the server
/// finds no related call then, and refuses a Complete* without one (found by the random walk).
/// Capabilities the table does not know become generic secondary buttons sending the operation
/// with no parameters, after the known ones, in the server's order, without duplicates.
pub fn actions_for(call: &Call, other_calls: &[&Call], catalog: &Catalog) -> Vec<Action> {
    let linked = call
        .parent_call_id()
        .is_some_and(|parent| other_calls.iter().any(|other| other.id == parent))
        || other_calls
            .iter()
            .any(|other| other.parent_call_id() == Some(call.id.as_str()));
    let mut actions: Vec<Action> = TABLE
        .iter()
        .filter(|(operation, ..)| call.can(operation))
        .map(|(operation, group, key, input)| {
            let input = match operation {
                Operation::CompleteTransfer | Operation::CompleteConference if linked => {
                    ActionInput::None
                }
                _ => *input,
            };
            Action {
                operation: operation.clone(),
                label: catalog.text(*key).to_string(),
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
    use crate::i18n::Lang;
    use gws_protocol::CallState;

    fn en() -> Catalog {
        Catalog::default()
    }

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
        assert_eq!(
            names(&actions_for(&a, &[], &en())),
            names(&actions_for(&b, &[], &en()))
        );
        assert_eq!(
            names(&actions_for(&a, &[], &en())),
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
        let actions = actions_for(&call, &[], &en());
        assert_eq!(names(&actions), vec!["Hangup", "Teleport"]);
        assert_eq!(actions[1].group, ActionGroup::Secondary);
        assert_eq!(actions[1].input, ActionInput::None);
        assert_eq!(actions[1].label, "Teleport");
    }

    #[test]
    fn complete_transfer_needs_no_input_on_a_linked_consult() {
        let mut parent = with_caps(&["CompleteTransfer"]);
        parent.id = "parent".into();
        let mut consult = with_caps(&["CompleteTransfer", "SwapCalls"]);
        consult.parent_call_uri = "http://h/api/v2/me/calls/parent".into();
        let actions = actions_for(&consult, &[&parent], &en());
        assert_eq!(actions[0].input, ActionInput::None);
        assert_eq!(
            actions[1].input,
            ActionInput::OtherCall,
            "swap still picks the other call"
        );

        assert_eq!(
            actions_for(&parent, &[&consult], &en())[0].input,
            ActionInput::None
        );
        let plain = with_caps(&["CompleteTransfer"]);
        assert_eq!(
            actions_for(&plain, &[], &en())[0].input,
            ActionInput::OtherCall,
            "plain dial: pick"
        );
    }

    #[test]
    fn a_consult_whose_parent_is_gone_picks_the_other_call() {
        let mut consult = with_caps(&["CompleteTransfer"]);
        consult.parent_call_uri = "http://h/api/v2/me/calls/parent".into();
        let mut unrelated = with_caps(&["Retrieve"]);
        unrelated.id = "unrelated".into();
        assert_eq!(
            actions_for(&consult, &[&unrelated], &en())[0].input,
            ActionInput::OtherCall
        );
    }

    #[test]
    fn released_call_has_no_controls() {
        assert!(actions_for(&with_caps(&[]), &[], &en()).is_empty());
    }

    #[test]
    fn labels_read_in_the_catalog_language_and_unknown_operations_keep_their_name() {
        let call = with_caps(&["Answer", "Hangup", "Teleport"]);
        let labels = |lang| -> Vec<String> {
            actions_for(&call, &[], &Catalog::new(lang))
                .into_iter()
                .map(|a| a.label)
                .collect()
        };
        assert_eq!(labels(Lang::En), ["Answer", "Hang up", "Teleport"]);
        assert_eq!(labels(Lang::Fr), ["Répondre", "Raccrocher", "Teleport"]);
        assert_eq!(labels(Lang::De), ["Annehmen", "Auflegen", "Teleport"]);
        assert_eq!(labels(Lang::Es), ["Contestar", "Colgar", "Teleport"]);
        let de = Catalog::new(Lang::De);
        assert_eq!(label(&Operation::DoNotDisturbOn, &de), "Nicht stören");
        assert_eq!(label(&Operation::SwitchToListenIn, &de), "Mithören");
        assert_eq!(label(&Operation::parse("Teleport"), &de), "Teleport");
    }

    #[test]
    fn every_operation_of_the_table_has_a_key() {
        for (operation, _, key, _) in TABLE {
            assert_eq!(label_key(operation), Some(*key));
        }
    }
}
