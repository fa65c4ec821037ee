//! The input an operation asks for before it can be sent: the options a form offers (another
//! call, a participant, a user-data key) and the request the agent's answer makes.
//!
//! The field that carries the answer differs per operation (`consultCallUri` for completing a
//! transfer or conference, `otherCallUri` for swap and merge…); keeping that here keeps it out of
//! the form components and under native test.

use super::text;
use crate::actions::ActionInput;
use crate::i18n::Catalog;
use gws_protocol::api::OperationRequest;
use gws_protocol::{Call, Operation};
use serde_json::Value;

/// One option of a choice form: the value sent and the text shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What is sent when chosen.
    pub value: String,
    /// What the agent reads.
    pub label: String,
}

/// The request for `operation` with the agent's answer `value` in the field that operation takes
/// it in.
pub fn request_with(operation: &Operation, input: ActionInput, value: Value) -> OperationRequest {
    let mut request = OperationRequest::new(operation.clone());
    match input {
        ActionInput::Destination => {
            request.destination = Some(OperationRequest::destination_of(value))
        }
        ActionInput::Digits => request.digits = Some(value),
        ActionInput::OtherCall => match operation {
            Operation::CompleteTransfer | Operation::CompleteConference => {
                request.consult_call_uri = Some(value)
            }
            _ => request.other_call_uri = Some(value),
        },
        ActionInput::Participant => request.participant = Some(value),
        ActionInput::UserData => request.user_data = Some(value),
        ActionInput::UserDataKey => request.key = Some(value),
        ActionInput::None => {}
    }
    request
}

/// The other live calls an operation can pair with (value = the call's URI, else its id).
pub fn other_call_choices(others: &[&Call], catalog: &Catalog) -> Vec<Choice> {
    others
        .iter()
        .map(|call| Choice {
            value: call.uri.0.clone().unwrap_or_else(|| call.id.clone()),
            label: format!(
                "{} — {}",
                text::parties(call, catalog),
                text::call_state(&call.state, catalog)
            ),
        })
        .collect()
}

/// The parties of `call` that can be removed from it (value = their number).
pub fn participant_choices(call: &Call) -> Vec<Choice> {
    call.participants
        .iter()
        .map(|p| Choice {
            value: p.number().to_string(),
            label: p.display().to_string(),
        })
        .collect()
}

/// The keys of `call`'s attached data, to delete one.
pub fn user_data_key_choices(call: &Call) -> Vec<Choice> {
    call.user_data
        .iter()
        .flat_map(|data| data.keys())
        .map(|key| Choice {
            value: key.clone(),
            label: key.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gws_protocol::{CallState, Participant};
    use serde_json::json;

    #[test]
    fn completing_takes_the_consult_call_and_swapping_the_other_call() {
        let value = json!("http://gws/api/v2/me/calls/b");
        let complete = request_with(
            &Operation::CompleteTransfer,
            ActionInput::OtherCall,
            value.clone(),
        );
        assert_eq!(complete.consult_call_uri, Some(value.clone()));
        assert_eq!(complete.other_call_uri, None);
        let swap = request_with(&Operation::SwapCalls, ActionInput::OtherCall, value.clone());
        assert_eq!(swap.other_call_uri, Some(value));
        assert_eq!(swap.consult_call_uri, None);
    }

    #[test]
    fn each_input_lands_in_its_field() {
        let dial = request_with(
            &Operation::InitiateTransfer,
            ActionInput::Destination,
            json!("5001"),
        );
        assert_eq!(dial.destination, Some(json!({"phoneNumber": "5001"})));
        let dtmf = request_with(&Operation::SendDtmf, ActionInput::Digits, json!("12#"));
        assert_eq!(dtmf.digits, Some(json!("12#")));
        let remove = request_with(
            &Operation::RemoveParticipantFromConference,
            ActionInput::Participant,
            json!("5002"),
        );
        assert_eq!(remove.participant, Some(json!("5002")));
        let key = request_with(
            &Operation::DeleteUserDataPair,
            ActionInput::UserDataKey,
            json!("k"),
        );
        assert_eq!(key.key, Some(json!("k")));
        let data = request_with(
            &Operation::AttachUserData,
            ActionInput::UserData,
            json!({"a": "b"}),
        );
        assert_eq!(data.user_data, Some(json!({"a": "b"})));
    }

    #[test]
    fn choices_name_calls_parties_and_keys() {
        let other = Call {
            id: "b".into(),
            uri: "http://gws/api/v2/me/calls/b".into(),
            state: CallState::Held,
            participants: vec![Participant::internal("5001")],
            user_data: (json!({"Case": "42"}).as_object().cloned()).into(),
            ..Call::default()
        };
        assert_eq!(
            other_call_choices(&[&other], &Catalog::default()),
            [Choice {
                value: "http://gws/api/v2/me/calls/b".into(),
                label: "5001 — Held".into(),
            }]
        );
        let without_uri = Call {
            id: "c".into(),
            ..Call::default()
        };
        assert_eq!(
            other_call_choices(&[&without_uri], &Catalog::default())[0].value,
            "c"
        );
        assert_eq!(
            participant_choices(&other),
            [Choice {
                value: "5001".into(),
                label: "5001".into()
            }]
        );
        assert_eq!(user_data_key_choices(&other)[0].value, "Case");
    }
}
