//! Implicit-feedback ALS (Hu, Koren and Volinsky 2008): every user–item pair is a
//! preference `p ∈ {0, 1}` with confidence `c = 1 + α·|w|` for observed pairs and 1 for the
//! rest. Each sweep solves all users with items fixed, then all items with users fixed,
//! in parallel over rows.
//!
//! The full-matrix term is never materialized: `YᵀY` is computed once per half-sweep and
//! each row adds only its observed cells, as `(YᵀY + λI + Σ (c−1) y yᵀ) x = Σ c·p·y`. The
//! default solver takes a few conjugate-gradient steps warm-started from the previous
//! factors (as `implicit` does); `cholesky` solves exactly.

use std::sync::OnceLock;
use std::time::Instant;

use orrery_core::{Csr, Dataset, ItemIdx, UserIdx, rng};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::algo::{Algo, ScoreRows, check_len, similar_by_factors};
use crate::linalg::{Cholesky, Kernel, axpy, dot_simd, gram, row, with_simd};
use crate::{
    Algorithm, AlsParams, AlsSolver, Contribution, EpochReport, Error, Explanation, Progress,
    Result, Scored, UserRepr,
};

/// A fitted implicit ALS model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Als {
    factors: usize,
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
    reg: f32,
    alpha: f32,
    binary: bool,
    /// `YᵀY + λI` of the fitted item factors, computed on the first fold-in: every fold-in
    /// and explanation solves against it, and it costs `n_items · k²` (a second at a
    /// million items), while the rest of a fold-in costs only the user's history.
    #[serde(skip)]
    item_gram: OnceLock<Vec<f32>>,
}

/// Rows below this many are solved in one rayon task; fixed so that the loss sum is
/// deterministic.
const CHUNK_ROWS: usize = 64;

/// The weight of one observed cell as ALS sees it.
fn cell_weight(weight: f32, binary: bool) -> f32 {
    if binary { 1.0 } else { weight }
}

/// Confidence and preference of a cell: `(1 + α|w|, 1 if w > 0 else 0)`.
#[inline]
fn confidence(alpha: f32, w: f32) -> (f32, f32) {
    (1.0 + alpha * w.abs(), if w > 0.0 { 1.0 } else { 0.0 })
}

/// `out = G v` for a symmetric row-major k×k `G`, as the sum of `G`'s rows scaled by the
/// entries of `v`: vector additions only, where a dot product per row would end each row
/// in a horizontal sum. Four rows share each pass over `out`.
#[inline(always)]
fn symv<S: pulp::Simd>(simd: S, g: &[f32], v: &[f32], out: &mut [f32]) {
    let k = v.len();
    out.fill(0.0);
    let (g_quads, v_quads) = (g.chunks_exact(4 * k), v.chunks_exact(4));
    let (g_rest, v_rest) = (g_quads.remainder(), v_quads.remainder());
    for (g4, v4) in g_quads.zip(v_quads) {
        let x: [&[f32]; 4] = std::array::from_fn(|i| row(g4, i, k));
        add_scaled_rows(simd, x, std::array::from_fn(|i| v4[i]), out);
    }
    for (g_row, &vc) in g_rest.chunks_exact(k).zip(v_rest) {
        axpy(vc, g_row, out);
    }
}

/// `out += Σ_i a_i x_i` over four equally long rows.
#[inline(always)]
fn add_scaled_rows<S: pulp::Simd>(simd: S, x: [&[f32]; 4], a: [f32; 4], out: &mut [f32]) {
    let [x0, x1, x2, x3] = x.map(S::as_simd_f32s);
    let [a0, a1, a2, a3] = a.map(|a| simd.splat_f32s(a));
    let (out_v, out_tail) = S::as_mut_simd_f32s(out);
    for ((((o, &v0), &v1), &v2), &v3) in out_v.iter_mut().zip(x0.0).zip(x1.0).zip(x2.0).zip(x3.0) {
        let sum = simd.mul_add_f32s(a0, v0, *o);
        let sum = simd.mul_add_f32s(a1, v1, sum);
        let sum = simd.mul_add_f32s(a2, v2, sum);
        *o = simd.mul_add_f32s(a3, v3, sum);
    }
    for (i, o) in out_tail.iter_mut().enumerate() {
        *o += a[0] * x0.1[i] + a[1] * x1.1[i] + a[2] * x2.1[i] + a[3] * x3.1[i];
    }
}

/// Per-thread work buffers of the conjugate-gradient solve.
struct Scratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
    /// Per cell: `c − 1` and `c·p`.
    extra: Vec<f32>,
    target: Vec<f32>,
}

