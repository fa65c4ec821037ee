//! Rendering the model as GWS resources (calls, devices) and publishing them: every
//! `emit_*` pushes one notification, addressed to the agent who sees it, onto the outcome.
//!
//! Why one place: the seeds fix the exact shape of a call notification (`duration`,
//! `extensions`, `participants` without supervisors, capabilities); every command renders
//! through these functions so that no notification drifts from that shape.

use super::capabilities::{self, CallContext};
use super::{Addressed, ConvId, Engine, Out, PartyId};
use gws_protocol::notification::NotificationType;
use gws_protocol::{
    CALLS_CHANNEL, Call, CallNotification, CallState, DEVICES_CHANNEL, Device, ErrorNotification,
    Notification, OnOff, Operation, Participant, UserState,
};
use serde_json::{Map, json};

impl Engine {
    /// The context capabilities are computed from.
    pub(crate) fn call_context(&self, party: PartyId) -> CallContext {
        let leg = self.leg(party);
        let state = self.state(party);
        let siblings = self.sibling_calls(party);
        let other_held = siblings.iter().any(|&p| self.state(p) == CallState::Held);
        let other_active = siblings.iter().any(|&p| self.state(p).is_active());
        let talking_others = self
            .others(party)
            .into_iter()
            .filter(|&p| {
                self.parties
                    .get(&p)
                    .is_some_and(|o| !o.is_monitor() && o.state != CallState::Ringing)
            })
            .count();
        CallContext {
            state,
            other_held,
            other_active,
            // A supervisor's mute follows the monitoring mode, not MuteCall.
            muted: leg.mute && leg.monitor.is_none(),
            monitor: leg.monitor.map(|m| (m.mode, !m.coach_left)),
            conference_owner: leg.conference_owner && talking_others >= 2,
            recording: self.config.recording.then_some(leg.recording),
            monitored_user_muted: leg.monitored_user_muted,
            advertise_mute: self.config.advertise_mute,
        }
    }

    /// The remote parties shown in `participants`: everyone else except supervisors, and except
    /// parties still ringing into a call that is already connected (they join when they answer).
    pub(crate) fn participants(&self, party: PartyId) -> Vec<Participant> {
        let own_state = self.state(party);
        let connected = matches!(own_state, CallState::Established | CallState::Held);
        self.others(party)
            .into_iter()
            .filter_map(|p| self.parties.get(&p))
            .filter(|o| !o.is_monitor())
            .filter(|o| !(connected && o.state == CallState::Ringing))
            .map(|o| Participant::internal(&o.number))
            .collect()
    }

    /// The GWS call resource of an agent party.
    pub(crate) fn render_call(&self, now: u64, party: PartyId) -> Call {
        let leg = self.leg(party);
        let state = self.state(party);
        let conv = self.conversations.get(&self.conv_of(party));
        let capabilities = if state == CallState::Released {
            Vec::new()
        } else {
            self.call_context(party).capabilities()
        };
        let monitored = leg.monitor.is_none()
            && self
                .others(party)
                .iter()
                .any(|p| self.parties.get(p).is_some_and(|p| p.is_monitor()));
        Call {
            id: leg.call_id.clone(),
            state,
            call_uuid: Some(leg.call_id.clone()).into(),
            conn_id: Some(leg.conn_id.clone()).into(),
            device_uri: Some(self.device_uri(leg.agent)).into(),
            participants: self.participants(party),
            dnis: Some(leg.dnis.clone()).into(),
            ani: Default::default(),
            call_type: Some(leg.call_type.clone()),
            capabilities,
            parent_call_uri: (leg.parent.as_deref().map(|id| self.call_uri(id))).into(),
            parent_call_path: Default::default(),
            user_data: (conv
                .and_then(|c| c.user_data.clone())
                .filter(|data| !data.is_empty()))
            .into(),
            duration: (Some((now.saturating_sub(leg.created_ms) / 1000).to_string())).into(),
            mute: Some(if leg.mute { OnOff::On } else { OnOff::Off }),
            recording_state: (self
                .config
                .recording
                .then(|| leg.recording.as_str().to_string()))
            .into(),
            supervisor_listening_in: Some(monitored).into(),
            monitored_user_muted: Some(leg.monitored_user_muted).into(),
            monitoring: Default::default(),
            uri: Some(self.call_uri(&leg.call_id)).into(),
            path: format!("/calls/{}", leg.call_id).into(),
        }
    }

