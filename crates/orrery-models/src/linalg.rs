//! Small dense kernels on contiguous `f32` rows, written so that the compiler vectorizes
//! them, and a Cholesky solver for the k×k systems of factor models.

use rayon::prelude::*;

/// Lanes of the independent accumulators in [`dot`]; eight f32 fill one AVX register or
/// two SSE registers, and independent sums let the compiler vectorize without reordering
/// a single sum.
const LANES: usize = 8;

/// Dot product of two equally long slices (the shorter length is used otherwise).
///
/// Always inlined, so that inside [`with_simd`] it compiles for the wider vectors.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        // Fixed-size arrays let the compiler load each chunk as one vector.
        if let (Ok(x), Ok(y)) = (<&[f32; LANES]>::try_from(x), <&[f32; LANES]>::try_from(y)) {
            for l in 0..LANES {
                acc[l] += x[l] * y[l];
            }
        }
    }
    // A tree, not a chain, so that the lanes add in three dependent steps instead of eight.
    let quads = [
        acc[0] + acc[4],
        acc[1] + acc[5],
        acc[2] + acc[6],
        acc[3] + acc[7],
    ];
    ((quads[0] + quads[2]) + (quads[1] + quads[3])) + tail
}

/// Dot product with explicit SIMD vectors of `simd` and fused multiply-adds, two
/// independent accumulators deep (for the hot loops inside a [`Kernel`]).
#[inline(always)]
pub(crate) fn dot_simd<S: pulp::Simd>(simd: S, a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (av, a_tail) = S::as_simd_f32s(&a[..n]);
    let (bv, b_tail) = S::as_simd_f32s(&b[..n]);
    let mut acc0 = simd.splat_f32s(0.0);
    let mut acc1 = simd.splat_f32s(0.0);
    let (a2, b2) = (av.chunks_exact(2), bv.chunks_exact(2));
    let (a_odd, b_odd) = (a2.remainder(), b2.remainder());
    for (x, y) in a2.zip(b2) {
        acc0 = simd.mul_add_f32s(x[0], y[0], acc0);
        acc1 = simd.mul_add_f32s(x[1], y[1], acc1);
    }
    for (&x, &y) in a_odd.iter().zip(b_odd) {
        acc0 = simd.mul_add_f32s(x, y, acc0);
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    simd.reduce_sum_f32s(simd.add_f32s(acc0, acc1)) + tail
}

/// A computation to compile for the widest SIMD extension available; `run` must be
/// `#[inline(always)]` (and so must what it calls) for the code to inherit it, and may use
/// `simd`'s explicit vector operations.
pub(crate) trait Kernel {
    type Output;
    fn run<S: pulp::Simd>(self, simd: S) -> Self::Output;
}

struct Dispatch<K>(K);

impl<K: Kernel> pulp::WithSimd for Dispatch<K> {
    type Output = K::Output;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> K::Output {
        self.0.run(simd)
    }
}

/// Runs `kernel` compiled for the widest SIMD extension the CPU has (AVX2 and FMA on most
/// x86 machines), falling back to the baseline target: loops inlined into it vectorize
/// accordingly. Results can differ in the last bits between machines, never between runs.
#[inline]
pub(crate) fn with_simd<K: Kernel>(kernel: K) -> K::Output {
    pulp::Arch::new().dispatch(Dispatch(kernel))
}

/// `n` rounded up to a whole number of [`LANES`].
pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// `y += a · x`.
#[inline(always)]
pub(crate) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Euclidean norm.
#[inline]
pub(crate) fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

/// Row `r` of a row-major matrix with `k` columns.
#[inline]
pub(crate) fn row(m: &[f32], r: usize, k: usize) -> &[f32] {
    &m[r * k..(r + 1) * k]
}

/// `YᵀY + λI` as a row-major k×k matrix: f32 sums over fixed chunks of rows, added up in
/// f64 in chunk order (deterministic whatever the thread count).
pub(crate) fn gram(y: &[f32], k: usize, reg: f32) -> Vec<f32> {
    let partials: Vec<Vec<f32>> = y
        .par_chunks(k * 256)
        .map(|chunk| with_simd(GramChunk { chunk, k }))
        .collect();
    let mut total = vec![0f64; k * k];
    for g in &partials {
        for (t, &v) in total.iter_mut().zip(g) {
            *t += v as f64;
        }
    }
    for d in 0..k {
        total[d * k + d] += reg as f64;
    }
    total.into_iter().map(|v| v as f32).collect()
}

/// `Σ y yᵀ` over the rows of one chunk.
struct GramChunk<'a> {
    chunk: &'a [f32],
    k: usize,
}

