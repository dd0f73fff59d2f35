//! [`ItemVectors`]: one content vector per item (text embeddings, usually), handed to the
//! content and hybrid models by the caller.
//!
//! This crate does not compute embeddings: the caller encodes item text (with
//! `orrery-content`) or loads stored vectors, and passes them in item-index order. Items
//! may lack a vector (not embedded yet); they then get no content score.

use orrery_core::ItemIdx;
use serde::{Deserialize, Serialize};

use crate::algo::ScoreRows;
use crate::linalg::with_simd;
use crate::{Algorithm, Error, Result};

/// Unit-length vectors of `dim` values, one slot per item, some slots empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemVectors {
    dim: usize,
    /// Row-major, `n_items × dim`; rows of items without a vector are zeros.
    rows: Vec<f32>,
    present: Vec<bool>,
}

impl ItemVectors {
    /// `n_items` empty slots of `dim` values.
    pub fn new(dim: usize, n_items: usize) -> ItemVectors {
        ItemVectors {
            dim,
            rows: vec![0.0; dim * n_items],
            present: vec![false; n_items],
        }
    }

    /// Every item with a vector: row `i` of `rows` (row-major) is item `i`'s.
    pub fn from_rows(dim: usize, rows: &[f32]) -> Result<ItemVectors> {
        if dim == 0 || rows.len() % dim != 0 {
            return Err(invalid(format!(
                "{} values do not make rows of {dim}",
                rows.len()
            )));
        }
        let mut vectors = ItemVectors::new(dim, rows.len() / dim);
        for (i, row) in rows.chunks_exact(dim).enumerate() {
            vectors.set(i as ItemIdx, row)?;
        }
        Ok(vectors)
    }

    /// Sets (or replaces) the vector of `item`, growing the table if needed. The vector
    /// is scaled to unit length; an all-zero vector empties the slot.
    pub fn set(&mut self, item: ItemIdx, vector: &[f32]) -> Result<()> {
        if vector.len() != self.dim {
            return Err(invalid(format!(
                "item {item} has {} values where {} were expected",
                vector.len(),
                self.dim
            )));
        }
        if vector.iter().any(|x| !x.is_finite()) {
            return Err(invalid(format!("item {item} has NaN or infinite values")));
        }
        let i = item as usize;
        if i >= self.present.len() {
            self.resize(i + 1);
        }
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        let row = &mut self.rows[i * self.dim..(i + 1) * self.dim];
        if norm > 0.0 {
            for (r, x) in row.iter_mut().zip(vector) {
                *r = x / norm;
            }
            self.present[i] = true;
        } else {
            row.fill(0.0);
            self.present[i] = false;
        }
        Ok(())
    }

    /// Grows (with empty slots) or shrinks the table to `n_items`.
    pub fn resize(&mut self, n_items: usize) {
        self.rows.resize(n_items * self.dim, 0.0);
        self.present.resize(n_items, false);
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of slots (items with or without a vector).
    pub fn n_items(&self) -> usize {
        self.present.len()
    }

    /// Number of items with a vector.
    pub fn count(&self) -> usize {
        self.present.iter().filter(|&&p| p).count()
    }

    /// The dot product of `query` with every slot's vector into `out` (cosines, when
    /// `query` is a unit vector); −∞ for empty slots and for positions past the table.
    ///
    /// One pass over the table with the widest SIMD the CPU has: the hybrid calls this
    /// for every list it ranks, and it reads the whole table each time.
    pub fn dots(&self, query: &[f32], out: &mut [f32]) {
        let n = self.n_items().min(out.len());
        let (scored, rest) = out.split_at_mut(n);
        if query.len() == self.dim {
            with_simd(ScoreRows {
                user: query,
                factors: &self.rows[..n * self.dim],
                k: self.dim,
                base: 0.0,
                bias: None,
                items: None,
                out: scored,
            });
        } else {
            for (i, o) in scored.iter_mut().enumerate() {
                let row = &self.rows[i * self.dim..(i + 1) * self.dim];
                *o = crate::linalg::dot(query, row);
            }
        }
        for (o, &present) in scored.iter_mut().zip(&self.present) {
            if !present {
                *o = f32::NEG_INFINITY;
            }
        }
        rest.fill(f32::NEG_INFINITY);
    }

    /// The unit vector of `item`, if it has one.
    pub fn get(&self, item: ItemIdx) -> Option<&[f32]> {
        let i = item as usize;
        if *self.present.get(i)? {
            Some(&self.rows[i * self.dim..(i + 1) * self.dim])
        } else {
            None
        }
    }

    /// Whether `item` has a vector.
    pub fn has(&self, item: ItemIdx) -> bool {
        self.present.get(item as usize).copied().unwrap_or(false)
    }

    /// All rows, row-major (zeros for items without a vector).
    pub fn rows(&self) -> &[f32] {
        &self.rows
    }

    /// Checks the structure after loading.
    pub(crate) fn check(&self) -> Result<()> {
        if self.rows.len() != self.dim * self.present.len() {
            return Err(Error::Corrupt(format!(
                "item vectors: {} values for {} items of {} dimensions",
                self.rows.len(),
                self.present.len(),
                self.dim
            )));
        }
        Ok(())
    }
}

fn invalid(problem: String) -> Error {
    Error::InsufficientData {
        algorithm: Algorithm::Content,
        problem: format!("the item vectors are unusable: {problem}"),
        hint: "pass one finite vector of the same length per item (e.g. from orrery-content's encoder)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_unit_length_and_slots_can_be_empty() {
        let mut v = ItemVectors::from_rows(2, &[3.0, 4.0, 0.0, 0.0]).unwrap();
        assert_eq!(v.get(0), Some(&[0.6, 0.8][..]));
        assert!(!v.has(1) && v.get(1).is_none());
        v.set(4, &[0.0, 2.0]).unwrap();
        assert_eq!((v.n_items(), v.count()), (5, 2));
        assert_eq!(v.get(4), Some(&[0.0, 1.0][..]));
        assert!(v.set(0, &[1.0]).is_err());
        assert!(v.set(0, &[f32::NAN, 1.0]).is_err());
        assert!(ItemVectors::from_rows(3, &[1.0; 4]).is_err());
    }

    #[test]
    fn dots_match_one_at_a_time_and_mark_missing_slots() {
        let dim = 37;
        let mut v = ItemVectors::new(dim, 12);
        for i in (0..12).filter(|i| i % 4 != 1) {
            let row: Vec<f32> = (0..dim)
                .map(|d| ((i * 7 + d * 3) % 11) as f32 - 5.0)
                .collect();
            v.set(i as ItemIdx, &row).unwrap();
        }
        let query: Vec<f32> = (0..dim).map(|d| (d % 5) as f32 * 0.1 - 0.2).collect();
        let mut out = vec![0.0; 14];
        v.dots(&query, &mut out);
        for (i, &o) in out.iter().enumerate() {
            match v.get(i as ItemIdx) {
                Some(row) => {
                    let expected: f32 = row.iter().zip(&query).map(|(a, b)| a * b).sum();
                    assert!((o - expected).abs() < 1e-5, "item {i}: {o} vs {expected}");
                }
                None => assert_eq!(o, f32::NEG_INFINITY, "item {i}"),
            }
        }
        assert_eq!(out[12..], [f32::NEG_INFINITY; 2]);
    }
}
