//! Recognising a dataset from its files: which layout a folder or a single file is in,
//! and whether the files that layout needs are there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use orrery_core::RatingScale;

use super::error::ImportError;
use super::movielens::{self, RatingLines};
use super::source::{CsvRows, Lines, open, plain_name};
use super::{Entity, Format, ImportOptions, Plan, generic, hetrec, poppy_csv, poppy_folder};

/// What to read at `path`, and how.
pub(crate) fn plan(path: &Path, options: &ImportOptions) -> Result<Plan, ImportError> {
    let metadata = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            ImportError::file(path, "no such file or folder")
        } else {
            ImportError::io(path, None, &e)
        }
    })?;
    if let (Some(entity), Some(format)) = (options.entity, options.format)
        && !matches!(format, Format::Csv | Format::Jsonl)
    {
        return Err(ImportError::file(
            path,
            format!(
                "the entity ({entity}) applies to generic CSV and JSONL files only, not to \
                     the {format} format"
            ),
        ));
    }
    if metadata.is_dir() {
        folder_plan(&Folder::read(path)?, options.format, options.rating_scale)
    } else {
        file_plan(path, options)
    }
}

/// The names of the files in a folder.
struct Folder {
    path: PathBuf,
    names: BTreeSet<String>,
}

impl Folder {
    fn read(path: &Path) -> Result<Self, ImportError> {
        let entries = std::fs::read_dir(path).map_err(|e| ImportError::io(path, None, &e))?;
        let mut names = BTreeSet::new();
        for entry in entries {
            let entry = entry.map_err(|e| ImportError::io(path, None, &e))?;
            if entry.path().is_file() {
                names.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            names,
        })
    }

    /// The file `name`, or else `name.gz`, when the folder has it.
    fn find(&self, name: &str) -> Option<PathBuf> {
        [name.to_owned(), format!("{name}.gz")]
            .into_iter()
            .find(|n| self.names.contains(n))
            .map(|n| self.path.join(n))
    }

    fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.find(n).is_some())
    }

    /// The files present, for messages.
    fn listing(&self) -> String {
        const SHOWN: usize = 15;
        if self.names.is_empty() {
            return "the folder is empty".to_owned();
        }
        let listing: Vec<&str> = self.names.iter().map(String::as_str).take(SHOWN).collect();
        let more = self.names.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!("files found: {}{more}", listing.join(", "))
    }
}

const HETREC_MARKERS: [&str; 5] = [
    "user_artists.dat",
    "artists.dat",
    "user_taggedartists.dat",
    "user_taggedartists-timestamps.dat",
    "user_friends.dat",
];
const ML100K_MARKERS: [&str; 3] = ["u.data", "u.item", "u.user"];
const ML_DAT_MARKERS: [&str; 3] = ["ratings.dat", "movies.dat", "users.dat"];
const ML_CSV_MARKERS: [&str; 2] = ["ratings.csv", "movies.csv"];

/// The layouts a folder can hold, with the files that identify and that make them up.
const FOLDER_LAYOUTS: &str = "MovieLens 100K (u.data, u.item, u.user), MovieLens 1M \
     (ratings.dat, movies.dat, users.dat), MovieLens 10M (ratings.dat, movies.dat, tags.dat), \
     MovieLens 20M/25M/latest (ratings.csv, movies.csv, tags.csv), HetRec 2011 Last.fm \
     (user_artists.dat, artists.dat, tags.dat, user_taggedartists.dat), a Poppy Universe \
     folder (NN_Semantic_Interactions.csv, objects.csv, object_interactions.csv); each file \
     may be gzipped (.gz)";

/// What a required file's absence says about how the layout was chosen.
enum Choice<'a> {
    Forced,
    Detected { by: &'a [&'a str] },
}

