//! What the neural recommenders share: training on the CPU with candle, serving without it.
//!
//! Training builds each mini-batch as a small candle graph: the rows of the embedding
//! tables the batch touches are gathered by hand into a leaf variable, the dense layers
//! are candle variables, and `backward` gives the gradients of both. The dense layers
//! step with candle's Adam; the embedding tables step with a sparse ("lazy") Adam over the
//! touched rows only, as PyTorch's `SparseAdam`, because candle's optimizer would read and
//! rewrite every row of every table at every step, which costs far more than the batch
//! itself once a table holds thousands of users or items.
//!
//! After training the weights are copied out into plain `Vec<f32>` layers ([`Dense`],
//! [`Table`]), which a model file stores as safetensors (`weights`). Scoring is plain Rust
//! (dot products over contiguous rows): a request scores a few hundred items through
//! layers of a few dozen units, where building candle tensors, its shape checks and its
//! allocations per operation would cost more than the arithmetic.

pub(crate) mod layer4;
pub(crate) mod ncf;
mod one_thread;
mod weights;

use candle_core::{Device, Tensor, Var};
use orrery_core::rng;
use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::algo::check_len;
use crate::linalg::dot;
use crate::{Algorithm, Error, Result};

/// A candle error while training `algorithm`, as this crate's error.
pub(crate) fn backend(algorithm: Algorithm) -> impl Fn(candle_core::Error) -> Error {
    move |e| Error::Backend {
        algorithm,
        message: e.to_string(),
    }
}

/// The activation after a dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Activation {
    Identity,
    Tanh,
    Relu,
}

impl Activation {
    #[inline]
    fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Identity => x,
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.max(0.0),
        }
    }

    /// The derivative expressed through the activation's output `y`.
    #[inline]
    fn derivative_at_output(self, y: f32) -> f32 {
        match self {
            Activation::Identity => 1.0,
            Activation::Tanh => 1.0 - y * y,
            Activation::Relu => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    fn on_tensor(self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Activation::Identity => Ok(x.clone()),
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
        }
    }
}

/// A fully connected layer `y = act(W x + b)` with `W` row-major `outputs × inputs`, for
/// inference in plain Rust.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub activation: Activation,
}

impl Dense {
    /// `out = act(W x + b)`; `x.len() == inputs`, `out.len() == outputs`.
    #[inline]
    pub(crate) fn forward(&self, x: &[f32], out: &mut [f32]) {
        for (o, y) in out.iter_mut().enumerate().take(self.outputs) {
            let w = &self.weight[o * self.inputs..(o + 1) * self.inputs];
            *y = self.activation.apply(self.bias[o] + dot(w, x));
        }
    }

    /// Pre-activations `W x` without bias or activation, for callers that add inputs up
    /// part by part (a linear layer over a concatenation is a sum over its parts).
    pub(crate) fn project(&self, x: &[f32], columns: std::ops::Range<usize>, out: &mut [f32]) {
        for (o, y) in out.iter_mut().enumerate().take(self.outputs) {
            let w = &self.weight[o * self.inputs..(o + 1) * self.inputs];
            *y = dot(&w[columns.clone()], x);
        }
    }

    pub(crate) fn check(&self, what: &str) -> Result<()> {
        check_len(what, self.weight.len(), self.inputs * self.outputs)?;
        check_len(what, self.bias.len(), self.outputs)
    }
}

/// Layers applied in sequence, with the activations kept for a backward pass.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Mlp {
    pub layers: Vec<Dense>,
}

