//! One call card: what the list hands each card ([`CardView`]) and what a card says about its
//! call ([`CardContent`], timers).
//!
//! The split follows the widget's memory rule: the list computes a `CardView` per call and
//! pushes it into the card's own signals, so only the list reads widget-wide state; the card
//! derives its text from that view alone.

use super::grouping::consult_ids;
use super::text;
use crate::actions::{Action, actions_for};
use crate::i18n::{Catalog, Key};
use crate::store::{CallEntry, CallsStore};
use gws_protocol::{Call, CallState, Operation};
use serde_json::Value;

/// Everything one card shows, computed by the list.
#[derive(Debug, Clone, PartialEq)]
pub struct CardView {
    /// The call and its UI state.
    pub entry: CallEntry,
    /// Its controls.
    pub actions: Vec<Action>,
    /// Its consult calls (shown under it).
    pub consults: Vec<String>,
    /// Whether notifications are flowing (controls pause otherwise).
    pub connected: bool,
    /// The widget's texts. Carried here so a card reads its own signal only: a card that
    /// subscribed to the widget-wide language signal would leave a subscriber behind per call.
    pub catalog: Catalog,
}

/// The view of call `id`, if it is in the store (button labels in `catalog`'s language).
pub fn card_view(
    store: &CallsStore,
    id: &str,
    connected: bool,
    catalog: &Catalog,
) -> Option<CardView> {
    let entry = store.get(id)?.clone();
    Some(CardView {
        actions: actions_for(&entry.call, &store.others(id), catalog),
        consults: consult_ids(store, id),
        entry,
        connected,
        catalog: catalog.clone(),
    })
}

/// What a card says about its call, apart from the ticking timers (see [`call_timer`]): every
/// string is plain text, rendered as text, never as HTML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardContent {
    /// The server's state name (`data-state`: stable for CSS and tests in every language).
    pub state: String,
    /// The state as shown.
    pub state_label: String,
    /// The CSS classes: state modifier, and `gws-card--consult` for a consult leg.
    pub class: String,
    /// `Inbound`, `Consult`… (empty when the server does not say).
    pub call_type: String,
    /// The remote parties, one line.
    pub parties: String,
    /// The raw numbers of parties whose display text differs from their number.
    pub numbers: String,
    /// Dialled number.
    pub dnis: Option<String>,
    /// Caller number.
    pub ani: Option<String>,
    /// The agent's microphone is muted.
    pub muted: bool,
    /// Recording state, unless stopped.
    pub recording: Option<String>,
    /// The supervisor's monitoring mode (see [`monitoring_mode`]).
    pub mode: Option<String>,
    /// A supervisor is listening in on this agent's call.
    pub supervised: bool,
    /// Attached data as (key, text) pairs, in the server's order.
    pub user_data: Vec<(String, String)>,
    /// The last operation error on this call.
    pub error: Option<String>,
    /// The operation waiting for its notification.
    pub pending: Option<Operation>,
    /// Released: the card lingers without controls.
    pub released: bool,
    /// The card's accessible name ("Call with …, Established").
    pub label: String,
}

impl CardContent {
    /// The content of the card of `entry`; `consult` when it is shown under its parent.
    pub fn of(entry: &CallEntry, consult: bool, catalog: &Catalog) -> Self {
        let call = &entry.call;
        let state_label = text::call_state(&call.state, catalog);
        let parties = text::parties(call, catalog);
        let label = if consult {
            Key::CardConsultLabel
        } else {
            Key::CardLabel
        };
        CardContent {
            class: card_class(&call.state, consult),
            call_type: text::call_type(call.call_type.as_ref(), catalog),
            numbers: other_numbers(call),
            dnis: call.dnis.0.clone(),
            ani: call.ani.0.clone(),
            muted: call.is_muted(),
            recording: recording(call.recording_state.as_deref(), catalog),
            mode: monitoring_mode(call).map(|key| catalog.text(key).to_string()),
            supervised: call.supervisor_listening_in == Some(true),
            user_data: user_data_pairs(call),
            error: entry.error.clone(),
            pending: entry.pending.clone(),
            released: call.state == CallState::Released,
            label: catalog.fill(label, &[("parties", &parties), ("state", &state_label)]),
            parties,
            state: call.state.as_str().to_string(),
            state_label,
        }
    }
}

