//! The widget's clock. `std::time::Instant::now()` panics on wasm32, so time comes from
//! `performance.now()` (monotonic, not affected by wall-clock changes), with `Date.now()` as a
//! fallback where `performance` is missing.

/// Milliseconds on a monotonic clock.
pub fn now_ms() -> u64 {
    let millis = web_sys::window()
        .and_then(|window| window.performance())
        .map(|performance| performance.now())
        .unwrap_or_else(js_sys::Date::now);
    if millis.is_finite() && millis > 0.0 {
        millis as u64
    } else {
        0
    }
}
