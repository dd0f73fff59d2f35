//! Reads the interactions table through SQLite's C API.
//!
//! sqlx copies each value of each row and sends every row across a channel from its worker
//! thread; for a million-row snapshot that per-row cost is most of the load time. This one
//! read borrows the connection's handle from sqlx (which parks its worker meanwhile) and
//! steps a statement directly, handing each row to the caller without copying.

use std::ffi::{CStr, c_int};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

use crate::Error;
use crate::error::Context;
use crate::load::INTERACTIONS_IN_ORDER;

/// Calls `each(user_id, item_id, kind, value, ts)` for every interaction, by row id.
///
/// Runs inside whatever transaction `conn` is in, so it sees the same snapshot as the
/// queries made through sqlx on that connection.
pub(crate) async fn each_interaction(
    conn: &mut SqliteConnection,
    mut each: impl FnMut(i64, i64, &str, f32, i64) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut handle = conn
        .lock_handle()
        .await
        .context("taking the connection to read interactions")?;
    let db = handle.as_raw_handle();
    let mut statement = Statement::prepare(db, INTERACTIONS_IN_ORDER)?;
    loop {
        match statement.step() {
            ffi::SQLITE_ROW => {
                let kind = statement.text(2)?;
                each(
                    statement.int64(0),
                    statement.int64(1),
                    kind,
                    statement.double(3) as f32,
                    statement.int64(4),
                )?;
            }
            ffi::SQLITE_DONE => return Ok(()),
            code => return Err(sqlite_error(db, code, "reading interactions")),
        }
    }
}

/// A prepared statement, finalized on drop.
struct Statement {
    raw: *mut ffi::sqlite3_stmt,
}

impl Statement {
    fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Self, Error> {
        let mut raw = ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| Error::Sqlite {
            context: "preparing a statement",
            code: ffi::SQLITE_TOOBIG,
            message: "statement too long".into(),
        })?;
        // SAFETY: `db` is an open connection; `sql` is valid for `len` bytes and need not be
        // NUL-terminated when its length is given.
        let code = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                &mut raw,
                ptr::null_mut(),
            )
        };
        if code != ffi::SQLITE_OK || raw.is_null() {
            return Err(sqlite_error(db, code, "preparing to read interactions"));
        }
        Ok(Self { raw })
    }

    /// Advances to the next row. Taking `&mut self` ends every borrow of the previous row's
    /// text, which SQLite invalidates here.
    fn step(&mut self) -> c_int {
        // SAFETY: `raw` is a live statement whose connection sqlx's worker does not touch
        // while the caller holds the connection's handle.
        unsafe { ffi::sqlite3_step(self.raw) }
    }

    fn int64(&self, column: c_int) -> i64 {
        // SAFETY: the statement holds a row (the caller just stepped to SQLITE_ROW).
        unsafe { ffi::sqlite3_column_int64(self.raw, column) }
    }

    fn double(&self, column: c_int) -> f64 {
        // SAFETY: as for `int64`.
        unsafe { ffi::sqlite3_column_double(self.raw, column) }
    }

    /// The text of a column, valid until the next step.
    fn text(&self, column: c_int) -> Result<&str, Error> {
        // SAFETY: as for `int64`. `sqlite3_column_bytes` is called after
        // `sqlite3_column_text`, as SQLite requires, and the bytes stay valid until the next
        // step, which needs `&mut self` and so the end of this borrow.
        let bytes = unsafe {
            let text = ffi::sqlite3_column_text(self.raw, column);
            if text.is_null() {
                return Ok("");
            }
            let len = usize::try_from(ffi::sqlite3_column_bytes(self.raw, column)).unwrap_or(0);
            std::slice::from_raw_parts(text, len)
        };
        std::str::from_utf8(bytes).map_err(|e| Error::Corrupt {
            what: "interactions.kind".into(),
            reason: format!("not UTF-8: {e}"),
        })
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: `raw` came from a successful prepare and is finalized exactly once.
        unsafe {
            ffi::sqlite3_finalize(self.raw);
        }
    }
}

fn sqlite_error(db: NonNull<ffi::sqlite3>, code: c_int, context: &'static str) -> Error {
    // SAFETY: `db` is open; the message is copied before any other call on the connection.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(db.as_ptr());
        if text.is_null() {
            String::new()
        } else {
            CStr::from_ptr(text).to_string_lossy().into_owned()
        }
    };
    Error::Sqlite {
        context,
        code,
        message,
    }
}