impl Mlp {
    /// The widest layer, for scratch buffers.
    pub(crate) fn width(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.inputs.max(l.outputs))
            .max()
            .unwrap_or(0)
    }

    /// Runs every layer on `x`, returning each layer's output (the last is the result).
    pub(crate) fn forward_all(&self, x: &[f32]) -> Vec<Vec<f32>> {
        let mut outputs: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let input = outputs.last().map_or(x, Vec::as_slice);
            let mut out = vec![0f32; layer.outputs];
            layer.forward(input, &mut out);
            outputs.push(out);
        }
        outputs
    }

    /// Runs every layer on `x` with two scratch buffers of [`Mlp::width`]; returns the
    /// output, which lives in one of them.
    pub(crate) fn forward<'a>(
        &self,
        x: &[f32],
        a: &'a mut Vec<f32>,
        b: &'a mut Vec<f32>,
    ) -> &'a [f32] {
        let width = self.width();
        a.resize(width, 0.0);
        b.resize(width, 0.0);
        a[..x.len()].copy_from_slice(x);
        let mut len = x.len();
        let (mut src, mut dst) = (a, b);
        for layer in &self.layers {
            layer.forward(&src[..len], &mut dst[..layer.outputs]);
            len = layer.outputs;
            std::mem::swap(&mut src, &mut dst);
        }
        &src[..len]
    }

    /// The gradient with respect to the input `x` of `Σ seed_k · output_k`, given the
    /// layer outputs from [`Mlp::forward_all`].
    pub(crate) fn input_gradient(&self, outputs: &[Vec<f32>], seed: &[f32]) -> Vec<f32> {
        let mut grad = seed.to_vec();
        for (l, layer) in self.layers.iter().enumerate().rev() {
            for (g, &y) in grad.iter_mut().zip(&outputs[l]) {
                *g *= layer.activation.derivative_at_output(y);
            }
            let mut below = vec![0f32; layer.inputs];
            for (o, &g) in grad.iter().enumerate() {
                let w = &layer.weight[o * layer.inputs..(o + 1) * layer.inputs];
                for (b, &wv) in below.iter_mut().zip(w) {
                    *b += g * wv;
                }
            }
            grad = below;
        }
        grad
    }

    pub(crate) fn check(&self, what: &str) -> Result<()> {
        let mut previous = None;
        for layer in &self.layers {
            layer.check(what)?;
            if previous.is_some_and(|p| p != layer.inputs) {
                return Err(Error::Corrupt(format!("{what}: layer sizes do not chain")));
            }
            previous = Some(layer.outputs);
        }
        Ok(())
    }
}

/// An embedding table: `rows × dim` values, row-major.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Table {
    pub dim: usize,
    pub data: Vec<f32>,
}

impl Table {
    /// A table drawn from N(0, std²).
    pub(crate) fn normal(rows: usize, dim: usize, std: f32, rng: &mut rng::Rng) -> Table {
        let normal = Normal::new(0.0f32, std.max(f32::MIN_POSITIVE)).ok();
        let data = (0..rows * dim)
            .map(|_| normal.map_or(0.0, |n| n.sample(rng)))
            .collect();
        Table { dim, data }
    }

    pub(crate) fn rows(&self) -> usize {
        self.data.len() / self.dim.max(1)
    }

    #[inline]
    pub(crate) fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.dim..(r + 1) * self.dim]
    }

    /// The mean of all rows.
    pub(crate) fn mean_row(&self) -> Vec<f32> {
        let mut mean = vec![0f32; self.dim];
        let rows = self.rows();
        for r in 0..rows {
            for (m, &v) in mean.iter_mut().zip(self.row(r)) {
                *m += v;
            }
        }
        for m in &mut mean {
            *m /= rows.max(1) as f32;
        }
        mean
    }

    /// The rows `indices` side by side (`indices.len() × dim`), for a batch.
    pub(crate) fn gather(&self, indices: &[u32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            out.extend_from_slice(self.row(i as usize));
        }
        out
    }

    pub(crate) fn check(&self, what: &str, rows: usize) -> Result<()> {
        check_len(what, self.data.len(), rows * self.dim)
    }
}

/// Adam's constants.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// L2 penalty added to the gradient of the rows a batch touches.
    pub l2: f64,
}

impl Adam {
    pub(crate) fn new(lr: f64, l2: f64) -> Adam {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            l2,
        }
    }

    pub(crate) fn candle(&self, weight_decay: f64) -> candle_nn::ParamsAdamW {
        candle_nn::ParamsAdamW {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay,
        }
    }
}

