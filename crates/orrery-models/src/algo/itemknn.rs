//! Item-based nearest neighbours: each item keeps its `neighbors` most similar items
//! (cosine or adjusted cosine, shrunk towards zero when few users support the similarity),
//! and a user's score for an item sums the similarities to the items in their history,
//! weighted by the user's values. It is the source of "because you liked …" explanations.

use orrery_core::{Dataset, ItemIdx, UserIdx};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::algo::Algo;
use crate::topk::top_k;
use crate::{
    Algorithm, Contribution, Error, Explanation, ItemKnnParams, Result, Scored, Similarity,
    UserRepr,
};

/// A fitted item-kNN model: a sparse item×item similarity matrix, by row and by column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemKnn {
    n_items: usize,
    similarity: Similarity,
    binary: bool,
    /// Neighbours of item i at `indptr[i]..indptr[i + 1]`, sorted by item index.
    indptr: Vec<u64>,
    neighbors: Vec<ItemIdx>,
    sims: Vec<f32>,
    /// The transpose: the items that have j as a neighbour, for scoring a whole catalog
    /// from a short history.
    rev_indptr: Vec<u64>,
    rev_items: Vec<ItemIdx>,
    rev_sims: Vec<f32>,
}

/// Per-thread accumulators over all items, reset through the touched list.
struct Accumulator {
    dot: Vec<f32>,
    support: Vec<u32>,
    touched: Vec<ItemIdx>,
}

/// Builds a CSR (offsets, columns, values) from per-row lists.
fn to_csr(rows: Vec<Vec<(ItemIdx, f32)>>) -> (Vec<u64>, Vec<ItemIdx>, Vec<f32>) {
    let mut indptr = Vec::with_capacity(rows.len() + 1);
    indptr.push(0u64);
    let nnz = rows.iter().map(Vec::len).sum();
    let mut cols = Vec::with_capacity(nnz);
    let mut vals = Vec::with_capacity(nnz);
    for r in rows {
        for (c, v) in r {
            cols.push(c);
            vals.push(v);
        }
        indptr.push(cols.len() as u64);
    }
    (indptr, cols, vals)
}

impl ItemKnn {
    /// How a user's value enters similarities and scores.
    fn transform(&self, value: f32, user_mean: f32) -> f32 {
        transform(self.binary, self.similarity, value, user_mean)
    }

    pub(crate) fn fit(dataset: &Dataset, params: &ItemKnnParams) -> Result<ItemKnn> {
        if dataset.nnz() == 0 {
            return Err(Error::InsufficientData {
                algorithm: Algorithm::ItemKnn,
                problem: "the dataset holds no interactions".to_owned(),
                hint: "import interactions first",
            });
        }
        let n_items = dataset.n_items();
        let by_user = dataset.user_items();
        let by_item = dataset.item_users();
        let cell_value = |r: f32, w: f32| if r.is_nan() { w } else { r };
        let user_mean: Vec<f32> = (0..dataset.n_users())
            .map(|u| {
                let row = by_user.row(u as UserIdx);
                let sum: f32 = row
                    .ratings
                    .iter()
                    .zip(row.weights)
                    .map(|(&r, &w)| cell_value(r, w))
                    .sum();
                sum / row.len().max(1) as f32
            })
            .collect();
        let (binary, similarity) = (params.binary, params.similarity);
        // Values aligned with the user-major cells.
        let user_values: Vec<f32> = (0..dataset.n_users())
            .flat_map(|u| {
                let row = by_user.row(u as UserIdx);
                let mean = user_mean[u];
                row.ratings
                    .iter()
                    .zip(row.weights)
                    .map(move |(&r, &w)| transform(binary, similarity, cell_value(r, w), mean))
                    .collect::<Vec<_>>()
            })
            .collect();
        let item_value = |i: usize, n: usize| {
            let row = by_item.row(i as ItemIdx);
            let u = row.indices[n] as usize;
            transform(
                binary,
                similarity,
                cell_value(row.ratings[n], row.weights[n]),
                user_mean[u],
            )
        };
        let norms: Vec<f32> = (0..n_items)
            .map(|i| {
                (0..by_item.row(i as ItemIdx).len())
                    .map(|n| item_value(i, n).powi(2))
                    .sum::<f32>()
                    .sqrt()
            })
            .collect();
        let user_ptr = by_user.indptr();
        let shrink = params.shrink;
        let rows: Vec<Vec<(ItemIdx, f32)>> = (0..n_items)
            .into_par_iter()
            .map_init(
                || Accumulator {
                    dot: vec![0.0; n_items],
                    support: vec![0; n_items],
                    touched: Vec::new(),
                },
                |acc, i| {
                    let col = by_item.row(i as ItemIdx);
                    for (n, &u) in col.indices.iter().enumerate() {
                        let v_ui = item_value(i, n);
                        let (start, end) = (user_ptr[u as usize], user_ptr[u as usize + 1]);
                        for (&j, &v_uj) in by_user.indices()[start..end]
                            .iter()
                            .zip(&user_values[start..end])
                        {
                            if acc.support[j as usize] == 0 {
                                acc.touched.push(j);
                            }
                            acc.support[j as usize] += 1;
                            acc.dot[j as usize] += v_ui * v_uj;
                        }
                    }
                    let candidates = acc.touched.iter().filter_map(|&j| {
                        let ju = j as usize;
                        let denom = norms[i] * norms[ju];
                        if ju == i || denom <= 0.0 {
                            return None;
                        }
                        let support = acc.support[ju] as f32;
                        let sim = acc.dot[ju] / denom * support / (support + shrink);
                        (sim > 0.0).then_some((j, sim))
                    });
                    let mut kept: Vec<(ItemIdx, f32)> = top_k(candidates, params.neighbors)
                        .into_iter()
                        .map(|s| (s.item, s.score))
                        .collect();
                    kept.sort_unstable_by_key(|&(j, _)| j);
                    for &j in &acc.touched {
                        acc.dot[j as usize] = 0.0;
                        acc.support[j as usize] = 0;
                    }
                    acc.touched.clear();
                    kept
                },
            )
            .collect();
        let mut reverse: Vec<Vec<(ItemIdx, f32)>> = vec![Vec::new(); n_items];
        for (i, row) in rows.iter().enumerate() {
            for &(j, s) in row {
                reverse[j as usize].push((i as ItemIdx, s));
            }
        }
        let (indptr, neighbors, sims) = to_csr(rows);
        let (rev_indptr, rev_items, rev_sims) = to_csr(reverse);
        Ok(ItemKnn {
            n_items,
            similarity,
            binary,
            indptr,
            neighbors,
            sims,
            rev_indptr,
            rev_items,
            rev_sims,
        })
    }

