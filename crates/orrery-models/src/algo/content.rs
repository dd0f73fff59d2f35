//! The content-based recommender: a user's profile is the weighted mean of the vectors
//! (text embeddings) of the items they interacted with, optionally decayed with age and
//! blended with their stated interests; an item scores by the cosine of its vector with
//! the profile.
//!
//! The vectors come from the caller ([`ItemVectors`]); this module only averages and
//! compares them. It also keeps what the hybrid's cold start needs beside the vectors:
//! each item's categories, the centroid vector of every category, and item popularity.

use orrery_core::{Dataset, ItemIdx, UserIdx};
use serde::{Deserialize, Serialize};

use crate::algo::Algo;
use crate::content_params::ContentParams;
use crate::linalg::{axpy, dot, norm};
use crate::topk::top_k;
use crate::vectors::ItemVectors;
use crate::{Algorithm, Contribution, Error, Explanation, Result, Scored, UserRepr};

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Items' categories by a normalized name (`Sci-Fi`, `sci fi` and `genre:scifi` are one
/// category), in item-index order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemCategories {
    /// Normalized names, by category id.
    keys: Vec<String>,
    /// Names as first seen, by category id.
    labels: Vec<String>,
    /// Item `i`'s categories are `ids[indptr[i]..indptr[i + 1]]`.
    indptr: Vec<u32>,
    ids: Vec<u32>,
}

