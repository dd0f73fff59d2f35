//! Non-negative matrix factorization of the weighted implicit signal (the Dummi AI
//! collaborative filter): `V ≈ W Hᵀ` with `W, H ≥ 0`, by Lee and Seung's multiplicative
//! updates for `‖V − W Hᵀ‖² + reg·(‖W‖² + ‖H‖²)`.
//!
//! `V` is the whole user × item matrix: an interaction's cell holds its weight (like 5,
//! click 2, view time 1, a rating its value; summed when a user did several things with
//! one item) and every other cell is zero, so that the model learns what users interact
//! with, not only how strongly. A skip weighs −1, which non-negative factors cannot fit:
//! every cell's target is clamped at zero, so a skipped item counts as observed with no
//! interest — the same as an item never seen, which the objective already pulls toward
//! zero — and a click followed by a skip keeps what is left of the click (2 − 1 = 1).
//!
//! One epoch updates all user rows, then all item rows:
//! `W ← W ∘ (V H) / (W HᵀH + reg·W)` and `H ← H ∘ (Vᵀ W) / (H WᵀW + reg·H)`. Factors
//! that start positive stay non-negative, the full matrix enters only through the k×k
//! Gram matrices, and each row's update reads nothing but fixed factors, so rows update
//! in parallel and the result does not depend on the thread count.

use std::time::Instant;

use orrery_core::{Csr, Dataset, ItemIdx, UserIdx, rng};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::algo::{Algo, ScoreRows, check_len, similar_by_factors};
use crate::linalg::{Kernel, axpy, dot_simd, gram, row, with_simd};
use crate::{
    Algorithm, Contribution, EpochReport, Error, Explanation, NmfParams, Progress, Result, Scored,
    UserRepr,
};

/// A fitted NMF model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Nmf {
    factors: usize,
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
    /// `HᵀH`, row-major k×k: the whole item side as the fold-in sees it.
    item_gram: Vec<f32>,
    reg: f32,
    binary: bool,
}

/// Rows updated in one rayon task; fixed so that sums over chunks are deterministic.
const CHUNK_ROWS: usize = 64;

/// Multiplicative updates of a folded-in user: the problem is convex in one row, and
/// from a flat start the top 10 stops changing after a few dozen steps.
const FOLD_IN_ITERATIONS: usize = 50;

/// The target of a cell of weight `w`: the weight clamped at zero, or 1 for any
/// positive weight when `binary`.
#[inline]
fn target(w: f32, binary: bool) -> f32 {
    if binary {
        if w > 0.0 { 1.0 } else { 0.0 }
    } else {
        w.max(0.0)
    }
}

/// One multiplicative step on row `x` (length k): `x ← x ∘ num / (G x + reg·x)`. A
/// factor whose denominator is zero has a zero numerator too, and becomes zero.
#[inline(always)]
fn multiplicative_step<S: pulp::Simd>(
    simd: S,
    x: &mut [f32],
    num: &[f32],
    gram: &[f32],
    reg: f32,
    den: &mut [f32],
) {
    let k = x.len();
    for (d, g_row) in den.iter_mut().zip(gram.chunks_exact(k)) {
        *d = dot_simd(simd, g_row, x);
    }
    for ((xf, &n), &d) in x.iter_mut().zip(num).zip(den.iter()) {
        let d = d + reg * *xf;
        *xf = if d > 0.0 { *xf * n / d } else { 0.0 };
    }
}

/// `Σ_j v_j · other_j` over the cells of one row of `V`.
#[inline(always)]
fn numerator(
    indices: &[u32],
    weights: &[f32],
    other: &[f32],
    k: usize,
    binary: bool,
    num: &mut [f32],
) {
    num.fill(0.0);
    for (&j, &w) in indices.iter().zip(weights) {
        let v = target(w, binary);
        if v > 0.0 {
            axpy(v, row(other, j as usize, k), num);
        }
    }
}

/// One half-epoch on a chunk of rows: each row of `rows` against the fixed `other`.
struct UpdateRows<'a> {
    rows: &'a mut [f32],
    first_row: usize,
    csr: &'a Csr,
    other: &'a [f32],
    gram: &'a [f32],
    k: usize,
    reg: f32,
    binary: bool,
}

