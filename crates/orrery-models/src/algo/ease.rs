//! EASE (Steck 2019), the "embarrassingly shallow autoencoder": an item×item weight matrix
//! `B` with zero diagonal that best reconstructs each user's row, in closed form:
//! `P = (XᵀX + λI)⁻¹`, `B_ij = −P_ij / P_jj`. A user's scores are `x_u B`.
//!
//! The Gram matrix is built sparsely (one column per item, in parallel), factored in place
//! by faer's Cholesky, and `P` is recovered a block of columns at a time straight into
//! `B`, so that the peak memory is one n×n f64 matrix plus `B` in f32.
//!
//! With a recency half-life, `x_u` weighs each interaction by how many of the user's
//! interactions came after it: what a user did last says most about what they do next
//! (on ML-1M leave-last-out it lifts HR@10 from 0.70 to 0.78). `B` itself is unchanged.

use faer::Mat;
use faer::Par;
use faer::col::ColRef;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{factor, solve};
use orrery_core::{Dataset, ItemIdx, UserIdx};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::algo::{Algo, check_len};
use crate::linalg::{axpy, row};
use crate::repr::{later_counts, recency_weight};
use crate::topk::top_k;
use crate::{Algorithm, Contribution, EaseParams, Error, Explanation, Result, Scored, UserRepr};

/// A fitted EASE model: the dense item×item weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ease {
    n_items: usize,
    binary: bool,
    /// Row-major `n_items × n_items`: row j holds how much an interaction with j adds to
    /// every item's score.
    weights: Vec<f32>,
    /// The recency weighting, when on.
    recency: Option<Recency>,
}

/// Recency weights of the user's input vector, and those of the trained users.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Recency {
    half_life: f32,
    floor: f32,
    /// For user `u`, `trained[offsets[u]..offsets[u + 1]]` parallel to their history.
    offsets: Vec<u64>,
    trained: Vec<f32>,
}

impl Recency {
    fn of(dataset: &Dataset, half_life: f32, floor: f32) -> Recency {
        let csr = dataset.user_items();
        let mut trained = Vec::with_capacity(csr.nnz());
        for u in 0..dataset.n_users() {
            let row = csr.row(u as UserIdx);
            trained.extend(
                later_counts(row.times)
                    .into_iter()
                    .map(|n| recency_weight(n, half_life, floor)),
            );
        }
        Recency {
            half_life,
            floor,
            offsets: csr.indptr().iter().map(|&p| p as u64).collect(),
            trained,
        }
    }

    fn trained_user(&self, user: UserIdx) -> Vec<f32> {
        let u = user as usize;
        match (self.offsets.get(u), self.offsets.get(u + 1)) {
            (Some(&start), Some(&end)) => self.trained[start as usize..end as usize].to_vec(),
            _ => Vec::new(),
        }
    }
}

/// Above this many items the n² matrices no longer fit comfortably in memory.
const MAX_ITEMS: usize = 40_000;

/// Columns of `P` recovered per triangular solve.
const SOLVE_BLOCK: usize = 256;

impl Ease {
    fn value(&self, v: f32) -> f32 {
        if self.binary { 1.0 } else { v }
    }

    /// The user's input vector as `(item, x_ui)`.
    fn inputs<'a>(&'a self, user: &'a UserRepr) -> impl Iterator<Item = (ItemIdx, f32)> + 'a {
        user.history.iter().enumerate().map(move |(k, &(j, v))| {
            (
                j,
                self.value(v) * user.recency.get(k).copied().unwrap_or(1.0),
            )
        })
    }