fn folder_plan(
    folder: &Folder,
    forced: Option<Format>,
    rating_scale: Option<RatingScale>,
) -> Result<Plan, ImportError> {
    let format = match forced {
        Some(format) => format,
        None => detect_folder(folder)?,
    };
    let choice = match forced {
        Some(_) => Choice::Forced,
        None => Choice::Detected {
            by: match format {
                Format::HetRecLastfm => &HETREC_MARKERS,
                Format::MovieLens100k => &ML100K_MARKERS,
                Format::MovieLens1m | Format::MovieLens10m => &ML_DAT_MARKERS,
                Format::PoppyUniverse => &poppy_folder::MARKERS,
                _ => &ML_CSV_MARKERS,
            },
        },
    };
    let require = |name: &str, needs: &str| require(folder, name, format, needs, &choice);
    Ok(match format {
        Format::MovieLens100k => {
            let needs = "u.data and u.item (u.user and u.genre when present)";
            movielens::plan_100k(
                movielens::Files100k {
                    data: require("u.data", needs)?,
                    item: require("u.item", needs)?,
                    user: folder.find("u.user"),
                    genre: folder.find("u.genre"),
                },
                rating_scale,
            )
        }
        Format::MovieLens1m | Format::MovieLens10m => {
            let needs = if format == Format::MovieLens1m {
                "ratings.dat, movies.dat and users.dat"
            } else {
                "ratings.dat and movies.dat (tags.dat when present)"
            };
            let users = match format {
                Format::MovieLens1m => Some(require("users.dat", needs)?),
                _ => folder.find("users.dat"),
            };
            movielens::plan_dat(
                format,
                movielens::DatFiles {
                    ratings: require("ratings.dat", needs)?,
                    movies: require("movies.dat", needs)?,
                    users,
                    tags: folder.find("tags.dat"),
                },
                rating_scale,
            )
        }
        Format::MovieLensCsv => {
            let needs = "ratings.csv and movies.csv (tags.csv when present)";
            movielens::plan_csv(
                movielens::CsvFiles {
                    ratings: require("ratings.csv", needs)?,
                    movies: require("movies.csv", needs)?,
                    tags: folder.find("tags.csv"),
                },
                rating_scale,
            )
        }
        Format::HetRecLastfm => {
            let needs = "user_artists.dat and artists.dat (tags.dat with \
                         user_taggedartists.dat when present)";
            let assignments = folder
                .find("user_taggedartists.dat")
                .map(|path| (path, false))
                .or_else(|| {
                    folder
                        .find("user_taggedartists-timestamps.dat")
                        .map(|path| (path, true))
                });
            let tagging = match (folder.find("tags.dat"), assignments) {
                (Some(tags), Some((assignments, with_timestamps))) => Some(hetrec::Tagging {
                    tags,
                    assignments,
                    with_timestamps,
                }),
                _ => None,
            };
            hetrec::plan(hetrec::Files {
                user_artists: require("user_artists.dat", needs)?,
                artists: require("artists.dat", needs)?,
                tagging,
            })
        }
        Format::PoppyUniverse => {
            let [interactions_name, objects_name, events_name] = poppy_folder::MARKERS;
            let needs = "NN_Semantic_Interactions.csv or objects.csv (object_interactions.csv \
                         with objects.csv)";
            let files = poppy_folder::Files {
                interactions: folder.find(interactions_name),
                objects: folder.find(objects_name),
                object_interactions: folder.find(events_name),
            };
            if files.object_interactions.is_some() || files.interactions.is_none() {
                require(objects_name, needs)?;
            }
            poppy_folder::plan(files)
        }
        // Only a forced format can be one of these: detection picks folder layouts.
        Format::RatingsFile | Format::Poppy | Format::Csv | Format::Jsonl => {
            return Err(ImportError::file(
                &folder.path,
                format!("the {format} format reads one file; pass the file itself, not a folder"),
            ));
        }
    })
}

