//! Blending of collaborative, content and popularity scores into one ranking, the way the
//! hybrid recommender ([`crate::Algorithm::Hybrid`]) ranks and the way a server that holds
//! a collaborative model and item vectors separately ranks its catalog (same rules, one
//! place).
//!
//! - Each signal is min–max normalized to [0, 1] over the items that may be recommended.
//!   An item a signal cannot score (an item newer than the collaborative model, an item
//!   without a vector) takes that signal's mean, so that it neither wins nor loses by the
//!   gap: a new item is recommended on its content alone.
//! - Warm users (at least [`Blend::cold_start_threshold`] interactions):
//!   `cf_weight · collaborative + (1 − cf_weight) · content`, with only the signals that
//!   are switched on and available, then moved towards popularity by a share that shrinks
//!   with the user's history: `s = popularity_prior · min(1, cold_start_threshold / n)`
//!   for `n` interactions, `(1 − s) · blend + s · popularity`. A user with a handful of
//!   interactions leans on what is popular; one with hundreds hardly at all.
//! - Cold users: `(1 − popularity_weight) · content + popularity_weight · popularity ·
//!   category match`, the content profile coming from stated interests and the few
//!   interactions there are, the category match from the categories closest to it.
//! - Optionally, maximal marginal relevance re-ranks the best candidates for diversity.
//!
//! Every ranked item says which signals produced it ([`Source`]).

use orrery_core::ItemIdx;
use serde::{Deserialize, Serialize};

use crate::linalg::dot;
use crate::vectors::ItemVectors;

/// Which signals produced a recommended item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Collaborative filtering and content similarity together.
    Hybrid,
    /// Collaborative filtering alone (content switched off or no vector for the item).
    Collaborative,
    /// Content similarity alone (collaborative filtering switched off, or an item too new
    /// for the collaborative model).
    Content,
    /// A cold-start user: interests and first interactions, with what is popular in their
    /// categories.
    ColdStart,
    /// Nothing personal to go on: popularity.
    Popularity,
}

impl Source {
    /// The name used in responses (`hybrid`, `collaborative`, …).
    pub fn name(self) -> &'static str {
        match self {
            Source::Hybrid => "hybrid",
            Source::Collaborative => "collaborative",
            Source::Content => "content",
            Source::ColdStart => "cold_start",
            Source::Popularity => "popularity",
        }
    }
}

/// How to blend, per request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Blend {
    /// Use the collaborative signal.
    pub use_cf: bool,
    /// Use the content (embedding) signal.
    pub use_embeddings: bool,
    /// Share of the collaborative signal for warm users, in [0, 1].
    pub cf_weight: f32,
    /// Users with fewer interactions are cold.
    pub cold_start_threshold: usize,
    /// Share of "popular in your categories" in cold-start scores, in [0, 1].
    pub popularity_weight: f32,
    /// Share of popularity in warm users' scores at the cold-start threshold, shrinking as
    /// `threshold / interactions` beyond it, in [0, 1].
    pub popularity_prior: f32,
    /// Maximal-marginal-relevance λ in (0, 1]; 1 = no diversity re-ranking.
    pub mmr_lambda: f32,
}

impl Default for Blend {
    fn default() -> Self {
        Blend {
            use_cf: true,
            use_embeddings: true,
            cf_weight: 0.5,
            cold_start_threshold: 5,
            popularity_weight: 0.5,
            popularity_prior: 0.5,
            mmr_lambda: 1.0,
        }
    }
}

/// The raw signals for one user over one catalog (all slices one slot per item).
#[derive(Debug, Clone, Copy)]
pub struct Signals<'a> {
    /// Collaborative scores (any scale); non-finite where the model cannot score the item.
    pub collaborative: Option<&'a [f32]>,
    /// Cosine of each item with the user's content profile; non-finite for items without
    /// a vector. `None` when the user has no profile.
    pub content: Option<&'a [f32]>,
    /// Popularity in [0, 1].
    pub popularity: &'a [f32],
    /// Category match in [0, 1] (cold start), when known.
    pub category_match: Option<&'a [f32]>,
    /// The user's number of interactions (decides cold or warm).
    pub interactions: usize,
}

