//! The dashboard's page and endpoints on a real server over MovieLens 100K (SQLite, and
//! PostgreSQL when configured): the embedded page and its assets, `GET /stats`, interactions
//! per day, training runs and algorithms, a user's history, pipeline outputs, the serving
//! counters and their Prometheus form, and the errors that name the field at fault.

mod common;

use common::{TestServer, assert_problem, config, databases, import_ml100k};
use orrery_pipeline::PipelineConfig;
use reqwest::{Method, StatusCode, header};
use serde_json::json;

const KEY: &str = "dashboard-admin-key";

#[tokio::test]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let server = TestServer::start(config(), common::sqlite().await).await;
    for (path, kind) in [
        ("/dashboard", "text/html"),
        ("/dashboard/", "text/html"),
        ("/dashboard/assets/app.js", "text/javascript"),
        ("/dashboard/assets/chart.js", "text/javascript"),
        ("/dashboard/assets/style.css", "text/css"),
    ] {
        let response = server
            .request(Method::GET, path)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        let content_type = headers[header::CONTENT_TYPE].to_str().unwrap_or_default();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        let body = response.text().await.expect("body");
        assert!(!body.is_empty());
        // Nothing from elsewhere: no CDN, no remote font.
        assert!(!body.contains("https://"), "{path} loads something remote");
    }
    let (status, body) = server.get("/dashboard/assets/missing.js").await;
    assert_problem(status, &body, 404, None);
    // The new endpoints are in the OpenAPI document.
    let (_, openapi) = server.get("/openapi.json").await;
    for path in [
        "/stats",
        "/stats/interactions-per-day",
        "/training/runs",
        "/training/algorithms",
        "/users/{user_id}/interactions",
        "/pipeline/outputs",
        "/metrics/serving",
        "/metrics/prometheus",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} not documented");
    }
    server.finish().await;
}

