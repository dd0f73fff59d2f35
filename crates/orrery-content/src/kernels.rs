//! Small numeric kernels shared by the encoder and the index: dot products, normalization,
//! layer norm, GELU. Hot loops run inside [`with_simd`] so they are compiled for the widest
//! SIMD extension the CPU offers (AVX2 and FMA on most x86 machines) rather than the
//! baseline target.

/// Runs `kernel` compiled for the widest SIMD extension available; everything `run` calls
/// must be `#[inline(always)]` to inherit it.
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

#[inline]
pub(crate) fn with_simd<K: Kernel>(kernel: K) -> K::Output {
    pulp::Arch::new().dispatch(Dispatch(kernel))
}

/// Dot product with explicit SIMD fused multiply-adds, two accumulators deep.
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

/// Dot product of two equal-length slices.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    struct Dot<'a>(&'a [f32], &'a [f32]);
    impl Kernel for Dot<'_> {
        type Output = f32;
        #[inline(always)]
        fn run<S: pulp::Simd>(self, simd: S) -> f32 {
            dot_simd(simd, self.0, self.1)
        }
    }
    with_simd(Dot(a, b))
}

/// Scales `v` to unit length; a zero vector stays zero.
pub(crate) fn normalize(v: &mut [f32]) {
    let norm = v
        .iter()
        .map(|x| f64::from(*x) * f64::from(*x))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        let inv = (1.0 / norm) as f32;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

/// In-place layer normalization of each row of `rows` (row length `gamma.len()`), as
/// PyTorch computes it: biased variance, `eps` inside the square root.
#[inline(always)]
pub(crate) fn layer_norm_rows(rows: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let width = gamma.len();
    for row in rows.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() / width as f32;
        let var = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / width as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((x, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *x = (*x - mean) * inv * g + b;
        }
    }
}

/// Exact (erf-based) GELU, in place, as BERT's `hidden_act: gelu` specifies.
#[inline(always)]
pub(crate) fn gelu_erf_in_place(xs: &mut [f32]) {
    const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
    for x in xs.iter_mut() {
        *x = 0.5 * *x * (1.0 + erf(*x * FRAC_1_SQRT_2));
    }
}

/// The error function in f32 by a rational approximation on [-4, 4] (beyond which erf is
/// ±1 in f32), accurate to a few ulp. Branch-free multiply-adds, so the loops around it
/// vectorize; this is the approximation Eigen and XLA use for f32.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2.mul_add(-2.726_142_3e-10, 2.770_681_4e-8);
    p = x2.mul_add(p, -2.101_024e-6);
    p = x2.mul_add(p, -5.692_506_4e-5);
    p = x2.mul_add(p, -7.349_906_3e-4);
    p = x2.mul_add(p, -2.954_600_3e-3);
    p = x2.mul_add(p, -1.609_603_3e-2);
    let p = x * p;
    let mut q = x2.mul_add(-1.456_607_2e-5, -2.133_740_6e-4);
    q = x2.mul_add(q, -1.682_827e-3);
    q = x2.mul_add(q, -7.373_329_3e-3);
    q = x2.mul_add(q, -1.426_474e-2);
    p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Taylor series in f64: slow but accurate to ~1e-11 on [-4, 4].
    fn erf_series(x: f64) -> f64 {
        let mut term = x;
        let mut sum = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_matches_the_series_to_f32_precision() {
        let mut worst = 0.0f64;
        for i in -6000..=6000 {
            let x = i as f64 / 1000.0;
            let want = if x.abs() > 4.5 {
                x.signum()
            } else {
                erf_series(x)
            };
            worst = worst.max((erf(x as f32) as f64 - want).abs());
        }
        assert!(worst < 5e-7, "worst abs error {worst}");
    }

    #[test]
    fn dot_and_normalize() {
        let a: Vec<f32> = (0..389).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..389).map(|i| (i as f32 * 0.11).cos()).collect();
        let naive: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        assert!((f64::from(dot(&a, &b)) - naive).abs() < 1e-3);
        let mut v = a.clone();
        normalize(&mut v);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
        let mut zero = vec![0.0; 7];
        normalize(&mut zero);
        assert_eq!(zero, vec![0.0; 7]);
    }

    #[test]
    fn layer_norm_gives_zero_mean_unit_variance() {
        let mut rows: Vec<f32> = (0..8).map(|i| i as f32 * 3.0 + 1.0).collect();
        layer_norm_rows(&mut rows, &[1.0; 4], &[0.0; 4], 1e-12);
        for row in rows.chunks(4) {
            let mean: f32 = row.iter().sum::<f32>() / 4.0;
            let var: f32 = row.iter().map(|x| x * x).sum::<f32>() / 4.0;
            assert!(mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5, "{row:?}");
        }
    }
}
