//! Blending of collaborative, content and popularity scores into one ranking, the way the
//! hybrid recommender ([`crate::Algorithm::Hybrid`]) ranks and the way a server that holds
//! a collaborative model and item vectors separately ranks its catalog (same rules, one
//! place).
//!
//! - Each signal is min–max normalized to [0, 1] over the items that may be recommended.
//!   An item a signal cannot score (an item newer than the collaborative model, an item
//!   without a vector) takes that signal's mean, so that it neither wins nor loses by the
//!   gap: a new item is recommended on its content alone.
//! - The weights move smoothly with the length `n` of the user's history, with no cliff:
//!   the collaborative model's trust is `r = n / (n + h)` (`h` =
//!   [`Blend::cold_start_threshold`], the history at which the model gets half its
//!   weight), and
//!   - popularity: `γ = popularity_weight · (1 − r) + popularity_prior · r · (1 − r)` (at
//!     most 1), all of it with no history, fading as the history grows; while the history is short,
//!     popularity is that of the user's categories (popularity × category match, mixed in
//!     by `1 − r`);
//!   - the personal rest `1 − γ` goes to the model by `w = cf_weight · r / (cf_weight · r
//!     + 1 − cf_weight)` (`cf_weight`'s odds scaled by the trust: 0 with no history,
//!     towards `cf_weight` as it grows, and exactly 0 or 1 when `cf_weight` is), to content
//!     by `1 − w`: `α = (1 − γ) · w`, `β = (1 − γ) · (1 − w)`.
//!
//!   A signal that is switched off or unavailable gives its weight to the others in
//!   proportion. A newcomer who stated interests gets content matching and what is popular
//!   in their categories; each interaction moves the list towards the collaborative
//!   model, so a list never jumps when a threshold is crossed.
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
    /// A cold-start user without the model: interests and first interactions, with what
    /// is popular in their categories.
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

/// The largest [`Blend::popularity_prior`]: popularity's share of a list then reaches
/// `popularity_weight / 2 + 1 / 2` at the threshold. Data whose held-out interactions are
/// mostly popular items (MovieLens) wants more than 1 there.
pub const MAX_POPULARITY_PRIOR: f32 = 2.0;

/// How to blend, per request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Blend {
    /// Use the collaborative signal.
    pub use_cf: bool,
    /// Use the content (embedding) signal.
    pub use_embeddings: bool,
    /// Share of the collaborative signal for warm users, in [0, 1].
    pub cf_weight: f32,
    /// The history length at which the collaborative model gets half its weight (users
    /// with fewer interactions are called cold in lists' explanations).
    pub cold_start_threshold: usize,
    /// Share of popularity (in the user's categories) with no history, in [0, 1].
    pub popularity_weight: f32,
    /// Extra share of popularity for sparse histories, `popularity_prior · r · (1 − r)`
    /// (a quarter of it at the threshold), in [0, [`MAX_POPULARITY_PRIOR`]].
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

impl Blend {
    /// The collaborative model's trust in a history of `interactions`, `r = n / (n + h)`
    /// (`h` = [`Blend::cold_start_threshold`]): 0 with no history, ½ at the threshold,
    /// towards 1 as it grows.
    pub fn trust(&self, interactions: usize) -> f32 {
        let n = interactions as f32;
        n / (n + self.cold_start_threshold.max(1) as f32)
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
    /// How much the category match shapes popularity, in [0, 1] (`None`: `1 − r`, all of
    /// it with no history, fading as the history grows).
    pub category_strength: Option<f32>,
    /// The user's number of interactions (decides cold or warm).
    pub interactions: usize,
    /// The items over which each signal's min–max scale is measured (`None`: the admitted
    /// ones). A caller that ranks a candidate set grown for a deep page fixes it, so that
    /// every page is cut from one ranking.
    pub scale_over: Option<&'a [bool]>,
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
    /// Whether the user counted as cold (fewer interactions than the threshold).
    pub cold: bool,
    /// The collaborative model's trust `r = n / (n + h)` for this history.
    pub trust: f32,
    /// The collaborative part of the personal signals, `α / (α + β)` (0 when the
    /// collaborative signal was not used).
    pub cf_weight: f32,
    /// The collaborative share of the score, `α`.
    pub cf_share: f32,
    /// The content share of the score, `β`.
    pub content_share: f32,
    /// Popularity's share of the score, `γ`.
    pub popularity_share: f32,
}

/// One signal's min–max scaling over the admitted items, and the mean it gives them.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f32,
    /// `1 / (hi − lo)`, or 0 when every score is the same (all become 0.5).
    inv_span: f32,
    mean: f32,
}

