//! `/sim/reset`: every call released (notified, so open widgets clear) and forgotten, agents
//! back to their initial state. Also how [`Engine::new`] puts every agent in their initial
//! state.

use super::config::user_state_of;
use super::{Engine, Out, PartyId};
use gws_protocol::{CallState, UserState};

impl Engine {
    pub(crate) fn reset_agent(&mut self, index: usize) {
        let initial = self.agents[index]
            .spec
            .initial_state
            .clone()
            .unwrap_or_else(|| "Ready".into());
        let state = self
            .config
            .agent_states
            .iter()
            .find(|s| {
                s.operation_name.as_deref() == Some(initial.as_str()) && s.reason_code.is_none()
            })
            .map(user_state_of)
            .unwrap_or_else(|| UserState {
                id: None,
                display_name: Some(initial.clone()),
                state: Some(initial.clone()),
                work_mode: None,
                reason: None,
            });
        let agent = self.agent_mut(index);
        agent.user_state = state;
        agent.dnd = false;
        agent.forward_to = None;
        agent.logged_in = true;
        agent.monitoring = None;
        agent.idle_since_ms = 0;
    }

    pub(crate) fn reset(&mut self, now: u64, out: &mut Out) {
        // Every agent sees their calls released (so open widgets clear), then the model empties.
        let parties: Vec<PartyId> = self.calls.values().copied().collect();
        for party in parties {
            self.set_state(party, CallState::Released);
            self.emit(now, party, out);
        }
        self.conversations.clear();
        self.parties.clear();
        self.calls.clear();
        self.agent_calls.clear();
        for index in 0..self.agents.len() {
            self.reset_agent(index);
            self.emit_device(index, out);
        }
    }
}
