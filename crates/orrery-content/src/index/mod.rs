//! The vector index over item embeddings: cosine similarity on unit vectors, exact search
//! for small sets and an HNSW graph (usearch) once the set passes a size threshold.
//!
//! Filters (a category, items already seen) are predicates on the key checked *during*
//! the search: the exact scan skips rejected rows before scoring them, and the graph
//! search asks the predicate for each candidate (usearch's filtered search), so a
//! restrictive filter still yields k results instead of the few survivors of a blind
//! over-fetch. When the graph cannot find k allowed items, the exact scan answers.

mod exact;
mod topk;

use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::kernels;
pub use topk::Neighbor;

/// How the index is built and when it switches from exact search to the graph.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Above this many items, searches go through the HNSW graph; at or below it, every
    /// item is scored (exact, and fast enough for a catalogue of tens of thousands).
    pub exact_threshold: usize,
    /// HNSW edges per node (M).
    pub connectivity: usize,
    /// Candidate list size while inserting (ef_construction).
    pub expansion_add: usize,
    /// Candidate list size while searching (ef); at least k is used.
    pub expansion_search: usize,
    /// How the graph stores its copy of the vectors (the flat rows stay `f32`).
    pub precision: Precision,
    /// Filters that admit fewer than this share of the items are answered by the exact
    /// scan: it scores only the admitted rows, while the graph walks past the rejected
    /// ones and slows down as the filter narrows.
    pub selective_filter: f64,
    /// Whether vectors are scaled to unit length on the way in (cosine similarity). Off,
    /// the index ranks by the raw inner product: a graph over inner products finds the
    /// largest ones directly (Morozov & Babenko, "Non-metric similarity graphs for maximum
    /// inner product search", NeurIPS 2018), as factor models' scores need.
    pub normalize: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            exact_threshold: 20_000,
            connectivity: 16,
            expansion_add: 128,
            // Recall@10 1.0 at 0.75 ms per query on 100,000 clustered 384-d vectors
            // (bench/embed_index.sh); 24 gave 0.992 at 0.54 ms.
            expansion_search: 40,
            precision: Precision::F32,
            selective_filter: 0.2,
            normalize: true,
        }
    }
}

/// The number format of the graph's vectors: narrower ones make each distance cheaper
/// and the graph smaller, at some cost in recall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    F32,
    F16,
    /// Signed bytes (components of unit vectors scaled by 127).
    I8,
}

impl Precision {
    fn scalar_kind(self) -> usearch::ScalarKind {
        match self {
            Precision::F32 => usearch::ScalarKind::F32,
            Precision::F16 => usearch::ScalarKind::F16,
            Precision::I8 => usearch::ScalarKind::I8,
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "f32" => Ok(Precision::F32),
            "f16" => Ok(Precision::F16),
            "i8" => Ok(Precision::I8),
            other => Err(format!("unknown precision {other:?} (f32, f16, i8)")),
        }
    }
}

/// Keys sampled to estimate the share a filter admits.
const FILTER_SAMPLE: usize = 256;

/// How far a filtered graph search widens (as a multiple of the `k` asked for) before it
/// gives way to the exact scan: 16 × k explores a few thousand nodes, still well under a
/// scan of a large index.
const WIDENING_LIMIT: usize = 16;

/// Which search strategy answers queries right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    Exact,
    Hnsw,
}

/// Unit vectors keyed by `u64` item keys, searched by cosine similarity.
///
/// Vectors are normalized on the way in, so callers may pass raw ones (unless
/// [`IndexOptions::normalize`] is off: then it ranks by inner product). The index keeps a
/// flat copy of every vector (exact search, [`VectorIndex::get`], rebuilds) and, above
/// [`IndexOptions::exact_threshold`], an HNSW graph beside it. `&self` methods can run
/// from many threads at once; wrap it in a lock to mutate while serving.
pub struct VectorIndex {
    dim: usize,
    options: IndexOptions,
    keys: Vec<u64>,
    rows: Vec<f32>,
    slots: HashMap<u64, usize>,
    graph: Option<usearch::Index>,
}

