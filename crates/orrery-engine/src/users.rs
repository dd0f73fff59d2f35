//! What the engine knows of one user while serving: the stored record and the
//! interactions merged per item the way a training snapshot merges them, so that a
//! representation folded in from this history matches what training would have seen.

use std::sync::{Arc, Mutex, Weak};

use orrery_core::{
    EventWeights, IdMap, InteractionRecord, ItemIdx, KindSet, RatingScale, Row, UserRecord,
};
use orrery_models::UserRepr;

use crate::catalog::Catalog;
use crate::content::ContentState;
use crate::rank::Profile;

/// One item of a user's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryCell {
    /// The item id.
    pub item: String,
    /// The latest explicit value (rating, strength) if there is one, else the sum of the
    /// implicit weights: the value a snapshot gives the cell.
    pub value: f32,
    /// Whether `value` is an explicit grade.
    pub explicit: bool,
    /// When the user last interacted with the item (Unix seconds).
    pub latest: i64,
    /// The kinds of the user's events on the item.
    pub kinds: KindSet,
}

impl HistoryCell {
    /// How much the user liked the item, in [-1, 1]: a rating's distance from the middle of
    /// `scale` (see [`RatingScale::affinity`]), an implicit weight relative to a like (5).
    pub fn affinity(&self, scale: &RatingScale) -> f32 {
        if self.explicit {
            scale.affinity(self.value)
        } else {
            (self.value / 5.0).clamp(-1.0, 1.0)
        }
    }

    /// Whether the user liked the item (see [`crate::catalog::is_positive`]).
    pub fn is_positive(&self, scale: &RatingScale) -> bool {
        if self.explicit {
            scale.is_positive(self.value)
        } else {
            self.value > 0.0
        }
    }
}

/// A user as the engine serves them.
#[derive(Debug)]
pub struct UserView {
    /// The stored record (interests, demographics).
    pub record: UserRecord,
    /// Number of stored interactions (events, not items).
    pub interactions: usize,
    /// Interactions merged per item, in order of each item's latest interaction (oldest
    /// first), the order [`orrery_models::Recommender::fold_in`] reads recency from.
    pub history: Vec<HistoryCell>,
    /// The representation for one model version, computed on first use.
    pub(crate) repr: Mutex<Option<(i64, Arc<UserRepr>)>>,
    /// The history placed in one catalog, computed on first use: every list ranked for the
    /// user needs it, and looking the items up by id costs more than the rest of masking.
    placed: Mutex<Option<Placed>>,
    /// What the flow's sources proposed for the user's last unfiltered list.
    pub(crate) sources: crate::flow::SourceCache,
}

/// A user's history in one catalog's slots, and the content profile made from it.
#[derive(Debug)]
struct Placed {
    catalog: Weak<Catalog>,
    /// (slot, affinity in [-1, 1]) of every history item the catalog holds, oldest first.
    cells: Arc<Vec<(ItemIdx, f32)>>,
    /// The token profile over this catalog, computed on first use.
    tokens: Option<Arc<Profile>>,
    profile: Option<CachedProfile>,
    /// The slots counted as seen under a set of kinds, computed on first use.
    seen: Option<(KindSet, Arc<Vec<ItemIdx>>)>,
}

/// The content profile for one version of the catalog's vectors, with or without the
/// encoded interests.
#[derive(Debug)]
struct CachedProfile {
    version: u64,
    with_interests: bool,
    /// `None`: the user has no content profile.
    profile: Option<Arc<Vec<f32>>>,
}

impl UserView {
    /// The view of `record` with its stored `events` (oldest first).
    pub fn new(record: UserRecord, events: &[InteractionRecord], weights: &EventWeights) -> Self {
        Self::merged(record, events.len(), merge_history(events, weights))
    }

