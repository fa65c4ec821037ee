//! Intents: what a component asks for. The type lives in the sans-IO core
//! ([`gws_client::Intent`]), which executes them; it is re-exported here for components.

pub use gws_client::Intent;
