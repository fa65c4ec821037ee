//! Where a dialled number goes ([`Engine::resolve`]) and how the destination is placed into a
//! conversation ([`Engine::place`]): an agent device rings, a simulated phone answers, is busy
//! or never answers (reserved numbers, do-not-disturb, forwarding).
//!
//! Why in the model: Dial, consultations, single-step transfers and conferences and injected
//! calls all ring a destination the same way; keeping it here keeps those command files from
//! depending on each other.

use super::{ConvId, Engine, PartyId};
use crate::engine::config::reserved;
use crate::engine::params::is_dialable;
use crate::engine::{Out, TimerEvent};
use gws_protocol::{CallState, CallType, Operation};

/// Where a dialled number goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An agent device that will ring.
    Agent(usize),
    /// A simulated phone: it answers after the delay, is busy, or never answers.
    Phone {
        number: String,
        behaviour: PhoneBehaviour,
    },
    /// Not a dialable number.
    Invalid,
}

/// How a placed destination rings: its call type and DNIS, and who invited it.
#[derive(Debug, Clone)]
pub(crate) struct Ring<'a> {
    pub(crate) call_type: CallType,
    pub(crate) dnis: &'a str,
    pub(crate) inviter: Option<(PartyId, Operation)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhoneBehaviour {
    Answers,
    Busy,
    NeverAnswers,
}

impl Engine {
    /// Resolves a dialled number, following one hop of call forwarding. An agent in
    /// do-not-disturb, or logged out of voice, behaves like a busy phone.
    pub(crate) fn resolve(&self, number: &str, caller: Option<usize>) -> Target {
        let mut number = number.to_string();
        if let Some(agent) = self.agent_by_dn(&number)
            && let Some(forward) = &self.agents[agent].forward_to
        {
            number = forward.clone();
        }
        if let Some(agent) = self.agent_by_dn(&number) {
            if Some(agent) == caller {
                return Target::Invalid;
            }
            if self.agents[agent].dnd || !self.agents[agent].logged_in {
                return Target::Phone {
                    number,
                    behaviour: PhoneBehaviour::Busy,
                };
            }
            return Target::Agent(agent);
        }
        if number == reserved::INVALID || !is_dialable(&number) {
            return Target::Invalid;
        }
        let behaviour = match number.as_str() {
            reserved::BUSY => PhoneBehaviour::Busy,
            reserved::NO_ANSWER => PhoneBehaviour::NeverAnswers,
            _ => PhoneBehaviour::Answers,
        };
        Target::Phone { number, behaviour }
    }

    /// Adds the ringing destination to `conv` and schedules what the phone will do. Emits
    /// nothing: callers publish in the order the seeds require (caller's leg first).
    pub(crate) fn place(
        &mut self,
        now: u64,
        conv: ConvId,
        target: &Target,
        ring: Ring<'_>,
        out: &mut Out,
    ) -> Option<PartyId> {
        let Ring {
            call_type,
            dnis,
            inviter,
        } = ring;
        let party = match target {
            Target::Invalid => return None,
            Target::Agent(agent) => {
                self.add_agent(now, conv, *agent, CallState::Ringing, call_type, dnis)
            }
            Target::Phone { number, behaviour } => {
                let party = self.add_phone(conv, number, CallState::Ringing);
                match behaviour {
                    PhoneBehaviour::Answers => {
                        out.timer(
                            self.config.answer_delay_ms,
                            TimerEvent::PhoneAnswers { party },
                        );
                    }
                    PhoneBehaviour::Busy => {
                        if let Some(p) = self.party_mut(party) {
                            p.busy = true;
                        }
                        out.timer(self.config.answer_delay_ms, TimerEvent::PhoneBusy { party });
                    }
                    PhoneBehaviour::NeverAnswers => {}
                }
                party
            }
        };
        if let Some(p) = self.party_mut(party) {
            p.inviter = inviter;
        }
        Some(party)
    }
}
