//! SVD++ (Koren 2008): biased matrix factorization whose user side also sums the factors
//! of everything the user rated, `r̂ = μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)`,
//! trained by SGD with Surprise's `SVDpp` update rules. `N(u)` is the set of items `u`
//! rated in training.
//!
//! Per rating, Surprise recomputes the implicit sum and updates every `y_j` of the user,
//! which costs `O(|N(u)|·k)` per rating and makes an epoch quadratic in the user's
//! history. Here an epoch visits users in a shuffled order and each user's ratings
//! consecutively (shuffled too): the implicit sum is computed once per user, the
//! gradient of the `y_j` is accumulated over the user's ratings and applied once at the
//! end, along with the regularization the per-rating updates would have applied in the
//! meantime. That is the usual fast variant; every update stays linear in the ratings.
//!
//! Training is sequential: every user touches the `y` rows of all their items, so no
//! partition of the matrix keeps parallel updates apart, and on MovieLens-1M an epoch
//! takes tens of milliseconds anyway.

use std::time::Instant;

use orrery_core::{Dataset, ItemIdx, UserIdx, rng};
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::algo::{Algo, Ratings, ScoreRows, check_len, ridge, similar_by_factors};
use crate::linalg::{Cholesky, Kernel, dot_simd, padded, row, with_simd};
use crate::{
    Algorithm, Contribution, EpochReport, Error, Explanation, Progress, Result, Scored,
    SvdppParams, UserRepr,
};

/// A fitted SVD++ model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Svdpp {
    factors: usize,
    mean: f32,
    /// Each trained user's whole factor vector, `p_u + |N(u)|^-½ Σ y_j`, so that scoring
    /// is one dot product as for plain MF.
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
    /// The implicit factors `y_j`, one row per item.
    implicit_factors: Vec<f32>,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    reg: f32,
    rating_range: (f32, f32),
}

/// How much more the fold-in solve regularizes than SGD's per-rating `reg` summed over
/// the user's ratings (as for [`crate::Mf`]). With the default parameters, folding in
/// every user of the validation split carved from the ML-1M (users 1–2999) training
/// ratings gave RMSE 0.860 at 0.3, 0.856 at 0.5 and 1, 0.862 at 2 and 0.875 at 5,
/// against 0.858 for the trained factors; on ML-100K u1's, 0.907 at 0.5 and 0.900 at 1
/// against 0.900.
const FOLD_IN_REG_SCALE: f64 = 1.0;

/// The ratings of every user as CSR rows: `items[indptr[u]..indptr[u + 1]]` with their
/// `values`.
struct ByUser {
    indptr: Vec<usize>,
    items: Vec<u32>,
    values: Vec<f32>,
}

impl ByUser {
    fn of(ratings: &Ratings, n_users: usize) -> ByUser {
        // `Ratings` lists cells user by user, so the rows are already contiguous.
        let mut indptr = vec![0usize; n_users + 1];
        for &u in &ratings.users {
            indptr[u as usize + 1] += 1;
        }
        for u in 0..n_users {
            indptr[u + 1] += indptr[u];
        }
        ByUser {
            indptr,
            items: ratings.items.clone(),
            values: ratings.values.clone(),
        }
    }

    fn range(&self, u: usize) -> std::ops::Range<usize> {
        self.indptr[u]..self.indptr[u + 1]
    }
}

/// The trained parameters, rows padded to whole SIMD lanes (the padding stays zero).
struct State {
    k: usize,
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
    implicit_factors: Vec<f32>,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
}

/// Per-user work buffers of an epoch.
struct Scratch {
    /// `p_u + |N(u)|^-½ Σ y_j`, kept in step with `p_u`.
    user_vector: Vec<f32>,
    /// `Σ err · q_i` over the user's ratings so far.
    implicit_gradient: Vec<f32>,
    order: Vec<usize>,
}

/// One SGD epoch over every user.
struct Epoch<'a> {
    by_user: &'a ByUser,
    state: &'a mut State,
    mean: f32,
    lr: f32,
    reg: f32,
    reg_implicit: f32,
    rng: rng::Rng,
}

