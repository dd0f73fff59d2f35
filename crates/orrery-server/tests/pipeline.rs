//! The Poppy Universe pipeline on a real server: `POST /run-layer/{n}` with the admin key,
//! first on an empty store (a simulation stands in), then on stored Poppy data, and `GET
//! /run-layer/{n}/output` serving the latest CSV file.

mod common;

use common::{TestServer, assert_problem, config, databases, send};
use orrery_core::Record;
use orrery_data::simulate::{UniverseConfig, simulate};
use orrery_pipeline::{PipelineConfig, SourceRule};
use reqwest::{Method, StatusCode};

const KEY: &str = "pipeline-admin-key";

#[tokio::test]
async fn layers_run_over_http_on_simulated_then_stored_data() {
    for db in databases().await {
        let out = tempfile::tempdir().expect("temporary folder");
        let mut cfg = config();
        cfg.api_key = Some(KEY.into());
        cfg.pipeline = PipelineConfig {
            out_dir: out.path().to_path_buf(),
            source: SourceRule::default(),
            seed: Some(8),
            ..PipelineConfig::default()
        };
        let server = TestServer::start(cfg, db).await;
        let name = server.backend.clone();
        let admin =
            |method: Method, path: &str| server.request(method, path).header("X-API-Key", KEY);

        // Nothing has run yet; and layer 3's per-user rows need credentials.
        let (status, body) = send(admin(Method::GET, "/run-layer/3/output")).await;
        assert_problem(status, &body, 404, None);
        let (status, body) = server.get("/run-layer/3/output").await;
        assert_problem(status, &body, 401, None);
        // Running a layer is admin work.
        let (status, body) = server.post("/run-layer/3", serde_json::json!({})).await;
        assert_problem(status, &body, 401, None);
        let (status, body) = send(admin(Method::POST, "/run-layer/5")).await;
        assert_problem(status, &body, 404, None);

        // An empty store: a seeded simulation stands in, and the answer says why.
        let (status, report) = send(admin(Method::POST, "/run-layer/3")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {report}");
        assert_eq!(report["layer"], 3);
        assert_eq!(report["data_source"]["kind"], "simulated", "{report}");
        assert_eq!(report["data_source"]["seed"], 8);
        let reason = report["data_source"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("holds 0 interactions"), "{reason}");
        assert_eq!(report["rows"], 120);
        assert!(report["duration_seconds"].as_f64().is_some_and(|d| d > 0.0));
        let rmse = report["quality"]["heldout_rmse"]
            .as_f64()
            .expect("held-out RMSE");
        assert!(rmse.is_finite() && rmse > 0.0, "{report}");

        let response = admin(Method::GET, "/run-layer/3/output")
            .send()
            .await
            .expect("reading the output");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/csv")),
            "{:?}",
            response.headers()
        );
        let text = response.text().await.expect("CSV text");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,Eris,\
                 Haumea,Jupiter,Makemake,Mars,Neptune,Pluto,Saturn,Uranus"
            )
        );
        assert_eq!(lines.count(), 120);
        let written = std::fs::read_to_string(report["output_file"].as_str().unwrap_or_default())
            .expect("the reported file");
        assert_eq!(written, text);

        // A user's token reads the header and that user's own row only.
        let header = text.lines().next().unwrap_or_default().to_owned();
        let own_row = text.lines().nth(7).unwrap_or_default().to_owned();
        let user_id = own_row.split(',').next().unwrap_or_default().to_owned();
        let token = sign_up(&server, &user_id).await;
        let own = server
            .request(Method::GET, "/run-layer/3/output")
            .bearer_auth(&token)
            .send()
            .await
            .expect("reading the output as a user");
        assert_eq!(own.status(), StatusCode::OK);
        assert_eq!(
            own.text().await.expect("CSV text"),
            format!("{header}\n{own_row}\n"),
            "{name}"
        );

        // Store Poppy data: now the store is the source.
        let store = server.store().expect("the server's store");
        let universe = simulate(&UniverseConfig {
            seed: 23,
            ..UniverseConfig::default()
        })
        .expect("simulating");
        let records: Vec<Record> = universe.records().collect();
        let mut tx = store.begin_import().await.expect("starting the import");
        for batch in records.chunks(10_000) {
            tx.write(batch).await.expect("importing");
        }
        tx.commit().await.expect("committing");
        // Every stored interaction is on a celestial item.
        let stored = store.stats().await.expect("statistics").interactions;
        assert!(stored > 31_000, "{stored}");

        let (status, report) = send(admin(Method::POST, "/run-layer/2")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {report}");
        assert_eq!(report["data_source"]["kind"], "store", "{report}");
        assert_eq!(report["data_source"]["interactions"], stored, "{report}");
        assert!(report["data_source"]["seed"].is_null());
        // Layer 2 scores objects, not users: open to all.
        let (status, csv) = send(server.request(Method::GET, "/run-layer/2/output")).await;
        // Not JSON, so the helper reads it as null; the status is what matters here.
        assert_eq!((status, csv), (StatusCode::OK, serde_json::Value::Null));
        let text = std::fs::read_to_string(report["output_file"].as_str().unwrap_or_default())
            .expect("the reported file");
        assert!(text.starts_with(
            "Object_Type,Object_ID,total_interactions,num_views,num_clicks,num_favorites,trending_score\n"
        ));

        // Layer 4 runs the tanh network on the stored strengths.
        let (status, report) = send(admin(Method::POST, "/run-layer/4")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {report}");
        assert_eq!(report["data_source"]["kind"], "store", "{report}");
        assert_eq!(report["rows"], 120, "{report}");
        assert!(
            report["quality"]["heldout_rmse"].as_f64().is_some(),
            "{report}"
        );

        // The OpenAPI document describes both routes.
        let (status, doc) = server.get("/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["paths"]["/run-layer/{n}"]["post"].is_object(), "{name}");
        assert!(
            doc["paths"]["/run-layer/{n}/output"]["get"].is_object(),
            "{name}"
        );
        server.finish().await;
    }
}

/// Creates an account for `user_id` and returns its access token.
async fn sign_up(server: &TestServer, user_id: &str) -> String {
    let email = format!("user-{user_id}@example.org");
    let password = "a-password-for-pipeline-tests";
    let (status, body) = server
        .post(
            "/users",
            serde_json::json!({"user_id": user_id, "email": email, "password": password}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = send(
        server
            .request(Method::POST, "/auth/token")
            .form(&[("username", email.as_str()), ("password", password)]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("a token").to_owned()
}
