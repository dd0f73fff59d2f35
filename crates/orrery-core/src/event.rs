//! What an interaction is ([`EventKind`]) and how much it weighs for implicit models
//! ([`EventWeights`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The kind of a user–item interaction.
///
/// The named kinds are those the seeds use; anything else is [`EventKind::Custom`], so a
/// deployment can log its own events (`share`, `add_to_cart`, …) and give them weights.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// The item was shown and looked at.
    View,
    /// The item was clicked.
    Click,
    /// An explicit like (or positive feedback).
    Like,
    /// Bookmarked / favorited.
    Favorite,
    /// Skipped or dismissed (negative feedback).
    Skip,
    /// Time spent on the item; the value is seconds.
    ViewTime,
    /// An explicit rating; the value is 1–5, halves allowed.
    Rating,
    /// Interaction strength 1–5 (the Poppy Universe Layer 4 target).
    Strength,
    /// Listening or playing; the value is the play count.
    Play,
    /// A purchase.
    Purchase,
    /// Any other named event.
    Custom(String),
}

impl EventKind {
    /// The canonical lowercase name, as stored and as accepted by the API.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::View => "view",
            EventKind::Click => "click",
            EventKind::Like => "like",
            EventKind::Favorite => "favorite",
            EventKind::Skip => "skip",
            EventKind::ViewTime => "view_time",
            EventKind::Rating => "rating",
            EventKind::Strength => "strength",
            EventKind::Play => "play",
            EventKind::Purchase => "purchase",
            EventKind::Custom(name) => name,
        }
    }

    /// Whether the event's value is an explicit grade on a scale (rating, strength), as
    /// opposed to an implicit signal. Explicit models train on these values.
    pub fn is_explicit(&self) -> bool {
        matches!(self, EventKind::Rating | EventKind::Strength)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        Ok(match lower.as_str() {
            "view" => EventKind::View,
            "click" => EventKind::Click,
            "like" => EventKind::Like,
            "favorite" | "favourite" => EventKind::Favorite,
            "skip" => EventKind::Skip,
            "view_time" | "viewtime" => EventKind::ViewTime,
            "rating" => EventKind::Rating,
            "strength" => EventKind::Strength,
            "play" => EventKind::Play,
            "purchase" => EventKind::Purchase,
            _ => {
                let valid = !lower.is_empty()
                    && lower.len() <= 64
                    && lower
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !valid {
                    return Err(Error::InvalidEventKind(s.to_owned()));
                }
                EventKind::Custom(lower)
            }
        })
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How an event's value becomes a weight for implicit models.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightRule {
    /// A fixed weight, whatever the value.
    Fixed(f32),
    /// The value itself (ratings, strengths).
    Value,
    /// `ln(1 + value)`, for counts with a long tail (plays).
    Log1p,
}

impl WeightRule {
    /// The weight of one event with this `value`.
    pub fn apply(self, value: f32) -> f32 {
        match self {
            WeightRule::Fixed(w) => w,
            WeightRule::Value => value,
            WeightRule::Log1p => value.max(0.0).ln_1p(),
        }
    }
}

impl FromStr for WeightRule {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "value" => Ok(WeightRule::Value),
            "log1p" => Ok(WeightRule::Log1p),
            other => other
                .parse::<f32>()
                .ok()
                .filter(|w| w.is_finite())
                .map(WeightRule::Fixed)
                .ok_or_else(|| Error::InvalidWeightRule(s.to_owned())),
        }
    }
}

impl fmt::Display for WeightRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightRule::Fixed(w) => write!(f, "{w}"),
            WeightRule::Value => f.write_str("value"),
            WeightRule::Log1p => f.write_str("log1p"),
        }
    }
}

/// The weight of every event kind, for implicit-feedback models.
///
/// Defaults follow the seeds: like 5, favorite 5, click 2, view 1, view_time 1, skip −1,
/// purchase 5, rating and strength their value, play `ln(1 + count)`; custom kinds weigh 1
/// unless configured.
#[derive(Debug, Clone, PartialEq)]
pub struct EventWeights {
    rules: BTreeMap<String, WeightRule>,
    custom_default: WeightRule,
}