/// Lower-case letters and digits only, after any `type:` prefix: the form interests and
/// category values are compared in.
pub fn category_key(name: &str) -> String {
    let name = name.rsplit_once(':').map_or(name, |(_, value)| value);
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl ItemCategories {
    /// Categories from a list of names per item (category values, e.g. genres).
    pub fn from_lists<I, L, S>(lists: I) -> ItemCategories
    where
        I: IntoIterator<Item = L>,
        L: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = ItemCategories {
            indptr: vec![0],
            ..ItemCategories::default()
        };
        let mut index = std::collections::HashMap::<String, u32>::new();
        for list in lists {
            let start = out.ids.len();
            for name in list {
                let key = category_key(name.as_ref());
                if key.is_empty() {
                    continue;
                }
                let id = *index.entry(key.clone()).or_insert_with(|| {
                    out.keys.push(key);
                    out.labels.push(name.as_ref().trim().to_owned());
                    (out.keys.len() - 1) as u32
                });
                if !out.ids[start..].contains(&id) {
                    out.ids.push(id);
                }
            }
            out.indptr.push(out.ids.len() as u32);
        }
        out
    }

    /// The category values of a dataset's items.
    pub fn of_dataset(dataset: &Dataset) -> ItemCategories {
        ItemCategories::from_lists((0..dataset.n_items() as ItemIdx).map(|i| {
            dataset
                .item(i)
                .map(|r| {
                    r.categories
                        .iter()
                        .map(|c| c.value.clone())
                        .collect::<Vec<String>>()
                })
                .unwrap_or_default()
        }))
    }

    /// Number of items described.
    pub fn n_items(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of distinct categories.
    pub fn n_categories(&self) -> usize {
        self.keys.len()
    }

    /// The category ids of `item` (none for items beyond the table).
    pub fn of(&self, item: ItemIdx) -> &[u32] {
        let i = item as usize;
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.ids[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The category an interest or category name stands for, if any.
    pub fn find(&self, name: &str) -> Option<u32> {
        let key = category_key(name);
        self.keys.iter().position(|k| *k == key).map(|p| p as u32)
    }

    /// A category's name as first seen.
    pub fn label(&self, id: u32) -> Option<&str> {
        self.labels.get(id as usize).map(String::as_str)
    }

    fn check(&self) -> Result<()> {
        let ok = self.indptr.first() == Some(&0)
            && self.indptr.windows(2).all(|w| w[0] <= w[1])
            && self.indptr.last().copied() == Some(self.ids.len() as u32)
            && self.ids.iter().all(|&c| (c as usize) < self.keys.len())
            && self.keys.len() == self.labels.len();
        if ok {
            Ok(())
        } else {
            Err(Error::Corrupt("item categories are inconsistent".into()))
        }
    }
}

/// How history values turn into profile weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Affinity {
    /// Positive values count 1, negative −1.
    Binary,
    /// Ratings count by their distance from the middle of the scale (`(r − center) / half`).
    Rating { center: f32, half: f32 },
    /// Implicit weights count as they are (skips are negative).
    Weight,
}

impl Affinity {
    fn of(self, value: f32) -> f32 {
        match self {
            Affinity::Binary => value.signum() * (value != 0.0) as u8 as f32,
            Affinity::Rating { center, half } => ((value - center) / half).clamp(-1.0, 1.0),
            Affinity::Weight => value,
        }
    }
}

/// The fitted content model (see the module documentation).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Content {
    vectors: ItemVectors,
    categories: ItemCategories,
    /// Per category, the unit mean vector of its items (zeros when none has a vector).
    centroids: Vec<f32>,
    /// Per item, the number of users who liked it over the largest such number.
    popularity: Vec<f32>,
    affinity: Affinity,
    interest_weight: f32,
    /// The catalog's mean vector, subtracted from the item vectors (and from encoded
    /// interests) before normalizing them; empty when vectors are not centered.
    mean: Vec<f32>,
    /// Trained users' profiles (`n_users × dim`) when they are time-decayed, else empty
    /// (then profiles are computed from the history).
    trained: Vec<f32>,
}

impl Content {
    /// Fits on `dataset` with `vectors` in its item order (missing slots are items without
    /// a vector).
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &ContentParams,
        vectors: &ItemVectors,
    ) -> Result<Content> {
        let n_items = dataset.n_items();
        if vectors.n_items() > n_items {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Content,
                problem: format!(
                    "{} item vectors were given for {n_items} items",
                    vectors.n_items()
                ),
                hint: "pass the vectors in the dataset's item order, one slot per item",
            });
        }
        let mut vectors = vectors.clone();
        vectors.resize(n_items);
        let counts = liked_counts(dataset);
        let affinity = if params.binary {
            Affinity::Binary
        } else {
            match rating_scale(dataset) {
                Some((lo, hi)) if hi > lo => Affinity::Rating {
                    center: (lo + hi) / 2.0,
                    half: (hi - lo) / 2.0,
                },
                _ => Affinity::Weight,
            }
        };
        let mut content = Content::from_parts(
            vectors,
            ItemCategories::of_dataset(dataset),
            &counts,
            params,
        )?;
        content.affinity = affinity;
        if params.half_life_days > 0.0 {
            content.trained = content.decayed_profiles(dataset, params.half_life_days);
        }
        Ok(content)
    }

    /// A content model over a catalog the caller describes: vectors, categories and a
    /// popularity figure per item (any non-negative scale, e.g. interaction counts), all
    /// in the same item order. History values count as in a binary model unless
    /// `params.binary` is false, when they count as implicit weights.
    pub fn from_parts(
        vectors: ItemVectors,
        categories: ItemCategories,
        popularity: &[f32],
        params: &ContentParams,
    ) -> Result<Content> {
        let n_items = vectors.n_items();
        if categories.n_items() > n_items || popularity.len() != n_items {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Content,
                problem: format!(
                    "{n_items} vectors, {} category lists and {} popularity figures",
                    categories.n_items(),
                    popularity.len()
                ),
                hint: "describe every item once, in the same order",
            });
        }
        let max = popularity
            .iter()
            .copied()
            .filter(|p| p.is_finite())
            .fold(0.0f32, f32::max);
        let popularity = popularity
            .iter()
            .map(|&p| {
                if max > 0.0 && p.is_finite() {
                    (p / max).max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let (vectors, mean) = if params.center {
            centered(vectors)?
        } else {
            (vectors, Vec::new())
        };
        let centroids = centroids(&vectors, &categories);
        Ok(Content {
            vectors,
            categories,
            centroids,
            popularity,
            affinity: if params.binary {
                Affinity::Binary
            } else {
                Affinity::Weight
            },
            interest_weight: params.interest_weight,
            mean,
            trained: Vec::new(),
        })
    }

    /// The item vectors.
    pub fn vectors(&self) -> &ItemVectors {
        &self.vectors
    }

    /// The items' categories.
    pub fn categories(&self) -> &ItemCategories {
        &self.categories
    }

    /// Popularity of every item in [0, 1] (1 = the item most users liked).
    pub fn popularity(&self) -> &[f32] {
        &self.popularity
    }

    /// Length of a profile (the vectors' dimension).
    pub fn dim(&self) -> usize {
        self.vectors.dim()
    }

    /// The unit profile of a history: the weighted mean of its items' vectors (`weights`,
    /// when given, scale each entry, e.g. for its age), or zeros when nothing in it has a
    /// vector.
    pub fn profile(&self, history: &[(ItemIdx, f32)], weights: Option<&[f32]>) -> Vec<f32> {
        let mut profile = vec![0.0f32; self.dim()];
        for (n, &(item, value)) in history.iter().enumerate() {
            if let Some(v) = self.vectors.get(item) {
                let w = self.affinity.of(value) * weights.and_then(|w| w.get(n)).unwrap_or(&1.0);
                axpy(w, v, &mut profile);
            }
        }
        unit(&mut profile);
        profile
    }

    /// The profile of a history whose entries happened at `times` (Unix seconds): each
    /// counts `0.5^(age / half_life_days)`, the age measured from the newest entry.
    pub fn profile_timed(
        &self,
        history: &[(ItemIdx, f32)],
        times: &[i64],
        half_life_days: f64,
    ) -> Vec<f32> {
        let weights = decay_weights(times, half_life_days);
        self.profile(history, Some(&weights))
    }

    /// The vector of stated interests: the centroids of the categories they name (an
    /// interest `Comedy` stands for the mean of the comedies), plus `encoded`, a vector the
    /// caller computed from the interests' text with the same encoder as the items. `None`
    /// when neither says anything.
    pub fn interest_vector(
        &self,
        interests: &[String],
        encoded: Option<&[f32]>,
    ) -> Option<Vec<f32>> {
        let dim = self.dim();
        let mut v = vec![0.0f32; dim];
        let mut any = false;
        for interest in interests {
            if let Some(c) = self.categories.find(interest) {
                let row = &self.centroids[c as usize * dim..(c as usize + 1) * dim];
                if row.iter().any(|&x| x != 0.0) {
                    axpy(1.0, row, &mut v);
                    any = true;
                }
            }
        }
        if let Some(e) = encoded.filter(|e| e.len() == dim && e.iter().all(|x| x.is_finite())) {
            let n = norm(e);
            if n > 0.0 {
                // The items' way: unit length, then centered, then unit length.
                let mut e: Vec<f32> = e.iter().map(|x| x / n).collect();
                if self.mean.len() == dim {
                    axpy(-1.0, &self.mean, &mut e);
                }
                unit(&mut e);
                axpy(1.0, &e, &mut v);
                any = true;
            }
        }
        if !any {
            return None;
        }
        unit(&mut v);
        Some(v)
    }

    /// `profile` moved towards `interests` (a unit vector) by the interest weight, as a unit
    /// vector again: with weight 1 interests count as much as the whole history.
    pub fn with_interests(&self, profile: &[f32], interests: &[f32]) -> Vec<f32> {
        let mut out = profile.to_vec();
        axpy(self.interest_weight, interests, &mut out);
        unit(&mut out);
        out
    }

    /// Cosine of every item with `profile` into `out`; −∞ for items without a vector.
    pub fn score_profile(&self, profile: &[f32], out: &mut [f32]) {
        self.vectors.dots(profile, out);
    }

    /// How well each item falls in the categories closest to `profile`, in [0, 1]: per
    /// category, its centroid's cosine with the profile, rescaled so that the closest
    /// category is 1 and categories at or below the mean 0; an item takes its best
    /// category's value. All zeros for an empty profile.
    pub fn category_match(&self, profile: &[f32]) -> Vec<f32> {
        let affinities = self.category_affinities(profile);
        (0..self.vectors.n_items() as ItemIdx)
            .map(|i| self.item_category_match(&affinities, i))
            .collect()
    }

    /// Per category, how close it is to `profile` in [0, 1] (see
    /// [`Content::category_match`]); empty when nothing is known.
    pub fn category_affinities(&self, profile: &[f32]) -> Vec<f32> {
        let dim = self.dim();
        let n_cat = self.categories.n_categories();
        if n_cat == 0 || profile.iter().all(|&x| x == 0.0) {
            return Vec::new();
        }
        let sims: Vec<Option<f32>> = (0..n_cat)
            .map(|c| {
                let row = &self.centroids[c * dim..(c + 1) * dim];
                row.iter().any(|&x| x != 0.0).then(|| dot(profile, row))
            })
            .collect();
        let known: Vec<f32> = sims.iter().flatten().copied().collect();
        if known.is_empty() {
            return Vec::new();
        }
        let mean = known.iter().sum::<f32>() / known.len() as f32;
        let max = known.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        sims.iter()
            .map(|s| match s {
                Some(s) if max > mean => ((s - mean) / (max - mean)).max(0.0),
                Some(_) => 1.0,
                None => 0.0,
            })
            .collect()
    }

    /// An item's match with the categories of [`Content::category_affinities`]: its best
    /// category's value (0 without categories).
    pub fn item_category_match(&self, affinities: &[f32], item: ItemIdx) -> f32 {
        if item as usize >= self.categories.n_items() {
            return 0.0;
        }
        self.categories
            .of(item)
            .iter()
            .filter_map(|&c| affinities.get(c as usize))
            .fold(0.0, |best, &a| best.max(a))
    }

    /// Shares of the history's items in the cosine of `profile` (built from `history`
    /// without weights) with `item`'s vector; the part they do not explain (interests) is
    /// the baseline.
    pub(crate) fn contributions(
        &self,
        profile: &[f32],
        history: &[(ItemIdx, f32)],
        item: ItemIdx,
    ) -> Explanation {
        let Some(target) = self.vectors.get(item) else {
            return Explanation::new(item, 0.0, Vec::new());
        };
        let score = dot(profile, target);
        // The unnormalized profile's length turns raw shares into shares of the cosine.
        let mut raw = vec![0.0f32; self.dim()];
        for &(i, value) in history {
            if let Some(v) = self.vectors.get(i) {
                axpy(self.affinity.of(value), v, &mut raw);
            }
        }
        let length = norm(&raw);
        let contributions: Vec<Contribution> = if length > 0.0 {
            history
                .iter()
                .filter_map(|&(i, value)| {
                    let v = self.vectors.get(i)?;
                    Some(Contribution {
                        item: i,
                        weight: self.affinity.of(value) * dot(v, target) / length,
                    })
                })
                .filter(|c| c.weight != 0.0)
                .collect()
        } else {
            Vec::new()
        };
        let explained: f32 = contributions.iter().map(|c| c.weight).sum();
        Explanation::new(item, score - explained, contributions)
    }

    /// The decayed profile of every trained user, row-major.
    fn decayed_profiles(&self, dataset: &Dataset, half_life_days: f64) -> Vec<f32> {
        let csr = dataset.user_items();
        let mut out = Vec::with_capacity(csr.rows() * self.dim());
        for u in 0..csr.rows() as UserIdx {
            let row = csr.row(u);
            let history: Vec<(ItemIdx, f32)> = row
                .indices
                .iter()
                .zip(row.ratings.iter().zip(row.weights))
                .map(|(&i, (&r, &w))| (i, if r.is_nan() { w } else { r }))
                .collect();
            out.extend(self.profile_timed(&history, row.times, half_life_days));
        }
        out
    }

    pub(crate) fn check_parts(&self) -> Result<()> {
        self.vectors.check()?;
        self.categories.check()?;
        let n = self.vectors.n_items();
        if self.popularity.len() != n
            || self.categories.n_items() > n
            || self.centroids.len() != self.categories.n_categories() * self.dim()
        {
            return Err(Error::Corrupt(
                "content model: vectors, categories and popularity disagree on the items".into(),
            ));
        }
        Ok(())
    }
}

/// Per entry, `0.5^(age / half_life_days)` with ages from the newest of `times`.
pub(crate) fn decay_weights(times: &[i64], half_life_days: f64) -> Vec<f32> {
    let newest = times.iter().copied().max().unwrap_or(0);
    times
        .iter()
        .map(|&t| {
            if half_life_days > 0.0 {
                let age = (newest - t).max(0) as f64 / SECONDS_PER_DAY;
                0.5f64.powf(age / half_life_days) as f32
            } else {
                1.0
            }
        })
        .collect()
}

/// Per item, how many users liked it: a rating in the top quarter of the scale (4 and 5
/// of 1–5) or a positive implicit weight. Popularity counted this way ranked ML-1M test
/// users' liked items better than counting every interaction (low ratings included).
/// Plain interaction counts when nobody liked anything.
fn liked_counts(dataset: &Dataset) -> Vec<f32> {
    let liked_from = rating_scale(dataset).map_or(f32::INFINITY, |(lo, hi)| {
        let (center, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
        center + half / 2.0
    });
    let item_users = dataset.item_users();
    let count = |liked_only: bool| -> Vec<f32> {
        (0..dataset.n_items() as ItemIdx)
            .map(|i| {
                let row = item_users.row(i);
                row.ratings
                    .iter()
                    .zip(row.weights)
                    .filter(|&(&r, &w)| {
                        !liked_only || if r.is_nan() { w > 0.0 } else { r >= liked_from }
                    })
                    .count() as f32
            })
            .collect()
    };
    let liked = count(true);
    if liked.iter().any(|&c| c > 0.0) {
        liked
    } else {
        count(false)
    }
}

/// The lowest and highest explicit rating of a dataset, if it has any.
fn rating_scale(dataset: &Dataset) -> Option<(f32, f32)> {
    let ratings = dataset.user_items().ratings();
    let (lo, hi) = ratings
        .iter()
        .filter(|r| r.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    (lo <= hi).then_some((lo, hi))
}

/// Scales `v` to unit length in place (a zero vector stays zero).
fn unit(v: &mut [f32]) {
    let n = norm(v);
    if n > 0.0 && n.is_finite() {
        v.iter_mut().for_each(|x| *x /= n);
    } else {
        v.fill(0.0);
    }
}

/// The vectors minus their mean, each scaled to unit length again, and the mean (empty
/// when fewer than two items have a vector: then there is nothing to center on).
fn centered(vectors: ItemVectors) -> Result<(ItemVectors, Vec<f32>)> {
    let count = vectors.count();
    if count < 2 {
        return Ok((vectors, Vec::new()));
    }
    let dim = vectors.dim();
    let mut mean = vec![0.0f32; dim];
    for i in 0..vectors.n_items() as ItemIdx {
        if let Some(v) = vectors.get(i) {
            axpy(1.0 / count as f32, v, &mut mean);
        }
    }
    let mut out = ItemVectors::new(dim, vectors.n_items());
    let mut row = vec![0.0f32; dim];
    for i in 0..vectors.n_items() as ItemIdx {
        if let Some(v) = vectors.get(i) {
            row.copy_from_slice(v);
            axpy(-1.0, &mean, &mut row);
            out.set(i, &row)?;
        }
    }
    Ok((out, mean))
}

/// The unit mean vector of each category's items.
fn centroids(vectors: &ItemVectors, categories: &ItemCategories) -> Vec<f32> {
    let dim = vectors.dim();
    let mut out = vec![0.0f32; categories.n_categories() * dim];
    for i in 0..categories.n_items().min(vectors.n_items()) as ItemIdx {
        if let Some(v) = vectors.get(i) {
            for &c in categories.of(i) {
                axpy(1.0, v, &mut out[c as usize * dim..(c as usize + 1) * dim]);
            }
        }
    }
    for row in out.chunks_mut(dim.max(1)) {
        unit(row);
    }
    out
}

impl Algo for Content {
    fn n_items(&self) -> usize {
        self.vectors.n_items()
    }

    fn factors(&self) -> usize {
        self.dim()
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        let dim = self.dim();
        let start = user as usize * dim;
        let factors = match self.trained.get(start..start + dim) {
            Some(row) => row.to_vec(),
            None => self.profile(&history, None),
        };
        UserRepr {
            factors,
            history,
            ..UserRepr::default()
        }
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        Ok(UserRepr {
            factors: self.profile(&history, None),
            history,
            ..UserRepr::default()
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        for (o, &i) in out.iter_mut().zip(items) {
            *o = match self.vectors.get(i) {
                Some(v) => dot(&user.factors, v),
                None => f32::NEG_INFINITY,
            };
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        self.score_profile(&user.factors, out);
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        let target = self.vectors.get(item)?;
        let candidates = (0..self.vectors.n_items() as ItemIdx)
            .filter(|&j| j != item)
            .filter_map(|j| Some((j, dot(target, self.vectors.get(j)?))));
        Some(top_k(candidates, k))
    }

    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        Ok(Some(self.contributions(&user.factors, &user.history, item)))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        self.check_parts()?;
        if !self.trained.is_empty() && self.trained.len() != n_users * self.dim() {
            return Err(Error::Corrupt(format!(
                "content model: {} profile values for {n_users} users of {} dimensions",
                self.trained.len(),
                self.dim()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_keys_ignore_case_punctuation_and_type() {
        assert_eq!(category_key("Sci-Fi"), "scifi");
        assert_eq!(category_key("genre:sci fi"), "scifi");
        let c = ItemCategories::from_lists([vec!["Comedy", "Sci-Fi"], vec![], vec!["comedy"]]);
        assert_eq!(c.n_categories(), 2);
        assert_eq!(c.of(2), c.of(0).get(..1).unwrap());
        assert_eq!(c.find("SCI FI"), Some(1));
        assert_eq!(c.label(1), Some("Sci-Fi"));
        assert!(c.of(1).is_empty() && c.of(9).is_empty());
    }

    #[test]
    fn decay_halves_per_half_life() {
        let w = decay_weights(&[0, 86_400, 2 * 86_400], 1.0);
        assert_eq!(w, vec![0.25, 0.5, 1.0]);
        assert_eq!(decay_weights(&[5, 9], 0.0), vec![1.0, 1.0]);
    }
}
