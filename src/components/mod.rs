//! View components: one exported component per file. They read contexts and emit intents; they
//! never perform I/O.
//!
//! Layout:
//! - [`widget_frame`]: `<WidgetFrame/>`, the layout of one widget.
//! - [`agent_bar`]: `<AgentBar/>`, name, DN, agent state, DND, forwarding, dial pad.
//! - [`voice_login`]: `<VoiceLogin/>`, Log in / Log out (confirmed during a call).
//! - [`dial_pad`]: `<DialPad/>`, new outbound calls.
//! - [`supervisor_panel`]: `<SupervisorPanel/>`, ListenIn / Coach / BargeIn by DN.
//! - [`connection_badge`]: `<ConnectionBadge/>`, the notification connection state.
//! - [`call_list`]: `<CallList/>`, one card per call, consults under their parent.
//! - [`call_card`]: `<CallCard/>`, everything about one call.
//! - [`action_bar`]: `<ActionBar/>`, the buttons for a call's capabilities.
//! - [`action_form`]: `<ActionForm/>`, the input an operation needs.
//! - [`destination_form`], [`dtmf_keypad`], [`choice_form`], [`user_data_form`]: the inputs.
//! - [`recent_calls`]: `<RecentCalls/>`, released calls.
//! - [`announcer`]: `<Announcer/>`, the assertive live region.
//! - [`format`](mod@format): the operation label shared by components (not a component).
//!
//! What they show (card content, grouping, agent bar, connection badge, recent calls) is computed
//! by the view models of `gws_client::view`, tested natively; components bind it to the DOM.

pub mod action_bar;
pub mod action_form;
pub mod agent_bar;
pub mod announcer;
pub mod call_card;
pub mod call_list;
pub mod choice_form;
pub mod connection_badge;
pub mod destination_form;
pub mod dial_pad;
pub mod dtmf_keypad;
pub mod format;
pub mod recent_calls;
pub mod supervisor_panel;
pub mod user_data_form;
pub mod voice_login;
pub mod widget_frame;
