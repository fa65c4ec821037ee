//! `<WidgetFrame/>`: the widget's layout — agent bar and connection badge, the supervisor panel
//! for supervisors, the calls, the recent calls and the live region.

use crate::components::{
    agent_bar::AgentBar, announcer::Announcer, call_list::CallList,
    connection_badge::ConnectionBadge, recent_calls::RecentCalls,
    supervisor_panel::SupervisorPanel,
};
use crate::config::WidgetConfig;
use crate::context::{AgentContext, I18nContext};
use gws_client::Key;
use leptos::prelude::*;

/// Everything one widget shows, themed by `config`.
#[component]
pub fn WidgetFrame(
    /// Theme and density (the language is the `I18nContext`'s).
    config: WidgetConfig,
) -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let i18n = I18nContext::expect();
    let lang = move || i18n.0.with(|catalog| catalog.lang().tag());
    let compact = if config.compact {
        " gws-widget--compact"
    } else {
        ""
    };
    let class = format!("gws-widget {}{compact}", config.theme.class());
    let is_supervisor = move || agent.with(|a| a.user.as_ref().is_some_and(|u| u.is_supervisor()));
    view! {
        <section class=class lang=lang data-testid="agent-widget" aria-label=i18n.text(Key::WidgetLabel)>
            <header class="gws-widget__header">
                <AgentBar/>
                <ConnectionBadge/>
            </header>
            <Show when=is_supervisor>
                <SupervisorPanel/>
            </Show>
            <CallList/>
            <RecentCalls/>
            <Announcer/>
        </section>
    }
}
