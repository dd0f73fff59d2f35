//! One module per algorithm, each implementing [`Algo`], the internal side of
//! [`crate::Recommender`]: [`crate::Model`] checks indices and buffer lengths first, so
//! the algorithms index freely.

pub(crate) mod als;
pub(crate) mod baseline;
pub(crate) mod bpr;
pub(crate) mod content;
pub(crate) mod ease;
pub(crate) mod hybrid;
pub(crate) mod itemknn;
pub(crate) mod mf;
pub(crate) mod neural;
pub(crate) mod nmf;
pub(crate) mod popularity;
pub(crate) mod ridge;
pub(crate) mod svdpp;

use orrery_core::{Dataset, ItemIdx, Timestamp, UserIdx};

use crate::linalg::{Kernel, dot, dot_simd, norm, row};
use crate::topk::top_k;
use crate::{Algorithm, Error, Explanation, LinearItems, Result, Scored, UserRepr};

/// The algorithm side of [`crate::Recommender`], on validated input.
pub(crate) trait Algo {
    /// Number of items scored.
    fn n_items(&self) -> usize;

    /// Length of [`UserRepr::factors`] for this model (0 without factors).
    fn factors(&self) -> usize {
        0
    }

    /// Row-major item factors and their width.
    fn item_factors(&self) -> Option<(&[f32], usize)> {
        None
    }

    /// The item side of a score that is linear in the user's factors, for models whose
    /// every score is `c(user) + user.factors · factors[i] + bias[i]`.
    fn linear_items(&self) -> Option<LinearItems<'_>> {
        None
    }

    /// A trained user's representation.
    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr;

    /// A representation from a normalized history alone.
    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr>;

    /// [`Algo::fold_in`] with, per history entry, how many of the user's interactions came
    /// after it; models that weigh recent interactions more override it.
    fn fold_in_ordered(&self, history: Vec<(ItemIdx, f32)>, _later: &[u32]) -> Result<UserRepr> {
        self.fold_in(history)
    }

    /// Scores `items` into `out` (same length).
    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]);

    /// Scores `items` each at its own moment (`times`, parallel to `items`); models that
    /// read no context score as [`Algo::score`].
    fn score_at(&self, user: &UserRepr, items: &[ItemIdx], _times: &[Timestamp], out: &mut [f32]) {
        self.score(user, items, out);
    }

    /// Scores every item into `out` (length `n_items`).
    fn score_all(&self, user: &UserRepr, out: &mut [f32]);

    /// The training rating range, for rating models.
    fn rating_range(&self) -> Option<(f32, f32)> {
        None
    }

    /// Most similar items, when the algorithm has a notion of item similarity.
    fn similar_items(&self, _item: ItemIdx, _k: usize) -> Option<Vec<Scored>> {
        None
    }

    /// The explanation of a score, when the algorithm can decompose it.
    fn explain(&self, _user: &UserRepr, _item: ItemIdx) -> Result<Option<Explanation>> {
        Ok(None)
    }

    /// Consistency of a loaded model with `n_users` users.
    fn check(&self, n_users: usize) -> Result<()>;
}

/// The explicit ratings of a dataset as parallel arrays, by user.
pub(crate) struct Ratings {
    pub users: Vec<u32>,
    pub items: Vec<u32>,
    pub values: Vec<f32>,
    pub min: f32,
    pub max: f32,
    pub mean: f64,
}

impl Ratings {
    /// The cells that hold a rating; an error naming `algorithm` when there are none.
    pub(crate) fn of(dataset: &Dataset, algorithm: Algorithm) -> Result<Ratings> {
        let csr = dataset.user_items();
        let mut users = Vec::new();
        let mut items = Vec::new();
        let mut values = Vec::new();
        for u in 0..csr.rows() {
            let row = csr.row(u as u32);
            for (&i, &r) in row.indices.iter().zip(row.ratings) {
                if r.is_finite() {
                    users.push(u as u32);
                    items.push(i);
                    values.push(r);
                }
            }
        }
        if values.is_empty() {
            return Err(Error::InsufficientData {
                algorithm,
                problem: "the dataset holds no explicit ratings".to_owned(),
                hint: "rating models need rating or strength events; use als, itemknn, ease or popularity for implicit feedback",
            });
        }
        // Predictions stay on the scale declared for the data; without one, on the range
        // the training ratings span.
        let (min, max) = match dataset.declared_rating_scale() {
            Some(scale) => (scale.low(), scale.high()),
            None => values
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &r| {
                    (lo.min(r), hi.max(r))
                }),
        };
        let mean = values.iter().map(|&r| r as f64).sum::<f64>() / values.len() as f64;
        Ok(Ratings {
            users,
            items,
            values,
            min,
            max,
            mean,
        })
    }
}

/// Items most similar to `item` by the cosine of their factor rows.
pub(crate) fn similar_by_factors(
    factors: &[f32],
    k: usize,
    item: ItemIdx,
    count: usize,
) -> Vec<Scored> {
    let target = row(factors, item as usize, k);
    let target_norm = norm(target);
    let candidates = (0..factors.len() / k.max(1))
        .filter(|&j| j != item as usize)
        .map(|j| {
            let other = row(factors, j, k);
            let denom = target_norm * norm(other);
            let cosine = if denom > 0.0 {
                dot(target, other) / denom
            } else {
                0.0
            };
            (j as ItemIdx, cosine)
        });
    top_k(candidates, count)
}

/// `out_n = base + bias_i + user · row_i` for `i = items[n]`, or for every row when
/// `items` is `None`, as a SIMD kernel: the per-request work of factor models. Batch and
/// whole-catalog scores go through the same arithmetic, so they agree to the bit.
pub(crate) struct ScoreRows<'a> {
    pub user: &'a [f32],
    pub factors: &'a [f32],
    pub k: usize,
    pub base: f32,
    pub bias: Option<&'a [f32]>,
    pub items: Option<&'a [ItemIdx]>,
    pub out: &'a mut [f32],
}

impl Kernel for ScoreRows<'_> {
    type Output = ();

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) {
        // No closure around the dot product: a closure is compiled on its own, without the
        // SIMD target features, and its intrinsics would become function calls.
        let ScoreRows {
            user,
            factors,
            k,
            base,
            bias,
            items,
            out,
        } = self;
        match items {
            Some(items) => {
                for (o, &i) in out.iter_mut().zip(items) {
                    let i = i as usize;
                    let b = match bias {
                        Some(b) => b[i],
                        None => 0.0,
                    };
                    *o = base + b + dot_simd(simd, user, row(factors, i, k));
                }
            }
            None => {
                for (i, o) in out.iter_mut().enumerate() {
                    let b = match bias {
                        Some(b) => b[i],
                        None => 0.0,
                    };
                    *o = base + b + dot_simd(simd, user, row(factors, i, k));
                }
            }
        }
    }
}

/// Fails unless `v.len() == expected`.
pub(crate) fn check_len(what: &str, v: usize, expected: usize) -> Result<()> {
    if v == expected {
        Ok(())
    } else {
        Err(Error::Corrupt(format!(
            "{what} has {v} values where {expected} were expected"
        )))
    }
}
