//! Embedding in host pages (CRMs): options, the `WidgetHandle` the host drives the widget with,
//! and the `gws:*` events the host listens to.
//!
//! The widget runs *in* the host page (no iframe: no framing, third-party-cookie or popup
//! trouble), inside an open shadow root so the host's CSS cannot reach its layout and its CSS
//! cannot leak out. Host events are `CustomEvent`s dispatched on the host element, bubbling and
//! composed, so a CRM can listen on the element or on `document`.
//!
//! Event `detail` shapes (all JSON-compatible):
//! - `gws:ringing`, `gws:established`, `gws:held`, `gws:released`, `gws:call-updated`:
//!   `{ call, callId, state, previousState, ani, dnis, parties, userData }` — `call` is the
//!   server's call resource as received; `parties` the remote numbers; `userData` is
//!   `call.userData` (the same object), `null` when there is none.
//! - `gws:agent-state`: `{ state, workMode, reason, displayName, doNotDisturb, forwardTo,
//!   loggedIn }` (`loggedIn`: the voice channel, `null` while no device is known).
//! - `gws:connection`: `{ state, attempt, retryInMs }`; `state` is `connecting | connected |
//!   reconnecting | offline | disconnected | ended | signed-out` (`ended`: the server closed the
//!   session with `reconnect: none`, and nothing retries until the agent clicks "Retry now";
//!   `signed-out`: credentials refused: the widget offers "Sign in" and retries a few times,
//!   backed off).
//! - `gws:error`: `{ message, callId }`; `{ message, callId: null, fatal: true }` once the widget
//!   stopped after an internal error (every widget of the page shows a "reload" notice).

use crate::config::{Credentials, Theme, WidgetConfig};
use crate::intent::Intent;
use crate::log::{self, LogLevel};
use futures::channel::mpsc::UnboundedSender;
use gws_client::view::connection::{RetryCountdown, retry_countdown};
use gws_client::view::pick::{ANSWER_STATES, HANGUP_STATES, pick_call};
use gws_client::{AgentStore, CallsStore, Catalog, ConnectionState, HostEvent, normalize_number};
use gws_protocol::api::OperationRequest;
use gws_protocol::{Call, CallState, Operation};
use leptos::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

/// Dispatches the `gws:*` events on the host element.
#[derive(Clone)]
pub struct HostEvents {
    target: EventTarget,
}

/// A detail object for the host: serialised to one JSON string in wasm and parsed by the
/// browser's `JSON.parse`. Field by field conversion (serde-wasm-bindgen) crossed the wasm
/// boundary once per string — every capability name, every key — and was a third of the
/// notification path (bench/RESULTS.md, throughput profile).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// The `detail` of `gws:agent-state`: the agent's device as the store has it.
fn agent_detail(agent: &AgentStore) -> JsValue {
    let device = agent.device.as_ref();
    let user_state = device.and_then(|d| d.user_state.as_ref());
    to_js(&json!({
        "state": user_state.and_then(|s| s.state.0.clone()),
        "workMode": user_state.and_then(|s| s.work_mode.0.clone()),
        "reason": user_state.and_then(|s| s.reason.0.clone()),
        "displayName": agent.state_label(),
        "doNotDisturb": device.and_then(|d| d.do_not_disturb.clone()),
        "forwardTo": device.and_then(|d| d.forward_to.0.clone()),
        "loggedIn": agent.logged_in,
    }))
}

/// The `detail` of the call events, borrowed from the store's call (no intermediate JSON tree).
/// `userData` is not written here: it is `call.userData`, set on the parsed object, so that a
/// CRM's attached data (often dozens of keys) is encoded and parsed once per event, not twice.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallDetail<'a> {
    call: &'a Call,
    call_id: &'a str,
    state: &'a CallState,
    previous_state: Option<&'a CallState>,
    ani: Option<&'a str>,
    dnis: Option<&'a str>,
    parties: Vec<&'a str>,
}

impl HostEvents {
    /// Events on `target`.
    pub fn new(target: EventTarget) -> Self {
        HostEvents { target }
    }