    /// A `CallStateChangeMessage` about an agent party, addressed to its agent.
    pub(crate) fn call_notification(
        &self,
        now: u64,
        party: PartyId,
        kind: NotificationType,
        dtmf_digits: Option<String>,
    ) -> Addressed {
        let leg = self.leg(party);
        let agent = &self.agents[leg.agent];
        let mut extensions = Map::new();
        extensions.insert("WrapUpTime".into(), json!(0));
        extensions.insert("BusinessCall".into(), json!(0));
        let notification = CallNotification {
            notification_type: kind,
            call: self.render_call(now, party),
            phone_number: Some(agent.spec.dn.clone()).into(),
            extensions: Some(extensions).into(),
            dtmf_digits: dtmf_digits.into(),
        };
        Addressed {
            user: agent.spec.user_name.clone(),
            channel: CALLS_CHANNEL,
            data: Notification::Call(Box::new(notification)).to_data(),
        }
    }

    /// Publishes a `StatusChange` for an agent party.
    pub(crate) fn emit(&self, now: u64, party: PartyId, out: &mut Out) {
        out.push(self.call_notification(now, party, NotificationType::StatusChange, None));
    }

    /// Publishes a notification of the given type for an agent party.
    pub(crate) fn emit_kind(
        &self,
        now: u64,
        party: PartyId,
        kind: NotificationType,
        out: &mut Out,
    ) {
        out.push(self.call_notification(now, party, kind, None));
    }

    /// Publishes `ParticipantsUpdated` to every agent on conversation `conv` except `except`
    /// (the party that caused the change and is told otherwise). An agent whose call still
    /// rings is told too: a ringing call lists every other party (the caller it would answer),
    /// so when a single-step transfer or a hang-up changes who that is, their view must follow
    /// (as CompleteTransfer already tells a ringing agent).
    pub(crate) fn emit_participants_updated(
        &self,
        now: u64,
        conv: ConvId,
        except: Option<PartyId>,
        out: &mut Out,
    ) {
        self.emit_participants_updated_to(now, conv, except, out, |_| true);
    }

    /// A party still ringing joined or left conversation `conv`: `ParticipantsUpdated` to every
    /// agent on it whose own call is not connected yet (ringing or dialing) except `except`,
    /// since such a call lists the parties ringing with it (see [`Engine::participants`]); a
    /// connected call lists a party only once it answers, and is told then.
    pub(crate) fn emit_ringing_party_changed(
        &self,
        now: u64,
        conv: ConvId,
        except: Option<PartyId>,
        out: &mut Out,
    ) {
        self.emit_participants_updated_to(now, conv, except, out, |state| {
            !matches!(state, CallState::Established | CallState::Held)
        });
    }

    /// `ParticipantsUpdated` to every agent on conversation `conv` but `except` whose call's
    /// state passes `told`.
    fn emit_participants_updated_to(
        &self,
        now: u64,
        conv: ConvId,
        except: Option<PartyId>,
        out: &mut Out,
        told: impl Fn(CallState) -> bool,
    ) {
        for p in self.agent_parties(conv) {
            if Some(p) != except && told(self.state(p)) {
                self.emit_kind(now, p, NotificationType::ParticipantsUpdated, out);
            }
        }
    }

    /// The user data of conversation `conv` changed (it belongs to the conversation, so every
    /// leg renders it): `AttachedDataChanged` to every agent on it except `except` (the party
    /// the change was made on, told by its own notification), so that what each of them was
    /// told matches what `GET /api/v2/me/calls` shows them. A supervisor monitoring the call is
    /// told too: their call renders the same user data.
    pub(crate) fn emit_user_data_changed(
        &self,
        now: u64,
        conv: ConvId,
        except: PartyId,
        out: &mut Out,
    ) {
        for other in self.agent_parties(conv) {
            if other != except {
                self.emit_kind(now, other, NotificationType::AttachedDataChanged, out);
            }
        }
    }