/// The recording flag: the known states in the widget's language, an unknown one as sent,
/// nothing once stopped.
fn recording(state: Option<&str>, catalog: &Catalog) -> Option<String> {
    let key = match state? {
        "Stopped" => return None,
        "Recording" => Key::RecordingOn,
        "Paused" => Key::RecordingPaused,
        other => return Some(other.to_string()),
    };
    Some(catalog.text(key).to_string())
}

/// `gws-card gws-card--<state>` (lower case, letters and digits only, so a server's odd state
/// name cannot break out of the class attribute), plus `gws-card--consult`.
fn card_class(state: &CallState, consult: bool) -> String {
    let modifier: String = state
        .as_str()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let consult = if consult { " gws-card--consult" } else { "" };
    format!("gws-card gws-card--{modifier}{consult}")
}

/// The numbers of parties shown by another text (a formatted number), so the agent can still
/// read the number itself.
fn other_numbers(call: &Call) -> String {
    call.participants
        .iter()
        .filter(|p| p.display() != p.number())
        .map(|p| p.number().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Attached data as text pairs: strings as they are, other JSON values as JSON.
fn user_data_pairs(call: &Call) -> Vec<(String, String)> {
    call.user_data
        .iter()
        .flatten()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                // Compact JSON through the writer the host events use (`Display` would compile
                // its own compact and pretty copies of the serializer).
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            (key.clone(), text)
        })
        .collect()
}

/// The supervisor's monitoring mode, read from what the server lets them switch to (seed 003:
/// in ListenIn the call offers `SwitchToBargeIn`, in BargeIn `SwitchToListenIn`, in Coach both).
pub fn monitoring_mode(call: &Call) -> Option<Key> {
    let to_listen = call.can(&Operation::SwitchToListenIn);
    let to_barge = call.can(&Operation::SwitchToBargeIn);
    match (to_listen, to_barge) {
        (false, true) => Some(Key::CardListeningIn),
        (true, false) => Some(Key::CardBargedIn),
        (true, true) => Some(Key::CardCoaching),
        (false, false) => None,
    }
}

/// The call's duration at `now` (ms, the widget's clock), ticking from the server's `duration`.
pub fn call_timer(entry: &CallEntry, now: u64) -> String {
    text::duration(entry.elapsed_secs(now))
}

