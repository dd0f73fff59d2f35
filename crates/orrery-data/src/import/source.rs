//! Reading dataset files: plain or gzipped, counted for progress, line by line or whole,
//! and decoded from the encodings the datasets were published in.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

use super::bounded::{LineCap, RecordCap};
use super::error::{ImportError, Problem};

/// Bytes read so far from the files on disk (compressed bytes for gzipped files).
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress(Arc<AtomicU64>);

impl Progress {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, bytes: usize) {
        self.0.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// A reader that adds what passes through it to a [`Progress`].
struct Counted<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n);
        Ok(n)
    }
}

/// A buffered reader over a dataset file.
pub(crate) type Input = Box<dyn BufRead + Send>;

const BUFFER: usize = 1 << 16;

/// Whether the file is gzipped, judged by its name.
pub(crate) fn is_gzipped(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// The file's name without a trailing `.gz`: what identifies it within a layout.
pub(crate) fn plain_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.len().checked_sub(3) {
        Some(cut) if is_gzipped(path) => name[..cut].to_owned(),
        _ => name,
    }
}

/// Opens a file for reading, decompressing `.gz` files, and counting the bytes read from
/// disk into `progress` when given.
pub(crate) fn open(path: &Path, progress: Option<&Progress>) -> Result<Input, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, None, &e))?;
    let raw: Box<dyn Read + Send> = match progress {
        Some(progress) => Box::new(Counted {
            inner: file,
            progress: progress.clone(),
        }),
        None => Box::new(file),
    };
    // Lines are capped after decompression: a small gzip can hold a huge line.
    Ok(if is_gzipped(path) {
        let decoder = MultiGzDecoder::new(BufReader::with_capacity(BUFFER, raw));
        Box::new(BufReader::with_capacity(BUFFER, LineCap::new(decoder)))
    } else {
        Box::new(BufReader::with_capacity(BUFFER, LineCap::new(raw)))
    })
}

/// Reads a whole (small) file, decompressed.
pub(crate) fn read_all(path: &Path, progress: &Progress) -> Result<Vec<u8>, ImportError> {
    let mut input = open(path, Some(progress))?;
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::io(path, None, &e))?;
    Ok(bytes)
}

/// Decodes a file of the older datasets (MovieLens `.dat` and `u.*` files, HetRec), which
/// were published in Latin-1: as UTF-8 when the whole file is valid UTF-8 (re-encoded
/// copies), else as Windows-1252, the superset of Latin-1 that such files in practice use.
pub(crate) fn decode_legacy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(error.as_bytes());
            text.into_owned()
        }
    }
}

/// A UTF-8 field, or a message saying where its encoding breaks.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        format!(
            "invalid UTF-8 (byte 0x{:02X} at position {}): the file must be UTF-8 encoded",
            bytes[at],
            at + 1
        )
    })
}

/// Lines of a file, numbered from 1, without their `\n` or `\r\n`.
pub(crate) struct Lines {
    path: PathBuf,
    input: Input,
    buffer: Vec<u8>,
    number: u64,
}

impl Lines {
    pub fn new(path: PathBuf, input: Input) -> Self {
        Self {
            path,
            input,
            buffer: Vec::with_capacity(256),
            number: 0,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next line and its number, or `None` at the end of the file.
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>, ImportError> {
        self.buffer.clear();
        let read = self
            .input
            .read_until(b'\n', &mut self.buffer)
            .map_err(|e| ImportError::io(&self.path, Some(self.number + 1), &e))?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some((self.number, trim_newline(&self.buffer))))
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A CSV record with the line it starts on and the file's header.
pub(crate) type NumberedRecord<'r> = (u64, &'r csv::ByteRecord, &'r [String]);

/// Records of a CSV file with a header line, numbered by the line they start on.
pub(crate) struct CsvRows {
    path: PathBuf,
    reader: csv::Reader<RecordCap<Input>>,
    record: csv::ByteRecord,
    header: Vec<String>,
}

impl CsvRows {
    /// Reads the header line. Fails on an empty file or a header that is not UTF-8.
    pub fn new(path: PathBuf, input: Input) -> Result<Self, ImportError> {
        // Lines end at '\n' only, and a '\r' before it is removed below: the csv crate
        // miscounts lines in CRLF files when it treats "\r\n" as the terminator.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(RecordCap::new(input));
        let mut rows = Self {
            path,
            reader,
            record: csv::ByteRecord::new(),
            header: Vec::new(),
        };
        if !rows.read()? {
            return Err(ImportError::file(
                &rows.path,
                "the file is empty; expected a header line naming the columns",
            ));
        }
        let path = &rows.path;
        let mut header = Vec::with_capacity(rows.record.len());
        for (index, name) in rows.record.iter().enumerate() {
            let name = if index == 0 {
                name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name)
            } else {
                name
            };
            let name = utf8(name).map_err(|m| ImportError::line(path, 1, m))?;
            header.push(name.trim().to_owned());
        }
        rows.header = header;
        Ok(rows)
    }

    /// Reads the next non-blank record into `self.record`, without its line's `\r`.
    fn read(&mut self) -> Result<bool, ImportError> {
        loop {
            let read = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(&self.path, e))?;
            if !read {
                return Ok(false);
            }
            self.reader.get_mut().record_done();
            let Some(last) = self.record.len().checked_sub(1) else {
                return Ok(true);
            };
            if let Some(field) = self.record[last].strip_suffix(b"\r") {
                if last == 0 && field.trim_ascii().is_empty() {
                    continue;
                }
                let field = field.to_vec();
                let position = self.record.position().cloned();
                self.record.truncate(last);
                self.record.push_field(&field);
                self.record.set_position(position);
            }
            return Ok(true);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next record, the line it starts on, and the header, or `None` at the end of the
    /// file.
    pub fn next_record(&mut self) -> Result<Option<NumberedRecord<'_>>, ImportError> {
        if !self.read()? {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, csv::Position::line);
        Ok(Some((line, &self.record, &self.header)))
    }
}

fn csv_error(path: &Path, error: csv::Error) -> ImportError {
    let line = error.position().map(csv::Position::line);
    if let csv::ErrorKind::Io(e) = error.kind() {
        return ImportError::io(path, line, e);
    }
    ImportError {
        line,
        ..ImportError::file(path, format!("malformed CSV: {error}"))
    }
}

/// Checks that a record has as many fields as its header.
pub(crate) fn expect_fields(record: &csv::ByteRecord, header: &[String]) -> Result<(), String> {
    if record.len() == header.len() {
        Ok(())
    } else {
        Err(format!(
            "expected {} fields separated by commas ({}), found {}",
            header.len(),
            header.join(","),
            record.len()
        ))
    }
}

/// Lines of a whole small file, decoded, numbered from 1, blank lines skipped.
pub(crate) fn legacy_lines(
    path: &Path,
    progress: &Progress,
) -> Result<Vec<(u64, String)>, ImportError> {
    let text = decode_legacy(read_all(path, progress)?);
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| (index as u64 + 1, line.to_owned()))
        .collect())
}

