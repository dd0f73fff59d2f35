//! [`Catalog`]: the items the engine can recommend, with what the cold-start and content
//! sides of the engine need to score them without a model: content features (categories
//! and tags as tokens), popularity, and popularity within demographic groups.
//!
//! A catalog is immutable; a write makes a new one ([`Catalog::with_item`],
//! [`Catalog::without_item`]) that keeps every existing index, so that indices stay valid
//! across writes (deleted items become tombstones).

use std::collections::HashMap;
use std::sync::Arc;

use orrery_core::{Category, Dataset, ItemIdx, ItemRecord, RatingScale, UserRecord};

/// Tokens that describe an item's content: `cat:<value>` per category and `tag:<tag>` per
/// tag, lowercased.
pub fn item_tokens(item: &ItemRecord) -> Vec<String> {
    let mut tokens: Vec<String> = item
        .categories
        .iter()
        .map(|c| format!("cat:{}", c.value.trim().to_lowercase()))
        .chain(
            item.tags
                .iter()
                .map(|t| format!("tag:{}", t.trim().to_lowercase())),
        )
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// The tokens a stated interest (or genre) matches: a category or a tag of that name.
pub fn interest_tokens(interest: &str) -> [String; 2] {
    let value = interest.trim().to_lowercase();
    [format!("cat:{value}"), format!("tag:{value}")]
}

/// Demographic group keys of a user (`gender=f`, `age=25`, `occupation=4`).
pub fn demographic_keys(
    gender: Option<&str>,
    age: Option<i32>,
    occupation: Option<&str>,
) -> Vec<String> {
    let mut keys = Vec::with_capacity(3);
    if let Some(g) = gender.map(str::trim).filter(|g| !g.is_empty()) {
        keys.push(format!("gender={}", g.to_lowercase()));
    }
    if let Some(a) = age {
        keys.push(format!("age={}", age_bucket(a)));
    }
    if let Some(o) = occupation.map(str::trim).filter(|o| !o.is_empty()) {
        keys.push(format!("occupation={}", o.to_lowercase()));
    }
    keys
}

/// MovieLens age groups (1, 18, 25, 35, 45, 50, 56); any age falls in one.
fn age_bucket(age: i32) -> i32 {
    match age {
        i32::MIN..=17 => 1,
        18..=24 => 18,
        25..=34 => 25,
        35..=44 => 35,
        45..=49 => 45,
        50..=55 => 50,
        _ => 56,
    }
}

fn user_keys(user: &UserRecord) -> Vec<String> {
    demographic_keys(user.gender.as_deref(), user.age, user.occupation.as_deref())
}

/// Whether a stored cell is a positive signal: a rating that counts as a like on `scale`
/// (4 or more on 1–5), or a positive implicit weight.
pub fn is_positive(scale: &RatingScale, rating: f32, weight: f32) -> bool {
    if rating.is_nan() {
        weight > 0.0
    } else {
        scale.is_positive(rating)
    }
}

/// One item of the catalog.
#[derive(Debug)]
pub struct CatalogItem {
    /// What is known about the item.
    pub record: ItemRecord,
    /// Content tokens, indices into the catalog's vocabulary, sorted.
    pub features: Vec<u32>,
    /// Deleted items keep their index but are never recommended.
    pub deleted: bool,
}

/// The recommendable items and their statistics.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    items: Vec<Arc<CatalogItem>>,
    index: HashMap<String, ItemIdx>,
    vocab: HashMap<String, u32>,
    tokens: Vec<String>,
    /// Token → items that have it.
    postings: Vec<Vec<ItemIdx>>,
    /// Users who interacted with the item.
    interactions: Vec<u32>,
    /// Users for whom the interaction was positive.
    liked: Vec<u32>,
    /// Demographic key → positive interactions per item.
    demographic: HashMap<String, Arc<Vec<u32>>>,
    live: usize,
    /// Distinct category tokens (`cat:…`) of live items.
    categories: usize,
    rating_scale: RatingScale,
    accepted_scale: RatingScale,
}