impl Default for EventWeights {
    fn default() -> Self {
        let rules = [
            ("view", WeightRule::Fixed(1.0)),
            ("click", WeightRule::Fixed(2.0)),
            ("like", WeightRule::Fixed(5.0)),
            ("favorite", WeightRule::Fixed(5.0)),
            ("skip", WeightRule::Fixed(-1.0)),
            ("view_time", WeightRule::Fixed(1.0)),
            ("rating", WeightRule::Value),
            ("strength", WeightRule::Value),
            ("play", WeightRule::Log1p),
            ("purchase", WeightRule::Fixed(5.0)),
        ]
        .into_iter()
        .map(|(k, r)| (k.to_owned(), r))
        .collect();
        Self {
            rules,
            custom_default: WeightRule::Fixed(1.0),
        }
    }
}

impl EventWeights {
    /// Sets the rule of one kind.
    pub fn set(&mut self, kind: &EventKind, rule: WeightRule) {
        self.rules.insert(kind.as_str().to_owned(), rule);
    }

    /// The rule of one kind.
    pub fn rule(&self, kind: &EventKind) -> WeightRule {
        self.rules
            .get(kind.as_str())
            .copied()
            .unwrap_or(self.custom_default)
    }

    /// The weight of one event.
    pub fn weight(&self, kind: &EventKind, value: f32) -> f32 {
        self.rule(kind).apply(value)
    }

    /// Applies overrides written as `kind=rule` pairs separated by commas, e.g.
    /// `like=4,play=log1p,share=3`.
    pub fn apply_overrides(&mut self, spec: &str) -> Result<(), Error> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, rule) = pair
                .split_once('=')
                .ok_or_else(|| Error::InvalidWeightRule(pair.to_owned()))?;
            let kind: EventKind = kind.parse()?;
            self.set(&kind, rule.parse()?);
        }
        Ok(())
    }

    /// All configured rules, by kind name.
    pub fn rules(&self) -> impl Iterator<Item = (&str, WeightRule)> {
        self.rules.iter().map(|(k, r)| (k.as_str(), *r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "view",
            "click",
            "like",
            "favorite",
            "skip",
            "view_time",
            "rating",
            "strength",
            "play",
            "purchase",
            "share",
        ] {
            let kind: EventKind = name.parse().unwrap();
            assert_eq!(kind.as_str(), name);
        }
        assert_eq!("LIKE".parse::<EventKind>().unwrap(), EventKind::Like);
        assert!("".parse::<EventKind>().is_err());
        assert!("drop table;".parse::<EventKind>().is_err());
    }

    #[test]
    fn default_weights_follow_the_seeds() {
        let w = EventWeights::default();
        assert_eq!(w.weight(&EventKind::Like, 0.0), 5.0);
        assert_eq!(w.weight(&EventKind::Click, 0.0), 2.0);
        assert_eq!(w.weight(&EventKind::ViewTime, 120.0), 1.0);
        assert_eq!(w.weight(&EventKind::Skip, 0.0), -1.0);
        assert_eq!(w.weight(&EventKind::Favorite, 0.0), 5.0);
        assert_eq!(w.weight(&EventKind::View, 0.0), 1.0);
        assert_eq!(w.weight(&EventKind::Rating, 3.5), 3.5);
        assert!((w.weight(&EventKind::Play, 9.0) - 10f32.ln()).abs() < 1e-6);
        assert_eq!(w.weight(&EventKind::Custom("share".into()), 0.0), 1.0);
    }

    #[test]
    fn overrides_apply_and_reject_garbage() {
        let mut w = EventWeights::default();
        w.apply_overrides("like=4, share=3,play=value").unwrap();
        assert_eq!(w.weight(&EventKind::Like, 0.0), 4.0);
        assert_eq!(w.weight(&EventKind::Custom("share".into()), 0.0), 3.0);
        assert_eq!(w.weight(&EventKind::Play, 7.0), 7.0);
        assert!(w.apply_overrides("like").is_err());
        assert!(w.apply_overrides("like=lots").is_err());
    }
}