impl Scale {
    /// `None` when no admitted item has a finite score.
    fn of(raw: &[f32], admit: &[bool]) -> Option<Scale> {
        // Eight independent lanes of selects, so that the compiler turns the pass into
        // vector instructions (one running minimum is a dependency chain it keeps scalar).
        const LANES: usize = 8;
        let mut lo = [f32::INFINITY; LANES];
        let mut hi = [f32::NEG_INFINITY; LANES];
        let mut sum = [0f32; LANES];
        let mut count = [0u32; LANES];
        let n = raw.len().min(admit.len());
        let (raw, admit) = (&raw[..n], &admit[..n]);
        let whole = n - n % LANES;
        for (r, a) in raw[..whole]
            .chunks_exact(LANES)
            .zip(admit[..whole].chunks_exact(LANES))
        {
            let r: &[f32; LANES] = r.try_into().unwrap_or_else(|_| unreachable!());
            let a: &[bool; LANES] = a.try_into().unwrap_or_else(|_| unreachable!());
            for j in 0..LANES {
                let ok = a[j] & (r[j].abs() < f32::INFINITY);
                lo[j] = if ok & (r[j] < lo[j]) { r[j] } else { lo[j] };
                hi[j] = if ok & (r[j] > hi[j]) { r[j] } else { hi[j] };
                sum[j] += if ok { r[j] } else { 0.0 };
                count[j] += u32::from(ok);
            }
        }
        for (j, (&r, &a)) in raw[whole..].iter().zip(&admit[whole..]).enumerate() {
            if a && r.is_finite() {
                lo[j] = lo[j].min(r);
                hi[j] = hi[j].max(r);
                sum[j] += r;
                count[j] += 1;
            }
        }
        let n: u32 = count.iter().sum();
        if n == 0 {
            return None;
        }
        let lo = lo.into_iter().fold(f32::INFINITY, f32::min);
        let hi = hi.into_iter().fold(f32::NEG_INFINITY, f32::max);
        let sum: f64 = sum.iter().map(|&x| f64::from(x)).sum();
        let span = hi - lo;
        let (inv_span, mean) = if span > 0.0 {
            let inv = 1.0 / span;
            (
                inv,
                ((sum / f64::from(n) - f64::from(lo)) * f64::from(inv)) as f32,
            )
        } else {
            (0.0, 0.5)
        };
        Some(Scale { lo, inv_span, mean })
    }

    /// The scaled score, or the mean for a score the signal could not give (branch-free,
    /// for the pass over the whole catalog).
    #[inline]
    fn apply_or_mean(&self, s: f32) -> f32 {
        let midpoint = if self.inv_span > 0.0 { 0.0 } else { 0.5 };
        if s.is_finite() {
            ((s - self.lo) * self.inv_span + midpoint).clamp(0.0, 1.0)
        } else {
            self.mean
        }
    }

    /// The scaled score, `None` for a score the signal could not give.
    #[inline]
    fn apply(&self, s: f32) -> Option<f32> {
        s.is_finite().then(|| self.apply_or_mean(s))
    }
}

