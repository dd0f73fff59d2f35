//! [`Dataset`]: the immutable, compact snapshot that models train on.
//!
//! Interactions are merged per (user, item) cell and kept twice, as CSR rows by user and
//! by item, so that both user-side and item-side loops (ALS, item-kNN) read contiguous
//! memory.

use crate::{
    EventKind, EventWeights, IdMap, ItemIdx, ItemRecord, KindSet, RatingScale, Timestamp, UserIdx,
    UserRecord, WeightRule,
};

/// A compressed sparse row matrix of interaction cells.
///
/// For row `r`, the cells are at `indptr[r]..indptr[r + 1]`, with column indices sorted
/// ascending. Each cell carries its implicit weight, its explicit rating (`NaN` when the
/// cell holds no rating or strength), the time of its latest event and the kinds of its
/// events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    weights: Vec<f32>,
    ratings: Vec<f32>,
    times: Vec<Timestamp>,
    kinds: Vec<KindSet>,
}

/// The cells of one row of a [`Csr`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Column indices, ascending.
    pub indices: &'a [u32],
    /// Implicit weights (sum of event weights).
    pub weights: &'a [f32],
    /// Latest explicit value, or `NaN`.
    pub ratings: &'a [f32],
    /// Time of the latest event.
    pub times: &'a [Timestamp],
    /// The kinds of the cell's events.
    pub kinds: &'a [KindSet],
}

impl Row<'_> {
    /// Number of cells in the row.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Whether the row has a cell in `column` (binary search).
    pub fn contains(&self, column: u32) -> bool {
        self.indices.binary_search(&column).is_ok()
    }
}

impl Csr {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of stored cells.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The cells of row `r`; empty when `r` is out of range.
    pub fn row(&self, r: u32) -> Row<'_> {
        let r = r as usize;
        let (start, end) = match (self.indptr.get(r), self.indptr.get(r + 1)) {
            (Some(&s), Some(&e)) => (s, e),
            _ => (0, 0),
        };
        Row {
            indices: &self.indices[start..end],
            weights: &self.weights[start..end],
            ratings: &self.ratings[start..end],
            times: &self.times[start..end],
            kinds: &self.kinds[start..end],
        }
    }

    /// Row offsets (`rows + 1` entries).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// All column indices, row after row.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// All implicit weights, row after row.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// All explicit ratings (`NaN` where none), row after row.
    pub fn ratings(&self) -> &[f32] {
        &self.ratings
    }

    /// All timestamps, row after row.
    pub fn times(&self) -> &[Timestamp] {
        &self.times
    }

    /// The kinds of each cell's events, row after row.
    pub fn kinds(&self) -> &[KindSet] {
        &self.kinds
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.indptr.capacity() * std::mem::size_of::<usize>()
            + self.indices.capacity() * 4
            + self.weights.capacity() * 4
            + self.ratings.capacity() * 4
            + self.times.capacity() * 8
            + self.kinds.capacity() * std::mem::size_of::<KindSet>()
    }

    /// The transpose with `columns` rows, built by a counting sort so that the columns of
    /// each transposed row come out sorted.
    fn transpose(&self, columns: usize) -> Csr {
        let nnz = self.nnz();
        let mut counts = vec![0usize; columns + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for c in 0..columns {
            counts[c + 1] += counts[c];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; nnz];
        let mut weights = vec![0f32; nnz];
        let mut ratings = vec![0f32; nnz];
        let mut times = vec![0 as Timestamp; nnz];
        let mut kinds = vec![KindSet::EMPTY; nnz];
        for r in 0..self.rows() {
            for k in self.indptr[r]..self.indptr[r + 1] {
                let c = self.indices[k] as usize;
                let dst = next[c];
                next[c] += 1;
                indices[dst] = r as u32;
                weights[dst] = self.weights[k];
                ratings[dst] = self.ratings[k];
                times[dst] = self.times[k];
                kinds[dst] = self.kinds[k];
            }
        }
        Csr {
            indptr,
            indices,
            weights,
            ratings,
            times,
            kinds,
        }
    }
}

/// An immutable snapshot of users, items and their interactions, indexed densely.
///
/// Several events on the same (user, item) merge into one cell: implicit weights add up,
/// while an explicit value (rating, strength) counts once, its latest version, so that a
/// re-rating replaces the old grade instead of adding to it.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    users: IdMap,
    items: IdMap,
    user_meta: Vec<UserRecord>,
    item_meta: Vec<ItemRecord>,
    by_user: Csr,
    by_item: Csr,
    /// Per user, how many events its cells merge.
    user_events: Vec<u32>,
    declared_scale: Option<RatingScale>,
    rating_scale: RatingScale,
}