/// An embedding table being trained, with the sparse Adam state of every row.
pub(crate) struct TrainTable {
    pub table: Table,
    m: Vec<f32>,
    v: Vec<f32>,
    /// Scratch: (row, position in batch), sorted per step so that duplicate rows add up
    /// in a fixed order.
    order: Vec<(u32, u32)>,
}

impl TrainTable {
    pub(crate) fn new(table: Table) -> TrainTable {
        let n = table.data.len();
        TrainTable {
            table,
            m: vec![0.0; n],
            v: vec![0.0; n],
            order: Vec::new(),
        }
    }

    /// The batch's rows as a leaf variable (`indices.len() × dim`) whose gradient
    /// [`TrainTable::step`] applies.
    pub(crate) fn leaf(&self, indices: &[u32], device: &Device) -> candle_core::Result<Var> {
        Var::from_vec(
            self.table.gather(indices),
            (indices.len(), self.table.dim),
            device,
        )
    }

    /// One lazy Adam step at global step `t` (from 1) on the rows of `indices`, with
    /// `grad` the gradient of the gathered batch (`indices.len() × dim`).
    pub(crate) fn step(&mut self, indices: &[u32], grad: &[f32], adam: &Adam, t: u64) {
        let dim = self.table.dim;
        self.order.clear();
        self.order
            .extend(indices.iter().enumerate().map(|(p, &r)| (r, p as u32)));
        self.order.sort_unstable();
        let bias1 = 1.0 - adam.beta1.powf(t as f64);
        let bias2 = 1.0 - adam.beta2.powf(t as f64);
        let step_size = (adam.lr / bias1) as f32;
        let (b1, b2) = (adam.beta1 as f32, adam.beta2 as f32);
        let bias2_sqrt = bias2.sqrt() as f32;
        let (eps, l2) = (adam.eps as f32, adam.l2 as f32);
        let mut g = vec![0f32; dim];
        let mut k = 0;
        while k < self.order.len() {
            let row = self.order[k].0 as usize;
            g.iter_mut().for_each(|x| *x = 0.0);
            while k < self.order.len() && self.order[k].0 as usize == row {
                let p = self.order[k].1 as usize;
                for (gi, &x) in g.iter_mut().zip(&grad[p * dim..(p + 1) * dim]) {
                    *gi += x;
                }
                k += 1;
            }
            let range = row * dim..(row + 1) * dim;
            let w = &mut self.table.data[range.clone()];
            let m = &mut self.m[range.clone()];
            let v = &mut self.v[range];
            for d in 0..dim {
                let gd = g[d] + l2 * w[d];
                m[d] = b1 * m[d] + (1.0 - b1) * gd;
                v[d] = b2 * v[d] + (1.0 - b2) * gd * gd;
                w[d] -= step_size * m[d] / (v[d].sqrt() / bias2_sqrt + eps);
            }
        }
    }
}

/// A dense layer being trained: candle variables for `W` (`outputs × inputs`) and `b`,
/// optionally batch-normalized before its activation.
pub(crate) struct TrainDense {
    pub weight: Var,
    pub bias: Var,
    pub activation: Activation,
    inputs: usize,
    outputs: usize,
    norm: Option<BatchNorm>,
}

/// Batch normalization (Ioffe and Szegedy 2015) of a layer's pre-activations: each unit is
/// standardized over the mini-batch, then scaled by `γ` and shifted by `β` (both learned).
/// Running means and variances, updated at every training batch, replace the batch's own
/// at inference, where they fold into the layer's weights and bias.
struct BatchNorm {
    gamma: Var,
    beta: Var,
    /// Running statistics; a `RefCell` because the forward pass takes `&self`, as the
    /// layers are borrowed from the network while a batch's graph is built.
    running: std::cell::RefCell<RunningStats>,
}

struct RunningStats {
    mean: Vec<f32>,
    var: Vec<f32>,
}

