//! Retry delays: linear growth like cometd.js (+increment per consecutive failure, capped), with
//! jitter so hundreds of agents do not reconnect in lock-step after a server restart.
//!
//! The random source is a small seeded generator: deterministic in tests, and no `getrandom`
//! dependency on wasm.

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffPolicy {
    /// Added per consecutive failure (cometd.js: 1000 ms).
    pub increment_ms: u64,
    /// Upper bound of any delay (cometd.js: 60 000 ms).
    pub max_ms: u64,
    /// Relative spread: a delay `d` becomes uniform in `[d·(1−jitter), d·(1+jitter)]`, then capped.
    pub jitter: f64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            increment_ms: 1000,
            max_ms: 60_000,
            jitter: 0.25,
        }
    }
}

/// xorshift64* — tiny, fast, good enough for spreading retries.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator from a seed (0 is remapped: xorshift must not start at 0).
    pub fn new(seed: u64) -> Self {
        Jitter {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// Uniform in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

/// `base_ms` doubled `doublings` times (at most 16: a schedule of agent-facing retries, not
/// an overflow), saturating. For waits that should thin out fast — a refused channel, a refused
/// sign-in — rather than the connection's linear steps.
pub fn doubled(base_ms: u64, doublings: u32) -> u64 {
    base_ms.saturating_mul(1 << doublings.min(16))
}

impl BackoffPolicy {
    /// The un-jittered delay after `failures` consecutive failures (1 → one increment).
    pub fn base_delay(&self, failures: u32) -> u64 {
        self.increment_ms
            .saturating_mul(u64::from(failures))
            .min(self.max_ms)
    }

    /// The delay to wait after `failures` consecutive failures, jittered and capped.
    pub fn delay(&self, failures: u32, jitter: &mut Jitter) -> u64 {
        let base = self.base_delay(failures) as f64;
        let spread = self.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - spread + 2.0 * spread * jitter.next_unit();
        ((base * factor).round() as u64).min(self.max_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_delay_grows_linearly_and_caps() {
        let policy = BackoffPolicy::default();
        assert_eq!(policy.base_delay(0), 0);
        assert_eq!(policy.base_delay(1), 1000);
        assert_eq!(policy.base_delay(5), 5000);
        assert_eq!(policy.base_delay(1000), 60_000);
    }

    #[test]
    fn jittered_delays_stay_within_bounds_and_spread() {
        let policy = BackoffPolicy {
            increment_ms: 1000,
            max_ms: 60_000,
            jitter: 0.25,
        };
        let mut jitter = Jitter::new(42);
        let mut seen = std::collections::BTreeSet::new();
        for failures in 1..=80u32 {
            for _ in 0..50 {
                let base = policy.base_delay(failures) as f64;
                let delay = policy.delay(failures, &mut jitter);
                assert!(
                    delay as f64 >= (base * 0.75).floor(),
                    "{delay} below bound for {failures}"
                );
                assert!(
                    delay as f64 <= (base * 1.25).ceil(),
                    "{delay} above bound for {failures}"
                );
                assert!(delay <= 60_000, "cap respected");
                if failures == 4 {
                    seen.insert(delay);
                }
            }
        }
        assert!(
            seen.len() > 20,
            "jitter actually spreads delays: {} distinct",
            seen.len()
        );
    }

    #[test]
    fn zero_jitter_is_exact() {
        let policy = BackoffPolicy {
            jitter: 0.0,
            ..BackoffPolicy::default()
        };
        let mut jitter = Jitter::new(1);
        assert_eq!(policy.delay(3, &mut jitter), 3000);
    }
}
