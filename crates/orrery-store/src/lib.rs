//! Orrery's persistence: users, items and interactions in SQLite or PostgreSQL.
//!
//! - [`Store::connect`] opens either backend from a URL and migrates its schema.
//! - [`Store::begin_import`] gives an [`ImportTx`]: bulk, idempotent writes of
//!   [`Record`](orrery_core::Record)s inside one transaction, all or nothing.
//! - [`Store::load_dataset`] reads a consistent snapshot into an
//!   [`orrery_core::Dataset`] for training; [`Store::stats`] counts what is stored.
//!
//! The store knows nothing about recommendation algorithms: it stores rows and hands out
//! snapshots.

mod columns;
mod error;
mod import;
mod load;
mod postgres;
mod sqlite;
mod store;
mod url;

pub use error::Error;
pub use import::{ImportSummary, ImportTx};
pub use load::Stats;
pub use store::{Backend, Store, connect_isolated_postgres, drop_postgres_schema};
