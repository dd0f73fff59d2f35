//! Getting data into Orrery: readers for published recommendation datasets and a
//! simulator of the Poppy Universe.
//!
//! - [`import`]: detects a dataset's layout from its files (MovieLens 100K/1M/10M/20M/
//!   latest, single ratings files, HetRec 2011 Last.fm, Poppy Universe CSV, generic
//!   CSV/JSONL) and streams [`orrery_core::Record`]s, with errors that name the file, the
//!   line and the field.
//! - [`simulate`]: the Poppy Universe generators with the seed's probabilities, seeded and
//!   byte-for-byte reproducible, with the planted truth written beside the data.
//! - [`synthetic`]: a MovieLens-shaped dataset of any size (power-law users and items,
//!   planted tastes) for growth benchmarks.
//! - [`population`]: users with planted tastes and the probability that each clicks each
//!   item, for rehearsing online experiments against a running server.
//! - [`ncf`]: the NCF paper's split files (train, test, sampled negatives).
//! - [`poppy`]: the vocabulary both share (category types and values, item ids, CSV
//!   columns).
//!
//! Nothing here knows about databases: the store persists what these produce.

pub mod import;
pub mod ncf;
pub mod poppy;
pub mod population;
pub mod simulate;
pub mod synthetic;
