//! AttachUserData, UpdateUserData, DeleteUserDataPair, DeleteUserData, SetCallDisposition →
//! `AttachedDataChanged`; SetCallDisposition on a released call → a report, no notification.
//!
//! User data belongs to the conversation (T-Server attaches it to the call, not to one party),
//! so every agent on the conversation is told, the requesting agent first. What Attach, Update
//! and SetCallDisposition would leave is bounded (`params.rs`): another agent on the call must
//! still be able to read it.

use super::model::{DISPOSITION_REPORTS, DispositionReport, ReleasedCall};
use super::params::{check_user_data_bound, disposition_param, named_call_param, user_data_param};
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
                let (key, disposition) = disposition_param(request)?;
                data.insert(key, Value::String(disposition));
                check_user_data_bound(&data)?;
            }
            _ => data.clear(),
        }
        if let Some(c) = self.conversation_mut(conv) {
            c.user_data = if data.is_empty() { None } else { Some(data) };
        }
        self.emit_kind(now, party, NotificationType::AttachedDataChanged, out);
        self.emit_user_data_changed(now, conv, party, out);
        Ok(())
    }

    /// What a device-level SetCallDisposition (`POST /api/v2/me/devices/{id}` with `callUuid`
    /// or `callUri`, the older sample's and the iOS client's form, gws-api.md §4.1) names: a
    /// live call of the device's agent, or one of the agent's recently released calls. Checks,
    /// in order: the device is the user's (404/6) and logged in (403/3), the disposition
    /// parameters (400/1, 400/2), the call reference (400/1, 400/2), the call (404/6 when it
    /// is unknown, another agent's, or released too long ago to be remembered).
    pub(crate) fn disposition_target(
        &self,
        user: &str,
        device_id: &str,
        request: &OperationRequest,
    ) -> Result<DispositionTarget, EngineError> {
        let agent = self.require_logged_in(self.own_device(user, device_id)?)?;
        disposition_param(request)?;
        let call_id = named_call_param(request)?;
        if self.own_call(user, &call_id).is_ok() {
            return Ok(DispositionTarget::Live(call_id));
        }
        self.agents[agent]
            .released
            .iter()
            .rev()
            .find(|call| call.call_id == call_id)
            .map(|call| DispositionTarget::Released(agent, call.clone()))
            .ok_or_else(|| EngineError::NotFound(format!("Call {call_id} not found")))
    }

    /// SetCallDisposition on a released call: GWS sends it to reporting (T-Server
    /// `EventUserEvent`) and notifies nobody (gws-api.md §4.1); the simulator records the
    /// report instead (the newest [`DISPOSITION_REPORTS`], shown by `GET /sim/state`). The call
    /// stays released and its user data is not touched: the conversation may be gone, and on
    /// one that goes on without this agent the others would otherwise see a change.
    pub(crate) fn report_disposition(
        &mut self,
        now: u64,
        agent: usize,
        call: &ReleasedCall,
        request: &OperationRequest,
    ) -> Result<(), EngineError> {
        let (key, disposition) = disposition_param(request)?;
        self.dispositions.push_back(DispositionReport {
            user_name: self.agents[agent].spec.user_name.clone(),
            call_id: call.call_id.clone(),
            call_uuid: call.call_id.clone(),
            conn_id: call.conn_id.clone(),
            key,
            disposition,
            time_ms: now,
        });
        while self.dispositions.len() > DISPOSITION_REPORTS {
            self.dispositions.pop_front();
        }
        Ok(())
    }
}

/// The call a device-level SetCallDisposition names.
pub(crate) enum DispositionTarget {
    /// A live call of the agent, by id: handled exactly like the call-level operation.
    Live(String),
    /// A recently released call of the agent (by index): reported, no notification.
    Released(usize, ReleasedCall),
}
