//! The Poppy Universe pipeline: the seed's on-demand layers, rebuilt on Orrery's store and
//! models, each writing one CSV file for an engine that reads files.
//!
//! - Layer 2 ([`layer2`]): object liking scores, `Object_Type,Object_ID,
//!   total_interactions,num_views,num_clicks,num_favorites,trending_score`.
//! - Layer 3 ([`layer3`]): user × category matrix factorization, `User_ID,A,B,F,G,K,M,O,
//!   Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,…`, with the held-out
//!   reconstruction error.
//! - Layer 4 ([`layer4`]): the tanh network's refined user × category predictions, in
//!   the same columns, with the held-out RMSE.
//!
//! [`run`] applies the data source rule ([`source`]: the store's interactions when there
//! are enough on celestial items, else a fresh seeded simulation), computes the layer on
//! a blocking thread so that an async caller's runtime keeps serving, writes the file
//! atomically into [`PipelineConfig::out_dir`] (by default beside the database file, see
//! [`out_dir`]), and answers a [`RunReport`] that names the file by its absolute path.
//!
//! This crate knows no HTTP and no command line: the server and the binary call it.

mod config;
mod data;
mod error;
pub mod layer2;
pub mod layer3;
pub mod layer4;
pub mod matrix;
mod output;
mod report;
pub mod source;

use std::path::PathBuf;
use std::time::Instant;

use orrery_store::Store;

pub use config::{
    DEFAULT_OUT_DIR, Factorization, Layer2Config, Layer3Config, Layer4Config, Normalization,
    PipelineConfig, SourceChoice, SourceRule, out_dir,
};
pub use data::{CelestialItem, Event, Planted, PoppyData};
pub use error::Error;
pub use report::{DataSource, Layer, RunReport, SourceKind};

/// Runs `layer` on the data the source rule picks from `store`, and writes its file.
///
/// The store is read on the caller's runtime; the simulation, the model fits and the
/// file write run on a blocking thread.
pub async fn run(store: &Store, layer: Layer, config: &PipelineConfig) -> Result<RunReport, Error> {
    let started = Instant::now();
    config.validate()?;
    let decision = source::decide(store, &config.source).await?;
    let config = config.clone();
    tokio::task::spawn_blocking(move || {
        let (data, source) = source::materialize(decision, &config.simulation, config.seed)?;
        run_on(&data, source, layer, &config, started)
    })
    .await
    .map_err(|e| Error::Worker(e.to_string()))?
}

/// Runs `layer` on `data` and writes its file; `started` is when the run began, for the
/// reported duration.
pub fn run_on(
    data: &PoppyData,
    data_source: DataSource,
    layer: Layer,
    config: &PipelineConfig,
    started: Instant,
) -> Result<RunReport, Error> {
    let dir = &config.out_dir;
    let name = layer.file_name();
    let (header, rows, path, quality, notes) = match layer {
        Layer::ObjectLiking => {
            let out = layer2::object_scores(data, &config.layer2);
            if out.rows.is_empty() {
                return Err(Error::NoData {
                    layer: 2,
                    what: "no celestial object has a view, click, favorite or other interaction"
                        .into(),
                });
            }
            let header: Vec<String> = layer2::COLUMNS.iter().map(|c| (*c).to_owned()).collect();
            let path = output::write_csv(dir, name, &header, out.rows.iter().map(|r| r.fields()))?;
            (header, out.rows.len(), path, out.quality, out.notes)
        }
        Layer::CategoryMf => {
            let out = layer3::category_mf(data, &config.layer3)?;
            let header = matrix::prediction_header();
            let path = write_predictions(dir, name, &header, &out.matrix, &out.scores)?;
            (
                header,
                out.matrix.users.len(),
                path,
                out.quality,
                Vec::new(),
            )
        }
        Layer::Neural => {
            let out = layer4::refine(data, config)?;
            let header = matrix::prediction_header();
            let path = write_predictions(dir, name, &header, &out.matrix, &out.scores)?;
            (
                header,
                out.matrix.users.len(),
                path,
                out.quality,
                Vec::new(),
            )
        }
    };
    let report = RunReport {
        layer: layer.number(),
        data_source,
        rows,
        output_file: path.display().to_string(),
        columns: header,
        duration_seconds: started.elapsed().as_secs_f64(),
        quality,
        notes,
    };
    tracing::info!(
        layer = report.layer,
        rows = report.rows,
        file = %report.output_file,
        "pipeline layer written"
    );
    Ok(report)
}

/// The path of the file `layer` writes under `config`, whether or not it exists yet.
pub fn output_path(config: &PipelineConfig, layer: Layer) -> PathBuf {
    config.out_dir.join(layer.file_name())
}

fn write_predictions(
    dir: &std::path::Path,
    name: &str,
    header: &[String],
    matrix: &matrix::CategoryMatrix,
    scores: &[f64],
) -> Result<PathBuf, Error> {
    let n_cols = matrix.n_cols().max(1);
    let rows = matrix
        .users
        .iter()
        .zip(scores.chunks(n_cols))
        .map(|(user, row)| {
            std::iter::once(user.clone()).chain(row.iter().map(|&s| output::score(s)))
        });
    output::write_csv(dir, name, header, rows)
}
