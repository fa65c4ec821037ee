//! `/sim/reset`: every call released (notified, so open widgets clear) and forgotten, agents
//! back to their initial state (and login state), the recently released calls and the
//! disposition reports gone. Also how [`Engine::new`] puts every agent in their initial
//! state.

use super::{Engine, Out, PartyId};
use gws_protocol::CallState;

impl Engine {
    /// Puts an agent back in their initial state: logged in to voice or not per
    /// [`EngineConfig::agents_logged_in`](super::EngineConfig::agents_logged_in), no DND,
    /// forwarding or monitoring, no recently released calls.
    pub(crate) fn reset_agent(&mut self, index: usize) {
        let initial = self.agents[index]
            .spec
            .initial_state
            .clone()
            .unwrap_or_else(|| "Ready".into());
        let state = self
            .config
            .user_state_or(&initial, None, &initial, &initial);
        let logged_in = self.config.agents_logged_in;
        let agent = self.agent_mut(index);
        agent.user_state = state;
        agent.dnd = false;
        agent.forward_to = None;
        agent.logged_in = logged_in;
        agent.monitoring = None;
        agent.idle_since_ms = 0;
        agent.released.clear();
    }

    /// `/sim/reset`: the calls are released (notified) before the devices are reset, so that
    /// open widgets clear their calls first.
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
        // A reset starts a new test: earlier calls cannot be dispositioned, earlier reports go.
        self.dispositions.clear();
        for index in 0..self.agents.len() {
            self.reset_agent(index);
            self.emit_device(index, out);
        }
    }
}
