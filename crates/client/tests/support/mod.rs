//! The harness shared by the widget-core test files: one core driven as the browser driver
//! drives it (inputs in, effects drained, REST replies fed back by token), and the server's
//! canned shapes. Each test file uses only part of it.
#![allow(dead_code)]

use gws_client::bayeux::ConnectionState;
use gws_client::widget_core::LoginOptions;
use gws_client::{
    ApiError, CoreConfig, Effect, Event, HostEvent, HttpRequest, Input, Intent, Method,
    RequestToken, Severity, TabMessage, ViewChanges, WidgetCore, WidgetState,
};
use gws_protocol::bayeux::RawData;
use gws_protocol::{CallState, Operation};
use serde_json::{Value, json};

pub const CALLS: &str = "/api/v2/me/calls?fields=*";
pub const DEVICES: &str = "/api/v2/me/devices?fields=*";
pub const ME: &str = "/api/v2/me?subresources=*";
pub const AGENT_STATES: &str = "/api/v2/settings/agent-states";
/// The tab id of the leader in the tab tests (`Harness::connected` leads as it when shared).
pub const LEADER: &str = "lead";

/// No automatic voice login (`widget_session.rs` covers it; `widget_core.rs` everything else).
pub const NO_LOGIN: LoginOptions = LoginOptions {
    auto_login: false,
    place: None,
    queue: None,
    login_code: None,
};
pub const ALONE: CoreConfig = CoreConfig {
    share_across_tabs: false,
    host_events: true,
    credentials_provider: false,
    login: NO_LOGIN,
    catalog: gws_client::Catalog::new(gws_client::Lang::En),
};
pub const SHARED: CoreConfig = CoreConfig {
    share_across_tabs: true,
    host_events: true,
    credentials_provider: false,
    login: NO_LOGIN,
    catalog: gws_client::Catalog::new(gws_client::Lang::En),
};

/// One core with its stores; `out` holds the effects of the last step only.
pub struct Harness {
    pub core: WidgetCore,
    pub state: WidgetState,
    pub out: Vec<Effect>,
    pub changes: ViewChanges,
}

impl Harness {
    pub fn new(config: CoreConfig) -> Self {
        Harness {
            core: WidgetCore::new(config),
            state: WidgetState::default(),
            out: Vec::new(),
            changes: ViewChanges::default(),
        }
    }

    /// Signed in as a user with device `d1`, leading its own loop (shared with other tabs as
    /// `config` says), connected at t=10 with empty snapshots. `out` is cleared.
    pub fn connected(config: CoreConfig) -> Self {
        let shared = config.share_across_tabs;
        let mut h = Harness::new(config);
        h.feed(0, Input::SignIn);
        let me = h.request(Method::Get, ME);
        h.reply_ok(1, me.token, me_body("d1"));
        let startup = h.requests();
        let tab_id = shared.then(|| LEADER.to_string());
        h.feed(2, Input::Leading { tab_id });
        for request in startup {
            h.reply_ok(3, request.token, empty_reply(&request.path));
        }
        h.bayeux(5, Event::StateChanged(ConnectionState::Connecting));
        h.bayeux(10, Event::StateChanged(ConnectionState::Connected));
        for request in h.requests() {
            h.reply_ok(10, request.token, empty_reply(&request.path));
        }
        h.out.clear();
        h
    }

    /// Signed in as a user with device `d1` (empty snapshots), following [`LEADER`] as
    /// `tab_id`, told it is connected (`config` must share across tabs). The tab tests' start:
    /// each then shows the calls it needs.
    pub fn following(config: CoreConfig, tab_id: &str) -> Self {
        let mut h = Harness::new(config);
        h.feed(0, Input::SignIn);
        let me = h.request(Method::Get, ME);
        h.reply_ok(1, me.token, me_body("d1"));
        for request in h.requests() {
            h.reply_ok(2, request.token, empty_reply(&request.path));
        }
        h.feed(
            3,
            Input::Following {
                tab_id: tab_id.into(),
            },
        );
        h.tab(
            4,
            TabMessage::Leader {
                from: LEADER.into(),
            },
        );
        h.tab(
            4,
            TabMessage::Connection {
                from: LEADER.into(),
                state: "connected".into(),
                attempt: 0,
                retry_in_ms: None,
            },
        );
        h
    }

