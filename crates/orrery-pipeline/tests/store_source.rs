//! The data source rule against a real SQLite store, and the layers on real imported data:
//! a Poppy Universe CSV file written by the simulator, imported through the importer.

use std::collections::HashMap;
use std::path::Path;

use orrery_core::Record;
use orrery_data::import::{Import, ImportOptions};
use orrery_data::simulate::{
    INTERACTIONS_FILE, ObjectConfig, PLANTED_FILE, UniverseConfig, simulate,
};
use orrery_pipeline::{Error, Layer, PipelineConfig, SourceChoice, SourceKind, SourceRule, run};
use orrery_store::Store;
use tempfile::TempDir;

async fn sqlite(dir: &TempDir) -> Store {
    let url = format!("sqlite://{}/orrery.db", dir.path().display());
    Store::connect(&url).await.expect("opening SQLite")
}

async fn store_records(store: &Store, records: Vec<Record>) {
    let mut tx = store.begin_import().await.expect("starting the import");
    tx.write(&records).await.expect("importing");
    tx.commit().await.expect("committing");
}

fn config(out: &Path, min_interactions: u64, min_users: u64) -> PipelineConfig {
    PipelineConfig {
        out_dir: out.to_path_buf(),
        source: SourceRule {
            choice: SourceChoice::Auto,
            min_interactions,
            min_users,
        },
        seed: Some(5),
        ..PipelineConfig::default()
    }
}

#[tokio::test]
async fn the_source_switches_at_the_thresholds() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = sqlite(&dir).await;
    // 25 users, 300 category interactions, 200 object events: 500 celestial interactions.
    let universe = simulate(&UniverseConfig {
        users: 25,
        interactions: 300,
        objects: ObjectConfig {
            events: 200,
            ..ObjectConfig::default()
        },
        seed: 3,
        ..UniverseConfig::default()
    })
    .expect("simulating");
    let active_users = {
        let mut users: Vec<u32> = universe.interactions.iter().map(|i| i.user).collect();
        users.extend(universe.object_events.iter().map(|e| e.user));
        users.sort_unstable();
        users.dedup();
        users.len() as u64
    };
    store_records(&store, universe.records().collect()).await;
    // Interactions on other items do not count toward the thresholds.
    let mut other = orrery_core::ItemRecord::with_id("film-1");
    other.categories = vec![orrery_core::Category::new("genre", "Drama")];
    let mut noise = vec![Record::Item(other)];
    noise.extend((0..50).map(|u| {
        Record::Interaction(orrery_core::InteractionRecord {
            user: format!("viewer-{u}"),
            item: "film-1".into(),
            kind: orrery_core::EventKind::Rating,
            value: 4.0,
            ts: 0,
        })
    }));
    store_records(&store, noise).await;
    let out = dir.path().join("out");

    let at = run(
        &store,
        Layer::ObjectLiking,
        &config(&out, 500, active_users),
    )
    .await
    .expect("running at the thresholds");
    assert_eq!(
        at.data_source.kind,
        SourceKind::Store,
        "{:?}",
        at.data_source
    );
    assert_eq!(at.data_source.interactions, 500);
    assert_eq!(at.data_source.users as u64, active_users);
    assert_eq!(at.data_source.seed, None);
    assert!(
        at.data_source.reason.contains("500 interactions"),
        "{}",
        at.data_source.reason
    );

    let above = run(
        &store,
        Layer::ObjectLiking,
        &config(&out, 501, active_users),
    )
    .await
    .expect("running above the interaction threshold");
    assert_eq!(above.data_source.kind, SourceKind::Simulated);
    assert_eq!(above.data_source.seed, Some(5));
    assert!(
        above.data_source.reason.contains("500 interactions from")
            && above.data_source.reason.contains("seed 5"),
        "{}",
        above.data_source.reason
    );

    let more_users = run(
        &store,
        Layer::ObjectLiking,
        &config(&out, 500, active_users + 1),
    )
    .await
    .expect("running above the user threshold");
    assert_eq!(more_users.data_source.kind, SourceKind::Simulated);
    assert!(
        more_users
            .data_source
            .reason
            .contains(&format!("{active_users} users of the store")),
        "{}",
        more_users.data_source.reason
    );

    // More than all the store holds: decided from the counts alone.
    let tiny = run(&store, Layer::ObjectLiking, &config(&out, 10_000, 1))
        .await
        .expect("running with a high threshold");
    assert!(
        tiny.data_source
            .reason
            .contains("holds 550 interactions in all"),
        "{}",
        tiny.data_source.reason
    );

    // Insisting on the store when it has too little is an error that says why.
    let mut strict = config(&out, 501, 1);
    strict.source.choice = SourceChoice::Store;
    match run(&store, Layer::ObjectLiking, &strict).await {
        Err(Error::NotEnoughData { reason }) => {
            assert!(reason.contains("at least 501 interactions"), "{reason}")
        }
        other => panic!("expected NotEnoughData, got {other:?}"),
    }
    store.close().await;
}

