//! Typed time: [`Millis`], milliseconds on the driver's monotonic clock.
//!
//! The sans-IO machines never read a clock; the driver passes `now` in. A newtype instead of a
//! bare `u64` keeps a timeout from being confused with a counter or an id, and its arithmetic
//! saturates: a deadline computed from a huge advised timeout, or a "time since" taken with the
//! two instants swapped, clamps instead of overflowing (a debug-build panic on peer data).

use std::fmt;
use std::ops::{Add, Sub};

/// Milliseconds: a point on the driver's monotonic clock, or a span between two points.
///
/// `+` and `-` saturate (at `u64::MAX` and at zero).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub u64);

impl Millis {
    /// Zero: the clock's origin, or no time at all.
    pub const ZERO: Millis = Millis(0);

    /// The plain number, for APIs outside this crate (timers, `fetch` timeouts).
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// `self - earlier`, or zero if `earlier` is in fact later.
    pub const fn saturating_sub(self, earlier: Millis) -> Millis {
        Millis(self.0.saturating_sub(earlier.0))
    }

    /// `self + span`, or the end of time if that overflows.
    pub const fn saturating_add(self, span: Millis) -> Millis {
        Millis(self.0.saturating_add(span.0))
    }
}

impl Add for Millis {
    type Output = Millis;

    fn add(self, span: Millis) -> Millis {
        self.saturating_add(span)
    }
}

impl Sub for Millis {
    type Output = Millis;

    fn sub(self, earlier: Millis) -> Millis {
        self.saturating_sub(earlier)
    }
}

impl From<u64> for Millis {
    fn from(millis: u64) -> Self {
        Millis(millis)
    }
}

impl From<Millis> for u64 {
    fn from(millis: Millis) -> Self {
        millis.0
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(Millis(5) + Millis(7), Millis(12));
        assert_eq!(Millis(u64::MAX) + Millis(1), Millis(u64::MAX));
        assert_eq!(Millis(7) - Millis(5), Millis(2));
        assert_eq!(Millis(5) - Millis(7), Millis::ZERO);
        assert_eq!(Millis(40_000).to_string(), "40000 ms");
    }
}