impl Dataset {
    /// The scale of the ratings: the one declared for the data (by its layout, the
    /// importer's option or the store), else the range the explicit values span, else
    /// [`RatingScale::STARS`].
    pub fn rating_scale(&self) -> RatingScale {
        self.rating_scale
    }

    /// The scale declared for the data, if one was: what a new rating must lie within.
    pub fn declared_rating_scale(&self) -> Option<RatingScale> {
        self.declared_scale
    }

    /// User ids ↔ indices.
    pub fn users(&self) -> &IdMap {
        &self.users
    }

    /// Item ids ↔ indices.
    pub fn items(&self) -> &IdMap {
        &self.items
    }

    /// Number of users, including those without interactions.
    pub fn n_users(&self) -> usize {
        self.users.len()
    }

    /// Number of items, including those without interactions.
    pub fn n_items(&self) -> usize {
        self.items.len()
    }

    /// Number of (user, item) cells.
    pub fn nnz(&self) -> usize {
        self.by_user.nnz()
    }

    /// The user×item matrix.
    pub fn user_items(&self) -> &Csr {
        &self.by_user
    }

    /// The item×user matrix.
    pub fn item_users(&self) -> &Csr {
        &self.by_item
    }

    /// The cells of one user.
    pub fn user_row(&self, user: UserIdx) -> Row<'_> {
        self.by_user.row(user)
    }

    /// The cells of one item.
    pub fn item_row(&self, item: ItemIdx) -> Row<'_> {
        self.by_item.row(item)
    }

    /// What is known about a user (at least its id).
    pub fn user(&self, user: UserIdx) -> Option<&UserRecord> {
        self.user_meta.get(user as usize)
    }

    /// How many events the cells of a user merge (a cell added whole counts as one).
    pub fn user_events(&self, user: UserIdx) -> usize {
        self.user_events
            .get(user as usize)
            .map_or(0, |&n| n as usize)
    }

    /// The user side alone: records and rows, without the item side's metadata and
    /// transposed matrix.
    pub fn into_user_histories(self) -> UserHistories {
        UserHistories {
            users: self.users,
            items: self.items,
            user_meta: self.user_meta,
            by_user: self.by_user,
            user_events: self.user_events,
        }
    }

    /// What is known about an item (at least its id).
    pub fn item(&self, item: ItemIdx) -> Option<&ItemRecord> {
        self.item_meta.get(item as usize)
    }

    /// Number of users with at least one interaction.
    pub fn active_users(&self) -> usize {
        let p = self.by_user.indptr();
        p.windows(2).filter(|w| w[1] > w[0]).count()
    }

    /// Number of items with at least one interaction.
    pub fn active_items(&self) -> usize {
        let p = self.by_item.indptr();
        p.windows(2).filter(|w| w[1] > w[0]).count()
    }

    /// Number of cells holding an explicit rating.
    pub fn n_ratings(&self) -> usize {
        self.by_user
            .ratings()
            .iter()
            .filter(|r| !r.is_nan())
            .count()
    }

    /// Mean of the explicit ratings, if there are any.
    pub fn mean_rating(&self) -> Option<f64> {
        let (sum, n) = self
            .by_user
            .ratings()
            .iter()
            .filter(|r| !r.is_nan())
            .fold((0f64, 0usize), |(s, n), &r| (s + r as f64, n + 1));
        (n > 0).then(|| sum / n as f64)
    }

    /// Heap bytes held by the snapshot (matrices, id maps and metadata).
    pub fn heap_bytes(&self) -> usize {
        let meta_strings = |r: &ItemRecord| {
            r.id.capacity()
                + r.title.capacity()
                + r.categories
                    .iter()
                    .map(|c| c.kind.capacity() + c.value.capacity() + 48)
                    .sum::<usize>()
                + r.tags.iter().map(|t| t.capacity() + 24).sum::<usize>()
                + r.description.as_ref().map_or(0, String::capacity)
        };
        self.by_user.heap_bytes()
            + self.by_item.heap_bytes()
            + self.users.heap_bytes()
            + self.items.heap_bytes()
            + self.item_meta.capacity() * std::mem::size_of::<ItemRecord>()
            + self.item_meta.iter().map(meta_strings).sum::<usize>()
            + self.user_meta.capacity() * std::mem::size_of::<UserRecord>()
            + self
                .user_meta
                .iter()
                .map(|u| u.id.capacity() + u.interests.iter().map(String::capacity).sum::<usize>())
                .sum::<usize>()
    }
}