    fn emit(&self, name: &str, detail: &JsValue) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.target.dispatch_event(&event);
        }
    }

    /// A call changed (or appeared: `previous` is `None`). Emits the state event on a state
    /// transition, and `gws:call-updated` always (both carry the same detail object).
    pub fn call_changed(&self, previous: Option<&CallState>, call: &Call) {
        let detail = to_js(&CallDetail {
            call,
            call_id: &call.id,
            state: &call.state,
            previous_state: previous,
            ani: call
                .ani
                .as_deref()
                .or_else(|| call.participants.first().map(|p| p.number())),
            dnis: call.dnis.as_deref(),
            parties: call.participants.iter().map(|p| p.number()).collect(),
        });
        if !detail.is_null() {
            let user_data = js_sys::Reflect::get(&detail, &"call".into())
                .and_then(|call| js_sys::Reflect::get(&call, &"userData".into()))
                .ok()
                .filter(|data| !data.is_undefined())
                .unwrap_or(JsValue::NULL);
            let _ = js_sys::Reflect::set(&detail, &"userData".into(), &user_data);
        }
        if previous != Some(&call.state) {
            let name = match call.state {
                CallState::Ringing => Some("gws:ringing"),
                CallState::Established => Some("gws:established"),
                CallState::Held => Some("gws:held"),
                CallState::Released => Some("gws:released"),
                _ => None,
            };
            if let Some(name) = name {
                self.emit(name, &detail);
            }
        }
        self.emit("gws:call-updated", &detail);
    }

    /// The connection state changed (`now` on the widget's clock).
    pub fn connection_changed(&self, state: &ConnectionState, now: u64) {
        let RetryCountdown {
            attempt,
            retry_in_ms,
        } = retry_countdown(state, now);
        self.emit(
            "gws:connection",
            &to_js(
                &json!({ "state": state.as_str(), "attempt": attempt, "retryInMs": retry_in_ms }),
            ),
        );
    }

    /// Fires what the core asked for (the agent's detail is read from its store).
    pub fn fire(&self, event: HostEvent, agent: RwSignal<AgentStore>, now: u64) {
        match event {
            HostEvent::CallChanged { previous, call } => {
                self.call_changed(previous.as_ref(), &call)
            }
            // The detail is read under the store's lock and the event dispatched after it: a
            // listener may call back into the widget at once, which then writes the store.
            HostEvent::AgentChanged => {
                if let Some(detail) = agent.try_with_untracked(agent_detail) {
                    self.emit("gws:agent-state", &detail);
                }
            }
            HostEvent::Connection(state) => self.connection_changed(&state, now),
            HostEvent::Error { message, call_id } => self.error(&message, call_id.as_deref()),
        }
    }

    /// An operation failed.
    pub fn error(&self, message: &str, call_id: Option<&str>) {
        self.emit(
            "gws:error",
            &to_js(&json!({ "message": message, "callId": call_id })),
        );
    }
}

/// What an embedding host attaches to a widget: where events go and where the controller for
/// its `WidgetHandle` is published.
#[derive(Clone)]
pub struct HostBinding {
    /// `gws:*` events on the host element.
    pub events: HostEvents,
    /// Filled in at mount.
    pub controller: ControllerSlot,
}

impl HostBinding {
    /// Publishes the mounted widget's controller to its `WidgetHandle`.
    pub fn publish(&self, controller: WidgetController) {
        *self.controller.borrow_mut() = Some(controller);
    }
}

/// What a `WidgetHandle` needs from a mounted widget. All `Copy`/`Send` handles, filled in by
/// `<AgentWidget/>` when it mounts.
#[derive(Clone)]
pub struct WidgetController {
    /// The calls.
    pub calls: RwSignal<CallsStore>,
    /// The agent.
    pub agent: RwSignal<AgentStore>,
    /// Intents into the widget's executor.
    pub intents: UnboundedSender<Intent>,
    /// The widget's texts (`setLang()` switches their language).
    pub texts: RwSignal<Catalog>,
}

impl WidgetController {
    /// The controller of a widget with these stores and intent queue.
    pub fn new(
        calls: RwSignal<CallsStore>,
        agent: RwSignal<AgentStore>,
        intents: UnboundedSender<Intent>,
        texts: RwSignal<Catalog>,
    ) -> Self {
        WidgetController {
            calls,
            agent,
            intents,
            texts,
        }
    }
}

/// Where a mounted widget publishes its controller.
pub type ControllerSlot = Rc<RefCell<Option<WidgetController>>>;

/// Tears a mounted widget down (unmount + remove its DOM); taken once.
pub type Unmount = Box<dyn FnOnce()>;

/// Validated host options.
#[derive(Debug, Clone)]
pub struct EmbedOptions {
    /// The widget configuration.
    pub config: WidgetConfig,
    /// Console verbosity.
    pub log_level: LogLevel,
}

fn option_error(message: String) -> JsValue {
    JsError::new(&format!("gws-widget: {message}")).into()
}

fn expect_string(key: &str, value: &JsValue) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| option_error(format!("option '{key}' must be a string")))
}

fn expect_bool(key: &str, value: &JsValue) -> Result<bool, JsValue> {
    value
        .as_bool()
        .ok_or_else(|| option_error(format!("option '{key}' must be true or false")))
}

