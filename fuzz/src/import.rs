//! The importer targets' harness, shared with the stable replay test in
//! `crates/orrery-server/tests/fuzz_replay.rs` (which includes this file by path):
//! [`import`] writes the input as the files of a dataset layout and reads them with
//! `orrery_data::import::Import`; every input must end in records or in an error that
//! names what is wrong, never in a panic.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use orrery_data::import::{Entity, Format, Import, ImportOptions};

/// Separates the files of one input (ASCII record separator), so that one byte string
/// can hold a whole dataset folder.
pub const FILE_SEPARATOR: u8 = 0x1e;

/// The dataset layouts the importers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MovieLens 100K, 1M, 10M, CSV releases and single ratings files; the first byte
    /// picks which.
    MovieLens,
    /// HetRec 2011 Last.fm.
    HetRec,
    /// The Poppy Universe CSV.
    Poppy,
    /// Generic CSV or JSONL; the first byte picks the format and the entity.
    Generic,
}

/// The files of each variant of a layout, in the order the input holds them, and the
/// format to force (`None`: detect from the files, as `orrery import` does).
fn variant(
    layout: Layout,
    selector: u8,
) -> (&'static [&'static str], Option<Format>, Option<Entity>) {
    match layout {
        Layout::MovieLens => match selector % 7 {
            0 => (&["u.data", "u.item", "u.user"], None, None),
            1 => (
                &["ratings.dat", "movies.dat", "users.dat"],
                Some(Format::MovieLens1m),
                None,
            ),
            2 => (
                &["ratings.dat", "movies.dat", "tags.dat"],
                Some(Format::MovieLens10m),
                None,
            ),
            3 => (
                &["ratings.csv", "movies.csv", "tags.csv"],
                Some(Format::MovieLensCsv),
                None,
            ),
            4 => (&["u1.base"], None, None),
            5 => (&["ratings.dat"], Some(Format::RatingsFile), None),
            _ => (&["ratings.csv"], Some(Format::RatingsFile), None),
        },
        Layout::HetRec => (
            &[
                "user_artists.dat",
                "artists.dat",
                "tags.dat",
                "user_taggedartists.dat",
            ],
            None,
            None,
        ),
        Layout::Poppy => (&["NN_Semantic_Interactions.csv"], Some(Format::Poppy), None),
        Layout::Generic => {
            let entity = match selector / 2 % 4 {
                0 => None,
                1 => Some(Entity::Users),
                2 => Some(Entity::Items),
                _ => Some(Entity::Interactions),
            };
            if selector.is_multiple_of(2) {
                (&["data.csv"], Some(Format::Csv), entity)
            } else {
                (&["data.jsonl"], Some(Format::Jsonl), entity)
            }
        }
    }
}

/// A folder of this process for the files of one input (reused: inputs run one at a time
/// per thread).
fn scratch() -> PathBuf {
    thread_local! {
        static DIR: PathBuf = {
            let dir = std::env::temp_dir().join(format!(
                "orrery-fuzz-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).expect("a scratch folder");
            dir
        };
    }
    DIR.with(|d| d.clone())
}

/// Reads `data` as a dataset of `layout`: the first byte picks the variant, the rest is
/// the files separated by [`FILE_SEPARATOR`].
pub fn import(layout: Layout, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (names, format, entity) = variant(layout, selector);
    let dir = scratch();
    for entry in std::fs::read_dir(&dir)
        .expect("the scratch folder")
        .flatten()
    {
        let _ = std::fs::remove_file(entry.path());
    }
    let mut parts = rest.split(|b| *b == FILE_SEPARATOR);
    for name in names {
        std::fs::write(dir.join(name), parts.next().unwrap_or_default()).expect("writing");
    }
    let target: &Path = if names.len() == 1 {
        &dir.join(names[0])
    } else {
        &dir
    };
    let options = ImportOptions {
        format,
        entity,
        ..ImportOptions::default()
    };
    match Import::open(target, &options) {
        Ok(records) => {
            for record in records {
                if let Err(e) = record {
                    assert!(!e.to_string().is_empty(), "an error without a message");
                    break;
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
    }
}
