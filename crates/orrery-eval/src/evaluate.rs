//! Scores a fitted model on a split and reports every metric that applies, by name.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use orrery_core::{Dataset, ItemIdx, Timestamp, UserIdx};
use orrery_models::{Filter, Model, Params, Progress, Recommender, UserRepr};
use rayon::prelude::*;

use crate::Result;
use crate::metrics;
use crate::split::{Fold, Protocol};

/// Metric name → value, e.g. `"rmse"`, `"ndcg@10"`, `"coverage@10"`.
pub type Metrics = BTreeMap<String, f64>;

/// How to measure.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions<'a> {
    /// Length of the ranked lists (the K of the @K metrics).
    pub k: usize,
    /// For explicit test cells, the rating from which an item counts as relevant (cells
    /// without a rating are relevant when their weight is positive); by default the
    /// training data's [`RatingScale::positive_threshold`] (4 on 1–5).
    pub relevance_threshold: Option<f32>,
    /// Per user, items to rank the test items against instead of the whole catalog (the
    /// NCF protocol); there every test cell is relevant, whatever its rating.
    pub negatives: Option<&'a [Vec<ItemIdx>]>,
}

impl Default for EvalOptions<'_> {
    fn default() -> Self {
        EvalOptions {
            k: 10,
            relevance_threshold: None,
            negatives: None,
        }
    }
}

/// What one user contributes to the ranking metrics.
struct UserRanking {
    precision: f64,
    recall: f64,
    ndcg: f64,
    hit: f64,
    ap: f64,
    rr: f64,
    diversity: Option<f64>,
    list: Vec<ItemIdx>,
}

/// Makes the ranked lists that the ranking metrics score. [`ModelRanker`] ranks by the
/// model's own scores; `orrery eval` passes the serving flow (`orrery-engine`), so that the
/// figures measure the lists users are served.
pub trait Ranker: Sync {
    /// The `k` best items for `user` (represented by `repr`) in the whole catalog, except
    /// the items of `seen` (their training items).
    fn top_k(
        &self,
        user: UserIdx,
        repr: &UserRepr,
        seen: &[ItemIdx],
        k: usize,
    ) -> Result<Vec<ItemIdx>>;

    /// The `k` best of `candidates` for `user`, best first; ties keep the candidates'
    /// order.
    fn top_of(
        &self,
        user: UserIdx,
        repr: &UserRepr,
        candidates: &[ItemIdx],
        k: usize,
    ) -> Result<Vec<ItemIdx>>;
}

/// Ranks by the model's scores alone.
pub struct ModelRanker<'a>(pub &'a dyn Recommender);

impl Ranker for ModelRanker<'_> {
    fn top_k(
        &self,
        _user: UserIdx,
        repr: &UserRepr,
        seen: &[ItemIdx],
        k: usize,
    ) -> Result<Vec<ItemIdx>> {
        Ok(self
            .0
            .recommend(repr, k, &Filter::default().exclude(seen))?
            .into_iter()
            .map(|s| s.item)
            .collect())
    }

    fn top_of(
        &self,
        _user: UserIdx,
        repr: &UserRepr,
        candidates: &[ItemIdx],
        k: usize,
    ) -> Result<Vec<ItemIdx>> {
        let mut scores = vec![0f32; candidates.len()];
        self.0.score(repr, candidates, &mut scores)?;
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        Ok(order.into_iter().take(k).map(|n| candidates[n]).collect())
    }
}

/// One user's `(prediction, rating)` pairs and ranking outcome.
type UserOutcome = (Vec<(f32, f32)>, Option<UserRanking>);

/// The representation of `user`: the model's own when it was trained with the user,
/// else folded in from the training row.
fn representation(model: &dyn Recommender, train: &Dataset, user: UserIdx) -> Result<UserRepr> {
    if (user as usize) < model.n_users() {
        return Ok(model.user(user)?);
    }
    let row = train.user_row(user);
    let history: Vec<(ItemIdx, f32)> = row
        .indices
        .iter()
        .zip(row.ratings.iter().zip(row.weights))
        .map(|(&i, (&r, &w))| (i, if r.is_nan() { w } else { r }))
        .collect();
    Ok(model.fold_in(&history)?)
}

