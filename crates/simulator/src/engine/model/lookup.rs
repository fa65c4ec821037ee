//! Read access to the model: agents by user, DN and device; a user's own call or device;
//! legs, states and conversations of parties; copy-on-write access for the primitives.
//!
//! Why methods instead of field access everywhere: the maps hold `Arc`s shared with the
//! previous model (see [`Engine::handle`]), so a change must go through `Arc::make_mut`, and a
//! party id that is not an agent leg is an engine bug ([`unreachable_leg`]).

use super::{Agent, ConvId, Conversation, Engine, Leg, Party, PartyId, PartyKind, unreachable_leg};
use crate::engine::EngineError;
use gws_protocol::CallState;
use std::sync::Arc;

impl Engine {
    /// The agent of a user name (a hash map fixed at start, not a scan of the agents).
    pub(crate) fn agent_by_user(&self, user: &str) -> Option<usize> {
        self.index.by_user.get(user).copied()
    }

    /// The agent whose device has this DN.
    pub(crate) fn agent_by_dn(&self, dn: &str) -> Option<usize> {
        self.index.by_dn.get(dn).copied()
    }

    /// The agent whose device has this id.
    pub(crate) fn agent_by_device(&self, device_id: &str) -> Option<usize> {
        self.index.by_device.get(device_id).copied()
    }

    /// The agent whose device belongs to the place with this name.
    pub(crate) fn agent_by_place(&self, place: &str) -> Option<usize> {
        self.index.by_place.get(place).copied()
    }

    /// The agent of a user name, or "not found".
    pub(crate) fn agent_of(&self, user: &str) -> Result<usize, EngineError> {
        self.agent_by_user(user)
            .ok_or_else(|| EngineError::NotFound(format!("User {user} not found")))
    }

    /// `agent` if logged in to the voice channel, else the error every voice operation of a
    /// logged-out agent gets (statusCode 3, operation forbidden).
    pub(crate) fn require_logged_in(&self, agent: usize) -> Result<usize, EngineError> {
        let spec = &self.agents[agent].spec;
        if self.agents[agent].logged_in {
            Ok(agent)
        } else {
            Err(EngineError::Forbidden(format!(
                "{} is not logged in to the voice channel on DN {}: StartContactCenterSession first",
                spec.user_name, spec.dn
            )))
        }
    }

    /// An agent, to change (copied first if another model shares it).
    pub(crate) fn agent_mut(&mut self, agent: usize) -> &mut Agent {
        Arc::make_mut(&mut self.agents[agent])
    }

    /// A party, to change (copied first if another model shares it).
    pub(crate) fn party_mut(&mut self, party: PartyId) -> Option<&mut Party> {
        self.parties.get_mut(&party).map(Arc::make_mut)
    }

    /// A conversation, to change (copied first if another model shares it).
    pub(crate) fn conversation_mut(&mut self, conv: ConvId) -> Option<&mut Conversation> {
        self.conversations.get_mut(&conv).map(Arc::make_mut)
    }

    /// The party of `call_id` if it belongs to `user`; another user's call is "not found" so
    /// that its existence is not revealed.
    pub(crate) fn own_call(&self, user: &str, call_id: &str) -> Result<PartyId, EngineError> {
        let not_found = || EngineError::NotFound(format!("Call {call_id} not found"));
        let party = *self.calls.get(call_id).ok_or_else(not_found)?;
        let leg = self
            .parties
            .get(&party)
            .and_then(|p| p.leg())
            .ok_or_else(not_found)?;
        if self.agents[leg.agent].spec.user_name != user {
            return Err(not_found());
        }
        Ok(party)
    }

    /// The user's device index, if `device_id` is theirs.
    pub(crate) fn own_device(&self, user: &str, device_id: &str) -> Result<usize, EngineError> {
        self.agent_by_device(device_id)
            .filter(|&index| self.agents[index].spec.user_name == user)
            .ok_or_else(|| EngineError::NotFound(format!("Device {device_id} not found")))
    }

