//! [`KindSet`]: which kinds of event a user–item cell was made of, kept beside the merged
//! value so that a rule such as "a viewed item may come back, a purchased one not" can
//! be applied after events are merged, the same way to a served history and to an
//! evaluation's training split.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::EventKind;

/// A set of event kinds: one bit per named kind, and one bit shared by every custom
/// kind (a deployment's own names are few and rarely need telling apart here; a bit
/// each would make the set as large as the names a store ever saw).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KindSet(u16);

/// The named kinds in bit order; the custom bit follows them.
const NAMED: [EventKind; 10] = [
    EventKind::View,
    EventKind::Click,
    EventKind::Like,
    EventKind::Favorite,
    EventKind::Skip,
    EventKind::ViewTime,
    EventKind::Rating,
    EventKind::Strength,
    EventKind::Play,
    EventKind::Purchase,
];

/// The bit every custom kind sets.
const CUSTOM: usize = NAMED.len();

impl KindSet {
    /// No kind.
    pub const EMPTY: KindSet = KindSet(0);
    /// Every kind, custom ones included.
    pub const ALL: KindSet = KindSet((1 << (CUSTOM + 1)) - 1);

    /// The set holding `kind` alone.
    pub fn of(kind: &EventKind) -> KindSet {
        let bit = NAMED.iter().position(|k| k == kind).unwrap_or(CUSTOM);
        KindSet(1 << bit)
    }

    /// The kinds of either set.
    pub fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    /// Whether the sets share a kind.
    pub fn intersects(self, other: KindSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The kinds' names (`custom` for the custom bit), in bit order.
    pub fn names(self) -> Vec<&'static str> {
        NAMED
            .iter()
            .map(EventKind::as_str)
            .chain(["custom"])
            .enumerate()
            .filter(|&(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| name)
            .collect()
    }
}

/// Written as the list of the kinds' names, e.g. `["like", "rating"]`.
impl Serialize for KindSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

/// Read from a list of kind names; any name that is not a named kind (`custom`, or a
/// deployment's own) stands for every custom kind.
impl<'de> Deserialize<'de> for KindSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        let mut set = KindSet::EMPTY;
        for name in &names {
            let kind: EventKind = name.parse().map_err(serde::de::Error::custom)?;
            set = set.union(KindSet::of(&kind));
        }
        Ok(set)
    }
}

impl fmt::Display for KindSet {
    /// The kinds' names joined by commas (`custom` for the custom bit).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart_and_custom_ones_share_a_bit() {
        let viewed = KindSet::of(&EventKind::View);
        let bought = KindSet::of(&EventKind::Purchase);
        assert!(!viewed.intersects(bought));
        let both = viewed.union(bought);
        assert!(both.intersects(bought) && both.intersects(viewed));
        assert_eq!(both.to_string(), "view,purchase");
        let share = KindSet::of(&EventKind::Custom("share".into()));
        let cart = KindSet::of(&EventKind::Custom("add_to_cart".into()));
        assert_eq!(share, cart);
        assert_eq!(share.to_string(), "custom");
        assert!(KindSet::ALL.intersects(share) && KindSet::ALL.intersects(bought));
        assert!(!KindSet::EMPTY.intersects(KindSet::ALL));
        assert_eq!(
            KindSet::of(&EventKind::Rating)
                .union(KindSet::of(&EventKind::Like))
                .to_string(),
            "like,rating"
        );
    }

    #[test]
    fn sets_are_read_and_written_as_lists_of_names() {
        let set: KindSet = serde_json::from_str(r#"["purchase", "rating", "share"]"#).unwrap();
        assert_eq!(set.to_string(), "rating,purchase,custom");
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["rating","purchase","custom"]"#
        );
        let all: KindSet =
            serde_json::from_str(&serde_json::to_string(&KindSet::ALL).unwrap()).unwrap();
        assert_eq!(all, KindSet::ALL);
        assert!(serde_json::from_str::<KindSet>(r#"["bad name!"]"#).is_err());
    }
}