impl fmt::Debug for VectorIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VectorIndex")
            .field("dim", &self.dim)
            .field("len", &self.len())
            .field("mode", &self.mode())
            .finish()
    }
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    pub fn new(dim: usize, options: IndexOptions) -> VectorIndex {
        VectorIndex {
            dim,
            options,
            keys: Vec::new(),
            rows: Vec::new(),
            slots: HashMap::new(),
            graph: None,
        }
    }

    /// An index holding `keys[i]` ↦ row `i` of `vectors` (row-major), with the graph built
    /// in parallel when the set is above the threshold. A repeated key keeps its last row.
    pub fn build(
        dim: usize,
        options: IndexOptions,
        keys: &[u64],
        vectors: &[f32],
    ) -> Result<VectorIndex> {
        let mut index = VectorIndex::new(dim, options);
        index.check_rows(keys, vectors)?;
        index.keys.reserve(keys.len());
        index.rows.reserve(vectors.len());
        for (&key, row) in keys.iter().zip(vectors.chunks_exact(dim)) {
            index.store(key, row)?;
        }
        if index.len() > index.options.exact_threshold {
            index.build_graph()?;
        }
        Ok(index)
    }

    /// Sets the graph's search list length (ef) for the searches that follow: longer
    /// finds more of the true nearest items, at the cost of visiting more nodes.
    pub fn set_expansion_search(&mut self, ef: usize) {
        self.options.expansion_search = ef;
        if let Some(graph) = &self.graph {
            graph.change_expansion_search(ef);
        }
    }

    /// The graph's search list length (ef).
    pub fn expansion_search(&self) -> usize {
        self.options.expansion_search
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn contains(&self, key: u64) -> bool {
        self.slots.contains_key(&key)
    }

    /// The stored (unit-length) vector of `key`.
    pub fn get(&self, key: u64) -> Option<&[f32]> {
        let slot = *self.slots.get(&key)?;
        Some(&self.rows[slot * self.dim..(slot + 1) * self.dim])
    }

    /// Keys in storage order.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    pub fn mode(&self) -> SearchMode {
        if self.graph.is_some() {
            SearchMode::Hnsw
        } else {
            SearchMode::Exact
        }
    }

    /// Bytes held by the flat vectors, the key maps and the graph.
    pub fn memory_bytes(&self) -> usize {
        self.rows.capacity() * 4
            + self.keys.capacity() * 8
            + self.slots.capacity() * 24
            + self.graph.as_ref().map_or(0, |g| g.memory_usage())
    }

    /// Adds `key` or replaces its vector.
    pub fn upsert(&mut self, key: u64, vector: &[f32]) -> Result<()> {
        self.check_rows(&[key], vector)?;
        let unit = self.store(key, vector)?.to_vec();
        if let Some(graph) = &self.graph {
            if graph.contains(key) {
                graph.remove(key).map_err(index_error)?;
            }
            if graph.size() + 1 > graph.capacity() {
                graph
                    .reserve((graph.capacity() * 2).max(1024))
                    .map_err(index_error)?;
            }
            graph.add(key, &unit).map_err(index_error)?;
        } else if self.len() > self.options.exact_threshold {
            self.build_graph()?;
        }
        Ok(())
    }

    /// Adds or replaces many vectors at once (`keys[i]` ↦ row `i`): every row is checked
    /// before any is stored, so a bad one changes nothing. Rows that reach an existing
    /// graph are inserted from all threads, and a batch that carries the index past the
    /// threshold builds the graph once instead of growing it one row at a time.
    pub fn upsert_batch(&mut self, keys: &[u64], vectors: &[f32]) -> Result<()> {
        self.check_rows(keys, vectors)?;
        let units = keys
            .iter()
            .zip(vectors.chunks_exact(self.dim))
            .map(|(&key, row)| unit(row).map_err(|reason| Error::BadVector { item: key, reason }))
            .collect::<Result<Vec<_>>>()?;
        for (&key, unit) in keys.iter().zip(&units) {
            self.store(key, unit)?;
        }
        match &self.graph {
            Some(graph) => {
                for &key in keys {
                    if graph.contains(key) {
                        graph.remove(key).map_err(index_error)?;
                    }
                }
                let needed = graph.size() + keys.len();
                if needed > graph.capacity() {
                    graph
                        .reserve_capacity_and_threads(
                            needed.max(graph.capacity() * 2),
                            rayon::current_num_threads(),
                        )
                        .map_err(index_error)?;
                }
                // A key repeated in the batch keeps its last row, as `store` did.
                let last: HashMap<u64, &[f32]> = keys
                    .iter()
                    .zip(&units)
                    .map(|(&key, unit)| (key, unit.as_slice()))
                    .collect();
                last.par_iter()
                    .try_for_each(|(&key, unit)| graph.add(key, unit))
                    .map_err(index_error)?;
            }
            None if self.len() > self.options.exact_threshold => self.build_graph()?,
            None => {}
        }
        Ok(())
    }

    /// Removes `key`; `false` when it was not there.
    pub fn remove(&mut self, key: u64) -> Result<bool> {
        let Some(slot) = self.slots.remove(&key) else {
            return Ok(false);
        };
        let last = self.keys.len() - 1;
        if slot != last {
            let moved = self.keys[last];
            self.keys[slot] = moved;
            self.rows
                .copy_within(last * self.dim..(last + 1) * self.dim, slot * self.dim);
            self.slots.insert(moved, slot);
        }
        self.keys.pop();
        self.rows.truncate(last * self.dim);
        if let Some(graph) = &self.graph {
            graph.remove(key).map_err(index_error)?;
            // Well below the threshold the graph is no longer worth its memory or its
            // tombstones; the margin avoids rebuilding on every add/remove near the edge.
            if self.len() <= self.options.exact_threshold / 2 {
                self.graph = None;
            }
        }
        Ok(true)
    }

    /// The `k` items most similar to `query`.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Neighbor>> {
        let Some(graph) = &self.graph else {
            return self.search_filtered(query, k, |_| true);
        };
        let query = self.unit_query(query)?;
        if k == 0 {
            return Ok(Vec::new());
        }
        let matches = graph.search(&query, k).map_err(index_error)?;
        Ok(self.rescored(&matches.keys, &query))
    }

    /// The `k` items most similar to `query` among those whose key passes `allow`
    /// (e.g. `|key| !seen.contains(&key)` or a category check), best first. Scores are
    /// cosine similarities.
    pub fn search_filtered<F>(&self, query: &[f32], k: usize, allow: F) -> Result<Vec<Neighbor>>
    where
        F: Fn(u64) -> bool + Sync,
    {
        let query = self.unit_query(query)?;
        if k == 0 || self.is_empty() {
            return Ok(Vec::new());
        }
        let graph = match &self.graph {
            Some(graph) if self.admitted_share(&allow) >= self.options.selective_filter => graph,
            _ => {
                return Ok(exact::search(
                    &self.rows, &self.keys, self.dim, &query, k, &allow,
                ));
            }
        };
        // The graph can run out of allowed candidates near the query while many remain
        // further away (a heavy user's seen items fill their profile's neighbourhood).
        // A wider search explores further for a fraction of what scanning every row
        // costs, so it is tried before the exact scan, which finds every allowed item.
        // usearch widens its candidate list to the number asked for when that exceeds ef.
        let wanted = k.min(self.len());
        let mut asked = k;
        loop {
            let matches = graph
                .filtered_search(&query, asked, &allow)
                .map_err(index_error)?;
            let mut found = self.rescored(&matches.keys, &query);
            if found.len() >= wanted {
                found.truncate(k);
                return Ok(found);
            }
            if asked >= k.saturating_mul(WIDENING_LIMIT) {
                break;
            }
            asked = asked.saturating_mul(4);
        }
        Ok(exact::search(
            &self.rows, &self.keys, self.dim, &query, k, &allow,
        ))
    }

    /// Exact search whatever the size (the reference the graph is measured against).
    pub fn search_exact<F>(&self, query: &[f32], k: usize, allow: F) -> Result<Vec<Neighbor>>
    where
        F: Fn(u64) -> bool + Sync,
    {
        let query = self.unit_query(query)?;
        Ok(exact::search(
            &self.rows, &self.keys, self.dim, &query, k, &allow,
        ))
    }

    /// Exact search for many queries (row-major), scoring several queries per pass over
    /// the stored vectors.
    pub fn search_exact_batch<F>(
        &self,
        queries: &[f32],
        k: usize,
        allow: F,
    ) -> Result<Vec<Vec<Neighbor>>>
    where
        F: Fn(u64) -> bool + Sync,
    {
        if !queries.len().is_multiple_of(self.dim) {
            return Err(Error::QueryDimension {
                expected: self.dim,
                found: queries.len() % self.dim,
            });
        }
        let mut units = Vec::with_capacity(queries.len());
        for q in queries.chunks_exact(self.dim) {
            units.extend(self.unit_query(q)?);
        }
        Ok(exact::search_batch(
            &self.rows, &self.keys, self.dim, &units, k, &allow,
        ))
    }

    /// The `k` items most similar to item `key`, the item itself excluded; `None` when
    /// `key` is not in the index.
    pub fn similar_to<F>(&self, key: u64, k: usize, allow: F) -> Result<Option<Vec<Neighbor>>>
    where
        F: Fn(u64) -> bool + Sync,
    {
        let Some(vector) = self.get(key) else {
            return Ok(None);
        };
        let vector = vector.to_vec();
        self.search_filtered(&vector, k, |other| other != key && allow(other))
            .map(Some)
    }

    /// The graph's matches scored by their exact cosine from the flat `f32` rows, best
    /// first: a graph of narrower numbers finds them, the stored vectors rank them.
    fn rescored(&self, keys: &[u64], query: &[f32]) -> Vec<Neighbor> {
        let mut found: Vec<Neighbor> = keys
            .iter()
            .filter_map(|&key| {
                let row = self.get(key)?;
                Some(Neighbor {
                    key,
                    score: kernels::dot(row, query),
                })
            })
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        found
    }

    /// The share of a sample of keys, spread evenly over storage, that `allow` admits.
    fn admitted_share<F: Fn(u64) -> bool>(&self, allow: &F) -> f64 {
        let step = self.keys.len().div_ceil(FILTER_SAMPLE).max(1);
        let (admitted, sampled) = self
            .keys
            .iter()
            .step_by(step)
            .fold((0usize, 0usize), |(a, n), &key| {
                (a + usize::from(allow(key)), n + 1)
            });
        admitted as f64 / sampled.max(1) as f64
    }

    fn check_rows(&self, keys: &[u64], vectors: &[f32]) -> Result<()> {
        if vectors.len() != keys.len() * self.dim {
            let item = keys.first().copied().unwrap_or_default();
            return Err(Error::Dimension {
                item,
                expected: self.dim,
                found: if keys.len() == 1 {
                    vectors.len()
                } else {
                    vectors.len() / keys.len().max(1)
                },
            });
        }
        Ok(())
    }

    /// Writes the normalized vector of `key` into the flat storage and returns it.
    fn store(&mut self, key: u64, vector: &[f32]) -> Result<&[f32]> {
        let unit = if self.options.normalize {
            unit(vector)
        } else if vector.iter().all(|x| x.is_finite()) {
            Ok(vector.to_vec())
        } else {
            Err("it contains NaN or infinity")
        }
        .map_err(|reason| Error::BadVector { item: key, reason })?;
        let slot = match self.slots.get(&key) {
            Some(&slot) => {
                self.rows[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(&unit);
                slot
            }
            None => {
                let slot = self.keys.len();
                self.keys.push(key);
                self.rows.extend_from_slice(&unit);
                self.slots.insert(key, slot);
                slot
            }
        };
        Ok(&self.rows[slot * self.dim..(slot + 1) * self.dim])
    }

    fn unit_query(&self, query: &[f32]) -> Result<Vec<f32>> {
        if query.len() != self.dim {
            return Err(Error::QueryDimension {
                expected: self.dim,
                found: query.len(),
            });
        }
        unit(query).map_err(Error::BadQuery)
    }

    /// Builds the HNSW graph over every stored vector, inserting from all threads.
    fn build_graph(&mut self) -> Result<()> {
        let options = usearch::IndexOptions {
            dimensions: self.dim,
            metric: usearch::MetricKind::IP,
            quantization: self.options.precision.scalar_kind(),
            connectivity: self.options.connectivity,
            expansion_add: self.options.expansion_add,
            expansion_search: self.options.expansion_search,
            multi: false,
        };
        let graph = usearch::Index::new(&options).map_err(index_error)?;
        let threads = rayon::current_num_threads();
        graph
            .reserve_capacity_and_threads(self.len().max(1024), threads)
            .map_err(index_error)?;
        let dim = self.dim;
        self.keys
            .par_iter()
            .zip(self.rows.par_chunks_exact(dim))
            .try_for_each(|(&key, row)| graph.add(key, row))
            .map_err(index_error)?;
        self.graph = Some(graph);
        Ok(())
    }
}

/// `v` scaled to unit length, or why it cannot be.
fn unit(v: &[f32]) -> Result<Vec<f32>, &'static str> {
    if v.iter().any(|x| !x.is_finite()) {
        return Err("it contains NaN or infinity");
    }
    let mut u = v.to_vec();
    crate::kernels::normalize(&mut u);
    if u.iter().all(|&x| x == 0.0) {
        return Err("it is all zeros");
    }
    Ok(u)
}

fn index_error(err: impl fmt::Display) -> Error {
    Error::Index(err.to_string())
}
