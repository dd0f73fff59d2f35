//! Fuzz targets of Orrery (run with `cargo +nightly fuzz run TARGET`, see `fuzz/README.md`);
//! the harnesses are shared with the stable replay test of `orrery-server`.
//!
//! The importer targets need only `orrery-data`; the `http` feature (on by default) adds
//! the server for `http_bodies`, so `--no-default-features` builds the importers quickly.

#[cfg(feature = "http")]
pub mod http;
pub mod import;
