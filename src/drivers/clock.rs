//! The widget's clock. `std::time::Instant::now()` panics on wasm32, so time comes from
//! `performance.now()` (monotonic, not affected by wall-clock changes), with `Date.now()` as a
//! fallback where `performance` is missing.

use gws_client::Millis;

thread_local! {
    /// The page's `performance`, looked up once: the clock is read for every notification, and
    /// `window` → `performance` → `now()` were three calls into JS each time (4.5 % of the main
    /// thread in a notification flood, bench/RESULTS.md).
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|window| window.performance());
}

/// `performance.now()` in milliseconds, with its fraction (the benchmark probe times with it).
pub fn now_fractional_ms() -> f64 {
    let millis = PERFORMANCE
        .with(|performance| performance.as_ref().map(web_sys::Performance::now))
        .unwrap_or_else(js_sys::Date::now);
    if millis.is_finite() && millis > 0.0 {
        millis
    } else {
        0.0
    }
}

/// Milliseconds on a monotonic clock.
pub fn now_ms() -> u64 {
    now_fractional_ms() as u64
}

/// [`now_ms`] typed, for the sans-IO machines of `gws_client` (which take `now` as [`Millis`]).
pub fn now() -> Millis {
    Millis(now_ms())
}

/// Microseconds on the same clock as [`now_ms`] (for latency measurements).
pub fn now_us() -> u64 {
    (now_fractional_ms() * 1000.0) as u64
}

/// Sets `clock` to [`now_ms`] every second (call timers) while the current reactive owner lives.
pub fn tick_every_second(clock: leptos::prelude::RwSignal<u64>) {
    use leptos::prelude::*;
    let tick = move || clock.set(now_ms());
    if let Ok(tick) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }
}