impl Scratch {
    fn new(k: usize) -> Scratch {
        Scratch {
            r: vec![0f32; k],
            p: vec![0f32; k],
            ap: vec![0f32; k],
            extra: Vec::new(),
            target: Vec::new(),
        }
    }
}

/// `out += Σ_n scale(n, y_j · v) · y_j` over the rows `j = idx[n]` of `y`.
///
/// Four rows at a time: their dot products share each load of `v` and run as four
/// independent chains, and their additions read and write `out` once. Each row is read
/// once for both, where a pass of dot products and then a pass of additions read every
/// row twice.
#[inline(always)]
fn rows_dot_axpy<S: pulp::Simd>(
    simd: S,
    y: &[f32],
    idx: &[u32],
    v: &[f32],
    mut scale: impl FnMut(usize, f32) -> f32,
    out: &mut [f32],
) {
    let k = v.len();
    let (v_simd, v_tail) = S::as_simd_f32s(v);
    let quads = idx.chunks_exact(4);
    let singles = quads.remainder();
    for (q, quad) in quads.enumerate() {
        let x: [&[f32]; 4] = std::array::from_fn(|i| row(y, quad[i] as usize, k));
        let [x0, x1, x2, x3] = x.map(S::as_simd_f32s);
        let mut acc = [simd.splat_f32s(0.0); 4];
        for ((((&vc, &c0), &c1), &c2), &c3) in v_simd.iter().zip(x0.0).zip(x1.0).zip(x2.0).zip(x3.0)
        {
            acc[0] = simd.mul_add_f32s(c0, vc, acc[0]);
            acc[1] = simd.mul_add_f32s(c1, vc, acc[1]);
            acc[2] = simd.mul_add_f32s(c2, vc, acc[2]);
            acc[3] = simd.mul_add_f32s(c3, vc, acc[3]);
        }
        let tails = [x0.1, x1.1, x2.1, x3.1];
        let a: [f32; 4] = std::array::from_fn(|i| {
            let tail: f32 = tails[i].iter().zip(v_tail).map(|(a, b)| a * b).sum();
            scale(4 * q + i, simd.reduce_sum_f32s(acc[i]) + tail)
        });
        add_scaled_rows(simd, x, a, out);
    }
    let first_single = idx.len() - singles.len();
    for (n, &j) in singles.iter().enumerate() {
        let yj = row(y, j as usize, k);
        axpy(scale(first_single + n, dot_simd(simd, yj, v)), yj, out);
    }
}

/// One side's solve: the fixed factors `y`, their Gram matrix and the settings.
struct HalfSweep<'a> {
    y: &'a [f32],
    gram: &'a [f32],
    k: usize,
    alpha: f32,
    binary: bool,
    solver: AlsSolver,
    cg_steps: usize,
}