fn require(
    folder: &Folder,
    name: &str,
    format: Format,
    needs: &str,
    choice: &Choice<'_>,
) -> Result<PathBuf, ImportError> {
    if let Some(path) = folder.find(name) {
        return Ok(path);
    }
    let why = match choice {
        Choice::Forced => format!("the {} layout (format {format})", format.description()),
        Choice::Detected { by } => {
            let present: Vec<&str> = by
                .iter()
                .copied()
                .filter(|n| folder.find(n).is_some())
                .collect();
            format!(
                "this folder looks like {} (it has {}), which",
                format.description(),
                present.join(", ")
            )
        }
    };
    Err(ImportError::file(
        &folder.path,
        format!(
            "missing {name} (or {name}.gz): {why} needs {needs}; {}",
            folder.listing()
        ),
    ))
}

fn detect_folder(folder: &Folder) -> Result<Format, ImportError> {
    if folder.has_any(&HETREC_MARKERS) {
        Ok(Format::HetRecLastfm)
    } else if folder.has_any(&ML100K_MARKERS) {
        Ok(Format::MovieLens100k)
    } else if folder.has_any(&ML_DAT_MARKERS) {
        Ok(if folder.find("users.dat").is_some() {
            Format::MovieLens1m
        } else {
            Format::MovieLens10m
        })
    } else if folder.has_any(&ML_CSV_MARKERS) {
        Ok(Format::MovieLensCsv)
    } else if folder.has_any(&poppy_folder::MARKERS) {
        Ok(Format::PoppyUniverse)
    } else {
        Err(ImportError::file(
            &folder.path,
            format!(
                "no known dataset layout: looked for {FOLDER_LAYOUTS}; {}. To import a single \
                 ratings, Poppy Universe, CSV or JSONL file, pass the file itself",
                folder.listing()
            ),
        ))
    }
}

/// Whether a file name is one of MovieLens's ratings files.
fn is_ratings_name(name: &str) -> bool {
    if matches!(name, "u.data" | "ratings.dat" | "ratings.csv") {
        return true;
    }
    // The 100K splits: u1.base … u5.test, ua.base … ub.test.
    let bytes = name.as_bytes();
    bytes.len() == 7
        && bytes[0] == b'u'
        && matches!(bytes[1], b'1'..=b'5' | b'a' | b'b')
        && matches!(&name[2..], ".base" | ".test")
}

/// The folder layout that a file belongs to, when it is one file of a folder layout.
fn folder_layout_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "u.item" | "u.user" | "u.genre" | "u.occupation" | "u.info" => "MovieLens 100K",
        "movies.dat" | "users.dat" => "MovieLens 1M/10M",
        "tags.dat" => "MovieLens 10M or HetRec 2011 Last.fm",
        "movies.csv" | "tags.csv" | "links.csv" => "MovieLens 20M/25M/latest",
        "user_artists.dat"
        | "artists.dat"
        | "user_friends.dat"
        | "user_taggedartists.dat"
        | "user_taggedartists-timestamps.dat" => "HetRec 2011 Last.fm",
        _ => return None,
    })
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

fn file_plan(path: &Path, options: &ImportOptions) -> Result<Plan, ImportError> {
    let name = plain_name(path);
    let format = match options.format {
        Some(format) if !format.is_single_file() => {
            return Err(ImportError::file(
                path,
                format!(
                    "the {format} format reads a folder; pass the folder that holds {name}, \
                     or a single-file format (ratings, poppy, csv, jsonl)"
                ),
            ));
        }
        Some(format) => format,
        None => detect_file(path, &name, options.entity)?,
    };
    let path = path.to_path_buf();
    Ok(match format {
        Format::RatingsFile => {
            let lines = rating_lines(&path, &name)?;
            movielens::plan_ratings_file(path, lines, options.rating_scale)
        }
        Format::Poppy => poppy_csv::plan(path),
        Format::Jsonl => generic::plan_jsonl(path, options.entity, options.rating_scale),
        _ => generic::plan_csv(path, options.entity, options.rating_scale),
    })
}