/// The options `mount()` and the custom element accept.
pub const OPTION_NAMES: [&str; 17] = [
    "baseUrl",
    "username",
    "password",
    "credentials",
    "theme",
    "lang",
    "strings",
    "locale",
    "compact",
    "shortcuts",
    "logLevel",
    "clickToDial",
    "shareAcrossTabs",
    "autoLogin",
    "place",
    "queue",
    "loginCode",
];

/// Reads the `strings` option: an object of catalog key → text. An unknown key is an error
/// (a typo would otherwise silently keep the built-in text), with the closest known key.
fn parse_strings(value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if !value.is_object() || value.is_function() {
        return Err(option_error(
            "option 'strings' must be an object of texts, e.g. {\"op.Answer\": \"Pick up\"}".into(),
        ));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    let mut strings = Vec::new();
    for entry in js_sys::Object::entries(object).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        if gws_client::Key::from_name(&key).is_none() {
            let hint = gws_client::Key::ALL
                .iter()
                .find(|known| known.name().eq_ignore_ascii_case(&key))
                .map(|known| format!(" (did you mean '{}'?)", known.name()))
                .unwrap_or_default();
            return Err(option_error(format!(
                "option 'strings' has an unknown key '{key}'{hint}; the keys are listed in the README (Localisation)"
            )));
        }
        let text = entry.get(1).as_string().ok_or_else(|| {
            option_error(format!(
                "option 'strings': the text of '{key}' must be a string"
            ))
        })?;
        strings.push((key, text));
    }
    Ok(strings)
}

/// Reads and validates the host's options object. Every problem is a clear error for the host
/// developer, never a blank widget.
pub fn parse_options(options: &JsValue) -> Result<EmbedOptions, JsValue> {
    if !options.is_object() || options.is_function() {
        return Err(option_error(
            "options must be an object, e.g. {baseUrl, username, password}".into(),
        ));
    }
    let object: &js_sys::Object = options.unchecked_ref();
    let mut base_url = String::new();
    let (mut username, mut password, mut provider) = (None, None, None);
    let mut config = WidgetConfig::new("", "", "").with_lang(None);
    config.share_across_tabs = true;
    let mut log_level = LogLevel::Warn;
    // `lang` wins over its former name `locale`, in whatever order the two come.
    let mut lang_given = false;
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        let value =
            js_sys::Reflect::get(object, &JsValue::from_str(&key)).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() {
            continue;
        }
        match key.as_str() {
            "baseUrl" => base_url = expect_string(&key, &value)?,
            "username" => username = Some(expect_string(&key, &value)?),
            "password" => password = Some(expect_string(&key, &value)?),
            "credentials" => {
                provider = Some(value.dyn_into::<js_sys::Function>().map_err(|_| {
                    option_error(
                        "option 'credentials' must be a function returning {username, password}"
                            .into(),
                    )
                })?)
            }
            "theme" => {
                config.theme = match expect_string(&key, &value)?.as_str() {
                    "light" => Theme::Light,
                    "dark" => Theme::Dark,
                    other => {
                        return Err(option_error(format!(
                            "option 'theme' is \"{other}\"; use \"light\" or \"dark\""
                        )));
                    }
                }
            }
            // `locale` is the former name of `lang`, kept for hosts written against it.
            "lang" | "locale" => {
                let tag = expect_string(&key, &value)?;
                if key == "lang" || !lang_given {
                    config.lang = (!tag.trim().is_empty()).then_some(tag);
                }
                lang_given |= key == "lang";
            }
            "strings" => config.strings = parse_strings(&value)?,
            "compact" => config.compact = expect_bool(&key, &value)?,
            "shortcuts" => config.shortcuts = expect_bool(&key, &value)?,
            "clickToDial" => config.click_to_dial = expect_bool(&key, &value)?,
            "shareAcrossTabs" => config.share_across_tabs = expect_bool(&key, &value)?,
            "autoLogin" => config.login.auto_login = expect_bool(&key, &value)?,
            "place" => config.login.place = Some(expect_string(&key, &value)?),
            "queue" => config.login.queue = Some(expect_string(&key, &value)?),
            "loginCode" => config.login.login_code = Some(expect_string(&key, &value)?),
            "logLevel" => {
                let text = expect_string(&key, &value)?;
                log_level = LogLevel::parse(&text).ok_or_else(|| {
                    option_error(format!(
                        "option 'logLevel' is \"{text}\"; use off, error, warn, info or debug"
                    ))
                })?;
            }
            other => {
                let hint = OPTION_NAMES
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(other))
                    .map(|known| format!(" (did you mean '{known}'?)"))
                    .unwrap_or_default();
                return Err(option_error(format!(
                    "unknown option '{other}'{hint}; known: {}",
                    OPTION_NAMES.join(", ")
                )));
            }
        }
    }
    let base_url = base_url.trim().trim_end_matches('/').to_string();
    if !base_url.is_empty() {
        let valid = web_sys::Url::new(&base_url).ok().is_some_and(|url| {
            let protocol = url.protocol();
            protocol == "http:" || protocol == "https:"
        });
        if !valid {
            return Err(option_error(format!(
                "option 'baseUrl' is \"{base_url}\"; use an http(s) URL such as https://gws.example.com"
            )));
        }
    }
    config.base_url = base_url;
    config.credentials = match (provider, username, password) {
        (Some(provider), None, None) => Credentials::Provider(provider),
        (Some(_), _, _) => {
            return Err(option_error(
                "give either 'credentials' or 'username'/'password', not both".into(),
            ));
        }
        (None, Some(username), Some(password)) if !username.trim().is_empty() => {
            Credentials::Password {
                username: username.trim().to_string(),
                password,
            }
        }
        (None, Some(_), Some(_)) => return Err(option_error("option 'username' is empty".into())),
        (None, None, _) => {
            return Err(option_error(
                "option 'username' (or 'credentials') is required".into(),
            ));
        }
        (None, Some(_), None) => {
            return Err(option_error(
                "option 'password' is required with 'username'".into(),
            ));
        }
    };
    Ok(EmbedOptions { config, log_level })
}

