//! Capability refresh, run after every command: a call whose capabilities changed only as a
//! side effect gets a `StatusChange`, so that a client drawing its buttons from capabilities
//! never offers a stale operation.
//!
//! Why it looks only at some calls: comparing every live call before and after would cost the
//! size of the contact center on every command; [`Engine::touched`] finds the conversations and
//! devices a command changed with `OrdMap::diff` (which skips shared subtrees), and test builds
//! assert that no other call changed.

use super::model::Party;
use super::{ConvId, Engine, Out, PartyId};
use std::collections::{BTreeMap, BTreeSet};

impl Engine {
    /// The conversations and agents whose parties differ between `self` (before) and `next`
    /// (after): only their calls can have changed capabilities.
    pub(crate) fn touched(&self, next: &Engine) -> (BTreeSet<ConvId>, BTreeSet<usize>) {
        let mut convs = BTreeSet::new();
        let mut agents = BTreeSet::new();
        let mut note = |party: &Party| {
            convs.insert(party.conv);
            if let Some(leg) = party.leg() {
                agents.insert(leg.agent);
            }
        };
        for item in self.parties.diff(&next.parties) {
            match item {
                imbl::ordmap::DiffItem::Add(_, party)
                | imbl::ordmap::DiffItem::Remove(_, party) => note(party),
                imbl::ordmap::DiffItem::Update { old, new } => {
                    note(old.1);
                    note(new.1);
                }
            }
        }
        for item in self.conversations.diff(&next.conversations) {
            let conv = match item {
                imbl::ordmap::DiffItem::Add(id, _) | imbl::ordmap::DiffItem::Remove(id, _) => *id,
                imbl::ordmap::DiffItem::Update { new, .. } => *new.0,
            };
            convs.insert(conv);
        }
        (convs, agents)
    }

    /// A call's capability names, sorted, so that sets compare regardless of order.
    pub(crate) fn capability_names(&self, party: PartyId) -> Vec<String> {
        let mut names: Vec<String> = self
            .call_context(party)
            .capabilities()
            .iter()
            .map(|op| op.as_str().to_string())
            .collect();
        names.sort();
        names
    }

    /// A call whose capabilities changed only as a side effect (e.g. the held call next to it
    /// was released, so `SwapCalls` no longer applies) gets a `StatusChange`, so that a client
    /// drawing buttons from capabilities never offers a stale operation. None of the seed
    /// sequences has such a change, so this adds nothing to them.
    ///
    /// Only calls that can have changed are looked at: those in a conversation or on a device
    /// whose parties changed, and those notified by this command; in call-id order, as a scan
    /// of every call would visit them.
    pub(crate) fn refresh_capabilities(&self, now: u64, before: &Engine, out: &mut Out) {
        let (convs, agents) = before.touched(self);
        let mut candidates: BTreeMap<String, PartyId> = BTreeMap::new();
        let mut add = |engine: &Engine, party: PartyId| {
            if let Some(leg) = engine.parties.get(&party).and_then(|p| p.leg())
                && engine.calls.get(&leg.call_id) == Some(&party)
            {
                candidates.insert(leg.call_id.clone(), party);
            }
        };
        for &conv in &convs {
            for party in self.agent_parties(conv) {
                add(self, party);
            }
        }
        for &agent in &agents {
            for party in self.calls_of_agent(agent) {
                add(self, party);
            }
        }
        for n in &out.outcome.notifications {
            if let Some(&party) = n.data["call"]["id"]
                .as_str()
                .and_then(|id| self.calls.get(id))
            {
                add(self, party);
            }
        }
        #[cfg(test)]
        self.assert_candidates_cover_every_change(before, &candidates, out);
        for (id, party) in candidates {
            let last_sent = out.outcome.notifications.iter().rev().find_map(|n| {
                (n.data["call"]["id"].as_str() == Some(id.as_str())).then(|| {
                    let mut names: Vec<String> = n.data["call"]["capabilities"]
                        .as_array()
                        .map(|caps| {
                            caps.iter()
                                .filter_map(|c| c.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    names.sort();
                    names
                })
            });
            let reference = last_sent.or_else(|| {
                before
                    .calls
                    .get(&id)
                    .map(|&old| before.capability_names(old))
            });
            let Some(reference) = reference else {
                continue;
            };
            if reference != self.capability_names(party) {
                self.emit(now, party, out);
            }
        }
    }

    /// Test builds check that restricting the refresh to `candidates` loses nothing: every
    /// other live call has the capabilities it had before and was not notified.
    #[cfg(test)]
    pub(crate) fn assert_candidates_cover_every_change(
        &self,
        before: &Engine,
        candidates: &BTreeMap<String, PartyId>,
        out: &Out,
    ) {
        for (id, &party) in self.calls.iter() {
            if candidates.contains_key(id) {
                continue;
            }
            assert!(
                out.outcome
                    .notifications
                    .iter()
                    .all(|n| n.data["call"]["id"].as_str() != Some(id.as_str())),
                "call {id} was notified but is not a refresh candidate"
            );
            if let Some(&old) = before.calls.get(id) {
                assert_eq!(
                    before.capability_names(old),
                    self.capability_names(party),
                    "call {id} changed capabilities but is not a refresh candidate"
                );
            }
        }
    }
}