/// The user side of a [`Dataset`]: each user's record and merged cells, what a server
/// needs to answer a user without reading the store again.
#[derive(Debug, Clone, Default)]
pub struct UserHistories {
    users: IdMap,
    items: IdMap,
    user_meta: Vec<UserRecord>,
    by_user: Csr,
    user_events: Vec<u32>,
}

impl UserHistories {
    /// The index of user `id`, if the dataset held it.
    pub fn index(&self, id: &str) -> Option<UserIdx> {
        self.users.get(id)
    }

    /// The stored record of a user.
    pub fn record(&self, user: UserIdx) -> Option<&UserRecord> {
        self.user_meta.get(user as usize)
    }

    /// The merged cells of a user.
    pub fn row(&self, user: UserIdx) -> Row<'_> {
        self.by_user.row(user)
    }

    /// How many events the cells of a user merge.
    pub fn events(&self, user: UserIdx) -> usize {
        self.user_events
            .get(user as usize)
            .map_or(0, |&n| n as usize)
    }

    /// Item ids ↔ the column indices of the rows.
    pub fn items(&self) -> &IdMap {
        &self.items
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Heap bytes held (rows, id maps; records counted by their ids).
    pub fn heap_bytes(&self) -> usize {
        self.by_user.heap_bytes()
            + self.users.heap_bytes()
            + self.items.heap_bytes()
            + self.user_meta.capacity() * std::mem::size_of::<UserRecord>()
            + self.user_events.capacity() * 4
    }
}

/// One raw event before merging.
#[derive(Debug, Clone, Copy)]
struct RawEvent {
    user: u32,
    item: u32,
    weight: f32,
    /// Explicit value, or `NaN` for implicit events.
    rating: f32,
    ts: Timestamp,
    /// Whether the weight is the rating's value, to be put on the 0–5 weight range once
    /// the scale is known (see [`RatingScale::weight`]).
    weighs_rating: bool,
    /// The event's kind (a merged cell's kinds, for a cell added whole).
    kinds: KindSet,
}

/// Collects users, items and events, then merges them into a [`Dataset`].
#[derive(Debug, Clone, Default)]
pub struct DatasetBuilder {
    weights: EventWeights,
    users: IdMap,
    items: IdMap,
    user_meta: Vec<UserRecord>,
    item_meta: Vec<ItemRecord>,
    events: Vec<RawEvent>,
    rating_scale: Option<RatingScale>,
}

impl DatasetBuilder {
    /// A builder that weighs events with `weights`.
    pub fn new(weights: EventWeights) -> Self {
        Self {
            weights,
            ..Self::default()
        }
    }

    /// Declares the scale of the ratings; may come after the events (an importer knows
    /// the scale it read only at the end).
    pub fn set_rating_scale(&mut self, scale: RatingScale) {
        self.rating_scale = Some(scale);
    }

    /// Reserves room for `users`, `items` and `events`.
    pub fn reserve(&mut self, users: usize, items: usize, events: usize) {
        self.users = IdMap::with_capacity(users);
        self.items = IdMap::with_capacity(items);
        self.user_meta.reserve(users);
        self.item_meta.reserve(items);
        self.events.reserve(events);
    }

    /// Registers a user (or replaces what is known of it) and returns its index.
    pub fn add_user(&mut self, user: UserRecord) -> UserIdx {
        let idx = self.users.get_or_insert(&user.id);
        if idx as usize == self.user_meta.len() {
            self.user_meta.push(user);
        } else {
            self.user_meta[idx as usize] = user;
        }
        idx
    }

    /// Registers an item (or replaces what is known of it) and returns its index.
    pub fn add_item(&mut self, item: ItemRecord) -> ItemIdx {
        let idx = self.items.get_or_insert(&item.id);
        if idx as usize == self.item_meta.len() {
            self.item_meta.push(item);
        } else {
            self.item_meta[idx as usize] = item;
        }
        idx
    }

    /// The index of a user, registering it by id alone if it is new.
    pub fn user_index(&mut self, id: &str) -> UserIdx {
        match self.users.get(id) {
            Some(idx) => idx,
            None => self.add_user(UserRecord::with_id(id)),
        }
    }

    /// The index of an item, registering it by id alone if it is new.
    pub fn item_index(&mut self, id: &str) -> ItemIdx {
        match self.items.get(id) {
            Some(idx) => idx,
            None => self.add_item(ItemRecord::with_id(id)),
        }
    }