/// Reads `planted_preferences.csv`: user id → preferred type, for users with one.
fn planted(path: &Path) -> HashMap<String, String> {
    let mut reader = csv::Reader::from_path(path).expect("opening the planted truth");
    reader
        .records()
        .map(|r| r.expect("a planted row"))
        .filter(|r| !r[1].is_empty())
        .map(|r| (r[0].to_owned(), r[1].to_owned()))
        .collect()
}

#[tokio::test]
async fn layers_run_on_an_imported_poppy_csv() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let files = dir.path().join("poppy");
    simulate(&UniverseConfig {
        seed: 19,
        ..UniverseConfig::default()
    })
    .expect("simulating")
    .write_csv(&files)
    .expect("writing the CSV files");
    let records: Vec<Record> =
        Import::open(&files.join(INTERACTIONS_FILE), &ImportOptions::default())
            .expect("detecting the Poppy CSV")
            .collect::<Result<_, _>>()
            .expect("reading the Poppy CSV");
    let store = sqlite(&dir).await;
    store_records(&store, records).await;

    let mut cfg = config(&dir.path().join("out"), 1_000, 20);
    cfg.source.choice = SourceChoice::Store;

    let layer2 = run(&store, Layer::ObjectLiking, &cfg)
        .await
        .expect("layer 2");
    assert_eq!(layer2.data_source.kind, SourceKind::Store);
    assert_eq!(layer2.data_source.interactions, 12_000);
    // Category items stand in for objects: 21 of them, and the report says so.
    assert_eq!(layer2.rows, 21);
    assert_eq!(layer2.notes.len(), 1, "{:?}", layer2.notes);
    let text = std::fs::read_to_string(&layer2.output_file).expect("reading layer 2");
    assert!(text.starts_with(
        "Object_Type,Object_ID,total_interactions,num_views,num_clicks,num_favorites,trending_score\n"
    ));

    let layer3 = run(&store, Layer::CategoryMf, &cfg).await.expect("layer 3");
    assert_eq!(layer3.rows, 120);
    let q = &layer3.quality;
    println!("layer 3 on the imported Poppy CSV: {q:?}");
    assert!(
        q["heldout_rmse"] < q["heldout_rmse_category_mean_baseline"],
        "{q:?}"
    );

    // Check the written file against the planted truth file, as an outside reader would:
    // the preferred type should have the highest lift of the three for most such users.
    let truth = planted(&files.join(PLANTED_FILE));
    let mut reader = csv::Reader::from_path(&layer3.output_file).expect("opening layer 3");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let type_of = |column: &str| match column {
        "A" | "B" | "F" | "G" | "K" | "M" | "O" => 0,
        "Dwarf Planet" | "Gas Giant" | "Ice Giant" | "Terrestrial" => 1,
        _ => 2,
    };
    let mut shares: Vec<(String, [f64; 3])> = Vec::new();
    for row in reader.records() {
        let row = row.expect("a row");
        let mut mass = [0.0; 3];
        for (column, cell) in header.iter().zip(row.iter()).skip(1) {
            mass[type_of(column)] += cell.parse::<f64>().expect("a score");
        }
        let total: f64 = mass.iter().sum();
        shares.push((row[0].to_owned(), mass.map(|m| m / total)));
    }
    let mean: Vec<f64> = (0..3)
        .map(|t| shares.iter().map(|(_, s)| s[t]).sum::<f64>() / shares.len() as f64)
        .collect();
    let names = ["Star", "Planet", "Moon"];
    let (mut hits, mut users) = (0, 0);
    for (user, share) in &shares {
        if let Some(preferred) = truth.get(user) {
            users += 1;
            let best = (0..3)
                .max_by(|&a, &b| (share[a] / mean[a]).total_cmp(&(share[b] / mean[b])))
                .expect("three types");
            hits += usize::from(names[best] == preferred);
        }
    }
    let rate = hits as f64 / users as f64;
    println!("planted preferences recovered from the imported data's file: {hits}/{users}");
    assert!(users > 30 && rate > 0.75, "{hits}/{users}");
    store.close().await;
}