impl Kernel for Epoch<'_> {
    /// The sum of squared training errors seen.
    type Output = f64;

    #[inline(always)]
    fn run<S: pulp::Simd>(mut self, simd: S) -> f64 {
        let s = &mut *self.state;
        let (k, lr, reg, reg_implicit, mean) =
            (s.k, self.lr, self.reg, self.reg_implicit, self.mean);
        let n_users = self.by_user.indptr.len() - 1;
        let mut users: Vec<usize> = (0..n_users).collect();
        users.shuffle(&mut self.rng);
        let mut scratch = Scratch {
            user_vector: vec![0f32; k],
            implicit_gradient: vec![0f32; k],
            order: Vec::new(),
        };
        let mut sse = 0f64;
        for u in users {
            let range = self.by_user.range(u);
            if range.is_empty() {
                continue;
            }
            let items = &self.by_user.items[range.clone()];
            let values = &self.by_user.values[range];
            let scale = 1.0 / (items.len() as f32).sqrt();

            let pu = &mut s.user_factors[u * k..(u + 1) * k];
            let z = &mut scratch.user_vector;
            z.fill(0.0);
            for &j in items {
                for (zf, &y) in z.iter_mut().zip(row(&s.implicit_factors, j as usize, k)) {
                    *zf += y;
                }
            }
            for (zf, &p) in z.iter_mut().zip(pu.iter()) {
                *zf = *zf * scale + p;
            }
            let grad = &mut scratch.implicit_gradient;
            grad.fill(0.0);
            scratch.order.clear();
            scratch.order.extend(0..items.len());
            scratch.order.shuffle(&mut self.rng);

            let bu = &mut s.user_bias[u];
            for &n in &scratch.order {
                let i = items[n] as usize;
                let qi = &mut s.item_factors[i * k..(i + 1) * k];
                let bi = &mut s.item_bias[i];
                let err = values[n] - (mean + *bu + *bi + dot_simd(simd, z, qi));
                sse += (err * err) as f64;
                *bu += lr * (err - reg * *bu);
                *bi += lr * (err - reg * *bi);
                for (((pf, zf), qf), gf) in pu
                    .iter_mut()
                    .zip(z.iter_mut())
                    .zip(qi.iter_mut())
                    .zip(grad.iter_mut())
                {
                    let (p, q, zv) = (*pf, *qf, *zf);
                    let dp = lr * (err * q - reg * p);
                    *pf += dp;
                    *zf += dp;
                    *qf += lr * (err * zv - reg * q);
                    *gf += err * q;
                }
            }

            // Each y_j would have taken |R(u)| regularization steps, one per rating; they
            // compound to a single decay factor (which cannot go below zero, so that an
            // oversized step shrinks y_j to nothing instead of flipping its sign).
            let decay = (1.0 - lr * reg_implicit).max(0.0).powi(items.len() as i32);
            for g in grad.iter_mut() {
                *g *= lr * scale;
            }
            for &j in items {
                let yj = &mut s.implicit_factors[j as usize * k..(j as usize + 1) * k];
                for (y, &g) in yj.iter_mut().zip(grad.iter()) {
                    *y = *y * decay + g;
                }
            }
        }
        sse
    }
}

