//! The scale a dataset's ratings are given on, and what a rating means on it.
//!
//! Ratings come on many scales: MovieLens 0.5–5 in half stars, Ciao 0–5, Book-Crossing
//! 1–10, Jester −10..10. Everything that reads a rating as "liked" or "disliked" or turns
//! it into an implicit weight goes through [`RatingScale`], so that one rule holds on
//! every scale: on 1–5 it is the familiar one (4 and up is a like, 3 the middle).

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The lowest and highest rating a dataset allows, `low < high`, both finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingScale {
    low: f32,
    high: f32,
}

/// The share of the scale at which a rating counts as a like: 4 on 1–5.
const POSITIVE_SHARE: f32 = 0.75;

/// The top of the scale that implicit weights are expressed on: a like weighs 5.
const WEIGHT_TOP: f32 = 5.0;

impl RatingScale {
    /// Five stars in half steps, what a store with no declared scale accepts.
    pub const STARS: RatingScale = RatingScale {
        low: 0.5,
        high: 5.0,
    };

    /// A scale from `low` to `high`; both finite and `low < high`.
    pub fn new(low: f32, high: f32) -> Result<RatingScale, Error> {
        if low.is_finite() && high.is_finite() && low < high {
            Ok(RatingScale { low, high })
        } else {
            Err(Error::InvalidRatingScale(format!("{low}..{high}")))
        }
    }

    /// The scale spanned by the ratings `values` (finite values only), or `None` when
    /// they span no range (none, or all equal).
    pub fn spanning(values: impl IntoIterator<Item = f32>) -> Option<RatingScale> {
        let (low, high) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        RatingScale::new(low, high).ok()
    }

    /// The lowest rating.
    pub fn low(&self) -> f32 {
        self.low
    }

    /// The highest rating.
    pub fn high(&self) -> f32 {
        self.high
    }

    /// Whether `value` is a rating on this scale.
    pub fn contains(&self, value: f32) -> bool {
        (self.low..=self.high).contains(&value)
    }

    /// Why `rating` cannot be stored on this scale (not a finite number on it), or `None`
    /// when it can: the one wording every writer of ratings refuses with.
    pub fn refusal(&self, rating: f32) -> Option<String> {
        (!(rating.is_finite() && self.contains(rating))).then(|| {
            format!(
                "{rating} is not a rating from {} to {}",
                self.low, self.high
            )
        })
    }

    /// The smallest scale holding both this one and `other`.
    pub fn covering(&self, other: &RatingScale) -> RatingScale {
        RatingScale {
            low: self.low.min(other.low),
            high: self.high.max(other.high),
        }
    }

    /// Where `value` lies on the scale, 0 at the bottom and 1 at the top.
    pub fn share(&self, value: f32) -> f32 {
        (value - self.low) / (self.high - self.low)
    }

    /// The lowest rating that counts as a like: three quarters up the scale (4 on 1–5,
    /// 7.75 on 1–10, 5 on −10..10).
    pub fn positive_threshold(&self) -> f32 {
        self.low + POSITIVE_SHARE * (self.high - self.low)
    }

    /// Whether `rating` counts as a like.
    pub fn is_positive(&self, rating: f32) -> bool {
        rating >= self.positive_threshold()
    }

    /// How much a rating says the user liked the item, in [-1, 1]: its distance from the
    /// middle of the scale, in half-ranges ((r − 3) / 2 on 1–5).
    pub fn affinity(&self, rating: f32) -> f32 {
        (2.0 * self.share(rating) - 1.0).clamp(-1.0, 1.0)
    }

    /// A rating as an implicit weight on 0–5, the range the other kinds' weights live
    /// on (a like weighs 5): the rating times 5 / top on a scale that starts at 0 or
    /// above, so that MovieLens and other star ratings weigh their value; a scale that
    /// goes below 0 is first shifted to start at 0, so that no rating weighs less than
    /// nothing.
    pub fn weight(&self, rating: f32) -> f32 {
        let floor = self.low.min(0.0);
        WEIGHT_TOP * (rating - floor) / (self.high - floor)
    }
}

impl Default for RatingScale {
    fn default() -> Self {
        RatingScale::STARS
    }
}

impl fmt::Display for RatingScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.low, self.high)
    }
}

impl FromStr for RatingScale {
    type Err = Error;

    /// `LO..HI`, as `1..10` or `-10..10` (spaces allowed around the numbers).
    fn from_str(text: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidRatingScale(text.to_owned());
        let (low, high) = text.split_once("..").ok_or_else(invalid)?;
        let low = low.trim().parse::<f32>().map_err(|_| invalid())?;
        let high = high.trim().parse::<f32>().map_err(|_| invalid())?;
        RatingScale::new(low, high).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(text: &str) -> RatingScale {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_lo_dot_dot_hi() {
        assert_eq!(scale("1..10"), RatingScale::new(1.0, 10.0).unwrap());
        assert_eq!(scale(" -10 .. 10 ").to_string(), "-10..10");
        assert_eq!(scale("0.5..5").to_string(), "0.5..5");
        for bad in ["5..1", "3..3", "1-10", "..5", "a..b", "1..inf", "NaN..2"] {
            assert_eq!(
                bad.parse::<RatingScale>(),
                Err(Error::InvalidRatingScale(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn on_one_to_five_the_familiar_rules_hold() {
        let stars = scale("1..5");
        assert_eq!(stars.positive_threshold(), 4.0);
        assert!(stars.is_positive(4.0) && !stars.is_positive(3.5));
        assert_eq!(
            [1.0, 2.0, 3.0, 4.0, 5.0].map(|r| stars.affinity(r)),
            [-1.0, -0.5, 0.0, 0.5, 1.0]
        );
        // Star ratings weigh their value, as before scales existed.
        assert_eq!(stars.weight(4.0), 4.0);
        assert_eq!(RatingScale::STARS.weight(0.5), 0.5);
        assert_eq!(scale("0..5").weight(3.0), 3.0);
    }

    #[test]
    fn other_scales_map_to_the_same_meaning() {
        let ten = scale("1..10");
        assert_eq!(ten.positive_threshold(), 7.75);
        assert_eq!(ten.weight(10.0), 5.0);
        let jester = scale("-10..10");
        assert_eq!(jester.positive_threshold(), 5.0);
        assert_eq!((jester.weight(-10.0), jester.weight(10.0)), (0.0, 5.0));
        assert_eq!(jester.affinity(0.0), 0.0);
        // Ciao's 0–5: a 0 is the strongest dislike, 4 and up a like.
        let ciao = scale("0..5");
        assert_eq!(ciao.affinity(0.0), -1.0);
        assert!(ciao.is_positive(4.0) && !ciao.is_positive(3.0));
    }

    #[test]
    fn a_refusal_names_the_value_and_the_scale() {
        let ten = scale("1..10");
        assert_eq!(ten.refusal(7.5), None);
        assert_eq!(
            ten.refusal(11.0).as_deref(),
            Some("11 is not a rating from 1 to 10")
        );
        assert!(ten.refusal(f32::NAN).is_some());
    }

    #[test]
    fn spanning_and_covering() {
        assert_eq!(
            RatingScale::spanning([3.0, f32::NAN, 0.0, 5.0]),
            Some(scale("0..5"))
        );
        assert_eq!(RatingScale::spanning([4.0, 4.0]), None);
        assert_eq!(RatingScale::spanning([]), None);
        assert_eq!(scale("1..5").covering(&scale("0..4")), scale("0..5"));
    }
}
