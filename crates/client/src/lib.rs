//! `gws-client`: the pure, sans-IO core of the widget.
//!
//! Nothing here performs I/O or reads a clock: inputs (responses, the current time in
//! milliseconds, user intents) go in, outputs (requests to send, events, state) come out. That is
//! what lets every reconnect and failure case run as a millisecond-fast native test, and what lets
//! the same code run in the browser (driven by `fetch`) and in native tests (driven by a script).
//!
//! Layout:
//! - [`bayeux`]: the Bayeux/CometD long-polling client state machine (`BayeuxClient`).
//! - [`backoff`]: retry delays with jitter from a seeded generator.
//! - [`time`]: `Millis`, the typed milliseconds every machine here takes as `now`.
//! - [`store`]: `CallsStore`, the reducer from snapshot + notifications to the calls shown.
//! - [`actions`]: `actions_for`, the ordered, labelled controls for a call's capabilities.
//! - [`agent`]: `AgentStore`, the reducer of the agent's user and device state.
//! - [`phone`]: normalisation and validation of typed or clicked phone numbers.
//! - [`intent`]: `Intent`, what the agent asks for (components emit them).
//! - [`header`]: server-chosen header names and values checked before use (CSRF).
//! - [`i18n`]: `Lang`, the `Key`s of every text, `Catalog` (language + host overrides).
//! - [`error`]: `ApiError`, why a REST call failed, worded for the agent.
//! - [`widget_core`]: `WidgetCore`, one widget's decisions: start-up, notifications and
//!   snapshots into the stores, the intent executor, the tab protocol. The browser driver feeds
//!   it inputs and performs its effects.
//! - [`view`]: view models: what the components show (cards, grouping, agent bar, connection
//!   badge and retry countdown, recent calls) and which call a host's `answer()` acts on.

pub mod actions;
pub mod agent;
pub mod backoff;
pub mod bayeux;
pub mod error;
pub mod header;
pub mod i18n;
pub mod intent;
pub mod phone;
pub mod small_map;
pub mod store;
pub mod time;
pub mod url;
pub mod view;
pub mod widget_core;

pub use actions::{Action, ActionGroup, ActionInput, actions_for, label};
pub use agent::AgentStore;
pub use bayeux::{
    BayeuxClient, BayeuxConfig, ConnectionState, Event, Outcome, Request, RequestId, RequestKind,
};
pub use error::ApiError;
pub use i18n::{Catalog, Key, Lang};
pub use intent::Intent;
pub use phone::{NumberError, normalize_number};
pub use small_map::SmallMap;
pub use store::{CallEntry, CallsStore, Change};
pub use time::Millis;
pub use widget_core::{
    CoreConfig, Effect, HostEvent, HttpRequest, Input, LoginOptions, Method, ReauthFailure,
    RelayTarget, RequestToken, Severity, TabMessage, ViewChanges, Views, WidgetCore, WidgetState,
};
