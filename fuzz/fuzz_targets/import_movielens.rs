//! Fuzz target: the MovieLens importer on arbitrary files (see `orrery_fuzz::import::import`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use orrery_fuzz::import::{Layout, import};

fuzz_target!(|data: &[u8]| import(Layout::MovieLens, data));