/// One ranked item and the parts of its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// The item.
    pub item: ItemIdx,
    /// The blended score (higher is better; in [0, 1] before diversity re-ranking).
    pub score: f32,
    /// The normalized collaborative score, when the collaborative signal was used and
    /// could score the item.
    pub collaborative: Option<f32>,
    /// The normalized content score, when the content signal was used and the item has a
    /// vector.
    pub content: Option<f32>,
    /// Popularity in [0, 1].
    pub popularity: f32,
    /// Which signals produced it.
    pub source: Source,
}

/// What the blend decided for the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The list's method: the source of most of its items' scores.
    pub source: Source,
    /// Whether the user counted as cold.
    pub cold: bool,
    /// The collaborative share actually used (0 when the signal was not).
    pub cf_weight: f32,
    /// The share of popularity added for a sparse history (see the module documentation).
    pub popularity_prior: f32,
}

/// Min–max normalization of the finite scores of admitted items to [0, 1]; the others
/// become NaN. All-equal scores become 0.5. Returns the mean of the normalized values.
pub fn normalize(raw: &[f32], admit: &[bool]) -> (Vec<f32>, f32) {
    let (lo, hi) = raw
        .iter()
        .zip(admit)
        .filter(|&(s, &a)| a && s.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (&s, _)| {
            (lo.min(s), hi.max(s))
        });
    let span = hi - lo;
    let mut sum = 0.0f64;
    let mut n = 0usize;
    let out = raw
        .iter()
        .zip(admit)
        .map(|(&s, &a)| {
            if !a || !s.is_finite() {
                return f32::NAN;
            }
            let v = if span > 0.0 { (s - lo) / span } else { 0.5 };
            sum += v as f64;
            n += 1;
            v
        })
        .collect();
    let mean = if n > 0 { (sum / n as f64) as f32 } else { 0.0 };
    (out, mean)
}

/// Blended scores of every item (NaN where `admit` is false) and the plan behind them.
pub fn blend_scores(signals: &Signals, blend: &Blend, admit: &[bool]) -> (Vec<BlendedItem>, Plan) {
    let n = admit.len();
    let cold = signals.interactions < blend.cold_start_threshold;
    let cf = signals
        .collaborative
        .filter(|_| blend.use_cf && !cold && blend.cf_weight > 0.0)
        .map(|s| normalize(s, admit));
    let content = signals
        .content
        .filter(|_| blend.use_embeddings && (cold || blend.cf_weight < 1.0 || cf.is_none()))
        .map(|s| normalize(s, admit));
    let pop = |i: usize| signals.popularity.get(i).copied().unwrap_or(0.0);
    let (plan_source, cf_weight) = match (cold, &cf, &content) {
        (true, _, Some(_)) => (Source::ColdStart, 0.0),
        (true, _, None) => (Source::Popularity, 0.0),
        (false, Some(_), Some(_)) => (Source::Hybrid, blend.cf_weight),
        (false, Some(_), None) => (Source::Collaborative, 1.0),
        (false, None, Some(_)) => (Source::Content, 0.0),
        (false, None, None) => (Source::Popularity, 0.0),
    };
    // The sparser the history, the more popularity counts (warm users only).
    let prior = if cold || matches!(plan_source, Source::Popularity) {
        0.0
    } else {
        let threshold = blend.cold_start_threshold.max(1) as f32;
        blend.popularity_prior * (threshold / signals.interactions.max(1) as f32).min(1.0)
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if !admit[i] {
            out.push(BlendedItem::excluded());
            continue;
        }
        let c = cf.as_ref().map(|(v, _)| v[i]).filter(|v| v.is_finite());
        let t = content
            .as_ref()
            .map(|(v, _)| v[i])
            .filter(|v| v.is_finite());
        let p = pop(i);
        let item = if cold {
            let w = blend.popularity_weight;
            let category = signals
                .category_match
                .and_then(|m| m.get(i).copied())
                .unwrap_or(1.0);
            match &content {
                Some((_, mean)) => BlendedItem {
                    score: (1.0 - w) * t.unwrap_or(*mean) + w * p * category,
                    collaborative: None,
                    content: t,
                    source: Source::ColdStart,
                },
                None => BlendedItem {
                    score: p * category,
                    collaborative: None,
                    content: None,
                    source: Source::Popularity,
                },
            }
        } else {
            match (&cf, &content) {
                (Some((_, cf_mean)), Some((_, ct_mean))) => BlendedItem {
                    score: cf_weight * c.unwrap_or(*cf_mean)
                        + (1.0 - cf_weight) * t.unwrap_or(*ct_mean),
                    collaborative: c,
                    content: t,
                    source: match (c, t) {
                        (Some(_), Some(_)) => Source::Hybrid,
                        (Some(_), None) => Source::Collaborative,
                        (None, Some(_)) => Source::Content,
                        (None, None) => Source::Popularity,
                    },
                },
                (Some((_, cf_mean)), None) => BlendedItem {
                    score: c.unwrap_or(*cf_mean),
                    collaborative: c,
                    content: None,
                    source: if c.is_some() {
                        Source::Collaborative
                    } else {
                        Source::Popularity
                    },
                },
                (None, Some((_, ct_mean))) => BlendedItem {
                    score: t.unwrap_or(*ct_mean),
                    collaborative: None,
                    content: t,
                    source: if t.is_some() {
                        Source::Content
                    } else {
                        Source::Popularity
                    },
                },
                (None, None) => BlendedItem {
                    score: p,
                    collaborative: None,
                    content: None,
                    source: Source::Popularity,
                },
            }
        };
        out.push(BlendedItem {
            score: (1.0 - prior) * item.score + prior * p,
            ..item
        });
    }
    (
        out,
        Plan {
            source: plan_source,
            cold,
            cf_weight,
            popularity_prior: prior,
        },
    )
}