/// Jaccard similarity of two items' category sets, when the dataset has categories.
fn category_similarity(train: &Dataset) -> Option<impl Fn(ItemIdx, ItemIdx) -> f64 + Sync + '_> {
    let any = (0..train.n_items() as ItemIdx)
        .any(|i| train.item(i).is_some_and(|r| !r.categories.is_empty()));
    any.then_some(move |a: ItemIdx, b: ItemIdx| {
        let (Some(a), Some(b)) = (train.item(a), train.item(b)) else {
            return 0.0;
        };
        let common = a
            .categories
            .iter()
            .filter(|c| b.categories.contains(c))
            .count();
        let union = a.categories.len() + b.categories.len() - common;
        if union == 0 {
            return 0.0;
        }
        common as f64 / union as f64
    })
}

/// Measures `model` (trained on `train`) on `test`.
///
/// - `rmse` and `mae`, when the model predicts ratings and the test set has some
///   (predictions clipped to the training rating range, as Surprise does);
/// - `precision@K`, `recall@K`, `ndcg@K`, `hr@K`, `map@K` and `mrr` (reciprocal rank of the
///   first relevant item within the top K), averaged over test users with a relevant item,
///   ranking either the whole catalog minus the user's training items or the user's test
///   items among their sampled negatives;
/// - `coverage@K` (full-catalog ranking only) and `diversity@K` (intra-list, by item
///   categories, when the items have any).
pub fn evaluate(
    model: &dyn Recommender,
    train: &Dataset,
    test: &Dataset,
    opts: &EvalOptions,
) -> Result<Metrics> {
    evaluate_with(model, &ModelRanker(model), train, test, opts)
}

