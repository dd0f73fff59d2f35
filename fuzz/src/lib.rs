//! Fuzz targets of Orrery (run with `cargo +nightly fuzz run TARGET`, see `fuzz/README.md`);
//! the harness is shared with the stable replay test of `orrery-server`.

pub mod harness;