    /// The view of `record` whose `interactions` events merge into `history`.
    pub fn merged(record: UserRecord, interactions: usize, history: Vec<HistoryCell>) -> Self {
        UserView {
            record,
            interactions,
            history,
            repr: Mutex::new(None),
            sources: Default::default(),
            placed: Mutex::new(None),
        }
    }

    /// The history's (slot, affinity) cells in `catalog`, oldest first.
    pub fn cells(&self, catalog: &Arc<Catalog>) -> Arc<Vec<(ItemIdx, f32)>> {
        let mut placed = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = placed.as_ref()
            && std::ptr::eq(p.catalog.as_ptr(), Arc::as_ptr(catalog))
        {
            return p.cells.clone();
        }
        let cells = Arc::new(place(catalog, &self.history));
        *placed = Some(Placed {
            catalog: Arc::downgrade(catalog),
            cells: cells.clone(),
            tokens: None,
            profile: None,
            seen: None,
        });
        cells
    }

    /// The slots of the history's items seen under `exclude` (see [`seen_slots`]), kept
    /// with the placed history: a request would otherwise look every item up again.
    pub fn seen_slots(&self, catalog: &Arc<Catalog>, exclude: KindSet) -> Arc<Vec<ItemIdx>> {
        let cells = self.cells(catalog);
        let mut placed = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = placed.as_ref()
            && Arc::ptr_eq(&p.cells, &cells)
            && let Some((kinds, seen)) = &p.seen
            && *kinds == exclude
        {
            return seen.clone();
        }
        let seen = Arc::new(seen_slots(catalog, &self.history, exclude));
        if let Some(p) = placed.as_mut()
            && Arc::ptr_eq(&p.cells, &cells)
        {
            p.seen = Some((exclude, seen.clone()));
        }
        seen
    }

    /// The user's token profile (stated interests and history over `catalog`'s categories
    /// and tags), computed once per catalog.
    pub fn tokens(&self, catalog: &Arc<Catalog>) -> Arc<Profile> {
        let cells = self.cells(catalog);
        let mut placed = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = placed.as_ref()
            && Arc::ptr_eq(&p.cells, &cells)
            && let Some(tokens) = &p.tokens
        {
            return tokens.clone();
        }
        let tokens = Arc::new(Profile::new(catalog, &self.record.interests, &cells));
        if let Some(p) = placed.as_mut()
            && Arc::ptr_eq(&p.cells, &cells)
        {
            p.tokens = Some(tokens.clone());
        }
        tokens
    }

    /// The user's content profile under `state` (history and stated interests, `encoded`
    /// by the items' encoder), computed once per catalog and version of the vectors. With
    /// a `half_life_days` above 0, an interaction that many days older than the user's
    /// newest counts half (an engine setting, so the same for every call).
    pub fn content_profile(
        &self,
        state: &ContentState,
        encoded: Option<&[f32]>,
        half_life_days: f64,
    ) -> Option<Arc<Vec<f32>>> {
        let cells = self.cells(state.catalog());
        let key = (state.version(), encoded.is_some());
        {
            let placed = self.placed.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(Placed {
                profile: Some(cached),
                ..
            }) = placed.as_ref()
                && (cached.version, cached.with_interests) == key
            {
                return cached.profile.clone();
            }
        }
        let profile = if half_life_days > 0.0 {
            let decayed = self.decayed(state.catalog(), half_life_days);
            state.profile(&decayed, &self.record.interests, encoded)
        } else {
            state.profile(&cells, &self.record.interests, encoded)
        }
        .map(Arc::new);
        let mut placed = self.placed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = placed.as_mut()
            && Arc::ptr_eq(&p.cells, &cells)
        {
            p.profile = Some(CachedProfile {
                version: key.0,
                with_interests: key.1,
                profile: profile.clone(),
            });
        }
        profile
    }