    pub(crate) fn fit(dataset: &Dataset, params: &EaseParams) -> Result<Ease> {
        let n = dataset.n_items();
        if dataset.nnz() == 0 {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Ease,
                problem: "the dataset holds no interactions".to_owned(),
                hint: "import interactions first",
            });
        }
        if n > MAX_ITEMS {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::Ease,
                problem: format!(
                    "{n} items need an {n}×{n} dense matrix (more than {MAX_ITEMS} items)"
                ),
                hint: "use als or itemknn for catalogs this large",
            });
        }
        let by_user = dataset.user_items();
        let by_item = dataset.item_users();
        let binary = params.binary;
        let cell = |r: f32, w: f32| {
            if binary {
                1.0
            } else if r.is_nan() {
                w as f64
            } else {
                r as f64
            }
        };
        let lambda = params.lambda as f64;

        // G = XᵀX + λI; column i gathers Σ_u x_ui · x_u over the users of item i.
        let mut g = Mat::<f64>::zeros(n, n);
        g.as_mut().par_col_iter_mut().enumerate().for_each_init(
            || vec![0f64; n],
            |acc, (i, mut col)| {
                acc.fill(0.0);
                let users = by_item.row(i as ItemIdx);
                for (n_u, &u) in users.indices.iter().enumerate() {
                    let x_ui = cell(users.ratings[n_u], users.weights[n_u]);
                    let items = by_user.row(u);
                    for ((&j, &r), &w) in items.indices.iter().zip(items.ratings).zip(items.weights)
                    {
                        acc[j as usize] += x_ui * cell(r, w);
                    }
                }
                acc[i] += lambda;
                col.copy_from(ColRef::from_slice(acc));
            },
        );

        let par = Par::rayon(0);
        let not_pd = || Error::NotPositiveDefinite {
            algorithm: Algorithm::Ease,
            what: "XᵀX + λI",
        };
        {
            let mut mem = MemBuffer::new(factor::cholesky_in_place_scratch::<f64>(
                n,
                par,
                Default::default(),
            ));
            factor::cholesky_in_place(
                g.as_mut(),
                Default::default(),
                par,
                MemStack::new(&mut mem),
                Default::default(),
            )
            .map_err(|_| not_pd())?;
        }
        // The factorization leaves the upper triangle untouched; clear it so that only L
        // remains.
        for j in 0..n {
            for i in 0..j {
                g[(i, j)] = 0.0;
            }
        }

        let mut weights = vec![0f32; n * n];
        for start in (0..n).step_by(SOLVE_BLOCK) {
            let end = (start + SOLVE_BLOCK).min(n);
            let mut block = Mat::<f64>::zeros(n, end - start);
            for c in start..end {
                block[(c, c - start)] = 1.0;
            }
            let mut mem = MemBuffer::new(solve::solve_in_place_scratch::<f64>(n, end - start, par));
            solve::solve_in_place(g.as_ref(), block.as_mut(), par, MemStack::new(&mut mem));
            // Column i of the block is column i of P.
            for i in start..end {
                let p_ii = block[(i, i - start)];
                if !(p_ii > 0.0 && p_ii.is_finite()) {
                    return Err(not_pd());
                }
                for j in 0..n {
                    weights[j * n + i] = if j == i {
                        0.0
                    } else {
                        (-block[(j, i - start)] / p_ii) as f32
                    };
                }
            }
        }
        let recency = (params.recency_half_life > 0.0)
            .then(|| Recency::of(dataset, params.recency_half_life, params.recency_floor));
        Ok(Ease {
            n_items: n,
            binary,
            weights,
            recency,
        })
    }
}

impl Algo for Ease {
    fn n_items(&self) -> usize {
        self.n_items
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            history,
            recency: self
                .recency
                .as_ref()
                .map(|r| r.trained_user(user))
                .unwrap_or_default(),
            ..UserRepr::default()
        }
    }

    fn fold_in_ordered(&self, history: Vec<(ItemIdx, f32)>, later: &[u32]) -> Result<UserRepr> {
        let recency = match &self.recency {
            Some(r) => later
                .iter()
                .map(|&n| recency_weight(n, r.half_life, r.floor))
                .collect(),
            None => Vec::new(),
        };
        Ok(UserRepr {
            history,
            recency,
            ..UserRepr::default()
        })
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        Ok(UserRepr {
            history,
            ..UserRepr::default()
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        let n = self.n_items;
        for (o, &i) in out.iter_mut().zip(items) {
            *o = self
                .inputs(user)
                .map(|(j, x)| x * self.weights[j as usize * n + i as usize])
                .sum();
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        out.fill(0.0);
        for (j, x) in self.inputs(user) {
            axpy(x, row(&self.weights, j as usize, self.n_items), out);
        }
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        let weights = row(&self.weights, item as usize, self.n_items);
        let candidates = weights
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != item as usize)
            .map(|(j, &w)| (j as ItemIdx, w));
        Some(top_k(candidates, k))
    }

    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let n = self.n_items;
        let contributions = self
            .inputs(user)
            .map(|(j, x)| Contribution {
                item: j,
                weight: x * self.weights[j as usize * n + item as usize],
            })
            .collect();
        Ok(Some(Explanation::new(item, 0.0, contributions)))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        check_len(
            "EASE weights",
            self.weights.len(),
            self.n_items * self.n_items,
        )?;
        if let Some(r) = &self.recency {
            check_len("EASE recency offsets", r.offsets.len(), n_users + 1)?;
            let nnz = r.offsets.last().copied().unwrap_or(0) as usize;
            check_len("EASE recency weights", r.trained.len(), nnz)?;
            if r.offsets.windows(2).any(|w| w[0] > w[1]) {
                return Err(Error::Corrupt("EASE recency offsets decrease".to_owned()));
            }
        }
        Ok(())
    }
}