impl Catalog {
    /// The catalog of a dataset snapshot, with its interaction statistics.
    pub fn from_dataset(dataset: &Dataset) -> Catalog {
        let n = dataset.n_items();
        let scale = dataset.rating_scale();
        let mut interactions = vec![0u32; n];
        let mut liked = vec![0u32; n];
        for (i, (count, likes)) in interactions.iter_mut().zip(&mut liked).enumerate() {
            let row = dataset.item_row(i as ItemIdx);
            *count = row.len() as u32;
            *likes = row
                .ratings
                .iter()
                .zip(row.weights)
                .filter(|&(&r, &w)| is_positive(&scale, r, w))
                .count() as u32;
        }
        let mut demographic: HashMap<String, Vec<u32>> = HashMap::new();
        for u in 0..dataset.n_users() {
            let Some(user) = dataset.user(u as u32) else {
                continue;
            };
            let keys = user_keys(user);
            if keys.is_empty() {
                continue;
            }
            let row = dataset.user_row(u as u32);
            for key in keys {
                let counts = demographic.entry(key).or_insert_with(|| vec![0; n]);
                for ((&i, &r), &w) in row.indices.iter().zip(row.ratings).zip(row.weights) {
                    if is_positive(&scale, r, w) {
                        counts[i as usize] += 1;
                    }
                }
            }
        }
        let records = (0..n).map(|i| {
            dataset.item(i as ItemIdx).cloned().unwrap_or_else(|| {
                ItemRecord::with_id(dataset.items().external(i as u32).unwrap_or(""))
            })
        });
        let mut catalog = Catalog {
            interactions,
            liked,
            rating_scale: scale,
            accepted_scale: dataset
                .declared_rating_scale()
                .unwrap_or(RatingScale::STARS),
            demographic: demographic
                .into_iter()
                .map(|(k, v)| (k, Arc::new(v)))
                .collect(),
            ..Catalog::default()
        };
        catalog.items = records
            .map(|record| {
                Arc::new(CatalogItem {
                    features: Vec::new(),
                    record,
                    deleted: false,
                })
            })
            .collect();
        catalog.reindex();
        catalog
    }

    /// The scale of the stored ratings (see [`Dataset::rating_scale`]): what "liked" means.
    pub fn rating_scale(&self) -> &RatingScale {
        &self.rating_scale
    }

    /// The scale a new rating must lie on: the one kept with the data, else five stars
    /// (0.5–5).
    pub fn accepted_rating_scale(&self) -> &RatingScale {
        &self.accepted_scale
    }

    /// Rebuilds the id index, the vocabulary and the postings from the items.
    fn reindex(&mut self) {
        self.index.clear();
        self.vocab.clear();
        self.tokens.clear();
        self.postings.clear();
        self.live = 0;
        self.categories = 0;
        let n = self.items.len();
        self.interactions.resize(n, 0);
        self.liked.resize(n, 0);
        for (i, item) in self.items.iter_mut().enumerate() {
            let idx = i as ItemIdx;
            if item.deleted {
                continue;
            }
            self.live += 1;
            self.index.insert(item.record.id.clone(), idx);
            let mut features = Vec::new();
            for token in item_tokens(&item.record) {
                let next = self.tokens.len() as u32;
                let id = *self.vocab.entry(token.clone()).or_insert(next);
                if id == next {
                    if token.starts_with("cat:") {
                        self.categories += 1;
                    }
                    self.tokens.push(token);
                    self.postings.push(Vec::new());
                }
                self.postings[id as usize].push(idx);
                features.push(id);
            }
            features.sort_unstable();
            if features != item.features {
                *item = Arc::new(CatalogItem {
                    record: item.record.clone(),
                    features,
                    deleted: false,
                });
            }
        }
    }

    /// A catalog with `record` added, or replacing the item of the same id (which keeps
    /// its index and statistics).
    ///
    /// Only the item's own entries change (its tokens' postings, the id index): a write to
    /// a catalog of a million items must not rebuild every item's tokens.
    pub fn with_item(&self, record: ItemRecord) -> Catalog {
        let mut next = self.clone();
        let idx = match next.index.get(&record.id) {
            Some(&idx) => {
                next.unlist(idx);
                idx
            }
            None => {
                next.items.push(Arc::new(CatalogItem {
                    record: ItemRecord::with_id(&record.id),
                    features: Vec::new(),
                    deleted: true,
                }));
                let n = next.items.len();
                next.interactions.resize(n, 0);
                next.liked.resize(n, 0);
                (n - 1) as ItemIdx
            }
        };
        next.list(idx, record);
        next
    }

