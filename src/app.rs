//! `<AgentWidget/>` and its driver.
//!
//! Every decision is the sans-IO [`WidgetCore`]'s (start-up, notifications and snapshots, the
//! intent executor, the tab protocol), tested natively. This file only feeds it — replies,
//! notification-loop events, intents, tab messages, timeouts, each with the time — and performs
//! what comes out: fetches, host events, announcements, tab messages, the notification loop.
//! The stores live in signals the components read; the core borrows them for one step and says
//! which ones changed, so only those re-render.

use crate::components::widget_frame::WidgetFrame;
use crate::config::{Credentials, WidgetConfig};
use crate::context::{
    AgentContext, AnnouncerContext, CallsContext, ConnectionContext, I18nContext, StoreSignals,
    update_views,
};
use crate::diagnostics::{self, Live};
use crate::drivers::clock::{now_ms, tick_every_second};
use crate::drivers::credentials::{reauthenticate, resolve_credentials};
use crate::drivers::deadline::DeadlineTimer;
use crate::drivers::notifications::{LoopCommand, LoopHandle, run_notification_sessions};
use crate::drivers::rest::RestClient;
use crate::drivers::tabs::{TabLink, TabMembership, tab_key};
use crate::drivers::watch_host_page;
use crate::embed::{HostBinding, HostEvents, WidgetController};
use crate::intent::Intent;
use crate::log;
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use gws_client::{Effect, Input, Severity, WidgetCore, WidgetState};
use gws_protocol::{CALLS_CHANNEL, DEVICES_CHANNEL};
use leptos::{prelude::*, task::spawn_local};
use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};

/// The widget for one agent.
#[component]
pub fn AgentWidget(
    /// Server, credentials and behaviour.
    config: WidgetConfig,
    /// Host-page integration (events, handle); absent in the DOM tests that render the component.
    #[prop(optional)]
    host: Option<HostBinding>,
) -> impl IntoView {
    // Components do not create reactive owners in Leptos 0.8: without one of our own, two
    // widgets side by side (the demo page) would overwrite each other's contexts. `OwnedView`
    // keeps our owner current while the view is built later (what `<Provider>` does).
    let owner = Owner::new();
    let view = owner.with(move || widget(config, host).into_any());
    leptos::tachys::reactive_graph::OwnedView::new_with_owner(view, owner)
}

fn widget(config: WidgetConfig, host: Option<HostBinding>) -> impl IntoView {
    let live = Live::new(&diagnostics::WIDGETS);
    on_cleanup(move || drop(live));
    let (intent_tx, intents) = unbounded::<Intent>();
    let (CallsContext(calls), AgentContext(agent), ConnectionContext(connection), clock, announcer) =
        crate::context::provide_widget_contexts(WidgetState::default(), now_ms(), intent_tx.clone());
    let catalog = crate::i18n::catalog(&config);
    let I18nContext(texts) = I18nContext::expect();
    texts.set(catalog.clone());
    let controller = WidgetController::new(calls, agent, intent_tx.clone(), texts);
    host.iter()
        .for_each(|host| host.publish(controller.clone()));
    let (notification_loop, loop_commands) = LoopHandle::new();
    notification_loop.stop_on_cleanup();
    let core = WidgetCore::new(config.core_config(host.is_some(), catalog));
    let driver = Rc::new_cyclic(|this| Driver {
        this: this.clone(),
        core: RefCell::new(core),
        stores: (calls, agent, connection),
        announcer,
        events: host.map(|h| h.events),
        credentials: config.credentials.clone(),
        rest: OnceCell::new(),
        tab_key: OnceCell::new(),
        notification_loop,
        loop_commands: RefCell::new(Some(loop_commands)),
        link: RefCell::new(None),
        timer: DeadlineTimer::default(),
    });
    spawn_local(driver.clone().start(config.clone(), intents));
    // The host changed the language (`setLang`): the core words later messages in it too.
    let relanguage = Rc::downgrade(&driver);
    crate::i18n::on_change(texts, move |catalog| {
        let driver = relanguage.upgrade();
        driver.inspect(|driver| driver.core.borrow_mut().set_catalog(catalog));
    });
    let feed = driver.feeder();
    watch_host_page(&config, calls, intent_tx, move |reason| {
        feed(Input::CannotDial(reason))
    });
    tick_every_second(clock.0);
    view! { <WidgetFrame config/> }
}

/// Feeds one widget's core and performs its effects.
struct Driver {
    this: Weak<Driver>,
    core: RefCell<WidgetCore>,
    stores: StoreSignals,
    announcer: AnnouncerContext,
    events: Option<HostEvents>,
    credentials: Credentials,
    rest: OnceCell<RestClient>,
    /// Names this user's tabs on this server.
    tab_key: OnceCell<String>,
    notification_loop: LoopHandle,
    loop_commands: RefCell<Option<UnboundedReceiver<LoopCommand>>>,
    link: RefCell<Option<Rc<TabLink>>>,
    timer: DeadlineTimer,
}

