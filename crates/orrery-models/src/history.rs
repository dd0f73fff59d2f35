//! The training interactions a model keeps: each user's items and values, so that a
//! trained user can be scored (neighbourhood models) and their seen items filtered.

use orrery_core::{Dataset, ItemIdx, UserIdx};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Users' interactions in CSR form: for user `u`, `items[indptr[u]..indptr[u + 1]]`
/// (ascending) with their `values` (rating where there is one, else implicit weight).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct History {
    indptr: Vec<u64>,
    items: Vec<ItemIdx>,
    values: Vec<f32>,
}

impl History {
    /// The interactions of `dataset`.
    pub(crate) fn of(dataset: &Dataset) -> History {
        let csr = dataset.user_items();
        let values = csr
            .ratings()
            .iter()
            .zip(csr.weights())
            .map(|(&r, &w)| if r.is_nan() { w } else { r })
            .collect();
        History {
            indptr: csr.indptr().iter().map(|&p| p as u64).collect(),
            items: csr.indices().to_vec(),
            values,
        }
    }

    /// Number of users.
    pub(crate) fn n_users(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// The history of `user` as `(item, value)` pairs; `None` when out of range.
    pub(crate) fn user(&self, user: UserIdx) -> Option<Vec<(ItemIdx, f32)>> {
        let u = user as usize;
        let start = *self.indptr.get(u)? as usize;
        let end = *self.indptr.get(u + 1)? as usize;
        Some(
            self.items[start..end]
                .iter()
                .copied()
                .zip(self.values[start..end].iter().copied())
                .collect(),
        )
    }

    /// Checks the structure after loading, so that lookups cannot go out of bounds.
    pub(crate) fn check(&self, n_items: usize) -> Result<()> {
        let corrupt = |what: &str| Err(Error::Corrupt(format!("user history: {what}")));
        if self.indptr.first().is_some_and(|&p| p != 0) {
            return corrupt("offsets do not start at 0");
        }
        if self.indptr.windows(2).any(|w| w[0] > w[1]) {
            return corrupt("offsets decrease");
        }
        let nnz = self.indptr.last().copied().unwrap_or(0) as usize;
        if nnz != self.items.len() || nnz != self.values.len() {
            return corrupt("offsets do not match the number of cells");
        }
        if self.items.iter().any(|&i| i as usize >= n_items) {
            return corrupt("an item index is out of range");
        }
        Ok(())
    }
}