    /// The history's cells in `catalog` with each affinity times `0.5^(age / half_life)`,
    /// ages in days from the newest interaction (as the offline content model decays).
    fn decayed(&self, catalog: &Catalog, half_life_days: f64) -> Vec<(ItemIdx, f32)> {
        let newest = self.history.iter().map(|c| c.latest).max().unwrap_or(0);
        place_weighted(catalog, &self.history, |c| {
            let age_days = (newest - c.latest).max(0) as f64 / 86_400.0;
            c.affinity(catalog.rating_scale()) * 0.5f64.powf(age_days / half_life_days) as f32
        })
    }

    /// The items the user interacted with.
    pub fn seen(&self) -> impl Iterator<Item = &str> {
        self.history.iter().map(|c| c.item.as_str())
    }
}

/// The catalog slots of the history's items that count as seen: those with an event of a
/// kind in `exclude` (`[flow] exclude_seen`), never recommended to the user again.
pub fn seen_slots(catalog: &Catalog, history: &[HistoryCell], exclude: KindSet) -> Vec<ItemIdx> {
    history
        .iter()
        .filter(|c| c.kinds.intersects(exclude))
        .filter_map(|c| catalog.get(&c.item))
        .collect()
}

/// The (slot, affinity) cells of the `history` items that `catalog` holds, in order.
pub fn place(catalog: &Catalog, history: &[HistoryCell]) -> Vec<(ItemIdx, f32)> {
    place_weighted(catalog, history, |c| c.affinity(catalog.rating_scale()))
}

/// The (slot, `weight(cell)`) cells of the `history` items that `catalog` holds, in order.
fn place_weighted(
    catalog: &Catalog,
    history: &[HistoryCell],
    weight: impl Fn(&HistoryCell) -> f32,
) -> Vec<(ItemIdx, f32)> {
    history
        .iter()
        .filter_map(|c| Some((catalog.get(&c.item)?, weight(c))))
        .collect()
}

/// Merges events per item: implicit weights add up, the latest explicit value wins and
/// then stands for the cell (as `orrery_core::Dataset` does). Cells come in the order of
/// their latest event, items with their latest event in the same second by id.
pub fn merge_history(events: &[InteractionRecord], weights: &EventWeights) -> Vec<HistoryCell> {
    let mut order: Vec<&str> = Vec::new();
    // Per item: the sum of implicit weights, the latest explicit (time, value), the time
    // of the latest event and the events' kinds.
    type Cell = (f32, Option<(i64, f32)>, i64, KindSet);
    let mut cells: std::collections::HashMap<&str, Cell> =
        std::collections::HashMap::with_capacity(events.len());
    for event in events {
        let entry = cells.entry(event.item.as_str()).or_insert_with(|| {
            order.push(event.item.as_str());
            (0.0, None, event.ts, KindSet::EMPTY)
        });
        entry.2 = entry.2.max(event.ts);
        entry.3 = entry.3.union(KindSet::of(&event.kind));
        if event.kind.is_explicit() {
            // Events come oldest first, so a later one (or one at the same second stored
            // later) replaces the earlier grade.
            if entry.1.is_none_or(|(ts, _)| event.ts >= ts) {
                entry.1 = Some((event.ts, event.value));
            }
        } else {
            entry.0 += weights.weight(&event.kind, event.value);
        }
    }
    // By each item's latest event; events of one second in item id order, as a
    // snapshot's rows (read in `crate::offline`) have no other order for them.
    order.sort_by(|a, b| cells[a].2.cmp(&cells[b].2).then_with(|| a.cmp(b)));
    order
        .into_iter()
        .map(|item| {
            let (implicit, explicit, latest, kinds) = cells[item];
            let (value, explicit) = match explicit {
                Some((_, rating)) => (rating, true),
                None => (implicit, false),
            };
            HistoryCell {
                item: item.to_owned(),
                value,
                explicit,
                latest,
                kinds,
            }
        })
        .collect()
}

