//! The ridge solve that folds a user into a biased factor model (MF, SVD++): with the
//! item side fixed, a user's `[p_u; b_u]` is the least-squares fit of their residual
//! ratings, `(Σ z_j z_jᵀ + λI) x = Σ y_j z_j` with `z_j = [q_j; 1]`.

use orrery_core::ItemIdx;

use crate::linalg::{Cholesky, row};
use crate::{Algorithm, Error, Result};

/// `[q_item; 1]` in f64: an item's row of the system.
pub(crate) fn item_vector(item_factors: &[f32], k: usize, item: ItemIdx) -> Vec<f64> {
    let mut z: Vec<f64> = row(item_factors, item as usize, k)
        .iter()
        .map(|&q| q as f64)
        .collect();
    z.push(1.0);
    z
}

/// The factored system and its right-hand side for `cells`, `(item, target y_j)` pairs.
pub(crate) fn user_system(
    algorithm: Algorithm,
    item_factors: &[f32],
    k: usize,
    lambda: f64,
    cells: impl Iterator<Item = (ItemIdx, f64)>,
) -> Result<(Cholesky, Vec<f64>)> {
    let n = k + 1;
    let mut a = vec![0f64; n * n];
    let mut rhs = vec![0f64; n];
    let mut z = vec![0f64; n];
    for (j, y) in cells {
        for (zf, &q) in z.iter_mut().zip(row(item_factors, j as usize, k)) {
            *zf = q as f64;
        }
        z[k] = 1.0;
        for (a_row, &zr) in a.chunks_exact_mut(n).zip(&z) {
            for (a_rc, &zc) in a_row.iter_mut().zip(&z) {
                *a_rc += zr * zc;
            }
        }
        for (b, &zf) in rhs.iter_mut().zip(&z) {
            *b += y * zf;
        }
    }
    for d in 0..n {
        a[d * n + d] += lambda.max(f64::MIN_POSITIVE);
    }
    let chol = Cholesky::factor(a, n).ok_or(Error::NotPositiveDefinite {
        algorithm,
        what: "the fold-in system",
    })?;
    Ok((chol, rhs))
}

/// `zᵢᵀ A⁻¹ z_j` for every `j` of `cells`: how much a unit of target on item `j` moves the
/// fold-in prediction for `item`, so that the prediction is `Σ_j y_j · share_j`.
pub(crate) fn shares(
    chol: &Cholesky,
    item_factors: &[f32],
    k: usize,
    item: ItemIdx,
    cells: impl Iterator<Item = ItemIdx>,
) -> Vec<f64> {
    let mut w = item_vector(item_factors, k, item);
    chol.solve(&mut w);
    cells
        .map(|j| {
            let z = item_vector(item_factors, k, j);
            w.iter().zip(&z).map(|(a, b)| a * b).sum()
        })
        .collect()
}
