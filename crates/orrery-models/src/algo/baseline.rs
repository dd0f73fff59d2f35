//! The baseline predictor `μ + b_u + b_i` with regularized biases, fitted by alternating
//! least squares exactly as Surprise's `BaselineOnly` does (item biases, then user biases,
//! each pass).

use std::time::Instant;

use orrery_core::{Dataset, ItemIdx, UserIdx};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::algo::{Algo, Ratings, check_len};
use crate::{
    Algorithm, BaselineParams, Contribution, EpochReport, Error, Explanation, Progress, Result,
    UserRepr,
};

/// A fitted baseline: global mean and user and item biases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    mean: f32,
    user_bias: Vec<f32>,
    item_bias: Vec<f32>,
    reg_u: f32,
    rating_range: (f32, f32),
}

/// Σ (rating − mean − bias of the other side) / (reg + n) over one CSR row's rated cells.
fn solve_bias(indices: &[u32], ratings: &[f32], mean: f32, other: &[f32], reg: f32) -> f32 {
    let (sum, n) = indices
        .iter()
        .zip(ratings)
        .filter(|(_, r)| r.is_finite())
        .fold((0f64, 0usize), |(s, n), (&j, &r)| {
            (s + (r - mean - other[j as usize]) as f64, n + 1)
        });
    (sum / (reg as f64 + n as f64)) as f32
}

impl Baseline {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &BaselineParams,
        progress: &mut dyn Progress,
    ) -> Result<Baseline> {
        let started = Instant::now();
        let ratings = Ratings::of(dataset, Algorithm::Baseline)?;
        let mean = ratings.mean as f32;
        let by_user = dataset.user_items();
        let by_item = dataset.item_users();
        let mut user_bias = vec![0f32; dataset.n_users()];
        let mut item_bias = vec![0f32; dataset.n_items()];
        for epoch in 1..=params.epochs {
            item_bias.par_iter_mut().enumerate().for_each(|(i, b)| {
                let row = by_item.row(i as ItemIdx);
                *b = solve_bias(row.indices, row.ratings, mean, &user_bias, params.reg_i);
            });
            user_bias.par_iter_mut().enumerate().for_each(|(u, b)| {
                let row = by_user.row(u as UserIdx);
                *b = solve_bias(row.indices, row.ratings, mean, &item_bias, params.reg_u);
            });
            let sse: f64 = (0..ratings.values.len())
                .map(|n| {
                    let (u, i) = (ratings.users[n] as usize, ratings.items[n] as usize);
                    let err = ratings.values[n] - (mean + user_bias[u] + item_bias[i]);
                    (err * err) as f64
                })
                .sum();
            progress.on_epoch(&EpochReport {
                epoch,
                epochs: params.epochs,
                loss: (sse / ratings.values.len() as f64).sqrt(),
                elapsed: started.elapsed(),
            });
            if progress.cancelled() {
                return Err(Error::Cancelled { epoch });
            }
        }
        Ok(Baseline {
            mean,
            user_bias,
            item_bias,
            reg_u: params.reg_u,
            rating_range: (ratings.min, ratings.max),
        })
    }

    /// The global mean rating.
    pub fn mean(&self) -> f32 {
        self.mean
    }

    /// The item biases.
    pub fn item_bias(&self) -> &[f32] {
        &self.item_bias
    }

    /// The user biases.
    pub fn user_bias(&self) -> &[f32] {
        &self.user_bias
    }
}

impl Algo for Baseline {
    fn n_items(&self) -> usize {
        self.item_bias.len()
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            factors: Vec::new(),
            bias: self.user_bias.get(user as usize).copied().unwrap_or(0.0),
            history,
            recency: Vec::new(),
        }
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        let residual: f64 = history
            .iter()
            .map(|&(i, r)| (r - self.mean - self.item_bias[i as usize]) as f64)
            .sum();
        let bias = (residual / (self.reg_u as f64 + history.len() as f64)) as f32;
        Ok(UserRepr {
            factors: Vec::new(),
            bias,
            history,
            recency: Vec::new(),
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        for (o, &i) in out.iter_mut().zip(items) {
            *o = self.mean + user.bias + self.item_bias[i as usize];
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        for (o, &b) in out.iter_mut().zip(&self.item_bias) {
            *o = self.mean + user.bias + b;
        }
    }

    fn rating_range(&self) -> Option<(f32, f32)> {
        Some(self.rating_range)
    }

    /// The user bias, re-derived from the history as in `fold_in`, is a sum of one share
    /// per rated item.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let denom = self.reg_u + user.history.len() as f32;
        let contributions = user
            .history
            .iter()
            .map(|&(j, r)| Contribution {
                item: j,
                weight: (r - self.mean - self.item_bias[j as usize]) / denom,
            })
            .collect();
        let baseline = self.mean + self.item_bias[item as usize];
        Ok(Some(Explanation::new(item, baseline, contributions)))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        check_len("user biases", self.user_bias.len(), n_users)
    }
}