/// The host page's handle on a mounted widget (returned by `mount()`, and the `handle` property
/// of a `<gws-agent-widget>` element).
///
/// Only `destroy()` unmounts the widget. A handle the page drops (`GwsWidget.mount(el, …)` with
/// the result ignored) is eventually garbage-collected, which drops this struct: the widget must
/// keep running then, as an agent's call control cannot vanish at a random GC.
#[wasm_bindgen]
pub struct WidgetHandle {
    controller: ControllerSlot,
    unmount: RefCell<Option<Unmount>>,
}

impl WidgetHandle {
    /// A handle over a mounted widget; `unmount` tears it down.
    pub fn new(controller: ControllerSlot, unmount: Unmount) -> Self {
        WidgetHandle {
            controller,
            unmount: RefCell::new(Some(unmount)),
        }
    }

    fn controller(&self) -> Result<WidgetController, JsValue> {
        self.controller
            .borrow()
            .clone()
            .filter(|_| self.unmount.borrow().is_some())
            .ok_or_else(|| option_error("this widget has been destroyed".into()))
    }

    /// The call `id`, or the first call in `states` order that allows `operation` (the choice
    /// is `gws_client::view::pick_call`'s; this adds only the widget's error form).
    fn pick_call(
        &self,
        id: Option<String>,
        operation: &Operation,
        states: &[CallState],
    ) -> Result<String, JsValue> {
        self.controller()?
            .calls
            .with_untracked(|store| pick_call(store, id.as_deref(), operation, states))
            .map_err(|e| option_error(e.to_string()))
    }

    fn send(&self, intent: Intent) -> Result<(), JsValue> {
        self.controller()?
            .intents
            .unbounded_send(intent)
            .map_err(|_| option_error("the widget is stopping".into()))
    }
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Dials `number` (spaces, dashes and parentheses are removed), with optional attached data.
    /// The result arrives as events (`gws:call-updated`, `gws:error`).
    pub fn dial(&self, number: &str, user_data: Option<js_sys::Object>) -> Result<(), JsValue> {
        let number = normalize_number(number)
            .map_err(|e| option_error(format!("cannot dial \"{number}\": {e}")))?;
        let mut request = OperationRequest::new(Operation::Dial).with_destination(&number);
        if let Some(data) = user_data {
            // Through JSON text: the widget's one decoder of `Value` reads it (a decoder of JS
            // objects for this one argument cost 5 KB of wasm).
            let text = js_sys::JSON::stringify(&data)
                .ok()
                .and_then(|text| text.as_string())
                .ok_or_else(|| option_error("userData cannot be written as JSON".into()))?;
            let data: Value = serde_json::from_str(&text)
                .map_err(|e| option_error(format!("userData must be an object of strings: {e}")))?;
            if !data.is_object() {
                return Err(option_error("userData must be an object".into()));
            }
            request.user_data = Some(data);
        }
        self.send(Intent::Dial(Box::new(request)))
    }