/// Weight of the newest batch in the running statistics (PyTorch's default).
const BATCH_NORM_MOMENTUM: f32 = 0.1;
/// Added to the variance before the square root (PyTorch's default).
const BATCH_NORM_EPS: f64 = 1e-5;

impl BatchNorm {
    fn new(units: usize, device: &Device) -> candle_core::Result<BatchNorm> {
        Ok(BatchNorm {
            gamma: Var::from_vec(vec![1f32; units], units, device)?,
            beta: Var::from_vec(vec![0f32; units], units, device)?,
            running: std::cell::RefCell::new(RunningStats {
                mean: vec![0.0; units],
                var: vec![1.0; units],
            }),
        })
    }

    /// Normalizes `z` (`n × units`) with its own batch statistics and records them.
    fn forward_train(&self, z: &Tensor) -> candle_core::Result<Tensor> {
        let n = z.dim(0)?;
        let mean = (batch_sum(z)? / n as f64)?;
        let centered = (z - repeat_rows(&mean, n)?)?;
        let var = (batch_sum(&centered.sqr()?)? / n as f64)?;
        let scale = ((var.clone() + BATCH_NORM_EPS)?.sqrt()?.recip()?
            * self.gamma.as_tensor().unsqueeze(0)?)?;
        let normalized =
            ((centered * repeat_rows(&scale, n)?)? + repeat_rows(self.beta.as_tensor(), n)?)?;
        let batch_mean = mean.flatten_all()?.to_vec1::<f32>()?;
        // The running variance is the unbiased estimate, as PyTorch keeps it.
        let unbiased = if n > 1 {
            n as f32 / (n - 1) as f32
        } else {
            1.0
        };
        let batch_var = var.flatten_all()?.to_vec1::<f32>()?;
        let mut running = self.running.borrow_mut();
        let m = BATCH_NORM_MOMENTUM;
        for (r, b) in running.mean.iter_mut().zip(&batch_mean) {
            *r = (1.0 - m) * *r + m * b;
        }
        for (r, b) in running.var.iter_mut().zip(&batch_var) {
            *r = (1.0 - m) * *r + m * b * unbiased;
        }
        Ok(normalized)
    }

    /// Per unit, the scale and shift that the inference-time normalization applies to a
    /// pre-activation: `γ (z − μ) / √(σ² + ε) + β = scale · z + shift`.
    fn affine(&self) -> candle_core::Result<(Vec<f32>, Vec<f32>)> {
        let gamma = self.gamma.as_tensor().to_vec1::<f32>()?;
        let beta = self.beta.as_tensor().to_vec1::<f32>()?;
        let running = self.running.borrow();
        let scale: Vec<f32> = gamma
            .iter()
            .zip(&running.var)
            .map(|(g, v)| g / (v + BATCH_NORM_EPS as f32).sqrt())
            .collect();
        let shift = beta
            .iter()
            .zip(&scale)
            .zip(&running.mean)
            .map(|((b, s), m)| b - s * m)
            .collect();
        Ok((scale, shift))
    }
}

impl TrainDense {
    /// Glorot-uniform weights scaled by `gain`, biases `bias`.
    pub(crate) fn new(
        inputs: usize,
        outputs: usize,
        activation: Activation,
        gain: f32,
        bias: f32,
        rng: &mut rng::Rng,
        device: &Device,
    ) -> candle_core::Result<TrainDense> {
        let bound = gain * (6.0 / (inputs + outputs) as f32).sqrt();
        let w: Vec<f32> = (0..inputs * outputs)
            .map(|_| rng.random_range(-bound..=bound))
            .collect();
        Ok(TrainDense {
            weight: Var::from_vec(w, (outputs, inputs), device)?,
            bias: Var::from_vec(vec![bias; outputs], outputs, device)?,
            activation,
            inputs,
            outputs,
            norm: None,
        })
    }