/// How long the call has been on hold at `now`, while it is.
pub fn hold_timer(entry: &CallEntry, now: u64) -> Option<String> {
    entry.held_secs(now).map(text::duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::view::grouping::tests::store_of;
    use gws_protocol::{CallType, OnOff, Participant};
    use serde_json::json;

    fn entry(call: Call) -> CallEntry {
        CallEntry {
            call,
            received_at: 0,
            held_since: None,
            released_at: None,
            pending: None,
            pending_at: 0,
            error: None,
        }
    }

    #[test]
    fn card_view_carries_controls_and_consults() {
        let store = store_of(&[("a", None), ("b", Some("a"))]);
        let view = card_view(&store, "a", true, &Catalog::default()).expect("call a");
        assert_eq!(view.entry.call.id, "a");
        assert_eq!(view.consults, ["b"]);
        assert!(view.connected);
        assert_eq!(
            card_view(&store, "missing", true, &Catalog::default()),
            None
        );
    }

    #[test]
    fn content_names_the_call_for_people_and_for_tests() {
        let mut formatted = Participant::internal("5001");
        formatted.formatted_phone_number = "(916) 555-0104".into();
        let call = Call {
            id: "a".into(),
            state: CallState::Established,
            call_type: Some(CallType::Inbound),
            participants: vec![formatted],
            dnis: "8000".into(),
            mute: Some(OnOff::On),
            recording_state: "Recording".into(),
            supervisor_listening_in: Some(true).into(),
            user_data: (json!({"Case": "42", "Priority": 3}).as_object().cloned()).into(),
            ..Call::default()
        };
        let content = CardContent::of(&entry(call.clone()), false, &Catalog::default());
        assert_eq!(content.state, "Established");
        assert_eq!(content.state_label, "Established");
        assert_eq!(content.class, "gws-card gws-card--established");
        assert_eq!(content.call_type, "Inbound");
        assert_eq!(content.parties, "(916) 555-0104");
        assert_eq!(content.numbers, "5001");
        assert_eq!(content.dnis.as_deref(), Some("8000"));
        assert!(content.muted && content.supervised && !content.released);
        assert_eq!(content.recording.as_deref(), Some("Recording"));
        assert_eq!(
            content.user_data,
            [
                ("Case".into(), "42".into()),
                ("Priority".into(), "3".into())
            ]
        );
        assert_eq!(content.label, "Call with (916) 555-0104, Established");
        assert_eq!(content.mode.as_deref(), None);

        let content = CardContent::of(&entry(call), false, &Catalog::new(Lang::Fr));
        assert_eq!(
            content.state, "Established",
            "data-state stays the server's name"
        );
        assert_eq!(content.state_label, "En cours");
        assert_eq!(content.call_type, "Entrant");
        assert_eq!(content.recording.as_deref(), Some("Enregistrement"));
        assert_eq!(content.label, "Appel avec (916) 555-0104, En cours");
    }

    #[test]
    fn card_text_reads_in_each_language() {
        let call = Call {
            state: CallState::Ringing,
            call_type: Some(CallType::Outbound),
            recording_state: "Paused".into(),
            capabilities: vec![Operation::SwitchToListenIn, Operation::Answer],
            ..Call::default()
        };
        let expected = [
            (
                Lang::En,
                "Ringing",
                "Outbound",
                "Recording paused",
                "Barged in",
                "Consult call with Unknown party, Ringing",
                "Answer",
            ),
            (
                Lang::Fr,
                "Sonnerie",
                "Sortant",
                "Enregistrement suspendu",
                "Intervention",
                "Appel de consultation avec Correspondant inconnu, Sonnerie",
                "Répondre",
            ),
            (
                Lang::De,
                "Klingelt",
                "Ausgehend",
                "Aufnahme pausiert",
                "Aufgeschaltet",
                "Rückfrage mit Unbekannter Teilnehmer, Klingelt",
                "Annehmen",
            ),
            (
                Lang::Es,
                "Sonando",
                "Saliente",
                "Grabación en pausa",
                "Intervenido",
                "Llamada de consulta con Interlocutor desconocido, Sonando",
                "Contestar",
            ),
        ];
        for (lang, state, kind, recording, mode, label, answer) in expected {
            let catalog = Catalog::new(lang);
            let content = CardContent::of(&entry(call.clone()), true, &catalog);
            assert_eq!(content.state_label, state, "{lang:?}");
            assert_eq!(content.call_type, kind, "{lang:?}");
            assert_eq!(content.recording.as_deref(), Some(recording), "{lang:?}");
            assert_eq!(content.mode.as_deref(), Some(mode), "{lang:?}");
            assert_eq!(content.label, label, "{lang:?}");
            assert_eq!(
                actions_for(&call, &[], &catalog)[0].label,
                answer,
                "{lang:?}"
            );
        }
    }

    #[test]
    fn consult_cards_say_so_and_odd_states_stay_inside_the_class() {
        let call = Call {
            state: CallState::Unknown("Odd \"State\"".into()),
            recording_state: "Stopped".into(),
            ..Call::default()
        };
        let content = CardContent::of(&entry(call), true, &Catalog::default());
        assert_eq!(
            content.class,
            "gws-card gws-card--oddstate gws-card--consult"
        );
        assert!(content.label.starts_with("Consult call with Unknown party"));
        assert_eq!(
            content.recording, None,
            "a stopped recording is not flagged"
        );
    }

    #[test]
    fn monitoring_mode_follows_the_offered_switches() {
        let with = |caps: &[Operation]| Call {
            capabilities: caps.to_vec(),
            ..Call::default()
        };
        let (listen, barge) = (Operation::SwitchToListenIn, Operation::SwitchToBargeIn);
        assert_eq!(
            monitoring_mode(&with(std::slice::from_ref(&barge))),
            Some(Key::CardListeningIn)
        );
        assert_eq!(
            monitoring_mode(&with(std::slice::from_ref(&listen))),
            Some(Key::CardBargedIn)
        );
        assert_eq!(
            monitoring_mode(&with(&[listen, barge])),
            Some(Key::CardCoaching)
        );
        assert_eq!(monitoring_mode(&with(&[])), None);
    }

    #[test]
    fn timers_tick_from_receipt_and_hold() {
        let mut held = entry(Call {
            duration: "60".into(),
            ..Call::default()
        });
        assert_eq!(call_timer(&held, 5_000), "1:05");
        assert_eq!(hold_timer(&held, 5_000), None);
        held.held_since = Some(1_000);
        assert_eq!(hold_timer(&held, 11_000).as_deref(), Some("0:10"));
    }
}
