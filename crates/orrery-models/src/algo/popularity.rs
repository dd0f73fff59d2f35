//! Popularity and trending: every user gets the same ranking, by how many users
//! interacted with an item (or the summed weight of their interactions), optionally decayed
//! exponentially with the age of each interaction.

use orrery_core::{Dataset, ItemIdx, UserIdx};
use serde::{Deserialize, Serialize};

use crate::algo::Algo;
use crate::{PopularityBy, PopularityParams, Result, TrendingParams, UserRepr};

/// A fitted popularity or trending model: one score per item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Popularity {
    scores: Vec<f32>,
}

const SECONDS_PER_DAY: f64 = 86_400.0;

impl Popularity {
    pub(crate) fn fit_popularity(dataset: &Dataset, params: &PopularityParams) -> Popularity {
        Popularity::fit(dataset, params.by, None)
    }

    pub(crate) fn fit_trending(dataset: &Dataset, params: &TrendingParams) -> Popularity {
        Popularity::fit(dataset, params.by, Some(params.half_life_days))
    }

    fn fit(dataset: &Dataset, by: PopularityBy, half_life_days: Option<f64>) -> Popularity {
        let csr = dataset.item_users();
        // Ages are measured from the newest interaction in the snapshot, so the same
        // snapshot always gives the same scores.
        let now = csr.times().iter().copied().max().unwrap_or(0);
        let decay = |ts: i64| match half_life_days {
            Some(half_life) => {
                let age_days = (now - ts).max(0) as f64 / SECONDS_PER_DAY;
                0.5f64.powf(age_days / half_life)
            }
            None => 1.0,
        };
        let scores = (0..dataset.n_items())
            .map(|i| {
                let row = csr.row(i as ItemIdx);
                let total: f64 = row
                    .weights
                    .iter()
                    .zip(row.times)
                    .map(|(&w, &ts)| {
                        let amount = match by {
                            PopularityBy::Count => 1.0,
                            PopularityBy::Weight => w as f64,
                        };
                        amount * decay(ts)
                    })
                    .sum();
                total as f32
            })
            .collect();
        Popularity { scores }
    }

    /// The score of every item.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

impl Algo for Popularity {
    fn n_items(&self) -> usize {
        self.scores.len()
    }

    fn trained_user(&self, _user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            history,
            ..UserRepr::default()
        }
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        Ok(UserRepr {
            history,
            ..UserRepr::default()
        })
    }

    fn score(&self, _user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        for (o, &i) in out.iter_mut().zip(items) {
            *o = self.scores[i as usize];
        }
    }

    fn score_all(&self, _user: &UserRepr, out: &mut [f32]) {
        out.copy_from_slice(&self.scores);
    }

    fn check(&self, _n_users: usize) -> Result<()> {
        Ok(())
    }
}
