//! Adding, moving and forgetting parties and conversations: the only code that writes the
//! model's maps, so that the indexes (call id → party, agent → calls) never disagree with the
//! parties. Nothing here notifies anybody: callers publish in the order the seeds require.

use super::{
    ConvId, Conversation, Engine, Leg, Party, PartyId, PartyKind, RECENT_RELEASED_PER_AGENT,
    ReleasedCall,
};
use crate::engine::capabilities::Recording;
use crate::engine::ids;
use gws_protocol::{CallState, CallType};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

impl Engine {
    pub(crate) fn new_conversation(&mut self, user_data: Option<Map<String, Value>>) -> ConvId {
        let id = self.next_conv;
        self.next_conv += 1;
        self.conversations.insert(
            id,
            Arc::new(Conversation {
                parties: Vec::new(),
                user_data,
            }),
        );
        id
    }

    /// Adds a simulated phone to `conv` (no GWS call: nobody sees its notifications).
    pub(crate) fn add_phone(&mut self, conv: ConvId, number: &str, state: CallState) -> PartyId {
        let id = self.next_party;
        self.next_party += 1;
        self.parties.insert(
            id,
            Arc::new(Party {
                conv,
                number: number.to_string(),
                state,
                kind: PartyKind::Phone,
                busy: false,
                inviter: None,
            }),
        );
        if let Some(c) = self.conversation_mut(conv) {
            c.parties.push(id);
        }
        id
    }

    /// Adds an agent party with a fresh GWS call (new callUuid and connId).
    pub(crate) fn add_agent(
        &mut self,
        now: u64,
        conv: ConvId,
        agent: usize,
        state: CallState,
        call_type: CallType,
        dnis: &str,
    ) -> PartyId {
        let id = self.next_party;
        self.next_party += 1;
        let seq = self.next_call_seq;
        self.next_call_seq += 1;
        let call_id = ids::call_id(&self.config.id_prefix, seq);
        let leg = Leg {
            call_id: call_id.clone(),
            conn_id: ids::conn_id(self.config.conn_id_base, seq),
            agent,
            call_type,
            parent: None,
            dnis: dnis.to_string(),
            created_ms: now,
            mute: false,
            monitored_user_muted: false,
            recording: Recording::Stopped,
            conference_owner: false,
            monitor: None,
        };
        let number = self.agents[agent].spec.dn.clone();
        self.parties.insert(
            id,
            Arc::new(Party {
                conv,
                number,
                state,
                kind: PartyKind::Agent(Box::new(leg)),
                busy: false,
                inviter: None,
            }),
        );
        self.agent_calls.insert((agent, call_id.clone()), id);
        self.calls.insert(call_id, id);
        if let Some(c) = self.conversation_mut(conv) {
            c.parties.push(id);
        }
        id
    }

    /// Moves `party` into conversation `to` (transfers and conferences).
    pub(crate) fn move_party(&mut self, party: PartyId, to: ConvId) {
        let from = self.conv_of(party);
        if from == to {
            return;
        }
        if let Some(c) = self.conversation_mut(from) {
            c.parties.retain(|&p| p != party);
        }
        if let Some(c) = self.conversation_mut(to) {
            c.parties.push(party);
        }
        if let Some(p) = self.party_mut(party) {
            p.conv = to;
        }
    }

    /// Removes a party from the model (its call, if any, is forgotten: released calls are not
    /// listed by GWS). An agent's call is remembered among the agent's recently released calls
    /// (at most [`RECENT_RELEASED_PER_AGENT`], the oldest dropped first), so that a wrap-up
    /// disposition posted on the device after the release still finds it.
    pub(crate) fn forget_party(&mut self, now: u64, party: PartyId) {
        let Some(removed) = self.parties.remove(&party) else {
            return;
        };
        if let Some(c) = self.conversation_mut(removed.conv) {
            c.parties.retain(|&p| p != party);
        }
        if let PartyKind::Agent(leg) = &removed.kind {
            self.calls.remove(&leg.call_id);
            self.agent_calls.remove(&(leg.agent, leg.call_id.clone()));
            let released = &mut self.agent_mut(leg.agent).released;
            released.push_back(ReleasedCall {
                call_id: leg.call_id.clone(),
                conn_id: leg.conn_id.clone(),
                released_ms: now,
            });
            while released.len() > RECENT_RELEASED_PER_AGENT {
                released.pop_front();
            }
        }
    }

    /// Drops conversations without agents (nobody can observe them any more). Only the
    /// conversations this command touched can have lost their last agent.
    pub(crate) fn collect_garbage(&mut self, touched: &BTreeSet<ConvId>) {
        let empty: Vec<ConvId> = touched
            .iter()
            .copied()
            .filter(|&id| self.conversations.contains_key(&id) && self.agent_parties(id).is_empty())
            .collect();
        for conv in empty {
            if let Some(c) = self.conversations.remove(&conv) {
                for party in &c.parties {
                    self.parties.remove(party);
                }
            }
        }
    }

    /// Moves every party of `from` into `into` and drops `from`.
    pub(crate) fn merge_conversations(&mut self, from: ConvId, into: ConvId) {
        let parties = self
            .conversations
            .get(&from)
            .map(|c| c.parties.clone())
            .unwrap_or_default();
        for party in parties {
            self.move_party(party, into);
        }
        self.conversations.remove(&from);
    }
}
