//! Layer 4: user × category interactions with strengths, drawn exactly as the seed
//! generator draws them, plus the optional strength signal.

use std::fmt;

use orrery_core::rng;
use rand::Rng;

use super::config::{FAVOURITE_HOURS_DRAWS, PREFERRED_TYPE_DRAWS, UniverseConfig};
use super::sampling::{Cdf, TimeSampler, timestamp_micros};
use super::{SimulateError, format_timestamp};
use crate::poppy::{CATEGORY_TYPES, values_of};

/// Random stream of the preferences and the interactions.
const INTERACTION_STREAM: u64 = 0;
/// Random stream of the favourite hours, apart from the interactions so that the strength
/// signal leaves every other draw as it is.
const FAVOURITE_HOURS_STREAM: u64 = 1;

/// One row of `NN_Semantic_Interactions.csv`, with the draws behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoppyInteraction {
    /// `Interaction_ID`, from 1.
    pub id: u32,
    /// `User_ID`, in `1..=users`.
    pub user: u32,
    /// One of [`CATEGORY_TYPES`].
    pub category_type: &'static str,
    /// One of the values of the type ([`values_of`]).
    pub category_value: &'static str,
    /// 1..=5.
    pub strength: u8,
    /// The timestamp in Unix microseconds, UTC.
    pub ts_micros: i64,
    /// The drawn days ago, `min(Exp(days_scale), days_cap)`.
    pub days_ago: f64,
    /// The drawn hour (0..=23). The seed subtracts it from the reference time, so it is
    /// not the hour of day of the timestamp.
    pub hour: u8,
    /// The drawn minutes (0..=59), also subtracted.
    pub minutes: u8,
    /// Whether the value was repeated from the user's memory of the type.
    pub repeated: bool,
}

impl PoppyInteraction {
    /// The timestamp in Unix seconds (rounded down), as stored.
    pub fn ts(&self) -> i64 {
        self.ts_micros.div_euclid(1_000_000)
    }

    /// The UTC hour of day of the timestamp, the hour a model can see.
    pub fn hour_of_day(&self) -> u8 {
        hour_of_day(self.ts_micros)
    }

    /// The timestamp as pandas writes it: `2025-11-30 02:02:11.902417`.
    pub fn timestamp_text(&self) -> Result<String, SimulateError> {
        format_timestamp(self.ts_micros)
    }
}

/// A user's favourite hours: one quarter of the day, `first..=last` in UTC hours of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HourWindow {
    pub first: u8,
    pub last: u8,
}

impl HourWindow {
    /// Quarter `index` (0..=3) of the day: 0-5, 6-11, 12-17 or 18-23.
    pub fn quarter(index: u8) -> Self {
        let first = (index % 4) * 6;
        Self {
            first,
            last: first + 5,
        }
    }

    /// Whether `hour` (0..=23) lies in the window.
    pub fn contains(&self, hour: u8) -> bool {
        (self.first..=self.last).contains(&hour)
    }
}

impl fmt::Display for HourWindow {
    /// `18-23`, as written in `planted_preferences.csv`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// The UTC hour of day of a timestamp in Unix microseconds.
pub(crate) fn hour_of_day(ts_micros: i64) -> u8 {
    ts_micros.div_euclid(3_600_000_000).rem_euclid(24) as u8
}

/// What Layer 4 simulation produces.
pub(crate) struct Layer4 {
    pub interactions: Vec<PoppyInteraction>,
    /// Preferred type index per user (index `user - 1`).
    pub preferences: Vec<Option<usize>>,
    /// Favourite hours per user, when there is a strength signal.
    pub favourite_hours: Option<Vec<HourWindow>>,
}

/// Draws the preferences, then the interactions, in the seed's order of draws.
pub(crate) fn simulate_interactions(config: &UniverseConfig) -> Result<Layer4, SimulateError> {
    let mut rng = rng::stream(config.seed, INTERACTION_STREAM);
    let users = config.users as usize;

    // As the seed: `if random() < 0.40: user_preferences[uid] = choice(category_types)`.
    let preferences: Vec<Option<usize>> = (0..users)
        .map(|_| {
            (rng.random::<f64>() < config.preference_share)
                .then(|| rng.random_range(0..CATEGORY_TYPES.len()))
        })
        .collect();

    let favourite_hours = (config.strength_signal > 0.0).then(|| {
        let mut hours_rng = rng::stream(config.seed, FAVOURITE_HOURS_STREAM);
        (0..users)
            .map(|_| HourWindow::quarter(hours_rng.random_range(0..4)))
            .collect::<Vec<_>>()
    });

    let type_draw = Cdf::new(&config.category_weights);
    let strength_draw = Cdf::new(&config.strength_probs);
    let time_draw = TimeSampler::new(config.days_scale, config.days_cap, &config.hour_probs)?;
    let values: [&'static [&'static str]; 3] = CATEGORY_TYPES.map(|t| values_of(t).unwrap_or(&[]));