    /// The leg of an agent party; any other id is an engine bug ([`unreachable_leg`]).
    pub(crate) fn leg(&self, party: PartyId) -> &Leg {
        match self.parties.get(&party).map(|p| &p.kind) {
            Some(PartyKind::Agent(leg)) => leg,
            _ => unreachable_leg(party),
        }
    }

    /// The leg of an agent party, to change (copied first if another model shares it).
    pub(crate) fn leg_mut(&mut self, party: PartyId) -> &mut Leg {
        match self.party_mut(party).map(|p| &mut p.kind) {
            Some(PartyKind::Agent(leg)) => leg,
            _ => unreachable_leg(party),
        }
    }

    /// A party's call state; a party already forgotten reads as `Released`.
    pub(crate) fn state(&self, party: PartyId) -> CallState {
        self.parties
            .get(&party)
            .map(|p| p.state.clone())
            .unwrap_or(CallState::Released)
    }

    /// Changes a party's state. An unchanged state leaves the party shared with the previous
    /// model, so the capability refresh does not see it as touched.
    pub(crate) fn set_state(&mut self, party: PartyId, state: CallState) {
        if self.parties.get(&party).is_some_and(|p| p.state != state)
            && let Some(p) = self.party_mut(party)
        {
            p.state = state;
        }
    }

    /// The conversation of a party (0, which no conversation has, for a forgotten party).
    pub(crate) fn conv_of(&self, party: PartyId) -> ConvId {
        self.parties.get(&party).map(|p| p.conv).unwrap_or_default()
    }

    /// Every party of the conversation of `party` except itself, in joining order.
    pub(crate) fn others(&self, party: PartyId) -> Vec<PartyId> {
        let conv = self.conv_of(party);
        self.conversations
            .get(&conv)
            .map(|c| c.parties.iter().copied().filter(|&p| p != party).collect())
            .unwrap_or_default()
    }

    /// The agent parties (legs) of a conversation, in joining order.
    pub(crate) fn agent_parties(&self, conv: ConvId) -> Vec<PartyId> {
        self.conversations
            .get(&conv)
            .map(|c| {
                c.parties
                    .iter()
                    .copied()
                    .filter(|p| {
                        self.parties
                            .get(p)
                            .is_some_and(|party| party.leg().is_some())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The other live calls on the same device.
    pub(crate) fn sibling_calls(&self, party: PartyId) -> Vec<PartyId> {
        let agent = self.leg(party).agent;
        self.calls_of_agent(agent)
            .into_iter()
            .filter(|&p| p != party)
            .collect()
    }

    /// The agent's live calls, in call-id order.
    pub(crate) fn calls_of_agent(&self, agent: usize) -> Vec<PartyId> {
        self.agent_calls
            .range((agent, String::new())..(agent + 1, String::new()))
            .map(|(_, &party)| party)
            .collect()
    }

    /// The `uri` of a call, as the seeds show it.
    pub(crate) fn call_uri(&self, call_id: &str) -> String {
        format!("{}/api/v2/me/calls/{call_id}", self.config.external_url)
    }

    /// The `deviceUri` of an agent's device, as the seeds show it.
    pub(crate) fn device_uri(&self, agent: usize) -> String {
        format!(
            "{}/api/v2/devices/{}",
            self.config.external_url, self.agents[agent].spec.device_id
        )
    }

    /// Whether `party` is a supervisor's monitoring leg.
    pub(crate) fn is_monitor(&self, party: PartyId) -> bool {
        self.parties.get(&party).is_some_and(|p| p.is_monitor())
    }

    /// Number of parties that make a conversation a call (supervisors do not count).
    pub(crate) fn talking(&self, conv: ConvId) -> usize {
        self.conversations
            .get(&conv)
            .map(|c| c.parties.iter().filter(|p| !self.is_monitor(**p)).count())
            .unwrap_or(0)
    }
}