#[tokio::test]
async fn dashboard_endpoints_answer_on_real_data() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let out = tempfile::tempdir().expect("temporary folder");
        let mut cfg = config();
        cfg.api_key = Some(KEY.into());
        cfg.pipeline = PipelineConfig {
            out_dir: out.path().to_path_buf(),
            seed: Some(3),
            ..PipelineConfig::default()
        };
        let server = TestServer::start(cfg, db).await;
        let name = server.backend.clone();
        let admin =
            |method: Method, path: &str| server.request(method, path).header("X-API-Key", KEY);

        // Counts and the text encoder.
        let (status, stats) = server.get("/stats").await;
        assert_eq!(status, StatusCode::OK, "{name}: {stats}");
        assert_eq!(stats["users"], 943);
        assert_eq!(stats["items"], 1682);
        assert_eq!(stats["interactions"], 100_000);
        assert_eq!(stats["backend"], name);
        let encoder = &stats["text_encoder"];
        assert!(
            ["all-MiniLM-L6-v2", "feature-hashing-384"]
                .contains(&encoder["name"].as_str().unwrap_or("")),
            "{encoder}"
        );
        assert_eq!(encoder["dim"], 384);
        assert_eq!(
            encoder["fallback"],
            encoder["name"] == "feature-hashing-384",
            "{encoder}"
        );

        // Interactions per day: ML-100K ends on 1998-04-22, and every day of the window is
        // there, with the counts summing to the total.
        let (status, activity) = server.get("/stats/interactions-per-day?days=30").await;
        assert_eq!(status, StatusCode::OK, "{activity}");
        let days = activity["days"].as_array().expect("days");
        assert_eq!(days.len(), 30);
        assert_eq!(days[29]["date"], "1998-04-22", "{name}");
        assert_eq!(days[0]["date"], "1998-03-24");
        let sum: u64 = days.iter().map(|d| d["count"].as_u64().unwrap_or(0)).sum();
        assert_eq!(activity["total"], sum);
        assert!(sum > 1_000, "{sum}");
        let (status, all) = server.get("/stats/interactions-per-day?days=3650").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(all["total"], 100_000, "{name}");
        let (status, body) = server.get("/stats/interactions-per-day?days=0").await;
        assert_problem(status, &body, 422, Some("days"));
        let (status, body) = server.get("/stats/interactions-per-day?days=many").await;
        assert!(status.is_client_error(), "{body}");
        assert_eq!(body["field"], "days", "{body}");

        // Algorithms for the training form: `auto` first and by default (what training
        // with nothing named does), then MF with its defaults.
        let (status, algos) = server.get("/training/algorithms").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(algos["default"], "auto");
        assert_eq!(algos["algorithms"][0]["name"], "auto", "{algos}");
        assert_eq!(algos["algorithms"][0]["params"], json!([]), "{algos}");
        let mf = algos["algorithms"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["name"] == "mf"))
            .expect("mf listed");
        assert_eq!(mf["predicts_ratings"], true);
        assert!(
            mf["params"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["name"] == "factors")),
            "{mf}"
        );

        // A run, then the history shows it with its parameters, duration and version.
        let (status, accepted) = send_json(
            admin(Method::POST, "/training/train"),
            json!({"algorithm": "mf", "hyperparameters": {"factors": 8, "epochs": 3}}),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        let last = server.wait_for_training().await;
        assert_eq!(last["status"], "succeeded", "{last}");
        let (status, runs) = server.get("/training/runs?limit=5").await;
        assert_eq!(status, StatusCode::OK);
        let run = &runs["runs"][0];
        assert_eq!(run["id"], accepted["run_id"], "{runs}");
        assert_eq!(run["status"], "succeeded");
        assert_eq!(run["algorithm"], "mf");
        assert_eq!(run["params"]["factors"], "8", "{run}");
        assert_eq!(run["version"], last["version"]);
        assert!(run["duration_seconds"].as_i64().is_some_and(|d| d >= 0));
        let (status, body) = server.get("/training/runs?limit=0").await;
        assert_problem(status, &body, 422, Some("limit"));

        // A user's history, newest first, with titles; it needs the admin key here.
        let (status, body) = server.get("/users/1/interactions").await;
        assert_problem(status, &body, 401, None);
        let (status, history) = send_json(
            admin(Method::GET, "/users/1/interactions?limit=5"),
            json!(null),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{history}");
        assert_eq!(history["total"], 272, "{name}: user 1 rated 272 movies");
        let items = history["interactions"].as_array().expect("interactions");
        assert_eq!(items.len(), 5);
        assert!(items[0]["ts"].as_i64() >= items[4]["ts"].as_i64());
        assert!(
            items
                .iter()
                .all(|i| !i["title"].as_str().unwrap_or("").is_empty())
        );
        assert_eq!(items[0]["kind"], "rating");
        let (status, body) = send_json(
            admin(Method::GET, "/users/nobody/interactions"),
            json!(null),
        )
        .await;
        assert_problem(status, &body, 404, None);

        // Pipeline outputs: nothing yet, then layer 2's file after a run.
        let (status, outputs) = server.get("/pipeline/outputs").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(outputs["layers"].as_array().map(Vec::len), Some(3));
        assert_eq!(outputs["layers"][0]["exists"], false);
        let (status, report) = send_json(admin(Method::POST, "/run-layer/2"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let (_, outputs) = server.get("/pipeline/outputs").await;
        let layer2 = &outputs["layers"][0];
        assert_eq!(layer2["layer"], 2);
        assert_eq!(layer2["exists"], true, "{outputs}");
        assert_eq!(layer2["rows"], report["rows"], "{outputs}");
        assert_eq!(layer2["url"], "/run-layer/2/output");
        assert!(layer2["columns"].as_array().is_some_and(|c| !c.is_empty()));

        // Serving counters: recommendation requests land in the current interval and in
        // the per-route totals; other routes only in the totals.
        for user in 1..=20 {
            let (status, body) = send_json(
                admin(Method::GET, &format!("/recommendations/{user}?n=5")),
                json!(null),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, serving) = server.get("/metrics/serving?minutes=1&step=60").await;
        assert_eq!(status, StatusCode::OK, "{serving}");
        let intervals = serving["intervals"].as_array().expect("intervals");
        assert_eq!(intervals.len(), 1, "{serving}");
        let recent: u64 = intervals
            .iter()
            .map(|i| i["requests"].as_u64().unwrap_or(0))
            .sum();
        assert!(recent >= 20, "{serving}");
        let p50 = intervals[0]["p50_ms"].as_f64().expect("p50");
        let p99 = intervals[0]["p99_ms"].as_f64().expect("p99");
        assert!(p50 > 0.0 && p99 >= p50, "{serving}");
        let route = serving["routes"]
            .as_array()
            .and_then(|r| {
                r.iter()
                    .find(|r| r["route"] == "/recommendations/{user_id}")
            })
            .expect("the recommendation route is counted");
        assert_eq!(route["requests"], 20);
        assert_eq!(route["recommendation"], true);
        let (status, body) = server.get("/metrics/serving?minutes=11").await;
        assert_problem(status, &body, 422, Some("minutes"));

        let response = server
            .request(Method::GET, "/metrics/prometheus")
            .send()
            .await
            .expect("prometheus");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        let text = response.text().await.expect("text");
        assert!(
            text.contains(
                "orrery_http_requests_total{method=\"GET\",route=\"/recommendations/{user_id}\",status=\"2xx\"} 20\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "orrery_http_request_duration_seconds_count{method=\"GET\",route=\"/recommendations/{user_id}\"} 20\n"
        ));
        // A 401 above was counted under its route and class.
        assert!(text.contains(
            "orrery_http_requests_total{method=\"GET\",route=\"/users/{user_id}/interactions\",status=\"4xx\"} 2\n"
        ), "{text}");
        server.finish().await;
    }
}

/// Sends `request` (with a JSON body unless `body` is null) and reads the JSON answer.
async fn send_json(
    request: reqwest::RequestBuilder,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let request = if body.is_null() {
        request
    } else {
        request.json(&body)
    };
    common::send(request).await
}
