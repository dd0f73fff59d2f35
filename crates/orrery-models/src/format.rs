//! The model file format: a fixed header, then the model encoded with postcard.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "ORRERYMD"
//! 8       4     format version, u32 little-endian
//! 12      2     length n of the algorithm name, u16 little-endian
//! 14      n     algorithm name, UTF-8 (e.g. "mf")
//! 14+n    …     postcard encoding of the model
//! ```
//!
//! The version changes whenever the encoding of any model changes; a reader refuses every
//! version but its own, with an error that says to retrain, rather than misreading bytes.
//! The algorithm name is readable without decoding the body (to list a registry).

use std::io::{Read, Write};

use crate::{Algorithm, Error, Model, Recommender, Result};

const MAGIC: &[u8; 8] = b"ORRERYMD";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 6;

/// The parts of a model header.
struct Header {
    version: u32,
    algorithm: String,
    body_offset: usize,
}

fn read_header(bytes: &[u8]) -> Result<Header> {
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err(Error::NotAModel);
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    let name_len = u16::from_le_bytes([bytes[12], bytes[13]]) as usize;
    let name = bytes
        .get(14..14 + name_len)
        .ok_or_else(|| Error::Corrupt("the header is truncated".to_owned()))?;
    let algorithm = String::from_utf8(name.to_vec())
        .map_err(|_| Error::Corrupt("the algorithm name is not UTF-8".to_owned()))?;
    Ok(Header {
        version,
        algorithm,
        body_offset: 14 + name_len,
    })
}

impl Model {
    /// The model as bytes: header and body.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let name = self.algorithm().name().as_bytes();
        let body = postcard::to_allocvec(self)
            .map_err(|e| Error::Corrupt(format!("the model could not be encoded: {e}")))?;
        let mut bytes = Vec::with_capacity(14 + name.len() + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(&body);
        Ok(bytes)
    }

    /// A model from bytes written by [`Model::to_bytes`] of the same format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        let header = read_header(bytes)?;
        if header.version != FORMAT_VERSION {
            return Err(Error::FormatVersion {
                found: header.version,
                supported: FORMAT_VERSION,
            });
        }
        let algorithm: Algorithm = header
            .algorithm
            .parse()
            .map_err(|_| Error::Corrupt(format!("unknown algorithm {:?}", header.algorithm)))?;
        let model: Model = postcard::from_bytes(&bytes[header.body_offset..])
            .map_err(|e| Error::Corrupt(format!("the {algorithm} model does not decode: {e}")))?;
        if model.algorithm() != algorithm {
            return Err(Error::Corrupt(format!(
                "the header says {algorithm} but the body holds {}",
                model.algorithm()
            )));
        }
        model.check()?;
        Ok(model)
    }

    /// Writes the model to `w`.
    pub fn save(&self, mut w: impl Write) -> Result<()> {
        w.write_all(&self.to_bytes()?)?;
        w.flush()?;
        Ok(())
    }

    /// Reads a model from `r`.
    pub fn load(mut r: impl Read) -> Result<Model> {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)?;
        Model::from_bytes(&bytes)
    }

    /// The format version and algorithm name of a serialized model, without decoding it.
    pub fn peek(bytes: &[u8]) -> Result<(u32, String)> {
        let header = read_header(bytes)?;
        Ok((header.version, header.algorithm))
    }
}
