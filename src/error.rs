//! Errors of REST calls, worded for the agent. The type lives in the sans-IO core
//! ([`gws_client::ApiError`]), which puts them on cards; re-exported here for the drivers.

pub use gws_client::ApiError;