    /// A catalog without the item `id` (a tombstone keeps its index).
    pub fn without_item(&self, id: &str) -> Catalog {
        let mut next = self.clone();
        if let Some(&idx) = next.index.get(id) {
            next.unlist(idx);
        }
        next
    }

    /// Takes the live item at `idx` out of the id index and its tokens' postings, leaving
    /// a tombstone.
    fn unlist(&mut self, idx: ItemIdx) {
        let old = self.items[idx as usize].clone();
        if old.deleted {
            return;
        }
        self.index.remove(&old.record.id);
        self.live -= 1;
        for &token in &old.features {
            let postings = &mut self.postings[token as usize];
            if let Ok(at) = postings.binary_search(&idx) {
                postings.remove(at);
            }
            if postings.is_empty() && self.tokens[token as usize].starts_with("cat:") {
                self.categories -= 1;
            }
        }
        self.items[idx as usize] = Arc::new(CatalogItem {
            record: old.record.clone(),
            features: Vec::new(),
            deleted: true,
        });
    }

    /// Makes `record` the live item at the tombstone `idx`.
    fn list(&mut self, idx: ItemIdx, record: ItemRecord) {
        self.index.insert(record.id.clone(), idx);
        self.live += 1;
        let mut features = Vec::new();
        for token in item_tokens(&record) {
            let next = self.tokens.len() as u32;
            let id = *self.vocab.entry(token.clone()).or_insert(next);
            if id == next {
                self.tokens.push(token);
                self.postings.push(Vec::new());
            }
            let postings = &mut self.postings[id as usize];
            if postings.is_empty() && self.tokens[id as usize].starts_with("cat:") {
                self.categories += 1;
            }
            if let Err(at) = postings.binary_search(&idx) {
                postings.insert(at, idx);
            }
            features.push(id);
        }
        features.sort_unstable();
        self.items[idx as usize] = Arc::new(CatalogItem {
            record,
            features,
            deleted: false,
        });
    }

    /// Number of slots, deleted ones included (indices are below this).
    pub fn slots(&self) -> usize {
        self.items.len()
    }

    /// Number of items that can be recommended.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no item can be recommended.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The index of a live item.
    pub fn get(&self, id: &str) -> Option<ItemIdx> {
        self.index.get(id).copied()
    }

    /// The item at `idx` (deleted ones included).
    pub fn item(&self, idx: ItemIdx) -> Option<&CatalogItem> {
        self.items.get(idx as usize).map(Arc::as_ref)
    }

    /// Whether `idx` is a live item.
    pub fn is_live(&self, idx: ItemIdx) -> bool {
        self.item(idx).is_some_and(|i| !i.deleted)
    }

