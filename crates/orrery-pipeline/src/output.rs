//! Atomic CSV outputs: each file is written to a temporary file in the output folder,
//! synced, then renamed over the old one, so a reader sees the previous file or the new
//! one, never half of either. The files are created with the mode any new file gets
//! (0666 less the umask: 0644 under the usual umask 022), so that the engine reading them
//! may run as another user.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// Writes `header` and `rows` to `dir/name` atomically and returns the file's path
/// (absolute when the folder can be resolved).
pub(crate) fn write_csv<R, F>(
    dir: &Path,
    name: &str,
    header: &[String],
    rows: R,
) -> Result<PathBuf, Error>
where
    R: IntoIterator<Item = F>,
    F: IntoIterator,
    F::Item: AsRef<[u8]>,
{
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let target = dir.join(name);
    let io = |source| Error::Write {
        path: target.clone(),
        source,
    };
    // In the same folder, so that the rename stays on one file system.
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A temporary file is private (0600) by default, and the rename would keep that.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let temporary = builder.tempfile_in(dir).map_err(io)?;
    {
        // pandas writes "\n" line ends and quotes only where needed.
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(BufWriter::new(temporary.as_file()));
        let csv_error = |source| Error::Csv {
            path: target.clone(),
            source,
        };
        csv.write_record(header).map_err(csv_error)?;
        for row in rows {
            csv.write_record(row).map_err(csv_error)?;
        }
        let mut buffered = csv.into_inner().map_err(|e| io(e.into_error()))?;
        buffered.flush().map_err(io)?;
    }
    temporary.as_file().sync_all().map_err(io)?;
    temporary.persist(&target).map_err(|e| io(e.error))?;
    Ok(std::fs::canonicalize(&target).unwrap_or(target))
}

/// A score as written in the CSV files: six decimals, like the seed's rounded outputs.
pub(crate) fn score(value: f64) -> String {
    format!("{value:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let dir = dir
            .as_ref()
            .map(|d| d.path().join("out"))
            .unwrap_or_default();
        let header = vec!["a".to_owned(), "b c".to_owned()];
        let first = write_csv(&dir, "x.csv", &header, [["1", "2"], ["3", "4,5"]]);
        assert!(first.is_ok(), "{first:?}");
        let path = first.unwrap_or_default();
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("a,b c\n1,2\n3,\"4,5\"\n")
        );
        let second = write_csv(&dir, "x.csv", &header, [["9", "9"]]);
        assert!(second.is_ok(), "{second:?}");
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("a,b c\n9,9\n")
        );
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(names, ["x.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn files_get_the_mode_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let dir = dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default();
        let header = vec!["a".to_owned()];
        let written = write_csv(&dir, "x.csv", &header, [["1"]]);
        assert!(written.is_ok(), "{written:?}");
        // A file made the ordinary way gets 0666 less the umask, whatever the umask is.
        let reference = dir.join("reference");
        assert!(std::fs::File::create(&reference).is_ok());
        let mode = |path: &Path| {
            std::fs::metadata(path)
                .map(|m| m.permissions().mode() & 0o777)
                .ok()
        };
        let expected = mode(&reference);
        assert!(expected.is_some());
        assert_eq!(mode(&written.unwrap_or_default()), expected);
    }
}
