//! The importers' error: which file, which line, which field, and what was wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why an import failed, and where.
///
/// Displays as `ratings.dat line 17: expected 4 fields separated by '::', found 3` or
/// ``u.data line 5, field `rating`: expected a number from 1 to 5 in steps of 0.5, found "x"``:
/// the file (or folder) name, then the line and field when known, then the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", Located(self))]
pub struct ImportError {
    /// The file or folder at fault.
    pub path: PathBuf,
    /// The 1-based line number, counting header lines, when one line is at fault.
    pub line: Option<u64>,
    /// The field at fault, named as in the file's header or the format's documentation.
    pub field: Option<String>,
    /// What was wrong, what was expected, and what to do when that is not obvious.
    pub message: String,
}

impl ImportError {
    /// An error about a whole file or folder.
    pub(crate) fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            field: None,
            message: message.into(),
        }
    }

    /// An error about one line of a file.
    pub(crate) fn line(path: &Path, line: u64, message: impl Into<String>) -> Self {
        Self {
            line: Some(line),
            ..Self::file(path, message)
        }
    }

    /// A read failure (including a corrupt gzip stream) at or after `line`.
    /// A line or record over its cap is reported as what it is, at the line the cap names.
    pub(crate) fn io(path: &Path, line: Option<u64>, error: &std::io::Error) -> Self {
        if let Some((capped_line, message)) = super::bounded::exceeded(error) {
            return Self {
                line: capped_line.or(line),
                ..Self::file(path, message)
            };
        }
        Self {
            line,
            ..Self::file(path, format!("cannot read the file: {error}"))
        }
    }
}

/// A fault found while parsing one line, before the file and line are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    /// A fault of the line as a whole (field count, encoding, syntax).
    pub fn line(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }

    /// A fault of one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Attaches the file and line.
    pub fn at(self, path: &Path, line: u64) -> ImportError {
        ImportError {
            path: path.to_path_buf(),
            line: Some(line),
            field: self.field,
            message: self.message,
        }
    }
}

struct Located<'a>(&'a ImportError);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.0;
        match error.path.file_name() {
            Some(name) => write!(f, "{}", Path::new(name).display())?,
            None => write!(f, "{}", error.path.display())?,
        }
        if let Some(line) = error.line {
            write!(f, " line {line}")?;
        }
        if let Some(field) = &error.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", error.message)
    }
}

/// Shows a raw field in a message: quoted, lossily decoded, and cut short when long.
pub(crate) fn shown(bytes: &[u8]) -> String {
    const LIMIT: usize = 60;
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > LIMIT {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{:?}…", cut)
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_file_line_and_field() {
        let error = Problem::field("rating", "expected a number from 1 to 5, found \"x\"")
            .at(Path::new("/data/ml-100k/u.data"), 5);
        assert_eq!(
            error.to_string(),
            "u.data line 5, field `rating`: expected a number from 1 to 5, found \"x\""
        );
        let error = ImportError::line(Path::new("ratings.dat"), 17, "found 3 fields");
        assert_eq!(error.to_string(), "ratings.dat line 17: found 3 fields");
        let error = ImportError::file(Path::new("/"), "not a dataset");
        assert_eq!(error.to_string(), "/: not a dataset");
    }

    #[test]
    fn shows_long_fields_cut_short() {
        assert_eq!(shown(b"abc"), "\"abc\"");
        let long = vec![b'a'; 100];
        assert_eq!(shown(&long), format!("\"{}\"…", "a".repeat(60)));
    }
}
