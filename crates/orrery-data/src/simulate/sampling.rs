//! The few random draws the simulator needs, each from one uniform number the way numpy
//! draws them, so that the probabilities match the seed's exactly.

use rand::Rng;
use rand_distr::{Distribution, Exp};

use super::SimulateError;

/// A discrete distribution as a cumulative table: `np.random.choice(n, p=probs)`.
#[derive(Debug, Clone)]
pub(crate) struct Cdf {
    cumulative: Vec<f64>,
}

impl Cdf {
    /// The table of `weights` (non-negative, not all zero), normalized by their sum as
    /// numpy does.
    pub(crate) fn new(weights: &[f64]) -> Self {
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                running += w;
                running
            })
            .collect();
        if running > 0.0 {
            cumulative.iter_mut().for_each(|c| *c /= running);
        }
        Self { cumulative }
    }

    /// The outcome whose cumulative interval holds `u` in `[0, 1)`: the first index with
    /// `u < cdf[index]` (numpy's `searchsorted(cdf, u, side="right")`).
    pub(crate) fn index_of(&self, u: f64) -> usize {
        let index = self.cumulative.partition_point(|&c| c <= u);
        index.min(self.cumulative.len().saturating_sub(1))
    }

    /// One draw.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        self.index_of(rng.random::<f64>())
    }
}

/// When an event happened, drawn as the seed draws it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeDraw {
    pub days_ago: f64,
    pub hour: u8,
    pub minutes: u8,
}

/// The seed's timestamp rule: `min(Exp(mean scale), cap)` days ago, an hour from the hour
/// distribution, and `randint(0, 60)` minutes, drawn in that order.
pub(crate) struct TimeSampler {
    days: Exp<f64>,
    days_cap: f64,
    hours: Cdf,
}

impl TimeSampler {
    pub(crate) fn new(
        days_scale: f64,
        days_cap: f64,
        hour_probs: &[f64; 24],
    ) -> Result<Self, SimulateError> {
        let days = Exp::new(1.0 / days_scale).map_err(|e| SimulateError::InvalidConfig {
            field: "days_scale",
            message: format!("{days_scale} gives no exponential distribution: {e}"),
        })?;
        Ok(Self {
            days,
            days_cap,
            hours: Cdf::new(hour_probs),
        })
    }

    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> TimeDraw {
        let days_ago = self.days.sample(rng).min(self.days_cap);
        let hour = self.hours.sample(rng) as u8;
        let minutes = rng.random_range(0..60u8);
        TimeDraw {
            days_ago,
            hour,
            minutes,
        }
    }
}

/// Microseconds in a day, an hour and a minute.
const DAY_US: f64 = 86_400e6;
const HOUR_US: i64 = 3_600_000_000;
const MINUTE_US: i64 = 60_000_000;

/// `now - timedelta(days=days_ago, hours=hour, minutes=minutes)` in Unix microseconds.
///
/// This is the seed's rule, and it subtracts the drawn hour rather than setting the hour
/// of day: together with the fractional days it leaves the timestamp's hour of day close
/// to uniform and unrelated to the drawn hour. The drawn hour is kept beside the
/// timestamp for that reason. Python's timedelta rounds to whole microseconds, and so do
/// we.
pub(crate) fn timestamp_micros(now_seconds: i64, draw: &TimeDraw) -> i64 {
    let days_us = (draw.days_ago * DAY_US).round() as i64;
    now_seconds * 1_000_000
        - days_us
        - i64::from(draw.hour) * HOUR_US
        - i64::from(draw.minutes) * MINUTE_US
}

/// Zipf weights `1 / rank^exponent` for ranks `1..=n`.
pub(crate) fn zipf_weights(n: usize, exponent: f64) -> Vec<f64> {
    (1..=n).map(|rank| (rank as f64).powf(-exponent)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_follows_numpy_side_right() {
        let cdf = Cdf::new(&[0.1, 0.15, 0.25, 0.25, 0.25]);
        assert_eq!(cdf.index_of(0.0), 0);
        assert_eq!(cdf.index_of(0.099), 0);
        assert_eq!(cdf.index_of(0.1), 1);
        assert_eq!(cdf.index_of(0.2499), 1);
        assert_eq!(cdf.index_of(0.9999), 4);
    }

    #[test]
    fn cdf_skips_zero_weights_and_normalizes() {
        let cdf = Cdf::new(&[0.0, 2.0, 0.0, 2.0]);
        assert_eq!(cdf.index_of(0.0), 1);
        assert_eq!(cdf.index_of(0.49), 1);
        assert_eq!(cdf.index_of(0.5), 3);
        assert_eq!(cdf.index_of(0.999_999), 3);
    }

    #[test]
    fn timestamp_subtracts_days_hours_and_minutes() {
        let draw = TimeDraw {
            days_ago: 1.5,
            hour: 2,
            minutes: 30,
        };
        let expected = (1_000_000 - 86_400 - 43_200 - 7_200 - 1_800) * 1_000_000;
        assert_eq!(timestamp_micros(1_000_000, &draw), expected);
    }

    #[test]
    fn zipf_weights_fall_with_rank() {
        assert_eq!(zipf_weights(3, 1.0), vec![1.0, 0.5, 1.0 / 3.0]);
        assert_eq!(zipf_weights(2, 0.0), vec![1.0, 1.0]);
    }
}
