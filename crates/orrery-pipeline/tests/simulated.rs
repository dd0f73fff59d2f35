//! Layers 2, 3 and 4 on a simulated universe: the files' headers are the seed's, scores
//! are finite and normalized, and the layers find what the simulator planted.

use std::path::Path;
use std::time::Instant;

use orrery_pipeline::source::{Decision, materialize};
use orrery_pipeline::{Layer, PipelineConfig, RunReport, SourceKind, run_on};

fn simulated_run(layer: Layer, seed: u64, out: &Path) -> RunReport {
    simulated_run_with_signal(layer, seed, 0.0, out)
}

/// A run on a universe whose strengths carry `signal` (0: the seed's pure noise).
fn simulated_run_with_signal(layer: Layer, seed: u64, signal: f64, out: &Path) -> RunReport {
    let mut config = PipelineConfig {
        out_dir: out.to_path_buf(),
        seed: Some(seed),
        ..PipelineConfig::default()
    };
    config.simulation.strength_signal = signal;
    let decision = Decision::Simulate {
        reason: "a test asked for it".into(),
    };
    let (data, source) = materialize(decision, &config.simulation, config.seed)
        .expect("simulating the default universe");
    assert_eq!(source.kind, SourceKind::Simulated);
    assert_eq!(source.seed, Some(seed));
    run_on(&data, source, layer, &config, Instant::now()).expect("running the layer")
}

/// The file's header and rows.
fn read_csv(path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).expect("opening the output");
    let header = reader
        .headers()
        .expect("reading the header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("reading a row")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn layer2_scores_objects_with_the_seeds_columns() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let report = simulated_run(Layer::ObjectLiking, 7, dir.path());
    let (header, rows) = read_csv(&report.output_file);
    assert_eq!(
        header.join(","),
        "Object_Type,Object_ID,total_interactions,num_views,num_clicks,num_favorites,trending_score"
    );
    assert_eq!(report.columns, header);
    assert_eq!(rows.len(), report.rows);
    // 160 objects in the default catalog; nearly all get viewed in 20,000 events.
    assert!((150..=160).contains(&rows.len()), "{} rows", rows.len());

    let mut previous = f64::INFINITY;
    let mut events = 0u64;
    for row in &rows {
        assert!(
            ["Star", "Planet", "Moon"].contains(&row[0].as_str()),
            "{row:?}"
        );
        let counts: Vec<u64> = row[2..6]
            .iter()
            .map(|c| c.parse().expect("a count"))
            .collect();
        assert_eq!(counts[0], counts[1] + counts[2] + counts[3], "{row:?}");
        // The funnel: a favorite follows a click, a click a view.
        assert!(counts[1] >= counts[2] && counts[2] >= counts[3], "{row:?}");
        events += counts[0];
        let score: f64 = row[6].parse().expect("a score");
        assert!(score.is_finite() && (0.0..=1.0).contains(&score), "{row:?}");
        assert!(score <= previous, "not sorted by score: {row:?}");
        previous = score;
    }
    assert_eq!(rows[0][6], "1.000000");
    assert_eq!(events, 20_000);

    // Popularity was planted as a Zipf law over a random order of the objects.
    let rho = report.quality["spearman_vs_planted_popularity"];
    println!("layer 2 Spearman vs planted popularity: {rho:.3}");
    assert!(rho > 0.6, "Spearman {rho}");
}

#[test]
fn layer3_predicts_every_category_and_recovers_planted_preferences() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let report = simulated_run(Layer::CategoryMf, 11, dir.path());
    let (header, rows) = read_csv(&report.output_file);
    assert_eq!(
        header.join(","),
        "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,Eris,Haumea,\
         Jupiter,Makemake,Mars,Neptune,Pluto,Saturn,Uranus"
    );
    assert_eq!(rows.len(), 120);
    let ids: Vec<u32> = rows
        .iter()
        .map(|r| r[0].parse().expect("a user id"))
        .collect();
    assert_eq!(ids, (1..=120).collect::<Vec<_>>());
    let mut top = 0.0f64;
    for row in &rows {
        assert_eq!(row.len(), 22);
        for cell in &row[1..] {
            let score: f64 = cell.parse().expect("a score");
            assert!(score.is_finite() && (0.0..=1.0).contains(&score), "{row:?}");
            top = top.max(score);
        }
    }
    assert!(top > 0.9, "the strongest affinity scores {top}");

    let q = &report.quality;
    println!("layer 3 quality: {q:?}");
    let rmse = q["heldout_rmse"];
    assert!(
        rmse.is_finite() && rmse < q["heldout_rmse_category_mean_baseline"],
        "{q:?}"
    );
    assert!(q["heldout_cells"] > 100.0, "{q:?}");
    // About 40 % of 120 users have a planted preferred type.
    assert!(
        (30.0..=70.0).contains(&q["planted_preference_users"]),
        "{q:?}"
    );
    assert!(q["planted_preference_recovery"] > 0.75, "{q:?}");
}

#[test]
fn layer3_recovery_holds_across_seeds() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut rates = Vec::new();
    for seed in [1, 2, 3] {
        let report = simulated_run(Layer::CategoryMf, seed, dir.path());
        rates.push(report.quality["planted_preference_recovery"]);
    }
    println!("layer 3 planted-preference recovery over seeds 1-3: {rates:?}");
    assert!(rates.iter().all(|r| *r > 0.7), "{rates:?}");
}

#[test]
fn layer4_refines_every_category_without_overfitting() {
    let dir = tempfile::tempdir().expect("temporary folder");
    // The seed's strengths are pure noise: there the network must stay at the mean. With
    // a planted signal a user's preferred type draws higher strengths, and the network
    // must rank it first for nearly every user who has one, as layer 3 does.
    for (signal, seed) in [(0.0, 5), (0.5, 11), (1.0, 7)] {
        let report = simulated_run_with_signal(Layer::Neural, seed, signal, dir.path());
        let (header, rows) = read_csv(&report.output_file);
        assert_eq!(header, report.columns);
        assert_eq!(
            header.join(","),
            "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,Eris,Haumea,\
             Jupiter,Makemake,Mars,Neptune,Pluto,Saturn,Uranus"
        );
        assert_eq!(rows.len(), 120);
        for row in &rows {
            assert_eq!(row.len(), 22);
            for cell in &row[1..] {
                let score: f64 = cell.parse().expect("a score");
                assert!(score.is_finite() && (0.0..=1.0).contains(&score), "{row:?}");
            }
        }
        let q = &report.quality;
        println!("layer 4 quality with signal {signal}: {q:?}");
        assert!(q["heldout_cells"] > 150.0, "{q:?}");
        let (rmse, mean) = (q["heldout_rmse"], q["heldout_rmse_global_mean_baseline"]);
        if signal == 0.0 {
            assert!(rmse <= mean * 1.01, "{q:?}");
        } else {
            assert!(rmse < mean, "{q:?}");
            assert!(q["planted_preference_recovery"] >= 0.88, "{q:?}");
        }
    }
}
