//! [`Bundle`]: the registry blob of a model version — a fitted model with the id maps of
//! the snapshot it was trained on, so that its dense indices can be mapped back to the
//! external ids of users and items.
//!
//! Layout: `ORRERYSV`, a little-endian `u32` layout version, a `u64` length, the id maps
//! (postcard), then the model in its own versioned format ([`Model::to_bytes`]).

use orrery_core::{Dataset, IdMap};
use orrery_models::{Model, Recommender};
use serde::{Deserialize, Serialize};

/// The first bytes of a bundle.
const MAGIC: &[u8; 8] = b"ORRERYSV";
/// The bundle layout this build writes and reads.
const LAYOUT_VERSION: u32 = 1;
/// Magic, layout version and id-map length.
const HEADER_LEN: usize = 20;

/// A bundle that cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle, or one of another layout.
    #[error("the stored model is not a bundle this build reads ({0}): retrain it")]
    Layout(String),
    /// The model inside does not encode or decode.
    #[error("the stored model does not decode: {0}")]
    Model(#[from] orrery_models::Error),
}

#[derive(Serialize, Deserialize)]
struct Ids {
    users: Vec<String>,
    items: Vec<String>,
}

/// A fitted model and the external ids its user and item indices stand for.
#[derive(Debug)]
pub struct Bundle {
    /// The fitted model.
    pub model: Model,
    /// User ids in model index order.
    pub users: IdMap,
    /// Item ids in model index order.
    pub items: IdMap,
}

impl Bundle {
    /// The registry bytes of `model`, trained on `dataset`.
    pub fn encode(model: &Model, dataset: &Dataset) -> Result<Vec<u8>, BundleError> {
        let ids = Ids {
            users: dataset.users().ids().to_vec(),
            items: dataset.items().ids().to_vec(),
        };
        let ids = postcard::to_allocvec(&ids)
            .map_err(|e| BundleError::Layout(format!("encoding the id maps: {e}")))?;
        let body = model.to_bytes()?;
        let mut out = Vec::with_capacity(HEADER_LEN + ids.len() + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&LAYOUT_VERSION.to_le_bytes());
        out.extend_from_slice(&(ids.len() as u64).to_le_bytes());
        out.extend_from_slice(&ids);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// A bundle from bytes written by [`Bundle::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
            return Err(BundleError::Layout("no bundle header".into()));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != LAYOUT_VERSION {
            return Err(BundleError::Layout(format!(
                "layout {version}, this build reads {LAYOUT_VERSION}"
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&bytes[12..HEADER_LEN]);
        let len = usize::try_from(u64::from_le_bytes(len))
            .map_err(|_| BundleError::Layout("id map length overflows".into()))?;
        let ids_end = HEADER_LEN
            .checked_add(len)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| BundleError::Layout("the id maps are truncated".into()))?;
        let ids: Ids = postcard::from_bytes(&bytes[HEADER_LEN..ids_end])
            .map_err(|e| BundleError::Layout(format!("the id maps do not decode: {e}")))?;
        let model = Model::from_bytes(&bytes[ids_end..])?;
        if ids.items.len() != model.n_items() || ids.users.len() != model.n_users() {
            return Err(BundleError::Layout(format!(
                "the id maps ({} users, {} items) do not fit the model ({} users, {} items)",
                ids.users.len(),
                ids.items.len(),
                model.n_users(),
                model.n_items()
            )));
        }
        Ok(Bundle {
            model,
            users: ids.users.iter().collect(),
            items: ids.items.iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};
    use orrery_models::{Algorithm, NoProgress, Params};

    #[test]
    fn bundles_round_trip_and_reject_garbage() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_event("u1", "a", &EventKind::Like, 0.0, 0);
        b.add_event("u2", "b", &EventKind::Like, 0.0, 0);
        b.add_event("u2", "a", &EventKind::Click, 0.0, 0);
        let d = b.build();
        let model = Model::fit(
            &d,
            &Params::defaults(Algorithm::Popularity),
            &mut NoProgress,
        )
        .unwrap();
        let bytes = Bundle::encode(&model, &d).unwrap();
        let bundle = Bundle::decode(&bytes).unwrap();
        assert_eq!(bundle.items.get("b"), Some(1));
        assert_eq!(bundle.users.external(1), Some("u2"));
        assert_eq!(bundle.model.n_items(), 2);
        assert!(Bundle::decode(b"garbage garbage garbage").is_err());
        assert!(Bundle::decode(&bytes[..bytes.len() - 3]).is_err());
        let mut other = bytes.clone();
        other[8] = 9;
        let err = Bundle::decode(&other).unwrap_err().to_string();
        assert!(err.contains("layout 9"), "{err}");
    }
}
