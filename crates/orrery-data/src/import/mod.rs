//! Dataset importers: detect a dataset's layout from its files and stream its rows as
//! [`Record`]s, users and items first, then interactions.
//!
//! [`Import::open`] takes a folder or a single file. Every file may also be gzipped
//! (`ratings.dat.gz`); a plain file wins when both exist.
//!
//! | layout ([`Format`]) | files | records |
//! |---|---|---|
//! | MovieLens 100K | `u.data`, `u.item`, `u.user`, `u.genre` | users with demographics, movies, ratings |
//! | MovieLens 1M | `ratings.dat`, `movies.dat`, `users.dat` (`::`-separated) | users, movies, ratings |
//! | MovieLens 10M | `ratings.dat`, `movies.dat`, `tags.dat` | movies with tags, ratings |
//! | MovieLens 20M/25M/latest | `ratings.csv`, `movies.csv`, `tags.csv` | movies with tags, ratings |
//! | one ratings file | `u.data`, `u1.base`, `ua.test`, `ratings.dat`, `ratings.csv`, … | ratings only |
//! | HetRec 2011 Last.fm | `user_artists.dat`, `artists.dat`, `tags.dat` + `user_taggedartists.dat` | artists with tags, plays |
//! | Poppy Universe | one CSV `Interaction_ID,User_ID,Category_Type,Category_Value,Strength,Timestamp` | users, category items, strengths |
//! | Poppy Universe folder (`orrery simulate --out`) | `NN_Semantic_Interactions.csv`, `objects.csv`, `object_interactions.csv` | users, category and object items, strengths, views, clicks, favorites |
//! | generic | one CSV (with header) or JSONL file | users, items or interactions |
//!
//! In a folder, the layout is chosen by the files present (HetRec, then MovieLens 100K,
//! `::` and CSV, then the Poppy Universe files); files that a layout does not use (`README`, `links.csv`,
//! `user_friends.dat`, the `u1.base`… splits, `planted_preferences.csv`) are ignored. A single file named like a
//! MovieLens ratings file imports alone ([`Format::RatingsFile`]), even inside a full
//! MovieLens folder, so a train/test split kept as two files loads as two datasets.
//! Other single files: a `.csv` with the Poppy header is a Poppy file, one with exactly
//! the header `userId,movieId,rating,timestamp` a ratings file, any other `.csv` a generic
//! CSV; `.jsonl`, `.ndjson` and `.json` files are generic JSONL; a file with another name
//! is a ratings file when its first line is 4 numbers separated by tabs or `::`. Setting
//! [`ImportOptions::entity`] makes a single file generic.
//!
//! What each layout becomes:
//! - Ids are kept as the strings in the files (`"1"`, `"242"`).
//! - Layouts without a users file (ML-10M, ML-20M and later, HetRec, generic interactions)
//!   give no user records: the store creates users from the interactions that name them.
//! - MovieLens ratings are [`EventKind::Rating`] interactions; values are multiples of 0.5
//!   from 1 (100K, 1M) or 0.5 (later releases and single ratings files) to 5. Movies get
//!   their genres as `("genre", …)` categories (not the 100K `unknown` flag nor `(no genres listed)`), the
//!   release year from the title's trailing `(1995)` (100K: else from the release date),
//!   and the tags of the tags file, trimmed and deduplicated case-insensitively in
//!   first-seen order. Tags of movies missing from the movies file are dropped.
//! - ML-1M `users.dat`: `age` is the age-group code as published (1 = under 18, 18 =
//!   18–24, …, 56 = 56+), with the group's label in the `age_group` attribute; the
//!   occupation code becomes its name from the ML-1M README, the code is kept as the
//!   `occupation_code` attribute.
//! - HetRec: `user_artists.dat` weights are [`EventKind::Play`] interactions whose value is
//!   the play count, at time 0 (the file has none). Artist URLs go into attributes.
//! - Poppy: one user per distinct `User_ID`, then the 21 category items of the universe
//!   ([`crate::poppy::all_category_items`]), then [`EventKind::Strength`] interactions on
//!   `Star:G`-style items. Timestamps are pandas' naive `2025-11-30 02:02:11.902417`
//!   (taken as UTC) or RFC 3339. A leading unnamed index column, as `DataFrame.to_csv`
//!   writes by default, is accepted and ignored.
//! - Poppy Universe folder: the users of both event files; the 21 category items, then
//!   the catalog's objects (`star-001`, titled by their name, with their `(type, value)`
//!   category and an `object_type` attribute); the strengths as for the Poppy CSV; then
//!   the object events as [`EventKind::View`], [`EventKind::Click`] and
//!   [`EventKind::Favorite`] interactions of value 0. Either event file may be missing,
//!   but object events need `objects.csv`, and each must name an object listed there
//!   with its type.
//! - Generic CSV/JSONL: see [`generic`](self#generic-csv-and-jsonl).
//!
//! Rating scales: a MovieLens layout's ratings are on its published scale (1–5 for 100K
//! and 1M, 0.5–5 later and for a lone ratings file); other layouts' ratings are on the
//! range they span (Ciao's 0–5, Jester's −10..10), unless [`ImportOptions::rating_scale`]
//! gives the scale, which every rating must then lie on. [`Import::rating_scale`] says
//! which scale the import read, for the store to keep with the data.
//!
//! Text: the CSV and JSONL formats must be UTF-8. The older `.dat` and `u.*` files were
//! published in Latin-1; they are read as UTF-8 when the whole file is valid UTF-8 and as
//! Windows-1252 (Latin-1's superset) otherwise.
//!
//! # Generic CSV and JSONL
//! Columns (CSV header names or JSON keys) are matched case-insensitively:
//! - user: `user`, `user_id`, `userid`; item: `item`, `item_id`, `itemid`, `movie_id`,
//!   `movieid`, `content_id`, `artist_id`; kind: `kind`, `event`, `event_type`,
//!   `interaction_type`, `type`; value: `value`, `rating`, `strength`, `weight`,
//!   `duration_seconds`, `count` (the first of these present); ts: `timestamp`, `ts`,
//!   `time`, `created_at`, as Unix seconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS[.f]` (UTC).
//!
//! The file holds interactions when it has user and item columns, users when it has only
//! a user column, items when it has only an item column (or `id`). [`ImportOptions::entity`]
//! overrides that (an `id` column then also serves as a user id).
//! - Interactions: without a kind column (or with an empty kind) the kind follows the value
//!   column's name: `rating` → rating, `strength` → strength, `duration_seconds` →
//!   view_time, `weight` or `count` → play, anything else (or no value column) → view.
//!   Ratings may be any number, or must lie on [`ImportOptions::rating_scale`] when it is
//!   given; strengths lie in 1–5; seconds and counts must not be negative;
//!   a rating, strength or view_time without a value is an error, a play without one counts
//!   1, other kinds default to 0. A missing timestamp is 0. Other columns are ignored.
//! - Users: `interests` (a JSON array or a `|`/`;`-separated list), `skill_level`,
//!   `gender`, `age`, `occupation`, `zip`; any other column becomes an attribute.
//! - Items: `title` (or `name`), `category` (`type:value`, or a plain value meaning
//!   `("category", value)`), `categories` (a list of those), `genres`/`genre` (a list of
//!   `("genre", …)`), `tags`, `description`, `year`; any other column becomes an attribute.
//!
//! # Errors
//! Parsing stops at the first error, which names the file, the 1-based line (counting the
//! header line) and the field, says what was expected and quotes what was found. After an
//! error the iterator ends.