impl<'a> HalfSweep<'a> {
    fn new(y: &'a [f32], gram: &'a [f32], params: &AlsParams) -> HalfSweep<'a> {
        HalfSweep {
            y,
            gram,
            k: params.factors,
            alpha: params.alpha,
            binary: params.binary,
            solver: params.solver,
            cg_steps: params.cg_steps,
        }
    }

    /// Conjugate-gradient steps on one row, from its current factors `x`.
    #[inline(always)]
    fn cg<S: pulp::Simd>(
        &self,
        simd: S,
        x: &mut [f32],
        indices: &[u32],
        weights: &[f32],
        s: &mut Scratch,
    ) {
        s.extra.clear();
        s.target.clear();
        for &w in weights {
            let (c, p) = confidence(self.alpha, cell_weight(w, self.binary));
            s.extra.push(c - 1.0);
            s.target.push(c * p);
        }
        // r = b − A x
        symv(simd, self.gram, x, &mut s.r);
        for v in s.r.iter_mut() {
            *v = -*v;
        }
        let (extra, target) = (&s.extra, &s.target);
        rows_dot_axpy(
            simd,
            self.y,
            indices,
            x,
            |n, dot| target[n] - extra[n] * dot,
            &mut s.r,
        );
        s.p.copy_from_slice(&s.r);
        let mut rs_old = dot_simd(simd, &s.r, &s.r);
        for _ in 0..self.cg_steps {
            if rs_old < 1e-20 {
                break;
            }
            symv(simd, self.gram, &s.p, &mut s.ap);
            rows_dot_axpy(
                simd,
                self.y,
                indices,
                &s.p,
                |n, dot| extra[n] * dot,
                &mut s.ap,
            );
            let step = rs_old / dot_simd(simd, &s.p, &s.ap);
            axpy(step, &s.p, x);
            axpy(-step, &s.ap, &mut s.r);
            let rs_new = dot_simd(simd, &s.r, &s.r);
            for (p, &r) in s.p.iter_mut().zip(&s.r) {
                *p = r + (rs_new / rs_old) * *p;
            }
            rs_old = rs_new;
        }
    }

    /// The exact system of one row: the Cholesky factor of A and the right-hand side.
    fn system(&self, indices: &[u32], weights: &[f32]) -> Option<(Cholesky, Vec<f64>)> {
        let k = self.k;
        let mut a: Vec<f64> = self.gram.iter().map(|&v| v as f64).collect();
        let mut b = vec![0f64; k];
        for (&j, &w) in indices.iter().zip(weights) {
            let (c, p) = confidence(self.alpha, cell_weight(w, self.binary));
            let yj = row(self.y, j as usize, k);
            for (a_row, &yr) in a.chunks_exact_mut(k).zip(yj) {
                let scale = ((c - 1.0) * yr) as f64;
                for (a_rc, &yc) in a_row.iter_mut().zip(yj) {
                    *a_rc += scale * yc as f64;
                }
            }
            for (bf, &yf) in b.iter_mut().zip(yj) {
                *bf += (c * p * yf) as f64;
            }
        }
        Some((Cholesky::factor(a, k)?, b))
    }

    /// Solves every row of `x` against `csr`; returns whether every system was positive
    /// definite.
    fn solve_all(&self, x: &mut [f32], csr: &Csr) -> bool {
        let failures: usize = x
            .par_chunks_mut(self.k * CHUNK_ROWS)
            .enumerate()
            .map(|(chunk, rows)| {
                with_simd(SolveChunk {
                    sweep: self,
                    rows,
                    first_row: chunk * CHUNK_ROWS,
                    csr,
                })
            })
            .sum();
        failures == 0
    }

    /// Solves consecutive rows from `first_row`; returns how many systems were not
    /// positive definite.
    #[inline(always)]
    fn solve_rows<S: pulp::Simd>(
        &self,
        simd: S,
        rows: &mut [f32],
        first_row: usize,
        csr: &Csr,
    ) -> usize {
        let k = self.k;
        let mut scratch = Scratch::new(k);
        let mut failures = 0;
        for (offset, xu) in rows.chunks_exact_mut(k).enumerate() {
            let r = csr.row((first_row + offset) as u32);
            match self.solver {
                AlsSolver::Cg => self.cg(simd, xu, r.indices, r.weights, &mut scratch),
                AlsSolver::Cholesky => match self.system(r.indices, r.weights) {
                    Some((chol, mut b)) => {
                        chol.solve(&mut b);
                        for (xf, bf) in xu.iter_mut().zip(b) {
                            *xf = bf as f32;
                        }
                    }
                    None => failures += 1,
                },
            }
        }
        failures
    }

    /// The weighted squared error of every row of `x` plus regularization, and the total
    /// confidence of the observed cells (implicit's normalization).
    fn loss(&self, x: &[f32], csr: &Csr) -> (f64, f64) {
        let parts: Vec<(f64, f64)> = x
            .par_chunks(self.k * CHUNK_ROWS)
            .enumerate()
            .map(|(chunk, rows)| {
                with_simd(LossChunk {
                    sweep: self,
                    rows,
                    first_row: chunk * CHUNK_ROWS,
                    csr,
                })
            })
            .collect();
        parts
            .iter()
            .fold((0.0, 0.0), |(l, c), &(pl, pc)| (l + pl, c + pc))
    }

    #[inline(always)]
    fn loss_rows<S: pulp::Simd>(
        &self,
        simd: S,
        rows: &[f32],
        first_row: usize,
        csr: &Csr,
    ) -> (f64, f64) {
        let k = self.k;
        let mut gx = vec![0f32; k];
        let (mut loss, mut confidence_sum) = (0f64, 0f64);
        for (offset, xu) in rows.chunks_exact(k).enumerate() {
            let r = csr.row((first_row + offset) as u32);
            // xᵀ(YᵀY + λI)x counts every cell as an unobserved zero plus the user's
            // regularization; observed cells then correct their term.
            symv(simd, self.gram, xu, &mut gx);
            loss += dot_simd(simd, xu, &gx) as f64;
            for (&j, &w) in r.indices.iter().zip(r.weights) {
                let (c, p) = confidence(self.alpha, cell_weight(w, self.binary));
                let s = dot_simd(simd, xu, row(self.y, j as usize, k));
                loss += (c * (p - s) * (p - s) - s * s) as f64;
                confidence_sum += c as f64;
            }
        }
        (loss, confidence_sum)
    }
}