/// The blend of one list: the signals, their scales over the admitted items and the
/// plan, so that each item's score costs a few multiplications.
struct Blender<'a> {
    signals: &'a Signals<'a>,
    admit: &'a [bool],
    cf: Option<(&'a [f32], Scale)>,
    content: Option<(&'a [f32], Scale)>,
    weights: Weights,
    plan: Plan,
}

/// The shares of the three signals in one list's scores (summing to 1).
#[derive(Debug, Clone, Copy)]
struct Weights {
    cf: f32,
    content: f32,
    popularity: f32,
}

impl<'a> Blender<'a> {
    fn new(signals: &'a Signals<'a>, blend: &'a Blend, admit: &'a [bool]) -> Blender<'a> {
        let n = signals.interactions;
        let cold = n < blend.cold_start_threshold;
        let trust = blend.trust(n);
        let basis = signals.scale_over.unwrap_or(admit);
        let scaled = |raw: &'a [f32]| Scale::of(raw, basis).map(|scale| (raw, scale));
        let cf = signals
            .collaborative
            .filter(|_| blend.use_cf && n > 0 && blend.cf_weight > 0.0)
            .and_then(scaled);
        let content = signals
            .content
            .filter(|_| blend.use_embeddings)
            .and_then(scaled);
        let popularity = (blend.popularity_weight * (1.0 - trust)
            + blend.popularity_prior * trust * (1.0 - trust))
            .min(1.0);
        // The model's share of the personal part: cf_weight's odds scaled by the trust.
        let model_part = match (cf.is_some(), content.is_some()) {
            (true, true) => {
                let odds = blend.cf_weight * trust;
                if odds > 0.0 {
                    odds / (odds + 1.0 - blend.cf_weight)
                } else {
                    0.0
                }
            }
            (true, false) => 1.0,
            (false, _) => 0.0,
        };
        let weights = if cf.is_some() || content.is_some() {
            let personal = 1.0 - popularity;
            Weights {
                cf: personal * model_part,
                content: personal * (1.0 - model_part),
                popularity,
            }
        } else {
            Weights {
                cf: 0.0,
                content: 0.0,
                popularity: 1.0,
            }
        };
        // A signal without weight does not take part (nor show in the items' parts).
        let cf = cf.filter(|_| weights.cf > 0.0);
        let content = content.filter(|_| weights.content > 0.0);
        let personal = weights.cf + weights.content;
        let source = match (cf.is_some(), content.is_some()) {
            (true, true) => Source::Hybrid,
            (true, false) => Source::Collaborative,
            (false, true) if cold => Source::ColdStart,
            (false, true) => Source::Content,
            (false, false) => Source::Popularity,
        };
        Blender {
            signals,
            admit,
            cf,
            content,
            weights,
            plan: Plan {
                source,
                cold,
                trust,
                cf_weight: if personal > 0.0 {
                    weights.cf / personal
                } else {
                    0.0
                },
                cf_share: weights.cf,
                content_share: weights.content,
                popularity_share: weights.popularity,
            },
        }
    }

    fn popularity(&self, i: usize) -> f32 {
        self.signals.popularity.get(i).copied().unwrap_or(0.0)
    }

    /// Item `i`'s normalized collaborative and content scores (`None`: not used, or the
    /// signal cannot score it).
    #[inline]
    fn parts(&self, i: usize) -> (Option<f32>, Option<f32>) {
        (
            self.cf
                .as_ref()
                .and_then(|(raw, scale)| scale.apply(raw[i])),
            self.content
                .as_ref()
                .and_then(|(raw, scale)| scale.apply(raw[i])),
        )
    }

    /// Every item's blended score (NaN where not admitted), in passes over whole slices
    /// that compile to vector instructions.
    fn scores(&self) -> Vec<f32> {
        let Weights {
            cf: alpha,
            content: beta,
            popularity: gamma,
        } = self.weights;
        let mut out = vec![0f32; self.admit.len()];
        for (o, &p) in out.iter_mut().zip(self.signals.popularity) {
            *o = gamma * p;
        }
        // Popularity is that of the user's categories, as far as they are known.
        let local = self
            .signals
            .category_strength
            .unwrap_or(1.0 - self.plan.trust);
        if let (true, Some(category)) = (local > 0.0, self.signals.category_match) {
            for (o, &c) in out.iter_mut().zip(category) {
                *o *= 1.0 - local + local * c;
            }
        }
        for (weight, signal) in [(alpha, &self.cf), (beta, &self.content)] {
            if let (true, Some((raw, scale))) = (weight > 0.0, signal) {
                for (o, &s) in out.iter_mut().zip(*raw) {
                    *o += weight * scale.apply_or_mean(s);
                }
            }
        }
        for (o, &a) in out.iter_mut().zip(self.admit) {
            if !a {
                *o = f32::NAN;
            }
        }
        out
    }

    /// Item `i`'s parts and source, with its `score` from [`Blender::scores`].
    fn item(&self, i: usize, score: f32) -> BlendedItem {
        if !self.admit[i] {
            return BlendedItem::excluded();
        }
        let (c, t) = self.parts(i);
        let source = if self.plan.cold || self.plan.source == Source::Popularity {
            self.plan.source
        } else {
            match (c, t) {
                (Some(_), Some(_)) => Source::Hybrid,
                (Some(_), None) => Source::Collaborative,
                (None, Some(_)) => Source::Content,
                (None, None) => Source::Popularity,
            }
        };
        BlendedItem {
            score,
            collaborative: c,
            content: t,
            source,
        }
    }
}

