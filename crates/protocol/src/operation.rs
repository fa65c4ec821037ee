//! Operation names: what a client POSTs as `operationName` and what a resource lists in its
//! `capabilities`. One enum serves both, because a capability *is* the name of an operation
//! that is currently allowed.

crate::string_enum! {
    /// A GWS v2 voice operation (call, device, agent-state or session level).
    pub enum Operation {
        // --- call operations (`POST /api/v2/me/calls/{id}`, Dial on the device) ---
        Dial = "Dial",
        Answer = "Answer",
        Hangup = "Hangup",
        Hold = "Hold",
        Retrieve = "Retrieve",
        SendDtmf = "SendDtmf",
        SingleStepTransfer = "SingleStepTransfer",
        SingleStepConference = "SingleStepConference",
        InitiateTransfer = "InitiateTransfer",
        CompleteTransfer = "CompleteTransfer",
        InitiateConference = "InitiateConference",
        CompleteConference = "CompleteConference",
        SwapCalls = "SwapCalls",
        MergeWithOtherCall = "MergeWithOtherCall",
        RemoveParticipantFromConference = "RemoveParticipantFromConference",
        MuteCall = "MuteCall",
        UnmuteCall = "UnmuteCall",
        AttachUserData = "AttachUserData",
        UpdateUserData = "UpdateUserData",
        DeleteUserData = "DeleteUserData",
        DeleteUserDataPair = "DeleteUserDataPair",
        StartCallRecording = "StartCallRecording",
        PauseCallRecording = "PauseCallRecording",
        ResumeCallRecording = "ResumeCallRecording",
        StopCallRecording = "StopCallRecording",
        SetCallDisposition = "SetCallDisposition",
        SwitchToListenIn = "SwitchToListenIn",
        SwitchToBargeIn = "SwitchToBargeIn",
        SwitchToCoach = "SwitchToCoach",
        MuteMonitoredUser = "MuteMonitoredUser",
        UnmuteMonitoredUser = "UnmuteMonitoredUser",
        // --- device operations (`POST /api/v2/me/devices/{id}`) ---
        DoNotDisturbOn = "DoNotDisturbOn",
        DoNotDisturbOff = "DoNotDisturbOff",
        ForwardCallsOn = "ForwardCallsOn",
        ForwardCallsOff = "ForwardCallsOff",
        ListenIn = "ListenIn",
        Coach = "Coach",
        BargeIn = "BargeIn",
        CancelSupervisorMonitoring = "CancelSupervisorMonitoring",
        // --- agent state (`POST /api/v2/me/channels/voice`) ---
        Ready = "Ready",
        NotReady = "NotReady",
        AfterCallWork = "AfterCallWork",
        AuxWork = "AuxWork",
        // --- session (`POST /api/v2/me`) ---
        StartContactCenterSession = "StartContactCenterSession",
        EndContactCenterSession = "EndContactCenterSession",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_operation_names_are_kept_verbatim() {
        let op: Operation = serde_json::from_str("\"FlyToTheMoon\"").expect("parses");
        assert_eq!(op, Operation::Unknown("FlyToTheMoon".into()));
        assert_eq!(
            serde_json::to_string(&op).expect("serialises"),
            "\"FlyToTheMoon\""
        );
    }

    #[test]
    fn non_string_capability_does_not_fail_parsing() {
        let op: Operation = serde_json::from_str("42").expect("parses");
        assert_eq!(op, Operation::Unknown("42".into()));
    }

    #[test]
    fn every_known_name_round_trips() {
        for op in Operation::KNOWN {
            assert_eq!(&Operation::parse(op.as_str()), op);
        }
    }
}