    /// A layer with the given weights (`outputs × inputs`, row-major) and biases.
    pub(crate) fn from_values(
        weight: Vec<f32>,
        bias: Vec<f32>,
        inputs: usize,
        activation: Activation,
        device: &Device,
    ) -> candle_core::Result<TrainDense> {
        let outputs = bias.len();
        Ok(TrainDense {
            weight: Var::from_vec(weight, (outputs, inputs), device)?,
            bias: Var::from_vec(bias, outputs, device)?,
            activation,
            inputs,
            outputs,
            norm: None,
        })
    }

    /// The same layer, batch-normalized before its activation.
    pub(crate) fn with_batch_norm(mut self, device: &Device) -> candle_core::Result<TrainDense> {
        self.norm = Some(BatchNorm::new(self.outputs, device)?);
        Ok(self)
    }

    /// `act(x Wᵀ + b)` for a training batch `x` (`n × inputs`), normalized with the
    /// batch's statistics when the layer has batch normalization.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let z = x.matmul(&self.weight.as_tensor().t()?)?;
        let y = match &self.norm {
            // The bias would be subtracted again with the batch mean: β takes its role.
            Some(norm) => norm.forward_train(&z)?,
            None => (&z + repeat_rows(self.bias.as_tensor(), z.dim(0)?)?)?,
        };
        self.activation.on_tensor(&y)
    }

    /// The trainable variables: `W`, `b`, and `γ`, `β` of the normalization.
    pub(crate) fn vars(&self) -> Vec<Var> {
        let mut vars = vec![self.weight.clone(), self.bias.clone()];
        if let Some(norm) = &self.norm {
            vars.extend([norm.gamma.clone(), norm.beta.clone()]);
        }
        vars
    }

    /// The layer's current values for plain-Rust inference, with the normalization's
    /// running statistics folded into the weights and bias.
    pub(crate) fn snapshot(&self) -> candle_core::Result<Dense> {
        let mut weight = self.weight.as_tensor().flatten_all()?.to_vec1::<f32>()?;
        let mut bias = self.bias.as_tensor().to_vec1::<f32>()?;
        if let Some(norm) = &self.norm {
            let (scale, shift) = norm.affine()?;
            for (o, row) in weight.chunks_mut(self.inputs.max(1)).enumerate() {
                row.iter_mut().for_each(|w| *w *= scale[o]);
            }
            bias = shift;
        }
        Ok(Dense {
            inputs: self.inputs,
            outputs: self.outputs,
            weight,
            bias,
            activation: self.activation,
        })
    }
}

/// The sum of a batch's rows (`n × u` → `1 × u`), as a product with a row of ones.
///
/// Candle sums over a tensor's first dimension element by element, with integer divisions
/// for every index, and does the same in the backward pass of every broadcast operation
/// (the gradient of a broadcast vector is such a sum): in the two-tower network that took
/// a third of the training time. A matrix product runs in its tuned kernel, forward and
/// backward.
fn batch_sum(x: &Tensor) -> candle_core::Result<Tensor> {
    let n = x.dim(0)?;
    Tensor::ones((1, n), x.dtype(), x.device())?.matmul(x)
}

/// The vector `v` (`u` or `1 × u` elements) on each of `n` rows, as a product with a
/// column of ones, so that its gradient is a matrix product too (see [`batch_sum`]).
fn repeat_rows(v: &Tensor, n: usize) -> candle_core::Result<Tensor> {
    let row = v.reshape((1, v.elem_count()))?;
    Tensor::ones((n, 1), v.dtype(), v.device())?.matmul(&row)
}

/// Binary cross-entropy of `logits` against 0/1 `targets`, averaged.
pub(crate) fn bce_with_logits(logits: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
    bce_terms(logits, targets)?.mean_all()
}

/// [`bce_with_logits`] averaged with each example weighed by `weights` (`n × 1`, summing
/// to `total`): a weighted mean, so that lighter examples do not shrink the data term
/// against the regularization.
pub(crate) fn weighted_bce_with_logits(
    logits: &Tensor,
    targets: &Tensor,
    weights: &Tensor,
    total: f32,
) -> candle_core::Result<Tensor> {
    (bce_terms(logits, targets)? * weights)?.sum_all()? / total.max(f32::MIN_POSITIVE) as f64
}