/// One item's blended score and parts (NaN score for items not admitted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendedItem {
    /// The blended score.
    pub score: f32,
    /// Normalized collaborative score, if used and available.
    pub collaborative: Option<f32>,
    /// Normalized content score, if used and available.
    pub content: Option<f32>,
    /// Which signals produced it.
    pub source: Source,
}

impl BlendedItem {
    fn excluded() -> BlendedItem {
        BlendedItem {
            score: f32::NAN,
            collaborative: None,
            content: None,
            source: Source::Popularity,
        }
    }
}

/// The `k` best admitted items by blended score (ties: lower index first), re-ranked by
/// maximal marginal relevance when `blend.mmr_lambda < 1` and `vectors` are given.
pub fn rank(
    signals: &Signals,
    blend: &Blend,
    admit: &[bool],
    k: usize,
    vectors: Option<&ItemVectors>,
) -> (Vec<Ranked>, Plan) {
    let (scores, plan) = blend_scores(signals, blend, admit);
    let mut order: Vec<usize> = (0..scores.len())
        .filter(|&i| admit[i] && scores[i].score.is_finite())
        .collect();
    let by_score =
        |a: &usize, b: &usize| scores[*b].score.total_cmp(&scores[*a].score).then(a.cmp(b));
    let diversify = blend.mmr_lambda < 1.0 && vectors.is_some();
    // MMR chooses among a pool of the best candidates, wide enough to find different ones.
    let pool = if diversify { (k * 5).max(50) } else { k };
    if pool < order.len() {
        order.select_nth_unstable_by(pool, by_score);
        order.truncate(pool);
    }
    order.sort_unstable_by(by_score);
    let chosen = match vectors {
        Some(v) if diversify => mmr(&order, &scores, v, blend.mmr_lambda, k),
        _ => order.into_iter().take(k).collect(),
    };
    let popularity = |i: usize| signals.popularity.get(i).copied().unwrap_or(0.0);
    let ranked = chosen
        .into_iter()
        .map(|i| Ranked {
            item: i as ItemIdx,
            score: scores[i].score,
            collaborative: scores[i].collaborative,
            content: scores[i].content,
            popularity: popularity(i),
            source: scores[i].source,
        })
        .collect();
    (ranked, plan)
}