/// [`evaluate`] with the ranked lists made by `ranker` (the ratings still predicted by
/// `model`).
pub fn evaluate_with(
    model: &dyn Recommender,
    ranker: &dyn Ranker,
    train: &Dataset,
    test: &Dataset,
    opts: &EvalOptions,
) -> Result<Metrics> {
    let k = opts.k;
    let n_users = test.n_users();
    let rating_model = model.rating_range();
    let similarity = category_similarity(train);
    let relevance_threshold = opts
        .relevance_threshold
        .unwrap_or_else(|| train.rating_scale().positive_threshold());

    let per_user: Vec<Result<UserOutcome>> = (0..n_users as UserIdx)
        .into_par_iter()
        .map(|u| {
            let row = test.user_row(u);
            if row.is_empty() {
                return Ok((Vec::new(), None));
            }
            let repr = representation(model, train, u)?;
            let mut pairs = Vec::new();
            if let Some((lo, hi)) = rating_model {
                let rated: Vec<(ItemIdx, f32, Timestamp)> = row
                    .indices
                    .iter()
                    .zip(row.ratings)
                    .zip(row.times)
                    .filter(|((_, r), _)| r.is_finite())
                    .map(|((&i, &r), &ts)| (i, r, ts))
                    .collect();
                let items: Vec<ItemIdx> = rated.iter().map(|&(i, _, _)| i).collect();
                let times: Vec<Timestamp> = rated.iter().map(|&(_, _, ts)| ts).collect();
                let mut out = vec![0f32; items.len()];
                // Each held-out rating is predicted for the moment it was given, which
                // context-aware models read.
                model.score_at(&repr, &items, &times, &mut out)?;
                pairs.extend(
                    out.iter()
                        .zip(&rated)
                        .map(|(&p, &(_, r, _))| (p.clamp(lo, hi), r)),
                );
            }
            let relevant: HashSet<ItemIdx> = match opts.negatives {
                Some(_) => row.indices.iter().copied().collect(),
                None => row
                    .indices
                    .iter()
                    .zip(row.ratings.iter().zip(row.weights))
                    .filter(|&(_, (&r, &w))| {
                        if r.is_nan() {
                            w > 0.0
                        } else {
                            r >= relevance_threshold
                        }
                    })
                    .map(|(&i, _)| i)
                    .collect(),
            };
            if relevant.is_empty() {
                return Ok((pairs, None));
            }
            let list: Vec<ItemIdx> = match opts.negatives {
                Some(negatives) => {
                    // Negatives first, so that ties rank the test items below them (the
                    // pessimistic order of the NCF evaluation code).
                    let mut candidates: Vec<ItemIdx> =
                        negatives.get(u as usize).cloned().unwrap_or_default();
                    candidates.extend(row.indices.iter().copied());
                    ranker.top_of(u, &repr, &candidates, k)?
                }
                None => ranker.top_k(u, &repr, train.user_row(u).indices, k)?,
            };
            let ranking = UserRanking {
                precision: metrics::precision_at_k(&list, &relevant, k),
                recall: metrics::recall_at_k(&list, &relevant, k),
                ndcg: metrics::ndcg_at_k(&list, &relevant, k),
                hit: metrics::hit_at_k(&list, &relevant, k),
                ap: metrics::average_precision_at_k(&list, &relevant, k),
                rr: metrics::reciprocal_rank(&list, &relevant),
                diversity: similarity
                    .as_ref()
                    .and_then(|sim| metrics::intra_list_diversity(&list, sim)),
                list,
            };
            Ok((pairs, Some(ranking)))
        })
        .collect();

    let mut pairs = Vec::new();
    let mut rankings = Vec::new();
    for result in per_user {
        let (p, r) = result?;
        pairs.extend(p);
        rankings.extend(r);
    }
    let mut out = Metrics::new();
    if let (Some(rmse), Some(mae)) = (metrics::rmse(&pairs), metrics::mae(&pairs)) {
        out.insert("rmse".to_owned(), rmse);
        out.insert("mae".to_owned(), mae);
    }
    if !rankings.is_empty() {
        let n = rankings.len() as f64;
        let mean = |f: fn(&UserRanking) -> f64| rankings.iter().map(f).sum::<f64>() / n;
        out.insert(format!("precision@{k}"), mean(|r| r.precision));
        out.insert(format!("recall@{k}"), mean(|r| r.recall));
        out.insert(format!("ndcg@{k}"), mean(|r| r.ndcg));
        out.insert(format!("hr@{k}"), mean(|r| r.hit));
        out.insert(format!("map@{k}"), mean(|r| r.ap));
        out.insert("mrr".to_owned(), mean(|r| r.rr));
        if opts.negatives.is_none() {
            let lists = rankings.iter().map(|r| r.list.as_slice());
            out.insert(
                format!("coverage@{k}"),
                metrics::coverage(lists, model.n_items()),
            );
        }
        let diversities: Vec<f64> = rankings.iter().filter_map(|r| r.diversity).collect();
        if !diversities.is_empty() {
            out.insert(
                format!("diversity@{k}"),
                diversities.iter().sum::<f64>() / diversities.len() as f64,
            );
        }
    }
    Ok(out)
}

/// The outcome of [`run`].
#[derive(Debug, Clone)]
pub struct Report {
    /// The protocol's name.
    pub protocol: &'static str,
    /// Number of folds averaged.
    pub folds: usize,
    /// Metrics averaged over folds (only those every fold produced).
    pub metrics: Metrics,
    /// Mean fit time per fold, in seconds.
    pub fit_seconds: f64,
}

