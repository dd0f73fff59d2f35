//! [`Explanation`]: why a user gets the score they get for an item, in numbers: the items
//! of their history that pull the score up or down, the categories the item shares with
//! what they like, and similar users who liked it.

use std::collections::HashMap;

use orrery_core::{ItemIdx, RatingScale, UserIdx};
use orrery_models::{Recommender, UserRepr};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::is_positive;
use crate::neighbours::nearest_users;
use crate::serving::ServingModel;
use crate::users::UserView;
use crate::{EngineResult, Snapshot, item_similarity};

/// One history item's share of a score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Influence {
    /// The history item.
    pub item_id: String,
    /// Its title.
    pub title: String,
    /// The user's value for it (rating, or implicit weight).
    pub user_value: f32,
    /// Its share of the score: additive for models that decompose their scores, else the
    /// item's similarity to the explained one times the user's affinity.
    pub contribution: f32,
}

/// A category the explained item shares with the user's liked items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SharedCategory {
    /// The category value.
    pub category: String,
    /// How many of the user's liked items have it.
    pub liked_items: usize,
    /// That count over all the user's liked items.
    pub share: f32,
}

/// A user with similar taste who liked the explained item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimilarUser {
    /// The user.
    pub user_id: String,
    /// Cosine of the two users' factors, or Jaccard of their histories for models without
    /// factors.
    pub similarity: f32,
    /// Their value for the item.
    pub value: f32,
}

/// Why a user gets the score they get for an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Explanation {
    /// The user.
    pub user_id: String,
    /// The item.
    pub item_id: String,
    /// Its title.
    pub title: String,
    /// The model's algorithm.
    pub algorithm: String,
    /// The model version.
    pub model_version: i64,
    /// The model's score.
    pub score: f32,
    /// The predicted rating, for rating models.
    pub predicted_rating: Option<f32>,
    /// The part of the score that does not depend on the user's history (global mean and
    /// item bias), for models that decompose their scores.
    pub baseline: Option<f32>,
    /// `additive` (contributions sum to score − baseline) or `similarity`.
    pub contribution_kind: &'static str,
    /// History items that raise the score, largest first.
    pub pulled_up_by: Vec<Influence>,
    /// History items that lower it.
    pub pulled_down_by: Vec<Influence>,
    /// Categories of the item among those the user likes.
    pub shared_categories: Vec<SharedCategory>,
    /// Similar users who liked the item, most similar first.
    pub similar_users: Vec<SimilarUser>,
    /// One sentence.
    pub summary: String,
}

const SHOWN: usize = 5;