impl Kernel for GramChunk<'_> {
    type Output = Vec<f32>;

    #[inline(always)]
    fn run<S: pulp::Simd>(self, _simd: S) -> Vec<f32> {
        let k = self.k;
        let mut g = vec![0f32; k * k];
        for yi in self.chunk.chunks_exact(k) {
            for (g_row, &a) in g.chunks_exact_mut(k).zip(yi) {
                axpy(a, yi, g_row);
            }
        }
        g
    }
}

/// A symmetric positive definite system `A x = b` of size n, factored as `L Lᵀ` in f64.
pub(crate) struct Cholesky {
    n: usize,
    /// Lower triangle, row-major n×n.
    l: Vec<f64>,
}

impl Cholesky {
    /// Factors the row-major `a` (only the lower triangle is read); `None` when `a` is not
    /// positive definite.
    pub(crate) fn factor(mut a: Vec<f64>, n: usize) -> Option<Cholesky> {
        debug_assert_eq!(a.len(), n * n);
        for j in 0..n {
            let (upper, lower) = a.split_at_mut((j + 1) * n);
            let row_j = &mut upper[j * n..];
            let d = row_j[j] - row_j[..j].iter().map(|x| x * x).sum::<f64>();
            if !(d > 0.0 && d.is_finite()) {
                return None;
            }
            let d = d.sqrt();
            row_j[j] = d;
            let prefix = &row_j[..j];
            for row_i in lower.chunks_exact_mut(n) {
                let s: f64 = row_i[..j].iter().zip(prefix).map(|(x, y)| x * y).sum();
                row_i[j] = (row_i[j] - s) / d;
            }
        }
        Some(Cholesky { n, l: a })
    }

    /// Solves `A x = b` in place.
    pub(crate) fn solve(&self, b: &mut [f64]) {
        let (n, l) = (self.n, &self.l);
        for i in 0..n {
            let mut s = b[i];
            for p in 0..i {
                s -= l[i * n + p] * b[p];
            }
            b[i] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = b[i];
            for p in i + 1..n {
                s -= l[p * n + i] * b[p];
            }
            b[i] = s / l[i * n + i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_for_all_tail_lengths() {
        for n in 0..20 {
            let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 2.0).collect();
            let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32 * 0.25).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-4, "n={n}");
        }
    }

    #[test]
    fn simd_dot_matches_naive() {
        struct Dot(Vec<f32>, Vec<f32>);
        impl Kernel for Dot {
            type Output = f32;
            #[inline(always)]
            fn run<S: pulp::Simd>(self, simd: S) -> f32 {
                dot_simd(simd, &self.0, &self.1)
            }
        }
        for n in 0..70 {
            let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 2.0).collect();
            let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32 * 0.25).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let got = with_simd(Dot(a, b));
            assert!(
                (got - naive).abs() <= 1e-4 * naive.abs().max(1.0),
                "n={n}: {got} vs {naive}"
            );
        }
    }

    #[test]
    fn cholesky_solves_spd_system() {
        // A = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]], x = [1, -2, 0.5].
        let a = vec![4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let x = [1.0, -2.0, 0.5];
        let mut b: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| a[i * 3 + j] * x[j]).sum())
            .collect();
        let c = Cholesky::factor(a, 3).unwrap();
        c.solve(&mut b);
        for (got, want) in b.iter().zip(x) {
            assert!((got - want).abs() < 1e-12);
        }
        assert!(Cholesky::factor(vec![1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