/// Splits `dataset` by `protocol`, fits `params` on each training set and evaluates it on
/// the matching test set (`opts.negatives` is taken from the split where it has some).
pub fn run(
    dataset: &Dataset,
    params: &Params,
    protocol: &Protocol,
    opts: &EvalOptions,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let folds: Vec<Fold> = protocol.folds(dataset)?;
    let mut sums = Metrics::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut fit_seconds = 0.0;
    for fold in &folds {
        let started = Instant::now();
        let model = Model::fit(&fold.train, params, progress)?;
        fit_seconds += started.elapsed().as_secs_f64();
        let fold_opts = EvalOptions {
            negatives: fold.negatives.as_deref().or(opts.negatives),
            ..*opts
        };
        for (name, value) in evaluate(&model, &fold.train, &fold.test, &fold_opts)? {
            *sums.entry(name.clone()).or_default() += value;
            *counts.entry(name).or_default() += 1;
        }
    }
    let n = folds.len();
    let metrics = sums
        .into_iter()
        .filter(|(name, _)| counts.get(name) == Some(&n))
        .map(|(name, sum)| (name, sum / n as f64))
        .collect();
    Ok(Report {
        protocol: protocol.name(),
        folds: n,
        metrics,
        fit_seconds: fit_seconds / n.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::filter_cells;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};
    use orrery_models::{Algorithm, NoProgress};

    #[test]
    fn ranking_metrics_of_a_popularity_model_by_hand() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        for i in ["i0", "i1", "i2", "i3", "i4"] {
            b.item_index(i);
        }
        let cells = [
            ("a", "i0", 3.0, false),
            ("b", "i0", 3.0, false),
            ("b", "i1", 3.0, false),
            ("c", "i0", 3.0, false),
            ("c", "i1", 3.0, false),
            ("c", "i2", 3.0, false),
            ("a", "i1", 5.0, true),
            ("a", "i3", 2.0, true),
            ("b", "i3", 4.5, true),
        ];
        for (u, i, r, _) in cells {
            b.add_event(u, i, &EventKind::Rating, r, 0);
        }
        let full = b.build();
        let test_cells: Vec<(u32, u32)> = cells
            .iter()
            .filter(|c| c.3)
            .map(|c| {
                (
                    full.users().get(c.0).unwrap(),
                    full.items().get(c.1).unwrap(),
                )
            })
            .collect();
        let mut owner = Vec::new();
        for u in 0..full.n_users() as u32 {
            for &i in full.user_row(u).indices {
                owner.push((u, i));
            }
        }
        let train = filter_cells(&full, |c| !test_cells.contains(&owner[c]));
        let test = filter_cells(&full, |c| test_cells.contains(&owner[c]));
        let params = orrery_models::Params::defaults(Algorithm::Popularity);
        let model = Model::fit(&train, &params, &mut NoProgress).unwrap();
        let opts = EvalOptions {
            k: 2,
            ..Default::default()
        };
        let m = evaluate(&model, &train, &test, &opts).unwrap();
        // Popularity ranks i0 (3) > i1 (2) > i2 (1) > i3 = i4 (0, lower index first).
        // a: [i1, i2] without i0, relevant {i1} (i3 rated 2 is not): hit at rank 1.
        // b: [i2, i3] without i0 and i1, relevant {i3}: hit at rank 2.
        let expected = [
            ("precision@2", 0.5),
            ("recall@2", 1.0),
            ("ndcg@2", (1.0 + 1.0 / 3f64.log2()) / 2.0),
            ("hr@2", 1.0),
            ("map@2", (1.0 + 0.5) / 2.0),
            ("mrr", (1.0 + 0.5) / 2.0),
            ("coverage@2", 3.0 / 5.0),
        ];
        assert_eq!(m.len(), expected.len(), "{m:?}");
        for (name, value) in expected {
            assert!(
                (m[name] - value).abs() < 1e-9,
                "{name}: {} vs {value}",
                m[name]
            );
        }

        // Ranked against sampled negatives instead: every test cell is relevant.
        let mut per_user = vec![Vec::new(); full.n_users()];
        for id in ["a", "b"] {
            per_user[full.users().get(id).unwrap() as usize] = vec![4];
        }
        let opts = EvalOptions {
            k: 1,
            negatives: Some(&per_user),
            ..Default::default()
        };
        let m = evaluate(&model, &train, &test, &opts).unwrap();
        // a ranks {i4, i1, i3} as i1 (2), i4 (0), i3 (0): top 1 = i1, a hit.
        // b ranks {i4, i3}, both 0: the negative comes first, a miss.
        assert!((m["hr@1"] - 0.5).abs() < 1e-9, "{m:?}");
        assert!(!m.contains_key("coverage@1"));
    }
}