    /// The largest numeric id in the catalog (to number new items like MovieLens does).
    pub fn max_numeric_id(&self) -> u64 {
        self.items
            .iter()
            .filter_map(|i| i.record.id.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
    }

    /// The token id of a token text.
    pub fn token(&self, text: &str) -> Option<u32> {
        self.vocab.get(text).copied()
    }

    /// Number of distinct tokens (token ids are `0..n_tokens()`; a token may have no live
    /// item left).
    pub fn n_tokens(&self) -> usize {
        self.tokens.len()
    }

    /// Number of distinct categories of live items.
    pub fn n_categories(&self) -> usize {
        self.categories
    }

    /// The text of a token id.
    pub fn token_text(&self, id: u32) -> &str {
        self.tokens.get(id as usize).map_or("", String::as_str)
    }

    /// Live items that have `token`.
    pub fn items_with(&self, token: u32) -> &[ItemIdx] {
        self.postings.get(token as usize).map_or(&[], Vec::as_slice)
    }

    /// Live items in a category, named by its value (`Comedy`, any category type), by its
    /// type when no value is so named (`Star`: every star of the Poppy catalog, whose
    /// categories are `Star:O`, `Star:B`…) or as `type:value` (`genre:Comedy`); case does
    /// not matter.
    pub fn items_in_category(&self, category: &str) -> Vec<ItemIdx> {
        let wanted = category.trim().to_lowercase();
        if let Some(items) = self
            .token(&format!("cat:{wanted}"))
            .map(|t| self.items_with(t))
            .filter(|items| !items.is_empty())
        {
            return items.to_vec();
        }
        let split = wanted.split_once(':').map(|(k, v)| (k.trim(), v.trim()));
        let matches = |c: &Category| match split {
            Some((kind, value)) => c.kind.to_lowercase() == kind && c.value.to_lowercase() == value,
            None => c.kind.to_lowercase() == wanted,
        };
        self.items
            .iter()
            .enumerate()
            .filter(|(_, item)| !item.deleted && item.record.categories.iter().any(matches))
            .map(|(i, _)| i as ItemIdx)
            .collect()
    }

    /// The stored category a name refers to: a value (`comedy`, any type, case ignored) or
    /// `type:value`, as the first live item that has it spells it.
    pub fn find_category(&self, name: &str) -> Option<Category> {
        let wanted = name.trim().to_lowercase();
        let split = wanted.split_once(':');
        self.items
            .iter()
            .filter(|item| !item.deleted)
            .flat_map(|item| item.record.categories.iter())
            .find(|c| {
                let value = c.value.to_lowercase();
                value == wanted
                    || split.is_some_and(|(kind, v)| {
                        c.kind.to_lowercase() == kind.trim() && value == v.trim()
                    })
            })
            .cloned()
    }

    /// Users who interacted with the item, as of the last snapshot.
    pub fn interactions(&self, idx: ItemIdx) -> u32 {
        self.interactions.get(idx as usize).copied().unwrap_or(0)
    }

    /// Users who liked the item, as of the last snapshot.
    pub fn liked(&self, idx: ItemIdx) -> u32 {
        self.liked.get(idx as usize).copied().unwrap_or(0)
    }

    /// Popularity in [0, 1]: log of the likes (other interactions count a quarter),
    /// relative to the most popular item.
    pub fn popularity_scores(&self) -> Vec<f32> {
        let raw: Vec<f32> = (0..self.items.len())
            .map(|i| {
                let liked = self.liked[i] as f32;
                let other = self.interactions[i].saturating_sub(self.liked[i]) as f32;
                (1.0 + liked + 0.25 * other).ln()
            })
            .collect();
        normalize_max(raw)
    }

    /// Popularity in [0, 1] within the demographic groups `keys` (averaged), or `None`
    /// when the catalog knows none of them.
    pub fn demographic_scores(&self, keys: &[String]) -> Option<Vec<f32>> {
        let groups: Vec<&Arc<Vec<u32>>> = keys
            .iter()
            .filter_map(|k| self.demographic.get(k))
            .collect();
        if groups.is_empty() {
            return None;
        }
        let raw = (0..self.items.len())
            .map(|i| {
                let sum: f32 = groups
                    .iter()
                    .map(|g| g.get(i).copied().unwrap_or(0) as f32)
                    .sum();
                (1.0 + sum / groups.len() as f32).ln()
            })
            .collect();
        Some(normalize_max(raw))
    }
}

/// Scales non-negative values so that the largest is 1.
fn normalize_max(mut values: Vec<f32>) -> Vec<f32> {
    let max = values.iter().copied().fold(0f32, f32::max);
    if max > 0.0 {
        for v in &mut values {
            *v /= max;
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};

    fn item(id: &str, genres: &[&str], tags: &[&str]) -> ItemRecord {
        ItemRecord {
            title: format!("Title {id}"),
            categories: genres.iter().map(|g| Category::new("genre", *g)).collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..ItemRecord::with_id(id)
        }
    }

    fn catalog() -> Catalog {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_item(item("1", &["Comedy"], &["funny"]));
        b.add_item(item("2", &["Drama", "Comedy"], &[]));
        b.add_item(item("3", &["Horror"], &[]));
        b.add_user(UserRecord {
            gender: Some("F".into()),
            age: Some(30),
            ..UserRecord::with_id("u1")
        });
        b.add_event("u1", "1", &EventKind::Rating, 5.0, 0);
        b.add_event("u1", "3", &EventKind::Rating, 2.0, 0);
        b.add_event("u2", "1", &EventKind::Like, 0.0, 0);
        b.add_event("u2", "2", &EventKind::Skip, 0.0, 0);
        Catalog::from_dataset(&b.build())
    }

    #[test]
    fn statistics_and_categories() {
        let c = catalog();
        assert_eq!(c.len(), 3);
        let one = c.get("1").unwrap();
        let three = c.get("3").unwrap();
        assert_eq!((c.interactions(one), c.liked(one)), (2, 2));
        assert_eq!((c.interactions(three), c.liked(three)), (1, 0));
        assert_eq!(c.liked(c.get("2").unwrap()), 0, "a skip is not a like");
        let mut comedies = c.items_in_category("comedy");
        comedies.sort();
        assert_eq!(comedies, vec![0, 1]);
        assert_eq!(c.items_in_category("genre:Horror"), vec![2]);
        assert!(c.items_in_category("genre:Western").is_empty());
        let mut by_type = c.items_in_category("Genre");
        by_type.sort();
        assert_eq!(by_type, vec![0, 1, 2], "a type names its items");
        assert_eq!(
            c.find_category("DRAMA"),
            Some(Category::new("genre", "Drama"))
        );
        assert_eq!(
            c.find_category("genre:comedy"),
            Some(Category::new("genre", "Comedy"))
        );
        assert_eq!(c.find_category("western"), None);
        let pop = c.popularity_scores();
        assert_eq!(pop[0], 1.0);
        assert!(pop[2] > 0.0 && pop[2] < pop[0]);
        let women = c
            .demographic_scores(&demographic_keys(Some("F"), Some(31), None))
            .unwrap();
        assert_eq!(women[0], 1.0);
        assert_eq!(women[2], 0.0);
        assert!(c.demographic_scores(&["gender=x".into()]).is_none());
    }

    #[test]
    fn writes_keep_indices() {
        let c = catalog();
        let c2 = c.with_item(item("9", &["Western"], &[]));
        assert_eq!(c2.get("9"), Some(3));
        assert_eq!(c2.items_in_category("western"), vec![3]);
        let c3 = c2.with_item(item("1", &["Western"], &[]));
        assert_eq!(c3.get("1"), Some(0));
        assert_eq!(c3.items_in_category("western"), vec![0, 3]);
        assert_eq!(c3.liked(0), 2, "replacing keeps statistics");
        let c4 = c3.without_item("1");
        assert_eq!(c4.get("1"), None);
        assert!(!c4.is_live(0));
        assert_eq!(c4.len(), 3);
        assert_eq!(c4.items_in_category("western"), vec![3]);
        assert_eq!(c4.max_numeric_id(), 9);
    }

    /// Live items, categories, the id index and the postings by token text.
    type Indexed = (
        usize,
        usize,
        Vec<(String, ItemIdx)>,
        Vec<(String, Vec<ItemIdx>)>,
    );

    /// What a catalog indexes, by token text: the same whether it was updated item by item
    /// or rebuilt from its items.
    fn indexed(c: &Catalog) -> Indexed {
        let mut index: Vec<(String, ItemIdx)> =
            c.index.iter().map(|(id, &idx)| (id.clone(), idx)).collect();
        index.sort();
        let mut postings: Vec<(String, Vec<ItemIdx>)> = (0..c.n_tokens() as u32)
            .filter(|&t| !c.items_with(t).is_empty())
            .map(|t| (c.token_text(t).to_owned(), c.items_with(t).to_vec()))
            .collect();
        postings.sort();
        for (slot, item) in c.items.iter().enumerate() {
            let mut texts: Vec<&str> = item.features.iter().map(|&t| c.token_text(t)).collect();
            texts.sort_unstable();
            let expected = if item.deleted {
                Vec::new()
            } else {
                item_tokens(&item.record)
            };
            assert_eq!(texts, expected, "features of slot {slot}");
        }
        (c.len(), c.n_categories(), index, postings)
    }

    #[test]
    fn item_writes_index_as_a_rebuild_does() {
        let genres = ["Comedy", "Drama", "Horror", "Western", "Noir"];
        let mut rng = 7u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) as usize
        };
        let mut c = catalog();
        for step in 0..300 {
            let id = (next() % 12).to_string();
            c = if next() % 4 == 0 {
                c.without_item(&id)
            } else {
                let own: Vec<&str> = (0..next() % 3).map(|_| genres[next() % 5]).collect();
                let tags: Vec<&str> = if next() % 2 == 0 {
                    vec!["cult"]
                } else {
                    vec![]
                };
                c.with_item(item(&id, &own, &tags))
            };
            let mut rebuilt = c.clone();
            rebuilt.reindex();
            assert_eq!(indexed(&c), indexed(&rebuilt), "after step {step}");
        }
    }
}