mod bounded;
mod detect;
mod error;
mod fields;
mod generic;
mod hetrec;
mod movielens;
mod poppy_csv;
mod poppy_folder;
mod source;
mod tags;

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use orrery_core::{EventKind, RatingScale, Record};

pub use bounded::{MAX_LINE_BYTES, MAX_RECORD_BYTES};
pub use error::ImportError;
use source::Progress;

/// How to read a dataset; the default detects everything.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ImportOptions {
    /// Read the path in this layout instead of detecting it.
    pub format: Option<Format>,
    /// What a generic CSV or JSONL file holds, instead of judging by its columns.
    pub entity: Option<Entity>,
    /// The scale ratings must lie on, instead of the layout's published one (MovieLens)
    /// or the range the file's ratings span (other layouts).
    pub rating_scale: Option<RatingScale>,
}

/// Where an import's rating scale came from ([`Import::rating_scale`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleSource {
    /// [`ImportOptions::rating_scale`] (`--rating-scale`).
    Given,
    /// The layout's published scale (MovieLens).
    Layout,
    /// The range the ratings read span.
    Data,
}

impl ScaleSource {
    /// `option`, `layout` or `data`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScaleSource::Given => "option",
            ScaleSource::Layout => "layout",
            ScaleSource::Data => "data",
        }
    }
}