    // The values each user has seen of each type, as bit sets over the type's values.
    let mut memory = vec![[0u16; 3]; users];
    // Memory beyond a few million rows is reserved as it grows.
    let mut interactions = Vec::with_capacity((config.interactions as usize).min(1 << 22));

    for id in 1..=config.interactions {
        let user = rng.random_range(1..=config.users);
        let user_index = (user - 1) as usize;
        let preferred = preferences[user_index];

        // `if user_id in user_preferences and random() < 0.45`: the second draw only
        // happens for users with a preference.
        let type_index = match preferred {
            Some(p) if rng.random::<f64>() < config.preference_pick => p,
            _ => type_draw.sample(&mut rng),
        };
        let type_values = values[type_index];

        let seen = &mut memory[user_index][type_index];
        let (value_index, repeated) = if *seen != 0 && rng.random::<f64>() < config.repeat_prob {
            let nth = rng.random_range(0..seen.count_ones());
            (nth_set_bit(*seen, nth), true)
        } else {
            let drawn = rng.random_range(0..type_values.len());
            *seen |= 1 << drawn;
            (drawn, false)
        };

        // One uniform quantile per strength, as `np.random.choice(..., p=...)` uses.
        let strength_quantile = rng.random::<f64>();
        let time = time_draw.sample(&mut rng);
        let ts_micros = timestamp_micros(config.now, &time);

        let draws = match &favourite_hours {
            Some(windows) => {
                let preferred_type = preferred == Some(type_index);
                let favourite_hour = windows[user_index].contains(hour_of_day(ts_micros));
                1.0 + config.strength_signal
                    * (PREFERRED_TYPE_DRAWS * f64::from(u8::from(preferred_type))
                        + FAVOURITE_HOURS_DRAWS * f64::from(u8::from(favourite_hour)))
            }
            None => 1.0,
        };
        let strength = strength_draw.index_of(best_of(strength_quantile, draws)) as u8 + 1;

        interactions.push(PoppyInteraction {
            id,
            user,
            category_type: CATEGORY_TYPES[type_index],
            category_value: type_values[value_index],
            strength,
            ts_micros,
            days_ago: time.days_ago,
            hour: time.hour,
            minutes: time.minutes,
            repeated,
        });
    }

    Ok(Layer4 {
        interactions,
        preferences,
        favourite_hours,
    })
}

/// The quantile of the best of `draws` independent draws whose first has quantile `u`:
/// the maximum of `n` uniforms has CDF `x^n`, so `u^(1/n)` has that law. With one draw
/// it is `u` itself, bit for bit.
fn best_of(u: f64, draws: f64) -> f64 {
    if draws == 1.0 {
        u
    } else {
        u.powf(draws.recip())
    }
}

/// Index of the `nth` (from 0) set bit of `bits`, lowest first.
fn nth_set_bit(mut bits: u16, nth: u32) -> usize {
    for _ in 0..nth {
        bits &= bits - 1;
    }
    bits.trailing_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_set_bit_walks_the_set_in_order() {
        let bits = 0b1010_0110u16;
        let found: Vec<usize> = (0..bits.count_ones())
            .map(|n| nth_set_bit(bits, n))
            .collect();
        assert_eq!(found, vec![1, 2, 5, 7]);
    }

    #[test]
    fn best_of_one_is_the_draw_and_more_draws_only_raise_it() {
        assert_eq!(best_of(0.3, 1.0), 0.3);
        assert!(best_of(0.3, 3.0) > 0.3);
        assert!(best_of(0.3, 5.0) > best_of(0.3, 3.0));
        assert!((best_of(0.125, 3.0) - 0.5).abs() < 1e-12);
        assert_eq!(best_of(0.0, 9.0), 0.0);
    }

    #[test]
    fn quarters_cover_the_day() {
        let names: Vec<String> = (0..4).map(|q| HourWindow::quarter(q).to_string()).collect();
        assert_eq!(names, ["0-5", "6-11", "12-17", "18-23"]);
        assert!(HourWindow::quarter(3).contains(18) && HourWindow::quarter(3).contains(23));
        assert!(!HourWindow::quarter(3).contains(17));
    }

    #[test]
    fn hour_of_day_handles_times_before_1970() {
        assert_eq!(hour_of_day(-1), 23);
        assert_eq!(hour_of_day(3_600_000_000 * 25), 1);
    }
}
