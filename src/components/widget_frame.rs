//! `<WidgetFrame/>`: the widget's layout — agent bar and connection badge, the supervisor panel
//! for supervisors, the calls, the recent calls and the live region.

use crate::components::{
    agent_bar::AgentBar, announcer::Announcer, call_list::CallList,
    connection_badge::ConnectionBadge, recent_calls::RecentCalls,
    supervisor_panel::SupervisorPanel,
};
use crate::config::WidgetConfig;
use crate::context::AgentContext;
use leptos::prelude::*;

/// Everything one widget shows, themed by `config`.
#[component]
pub fn WidgetFrame(
    /// Theme, density and language.
    config: WidgetConfig,
) -> impl IntoView {
    let AgentContext(agent) = AgentContext::expect();
    let compact = if config.compact {
        " gws-widget--compact"
    } else {
        ""
    };
    let class = format!("gws-widget {}{compact}", config.theme.class());
    let is_supervisor = move || agent.with(|a| a.user.as_ref().is_some_and(|u| u.is_supervisor()));
    view! {
        <section class=class lang=config.locale data-testid="agent-widget" aria-label="Call control">
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
