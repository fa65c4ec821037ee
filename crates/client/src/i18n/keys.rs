//! Every text the widget shows, by key, with its English wording (the reference and the
//! fallback). Host overrides name keys by their dotted names (`"op.Answer"`), so those names are
//! part of the embedding API: rename one only with a changelog entry.
//!
//! Placeholders are `{name}`; a translation must keep the same names (tested).

macro_rules! keys {
    ($($key:ident = $name:literal => $en:literal,)*) => {
        /// A text of the widget.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Key {
            $(
                #[doc = $en]
                $key,
            )*
        }

        impl Key {
            /// Every key, in catalog order.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The dotted name a host override uses (`strings: { "op.Answer": "Pick up" }`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)*
                }
            }

            /// The English text: the reference wording, and the fallback of every language.
            pub fn english(self) -> &'static str {
                match self {
                    $(Key::$key => $en,)*
                }
            }
        }
    };
}

keys! {
    // Call operations (buttons), in the order of the card's controls.
    OpAnswer = "op.Answer" => "Answer",
    OpRetrieve = "op.Retrieve" => "Retrieve",
    OpHold = "op.Hold" => "Hold",
    OpMute = "op.MuteCall" => "Mute",
    OpUnmute = "op.UnmuteCall" => "Unmute",
    OpCompleteTransfer = "op.CompleteTransfer" => "Complete transfer",
    OpCompleteConference = "op.CompleteConference" => "Complete conference",
    OpSwap = "op.SwapCalls" => "Swap",
    OpListenIn = "op.ListenIn" => "Listen in",
    OpCoach = "op.Coach" => "Coach",
    OpBargeIn = "op.BargeIn" => "Barge in",
    OpHangup = "op.Hangup" => "Hang up",
    OpKeypad = "op.SendDtmf" => "Keypad",
    OpConsultTransfer = "op.InitiateTransfer" => "Consult transfer",
    OpConsultConference = "op.InitiateConference" => "Consult conference",
    OpTransfer = "op.SingleStepTransfer" => "Transfer",
    OpAddToConference = "op.SingleStepConference" => "Add to conference",
    OpMerge = "op.MergeWithOtherCall" => "Merge",
    OpRemoveParty = "op.RemoveParticipantFromConference" => "Remove party",
    OpMuteAgent = "op.MuteMonitoredUser" => "Mute agent",
    OpUnmuteAgent = "op.UnmuteMonitoredUser" => "Unmute agent",
    OpRecord = "op.StartCallRecording" => "Record",
    OpPauseRecording = "op.PauseCallRecording" => "Pause recording",
    OpResumeRecording = "op.ResumeCallRecording" => "Resume recording",
    OpStopRecording = "op.StopCallRecording" => "Stop recording",
    OpAddData = "op.AttachUserData" => "Add data",
    OpEditData = "op.UpdateUserData" => "Edit data",
    OpDeleteKey = "op.DeleteUserDataPair" => "Delete key",
    OpClearData = "op.DeleteUserData" => "Clear data",
    // Device operations.
    OpDial = "op.Dial" => "Call",
    OpLogIn = "op.StartContactCenterSession" => "Log in",
    OpLogOut = "op.EndContactCenterSession" => "Log out",
    OpDndOn = "op.DoNotDisturbOn" => "Do not disturb",
    OpDndOff = "op.DoNotDisturbOff" => "Disturb again",
    OpForwardOn = "op.ForwardCallsOn" => "Forward calls",
    OpForwardOff = "op.ForwardCallsOff" => "Stop forwarding",
    OpStopMonitoring = "op.CancelSupervisorMonitoring" => "Stop monitoring",
    OpReady = "op.Ready" => "Ready",
    OpNotReady = "op.NotReady" => "Not ready",
    OpAfterCallWork = "op.AfterCallWork" => "After-call work",
    // Agent states (badge and choices), for the states GWS defines.
    AgentReady = "agent.Ready" => "Ready",
    AgentNotReady = "agent.NotReady" => "Not ready",
    AgentAfterCallWork = "agent.AfterCallWork" => "After-call work",
    AgentAuxWork = "agent.AuxWork" => "Auxiliary work",
    AgentLoggedOut = "agent.LoggedOut" => "Logged out",
    AgentUnknown = "agent.Unknown" => "Unknown",
    AgentChangeState = "agent.changeState" => "Change agent state",
    AgentChangeStatePrompt = "agent.changeStatePrompt" => "Change state…",
    AgentPressEnter = "agent.pressEnter" => "Press Enter to set it",
    AgentForwarding = "agent.forwarding" => "Forwarding to {number}",
    AgentForwardTo = "agent.forwardTo" => "Forward calls to",
    AgentForward = "agent.forward" => "Forward",
    // Call states and types.
    StateRinging = "state.Ringing" => "Ringing",
    StateDialing = "state.Dialing" => "Dialing",
    StateEstablished = "state.Established" => "Established",
    StateHeld = "state.Held" => "Held",
    StateReleased = "state.Released" => "Released",
    TypeInternal = "type.Internal" => "Internal",
    TypeInbound = "type.Inbound" => "Inbound",
    TypeOutbound = "type.Outbound" => "Outbound",
    TypeConsult = "type.Consult" => "Consult",
    RecordingOn = "recording.Recording" => "Recording",
    RecordingPaused = "recording.Paused" => "Recording paused",
    // The call card.
    CardLabel = "card.label" => "Call with {parties}, {state}",
    CardConsultLabel = "card.consultLabel" => "Consult call with {parties}, {state}",
    CardUnknownParty = "card.unknownParty" => "Unknown party",
    CardDuration = "card.duration" => "Call duration",
    CardDnis = "card.dnis" => "DNIS",
    CardAni = "card.ani" => "ANI",
    CardOnHold = "card.onHold" => "On hold {time}",
    CardMuted = "card.muted" => "Muted",
    CardSupervised = "card.supervised" => "Supervisor listening",
    CardListeningIn = "card.listeningIn" => "Listening in",
    CardBargedIn = "card.bargedIn" => "Barged in",
    CardCoaching = "card.coaching" => "Coaching",
    CardAttachedData = "card.attachedData" => "Attached data",
    CardControls = "card.controls" => "Call controls",
    CardPaused = "card.paused" => "Paused: not connected to the server",
    DismissError = "common.dismissError" => "Dismiss error",
    Cancel = "common.cancel" => "Cancel",
    Close = "common.close" => "Close",
    // Operation forms.
    FormDestination = "form.destination" => "{action} to",
    FormPairWith = "form.pairWith" => "{action} with",
    FormNoOtherCall = "form.noOtherCall" => "No other call to pair with",
    FormRemoveWhich = "form.removeWhich" => "Remove which party?",
    FormNoParty = "form.noParty" => "No party to remove",
    FormDeleteWhich = "form.deleteWhich" => "Delete which key?",
    FormNoData = "form.noData" => "No attached data",
    FormKey = "form.key" => "Key",
    FormValue = "form.value" => "Value",
    FormEnterKey = "form.enterKey" => "Enter a key",
    DtmfDigit = "dtmf.digit" => "Digit {digit}",
    DtmfInput = "dtmf.input" => "Digits to send",
    DtmfSend = "dtmf.send" => "Send tones",
    DtmfInvalid = "dtmf.invalid" => "Digits 0–9, * and # only",
    DialNumber = "dial.number" => "Number to call",
    DialShowKeypad = "dial.showKeypad" => "Show keypad",
    // Connection badge.
    ConnConnecting = "connection.connecting" => "Connecting…",
    ConnConnected = "connection.connected" => "Connected",
    ConnReconnecting = "connection.reconnecting" => "Reconnecting…",
    ConnReconnectingIn = "connection.reconnectingIn" => "Reconnecting in {seconds} s",
    ConnOffline = "connection.offline" => "Offline",
    ConnDisconnected = "connection.disconnected" => "Disconnected",
    ConnEnded = "connection.ended" => "Disconnected by the server",
    ConnSignedOut = "connection.signedOut" => "Signed out",
    ConnRetryNow = "connection.retryNow" => "Retry now",
    ConnSignIn = "connection.signIn" => "Sign in",
    // Lists, panels, frame.
    CallsLabel = "calls.label" => "Calls",
    CallsEmpty = "calls.empty" => "No calls",
    RecentTitle = "recent.title" => "Recent calls ({count})",
    RecentCallBack = "recent.callBack" => "Call back",
    RecentCallBackLabel = "recent.callBackLabel" => "Call back {party}",
    SupervisorLabel = "supervisor.label" => "Supervisor monitoring",
    SupervisorAgentDn = "supervisor.agentDn" => "Agent DN",
    SupervisorMonitoring = "supervisor.monitoring" => "Monitoring",
    LogoutConfirmLabel = "login.confirmLabel" => "Log out during a call",
    LogoutConfirm = "login.confirm" => "A call is in progress. Log out anyway?",
    WidgetLabel = "widget.label" => "Call control",
    FatalNotice = "widget.fatal" => "The call controls stopped after an internal error. Reload the page to continue.",
    AnnounceIncoming = "announce.incoming" => "Incoming call from {party}",
    AnnounceConnected = "announce.connected" => "Connected with {party}",
    AnnounceEnded = "announce.ended" => "Call with {party} ended",
    // Phone numbers.
    NumberEmpty = "number.empty" => "Enter a number",
    NumberInvalidChar = "number.invalidChar" => "“{char}” is not allowed in a phone number",
    NumberTooLong = "number.tooLong" => "A number has at most {max} digits",
    CannotDial = "number.cannotDial" => "Cannot dial: {reason}",
    // Errors.
    ErrNetwork = "error.network" => "Cannot reach the server ({detail})",
    ErrTimeout = "error.timeout" => "The server did not answer in time",
    ErrUnauthorized = "error.unauthorized" => "Not signed in: the server refused the credentials",
    ErrCsrf = "error.csrf" => "The server refused the request (security token)",
    ErrRejected = "error.rejected" => "{message} (code {code})",
    ErrHttp = "error.http" => "The server answered HTTP {status}",
    ErrDecode = "error.decode" => "Unexpected answer from the server: {detail}",
    ErrOperationFailed = "error.operationFailed" => "{operation} failed: {error}",
    ErrFailed = "error.failed" => "The operation failed",
    ErrRefused = "error.refused" => "The operation was refused",
    ErrNoDevice = "error.noDevice" => "No device to act on yet",
    ErrNothing = "error.nothing" => "Nothing to act on",
    ErrSignedOut = "error.signedOut" => "Signed out: {reason}",
    ErrCredentialsRefused = "error.credentialsRefused" => "the server refused the credentials",
    ErrCredentialsOtherUser = "error.credentialsOtherUser" => "this page now signs in as another user: reload it to continue as them",
    ErrCannotSignIn = "error.cannotSignIn" => "Cannot sign in: {reason}",
    ErrOtherTab = "error.otherTab" => "The operation was refused: not allowed from another tab",
    ErrNoConfirmation = "error.noConfirmation" => "{operation}: no confirmation from the server yet",
    ErrBusy = "error.busy" => "another operation is still waiting for the server",
    ErrSubscriptionRefused = "error.subscriptionRefused" => "The server refused updates on {channel} ({error}): asking again shortly",
}
