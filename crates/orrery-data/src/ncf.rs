//! The split files of the NCF paper (He et al. 2017, github.com/hexiangnan/neural_collaborative_filtering):
//! `<name>.train.rating` and `<name>.test.rating` (`user\titem\trating\ttimestamp`) and
//! `<name>.test.negative` (`(user,item)` then the sampled negative items, tab-separated).
//! Reading them lets Orrery be measured on exactly the paper's split and negatives.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Lines};
use std::iter::Enumerate;
use std::path::{Path, PathBuf};

use orrery_core::{EventKind, InteractionRecord, Record};

use crate::import::ImportError;

/// The three files of one NCF split. The ratings are read as they are consumed (held as
/// records, the training file of ML-1M alone would take about 100 MB); the negatives are
/// read at once.
#[derive(Debug)]
pub struct NcfSplit {
    /// Training interactions (ratings).
    pub train: Ratings,
    /// The held-out interaction of each user.
    pub test: Ratings,
    /// Per user, the items the test item is ranked against.
    pub negatives: Vec<(String, Vec<String>)>,
}

/// The records of a `.rating` file, one per non-blank line, read as they are asked for.
#[derive(Debug)]
pub struct Ratings {
    path: PathBuf,
    lines: Enumerate<Lines<BufReader<File>>>,
}

impl Ratings {
    /// Opens a `user\titem\trating[\ttimestamp]` file.
    pub fn open(path: &Path) -> Result<Ratings, ImportError> {
        let file = File::open(path).map_err(|e| unreadable(path, None, e))?;
        Ok(Ratings {
            path: path.to_path_buf(),
            lines: BufReader::new(file).lines().enumerate(),
        })
    }
}

impl Iterator for Ratings {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (n, line) = self.lines.next()?;
            match line {
                Err(e) => return Some(Err(unreadable(&self.path, Some(n), e))),
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => return Some(parse_rating(&self.path, n, &line)),
            }
        }
    }
}

/// The `<name>` prefix of the NCF files in `dir`, if it holds a complete set.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".train.rating").map(|p| dir.join(p))
        })
        .find(|prefix| {
            ["test.rating", "test.negative"]
                .iter()
                .all(|s| with_suffix(prefix, s).is_file())
        })
}

/// Reads the NCF split whose files start with `prefix` (as [`find`] returns it).
pub fn read(prefix: &Path) -> Result<NcfSplit, ImportError> {
    Ok(NcfSplit {
        train: Ratings::open(&with_suffix(prefix, "train.rating"))?,
        test: Ratings::open(&with_suffix(prefix, "test.rating"))?,
        negatives: read_negatives(&with_suffix(prefix, "test.negative"))?,
    })
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn read_text(path: &Path) -> Result<String, ImportError> {
    fs::read_to_string(path).map_err(|e| unreadable(path, None, e))
}

fn unreadable(path: &Path, line: Option<usize>, e: io::Error) -> ImportError {
    ImportError {
        path: path.to_path_buf(),
        line: line.map(|n| n as u64 + 1),
        field: None,
        message: format!("cannot read the file: {e}"),
    }
}

fn at(path: &Path, line: usize, field: &str, message: String) -> ImportError {
    ImportError {
        path: path.to_path_buf(),
        line: Some(line as u64 + 1),
        field: Some(field.to_owned()),
        message,
    }
}

fn parse_rating(path: &Path, n: usize, line: &str) -> Result<Record, ImportError> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() < 3 {
        return Err(ImportError {
            path: path.to_path_buf(),
            line: Some(n as u64 + 1),
            field: None,
            message: format!(
                "expected user, item, rating and timestamp separated by tabs, found {} field(s)",
                fields.len()
            ),
        });
    }
    let value: f32 = fields[2]
        .trim()
        .parse()
        .ok()
        .filter(|v: &f32| v.is_finite())
        .ok_or_else(|| {
            at(
                path,
                n,
                "rating",
                format!("expected a number, found {:?}", fields[2]),
            )
        })?;
    let ts = match fields.get(3) {
        Some(t) => t.trim().parse().map_err(|_| {
            at(
                path,
                n,
                "timestamp",
                format!("expected Unix seconds, found {t:?}"),
            )
        })?,
        None => 0,
    };
    Ok(Record::Interaction(InteractionRecord {
        user: fields[0].trim().to_owned(),
        item: fields[1].trim().to_owned(),
        kind: EventKind::Rating,
        value,
        ts,
    }))
}

fn read_negatives(path: &Path) -> Result<Vec<(String, Vec<String>)>, ImportError> {
    let text = read_text(path)?;
    let mut negatives = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut fields = line.split('\t');
        let head = fields.next().unwrap_or_default();
        let user = head
            .strip_prefix('(')
            .and_then(|h| h.strip_suffix(')'))
            .and_then(|pair| pair.split_once(','))
            .map(|(user, _)| user.trim().to_owned())
            .filter(|user| !user.is_empty())
            .ok_or_else(|| {
                at(
                    path,
                    n,
                    "(user,item)",
                    format!("expected \"(user,item)\" first, found {head:?}"),
                )
            })?;
        let items = fields
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect();
        negatives.push((user, items));
    }
    Ok(negatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_papers_layout() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("ml-1m");
        fs::write(
            with_suffix(&prefix, "train.rating"),
            "0\t1\t5\t978300760\n0\t2\t3\t978302109\n",
        )
        .unwrap();
        fs::write(with_suffix(&prefix, "test.rating"), "0\t3\t4\t978824291\n").unwrap();
        fs::write(with_suffix(&prefix, "test.negative"), "(0,3)\t7\t8\t9\n").unwrap();
        assert_eq!(find(dir.path()), Some(prefix.clone()));
        let split = read(&prefix).unwrap();
        assert_eq!(split.train.map(Result::unwrap).count(), 2);
        assert_eq!(split.test.map(Result::unwrap).count(), 1);
        assert_eq!(
            split.negatives,
            vec![("0".to_owned(), vec!["7".into(), "8".into(), "9".into()])]
        );
    }

    #[test]
    fn a_bad_rating_line_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.train.rating");
        fs::write(&path, "0\t1\t5\t978300760\n\n0\t2\tfive\t978302109\n").unwrap();
        let mut ratings = Ratings::open(&path).unwrap();
        assert!(ratings.next().unwrap().is_ok());
        let err = ratings.next().unwrap().unwrap_err();
        assert_eq!((err.line, err.field.as_deref()), (Some(3), Some("rating")));
        assert!(ratings.next().is_none());
    }

    #[test]
    fn a_bad_negatives_line_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("x");
        fs::write(with_suffix(&prefix, "test.negative"), "(0,3)\t7\n0\t3\t8\n").unwrap();
        let err = read_negatives(&with_suffix(&prefix, "test.negative")).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.to_string().contains("(user,item)"), "{err}");
    }
}