pub(crate) fn explain(
    snapshot: &Snapshot,
    model: &ServingModel,
    view: &UserView,
    repr: &UserRepr,
    idx: ItemIdx,
    m: ItemIdx,
) -> EngineResult<Explanation> {
    let catalog = &snapshot.catalog;
    let item = catalog
        .item(idx)
        .map(|i| i.record.clone())
        .unwrap_or_default();
    let title_of = |id: &str| {
        catalog
            .get(id)
            .and_then(|i| catalog.item(i))
            .map_or_else(String::new, |i| i.record.title.clone())
    };
    let mut out = [0f32];
    model.model.score(repr, &[m], &mut out)?;
    let score = out[0];
    let predicted_rating = model
        .model
        .rating_range()
        .map(|(lo, hi)| score.clamp(lo, hi));

    let (kind, baseline, mut influences) = match model.model.explain(repr, m) {
        Ok(e) => {
            let influences: Vec<Influence> = e
                .contributions
                .iter()
                .filter_map(|c| {
                    let id = model.item_id(c.item)?;
                    let user_value = repr
                        .history
                        .iter()
                        .find(|(i, _)| *i == c.item)
                        .map_or(0.0, |&(_, v)| v);
                    Some(Influence {
                        item_id: id.to_owned(),
                        title: title_of(id),
                        user_value,
                        contribution: c.weight,
                    })
                })
                .collect();
            ("additive", Some(e.baseline), influences)
        }
        Err(_) => {
            let influences = view
                .history
                .iter()
                .filter_map(|c| {
                    let other = catalog.get(&c.item)?;
                    let similarity = item_similarity(snapshot, idx, other);
                    let contribution = similarity * c.affinity(catalog.rating_scale());
                    // A faint resemblance explains nothing (see `reasons`).
                    let material = similarity.abs() >= crate::reasons::RESEMBLANCE_MIN;
                    (material && contribution != 0.0).then(|| Influence {
                        item_id: c.item.clone(),
                        title: title_of(&c.item),
                        user_value: c.value,
                        contribution,
                    })
                })
                .collect();
            ("similarity", None, influences)
        }
    };
    influences.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    let pulled_up_by: Vec<Influence> = influences
        .iter()
        .filter(|i| i.contribution > 0.0)
        .take(SHOWN)
        .cloned()
        .collect();
    let pulled_down_by: Vec<Influence> = influences
        .iter()
        .rev()
        .filter(|i| i.contribution < 0.0)
        .take(SHOWN)
        .cloned()
        .collect();

    // Categories of the item among the user's liked items.
    let liked: Vec<&orrery_core::ItemRecord> = view
        .history
        .iter()
        .filter(|c| c.is_positive(catalog.rating_scale()))
        .filter_map(|c| catalog.get(&c.item).and_then(|i| catalog.item(i)))
        .map(|i| &i.record)
        .collect();
    let mut shared_categories: Vec<SharedCategory> = item
        .categories
        .iter()
        .map(|c| {
            let wanted = c.value.to_lowercase();
            let count = liked
                .iter()
                .filter(|r| {
                    r.categories
                        .iter()
                        .any(|x| x.value.to_lowercase() == wanted)
                })
                .count();
            SharedCategory {
                category: c.value.clone(),
                liked_items: count,
                share: if liked.is_empty() {
                    0.0
                } else {
                    count as f32 / liked.len() as f32
                },
            }
        })
        .filter(|s| s.liked_items > 0)
        .collect();
    shared_categories.sort_by_key(|s| std::cmp::Reverse(s.liked_items));

    let similar_users = similar_users(model, repr, &view.record.id, m, catalog.rating_scale());

    let summary = summarize(
        &item.title,
        &pulled_up_by,
        &shared_categories,
        &similar_users,
    );
    Ok(Explanation {
        user_id: view.record.id.clone(),
        item_id: item.id.clone(),
        title: item.title.clone(),
        algorithm: model.info.algorithm.clone(),
        model_version: model.version(),
        score,
        predicted_rating,
        baseline,
        contribution_kind: kind,
        pulled_up_by,
        pulled_down_by,
        shared_categories,
        similar_users,
        summary,
    })
}

fn similar_users(
    model: &ServingModel,
    repr: &UserRepr,
    user_id: &str,
    m: ItemIdx,
    scale: &RatingScale,
) -> Vec<SimilarUser> {
    let explicit = model.model.rating_range().is_some();
    let me = model.user_index(user_id);
    let Some(likers) = model.item_users().get(m as usize) else {
        return Vec::new();
    };
    let liked: HashMap<UserIdx, f32> = likers
        .iter()
        .filter(|&&(u, v)| {
            Some(u) != me
                && if explicit {
                    is_positive(scale, v, v)
                } else {
                    is_positive(scale, f32::NAN, v)
                }
        })
        .copied()
        .collect();
    let (_, found) = nearest_users(model, repr, SHOWN, |u| liked.contains_key(&u));
    found
        .into_iter()
        .filter_map(|(u, similarity)| {
            Some(SimilarUser {
                user_id: model.user_id(u)?.to_owned(),
                similarity,
                value: *liked.get(&u)?,
            })
        })
        .collect()
}

fn summarize(
    title: &str,
    up: &[Influence],
    categories: &[SharedCategory],
    users: &[SimilarUser],
) -> String {
    let mut parts = Vec::new();
    if let Some(top) = up.first() {
        parts.push(format!("you rated {:?} {}", top.title, top.user_value));
    }
    if let Some(c) = categories.first() {
        parts.push(format!(
            "{:.0}% of the items you like are {}",
            c.share * 100.0,
            c.category
        ));
    }
    if !users.is_empty() {
        parts.push(format!("{} users with similar taste liked it", users.len()));
    }
    if parts.is_empty() {
        format!("{title:?} is scored from the model's item factors and biases alone")
    } else {
        format!("{title:?}: {}", parts.join("; "))
    }
}
