//! The neural models' weights as safetensors: every embedding table and dense layer is a
//! named little-endian f32 tensor, so the file (or the block inside a model file) opens in
//! PyTorch, NumPy or candle as it is, while the small non-tensor parts (vocabularies,
//! activations, sizes) stay in the model's own encoding.
//!
//! Names: a table is `NAME` (`rows × dim`); a dense layer is `PREFIX.weight`
//! (`outputs × inputs`, PyTorch's `nn.Linear` layout) and `PREFIX.bias`; the layers of an
//! MLP are `PREFIX.0`, `PREFIX.1`, ….

use std::collections::HashMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::{Activation, Dense, Mlp, Table};
use crate::{Error, Result};

/// Tensors gathered for writing, in insertion order.
#[derive(Default)]
pub(crate) struct TensorWriter {
    tensors: Vec<(String, Vec<usize>, Vec<u8>)>,
}

impl TensorWriter {
    fn push(&mut self, name: String, shape: Vec<usize>, values: &[f32]) {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.tensors.push((name, shape, bytes));
    }

    /// A scalar, as a one-element tensor.
    pub(crate) fn scalar(&mut self, name: &str, value: f32) {
        self.push(name.to_owned(), vec![1], &[value]);
    }

    pub(crate) fn table(&mut self, name: &str, table: &Table) {
        self.push(name.to_owned(), vec![table.rows(), table.dim], &table.data);
    }

    pub(crate) fn dense(&mut self, prefix: &str, layer: &Dense) {
        self.push(
            format!("{prefix}.weight"),
            vec![layer.outputs, layer.inputs],
            &layer.weight,
        );
        self.push(format!("{prefix}.bias"), vec![layer.outputs], &layer.bias);
    }

    pub(crate) fn mlp(&mut self, prefix: &str, mlp: &Mlp) {
        for (k, layer) in mlp.layers.iter().enumerate() {
            self.dense(&format!("{prefix}.{k}"), layer);
        }
    }

    /// The safetensors bytes; the header's `__metadata__` names the `algorithm`. (One
    /// entry only: the crate writes metadata in its hash map's order, so more than one
    /// would make the bytes of one model differ from run to run.)
    pub(crate) fn to_bytes(&self, algorithm: &str) -> Result<Vec<u8>> {
        let views = self
            .tensors
            .iter()
            .map(|(name, shape, bytes)| {
                TensorView::new(Dtype::F32, shape.clone(), bytes).map(|view| (name.as_str(), view))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        let metadata = HashMap::from([("algorithm".to_owned(), algorithm.to_owned())]);
        safetensors::serialize(views, Some(metadata)).map_err(corrupt)
    }
}

/// Tensors read back from safetensors bytes, taken out by name.
pub(crate) struct TensorReader {
    tensors: HashMap<String, (Vec<usize>, Vec<f32>)>,
}

impl TensorReader {
    pub(crate) fn parse(bytes: &[u8]) -> Result<TensorReader> {
        let file = SafeTensors::deserialize(bytes).map_err(corrupt)?;
        let mut tensors = HashMap::new();
        for (name, view) in file.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(Error::Corrupt(format!(
                    "weights: tensor {name} is {:?}, not F32",
                    view.dtype()
                )));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            tensors.insert(name, (view.shape().to_vec(), values));
        }
        Ok(TensorReader { tensors })
    }

    fn take(&mut self, name: &str, rank: usize) -> Result<(Vec<usize>, Vec<f32>)> {
        let (shape, values) = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::Corrupt(format!("weights: tensor {name} is missing")))?;
        if shape.len() != rank {
            return Err(Error::Corrupt(format!(
                "weights: tensor {name} has shape {shape:?}, expected {rank} dimensions"
            )));
        }
        Ok((shape, values))
    }

    pub(crate) fn scalar(&mut self, name: &str) -> Result<f32> {
        let (_, values) = self.take(name, 1)?;
        values
            .first()
            .copied()
            .ok_or_else(|| Error::Corrupt(format!("weights: tensor {name} is empty")))
    }

    pub(crate) fn table(&mut self, name: &str) -> Result<Table> {
        let (shape, data) = self.take(name, 2)?;
        Ok(Table {
            dim: shape[1],
            data,
        })
    }

    pub(crate) fn dense(&mut self, prefix: &str, activation: Activation) -> Result<Dense> {
        let (shape, weight) = self.take(&format!("{prefix}.weight"), 2)?;
        let (_, bias) = self.take(&format!("{prefix}.bias"), 1)?;
        let layer = Dense {
            inputs: shape[1],
            outputs: shape[0],
            weight,
            bias,
            activation,
        };
        layer.check(prefix)?;
        Ok(layer)
    }

    pub(crate) fn mlp(&mut self, prefix: &str, activations: &[Activation]) -> Result<Mlp> {
        let layers = activations
            .iter()
            .enumerate()
            .map(|(k, &activation)| self.dense(&format!("{prefix}.{k}"), activation))
            .collect::<Result<Vec<_>>>()?;
        Ok(Mlp { layers })
    }
}

fn corrupt(e: safetensors::SafeTensorError) -> Error {
    Error::Corrupt(format!("weights (safetensors): {e}"))
}

/// The activations of an MLP's layers, kept beside its tensors.
pub(crate) fn activations(mlp: &Mlp) -> Vec<Activation> {
    mlp.layers.iter().map(|l| l.activation).collect()
}
