//! What the simulator draws and with which probabilities: [`UniverseConfig`] (the Layer 4
//! category interactions), [`ObjectConfig`] (the Layer 2 celestial catalog and its
//! views, clicks and favorites), their defaults (the seed's values) and their validation.

use super::SimulateError;

/// The seed's hour-of-day weights: 0.02 for hours 0–5, 0.04 for 6–11, 0.07 for 12–17 and
/// 0.12 for 18–23, normalized (they sum to 1.5).
pub const SEED_HOUR_PROBS: [f64; 24] = {
    let mut probs = [0.0; 24];
    let mut hour = 0;
    while hour < 24 {
        let weight = match hour / 6 {
            0 => 0.02,
            1 => 0.04,
            2 => 0.07,
            _ => 0.12,
        };
        probs[hour] = weight / 1.5;
        hour += 1;
    }
    probs
};

/// 2026-01-01T00:00:00Z, the default reference time: a fixed instant, so that the same
/// seed gives the same bytes whenever it runs.
pub const DEFAULT_NOW: i64 = 1_767_225_600;

/// How many extra "ordinary draws" a preferred-type interaction gets per unit of strength
/// signal (see [`UniverseConfig::strength_signal`]).
pub const PREFERRED_TYPE_DRAWS: f64 = 8.0;

/// How many extra "ordinary draws" an interaction in the user's favourite hours gets per
/// unit of strength signal (see [`UniverseConfig::strength_signal`]).
pub const FAVOURITE_HOURS_DRAWS: f64 = 4.0;

/// The help text of `orrery simulate --strength-signal`.
pub const STRENGTH_SIGNAL_HELP: &str = "How much a user's strengths depend on who they are \
and when they interact, S in [0, 1]. Default 0: the Poppy Universe's original behaviour, where strength is drawn \
from the strength distribution independently of everything, so there is nothing to learn in \
it. Each user gets a favourite quarter of the day (hours 0-5, 6-11, 12-17 or 18-23, read as \
the UTC hour of the Timestamp column). With S > 0 an interaction's strength is distributed \
as the best of n ordinary draws, n = 1 + 8S if its category type is the user's preferred \
type, plus 4S if its timestamp falls in the user's favourite hours (a fractional n \
interpolates between whole ones). At S = 0.5 a preferred-type interaction is a 5 with \
probability 76% instead of 25%, one in the favourite hours with probability 58%. Nothing \
else depends on S: the same seed gives the same users, categories and timestamps, and no \
strength is lower than at S = 0. The planted truth (preferred type and favourite hours of \
every user) is written to planted_preferences.csv.";

/// The Poppy Universe to simulate. [`Default`] is the seed generator's configuration
/// (`poppy-universe-layer4-data`), with a fixed reference time.
#[derive(Debug, Clone, PartialEq)]
pub struct UniverseConfig {
    /// Number of users, ids `1..=users`.
    pub users: u32,
    /// Number of category interactions (Layer 4 rows).
    pub interactions: u32,
    /// Probability of each category type of [`CATEGORY_TYPES`](crate::poppy::CATEGORY_TYPES)
    /// in the ordinary draw.
    pub category_weights: [f64; 3],
    /// Share of users with a preferred category type, chosen uniformly among the three.
    pub preference_share: f64,
    /// Probability that a user with a preference picks the preferred type outright; the
    /// rest of the time the type comes from the ordinary weighted draw.
    pub preference_pick: f64,
    /// When the user has already seen values of the chosen type, the probability of
    /// repeating one of them (uniformly over the seen set); otherwise a value is drawn
    /// uniformly and remembered.
    pub repeat_prob: f64,
    /// Probabilities of strengths 1..=5 in the ordinary draw.
    pub strength_probs: [f64; 5],
    /// Mean of the exponential distribution of days ago.
    pub days_scale: f64,
    /// Days ago never exceeds this: `days_ago = min(Exp(mean days_scale), days_cap)`.
    pub days_cap: f64,
    /// Probabilities of the drawn hours 0..=23.
    pub hour_probs: [f64; 24],
    /// How strongly strength depends on the user, S in `[0, 1]`.
    ///
    /// At 0 (the default, the seed's behaviour) the strength is an ordinary draw from
    /// [`strength_probs`](Self::strength_probs), independent of everything else. Each
    /// user has a favourite quarter of the day ([`HourWindow`](super::HourWindow)), in the
    /// UTC hour of the interaction's timestamp. With S > 0 the strength is distributed as
    /// the best of `n = 1 + 8·S·[type is the user's preferred type] + 4·S·[timestamp in the
    /// user's favourite hours]` ordinary draws: the ordinary draw's uniform quantile `u`
    /// becomes `u^(1/n)`, which is exactly that distribution for whole `n` and
    /// interpolates between them. It uses no extra random numbers, so S changes nothing
    /// but the strengths, and each strength only rises with S.
    ///
    /// Why the timestamp's hour and not the drawn hour: the seed subtracts the drawn hour
    /// *and* a fractional number of days from the reference time, so the drawn hour
    /// leaves no trace in the timestamp (its hour of day is close to uniform whatever the
    /// drawn hour). A signal keyed on the drawn hour could not be found by any model.
    pub strength_signal: f64,
    /// The celestial catalog and its object-level events (Layer 2).
    pub objects: ObjectConfig,
    /// Seed of every random draw.
    pub seed: u64,
    /// Reference time in Unix seconds; timestamps lie up to `days_cap` days and a day
    /// before it.
    pub now: i64,
}

