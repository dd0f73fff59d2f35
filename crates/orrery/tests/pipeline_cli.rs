//! `orrery pipeline run` end to end on the real binary: a simulation stands in for an
//! empty store, then a Poppy Universe CSV written by `orrery simulate` and read by `orrery
//! import` is the source; bad layers fail with messages that say what to do.

mod common;

use common::{Process, TestDb};

const LAYER3_HEADER: &str = "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,\
    Terrestrial,Earth,Eris,Haumea,Jupiter,Makemake,Mars,Neptune,Pluto,Saturn,Uranus";

fn report(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let stdout = db.ok(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn layers_run_on_a_simulation_then_on_an_imported_poppy_csv() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let out_arg = out.to_str().unwrap();

        let simulated = report(
            &db,
            &[
                "pipeline", "run", "--layer", "3", "--out", out_arg, "--seed", "4",
            ],
        );
        assert_eq!(simulated["layer"], 3);
        assert_eq!(simulated["data_source"]["kind"], "simulated", "{simulated}");
        assert_eq!(simulated["data_source"]["seed"], 4);
        assert_eq!(simulated["rows"], 120);
        let file = out.join("layer3_mf_predictions.csv");
        assert_eq!(
            simulated["output_file"],
            file.canonicalize().unwrap().to_str().unwrap()
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().next(), Some(LAYER3_HEADER));
        assert_eq!(text.lines().count(), 121);

        // The same seed gives the same file.
        report(
            &db,
            &[
                "pipeline", "run", "--layer", "3", "--out", out_arg, "--seed", "4",
            ],
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

        let files = dir.path().join("poppy");
        db.ok(&["simulate", "--seed", "9", "--out", files.to_str().unwrap()]);
        let csv = files.join("NN_Semantic_Interactions.csv");
        db.ok(&["import", csv.to_str().unwrap()]);

        let stored = report(
            &db,
            &[
                "pipeline", "run", "--layer", "3", "--out", out_arg, "--source", "store",
            ],
        );
        assert_eq!(stored["data_source"]["kind"], "store", "{stored}");
        assert!(stored["data_source"]["seed"].is_null());
        assert_eq!(stored["rows"], 120);
        let q = &stored["quality"];
        assert!(
            q["heldout_rmse"].as_f64().unwrap()
                < q["heldout_rmse_category_mean_baseline"].as_f64().unwrap(),
            "{q}"
        );

        let layer2 = report(
            &db,
            &[
                "pipeline",
                "run",
                "--layer",
                "2",
                "--out",
                out_arg,
                "--half-life-days",
                "7",
            ],
        );
        assert_eq!(layer2["data_source"]["kind"], "store", "{layer2}");
        assert_eq!(layer2["rows"], 21);
        let text = std::fs::read_to_string(out.join("layer2_object_liking_scores.csv")).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(
                "Object_Type,Object_ID,total_interactions,num_views,num_clicks,num_favorites,trending_score"
            )
        );

        // Thresholds above what the store holds: the simulation stands in again.
        let strict = report(
            &db,
            &[
                "pipeline",
                "run",
                "--layer",
                "2",
                "--out",
                out_arg,
                "--min-users",
                "121",
                "--seed",
                "1",
            ],
        );
        assert_eq!(strict["data_source"]["kind"], "simulated", "{strict}");
        assert!(
            strict["data_source"]["reason"]
                .as_str()
                .unwrap()
                .contains("120 users of the store have interactions on celestial items"),
            "{strict}"
        );

        let bad = db.orrery(&["pipeline", "run", "--layer", "7", "--out", out_arg]);
        assert!(!bad.status.success());
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(stderr.contains("layer \"7\" does not exist"), "{stderr}");

        let layer4 = report(&db, &["pipeline", "run", "--layer", "4", "--out", out_arg]);
        assert_eq!(layer4["layer"], 4, "{layer4}");
        assert_eq!(layer4["data_source"]["kind"], "store", "{layer4}");
        let q = &layer4["quality"];
        assert!(
            q["heldout_rmse"].as_f64().unwrap()
                <= q["heldout_rmse_global_mean_baseline"].as_f64().unwrap() * 1.02,
            "{q}"
        );
        let csv = std::fs::read_to_string(layer4["output_file"].as_str().unwrap()).unwrap();
        assert_eq!(csv.lines().next(), Some(LAYER3_HEADER));
    }
}

/// The permission bits of a file.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The mode a new file gets from the ordinary `create` (0666 less the umask).
#[cfg(unix)]
fn ordinary_mode(dir: &std::path::Path) -> u32 {
    let reference = dir.join("reference-file");
    std::fs::File::create(&reference).unwrap();
    mode(&reference)
}

#[cfg(unix)]
#[test]
fn files_go_beside_the_database_with_the_ordinary_mode_whatever_the_working_folder() {
    use std::io::{BufRead, BufReader};

    let data = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("db/orrery.db").display());
    let expected_dir = data.path().join("db/output").canonicalize().ok();
    assert!(
        expected_dir.is_none(),
        "the output folder exists before any run"
    );

    let out = common::orrery_command(
        &url,
        &[
            "pipeline",
            "run",
            "--layer",
            "2",
            "--source",
            "simulated",
            "--seed",
            "1",
        ],
    )
    .current_dir(elsewhere.path())
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = data
        .path()
        .join("db/output/layer2_object_liking_scores.csv")
        .canonicalize()
        .unwrap();
    assert_eq!(cli["output_file"], file.to_str().unwrap(), "{cli}");
    assert_eq!(mode(&file), ordinary_mode(elsewhere.path()));
    std::fs::remove_file(&file).unwrap();

    // The server, started in another folder, writes to the same place.
    let mut server = common::orrery_command(
        &url,
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--pipeline-source",
            "simulated",
            "--pipeline-seed",
            "1",
        ],
    )
    .current_dir(elsewhere.path())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let stderr = server.stderr.take().unwrap();
    let server = Process(server);
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server ended before it announced its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("orrery serving on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/run-layer/2"))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    drop(server);
    assert_eq!(answer["output_file"], file.to_str().unwrap(), "{answer}");
    assert_eq!(mode(&file), ordinary_mode(elsewhere.path()));
    assert!(!elsewhere.path().join("orrery-data").exists());
}
