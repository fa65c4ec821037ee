//! AttachUserData, UpdateUserData, DeleteUserDataPair, DeleteUserData, SetCallDisposition →
//! `AttachedDataChanged`.
//!
//! User data belongs to the conversation (T-Server attaches it to the call, not to one party),
//! so every agent on the conversation is told, the requesting agent first. What Attach, Update
//! and SetCallDisposition would leave is bounded (`params.rs`): another agent on the call must
//! still be able to read it.

use super::params::{check_user_data_bound, user_data_param};
use super::{Engine, EngineError, Out, PartyId};
use gws_protocol::Operation;
use gws_protocol::api::OperationRequest;
use gws_protocol::notification::NotificationType;
use serde_json::Value;

impl Engine {
    /// Applies one user-data operation and publishes `AttachedDataChanged`. After
    /// `DeleteUserData` the `userData` property is absent.
    pub(crate) fn user_data_operation(
        &mut self,
        now: u64,
        party: PartyId,
        request: &OperationRequest,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let conv = self.conv_of(party);
        let mut data = self
            .conversations
            .get(&conv)
            .and_then(|c| c.user_data.clone())
            .unwrap_or_default();
        match request.operation_name {
            Operation::AttachUserData | Operation::UpdateUserData => {
                // A JSON object cannot hold duplicate keys, so Attach overwrites like Update.
                data.extend(user_data_param(request)?);
                check_user_data_bound(&data)?;
            }
            Operation::DeleteUserDataPair => {
                let key = match &request.key {
                    None | Some(Value::Null) => {
                        return Err(EngineError::MissingParameter(
                            "Parameter 'key' is missing".into(),
                        ));
                    }
                    Some(Value::String(key)) if !key.is_empty() => key.clone(),
                    Some(_) => {
                        return Err(EngineError::Invalid(
                            "Parameter 'key' must be a non-empty string".into(),
                        ));
                    }
                };
                if data.remove(&key).is_none() {
                    return Err(EngineError::Invalid(format!(
                        "Key '{key}' is not in the call's user data"
                    )));
                }
            }
            Operation::SetCallDisposition => {
                // The disposition is written into the call's user data (gws-api.md §4.1).
                let disposition = match request.other.get("disposition") {
                    None | Some(Value::Null) => {
                        return Err(EngineError::MissingParameter(
                            "Parameter 'disposition' is missing".into(),
                        ));
                    }
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                };
                let key = match request.other.get("dispositionKey") {
                    Some(Value::String(key)) if !key.is_empty() => key.clone(),
                    _ => "DispositionCode".to_string(),
                };
                data.insert(key, Value::String(disposition));
                check_user_data_bound(&data)?;
            }
            _ => data.clear(),
        }
        if let Some(c) = self.conversation_mut(conv) {
            c.user_data = if data.is_empty() { None } else { Some(data) };
        }
        self.emit_kind(now, party, NotificationType::AttachedDataChanged, out);
        for other in self.agent_parties(conv) {
            if other != party && !self.is_monitor(other) {
                self.emit_kind(now, other, NotificationType::AttachedDataChanged, out);
            }
        }
        Ok(())
    }
}