impl Default for UniverseConfig {
    fn default() -> Self {
        Self {
            users: 120,
            interactions: 12_000,
            category_weights: [0.4, 0.4, 0.2],
            preference_share: 0.40,
            preference_pick: 0.45,
            repeat_prob: 0.33,
            strength_probs: [0.10, 0.15, 0.25, 0.25, 0.25],
            days_scale: 14.0,
            days_cap: 60.0,
            hour_probs: SEED_HOUR_PROBS,
            strength_signal: 0.0,
            objects: ObjectConfig::default(),
            seed: 42,
            now: DEFAULT_NOW,
        }
    }
}

/// The celestial catalog (stars, planets and moons with their category values) and the
/// object-level events of Layer 2.
///
/// Events come as a funnel: a user views an object; a view leads to a click with
/// probability [`click_given_view`](Self::click_given_view), and a click to a favorite
/// with probability [`favorite_given_click`](Self::favorite_given_click). With the
/// defaults, views, clicks and favorites are 1 : 0.2 : 0.05, i.e. 80.0 %, 16.0 % and
/// 4.0 % of the events. Which object is viewed follows a Zipf law: the object of
/// popularity rank `r` (a random permutation of the catalog) has weight
/// `1 / r^popularity_exponent`. Users with a preferred category type (the same users
/// and types as in Layer 4) view an object of that type with probability
/// [`UniverseConfig::preference_pick`] (by the same Zipf weights within the type), and
/// otherwise draw from the whole catalog. View times follow the Layer 4 timestamp rule;
/// a click or favorite follows its view or click by 1 to 120 seconds (never past the
/// reference time).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectConfig {
    /// Number of stars; their spectral types lean toward K and M (see the catalog).
    pub stars: u32,
    /// Number of planets.
    pub planets: u32,
    /// Number of moons; their parents follow the known moon counts of each body.
    pub moons: u32,
    /// Number of object events (views, clicks and favorites together); 0 for none.
    pub events: u32,
    /// Zipf exponent of object popularity; 0 makes every object equally popular.
    pub popularity_exponent: f64,
    /// Probability that a view leads to a click.
    pub click_given_view: f64,
    /// Probability that a click leads to a favorite.
    pub favorite_given_click: f64,
}

impl Default for ObjectConfig {
    fn default() -> Self {
        Self {
            stars: 70,
            planets: 40,
            moons: 50,
            events: 20_000,
            popularity_exponent: 1.0,
            click_given_view: 0.2,
            favorite_given_click: 0.25,
        }
    }
}

/// Largest number of users: per-user memory is kept for all of them at once.
pub const MAX_USERS: u32 = 10_000_000;

/// Largest number of catalog objects.
pub const MAX_OBJECTS: u32 = 1_000_000;

/// How far probabilities may sum from 1 (rounding in hand-typed values).
const SUM_TOLERANCE: f64 = 1e-6;

impl UniverseConfig {
    /// Checks every field; the error names the first field that is out of range and says
    /// what it must be.
    pub fn validate(&self) -> Result<(), SimulateError> {
        if self.users == 0 || self.users > MAX_USERS {
            return Err(invalid(
                "users",
                format!("must be between 1 and {MAX_USERS}, got {}", self.users),
            ));
        }
        if self.interactions == 0 {
            return Err(invalid("interactions", "must be at least 1, got 0".into()));
        }
        distribution("category_weights", &self.category_weights)?;
        probability("preference_share", self.preference_share)?;
        probability("preference_pick", self.preference_pick)?;
        probability("repeat_prob", self.repeat_prob)?;
        distribution("strength_probs", &self.strength_probs)?;
        positive("days_scale", self.days_scale)?;
        positive("days_cap", self.days_cap)?;
        distribution("hour_probs", &self.hour_probs)?;
        if !(0.0..=1.0).contains(&self.strength_signal) {
            return Err(invalid(
                "strength_signal",
                format!(
                    "must be between 0 and 1 (0 = strengths independent of everything), got {}",
                    self.strength_signal
                ),
            ));
        }
        self.validate_time()?;
        self.objects.validate()
    }

