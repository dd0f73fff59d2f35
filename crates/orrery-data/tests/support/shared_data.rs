//! Where the tests find the public datasets, and what a test that needs them does when
//! they are missing. Shared by the test crates of the workspace (`#[path]`).
//!
//! The folder is `ORRERY_SHARED_DATA`, else `shared/data` beside the checkout. A fresh
//! clone has neither: a test that needs the data then ends early and says on stderr that
//! it was skipped and why, unless `ORRERY_REQUIRE_DATA=1` (as CI sets it), under which a
//! missing folder fails the test instead.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared datasets folder. Panics when it is missing: a test calls [`without_data`]
/// first.
pub fn shared_data() -> PathBuf {
    locate().unwrap_or_else(|tried| {
        panic!(
            "the shared datasets are not at {}: set ORRERY_SHARED_DATA to the folder that \
             holds ml-100k",
            tried.display()
        )
    })
}

/// Whether a test that needs the datasets should end here: they are missing and
/// `ORRERY_REQUIRE_DATA` is not set (said on stderr). With it set to 1, a missing folder
/// panics.
pub fn without_data() -> bool {
    match locate() {
        Ok(_) => false,
        Err(tried) if std::env::var("ORRERY_REQUIRE_DATA").as_deref() == Ok("1") => panic!(
            "ORRERY_REQUIRE_DATA=1 but the shared datasets are not at {}: set \
             ORRERY_SHARED_DATA to the folder that holds ml-100k",
            tried.display()
        ),
        Err(tried) => {
            eprintln!(
                "skipped: this test reads the shared datasets, which are not at {} (set \
                 ORRERY_SHARED_DATA to the folder that holds ml-100k; ORRERY_REQUIRE_DATA=1 \
                 makes their absence a failure)",
                tried.display()
            );
            true
        }
    }
}

/// The folder, or where it was looked for.
fn locate() -> Result<PathBuf, PathBuf> {
    let dir = std::env::var_os("ORRERY_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.is_dir() { Ok(dir) } else { Err(dir) }
}
