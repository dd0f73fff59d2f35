//! Fuzz target: request bodies and queries of the API's routes through the real router
//! (see `orrery_fuzz::http::http`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use orrery_fuzz::http::http;

fuzz_target!(|data: &[u8]| http(data));