/// Blended scores of every item (NaN where `admit` is false) and the plan behind them.
pub fn blend_scores(signals: &Signals, blend: &Blend, admit: &[bool]) -> (Vec<BlendedItem>, Plan) {
    let blender = Blender::new(signals, blend, admit);
    let items = blender
        .scores()
        .into_iter()
        .enumerate()
        .map(|(i, score)| blender.item(i, score))
        .collect();
    (items, blender.plan)
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
///
/// Every admitted item's score is computed, but its parts (normalized signals, source)
/// only for the items returned: a list asks for ten of thousands.
pub fn rank(
    signals: &Signals,
    blend: &Blend,
    admit: &[bool],
    k: usize,
    vectors: Option<&ItemVectors>,
) -> (Vec<Ranked>, Plan) {
    rank_boosted(signals, blend, admit, k, vectors, None)
}

/// [`rank`] with each item's blended score multiplied by its `boosts` entry (business
/// rules that favour some items), before the best are chosen.
pub fn rank_boosted(
    signals: &Signals,
    blend: &Blend,
    admit: &[bool],
    k: usize,
    vectors: Option<&ItemVectors>,
    boosts: Option<&[f32]>,
) -> (Vec<Ranked>, Plan) {
    let blender = Blender::new(signals, blend, admit);
    let diversify = blend.mmr_lambda < 1.0 && vectors.is_some();
    // MMR chooses among a pool of the best candidates, wide enough to find different ones.
    let pool = if diversify { (k * 5).max(50) } else { k };
    let mut scores = blender.scores();
    if let Some(boosts) = boosts {
        for (score, &boost) in scores.iter_mut().zip(boosts) {
            *score *= boost;
        }
    }
    let best = top_k(&scores, pool);
    let chosen = match vectors {
        Some(v) if diversify => mmr(&best, v, blend.mmr_lambda, k),
        _ => best.iter().take(k).map(|&(i, _)| i).collect(),
    };
    let ranked = chosen
        .into_iter()
        .map(|i| {
            let item = blender.item(i, scores[i]);
            Ranked {
                item: i as ItemIdx,
                score: item.score,
                collaborative: item.collaborative,
                content: item.content,
                popularity: blender.popularity(i),
                source: item.source,
            }
        })
        .collect();
    (ranked, blender.plan)
}

/// Up to this many, the best items are kept in a sorted buffer while scanning (most
/// items fall below its last entry at once); more are selected from all of them.
const SMALL_TOP: usize = 64;

/// The `k` indices of `scores` with the highest finite scores, best first (ties: lower
/// index first).
fn top_k(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    if k == 0 {
        return Vec::new();
    }
    if k <= SMALL_TOP {
        let mut best: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
        for (i, &s) in scores.iter().enumerate() {
            // NaN (not admitted) and −∞ fail both comparisons.
            if !s.is_finite() || (best.len() == k && s <= best[k - 1].1) {
                continue;
            }
            let at = best.partition_point(|&(_, b)| b >= s);
            best.insert(at, (i, s));
            best.truncate(k);
        }
        return best;
    }
    let mut all: Vec<(usize, f32)> = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, s)| s.is_finite())
        .collect();
    let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k < all.len() {
        all.select_nth_unstable_by(k - 1, order);
        all.truncate(k);
    }
    all.sort_unstable_by(order);
    all
}