/// Greedy maximal marginal relevance over `pool` (best first): each pick maximizes
/// `λ · score − (1 − λ) · max cosine with the picks so far`; items without a vector count
/// as dissimilar to everything.
pub fn mmr(
    pool: &[usize],
    scores: &[BlendedItem],
    vectors: &ItemVectors,
    lambda: f32,
    k: usize,
) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::with_capacity(k.min(pool.len()));
    let mut max_sim = vec![0.0f32; pool.len()];
    let mut taken = vec![false; pool.len()];
    while chosen.len() < k && chosen.len() < pool.len() {
        let mut best: Option<(usize, f32)> = None;
        for (p, &i) in pool.iter().enumerate() {
            if taken[p] {
                continue;
            }
            let value = lambda * scores[i].score - (1.0 - lambda) * max_sim[p];
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((p, value));
            }
        }
        let Some((p, _)) = best else { break };
        taken[p] = true;
        let picked = pool[p];
        chosen.push(picked);
        if let Some(v) = vectors.get(picked as ItemIdx) {
            for (q, &j) in pool.iter().enumerate() {
                if let (false, Some(w)) = (taken[q], vectors.get(j as ItemIdx)) {
                    max_sim[q] = max_sim[q].max(dot(v, w));
                }
            }
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals<'a>(cf: &'a [f32], content: &'a [f32], pop: &'a [f32], n: usize) -> Signals<'a> {
        Signals {
            collaborative: Some(cf),
            content: Some(content),
            popularity: pop,
            category_match: None,
            interactions: n,
        }
    }

    #[test]
    fn weights_move_the_ranking_between_the_signals() {
        // Item 0 is collaborative's favourite, item 2 content's.
        let cf = [3.0, 2.0, 1.0];
        let content = [0.1, 0.5, 0.9];
        let pop = [0.0; 3];
        let admit = [true; 3];
        let s = signals(&cf, &content, &pop, 10);
        let top = |w: f32| {
            let blend = Blend {
                cf_weight: w,
                popularity_prior: 0.0,
                ..Blend::default()
            };
            rank(&s, &blend, &admit, 3, None).0[0].item
        };
        assert_eq!(top(1.0), 0);
        assert_eq!(top(0.0), 2);
        assert_eq!(top(0.8), 0);
        assert_eq!(top(0.2), 2);
        let no_prior = Blend {
            popularity_prior: 0.0,
            ..Blend::default()
        };
        let (ranked, plan) = rank(&s, &no_prior, &admit, 3, None);
        assert_eq!(plan.source, Source::Hybrid);
        assert!(ranked.iter().all(|r| r.source == Source::Hybrid));
        // 0.5·1 + 0.5·0 = 0.5 for items 0 and 2; item 1 is 0.5·0.5 + 0.5·0.5.
        assert!(ranked.iter().all(|r| (r.score - 0.5).abs() < 1e-6));
    }

    #[test]
    fn sparse_histories_lean_on_popularity() {
        // Collaborative and content agree on item 0; item 2 is the popular one.
        let cf = [3.0, 2.0, 1.0];
        let content = [0.9, 0.5, 0.1];
        let pop = [0.0, 0.0, 1.0];
        let blend = Blend {
            popularity_prior: 0.3,
            ..Blend::default()
        };
        let top = |n: usize| {
            let (ranked, plan) = rank(
                &signals(&cf, &content, &pop, n),
                &blend,
                &[true; 3],
                3,
                None,
            );
            (ranked[0].item, plan.popularity_prior)
        };
        // At the threshold (5) popularity has 0.3: 0.7·1 = 0.7 for item 0 vs 0.3 for 2.
        assert_eq!(top(5), (0, 0.3));
        // With 50 interactions the share is a tenth of that.
        let (item, share) = top(50);
        assert_eq!(item, 0);
        assert!((share - 0.03).abs() < 1e-6);
        let heavy = Blend {
            popularity_prior: 1.0,
            ..Blend::default()
        };
        let (ranked, _) = rank(
            &signals(&cf, &content, &pop, 5),
            &heavy,
            &[true; 3],
            1,
            None,
        );
        assert_eq!(ranked[0].item, 2);
    }

    #[test]
    fn a_new_item_is_ranked_on_its_content() {
        let cf = [3.0, 2.0, f32::NEG_INFINITY];
        let content = [0.1, 0.2, 0.9];
        let pop = [1.0, 0.5, 0.0];
        let no_prior = Blend {
            popularity_prior: 0.0,
            ..Blend::default()
        };
        let (ranked, _) = rank(
            &signals(&cf, &content, &pop, 10),
            &no_prior,
            &[true; 3],
            3,
            None,
        );
        let new = ranked.iter().find(|r| r.item == 2).unwrap();
        assert_eq!(new.source, Source::Content);
        assert_eq!(new.collaborative, None);
        // The missing collaborative score is the mean (0.5), content is 1.
        assert!((new.score - 0.75).abs() < 1e-6);
        assert_eq!(ranked[0].item, 2);
    }

    #[test]
    fn cold_users_get_content_and_popular_items_of_their_categories() {
        let cf = [9.0, 0.0, 0.0, 0.0];
        let content = [0.0, 0.9, 0.1, 0.8];
        let pop = [1.0, 0.2, 1.0, 0.9];
        let category = [0.0, 1.0, 0.0, 1.0];
        let s = Signals {
            category_match: Some(&category),
            ..signals(&cf, &content, &pop, 1)
        };
        let (ranked, plan) = rank(&s, &Blend::default(), &[true; 4], 2, None);
        assert_eq!(plan.source, Source::ColdStart);
        assert!(plan.cold);
        assert_eq!(ranked.iter().map(|r| r.item).collect::<Vec<_>>(), [3, 1]);
        assert!(ranked.iter().all(|r| r.collaborative.is_none()));
        // Nothing known: popularity.
        let none = Signals {
            content: None,
            category_match: None,
            ..s
        };
        let (ranked, plan) = rank(&none, &Blend::default(), &[true; 4], 1, None);
        assert_eq!((plan.source, ranked[0].item), (Source::Popularity, 0));
    }

    #[test]
    fn switches_and_filters_apply() {
        let cf = [3.0, 2.0, 1.0];
        let content = [0.1, 0.5, 0.9];
        let pop = [0.0; 3];
        let s = signals(&cf, &content, &pop, 10);
        let only_content = Blend {
            use_cf: false,
            ..Blend::default()
        };
        let (ranked, plan) = rank(&s, &only_content, &[true, true, false], 3, None);
        assert_eq!(plan.source, Source::Content);
        assert_eq!(ranked.iter().map(|r| r.item).collect::<Vec<_>>(), [1, 0]);
        let only_cf = Blend {
            use_embeddings: false,
            ..Blend::default()
        };
        let (ranked, plan) = rank(&s, &only_cf, &[true; 3], 1, None);
        assert_eq!(
            (plan.source, ranked[0].source),
            (Source::Collaborative, Source::Collaborative)
        );
    }

    #[test]
    fn mmr_spreads_near_duplicates_apart() {
        // Items 0 and 1 are the same direction, item 2 another; 0 > 1 > 2 by score.
        let vectors = ItemVectors::from_rows(2, &[1.0, 0.0, 1.0, 0.01, 0.0, 1.0]).unwrap();
        let content = [0.9, 0.89, 0.5];
        let pop = [0.0; 3];
        let s = Signals {
            collaborative: None,
            content: Some(&content),
            popularity: &pop,
            category_match: None,
            interactions: 10,
        };
        let plain = rank(&s, &Blend::default(), &[true; 3], 2, Some(&vectors)).0;
        assert_eq!(plain.iter().map(|r| r.item).collect::<Vec<_>>(), [0, 1]);
        let diverse = Blend {
            mmr_lambda: 0.5,
            ..Blend::default()
        };
        let spread = rank(&s, &diverse, &[true; 3], 2, Some(&vectors)).0;
        assert_eq!(spread.iter().map(|r| r.item).collect::<Vec<_>>(), [0, 2]);
    }
}
