//! What a run answers: [`RunReport`] (layer, data source and why, rows, file, duration,
//! quality figures), serialized as the JSON that the CLI prints and the HTTP route returns.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Error;

/// A layer of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Object liking (trending) scores.
    ObjectLiking,
    /// Category matrix factorization.
    CategoryMf,
    /// The tanh network's refined category predictions.
    Neural,
}

impl Layer {
    /// Every layer, in order.
    pub const ALL: [Layer; 3] = [Layer::ObjectLiking, Layer::CategoryMf, Layer::Neural];

    /// 2, 3 or 4, as the seed numbers them.
    pub fn number(self) -> u8 {
        match self {
            Layer::ObjectLiking => 2,
            Layer::CategoryMf => 3,
            Layer::Neural => 4,
        }
    }

    /// The file the layer writes into the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Layer::ObjectLiking => "layer2_object_liking_scores.csv",
            Layer::CategoryMf => "layer3_mf_predictions.csv",
            Layer::Neural => "layer4_nn_predictions.csv",
        }
    }
}

impl FromStr for Layer {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "2" => Ok(Layer::ObjectLiking),
            "3" => Ok(Layer::CategoryMf),
            "4" => Ok(Layer::Neural),
            other => Err(Error::UnknownLayer(other.to_owned())),
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// Where the data of a run came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The interactions in the store.
    Store,
    /// A fresh seeded simulation.
    Simulated,
}

/// The data source of a run and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataSource {
    /// `store` or `simulated`.
    pub kind: SourceKind,
    /// Why: what the store holds against the thresholds.
    pub reason: String,
    /// The simulation's seed (repeat the run with it), for simulated data.
    pub seed: Option<u64>,
    /// Users with celestial interactions.
    pub users: usize,
    /// Interactions on celestial items.
    pub interactions: usize,
}

/// The answer of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunReport {
    /// 2, 3 or 4.
    pub layer: u8,
    /// Where the data came from, and why.
    pub data_source: DataSource,
    /// Data rows written (the header not counted).
    pub rows: usize,
    /// The CSV file written.
    pub output_file: String,
    /// The CSV header.
    pub columns: Vec<String>,
    /// Wall time of the run, data gathering included.
    pub duration_seconds: f64,
    /// The layer's quality figures by name (see each layer's documentation).
    pub quality: BTreeMap<String, f64>,
    /// Anything worth knowing about how the layer read the data.
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_parse_from_their_numbers() {
        for layer in Layer::ALL {
            assert_eq!(layer.to_string().parse::<Layer>().ok(), Some(layer));
        }
        let error = "5".parse::<Layer>().err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("layer \"5\" does not exist: the pipeline runs layers 2, 3 and 4")
        );
    }
}