/// A dataset's merged row as a history, in the order [`merge_history`] gives: by each
/// item's latest event, ties by item id (a row keeps no other order for events of one
/// second). `items` names the row's columns.
pub fn history_of_row(row: Row<'_>, items: &IdMap) -> Vec<HistoryCell> {
    let mut history: Vec<HistoryCell> = (0..row.len())
        .map(|c| {
            let rating = row.ratings[c];
            HistoryCell {
                item: items
                    .external(row.indices[c])
                    .unwrap_or_default()
                    .to_owned(),
                value: if rating.is_nan() {
                    row.weights[c]
                } else {
                    rating
                },
                explicit: !rating.is_nan(),
                latest: row.times[c],
                kinds: row.kinds[c],
            }
        })
        .collect();
    history.sort_by(|a, b| a.latest.cmp(&b.latest).then_with(|| a.item.cmp(&b.item)));
    history
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::EventKind;

    fn event(item: &str, kind: EventKind, value: f32, ts: i64) -> InteractionRecord {
        InteractionRecord {
            user: "u".into(),
            item: item.into(),
            kind,
            value,
            ts,
        }
    }

    #[test]
    fn cells_merge_like_a_snapshot() {
        let events = [
            event("a", EventKind::Click, 0.0, 1),
            event("b", EventKind::Rating, 2.0, 2),
            event("a", EventKind::Like, 0.0, 3),
            event("b", EventKind::Rating, 4.5, 4),
            event("c", EventKind::Skip, 0.0, 5),
        ];
        let h = merge_history(&events, &EventWeights::default());
        assert_eq!(
            h.iter()
                .map(|c| (c.item.as_str(), c.value, c.explicit))
                .collect::<Vec<_>>(),
            [("a", 7.0, false), ("b", 4.5, true), ("c", -1.0, false)]
        );
        let stars = RatingScale::new(1.0, 5.0).unwrap();
        assert!(h[0].is_positive(&stars) && h[1].is_positive(&stars) && !h[2].is_positive(&stars));
        assert_eq!(h[1].affinity(&stars), 0.75);
        assert_eq!(h[0].affinity(&stars), 1.0);
        assert_eq!(h[2].affinity(&stars), -0.2);
    }

    #[test]
    fn cells_come_in_the_order_of_their_latest_event() {
        let events = [
            event("a", EventKind::Click, 0.0, 1),
            event("b", EventKind::Click, 0.0, 2),
            event("a", EventKind::Like, 0.0, 3),
        ];
        let h = merge_history(&events, &EventWeights::default());
        let items: Vec<&str> = h.iter().map(|c| c.item.as_str()).collect();
        assert_eq!(items, ["b", "a"]);
        assert_eq!(h.iter().map(|c| c.latest).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn decay_halves_an_interaction_per_half_life_before_the_newest() {
        const DAY: i64 = 86_400;
        let events = [
            event("old", EventKind::Like, 0.0, 0),
            event("mid", EventKind::Like, 0.0, 30 * DAY),
            event("new", EventKind::Like, 0.0, 60 * DAY),
        ];
        let view = UserView::new(UserRecord::default(), &events, &EventWeights::default());
        let mut catalog = Catalog::default();
        for id in ["old", "mid", "new"] {
            catalog = catalog.with_item(orrery_core::ItemRecord {
                id: id.into(),
                ..Default::default()
            });
        }
        let weight = |cells: &[(ItemIdx, f32)], id: &str| {
            let slot = catalog.get(id).unwrap();
            cells.iter().find(|(i, _)| *i == slot).unwrap().1
        };
        let decayed = view.decayed(&catalog, 30.0);
        assert!((weight(&decayed, "new") - 1.0).abs() < 1e-6);
        assert!((weight(&decayed, "mid") - 0.5).abs() < 1e-6);
        assert!((weight(&decayed, "old") - 0.25).abs() < 1e-6);
        let plain = place(&catalog, &view.history);
        assert!((weight(&plain, "old") - 1.0).abs() < 1e-6);
    }
}
