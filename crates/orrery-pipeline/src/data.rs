//! [`PoppyData`]: the celestial part of a dataset (users, celestial items, raw events)
//! that every layer reads, whether it came from the store or from a simulation, plus the
//! planted truth when it was simulated.

use std::collections::HashMap;

use orrery_core::{EventKind, InteractionRecord, ItemRecord, Record, Timestamp};
use orrery_data::poppy::{CATEGORY_TYPES, category_item_id, values_of};
use orrery_data::simulate::Universe;

/// An item of the universe: an object (`star-001`) or a category item (`Star:G`).
#[derive(Debug, Clone, PartialEq)]
pub struct CelestialItem {
    pub id: String,
    /// `Star`, `Planet` or `Moon`.
    pub object_type: &'static str,
    /// The spectral type, planet type or moon parent.
    pub value: &'static str,
    /// Whether the item stands for a whole category (`Star:G`), as a Poppy CSV's
    /// interactions do, rather than one object.
    pub is_category: bool,
}

impl CelestialItem {
    /// The item as the universe's vocabulary reads it, or `None` when none of its
    /// categories is a celestial type with a known value.
    pub fn of(item: &ItemRecord) -> Option<CelestialItem> {
        item.categories.iter().find_map(|c| {
            let object_type = *CATEGORY_TYPES.iter().find(|t| **t == c.kind)?;
            let value = *values_of(object_type)?.iter().find(|v| **v == c.value)?;
            Some(CelestialItem {
                id: item.id.clone(),
                object_type,
                value,
                is_category: item.id == category_item_id(object_type, value),
            })
        })
    }
}

/// One raw event on a celestial item.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Index into [`PoppyData::users`].
    pub user: u32,
    /// Index into [`PoppyData::items`].
    pub item: u32,
    pub kind: EventKind,
    pub value: f32,
    pub ts: Timestamp,
}

/// What the simulator planted, to check the layers against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Planted {
    /// User id → preferred category type, for the users that have one.
    pub preferences: HashMap<String, &'static str>,
    /// Object id → popularity rank (1 = most viewed by construction).
    pub popularity: HashMap<String, u32>,
}

/// The celestial interactions a layer reads.
#[derive(Debug, Clone, Default)]
pub struct PoppyData {
    /// User ids of the users with at least one celestial event.
    pub users: Vec<String>,
    pub items: Vec<CelestialItem>,
    pub events: Vec<Event>,
    /// The planted truth, for simulated data.
    pub planted: Option<Planted>,
}

/// Collects users, celestial items and their events, dropping everything else.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    users: Vec<String>,
    user_index: HashMap<String, u32>,
    items: Vec<CelestialItem>,
    item_index: HashMap<String, u32>,
    events: Vec<Event>,
}

impl Collector {
    /// Registers an item if it is celestial.
    pub(crate) fn item(&mut self, item: &ItemRecord) {
        if let Some(celestial) = CelestialItem::of(item)
            && !self.item_index.contains_key(&celestial.id)
        {
            self.item_index
                .insert(celestial.id.clone(), self.items.len() as u32);
            self.items.push(celestial);
        }
    }

    /// Whether `id` names a celestial item registered so far.
    pub(crate) fn is_celestial(&self, id: &str) -> bool {
        self.item_index.contains_key(id)
    }

    /// Adds an event if its item is celestial.
    pub(crate) fn event(&mut self, event: &InteractionRecord) {
        let Some(&item) = self.item_index.get(&event.item) else {
            return;
        };
        let user = match self.user_index.get(&event.user) {
            Some(&u) => u,
            None => {
                let u = self.users.len() as u32;
                self.user_index.insert(event.user.clone(), u);
                self.users.push(event.user.clone());
                u
            }
        };
        self.events.push(Event {
            user,
            item,
            kind: event.kind.clone(),
            value: event.value,
            ts: event.ts,
        });
    }

    pub(crate) fn finish(self, planted: Option<Planted>) -> PoppyData {
        PoppyData {
            users: self.users,
            items: self.items,
            events: self.events,
            planted,
        }
    }
}

impl PoppyData {
    /// The celestial part of a simulated universe, read through the same records the store
    /// would hold, with its planted truth.
    pub fn from_universe(universe: &Universe) -> PoppyData {
        let mut collector = Collector::default();
        for record in universe.records() {
            match record {
                Record::Item(item) => collector.item(&item),
                Record::Interaction(event) => collector.event(&event),
                Record::User(_) => {}
            }
        }
        let planted = Planted {
            preferences: universe
                .preferences
                .iter()
                .filter_map(|(user, preferred)| preferred.map(|t| (user.to_string(), t)))
                .collect(),
            popularity: universe
                .objects
                .iter()
                .map(|o| (o.id.clone(), o.popularity_rank))
                .collect(),
        };
        collector.finish(Some(planted))
    }
}

/// User ids in natural order: numbers by value first, then the others by text.
pub(crate) fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::Category;

    #[test]
    fn celestial_items_are_read_from_their_categories() {
        let mut star = ItemRecord::with_id("star-001");
        star.categories = vec![Category::new("genre", "x"), Category::new("Star", "G")];
        let read = CelestialItem::of(&star);
        assert_eq!(
            read.as_ref().map(|c| (c.object_type, c.value)),
            Some(("Star", "G"))
        );
        assert_eq!(read.map(|c| c.is_category), Some(false));

        let mut category = ItemRecord::with_id("Moon:Jupiter");
        category.categories = vec![Category::new("Moon", "Jupiter")];
        assert_eq!(
            CelestialItem::of(&category).map(|c| c.is_category),
            Some(true)
        );

        let mut unknown = ItemRecord::with_id("planet-9");
        unknown.categories = vec![Category::new("Planet", "Hot Jupiter")];
        assert_eq!(CelestialItem::of(&unknown), None);
    }

    #[test]
    fn natural_order_puts_numbers_by_value() {
        let mut ids = vec!["10", "b", "2", "a", "1"];
        ids.sort_by(|a, b| natural_order(a, b));
        assert_eq!(ids, ["1", "2", "10", "a", "b"]);
    }
}