    /// The reference time and the oldest possible timestamp must both be dates chrono can
    /// print.
    fn validate_time(&self) -> Result<(), SimulateError> {
        // Oldest: days_cap days, 23 hours and 59 minutes before now.
        let oldest_offset = (self.days_cap + 1.0) * 86_400.0;
        let representable = |seconds: f64| {
            seconds.is_finite()
                && seconds.abs() < 8.0e12
                && chrono::DateTime::from_timestamp(seconds as i64, 0).is_some()
        };
        if !representable(self.now as f64) || !representable(self.now as f64 - oldest_offset) {
            return Err(invalid(
                "now",
                format!(
                    "{} Unix seconds, minus up to {} days, is outside the dates that can be \
                     written; use a reference time between years 1 and 9999",
                    self.now, self.days_cap
                ),
            ));
        }
        Ok(())
    }
}

impl ObjectConfig {
    /// Checks every field; the error names the first field that is out of range.
    pub fn validate(&self) -> Result<(), SimulateError> {
        let total = u64::from(self.stars) + u64::from(self.planets) + u64::from(self.moons);
        if total > u64::from(MAX_OBJECTS) {
            return Err(invalid(
                "objects",
                format!("stars + planets + moons must be at most {MAX_OBJECTS}, got {total}"),
            ));
        }
        if total == 0 && self.events > 0 {
            return Err(invalid(
                "objects.events",
                format!(
                    "{} object events need at least one star, planet or moon; set events to \
                     0 to simulate no object events",
                    self.events
                ),
            ));
        }
        if !(self.popularity_exponent.is_finite() && self.popularity_exponent >= 0.0) {
            return Err(invalid(
                "objects.popularity_exponent",
                format!(
                    "must be a number >= 0 (0 = uniform, 1 = Zipf), got {}",
                    self.popularity_exponent
                ),
            ));
        }
        probability("objects.click_given_view", self.click_given_view)?;
        probability("objects.favorite_given_click", self.favorite_given_click)
    }

    /// Number of catalog objects.
    pub fn total_objects(&self) -> u32 {
        self.stars + self.planets + self.moons
    }
}

fn invalid(field: &'static str, message: String) -> SimulateError {
    SimulateError::InvalidConfig { field, message }
}

fn probability(field: &'static str, value: f64) -> Result<(), SimulateError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("is a probability and must be between 0 and 1, got {value}"),
        ))
    }
}

fn positive(field: &'static str, value: f64) -> Result<(), SimulateError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be a finite number of days > 0, got {value}"),
        ))
    }
}

fn distribution(field: &'static str, probs: &[f64]) -> Result<(), SimulateError> {
    if let Some((index, value)) = probs
        .iter()
        .enumerate()
        .find(|(_, p)| !(0.0..=1.0).contains(*p))
    {
        return Err(invalid(
            field,
            format!("entry {index} is {value}; each probability must be between 0 and 1"),
        ));
    }
    let sum: f64 = probs.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        // Rounded, so that 0.4 + 0.3 + 0.2 reads as 0.9 rather than 0.8999999999999999.
        let shown = (sum * 1e9).round() / 1e9;
        return Err(invalid(
            field,
            format!(
                "the {} probabilities sum to {shown}; they must sum to 1",
                probs.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_hour_probs_are_the_seeds_normalized_weights() {
        let sum: f64 = SEED_HOUR_PROBS.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!((SEED_HOUR_PROBS[0] - 0.02 / 1.5).abs() < 1e-15);
        assert!((SEED_HOUR_PROBS[11] - 0.04 / 1.5).abs() < 1e-15);
        assert!((SEED_HOUR_PROBS[12] - 0.07 / 1.5).abs() < 1e-15);
        assert!((SEED_HOUR_PROBS[23] - 0.12 / 1.5).abs() < 1e-15);
    }

    #[test]
    fn default_now_is_new_year_2026() {
        let now = chrono::DateTime::from_timestamp(DEFAULT_NOW, 0).map(|t| t.to_rfc3339());
        assert_eq!(now.as_deref(), Some("2026-01-01T00:00:00+00:00"));
    }

    #[test]
    fn the_default_is_valid() {
        assert!(UniverseConfig::default().validate().is_ok());
    }
}