/// A dataset layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// MovieLens 100K: `u.data`, `u.item`, `u.user` (a folder).
    MovieLens100k,
    /// MovieLens 1M: `ratings.dat`, `movies.dat`, `users.dat` (a folder).
    MovieLens1m,
    /// MovieLens 10M: `ratings.dat`, `movies.dat`, `tags.dat` (a folder).
    MovieLens10m,
    /// MovieLens 20M, 25M and latest: `ratings.csv`, `movies.csv`, `tags.csv` (a folder).
    MovieLensCsv,
    /// One MovieLens-style ratings file: tab-separated, `::`-separated, or CSV with a header.
    RatingsFile,
    /// HetRec 2011 Last.fm: `user_artists.dat`, `artists.dat`, … (a folder).
    HetRecLastfm,
    /// The Poppy Universe Layer 4 interactions CSV (one file).
    Poppy,
    /// A Poppy Universe folder as `orrery simulate --out` writes it: Layer 4
    /// interactions, the celestial catalog and its object events.
    PoppyUniverse,
    /// A CSV file with a header (one file).
    Csv,
    /// A file of JSON objects, one per line (one file).
    Jsonl,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 10] = [
        Format::MovieLens100k,
        Format::MovieLens1m,
        Format::MovieLens10m,
        Format::MovieLensCsv,
        Format::RatingsFile,
        Format::HetRecLastfm,
        Format::Poppy,
        Format::PoppyUniverse,
        Format::Csv,
        Format::Jsonl,
    ];

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::MovieLens100k => "movielens-100k",
            Format::MovieLens1m => "movielens-1m",
            Format::MovieLens10m => "movielens-10m",
            Format::MovieLensCsv => "movielens-csv",
            Format::RatingsFile => "ratings",
            Format::HetRecLastfm => "hetrec-lastfm",
            Format::Poppy => "poppy",
            Format::PoppyUniverse => "poppy-universe",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    /// A human name for messages.
    pub fn description(self) -> &'static str {
        match self {
            Format::MovieLens100k => "MovieLens 100K",
            Format::MovieLens1m => "MovieLens 1M",
            Format::MovieLens10m => "MovieLens 10M",
            Format::MovieLensCsv => "MovieLens 20M/25M/latest (CSV)",
            Format::RatingsFile => "a single ratings file",
            Format::HetRecLastfm => "HetRec 2011 Last.fm",
            Format::Poppy => "Poppy Universe CSV",
            Format::PoppyUniverse => "Poppy Universe folder",
            Format::Csv => "generic CSV",
            Format::Jsonl => "generic JSONL",
        }
    }

    /// Whether the format reads one file (as opposed to a folder).
    pub fn is_single_file(self) -> bool {
        matches!(
            self,
            Format::RatingsFile | Format::Poppy | Format::Csv | Format::Jsonl
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        let name = s.trim().to_ascii_lowercase();
        let alias = match name.as_str() {
            "movielens-20m" | "movielens-25m" | "movielens-latest" => Some(Format::MovieLensCsv),
            "ratings-file" => Some(Format::RatingsFile),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| f.name() == name))
            .ok_or_else(|| UnknownName {
                what: "format",
                given: s.to_owned(),
                expected: Format::ALL.map(Format::name).join(", "),
            })
    }
}

/// What a generic CSV or JSONL file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Users,
    Items,
    Interactions,
}

impl Entity {
    /// Every entity.
    pub const ALL: [Entity; 3] = [Entity::Users, Entity::Items, Entity::Interactions];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Users => "users",
            Entity::Items => "items",
            Entity::Interactions => "interactions",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Entity {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        let name = s.trim().to_ascii_lowercase();
        let name = name.strip_suffix('s').unwrap_or(&name);
        Entity::ALL
            .into_iter()
            .find(|e| e.name().strip_suffix('s') == Some(name))
            .ok_or_else(|| UnknownName {
                what: "entity",
                given: s.to_owned(),
                expected: Entity::ALL.map(Entity::name).join(", "),
            })
    }
}

/// A format or entity name that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?}: expected one of {expected}")]
pub struct UnknownName {
    what: &'static str,
    given: String,
    expected: String,
}

/// Rows produced by one step of an import.
pub(crate) type Stream = Box<dyn Iterator<Item = Result<Record, ImportError>> + Send>;

/// One step of an import: reads its files when its turn comes.
pub(crate) type Step = Box<dyn FnOnce(&Progress) -> Result<Stream, ImportError> + Send>;

/// What an import will do: its layout, the files in reading order, and the steps that
/// read them.
pub(crate) struct Plan {
    pub format: Format,
    pub files: Vec<PathBuf>,
    pub steps: Vec<Step>,
    /// The scale the layout's ratings are on, when the layout defines one or the importer
    /// was given one; else it is the range the ratings read span.
    pub rating_scale: Option<RatingScale>,
}