    /// Runs one input at `now`, drains its effects into `out`.
    pub fn feed(&mut self, now: u64, input: Input) -> &[Effect] {
        let mut views = self.state.views();
        self.core.handle(now, input, &mut views);
        self.changes = views.changes();
        self.drain()
    }

    /// Runs what is due at `now`.
    pub fn tick(&mut self, now: u64) -> &[Effect] {
        let mut views = self.state.views();
        self.core.handle_timeout(now, &mut views);
        self.changes = views.changes();
        self.drain()
    }

    pub fn drain(&mut self) -> &[Effect] {
        self.out.clear();
        while let Some(effect) = self.core.poll_effect() {
            self.out.push(effect);
        }
        &self.out
    }

    pub fn bayeux(&mut self, now: u64, event: Event) -> &[Effect] {
        self.feed(now, Input::Bayeux(event))
    }

    pub fn tab(&mut self, now: u64, message: TabMessage) -> &[Effect] {
        self.feed(now, Input::Tab(message))
    }

    pub fn intent(&mut self, now: u64, intent: Intent) -> &[Effect] {
        self.feed(now, Input::Intent(intent))
    }

    pub fn reply_ok(&mut self, now: u64, token: RequestToken, body: Value) -> &[Effect] {
        self.feed(
            now,
            Input::Reply {
                token,
                result: Ok(body.to_string()),
            },
        )
    }

    pub fn reply_err(&mut self, now: u64, token: RequestToken, error: ApiError) -> &[Effect] {
        self.feed(
            now,
            Input::Reply {
                token,
                result: Err(error),
            },
        )
    }

