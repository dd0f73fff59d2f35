//! Caps on how much of a file one line, or one CSV record, may hold.
//!
//! The importers read a line (or a record) whole before parsing it, so a file without line
//! breaks (a binary file, `/dev/zero`, a 200 MB document on one line) grew memory without
//! bound before failing, if it failed at all. No dataset line comes near these caps; a file
//! that reaches one is refused with its name, the line and the cap.

use std::fmt;
use std::io::{self, Read};

/// The longest line accepted, in bytes. Dataset lines are under a kilobyte; item
/// descriptions in generic files can be long, hence the room.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The longest CSV record accepted, in bytes: a record may span lines when a quoted field
/// holds line breaks, and an unclosed quote would otherwise swallow the rest of the file.
pub const MAX_RECORD_BYTES: usize = 4 << 20;

/// A line longer than [`MAX_LINE_BYTES`], carried inside an [`io::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineTooLong {
    /// The 1-based number of the line.
    pub line: u64,
}

impl fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the line is longer than {MAX_LINE_BYTES} bytes (1 MiB) without a line break: \
             this is not a dataset file, or its records are not separated by newlines"
        )
    }
}

impl std::error::Error for LineTooLong {}

/// A CSV record longer than [`MAX_RECORD_BYTES`], carried inside an [`io::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordTooLong;

impl fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a record is longer than {MAX_RECORD_BYTES} bytes (4 MiB): look for a quoted field \
             whose closing quote is missing"
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// A reader that fails with [`LineTooLong`] once more than [`MAX_LINE_BYTES`] pass without
/// a newline, counting lines as they pass so that the error names the right one whatever
/// reads above it.
pub(crate) struct LineCap<R> {
    inner: R,
    cap: usize,
    /// The line the next byte belongs to.
    line: u64,
    /// Bytes of that line read so far.
    run: usize,
}

impl<R> LineCap<R> {
    pub fn new(inner: R) -> Self {
        Self::with_cap(inner, MAX_LINE_BYTES)
    }

    fn with_cap(inner: R, cap: usize) -> Self {
        Self {
            inner,
            cap,
            line: 1,
            run: 0,
        }
    }

    /// Advances over `bytes`, or names the line that outgrows the cap.
    fn pass(&mut self, bytes: &[u8]) -> Result<(), LineTooLong> {
        let mut rest = bytes;
        while let Some(at) = rest.iter().position(|b| *b == b'\n') {
            if self.run + at > self.cap {
                return Err(LineTooLong { line: self.line });
            }
            self.line += 1;
            self.run = 0;
            rest = &rest[at + 1..];
        }
        self.run += rest.len();
        if self.run > self.cap {
            return Err(LineTooLong { line: self.line });
        }
        Ok(())
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pass(&buf[..n])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(n)
    }
}

/// A reader that fails with [`RecordTooLong`] once more than [`MAX_RECORD_BYTES`] pass
/// between two calls of [`RecordCap::record_done`]. The CSV parser reads ahead by its
/// buffer (8 KiB), so the cap is that much approximate.
pub(crate) struct RecordCap<R> {
    inner: R,
    cap: usize,
    read: usize,
}

impl<R> RecordCap<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            cap: MAX_RECORD_BYTES,
            read: 0,
        }
    }

    /// Starts counting the next record.
    pub fn record_done(&mut self) {
        self.read = 0;
    }
}

impl<R: Read> Read for RecordCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        if self.read > self.cap {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
        }
        Ok(n)
    }
}

/// The cap an I/O error reports, if it is one of these.
pub(crate) fn exceeded(error: &io::Error) -> Option<(Option<u64>, String)> {
    let inner = error.get_ref()?;
    if let Some(e) = inner.downcast_ref::<LineTooLong>() {
        return Some((Some(e.line), e.to_string()));
    }
    inner
        .downcast_ref::<RecordTooLong>()
        .map(|e| (None, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], cap: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // Small reads, so that lines span reads as they do in a file.
        let mut reader = io::BufReader::with_capacity(3, LineCap::with_cap(input, cap));
        reader.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn lines_up_to_the_cap_pass_and_a_longer_one_is_named() {
        assert_eq!(read_all(b"abcd\nefgh\n", 4).unwrap(), b"abcd\nefgh\n");
        assert_eq!(read_all(b"abcd", 4).unwrap(), b"abcd");
        let err = read_all(b"ab\ncd\nefghi\nj", 4).unwrap_err();
        let (line, message) = exceeded(&err).expect("a cap error");
        assert_eq!(line, Some(3));
        assert!(message.contains("1048576 bytes"), "{message}");
        // One large read holding a long line between short ones.
        let mut reader = LineCap::with_cap(&b"a\nbcdefg\nh"[..], 4);
        let mut buf = [0u8; 64];
        let err = reader.read(&mut buf).unwrap_err();
        assert_eq!(exceeded(&err).map(|e| e.0), Some(Some(2)));
    }

    #[test]
    fn records_over_the_cap_fail() {
        let mut reader = RecordCap {
            inner: &b"0123456789"[..],
            cap: 5,
            read: 0,
        };
        let mut buf = [0u8; 4];
        assert_eq!(reader.read(&mut buf).unwrap(), 4);
        reader.record_done();
        assert_eq!(reader.read(&mut buf).unwrap(), 4);
        let err = reader.read(&mut buf).unwrap_err();
        assert!(exceeded(&err).is_some_and(|(line, _)| line.is_none()));
    }
}