    /// Whether the widget stopped after an internal error (a panic or trap, shared by every
    /// widget of the page): then it shows a "reload" notice, and `gws:error` fired with
    /// `fatal: true`.
    #[wasm_bindgen(getter)]
    pub fn stopped(&self) -> bool {
        crate::fatal::stopped()
    }

    /// Logs the agent's voice channel in (`StartContactCenterSession` with the mount's `place`,
    /// `queue` and `loginCode`); the result arrives as `gws:agent-state` (`loggedIn`) or
    /// `gws:error`.
    pub fn login(&self) -> Result<(), JsValue> {
        self.send(Intent::LogIn)
    }

    /// Logs the agent out: notifications stop, then `EndContactCenterSession` (which ends the
    /// HTTP session). No confirmation is asked: the host decides.
    pub fn logout(&self) -> Result<(), JsValue> {
        self.send(Intent::LogOut)
    }

    /// Answers call `callId`, or the ringing call.
    pub fn answer(&self, call_id: Option<String>) -> Result<(), JsValue> {
        let id = self.pick_call(call_id, &Operation::Answer, &ANSWER_STATES)?;
        self.send(Intent::operation(&id, Operation::Answer))
    }

    /// Hangs up call `callId`, or the active call (established, then dialing, then held).
    pub fn hangup(&self, call_id: Option<String>) -> Result<(), JsValue> {
        let id = self.pick_call(call_id, &Operation::Hangup, &HANGUP_STATES)?;
        self.send(Intent::operation(&id, Operation::Hangup))
    }

    /// Sets the agent state: `Ready`, `NotReady` (with an optional reason code from the server's
    /// agent-state settings) or `AfterCallWork`.
    #[wasm_bindgen(js_name = setAgentState)]
    pub fn set_agent_state(&self, state: &str, reason: Option<String>) -> Result<(), JsValue> {
        // The agent states are what the voice channel accepts: the same list the tab relay
        // checks, so the two cannot drift apart.
        let operation = Operation::parse(state);
        if !gws_client::RelayTarget::AgentChannel.allows(&operation) {
            return Err(option_error(format!(
                "unknown agent state \"{state}\"; use Ready, NotReady, AfterCallWork or AuxWork"
            )));
        }
        if let Some(reason) = &reason {
            let known = self.controller()?.agent.with_untracked(|agent| {
                agent.agent_states.is_empty()
                    || agent
                        .agent_states
                        .iter()
                        .any(|s| s.reason_code.as_deref() == Some(reason))
            });
            if !known {
                return Err(option_error(format!("unknown reason code \"{reason}\"")));
            }
        }
        let mut request = OperationRequest::new(operation);
        request.reason_code = reason.map(Value::String);
        self.send(Intent::AgentState(Box::new(request)))
    }

    /// Switches the widget's language (`fr`, `de-CH`…; empty: the page's `<html lang>`, then the
    /// browser's). Texts change at once; messages already shown keep their wording. The
    /// `<gws-agent-widget>` element calls this when its `lang` attribute changes.
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) -> Result<(), JsValue> {
        let explicit = Some(lang).filter(|tag| !tag.trim().is_empty());
        let lang = crate::i18n::negotiate(explicit);
        let texts = self.controller()?.texts;
        texts.update(|catalog| *catalog = catalog.with_lang(lang));
        Ok(())
    }

    /// The language the widget speaks (`en`, `fr`, `de`, `es`).
    #[wasm_bindgen(getter)]
    pub fn lang(&self) -> Result<String, JsValue> {
        let texts = self.controller()?.texts;
        Ok(texts.with_untracked(|catalog| catalog.lang().tag().to_string()))
    }

    /// The current calls, as the server describes them.
    pub fn calls(&self) -> Result<JsValue, JsValue> {
        let calls: Vec<Call> = self
            .controller()?
            .calls
            .with_untracked(|store| store.entries().iter().map(|e| e.call.clone()).collect());
        Ok(to_js(&calls))
    }

    /// Stops the notification loop (sending `/meta/disconnect`), removes every listener and
    /// timer, and empties the host element. Calling it twice is harmless.
    pub fn destroy(&self) {
        let unmount = self.unmount.borrow_mut().take();
        self.controller.borrow_mut().take();
        if let Some(unmount) = unmount {
            unmount();
        }
    }
}

impl Drop for WidgetHandle {
    fn drop(&mut self) {
        // Not destroyed: keep the widget mounted for the page's lifetime (see the type's doc).
        if let Some(unmount) = self.unmount.get_mut().take() {
            std::mem::forget(unmount);
        }
    }
}

/// Applies the log level of `options` (the most recently mounted widget decides for the page).
pub fn apply_log_level(options: &EmbedOptions) {
    log::set_level(options.log_level);
}