impl Kernel for UpdateRows<'_> {
    type Output = ();

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) {
        let k = self.k;
        let mut num = vec![0f32; k];
        let mut den = vec![0f32; k];
        for (r, x) in self.rows.chunks_exact_mut(k).enumerate() {
            let cells = self.csr.row((self.first_row + r) as u32);
            numerator(
                cells.indices,
                cells.weights,
                self.other,
                k,
                self.binary,
                &mut num,
            );
            multiplicative_step(simd, x, &num, self.gram, self.reg, &mut den);
        }
    }
}

/// Updates every row of `x` against `csr` (its rows are `x`'s rows) and the fixed `other`.
fn update_side(x: &mut [f32], csr: &Csr, other: &[f32], other_gram: &[f32], params: &NmfParams) {
    let k = params.factors;
    x.par_chunks_mut(k * CHUNK_ROWS)
        .enumerate()
        .for_each(|(chunk, rows)| {
            with_simd(UpdateRows {
                rows,
                first_row: chunk * CHUNK_ROWS,
                csr,
                other,
                gram: other_gram,
                k,
                reg: params.reg,
                binary: params.binary,
            })
        });
}

/// `Σ_cells v·(w_u·h_i)` and `Σ_cells v²` over the chunk of users starting at `first_row`.
struct CrossTerm<'a> {
    users: &'a [f32],
    first_row: usize,
    csr: &'a Csr,
    items: &'a [f32],
    k: usize,
    binary: bool,
}

impl Kernel for CrossTerm<'_> {
    type Output = (f64, f64);

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) -> (f64, f64) {
        let k = self.k;
        let (mut cross, mut squares) = (0f64, 0f64);
        for (r, wu) in self.users.chunks_exact(k).enumerate() {
            let cells = self.csr.row((self.first_row + r) as u32);
            for (&i, &w) in cells.indices.iter().zip(cells.weights) {
                let v = target(w, self.binary) as f64;
                cross += v * dot_simd(simd, wu, row(self.items, i as usize, k)) as f64;
                squares += v * v;
            }
        }
        (cross, squares)
    }
}

/// Root mean squared error over every cell of the matrix, zeros included:
/// `‖V − W Hᵀ‖² = Σ v² − 2 Σ v·(w_u·h_i) + ⟨WᵀW, HᵀH⟩`, with no pass over the zeros.
fn full_matrix_rmse(
    users: &[f32],
    items: &[f32],
    user_gram: &[f32],
    item_gram: &[f32],
    by_user: &Csr,
    params: &NmfParams,
) -> f64 {
    let k = params.factors;
    let parts: Vec<(f64, f64)> = users
        .par_chunks(k * CHUNK_ROWS)
        .enumerate()
        .map(|(chunk, users)| {
            with_simd(CrossTerm {
                users,
                first_row: chunk * CHUNK_ROWS,
                csr: by_user,
                items,
                k,
                binary: params.binary,
            })
        })
        .collect();
    let (cross, squares) = parts
        .iter()
        .fold((0f64, 0f64), |(c, s), &(pc, ps)| (c + pc, s + ps));
    let model_squares: f64 = user_gram
        .iter()
        .zip(item_gram)
        .map(|(&a, &b)| a as f64 * b as f64)
        .sum();
    let cells = (users.len() / k.max(1)) as f64 * (items.len() / k.max(1)) as f64;
    ((squares - 2.0 * cross + model_squares).max(0.0) / cells.max(1.0)).sqrt()
}