    /// A call notification from our own loop.
    pub fn notify_call(&mut self, now: u64, id: &str, state: &str) -> &[Effect] {
        self.bayeux(now, message("/v2/me/calls", call_data(id, state)))
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.out
            .iter()
            .filter_map(|effect| match effect {
                Effect::Request(request) => Some(request.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }

    /// The one request of the last step to `path`.
    pub fn request(&self, method: Method, path: &str) -> HttpRequest {
        let found: Vec<HttpRequest> = self
            .requests()
            .into_iter()
            .filter(|r| r.path == path && r.method == method)
            .collect();
        assert_eq!(found.len(), 1, "one {method:?} {path} in {:#?}", self.out);
        found.into_iter().next().expect("checked")
    }

    pub fn hosts(&self) -> Vec<HostEvent> {
        self.out
            .iter()
            .filter_map(|effect| match effect {
                Effect::Host(event) => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn announcements(&self) -> Vec<String> {
        self.out
            .iter()
            .filter_map(|effect| match effect {
                Effect::Announce(text) => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn broadcasts(&self) -> Vec<TabMessage> {
        self.out
            .iter()
            .filter_map(|effect| match effect {
                Effect::Broadcast(message) => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn logs(&self, severity: Severity) -> Vec<String> {
        self.out
            .iter()
            .filter_map(|effect| match effect {
                Effect::Log(s, text) if *s == severity => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn call_state(&self, id: &str) -> Option<CallState> {
        self.state
            .calls
            .get(id)
            .map(|entry| entry.call.state.clone())
    }

    pub fn call_error(&self, id: &str) -> Option<String> {
        self.state
            .calls
            .get(id)
            .and_then(|entry| entry.error.clone())
    }

    pub fn call_pending(&self, id: &str) -> Option<Operation> {
        self.state
            .calls
            .get(id)
            .and_then(|entry| entry.pending.clone())
    }

    pub fn host_errors(&self) -> Vec<(String, Option<String>)> {
        self.hosts()
            .into_iter()
            .filter_map(|event| match event {
                HostEvent::Error { message, call_id } => Some((message, call_id)),
                _ => None,
            })
            .collect()
    }
}

/// What the server answers to a start-up GET when nothing is going on.
pub fn empty_reply(path: &str) -> Value {
    match path {
        AGENT_STATES => json!({"statusCode": 0, "settings": [
            {"id": "id-Ready", "displayName": "Ready", "state": "Ready", "operationName": "Ready"}
        ]}),
        CALLS => json!({"statusCode": 0, "calls": []}),
        DEVICES => json!({"statusCode": 0, "devices": [device("d1", "NotReady")]}),
        other => panic!("no canned reply for {other}"),
    }
}

pub fn me_body(device_id: &str) -> Value {
    json!({
        "statusCode": 0,
        "user": {
            "id": "u1", "userName": "agent1", "firstName": "Ann", "lastName": "Agent",
            "roles": ["ROLE_AGENT"],
            "devices": [device(device_id, "NotReady")]
        }
    })
}

pub fn device(id: &str, state: &str) -> Value {
    json!({
        "id": id,
        "deviceState": "Active",
        "phoneNumber": "5005",
        "userState": {"id": format!("id-{state}"), "state": state, "displayName": state},
        "capabilities": ["Ready", "NotReady", "DoNotDisturbOn"]
    })
}

pub fn call(id: &str, state: &str) -> Value {
    json!({
        "id": id,
        "state": state,
        "callUuid": id,
        "connId": "0071023821aec01b",
        "participants": [{"e164Number": "", "formattedPhoneNumber": "5000",
                          "phoneNumber": "5000", "digits": "5000"}],
        "dnis": "5005",
        "callType": "Internal",
        "capabilities": ["Answer", "Hangup", "Hold", "Retrieve"],
        "duration": "0",
        "mute": "Off",
        "uri": format!("http://127.0.0.1:8080/api/v2/me/calls/{id}"),
        "path": format!("/calls/{id}")
    })
}

pub fn call_data(id: &str, state: &str) -> Value {
    json!({
        "notificationType": "StatusChange",
        "call": call(id, state),
        "phoneNumber": "5005",
        "extensions": {"WrapUpTime": 0},
        "messageType": "CallStateChangeMessage"
    })
}

pub fn error_data(call_id: Option<&str>, operation: &str, text: &str) -> Value {
    let mut data = json!({
        "messageType": "ErrorMessage", "errorCode": 56, "errorMessage": text,
        "operationName": operation
    });
    if let Some(id) = call_id {
        data["callUri"] = json!(format!("http://127.0.0.1:8080/api/v2/me/calls/{id}"));
    }
    data
}

pub fn device_data(id: &str, state: &str) -> Value {
    json!({"messageType": "DeviceStateChangeMessage", "devices": [device(id, state)]})
}

/// A Bayeux message event carrying `data` as received JSON text.
pub fn message(channel: &str, data: Value) -> Event {
    raw_message(channel, &data.to_string())
}

pub fn raw_message(channel: &str, text: &str) -> Event {
    Event::Message {
        channel: channel.to_string(),
        data: RawData::from_json(text.to_string()).expect("valid JSON"),
    }
}

pub fn hold(id: &str) -> Intent {
    Intent::operation(id, Operation::Hold)
}

pub fn rejected() -> ApiError {
    ApiError::Rejected {
        code: 50,
        message: "Not allowed".into(),
    }
}

pub fn is_calls_snapshot(request: &HttpRequest) -> bool {
    request.method == Method::Get && request.path == CALLS
}

/// A `200` reply with this JSON body, as the Bayeux client's driver hands it over.
pub fn ok(body: Value) -> gws_client::bayeux::Outcome {
    gws_client::bayeux::Outcome::Http {
        status: 200,
        body: body.to_string(),
    }
}

/// Every request the Bayeux client has to send at `now`.
pub fn requests(
    client: &mut gws_client::bayeux::BayeuxClient,
    now: gws_client::Millis,
) -> Vec<gws_client::bayeux::Request> {
    std::iter::from_fn(|| client.poll_request(now)).collect()
}