/// Greedy maximal marginal relevance over `pool` ((item, score), best first): each pick
/// maximizes `λ · score − (1 − λ) · max cosine with the picks so far`; items without a
/// vector count as dissimilar to everything.
pub fn mmr(pool: &[(usize, f32)], vectors: &ItemVectors, lambda: f32, k: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::with_capacity(k.min(pool.len()));
    let mut max_sim = vec![0.0f32; pool.len()];
    let mut taken = vec![false; pool.len()];
    while chosen.len() < k && chosen.len() < pool.len() {
        let mut best: Option<(usize, f32)> = None;
        for (p, &(_, score)) in pool.iter().enumerate() {
            if taken[p] {
                continue;
            }
            let value = lambda * score - (1.0 - lambda) * max_sim[p];
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((p, value));
            }
        }
        let Some((p, _)) = best else { break };
        taken[p] = true;
        let picked = pool[p].0;
        chosen.push(picked);
        if let Some(v) = vectors.get(picked as ItemIdx) {
            for (q, &(j, _)) in pool.iter().enumerate() {
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

    #[test]
    fn top_k_agrees_with_a_full_sort_in_both_strategies() {
        // Many ties, NaN and −∞ among them.
        let scores: Vec<f32> = (0..500)
            .map(|i| match i % 17 {
                0 => f32::NAN,
                1 => f32::NEG_INFINITY,
                _ => ((i * 7919) % 23) as f32,
            })
            .collect();
        let mut sorted: Vec<(usize, f32)> = scores
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, s)| s.is_finite())
            .collect();
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for k in [1, 10, SMALL_TOP, SMALL_TOP + 1, 200, 1000] {
            let top = top_k(&scores, k);
            assert_eq!(top, sorted[..k.min(sorted.len())], "k = {k}");
        }
        assert!(top_k(&scores, 0).is_empty());
    }

    fn signals<'a>(cf: &'a [f32], content: &'a [f32], pop: &'a [f32], n: usize) -> Signals<'a> {
        Signals {
            collaborative: Some(cf),
            content: Some(content),
            popularity: pop,
            category_match: None,
            interactions: n,
            scale_over: None,
            category_strength: None,
        }
    }

    /// A history so long that the collaborative model has all its weight (to 1e-5).
    const LONG: usize = 1_000_000;

    /// No popularity at all, whatever the history.
    fn without_popularity() -> Blend {
        Blend {
            popularity_weight: 0.0,
            popularity_prior: 0.0,
            ..Blend::default()
        }
    }

    #[test]
    fn weights_move_the_ranking_between_the_signals() {
        // Item 0 is collaborative's favourite, item 2 content's.
        let cf = [3.0, 2.0, 1.0];
        let content = [0.1, 0.5, 0.9];
        let pop = [0.0; 3];
        let admit = [true; 3];
        let s = signals(&cf, &content, &pop, LONG);
        let top = |w: f32| {
            let blend = Blend {
                cf_weight: w,
                ..without_popularity()
            };
            rank(&s, &blend, &admit, 3, None).0[0].item
        };
        assert_eq!(top(1.0), 0);
        assert_eq!(top(0.0), 2);
        assert_eq!(top(0.8), 0);
        assert_eq!(top(0.2), 2);
        let (ranked, plan) = rank(&s, &without_popularity(), &admit, 3, None);
        assert_eq!(plan.source, Source::Hybrid);
        assert!(ranked.iter().all(|r| r.source == Source::Hybrid));
        // 0.5·1 + 0.5·0 = 0.5 for items 0 and 2; item 1 is 0.5·0.5 + 0.5·0.5.
        assert!(ranked.iter().all(|r| (r.score - 0.5).abs() < 1e-4));
    }

    #[test]
    fn the_weights_move_smoothly_with_the_history() {
        let cf = [3.0, 2.0, 1.0];
        let content = [0.9, 0.5, 0.1];
        let pop = [0.0, 0.0, 1.0];
        let plan = |n: usize| {
            rank(
                &signals(&cf, &content, &pop, n),
                &Blend::default(),
                &[true; 3],
                3,
                None,
            )
            .1
        };
        // No history: popularity_weight (0.5) of popularity, the rest content.
        let empty = plan(0);
        assert_eq!((empty.cf_share, empty.popularity_share), (0.0, 0.5));
        // At the threshold (5) the trust is 0.5: popularity 0.5 · 0.5 + 0.5 · 0.25, and the
        // model gets w = 0.25 / (0.25 + 0.5) of the rest.
        let half = plan(5);
        assert!((half.cf_share - 0.625 / 3.0).abs() < 1e-6, "{half:?}");
        assert!((half.popularity_share - 0.375).abs() < 1e-6, "{half:?}");
        assert!((half.cf_share + half.content_share + half.popularity_share - 1.0).abs() < 1e-6);
        // Every interaction moves the weights a little, never a jump.
        let mut previous = plan(0);
        for n in 1..200 {
            let next = plan(n);
            assert!(next.cf_share >= previous.cf_share, "n = {n}");
            assert!(
                next.popularity_share <= previous.popularity_share + 1e-6,
                "n = {n}"
            );
            assert!(next.cf_share - previous.cf_share < 0.1, "n = {n}");
            previous = next;
        }
        assert!(previous.popularity_share < 0.03 && previous.cf_share > 0.45);
        // cf_weight 1 leaves content out as soon as there is a history, 0 the model.
        for (cf_weight, source) in [(1.0, Source::Collaborative), (0.0, Source::Content)] {
            let blend = Blend {
                cf_weight,
                ..Blend::default()
            };
            let (ranked, plan) = rank(
                &signals(&cf, &content, &pop, 6),
                &blend,
                &[true; 3],
                3,
                None,
            );
            assert_eq!(plan.source, source);
            assert!(ranked.iter().all(|r| r.source == source), "{ranked:?}");
        }
        // A heavy popularity weight lets the popular item win a sparse history.
        let heavy = Blend {
            popularity_weight: 1.0,
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
        let (ranked, _) = rank(
            &signals(&cf, &content, &pop, LONG),
            &without_popularity(),
            &[true; 3],
            3,
            None,
        );
        let new = ranked.iter().find(|r| r.item == 2).unwrap();
        assert_eq!(new.source, Source::Content);
        assert_eq!(new.collaborative, None);
        // The missing collaborative score is the mean (0.5), content is 1.
        assert!((new.score - 0.75).abs() < 1e-4);
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
            ..signals(&cf, &content, &pop, 0)
        };
        let (ranked, plan) = rank(&s, &Blend::default(), &[true; 4], 2, None);
        assert_eq!(plan.source, Source::ColdStart);
        assert!(plan.cold);
        assert_eq!(ranked.iter().map(|r| r.item).collect::<Vec<_>>(), [3, 1]);
        assert!(ranked.iter().all(|r| r.collaborative.is_none()));
        // One interaction: the model comes in with a small weight only, and the
        // categories still decide.
        let one = Signals {
            interactions: 1,
            ..s
        };
        let (ranked, plan) = rank(&one, &Blend::default(), &[true; 4], 2, None);
        assert!(plan.cold && plan.cf_share < 0.1, "{plan:?}");
        assert_eq!(ranked.iter().map(|r| r.item).collect::<Vec<_>>(), [3, 1]);
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
            scale_over: None,
            category_strength: None,
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