    fn neighbours_of(&self, item: ItemIdx) -> (&[ItemIdx], &[f32]) {
        let (s, e) = (
            self.indptr[item as usize] as usize,
            self.indptr[item as usize + 1] as usize,
        );
        (&self.neighbors[s..e], &self.sims[s..e])
    }

    fn history_mean(history: &[(ItemIdx, f32)]) -> f32 {
        history.iter().map(|&(_, v)| v).sum::<f32>() / history.len().max(1) as f32
    }

    /// `(neighbour, similarity × transformed value)` for every neighbour of `item` in the
    /// history (both lists are sorted by item, so this is a merge).
    fn shares<'a>(
        &'a self,
        history: &'a [(ItemIdx, f32)],
        item: ItemIdx,
    ) -> impl Iterator<Item = (ItemIdx, f32)> + 'a {
        let mean = Self::history_mean(history);
        let (nbrs, sims) = self.neighbours_of(item);
        let mut h = 0;
        nbrs.iter().zip(sims).filter_map(move |(&j, &s)| {
            while h < history.len() && history[h].0 < j {
                h += 1;
            }
            (h < history.len() && history[h].0 == j)
                .then(|| (j, s * self.transform(history[h].1, mean)))
        })
    }
}

fn transform(binary: bool, similarity: Similarity, value: f32, user_mean: f32) -> f32 {
    match (binary, similarity) {
        (true, _) => 1.0,
        (false, Similarity::Cosine) => value,
        (false, Similarity::AdjustedCosine) => value - user_mean,
    }
}

impl Algo for ItemKnn {
    fn n_items(&self) -> usize {
        self.n_items
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

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        for (o, &i) in out.iter_mut().zip(items) {
            *o = self.shares(&user.history, i).map(|(_, s)| s).sum();
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        out.fill(0.0);
        let mean = Self::history_mean(&user.history);
        for &(j, value) in &user.history {
            let v = self.transform(value, mean);
            let (s, e) = (
                self.rev_indptr[j as usize] as usize,
                self.rev_indptr[j as usize + 1] as usize,
            );
            for (&i, &sim) in self.rev_items[s..e].iter().zip(&self.rev_sims[s..e]) {
                out[i as usize] += sim * v;
            }
        }
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        let (nbrs, sims) = self.neighbours_of(item);
        Some(top_k(nbrs.iter().copied().zip(sims.iter().copied()), k))
    }

    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let contributions = self
            .shares(&user.history, item)
            .map(|(j, weight)| Contribution { item: j, weight })
            .collect();
        Ok(Some(Explanation::new(item, 0.0, contributions)))
    }

    fn check(&self, _n_users: usize) -> Result<()> {
        let valid = |indptr: &[u64], cols: &[ItemIdx], vals: &[f32]| {
            indptr.len() == self.n_items + 1
                && indptr.first() == Some(&0)
                && indptr.windows(2).all(|w| w[0] <= w[1])
                && indptr.last().is_some_and(|&l| l as usize == cols.len())
                && cols.len() == vals.len()
                && cols.iter().all(|&c| (c as usize) < self.n_items)
        };
        if valid(&self.indptr, &self.neighbors, &self.sims)
            && valid(&self.rev_indptr, &self.rev_items, &self.rev_sims)
        {
            Ok(())
        } else {
            Err(Error::Corrupt(
                "item-kNN neighbour lists are inconsistent".to_owned(),
            ))
        }
    }
}
