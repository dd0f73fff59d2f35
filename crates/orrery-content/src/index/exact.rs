//! Exact cosine search over contiguous unit-vector rows: dot products with explicit SIMD,
//! the filter checked before any arithmetic, rows split across threads for large sets,
//! and several queries scored per pass over the rows when searching in batches.

use rayon::prelude::*;

use super::topk::{Neighbor, TopK};
use crate::kernels::{self, Kernel};

/// Rows per parallel task; below two blocks the search stays on the calling thread.
const ROWS_PER_TASK: usize = 4096;

/// Queries scored together per pass over the rows (each row is loaded once for all).
const QUERY_GROUP: usize = 4;

/// The `k` rows most similar to `query` among those whose key passes `allow`.
pub(crate) fn search<F>(
    rows: &[f32],
    keys: &[u64],
    dim: usize,
    query: &[f32],
    k: usize,
    allow: &F,
) -> Vec<Neighbor>
where
    F: Fn(u64) -> bool + Sync,
{
    let block = |start: usize, end: usize| {
        kernels::with_simd(ScanOne {
            rows: &rows[start * dim..end * dim],
            keys: &keys[start..end],
            dim,
            query,
            k,
            allow,
        })
    };
    let n = keys.len();
    if n < 2 * ROWS_PER_TASK {
        return block(0, n).into_sorted();
    }
    (0..n.div_ceil(ROWS_PER_TASK))
        .into_par_iter()
        .map(|b| block(b * ROWS_PER_TASK, ((b + 1) * ROWS_PER_TASK).min(n)))
        .reduce(|| TopK::new(k), TopK::merge)
        .into_sorted()
}

/// [`search`] for many queries (row-major `queries.len() / dim` of them), in parallel over
/// groups of queries that share each pass over the rows.
pub(crate) fn search_batch<F>(
    rows: &[f32],
    keys: &[u64],
    dim: usize,
    queries: &[f32],
    k: usize,
    allow: &F,
) -> Vec<Vec<Neighbor>>
where
    F: Fn(u64) -> bool + Sync,
{
    queries
        .par_chunks(dim * QUERY_GROUP)
        .flat_map_iter(|group| {
            kernels::with_simd(ScanGroup {
                rows,
                keys,
                dim,
                queries: group,
                k,
                allow,
            })
        })
        .collect()
}

struct ScanOne<'a, F> {
    rows: &'a [f32],
    keys: &'a [u64],
    dim: usize,
    query: &'a [f32],
    k: usize,
    allow: &'a F,
}

impl<F: Fn(u64) -> bool> Kernel for ScanOne<'_, F> {
    type Output = TopK;

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) -> TopK {
        let mut top = TopK::new(self.k);
        for (row, &key) in self.rows.chunks_exact(self.dim).zip(self.keys) {
            if !(self.allow)(key) {
                continue;
            }
            let score = kernels::dot_simd(simd, row, self.query);
            if score > top.threshold() {
                top.push(key, score);
            }
        }
        top
    }
}

struct ScanGroup<'a, F> {
    rows: &'a [f32],
    keys: &'a [u64],
    dim: usize,
    queries: &'a [f32],
    k: usize,
    allow: &'a F,
}

impl<F: Fn(u64) -> bool> Kernel for ScanGroup<'_, F> {
    type Output = Vec<Vec<Neighbor>>;

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) -> Vec<Vec<Neighbor>> {
        let queries: Vec<&[f32]> = self.queries.chunks_exact(self.dim).collect();
        let mut tops: Vec<TopK> = queries.iter().map(|_| TopK::new(self.k)).collect();
        for (row, &key) in self.rows.chunks_exact(self.dim).zip(self.keys) {
            if !(self.allow)(key) {
                continue;
            }
            for (query, top) in queries.iter().zip(tops.iter_mut()) {
                let score = kernels::dot_simd(simd, row, query);
                if score > top.threshold() {
                    top.push(key, score);
                }
            }
        }
        tops.into_iter().map(TopK::into_sorted).collect()
    }
}