/// Splits a decoded line into exactly `N` fields.
pub(crate) fn fields<'a, const N: usize>(
    line: &'a str,
    separator: &str,
    layout: &str,
) -> Result<[&'a str; N], Problem> {
    let mut fields = [""; N];
    let mut count = 0;
    for field in line.split(separator) {
        if count < N {
            fields[count] = field;
        }
        count += 1;
    }
    if count == N {
        Ok(fields)
    } else {
        Err(Problem::line(format!(
            "expected {N} fields separated by {} ({layout}), found {count}",
            separator_name(separator.as_bytes())
        )))
    }
}

/// Splits `line` on `separator` into exactly `N` fields, or says how many it has.
pub(crate) fn split_exact<'a, const N: usize>(
    line: &'a [u8],
    separator: &[u8],
) -> Result<[&'a [u8]; N], usize> {
    let mut fields: [&[u8]; N] = [&[]; N];
    let mut count = 0;
    for field in split(line, separator) {
        if count < N {
            fields[count] = field;
        }
        count += 1;
    }
    if count == N { Ok(fields) } else { Err(count) }
}

/// The fields of `line` between occurrences of `separator` (one or more bytes).
pub(crate) fn split<'a, 's>(line: &'a [u8], separator: &'s [u8]) -> Split<'a, 's> {
    Split {
        rest: Some(line),
        separator,
    }
}

pub(crate) struct Split<'a, 's> {
    rest: Option<&'a [u8]>,
    separator: &'s [u8],
}

impl<'a> Iterator for Split<'a, '_> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find(rest, self.separator) {
            Some(at) => {
                self.rest = Some(&rest[at + self.separator.len()..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [] => None,
        [byte] => haystack.iter().position(|b| b == byte),
        [first, tail @ ..] => {
            let mut from = 0;
            while let Some(offset) = haystack[from..].iter().position(|b| b == first) {
                let at = from + offset;
                if haystack[at + 1..].starts_with(tail) {
                    return Some(at);
                }
                from = at + 1;
            }
            None
        }
    }
}

/// How a separator is named in messages.
pub(crate) fn separator_name(separator: &[u8]) -> String {
    match separator {
        b"\t" => "tabs".to_owned(),
        b"," => "commas".to_owned(),
        other => format!("'{}'", String::from_utf8_lossy(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_one_and_two_byte_separators() {
        let fields: Vec<&[u8]> = split(b"1::Toy: Story::a|b", b"::").collect();
        assert_eq!(fields, [&b"1"[..], b"Toy: Story", b"a|b"]);
        let fields: Vec<&[u8]> = split(b"a\t\tb", b"\t").collect();
        assert_eq!(fields, [&b"a"[..], b"", b"b"]);
        assert_eq!(split_exact::<4>(b"1::2::3", b"::"), Err(3));
        assert_eq!(split_exact::<2>(b"1:::2", b"::"), Ok([&b"1"[..], b":2"]));
    }

    #[test]
    fn decodes_latin1_unless_the_file_is_utf8() {
        assert_eq!(decode_legacy(b"Mis\xe9rables".to_vec()), "Misérables");
        assert_eq!(
            decode_legacy("Misérables".as_bytes().to_vec()),
            "Misérables"
        );
    }

    #[test]
    fn csv_rows_count_lines_in_crlf_files() {
        let text = "a,b\r\n1,2\r\n\r\n\"x\r\ny\",\"3\"\r\n4,5";
        let input: Input = Box::new(io::Cursor::new(text.as_bytes().to_vec()));
        let mut rows = CsvRows::new(PathBuf::from("t.csv"), input).unwrap();
        assert_eq!(rows.header(), ["a", "b"]);
        let mut seen = Vec::new();
        while let Some((line, record, _)) = rows.next_record().unwrap() {
            let fields: Vec<String> = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            seen.push((line, fields.join("|")));
        }
        let expected = [(2, "1|2"), (4, "x\r\ny|3"), (6, "4|5")];
        let expected: Vec<(u64, String)> = expected
            .iter()
            .map(|(l, f)| (*l, (*f).to_owned()))
            .collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn names_without_gz() {
        assert_eq!(plain_name(Path::new("a/ratings.dat.gz")), "ratings.dat");
        assert_eq!(plain_name(Path::new("a/u.data")), "u.data");
    }
}
