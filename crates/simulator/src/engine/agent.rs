//! Agent state (`/me/channels/voice`), device operations (`/me/devices/{id}`) and the
//! contact-center session (`/me`).

use super::{Engine, EngineError, OperationRequest, Out};

impl Engine {
    /// DoNotDisturbOn/Off, ForwardCallsOn/Off, ListenIn/Coach/BargeIn/CancelSupervisorMonitoring.
    pub(crate) fn device_operation(
        &mut self,
        _now: u64,
        user: &str,
        device_id: &str,
        _request: &OperationRequest,
        _out: &mut Out,
    ) -> Result<(), EngineError> {
        self.own_device(user, device_id)?;
        Err(EngineError::Invalid("not supported yet".into()))
    }

    /// Ready / NotReady / AfterCallWork.
    pub(crate) fn agent_state_operation(
        &mut self,
        _now: u64,
        _user: &str,
        _request: &OperationRequest,
        _out: &mut Out,
    ) -> Result<(), EngineError> {
        Err(EngineError::Invalid("not supported yet".into()))
    }

    /// StartContactCenterSession / EndContactCenterSession.
    pub(crate) fn session_operation(
        &mut self,
        _now: u64,
        _user: &str,
        _request: &OperationRequest,
        _out: &mut Out,
    ) -> Result<(), EngineError> {
        Err(EngineError::Invalid("not supported yet".into()))
    }
}