/// [`HalfSweep::solve_rows`] as a SIMD kernel.
struct SolveChunk<'a> {
    sweep: &'a HalfSweep<'a>,
    rows: &'a mut [f32],
    first_row: usize,
    csr: &'a Csr,
}

impl Kernel for SolveChunk<'_> {
    type Output = usize;

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) -> usize {
        self.sweep
            .solve_rows(simd, self.rows, self.first_row, self.csr)
    }
}

/// [`HalfSweep::loss_rows`] as a SIMD kernel.
struct LossChunk<'a> {
    sweep: &'a HalfSweep<'a>,
    rows: &'a [f32],
    first_row: usize,
    csr: &'a Csr,
}

impl Kernel for LossChunk<'_> {
    type Output = (f64, f64);

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) -> (f64, f64) {
        self.sweep
            .loss_rows(simd, self.rows, self.first_row, self.csr)
    }
}

impl Als {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &AlsParams,
        progress: &mut dyn Progress,
    ) -> Result<Als> {
        let started = Instant::now();
        let (n_users, n_items, k) = (dataset.n_users(), dataset.n_items(), params.factors);
        if dataset.nnz() == 0 {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Als,
                problem: "the dataset holds no interactions".to_owned(),
                hint: "import interactions first",
            });
        }
        let mut rng = rng::seeded(params.seed);
        // Small positive factors, as implicit starts: the first sweep sets the scale.
        let mut user_factors: Vec<f32> = (0..n_users * k)
            .map(|_| rng.random::<f32>() * 0.01)
            .collect();
        let mut item_factors: Vec<f32> = (0..n_items * k)
            .map(|_| rng.random::<f32>() * 0.01)
            .collect();
        let by_user = dataset.user_items();
        let by_item = dataset.item_users();
        let not_pd = || Error::NotPositiveDefinite {
            algorithm: Algorithm::Als,
            what: "a row's normal equations",
        };
        for epoch in 1..=params.iterations {
            let item_gram = gram(&item_factors, k, params.reg);
            if !HalfSweep::new(&item_factors, &item_gram, params)
                .solve_all(&mut user_factors, by_user)
            {
                return Err(not_pd());
            }
            let user_gram = gram(&user_factors, k, params.reg);
            if !HalfSweep::new(&user_factors, &user_gram, params)
                .solve_all(&mut item_factors, by_item)
            {
                return Err(not_pd());
            }
            let loss = if progress.wants_loss() {
                // The loss with items fixed at their new values, seen from the user side.
                let item_gram = gram(&item_factors, k, params.reg);
                let view = HalfSweep::new(&item_factors, &item_gram, params);
                let (loss, confidence_sum) = view.loss(&user_factors, by_user);
                let item_norm: f64 = item_factors.iter().map(|&v| (v * v) as f64).sum();
                let cells = confidence_sum + (n_users * n_items) as f64 - dataset.nnz() as f64;
                (loss + params.reg as f64 * item_norm) / cells.max(1.0)
            } else {
                f64::NAN
            };
            if loss.is_infinite() {
                return Err(Error::Diverged {
                    algorithm: Algorithm::Als,
                    epoch,
                    loss,
                });
            }
            progress.on_epoch(&EpochReport {
                epoch,
                epochs: params.iterations,
                loss,
                elapsed: started.elapsed(),
            });
            if progress.cancelled() {
                return Err(Error::Cancelled { epoch });
            }
        }
        Ok(Als {
            factors: k,
            user_factors,
            item_factors,
            reg: params.reg,
            alpha: params.alpha,
            binary: params.binary,
            item_gram: OnceLock::new(),
        })
    }

    /// User factors, row-major `n_users × factors`.
    pub fn user_factors(&self) -> &[f32] {
        &self.user_factors
    }

    /// The exact system of a user with `history`, items fixed.
    fn user_system(&self, history: &[(ItemIdx, f32)]) -> Result<(Cholesky, Vec<f64>)> {
        let gram = self
            .item_gram
            .get_or_init(|| gram(&self.item_factors, self.factors, self.reg));
        let sweep = HalfSweep {
            y: &self.item_factors,
            gram,
            k: self.factors,
            alpha: self.alpha,
            binary: self.binary,
            solver: AlsSolver::Cholesky,
            cg_steps: 0,
        };
        let (indices, weights): (Vec<u32>, Vec<f32>) = history.iter().copied().unzip();
        sweep
            .system(&indices, &weights)
            .ok_or(Error::NotPositiveDefinite {
                algorithm: Algorithm::Als,
                what: "the fold-in system",
            })
    }
}

