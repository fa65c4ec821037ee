//! `<Announcer/>`: the widget's assertive live region. Ringing calls and errors are spoken by
//! screen readers even when focus is elsewhere (e.g. in the host CRM page).

use crate::context::AnnouncerContext;
use leptos::prelude::*;

/// A visually hidden `aria-live="assertive"` region.
#[component]
pub fn Announcer() -> impl IntoView {
    let AnnouncerContext(text) = AnnouncerContext::expect();
    view! {
        <div class="gws-visually-hidden" data-testid="announcer" role="status" aria-live="assertive" aria-atomic="true">
            {move || text.get()}
        </div>
    }
}
