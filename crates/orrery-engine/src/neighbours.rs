//! Users with similar taste ("users like you"): the training users nearest to a user by
//! the active model's user factors, searched in the model's vector index over them, or,
//! for models without user factors, by the overlap of their histories.

use std::collections::{HashMap, HashSet};

use orrery_core::{ItemIdx, UserIdx};
use orrery_models::{Recommender, UserRepr};
use serde::Serialize;
use utoipa::ToSchema;

use crate::serving::ServingModel;

/// How user similarity was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserSimilarity {
    /// Cosine of the model's user factors.
    Factors,
    /// Jaccard index of the two users' sets of items.
    SharedItems,
}

/// Users with overlapping histories ranked by Jaccard, at most (the rest share fewer items
/// than all of these and rarely rank higher).
const OVERLAP_CANDIDATES: usize = 500;

/// The `k` training users most similar to `repr` among those `allow` admits, with their
/// similarity, best first.
pub(crate) fn nearest_users(
    model: &ServingModel,
    repr: &UserRepr,
    k: usize,
    allow: impl Fn(UserIdx) -> bool + Sync,
) -> (UserSimilarity, Vec<(UserIdx, f32)>) {
    if !repr.factors.is_empty()
        && let Some(found) = model.similar_users(&repr.factors, k, &allow)
    {
        return (UserSimilarity::Factors, found);
    }
    (
        UserSimilarity::SharedItems,
        by_overlap(model, repr, k, allow),
    )
}

/// Users who share items with `repr`, ranked by the Jaccard index of the two item sets.
fn by_overlap(
    model: &ServingModel,
    repr: &UserRepr,
    k: usize,
    allow: impl Fn(UserIdx) -> bool,
) -> Vec<(UserIdx, f32)> {
    let mine: HashSet<ItemIdx> = repr.history.iter().map(|&(i, _)| i).collect();
    let by_item = model.item_users();
    let mut common: HashMap<UserIdx, u32> = HashMap::new();
    for &item in &mine {
        for &(u, _) in by_item.get(item as usize).map_or(&[][..], Vec::as_slice) {
            if allow(u) {
                *common.entry(u).or_default() += 1;
            }
        }
    }
    let mut candidates: Vec<(UserIdx, u32)> = common.into_iter().collect();
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    candidates.truncate(OVERLAP_CANDIDATES);
    let mut found: Vec<(UserIdx, f32)> = candidates
        .into_iter()
        .filter_map(|(u, shared)| {
            let theirs = model.model.user(u).ok()?.history.len();
            let union = mine.len() + theirs - shared as usize;
            Some((u, shared as f32 / union.max(1) as f32))
        })
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found.truncate(k);
    found
}

/// How many items of `repr`'s history training user `u` also has.
pub(crate) fn items_in_common(model: &ServingModel, repr: &UserRepr, u: UserIdx) -> usize {
    let Ok(theirs) = model.model.user(u) else {
        return 0;
    };
    let theirs: HashSet<ItemIdx> = theirs.history.iter().map(|&(i, _)| i).collect();
    repr.history
        .iter()
        .filter(|(i, _)| theirs.contains(i))
        .count()
}