    /// Adds one event by external ids.
    pub fn add_event(
        &mut self,
        user: &str,
        item: &str,
        kind: &EventKind,
        value: f32,
        ts: Timestamp,
    ) {
        let u = self.user_index(user);
        let i = self.item_index(item);
        self.add_event_at(u, i, kind, value, ts);
    }

    /// Adds one event by indices already handed out by this builder.
    ///
    /// # Panics
    /// If `user` or `item` was not handed out by this builder.
    pub fn add_event_at(
        &mut self,
        user: UserIdx,
        item: ItemIdx,
        kind: &EventKind,
        value: f32,
        ts: Timestamp,
    ) {
        assert!((user as usize) < self.users.len() && (item as usize) < self.items.len());
        let rule = self.weights.rule(kind);
        let rating = if kind.is_explicit() { value } else { f32::NAN };
        self.events.push(RawEvent {
            user,
            item,
            weight: rule.apply(value),
            rating,
            ts,
            weighs_rating: *kind == EventKind::Rating && rule == WeightRule::Value,
            kinds: KindSet::of(kind),
        });
    }

    /// Adds a cell already merged elsewhere (another dataset's): its weight, its explicit
    /// value (`NaN` for none), its latest time and its kinds, taken as they are.
    ///
    /// # Panics
    /// If `user` or `item` was not handed out by this builder.
    pub fn add_cell_at(
        &mut self,
        user: UserIdx,
        item: ItemIdx,
        weight: f32,
        rating: f32,
        ts: Timestamp,
        kinds: KindSet,
    ) {
        assert!((user as usize) < self.users.len() && (item as usize) < self.items.len());
        self.events.push(RawEvent {
            user,
            item,
            weight,
            rating,
            ts,
            weighs_rating: false,
            kinds,
        });
    }

    /// Number of events added so far.
    pub fn n_events(&self) -> usize {
        self.events.len()
    }

