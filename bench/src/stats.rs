//! Percentiles of a sample.

/// Nearest-rank percentiles of a sample (microseconds in this crate).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Sample size.
    pub count: usize,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest value.
    pub max: u64,
}

impl Summary {
    /// Summarises `values` (any order). An empty sample gives zeros.
    pub fn of(mut values: Vec<u64>) -> Self {
        if values.is_empty() {
            return Summary::default();
        }
        values.sort_unstable();
        let rank = |p: f64| {
            // Nearest rank: the smallest value with at least p of the sample at or below it.
            let index = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
            values[index]
        };
        Summary {
            count: values.len(),
            p50: rank(0.50),
            p90: rank(0.90),
            p99: rank(0.99),
            p999: rank(0.999),
            max: values[values.len() - 1],
        }
    }
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_of_one_to_a_hundred() {
        let s = Summary::of((1..=100).rev().collect());
        assert_eq!(
            (s.count, s.p50, s.p90, s.p99, s.max),
            (100, 50, 90, 99, 100)
        );
        assert_eq!(s.p999, 100);
    }

    #[test]
    fn an_empty_sample_is_all_zero() {
        assert_eq!(Summary::of(Vec::new()), Summary::default());
    }

    #[test]
    fn milliseconds_have_two_decimals() {
        assert_eq!(ms(12_345), "12.35");
    }
}
