//! Read-only queries for the REST handlers and `/sim/state`: the user resource, devices,
//! calls, and a dump of the whole model.
//!
//! Why apart from the commands: queries never change the model and never notify; the server
//! runs them under the engine lock without going through [`Engine::handle`].

use super::Engine;
use gws_protocol::{Call, Device};
use serde_json::{Value, json};

impl Engine {
    /// Checks Basic-auth credentials; returns the canonical user name.
    pub fn authenticate(&self, user: &str, password: &str) -> Option<String> {
        self.agent_by_user(user)
            .map(|i| &self.agents[i].spec)
            .filter(|spec| spec.password == password)
            .map(|spec| spec.user_name.clone())
    }

    /// Whether the user exists.
    pub fn has_user(&self, user: &str) -> bool {
        self.agent_by_user(user).is_some()
    }

    /// Live GWS calls (agent legs) in the model.
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// The user resource of `GET /api/v2/me`, with devices and settings when `subresources`.
    pub fn me(&self, user: &str, subresources: bool) -> Option<Value> {
        let index = self.agent_by_user(user)?;
        let spec = &self.agents[index].spec;
        let mut me = json!({
            "id": spec.id,
            "userName": spec.user_name,
            "firstName": spec.first_name,
            "lastName": spec.last_name,
            "roles": spec.roles,
            "enabled": true,
            "changePasswordOnFirstLogin": false,
            "uri": format!("{}/api/v2/users/{}", self.config.external_url, spec.id),
            "path": format!("/users/{}", spec.id),
        });
        if subresources && let Some(object) = me.as_object_mut() {
            object.insert("devices".into(), json!([self.render_device(index)]));
            object.insert(
                "channels".into(),
                json!([{ "channel": "voice", "userState": self.agents[index].user_state }]),
            );
            object.insert(
                "settings".into(),
                json!({ "agent-states": self.config.agent_states }),
            );
        }
        Some(me)
    }

    /// The user's devices.
    pub fn devices_of(&self, user: &str) -> Vec<Device> {
        self.agent_by_user(user)
            .map(|i| vec![self.render_device(i)])
            .unwrap_or_default()
    }

    /// One of the user's devices.
    pub fn device_of(&self, user: &str, device_id: &str) -> Option<Device> {
        self.own_device(user, device_id)
            .ok()
            .map(|i| self.render_device(i))
    }

    /// The URI of a device (for `uris` listings).
    pub fn device_uri_of(&self, device_id: &str) -> String {
        format!("{}/api/v2/me/devices/{device_id}", self.config.external_url)
    }

    /// The user's live calls (released calls are not listed), oldest first.
    pub fn calls_of(&self, now: u64, user: &str) -> Vec<Call> {
        let Some(agent) = self.agent_by_user(user) else {
            return Vec::new();
        };
        let mut parties = self.calls_of_agent(agent);
        parties.sort_by_key(|&p| (self.leg(p).created_ms, p));
        parties
            .into_iter()
            .map(|p| self.render_call(now, p))
            .collect()
    }

    /// One of the user's calls.
    pub fn call_of(&self, now: u64, user: &str, call_id: &str) -> Option<Call> {
        self.own_call(user, call_id)
            .ok()
            .map(|p| self.render_call(now, p))
    }

    /// A JSON dump of the whole model for `GET /sim/state`: per user also the recently
    /// released calls a disposition can still name (`releasedCalls`: `callId`, `connId`,
    /// `releasedMs`), and the disposition reports of released calls (`dispositions`: `userName`,
    /// `callId`, `callUuid`, `connId`, `key`, `disposition`, `timeMs`), oldest first.
    pub fn snapshot(&self, now: u64) -> Value {
        let users: Vec<Value> = self
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "userName": a.spec.user_name,
                    "roles": a.spec.roles,
                    "dn": a.spec.dn,
                    "loggedIn": a.logged_in,
                    "place": a.spec.place_name(),
                    "device": self.render_device(i),
                    "calls": self.calls_of(now, &a.spec.user_name),
                    "releasedCalls": a.released.iter().collect::<Vec<_>>(),
                })
            })
            .collect();
        let conversations: Vec<Value> = self
            .conversations
            .iter()
            .map(|(id, c)| {
                let parties: Vec<Value> = c
                    .parties
                    .iter()
                    .filter_map(|p| self.parties.get(p))
                    .map(|p| {
                        json!({
                            "number": p.number,
                            "state": p.state,
                            "callId": p.leg().map(|l| l.call_id.clone()),
                            "monitor": p.leg().and_then(|l| l.monitor.map(|m| m.mode.as_str())),
                        })
                    })
                    .collect();
                json!({ "id": id, "parties": parties, "userData": c.user_data })
            })
            .collect();
        json!({
            "users": users,
            "conversations": conversations,
            "dispositions": self.dispositions.iter().collect::<Vec<_>>(),
        })
    }
}