impl Nmf {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &NmfParams,
        progress: &mut dyn Progress,
    ) -> Result<Nmf> {
        let started = Instant::now();
        let (n_users, n_items, k) = (dataset.n_users(), dataset.n_items(), params.factors);
        let by_user = dataset.user_items();
        let by_item = dataset.item_users();
        let total: f64 = by_user
            .weights()
            .iter()
            .map(|&w| target(w, params.binary) as f64)
            .sum();
        if total <= 0.0 {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Nmf,
                problem: "the dataset holds no interaction with a positive weight".to_owned(),
                hint: "NMF learns from likes, clicks, views, plays or ratings; skips alone carry no preference",
            });
        }
        // Uniform factors in [0, s) give E[w·h] = k·s²/4: s is chosen so that the first
        // product matches the mean cell of V.
        let mean_cell = total / (n_users as f64 * n_items as f64);
        let scale = (2.0 * (mean_cell / k as f64).sqrt()) as f32;
        let mut init_rng = rng::seeded(params.seed);
        let mut init = |rows: usize| -> Vec<f32> {
            // Strictly positive: a factor that starts at zero never moves.
            (0..rows * k)
                .map(|_| scale * (0.01 + 0.99 * init_rng.random::<f32>()))
                .collect()
        };
        let mut user_factors = init(n_users);
        let mut item_factors = init(n_items);

        let mut item_gram = gram(&item_factors, k, 0.0);
        for epoch in 1..=params.epochs {
            update_side(
                &mut user_factors,
                by_user,
                &item_factors,
                &item_gram,
                params,
            );
            let user_gram = gram(&user_factors, k, 0.0);
            update_side(
                &mut item_factors,
                by_item,
                &user_factors,
                &user_gram,
                params,
            );
            item_gram = gram(&item_factors, k, 0.0);
            let loss = if progress.wants_loss() {
                full_matrix_rmse(
                    &user_factors,
                    &item_factors,
                    &user_gram,
                    &item_gram,
                    by_user,
                    params,
                )
            } else {
                f64::NAN
            };
            let finite = item_gram.iter().all(|v| v.is_finite());
            if loss.is_infinite() || !finite {
                return Err(Error::Diverged {
                    algorithm: Algorithm::Nmf,
                    epoch,
                    loss,
                });
            }
            progress.on_epoch(&EpochReport {
                epoch,
                epochs: params.epochs,
                loss,
                elapsed: started.elapsed(),
            });
            if progress.cancelled() {
                return Err(Error::Cancelled { epoch });
            }
        }
        Ok(Nmf {
            factors: k,
            user_factors,
            item_factors,
            item_gram,
            reg: params.reg,
            binary: params.binary,
        })
    }

    /// User factors, row-major `n_users × factors`, all ≥ 0.
    pub fn user_factors(&self) -> &[f32] {
        &self.user_factors
    }
}

/// The fold-in's multiplicative updates on one row.
struct FoldIn<'a> {
    model: &'a Nmf,
    num: &'a [f32],
    user: &'a mut [f32],
}

impl Kernel for FoldIn<'_> {
    type Output = ();

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) {
        let m = self.model;
        let mut den = vec![0f32; m.factors];
        for _ in 0..FOLD_IN_ITERATIONS {
            multiplicative_step(simd, self.user, self.num, &m.item_gram, m.reg, &mut den);
        }
    }
}

impl Algo for Nmf {
    fn n_items(&self) -> usize {
        self.item_factors.len() / self.factors.max(1)
    }

    fn factors(&self) -> usize {
        self.factors
    }

    fn item_factors(&self) -> Option<(&[f32], usize)> {
        Some((&self.item_factors, self.factors))
    }

