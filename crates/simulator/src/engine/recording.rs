//! StartCallRecording / PauseCallRecording / ResumeCallRecording / StopCallRecording
//! (only with `--recording`; gws-api.md §4.1): `CallRecordingStateChange` with the new
//! `recordingState`, and `GSIP_RECORD` in the user data as GWS sets it (the other agents on
//! the call get `AttachedDataChanged` for it).

use super::{Engine, EngineError, Out, PartyId, Recording};
use gws_protocol::notification::NotificationType;
use serde_json::Value;

impl Engine {
    /// Moves the call's recording to `state` and tells the recording agent.
    pub(crate) fn set_recording(
        &mut self,
        now: u64,
        party: PartyId,
        state: Recording,
        out: &mut Out,
    ) -> Result<(), EngineError> {
        let started =
            self.leg(party).recording == Recording::Stopped && state == Recording::Recording;
        let call_id = self.leg(party).call_id.clone();
        self.leg_mut(party).recording = state;
        let conv = self.conv_of(party);
        if let Some(c) = self.conversation_mut(conv) {
            let data = c.user_data.get_or_insert_with(Default::default);
            let flag = match state {
                Recording::Recording => "ON",
                Recording::Paused => "PAUSED",
                Recording::Stopped => "OFF",
            };
            data.insert("GSIP_RECORD".into(), Value::String(flag.into()));
            if started {
                data.insert(
                    "GSIP_REC_FN".into(),
                    Value::String(format!("{call_id}_{now}")),
                );
            }
        }
        self.emit_kind(now, party, NotificationType::CallRecordingStateChange, out);
        // `GSIP_RECORD` (and `GSIP_REC_FN`) went into the conversation's user data, which the
        // other agents on the call see too: without a notification their view would differ
        // from what a re-read shows them.
        self.emit_user_data_changed(now, conv, party, out);
        Ok(())
    }
}