/// Rows already in memory, as a [`Stream`].
pub(crate) fn stream_of(records: Vec<Record>) -> Stream {
    Box::new(records.into_iter().map(Ok))
}

/// A dataset being read: an iterator of [`Record`]s, users and items before interactions.
///
/// Small files (movies, users, tags) are read whole when their turn comes; ratings are
/// streamed line by line. The iterator ends after the first error.
pub struct Import {
    format: Format,
    files: Vec<PathBuf>,
    bytes_total: u64,
    progress: Progress,
    steps: VecDeque<Step>,
    current: Option<Stream>,
    given_scale: Option<RatingScale>,
    published_scale: Option<RatingScale>,
    /// The lowest and highest rating read so far.
    ratings_seen: (f32, f32),
    ratings_read: u64,
}

impl Import {
    /// Opens a dataset folder or file and detects its layout (or uses
    /// `options.format`). Fails when the path is missing, no layout fits, or a layout's
    /// required file is absent; the files' contents are checked while iterating.
    pub fn open(path: &Path, options: &ImportOptions) -> Result<Import, ImportError> {
        let plan = detect::plan(path, options)?;
        let mut bytes_total = 0;
        for file in &plan.files {
            let metadata = std::fs::metadata(file).map_err(|e| ImportError::io(file, None, &e))?;
            bytes_total += metadata.len();
        }
        Ok(Import {
            format: plan.format,
            files: plan.files,
            bytes_total,
            progress: Progress::default(),
            steps: plan.steps.into(),
            current: None,
            given_scale: options.rating_scale,
            published_scale: plan.rating_scale,
            ratings_seen: (f32::INFINITY, f32::NEG_INFINITY),
            ratings_read: 0,
        })
    }

    /// The scale of the ratings and where it came from: the one given in the options,
    /// else the layout's published one, else the range spanned by the ratings read so far
    /// (complete once the import has been read to its end). `None` when nothing defines
    /// one: no ratings, or all equal.
    pub fn rating_scale(&self) -> Option<(RatingScale, ScaleSource)> {
        let (low, high) = self.ratings_seen;
        self.given_scale
            .map(|scale| (scale, ScaleSource::Given))
            .or_else(|| {
                self.published_scale
                    .map(|scale| (scale, ScaleSource::Layout))
            })
            .or_else(|| Some((RatingScale::new(low, high).ok()?, ScaleSource::Data)))
    }

    /// How many ratings have been read so far.
    pub fn ratings_read(&self) -> u64 {
        self.ratings_read
    }

    /// The layout being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The files that will be read, in reading order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The size of those files on disk (compressed sizes for gzipped files).
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total
    }

    /// How many of those bytes have been read so far.
    pub fn bytes_read(&self) -> u64 {
        self.progress.get()
    }
}

impl Iterator for Import {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(stream) = &mut self.current {
                match stream.next() {
                    Some(Ok(record)) => {
                        if let Record::Interaction(e) = &record
                            && e.kind == EventKind::Rating
                        {
                            let (low, high) = &mut self.ratings_seen;
                            (*low, *high) = (low.min(e.value), high.max(e.value));
                            self.ratings_read += 1;
                        }
                        return Some(Ok(record));
                    }
                    Some(Err(error)) => {
                        self.stop();
                        return Some(Err(error));
                    }
                    None => self.current = None,
                }
            }
            let step = self.steps.pop_front()?;
            match step(&self.progress) {
                Ok(stream) => self.current = Some(stream),
                Err(error) => {
                    self.stop();
                    return Some(Err(error));
                }
            }
        }
    }
}

impl Import {
    fn stop(&mut self) {
        self.steps.clear();
        self.current = None;
    }
}

impl fmt::Debug for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Import")
            .field("format", &self.format)
            .field("files", &self.files)
            .field("bytes_total", &self.bytes_total)
            .field("bytes_read", &self.bytes_read())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_can_move_to_another_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Import>();
        assert_send::<ImportError>();
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!("movielens-25m".parse::<Format>(), Ok(Format::MovieLensCsv));
        let error = "movielens-2m".parse::<Format>().unwrap_err().to_string();
        assert!(
            error.starts_with("unknown format \"movielens-2m\": expected one of movielens-100k,")
        );
    }

    #[test]
    fn entity_names_round_trip() {
        for entity in Entity::ALL {
            assert_eq!(entity.name().parse::<Entity>(), Ok(entity));
            assert_eq!(entity.to_string(), entity.name());
        }
        assert_eq!("User".parse::<Entity>(), Ok(Entity::Users));
        assert!("ratings".parse::<Entity>().is_err());
    }
}
