//! Orrery's persistence: users, items and interactions in SQLite or PostgreSQL.
//!
//! - [`Store::connect`] opens either backend from a URL and migrates its schema.
//! - [`Store::begin_import`] (and [`Store::begin_write`] for the API's few rows) gives
//!   an [`ImportTx`]: bulk, idempotent writes of
//!   [`Record`](orrery_core::Record)s inside one transaction, all or nothing.
//! - [`Store::load_dataset`] reads a consistent snapshot into an
//!   [`orrery_core::Dataset`] for training; [`Store::stats`] counts what is stored.
//! - Row-at-a-time reads and writes by external id ([`Store::get_user`],
//!   [`Store::list_items`], [`Store::add_interactions`], …) serve the HTTP API.
//! - The model registry ([`Store::save_model_version`], [`Store::activate_model_version`],
//!   …), the metrics history and training runs keep what trainers produce; accounts
//!   ([`Store::set_credentials`], [`Store::credentials_by_email`]) hold sign-in data;
//!   [`Store::interactions_per_day`] counts what comes in, for charts.
//! - Item embeddings ([`Store::put_item_embeddings`], [`Store::item_embeddings`]) keep
//!   the vectors an encoder computed, per encoder, with a fingerprint of their text.
//! - Served lists and their outcomes ([`Store::record_impressions`],
//!   [`Store::list_outcomes`]) feed online metrics; experiments ([`Store::create_experiment`],
//!   [`Store::transition_experiment`], [`Store::experiment_units`]) split users between
//!   variants and count what each variant's lists brought.
//!
//! The store knows nothing about recommendation algorithms: it stores rows and hands out
//! snapshots.

mod accounts;
mod activity;
mod changes;
mod columns;
mod crud;
mod embeddings;
mod error;
mod experiments;
mod import;
mod impressions;
mod load;
mod postgres;
mod registry;
mod settings;
mod sqlite;
mod store;
mod url;

pub use accounts::{Credentials, SetCredentials, UserFilter};
pub use activity::DayCount;
pub use changes::{Change, Changes};
pub use crud::{MAX_PAGE_SIZE, Page};
pub use embeddings::{ItemEmbedding, NewItemEmbedding};
pub use error::Error;
pub use experiments::{PeriodCounts, StoredExperiment, Transition, UnitCounts};
pub use import::{ImportSummary, ImportTx};
pub use impressions::{Hit, Impression, ItemStats, ListFilter, ListOutcomes, Outcome, Recorded};
pub use load::Stats;
pub use registry::{
    DeleteVersion, MetricMap, MetricsRecord, ModelPurpose, ModelVersion, NewModelVersion, ParamMap,
    RunEnd, RunStatus, TrainingRun,
};
pub use store::{Backend, Store, connect_isolated_postgres, drop_postgres_schema};