impl Algo for Als {
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

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        let (chol, mut x) = self.user_system(&history)?;
        chol.solve(&mut x);
        Ok(UserRepr {
            factors: x.into_iter().map(|v| v as f32).collect(),
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

    /// As in `implicit`: with `x = A⁻¹ Σ_j c_j p_j y_j`, the score `y_iᵀx` is
    /// `Σ_j c_j p_j · y_iᵀA⁻¹y_j`, one share per item of the history.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let (chol, _) = self.user_system(&user.history)?;
        let k = self.factors;
        let mut w: Vec<f64> = row(&self.item_factors, item as usize, k)
            .iter()
            .map(|&v| v as f64)
            .collect();
        chol.solve(&mut w);
        let contributions = user
            .history
            .iter()
            .map(|&(j, value)| {
                let (c, p) = confidence(self.alpha, cell_weight(value, self.binary));
                let yj = row(&self.item_factors, j as usize, k);
                let share: f64 = w.iter().zip(yj).map(|(a, &b)| a * b as f64).sum();
                Contribution {
                    item: j,
                    weight: (c as f64 * p as f64 * share) as f32,
                }
            })
            .collect();
        Ok(Some(Explanation::new(item, 0.0, contributions)))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        if self.factors == 0 {
            return Err(Error::Corrupt("ALS model with 0 factors".to_owned()));
        }
        check_len(
            "user factors",
            self.user_factors.len(),
            n_users * self.factors,
        )?;
        check_len(
            "item factors",
            self.item_factors.len(),
            self.n_items() * self.factors,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes off the SIMD width and off the four-row blocks, so that every tail runs.
    const K: usize = 13;
    const ITEMS: usize = 23;

    fn factors(rows: usize, seed: u64) -> Vec<f32> {
        let mut rng = rng::seeded(seed);
        (0..rows * K).map(|_| rng.random::<f32>() - 0.5).collect()
    }

    struct Symv<'a>(&'a [f32], &'a [f32], &'a mut [f32]);

    impl Kernel for Symv<'_> {
        type Output = ();
        fn run<S: pulp::Simd>(self, simd: S) {
            symv(simd, self.0, self.1, self.2)
        }
    }

    #[test]
    fn symv_equals_the_plain_product() {
        let g = gram(&factors(ITEMS, 1), K, 0.1);
        let v = factors(1, 2);
        let mut out = vec![0f32; K];
        with_simd(Symv(&g, &v, &mut out));
        for (r, &o) in out.iter().enumerate() {
            let expected: f32 = (0..K).map(|c| g[r * K + c] * v[c]).sum();
            assert!((o - expected).abs() < 1e-4, "row {r}: {o} vs {expected}");
        }
    }

    struct Cg<'a> {
        sweep: &'a HalfSweep<'a>,
        x: &'a mut [f32],
        indices: &'a [u32],
        weights: &'a [f32],
    }

    impl Kernel for Cg<'_> {
        type Output = ();
        fn run<S: pulp::Simd>(self, simd: S) {
            let mut scratch = Scratch::new(K);
            self.sweep
                .cg(simd, self.x, self.indices, self.weights, &mut scratch)
        }
    }

    #[test]
    fn conjugate_gradient_converges_to_the_exact_solution() {
        let y = factors(ITEMS, 3);
        let gram = gram(&y, K, 0.05);
        let params = AlsParams {
            factors: K,
            alpha: 2.0,
            cg_steps: 3 * K,
            ..AlsParams::default()
        };
        let sweep = HalfSweep::new(&y, &gram, &params);
        for n in [0usize, 1, 3, 4, 5, 8, 9, 22] {
            let indices: Vec<u32> = (0..n as u32).map(|i| (i * 7) % ITEMS as u32).collect();
            let weights: Vec<f32> = (0..n).map(|i| [1.0, 3.0, -1.0][i % 3]).collect();
            let (chol, mut exact) = sweep.system(&indices, &weights).expect("definite");
            chol.solve(&mut exact);
            let mut x = vec![0.01f32; K];
            with_simd(Cg {
                sweep: &sweep,
                x: &mut x,
                indices: &indices,
                weights: &weights,
            });
            for (f, (&got, &want)) in x.iter().zip(&exact).enumerate() {
                assert!(
                    (got as f64 - want).abs() < 1e-3 * (1.0 + want.abs()),
                    "{n} cells, factor {f}: {got} vs {want}"
                );
            }
        }
    }
}