impl Svdpp {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &SvdppParams,
        progress: &mut dyn Progress,
    ) -> Result<Svdpp> {
        let started = Instant::now();
        let ratings = Ratings::of(dataset, Algorithm::Svdpp)?;
        let (n_users, n_items, k) = (dataset.n_users(), dataset.n_items(), params.factors);
        let mean = ratings.mean as f32;
        let by_user = ByUser::of(&ratings, n_users);

        let normal = Normal::new(0.0f32, params.init_std).map_err(|_| Error::InvalidParam {
            algorithm: Algorithm::Svdpp,
            name: "init_std",
            value: params.init_std.to_string(),
            expected: "a number > 0".to_owned(),
        })?;
        let kp = padded(k);
        let mut init_rng = rng::seeded(params.seed);
        let mut init = |rows: usize| -> Vec<f32> {
            let mut factors = Vec::with_capacity(rows * kp);
            for _ in 0..rows {
                factors.extend((0..k).map(|_| normal.sample(&mut init_rng)));
                factors.resize(factors.len() + kp - k, 0.0);
            }
            factors
        };
        let user_factors = init(n_users);
        let item_factors = init(n_items);
        let implicit_factors = init(n_items);
        let mut state = State {
            k: kp,
            user_factors,
            item_factors,
            implicit_factors,
            user_bias: vec![0f32; n_users],
            item_bias: vec![0f32; n_items],
        };

        let n_ratings = ratings.values.len() as f64;
        for epoch in 1..=params.epochs {
            let sse = with_simd(Epoch {
                by_user: &by_user,
                state: &mut state,
                mean,
                lr: params.lr,
                reg: params.reg,
                reg_implicit: params.reg_implicit,
                rng: rng::stream(params.seed, epoch as u64),
            });
            let loss = (sse / n_ratings).sqrt();
            if !loss.is_finite() {
                return Err(Error::Diverged {
                    algorithm: Algorithm::Svdpp,
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

        let unpad = |m: &[f32], rows: usize| -> Vec<f32> {
            let mut out = Vec::with_capacity(rows * k);
            for r in 0..rows {
                out.extend_from_slice(&row(m, r, kp)[..k]);
            }
            out
        };
        let item_factors = unpad(&state.item_factors, n_items);
        let implicit_factors = unpad(&state.implicit_factors, n_items);
        let mut user_factors = unpad(&state.user_factors, n_users);
        for u in 0..n_users {
            let range = by_user.range(u);
            let implicit = implicit_sum(&implicit_factors, k, &by_user.items[range]);
            for (p, z) in user_factors[u * k..(u + 1) * k].iter_mut().zip(implicit) {
                *p += z;
            }
        }
        Ok(Svdpp {
            factors: k,
            mean,
            user_factors,
            item_factors,
            implicit_factors,
            user_bias: state.user_bias,
            item_bias: state.item_bias,
            reg: params.reg,
            rating_range: (ratings.min, ratings.max),
        })
    }

    /// The global mean rating.
    pub fn mean(&self) -> f32 {
        self.mean
    }

    /// Each trained user's whole factor vector `p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j`,
    /// row-major `n_users × factors`.
    pub fn user_factors(&self) -> &[f32] {
        &self.user_factors
    }

    /// The implicit item factors `y_j`, row-major `n_items × factors`.
    pub fn implicit_factors(&self) -> &[f32] {
        &self.implicit_factors
    }

    /// User biases.
    pub fn user_bias(&self) -> &[f32] {
        &self.user_bias
    }

    /// Item biases.
    pub fn item_bias(&self) -> &[f32] {
        &self.item_bias
    }

    /// The fold-in of `history`: its implicit term `|N|^-½ Σ y_j`, and the ridge system
    /// of `[p_u; b_u]` for what the implicit term leaves of each rating (targets
    /// `r_j − μ − b_j − q_jᵀ·implicit`).
    fn user_system(&self, history: &[(ItemIdx, f32)]) -> Result<(Vec<f32>, Cholesky, Vec<f64>)> {
        let k = self.factors;
        let items: Vec<ItemIdx> = history.iter().map(|&(j, _)| j).collect();
        let implicit = implicit_sum(&self.implicit_factors, k, &items);
        let lambda = FOLD_IN_REG_SCALE * self.reg as f64 * history.len().max(k) as f64;
        let (chol, rhs) = ridge::user_system(
            Algorithm::Svdpp,
            &self.item_factors,
            k,
            lambda,
            history
                .iter()
                .map(|&(j, r)| (j, self.target(&implicit, j, r))),
        )?;
        Ok((implicit, chol, rhs))
    }

    /// The part of rating `r` of item `j` left to the user's factors and bias.
    fn target(&self, implicit: &[f32], j: ItemIdx, r: f32) -> f64 {
        let qj = row(&self.item_factors, j as usize, self.factors);
        let implicit_part: f32 = qj.iter().zip(implicit).map(|(q, z)| q * z).sum();
        (r - self.mean - self.item_bias[j as usize] - implicit_part) as f64
    }
}

/// `|N|^-½ Σ_{j∈N} y_j` (zero for an empty `items`).
fn implicit_sum(implicit_factors: &[f32], k: usize, items: &[ItemIdx]) -> Vec<f32> {
    let mut sum = vec![0f32; k];
    if items.is_empty() {
        return sum;
    }
    for &j in items {
        for (s, &y) in sum.iter_mut().zip(row(implicit_factors, j as usize, k)) {
            *s += y;
        }
    }
    let scale = 1.0 / (items.len() as f32).sqrt();
    for s in &mut sum {
        *s *= scale;
    }
    sum
}

impl Algo for Svdpp {
    fn n_items(&self) -> usize {
        self.item_bias.len()
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
            bias: Some(&self.item_bias),
        })
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            factors: row(&self.user_factors, user as usize, self.factors).to_vec(),
            bias: self.user_bias[user as usize],
            history,
            recency: Vec::new(),
        }
    }

    /// The implicit term from the history's items, then `[p_u; b_u]` by the ridge solve of
    /// what it leaves of each rating; the representation holds `p_u + implicit` as factors.
    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        let (implicit, chol, mut x) = self.user_system(&history)?;
        chol.solve(&mut x);
        let bias = x.pop().unwrap_or(0.0) as f32;
        Ok(UserRepr {
            factors: x
                .into_iter()
                .zip(implicit)
                .map(|(p, z)| p as f32 + z)
                .collect(),
            bias,
            history,
            recency: Vec::new(),
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        with_simd(ScoreRows {
            user: &user.factors,
            factors: &self.item_factors,
            k: self.factors,
            base: self.mean + user.bias,
            bias: Some(&self.item_bias),
            items: Some(items),
            out,
        });
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        with_simd(ScoreRows {
            user: &user.factors,
            factors: &self.item_factors,
            k: self.factors,
            base: self.mean + user.bias,
            bias: Some(&self.item_bias),
            items: None,
            out,
        });
    }

    fn rating_range(&self) -> Option<(f32, f32)> {
        Some(self.rating_range)
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        Some(similar_by_factors(
            &self.item_factors,
            self.factors,
            item,
            k,
        ))
    }

    /// With the user re-derived from the history by the fold-in, the score minus
    /// `μ + b_i` is `Σ_j (y_j · share_j + |N|^-½ q_iᵀ y_j)`: each rated item's pull on the
    /// ridge solve plus its implicit factor seen from `item`.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let k = self.factors;
        let (implicit, chol, _) = self.user_system(&user.history)?;
        let shares = ridge::shares(
            &chol,
            &self.item_factors,
            k,
            item,
            user.history.iter().map(|&(j, _)| j),
        );
        let qi = row(&self.item_factors, item as usize, k);
        let scale = 1.0 / (user.history.len().max(1) as f64).sqrt();
        let contributions = user
            .history
            .iter()
            .zip(shares)
            .map(|(&(j, r), share)| {
                let yj = row(&self.implicit_factors, j as usize, k);
                let implicit_share: f64 =
                    qi.iter().zip(yj).map(|(&q, &y)| q as f64 * y as f64).sum();
                Contribution {
                    item: j,
                    weight: (self.target(&implicit, j, r) * share + scale * implicit_share) as f32,
                }
            })
            .collect();
        let baseline = self.mean + self.item_bias[item as usize];
        Ok(Some(Explanation::new(item, baseline, contributions)))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        let n_items = self.item_bias.len();
        let k = self.factors;
        check_len("user biases", self.user_bias.len(), n_users)?;
        check_len("user factors", self.user_factors.len(), n_users * k)?;
        check_len("item factors", self.item_factors.len(), n_items * k)?;
        check_len("implicit factors", self.implicit_factors.len(), n_items * k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Surprise's `SVDpp` step for one rating, in f64: the reference the fast variant must
    /// equal when every user has a single rating (then per-user and per-rating updates of
    /// `y` coincide).
    #[allow(clippy::too_many_arguments)]
    fn surprise_step(
        r: f64,
        mean: f64,
        bu: &mut f64,
        bi: &mut f64,
        pu: &mut [f64],
        qi: &mut [f64],
        yj: &mut [f64],
        lr: f64,
        reg: f64,
        reg_y: f64,
    ) {
        // |N(u)| = 1, so the implicit sum is y_j itself.
        let implicit: Vec<f64> = yj.to_vec();
        let dot: f64 = (0..qi.len()).map(|f| qi[f] * (pu[f] + implicit[f])).sum();
        let err = r - (mean + *bu + *bi + dot);
        *bu += lr * (err - reg * *bu);
        *bi += lr * (err - reg * *bi);
        for f in 0..qi.len() {
            let (p, q) = (pu[f], qi[f]);
            pu[f] += lr * (err * q - reg * p);
            qi[f] += lr * (err * (p + implicit[f]) - reg * q);
            yj[f] += lr * (err * q - reg_y * yj[f]);
        }
    }

    #[test]
    fn one_rating_per_user_follows_surprise_exactly() {
        let k = 8;
        let (lr, reg, reg_y, mean) = (0.05f32, 0.1f32, 0.02f32, 3.5f32);
        // User 0 rated item 1 (4 stars), user 1 rated item 0 (2 stars).
        let by_user = ByUser {
            indptr: vec![0, 1, 2],
            items: vec![1, 0],
            values: vec![4.0, 2.0],
        };
        let init = |salt: f32| -> Vec<f32> {
            (0..2 * k)
                .map(|n| ((n as f32 + salt) * 0.37).sin() * 0.3)
                .collect()
        };
        let mut state = State {
            k,
            user_factors: init(0.0),
            item_factors: init(1.0),
            implicit_factors: init(2.0),
            user_bias: vec![0.1, -0.2],
            item_bias: vec![0.3, 0.05],
        };
        let wide = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        let (mut p, mut q, mut y) = (
            wide(&state.user_factors),
            wide(&state.item_factors),
            wide(&state.implicit_factors),
        );
        let (mut bu, mut bi) = (wide(&state.user_bias), wide(&state.item_bias));
        for epoch in 0..3 {
            with_simd(Epoch {
                by_user: &by_user,
                state: &mut state,
                mean,
                lr,
                reg,
                reg_implicit: reg_y,
                rng: rng::stream(7, epoch),
            });
            // The users touch disjoint rows, so their order does not matter here.
            for (u, i, r) in [(0usize, 1usize, 4.0), (1, 0, 2.0)] {
                let (pu, qi, yi) = (
                    &mut p[u * k..(u + 1) * k],
                    &mut q[i * k..(i + 1) * k],
                    &mut y[i * k..(i + 1) * k],
                );
                surprise_step(
                    r,
                    mean as f64,
                    &mut bu[u],
                    &mut bi[i],
                    pu,
                    qi,
                    yi,
                    lr as f64,
                    reg as f64,
                    reg_y as f64,
                );
            }
        }
        let close = |a: &[f32], b: &[f64], what: &str| {
            for (x, y) in a.iter().zip(b) {
                assert!((*x as f64 - y).abs() < 1e-5, "{what}: {x} vs {y}");
            }
        };
        close(&state.user_factors, &p, "p");
        close(&state.item_factors, &q, "q");
        close(&state.implicit_factors, &y, "y");
        close(&state.user_bias, &bu, "b_u");
        close(&state.item_bias, &bi, "b_i");
        // And something was learned: the factors moved.
        assert!(
            state
                .user_factors
                .iter()
                .zip(init(0.0))
                .any(|(a, b)| (a - b).abs() > 1e-3)
        );
    }
}
