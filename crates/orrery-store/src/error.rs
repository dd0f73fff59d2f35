//! The store's error type: every variant says what failed and, where it can, what to do.
//!
//! The underlying driver or IO error is the [`source`](std::error::Error::source) of a
//! variant, not part of its message, so that printing the chain (as `anyhow` does with
//! `{:#}`) shows each cause once.

use std::path::PathBuf;

use crate::Backend;

/// What went wrong while talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL has a form the store does not understand.
    #[error(
        "unrecognised database URL {url:?} ({reason}): expected sqlite://PATH, sqlite:PATH, a \
         file path ending in .db or .sqlite, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
    )]
    InvalidUrl {
        /// The URL as given (password masked).
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The folder that should hold the SQLite file could not be created.
    #[error("cannot create the folder {path} for the SQLite database")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// The database could not be opened or reached.
    #[error("cannot connect to the {backend} database at {url}; {hint}")]
    Connect {
        /// What to check.
        hint: &'static str,
        /// Which backend.
        backend: Backend,
        /// The URL (password masked).
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },

    /// The schema migrations could not be applied.
    #[error(
        "cannot bring the {backend} database schema up to date; the database may have been \
         created by a newer Orrery or edited by hand"
    )]
    Migrate {
        /// Which backend.
        backend: Backend,
        /// The migrator's error.
        source: sqlx::migrate::MigrateError,
    },

    /// A query failed.
    #[error("database error while {context}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },

    /// A direct call into SQLite failed.
    #[error("SQLite error {code} while {context}: {message}")]
    Sqlite {
        /// What the store was doing.
        context: &'static str,
        /// SQLite's result code.
        code: i32,
        /// SQLite's message.
        message: String,
    },

    /// A record of an import batch cannot be stored.
    #[error("record {index} of the batch ({what}): {reason}")]
    InvalidRecord {
        /// Position of the record in the batch given to `write`.
        index: usize,
        /// Which record, e.g. `interaction u1 → i9`.
        what: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An earlier `write` of this import failed, so the import can only be rolled back.
    #[error("this import already failed and was not committed; roll it back and run it again")]
    ImportAborted,

    /// A value read from the database cannot be interpreted.
    #[error("corrupt data in the database: {what}: {reason}")]
    Corrupt {
        /// Where the bad value is, e.g. `users.interests of user 17`.
        what: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A value handed to the store cannot be stored.
    #[error("cannot store {what}: {reason}")]
    Invalid {
        /// Which value, e.g. `the embedding of item "7"`.
        what: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A JSON column could not be written.
    #[error("cannot encode {what} as JSON")]
    Json {
        /// Which value.
        what: &'static str,
        /// The encoder's error.
        source: serde_json::Error,
    },
}

/// Attaches what the store was doing to a driver error.
pub(crate) trait Context<T> {
    fn context(self, context: &'static str) -> Result<T, Error>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Database { context, source })
    }
}