    /// An asynchronous `ErrorMessage` about a call (the back end rejected an accepted request).
    pub(crate) fn emit_call_error(
        &self,
        party: PartyId,
        operation: &Operation,
        code: i64,
        message: &str,
        out: &mut Out,
    ) {
        let leg = self.leg(party);
        let error = ErrorNotification {
            error_code: Some(json!(code)),
            error_message: Some(message.to_string()).into(),
            operation_name: Some(operation.as_str().to_string()).into(),
            call_uri: Some(self.call_uri(&leg.call_id)).into(),
            device_uri: Some(self.device_uri(leg.agent)).into(),
        };
        out.push(Addressed {
            user: self.agents[leg.agent].spec.user_name.clone(),
            channel: CALLS_CHANNEL,
            data: Notification::Error(error).to_data(),
        });
    }

    /// An asynchronous `ErrorMessage` about a device operation (Dial without a call yet, …).
    pub(crate) fn emit_device_error(
        &self,
        agent: usize,
        channel: &'static str,
        operation: &Operation,
        code: i64,
        message: &str,
        out: &mut Out,
    ) {
        let error = ErrorNotification {
            error_code: Some(json!(code)),
            error_message: Some(message.to_string()).into(),
            operation_name: Some(operation.as_str().to_string()).into(),
            call_uri: Default::default(),
            device_uri: Some(self.device_uri(agent)).into(),
        };
        out.push(Addressed {
            user: self.agents[agent].spec.user_name.clone(),
            channel,
            data: Notification::Error(error).to_data(),
        });
    }

    /// The device resource of an agent. Logged out of voice (an inference: gws-api.md §8 has no
    /// logged-out shape): `deviceState` `Inactive` (as unassigned devices are listed),
    /// `userState` `{"state":"LoggedOut","displayName":"Logged out"}` and no capabilities.
    pub(crate) fn render_device(&self, agent: usize) -> Device {
        let a = &self.agents[agent];
        let monitoring = a.monitoring.as_ref().map(|m| {
            json!({
                "state": m.mode.as_str(),
                "mode": if m.all_calls { "AllCalls" } else { "NextCall" },
                "scope": m.scope,
                "targetDeviceUri": self.device_uri(m.target_device),
            })
        });
        let (device_state, user_state, capabilities) = if a.logged_in {
            let capabilities = capabilities::device_capabilities(
                a.dnd,
                a.forward_to.is_some(),
                a.spec.is_supervisor(),
                a.monitoring.is_some(),
            );
            ("Active", a.user_state.clone(), capabilities)
        } else {
            let logged_out = UserState {
                id: Default::default(),
                display_name: "Logged out".into(),
                state: "LoggedOut".into(),
                work_mode: Default::default(),
                reason: Default::default(),
            };
            ("Inactive", logged_out, Vec::new())
        };
        Device {
            id: a.spec.device_id.clone(),
            device_state: device_state.into(),
            user_state: Some(user_state),
            phone_number: Some(a.spec.dn.clone()).into(),
            e164_number: Some(a.spec.dn.clone()).into(),
            telephony_network: "Private".into(),
            do_not_disturb: Some(if a.dnd { OnOff::On } else { OnOff::Off }),
            forward_to: a.forward_to.clone().into(),
            voice_environment_uri: format!(
                "{}/api/v2/voice-environments/370ef5e6-9e3c-4d91-9588-7f4dfe67e011",
                self.config.external_url
            )
            .into(),
            capabilities,
            supervisor_monitoring_state: monitoring,
        }
    }

    /// Publishes a `DeviceStateChangeMessage` with the agent's device.
    pub(crate) fn emit_device(&self, agent: usize, out: &mut Out) {
        let data = Notification::Device(gws_protocol::DeviceNotification {
            devices: vec![self.render_device(agent)],
        })
        .to_data();
        out.push(Addressed {
            user: self.agents[agent].spec.user_name.clone(),
            channel: DEVICES_CHANNEL,
            data,
        });
    }

    /// A supervisor joined or left: the monitored agents' `supervisorListeningIn` changed — an
    /// agent whose call still rings into the conversation too, since their call renders the
    /// flag as well.
    pub(crate) fn emit_monitored_flag(&mut self, now: u64, conv: ConvId, out: &mut Out) {
        for party in self.agent_parties(conv) {
            if !self.is_monitor(party) {
                self.emit(now, party, out);
            }
        }
    }
}