impl Driver {
    /// Credentials first (the host's provider may prompt), then the core signs in; intents are
    /// executed from then on.
    async fn start(self: Rc<Self>, config: WidgetConfig, mut intents: UnboundedReceiver<Intent>) {
        let (username, password) = match resolve_credentials(&config.credentials).await {
            Ok(pair) => pair,
            Err(message) => return self.feed(Some(Input::CredentialsFailed(message))),
        };
        let rest = RestClient::new(&config.base_url, &username, &password);
        let _ = self.rest.set(rest);
        let _ = self.tab_key.set(tab_key(&config.base_url, &username));
        self.feed(Some(Input::SignIn));
        while let Some(intent) = intents.next().await {
            self.feed(Some(Input::Intent(intent)));
        }
    }

    /// Feeds this widget's core from callbacks that must not keep it alive.
    fn feeder(&self) -> impl Fn(Input) + 'static {
        let this = self.this.clone();
        move |input| {
            if let Some(this) = this.upgrade() {
                this.feed(Some(input));
            }
        }
    }

    /// One step of the core (`None`: its timeout), then its effects. Does nothing once the
    /// widget is unmounted (its signals are gone).
    fn feed(&self, input: Option<Input>) {
        let now = now_ms();
        let stepped = update_views(self.stores, |views| {
            let mut core = self.core.borrow_mut();
            match input {
                Some(input) => core.handle(now, input, views),
                None => core.handle_timeout(now, views),
            }
        });
        if stepped.is_none() {
            return;
        }
        while let Some(effect) = self.next_effect() {
            self.perform(effect);
        }
        let this = self.this.clone();
        let deadline = self.core.borrow().poll_timeout();
        self.timer.arm(deadline, now, move || {
            if let Some(this) = this.upgrade() {
                this.timer.fired();
                this.feed(None);
            }
        });
    }

    /// Runs `task` with the REST client (once signed in) and feeds its outcome to the core.
    fn with_rest<F: Future<Output = Input> + 'static>(&self, task: impl FnOnce(RestClient) -> F) {
        if let Some(rest) = self.rest.get().cloned() {
            let (feed, task) = (self.feeder(), task(rest));
            spawn_local(async move { feed(task.await) });
        }
    }

    /// The core's next effect; its borrow ends before the effect runs (effects call into JS).
    fn next_effect(&self) -> Option<Effect> {
        self.core.borrow_mut().poll_effect()
    }

    fn perform(&self, effect: Effect) {
        match effect {
            Effect::Request(request) => self.with_rest(|rest| async move {
                let token = request.token;
                let result = rest.perform(request).await;
                Input::Reply { token, result }
            }),
            Effect::Host(event) => {
                if let Some(events) = &self.events {
                    events.fire(event, self.stores.1, now_ms());
                }
            }
            Effect::Announce(text) => self.announcer.say(text),
            Effect::Broadcast(message) => {
                let link = self.link.borrow().clone(); // not borrowed while JS runs
                link.inspect(|link| link.send(&message));
            }
            Effect::StartNotifications { shared } => {
                if let Some(this) = self.this.upgrade() {
                    spawn_local(this.receive_notifications(shared));
                }
            }
            Effect::RetryConnection => self.notification_loop.send(LoopCommand::RetryNow),
            Effect::StopNotifications { unsubscribe } => self
                .notification_loop
                .send(LoopCommand::Pause { unsubscribe }),
            Effect::ResumeNotifications => self.notification_loop.send(LoopCommand::Resume),
            Effect::Reauthenticate => {
                let credentials = self.credentials.clone();
                self.with_rest(|rest| async move {
                    Input::Reauthenticated(reauthenticate(&credentials, &rest).await)
                })
            }
            Effect::Log(Severity::Info, message) => log::info(&message),
            Effect::Log(Severity::Warning, message) => log::warn(&message),
        }
    }

    /// Follows the leader tab of this user until this tab is elected (or leads at once when not
    /// sharing or the browser cannot coordinate), then runs the notification loop until stopped.
    async fn receive_notifications(self: Rc<Self>, shared: bool) {
        let (Some(mut commands), Some(rest)) =
            (self.loop_commands.take(), self.rest.get().cloned())
        else {
            return;
        };
        let tab_key = self.tab_key.get().map_or("", String::as_str);
        let feed = self.feeder();
        let mut membership = shared
            .then(|| TabMembership::join(tab_key, move |message| feed(Input::Tab(message))))
            .flatten();
        if let Some(membership) = &mut membership {
            *self.link.borrow_mut() = Some(membership.link.clone());
            let tab_id = membership.link.tab_id.clone();
            self.feed(Some(Input::Following { tab_id }));
            if !membership.elected(&mut commands).await {
                self.link.take();
                return;
            }
        }
        let tab_id = membership.as_ref().map(|m| m.link.tab_id.clone());
        self.feed(Some(Input::Leading { tab_id }));
        let (feed, paused) = (self.feeder(), self.feeder());
        let channels = [CALLS_CHANNEL, DEVICES_CHANNEL];
        let on_event = move |event| feed(Input::Bayeux(event));
        let on_paused = move || paused(Input::NotificationsStopped);
        run_notification_sessions(rest, &channels, &mut commands, on_event, on_paused).await;
        self.link.take();
        drop(membership); // leaves the line: the next tab in line leads
    }
}