fn detect_file(path: &Path, name: &str, entity: Option<Entity>) -> Result<Format, ImportError> {
    let extension = extension(name);
    let is_json = matches!(extension.as_str(), "jsonl" | "ndjson" | "json");
    if entity.is_some() {
        return Ok(if is_json { Format::Jsonl } else { Format::Csv });
    }
    if is_ratings_name(name) {
        return Ok(Format::RatingsFile);
    }
    if let Some(layout) = folder_layout_of(name) {
        return Err(ImportError::file(
            path,
            format!(
                "{name} is one file of the {layout} layout, which is read as a whole: pass \
                 the folder that holds it"
            ),
        ));
    }
    if is_json {
        return Ok(Format::Jsonl);
    }
    if extension == "csv" {
        let rows = CsvRows::new(path.to_path_buf(), open(path, None)?)?;
        let header = rows.header();
        let ratings_header = ["userId", "movieId", "rating", "timestamp"];
        return Ok(if poppy_csv::columns_start(header).is_some() {
            Format::Poppy
        } else if header.len() == 4
            && header
                .iter()
                .zip(ratings_header)
                .all(|(h, r)| h.eq_ignore_ascii_case(r))
        {
            Format::RatingsFile
        } else {
            Format::Csv
        });
    }
    match first_line(path)? {
        Some(line) if looks_like_rating(&line) => Ok(Format::RatingsFile),
        _ => Err(ImportError::file(
            path,
            "cannot tell what this file holds: looked for a MovieLens ratings file (u.data, \
             u1.base, ratings.dat, ratings.csv, or lines of 4 numbers separated by tabs or \
             '::'), a Poppy Universe CSV or a generic CSV (.csv with a header), and JSONL \
             (.jsonl); choose the format explicitly (--format)",
        )),
    }
}

/// The first non-blank line of a file, if any.
fn first_line(path: &Path) -> Result<Option<Vec<u8>>, ImportError> {
    let mut lines = Lines::new(path.to_path_buf(), open(path, None)?);
    while let Some((_, line)) = lines.next_line()? {
        if !line.trim_ascii().is_empty() {
            return Ok(Some(line.to_vec()));
        }
    }
    Ok(None)
}

/// Four numbers separated by tabs or `::`.
fn looks_like_rating(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let separator = if text.contains("::") { "::" } else { "\t" };
    let fields: Vec<&str> = text.split(separator).collect();
    fields.len() == 4
        && fields.iter().all(|f| {
            let f = f.trim();
            !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
}

/// How a ratings file's lines are separated, from its first line, else from its name.
fn rating_lines(path: &Path, name: &str) -> Result<RatingLines, ImportError> {
    Ok(match first_line(path)? {
        Some(line) if line.windows(2).any(|w| w == b"::") => RatingLines::DoubleColon,
        Some(line) if line.contains(&b'\t') => RatingLines::Tab,
        Some(line) if line.contains(&b',') => RatingLines::Csv,
        _ if name.ends_with(".csv") => RatingLines::Csv,
        _ if name.ends_with(".dat") => RatingLines::DoubleColon,
        _ => RatingLines::Tab,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_ratings_file_names() {
        for name in [
            "u.data",
            "u1.base",
            "u5.test",
            "ua.base",
            "ub.test",
            "ratings.dat",
            "ratings.csv",
        ] {
            assert!(is_ratings_name(name), "{name}");
        }
        for name in ["u6.base", "u1.data", "u.item", "ratings.txt"] {
            assert!(!is_ratings_name(name), "{name}");
        }
    }

    #[test]
    fn recognises_rating_lines() {
        assert!(looks_like_rating(b"196\t242\t3\t881250949"));
        assert!(looks_like_rating(b"1::1193::5::978300760"));
        assert!(!looks_like_rating(b"userID\tartistID\tweight"));
        assert!(!looks_like_rating(b"1,2,3,4"));
    }
}