    /// Merges the events into cells and builds both CSR matrices.
    pub fn build(self) -> Dataset {
        let DatasetBuilder {
            users,
            items,
            user_meta,
            item_meta,
            mut events,
            rating_scale: declared_scale,
            ..
        } = self;
        let rating_scale = declared_scale
            .or_else(|| RatingScale::spanning(events.iter().map(|e| e.rating)))
            .unwrap_or(RatingScale::STARS);
        // Only a declared scale rescales: a range read off a few values is no scale, and
        // without one ratings weigh their value, as star ratings do on any star scale.
        if let Some(scale) = declared_scale {
            for e in events.iter_mut().filter(|e| e.weighs_rating) {
                e.weight = scale.weight(e.rating);
            }
        }
        // Stable sort: events at the same second keep their insertion order, so "latest"
        // is well defined and the result deterministic.
        events.sort_by_key(|e| (e.user, e.item, e.ts));
        let mut user_events = vec![0u32; users.len()];
        for e in &events {
            user_events[e.user as usize] += 1;
        }

        let n_users = users.len();
        let mut indptr = vec![0usize; n_users + 1];
        let mut indices = Vec::with_capacity(events.len());
        let mut weights = Vec::with_capacity(events.len());
        let mut ratings = Vec::with_capacity(events.len());
        let mut times = Vec::with_capacity(events.len());
        let mut kinds = Vec::with_capacity(events.len());

        let mut k = 0;
        while k < events.len() {
            let (u, i) = (events[k].user, events[k].item);
            let mut implicit = 0f32;
            let mut explicit = f32::NAN;
            let mut explicit_weight = 0f32;
            let mut ts = Timestamp::MIN;
            let mut cell_kinds = KindSet::EMPTY;
            while k < events.len() && events[k].user == u && events[k].item == i {
                let e = events[k];
                cell_kinds = cell_kinds.union(e.kinds);
                if e.rating.is_nan() {
                    implicit += e.weight;
                } else {
                    explicit = e.rating;
                    explicit_weight = e.weight;
                }
                ts = ts.max(e.ts);
                k += 1;
            }
            indptr[u as usize + 1] += 1;
            indices.push(i);
            weights.push(implicit + explicit_weight);
            ratings.push(explicit);
            times.push(ts);
            kinds.push(cell_kinds);
        }
        for r in 0..n_users {
            indptr[r + 1] += indptr[r];
        }
        indices.shrink_to_fit();
        weights.shrink_to_fit();
        ratings.shrink_to_fit();
        times.shrink_to_fit();
        kinds.shrink_to_fit();

        let by_user = Csr {
            indptr,
            indices,
            weights,
            ratings,
            times,
            kinds,
        };
        let by_item = by_user.transpose(items.len());
        Dataset {
            users,
            items,
            user_meta,
            item_meta,
            by_user,
            by_item,
            user_events,
            declared_scale,
            rating_scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Dataset {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_item(ItemRecord::with_id("i0"));
        b.add_event("alice", "i1", &EventKind::Click, 0.0, 10);
        b.add_event("alice", "i1", &EventKind::Like, 0.0, 20);
        b.add_event("alice", "i0", &EventKind::Rating, 3.0, 5);
        b.add_event("alice", "i0", &EventKind::Rating, 4.5, 30);
        b.add_event("bob", "i1", &EventKind::Skip, 0.0, 40);
        b.add_user(UserRecord::with_id("carol"));
        b.build()
    }

    #[test]
    fn cells_merge_implicit_sums_and_latest_rating() {
        let d = sample();
        assert_eq!(d.n_users(), 3);
        assert_eq!(d.n_items(), 2);
        assert_eq!(d.nnz(), 3);
        let alice = d.users().get("alice").unwrap();
        let row = d.user_row(alice);
        assert_eq!(row.indices, &[0, 1]);
        // i0: two ratings, the latest (4.5) wins and is also the weight.
        assert_eq!(row.ratings[0], 4.5);
        assert_eq!(row.weights[0], 4.5);
        assert_eq!(row.times[0], 30);
        // i1: click 2 + like 5, no rating.
        assert_eq!(row.weights[1], 7.0);
        assert!(row.ratings[1].is_nan());
        assert_eq!(row.times[1], 20);
    }

    #[test]
    fn the_user_side_keeps_records_rows_and_event_counts() {
        let d = sample();
        assert_eq!(d.user_events(d.users().get("alice").unwrap()), 4);
        let cells = d.user_row(d.users().get("alice").unwrap()).len();
        let histories = d.into_user_histories();
        let alice = histories.index("alice").unwrap();
        assert_eq!(histories.events(alice), 4);
        assert_eq!(histories.row(alice).len(), cells);
        assert_eq!(histories.record(alice).unwrap().id, "alice");
        let carol = histories.index("carol").unwrap();
        assert_eq!(
            (histories.events(carol), histories.row(carol).len()),
            (0, 0)
        );
        assert_eq!(
            histories.items().external(histories.row(alice).indices[0]),
            Some("i0")
        );
        assert_eq!(histories.index("dave"), None);
    }

    #[test]
    fn transpose_matches_rows() {
        let d = sample();
        let i1 = d.items().get("i1").unwrap();
        let col = d.item_row(i1);
        let users: Vec<&str> = col
            .indices
            .iter()
            .map(|&u| d.users().external(u).unwrap())
            .collect();
        assert_eq!(users, ["alice", "bob"]);
        assert_eq!(col.weights, &[7.0, -1.0]);
        assert_eq!(d.active_users(), 2);
        assert_eq!(d.active_items(), 2);
        assert_eq!(d.n_ratings(), 1);
        assert_eq!(d.mean_rating(), Some(4.5));
        let carol = d.users().get("carol").unwrap();
        assert!(d.user_row(carol).is_empty());
        assert!(d.user_row(99).is_empty());
    }

    #[test]
    fn ratings_weigh_by_their_scale() {
        let build = |scale: Option<&str>, ratings: &[f32]| {
            let mut b = DatasetBuilder::new(EventWeights::default());
            for (n, &r) in ratings.iter().enumerate() {
                b.add_event("u", &n.to_string(), &EventKind::Rating, r, 0);
            }
            if let Some(scale) = scale {
                b.set_rating_scale(scale.parse().unwrap());
            }
            b.build()
        };
        // Without a declared scale: the range the ratings span; star ratings weigh their value.
        let stars = build(None, &[1.0, 5.0, 4.0]);
        assert_eq!(stars.rating_scale().to_string(), "1..5");
        assert_eq!(stars.declared_rating_scale(), None);
        assert_eq!(stars.user_row(0).weights, &[1.0, 5.0, 4.0]);
        // A declared −10..10 scale, set after the events: weights on 0–5, ratings as given.
        let jester = build(Some("-10..10"), &[-10.0, 10.0, 0.0]);
        assert_eq!(
            jester.declared_rating_scale(),
            Some("-10..10".parse().unwrap())
        );
        assert_eq!(jester.user_row(0).weights, &[0.0, 5.0, 2.5]);
        assert_eq!(jester.user_row(0).ratings, &[-10.0, 10.0, 0.0]);
        // Nothing to span: five stars.
        assert_eq!(build(None, &[]).rating_scale(), RatingScale::STARS);
    }
}