/// Each example's binary cross-entropy, computed stably:
/// `max(x, 0) − x·y + log(1 + e^{−|x|})`.
fn bce_terms(logits: &Tensor, targets: &Tensor) -> candle_core::Result<Tensor> {
    let softplus = logits.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?;
    (logits.relu()? - (logits * targets)?)?.add(&softplus)
}

/// The logistic function.
#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_cross_entropy_is_the_weighted_mean_of_the_terms() {
        let device = Device::Cpu;
        let logits = Tensor::from_vec(vec![2.0f32, -1.0, 0.5], (3, 1), &device).unwrap();
        let targets = Tensor::from_vec(vec![1.0f32, 0.0, 0.0], (3, 1), &device).unwrap();
        let weights = Tensor::from_vec(vec![1.0f32, 0.5, 0.25], (3, 1), &device).unwrap();
        let bce = |x: f32, y: f32| x.max(0.0) - x * y + (1.0 + (-x.abs()).exp()).ln();
        let expected = (bce(2.0, 1.0) + 0.5 * bce(-1.0, 0.0) + 0.25 * bce(0.5, 0.0)) / 1.75;
        let got = weighted_bce_with_logits(&logits, &targets, &weights, 1.75)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
        let plain = bce_with_logits(&logits, &targets)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let ones = Tensor::ones((3, 1), candle_core::DType::F32, &device).unwrap();
        let unweighted = weighted_bce_with_logits(&logits, &targets, &ones, 3.0).unwrap();
        assert!((unweighted.to_scalar::<f32>().unwrap() - plain).abs() < 1e-6);
    }

    fn values(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
    }

    fn assert_close(what: &str, ours: &[f32], reference: &[f32], tolerance: f32) {
        assert_eq!(ours.len(), reference.len(), "{what}");
        for (i, (x, y)) in ours.iter().zip(reference).enumerate() {
            assert!(
                (x - y).abs() <= tolerance * (1.0 + y.abs()),
                "{what}[{i}]: {x} vs {y}"
            );
        }
    }

    /// Checks that `ours` and `reference` agree, and so do their gradients with respect to
    /// `vars` of the sum of their products with `weights` (distinct per entry, so that no
    /// two gradient entries are alike by symmetry).
    fn assert_same_values_and_gradients(
        ours: Tensor,
        reference: Tensor,
        weights: &Tensor,
        vars: &[(&str, &Var)],
        tolerance: f32,
    ) {
        assert_close("forward", &values(&ours), &values(&reference), tolerance);
        let gradients = |t: Tensor| {
            t.broadcast_mul(weights)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        };
        let (ours, reference) = (gradients(ours), gradients(reference));
        for (what, var) in vars {
            assert_close(
                what,
                &values(ours.get(var.as_tensor()).unwrap()),
                &values(reference.get(var.as_tensor()).unwrap()),
                tolerance,
            );
        }
    }

    #[test]
    fn row_sums_and_repeated_rows_match_candles_broadcasts_values_and_gradients() {
        let device = Device::Cpu;
        for (n, u) in [(7, 5), (256, 64), (300, 33)] {
            let values: Vec<f32> = (0..n * u)
                .map(|k| ((k * 29 % 17) as f32 - 8.0) / 3.0)
                .collect();
            let z = Var::from_vec(values, (n, u), &device).unwrap();
            let v =
                Var::from_vec((0..u).map(|k| k as f32 * 0.5 - 1.0).collect(), u, &device).unwrap();
            let scaled = (z.as_tensor() * repeat_rows(v.as_tensor(), n).unwrap()).unwrap();
            let ours = batch_sum(&scaled.sqr().unwrap()).unwrap();
            let reference = z
                .as_tensor()
                .broadcast_mul(v.as_tensor())
                .unwrap()
                .sqr()
                .unwrap()
                .sum_keepdim(0)
                .unwrap();
            let weights =
                Tensor::from_vec((1..=u).map(|k| k as f32).collect(), (1, u), &device).unwrap();
            assert_same_values_and_gradients(
                ours,
                reference,
                &weights,
                &[("z", &z), ("v", &v)],
                1e-4,
            );
        }
    }

    #[test]
    fn batch_norm_matches_the_broadcast_formula() {
        let device = Device::Cpu;
        let (n, u) = (256, 16);
        let values: Vec<f32> = (0..n * u)
            .map(|k| ((k * 29 % 17) as f32 - 8.0) / 3.0 + (k % u) as f32)
            .collect();
        let z = Var::from_vec(values, (n, u), &device).unwrap();
        let norm = BatchNorm::new(u, &device).unwrap();
        let per_unit =
            |f: fn(usize) -> f32| Tensor::from_vec((0..u).map(f).collect(), u, &device).unwrap();
        norm.gamma.set(&per_unit(|k| 0.5 + k as f32 * 0.1)).unwrap();
        norm.beta.set(&per_unit(|k| k as f32 * 0.2 - 1.0)).unwrap();
        let ours = norm.forward_train(z.as_tensor()).unwrap();
        let zt = z.as_tensor();
        let mean = zt.mean_keepdim(0).unwrap();
        let centered = zt.broadcast_sub(&mean).unwrap();
        let var = centered.sqr().unwrap().mean_keepdim(0).unwrap();
        let reference = centered
            .broadcast_div(&(var + BATCH_NORM_EPS).unwrap().sqrt().unwrap())
            .unwrap()
            .broadcast_mul(norm.gamma.as_tensor())
            .unwrap()
            .broadcast_add(norm.beta.as_tensor())
            .unwrap();
        let weights = Tensor::from_vec(
            (0..n * u).map(|k| (k % 7) as f32 - 3.0).collect(),
            (n, u),
            &device,
        )
        .unwrap();
        assert_same_values_and_gradients(
            ours,
            reference,
            &weights,
            &[("z", &z), ("gamma", &norm.gamma), ("beta", &norm.beta)],
            1e-3,
        );
    }

    /// Once the running statistics have settled on a batch, the folded inference layer
    /// gives what training gives on that batch.
    #[test]
    fn batch_norm_folds_into_the_inference_layer() {
        let device = Device::Cpu;
        let mut rng = rng::seeded(3);
        let (n, inputs, outputs) = (512, 6, 4);
        let layer = TrainDense::new(
            inputs,
            outputs,
            Activation::Relu,
            1.0,
            0.3,
            &mut rng,
            &device,
        )
        .unwrap()
        .with_batch_norm(&device)
        .unwrap();
        let x: Vec<f32> = (0..n * inputs)
            .map(|k| ((k * 37 % 101) as f32 / 50.0 - 1.0) * (1.0 + (k % inputs) as f32))
            .collect();
        let batch = Tensor::from_vec(x.clone(), (n, inputs), &device).unwrap();
        let mut trained = Vec::new();
        for _ in 0..300 {
            trained = layer
                .forward(&batch)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
        }
        let dense = layer.snapshot().unwrap();
        let mut out = vec![0f32; outputs];
        let mut worst = 0f32;
        for r in 0..n {
            dense.forward(&x[r * inputs..(r + 1) * inputs], &mut out);
            for (o, t) in out.iter().zip(&trained[r * outputs..(r + 1) * outputs]) {
                worst = worst.max((o - t).abs());
            }
        }
        // The running variance is the unbiased one: n / (n − 1) apart from the batch's.
        assert!(worst < 5e-3, "largest difference {worst}");
        // And the normalization did something: without it the outputs differ.
        let plain = TrainDense::new(
            inputs,
            outputs,
            Activation::Relu,
            1.0,
            0.3,
            &mut rng::seeded(3),
            &device,
        )
        .unwrap()
        .snapshot()
        .unwrap();
        assert_ne!(plain.weight, dense.weight);
    }
}