    fn linear_items(&self) -> Option<crate::LinearItems<'_>> {
        Some(crate::LinearItems {
            factors: &self.item_factors,
            k: self.factors,
            bias: None,
        })
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            factors: row(&self.user_factors, user as usize, self.factors).to_vec(),
            bias: 0.0,
            history,
            recency: Vec::new(),
        }
    }

    /// Non-negative least squares of the user's row (their weights, zeros elsewhere)
    /// against the fixed item factors, by multiplicative updates from a flat start.
    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        let k = self.factors;
        let indices: Vec<u32> = history.iter().map(|&(j, _)| j).collect();
        let weights: Vec<f32> = history.iter().map(|&(_, w)| w).collect();
        let mut num = vec![0f32; k];
        numerator(
            &indices,
            &weights,
            &self.item_factors,
            k,
            self.binary,
            &mut num,
        );
        let mut user = vec![1f32; k];
        with_simd(FoldIn {
            model: self,
            num: &num,
            user: &mut user,
        });
        Ok(UserRepr {
            factors: user,
            bias: 0.0,
            history,
            recency: Vec::new(),
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        with_simd(ScoreRows {
            user: &user.factors,
            factors: &self.item_factors,
            k: self.factors,
            base: 0.0,
            bias: None,
            items: Some(items),
            out,
        });
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        with_simd(ScoreRows {
            user: &user.factors,
            factors: &self.item_factors,
            k: self.factors,
            base: 0.0,
            bias: None,
            items: None,
            out,
        });
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        Some(similar_by_factors(
            &self.item_factors,
            self.factors,
            item,
            k,
        ))
    }

    /// The score split over the history in proportion to each item's pull on it,
    /// `v_j · (h_j·h_i)`: the direction the multiplicative updates move the user in, as
    /// their numerator `Σ v_j h_j` shows. Without any pull (nothing positive in the
    /// history, or no shared factor), the whole score is the baseline.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let k = self.factors;
        let hi = row(&self.item_factors, item as usize, k);
        let score: f32 = user.factors.iter().zip(hi).map(|(w, h)| w * h).sum();
        let pulls: Vec<(ItemIdx, f64)> = user
            .history
            .iter()
            .map(|&(j, w)| {
                let hj = row(&self.item_factors, j as usize, k);
                let affinity: f64 = hi.iter().zip(hj).map(|(&a, &b)| a as f64 * b as f64).sum();
                (j, target(w, self.binary) as f64 * affinity)
            })
            .collect();
        let total: f64 = pulls.iter().map(|&(_, p)| p).sum();
        if total > 0.0 {
            let contributions = pulls
                .into_iter()
                .filter(|&(_, p)| p > 0.0)
                .map(|(j, p)| Contribution {
                    item: j,
                    weight: (score as f64 * p / total) as f32,
                })
                .collect();
            Ok(Some(Explanation::new(item, 0.0, contributions)))
        } else {
            Ok(Some(Explanation::new(item, score, Vec::new())))
        }
    }

    fn check(&self, n_users: usize) -> Result<()> {
        let k = self.factors;
        if k == 0 || !self.item_factors.len().is_multiple_of(k) {
            return Err(Error::Corrupt(format!(
                "{} item factor values do not make rows of {k}",
                self.item_factors.len()
            )));
        }
        check_len("user factors", self.user_factors.len(), n_users * k)?;
        check_len("item Gram matrix", self.item_gram.len(), k * k)
    }
}

#[cfg(test)]
mod tests {
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};

    use super::*;

    #[test]
    fn full_matrix_error_matches_the_sum_over_every_cell() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        for (u, i, kind) in [
            ("a", "x", EventKind::Like),
            ("a", "y", EventKind::Click),
            ("b", "y", EventKind::Skip),
            ("c", "z", EventKind::Click),
            ("c", "z", EventKind::Skip),
        ] {
            b.add_event(u, i, &kind, 0.0, 1);
        }
        let data = b.build();
        let k = 2;
        let params = NmfParams {
            factors: k,
            ..Default::default()
        };
        let users: Vec<f32> = (0..3 * k).map(|n| 0.2 + 0.3 * n as f32).collect();
        let items: Vec<f32> = (0..3 * k).map(|n| 1.1 - 0.15 * n as f32).collect();
        let rmse = full_matrix_rmse(
            &users,
            &items,
            &gram(&users, k, 0.0),
            &gram(&items, k, 0.0),
            data.user_items(),
            &params,
        );
        // Every cell, zeros included; the skip is a zero, click + skip is 1.
        let mut dense = [[0f64; 3]; 3];
        for u in 0..3u32 {
            let row = data.user_row(u);
            for (&i, &w) in row.indices.iter().zip(row.weights) {
                dense[u as usize][i as usize] = w.max(0.0) as f64;
            }
        }
        let c = |id: &str| data.users().get(id).unwrap() as usize;
        let x = |id: &str| data.items().get(id).unwrap() as usize;
        assert_eq!(dense[c("a")][x("x")], 5.0);
        assert_eq!(dense[c("b")][x("y")], 0.0);
        assert_eq!(dense[c("c")][x("z")], 1.0);
        let mut sse = 0f64;
        for (u, dense_row) in dense.iter().enumerate() {
            for (i, &v) in dense_row.iter().enumerate() {
                let s: f64 = (0..k)
                    .map(|f| users[u * k + f] as f64 * items[i * k + f] as f64)
                    .sum();
                sse += (v - s).powi(2);
            }
        }
        let brute = (sse / 9.0).sqrt();
        assert!((rmse - brute).abs() < 1e-5, "{rmse} vs {brute}");
    }
}
