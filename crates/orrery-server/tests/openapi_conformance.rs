//! The OpenAPI document describes what the server answers; each check here is a finding of
//! the schemathesis run (`tests/fuzz/schemathesis.sh`) kept as a regression test.

mod common;

use common::{TestServer, config, import_ml100k, sqlite};
use serde_json::{Value, json};

/// The schema that `schema` names, following one `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[tokio::test]
async fn the_document_describes_the_answers() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let server = TestServer::start(config(), db).await;
    server.train(json!({"algorithm": "popularity"})).await;
    let (_, doc) = server.get("/openapi.json").await;

    // Parameter maps (strings) and metric maps (numbers) were one `BTreeMap` component, so
    // the parameters of every model and run were documented as numbers.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    assert!(
        !schemas.keys().any(|name| name.contains("Map")),
        "generic maps must be inline, not one shared component: {:?}",
        schemas.keys().collect::<Vec<_>>()
    );
    let (_, models) = server.get("/models").await;
    let params = &models["models"][0]["params"];
    assert!(params["by"].is_string(), "{models}");
    let listed = resolve(
        &doc,
        &doc["paths"]["/models"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
    );
    let model = resolve(&doc, &listed["properties"]["models"]["items"]);
    assert_eq!(
        model["properties"]["params"]["additionalProperties"]["type"], "string",
        "{model}"
    );
    assert_eq!(
        model["properties"]["metrics"]["additionalProperties"]["type"], "number",
        "{model}"
    );

    // Every operation documents the errors that all routes share, as problem documents.
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let responses = &operation["responses"];
            let mut shared = vec!["400", "401", "500"];
            if path.contains('{') {
                shared.push("404");
            }
            if operation.get("requestBody").is_some() {
                shared.extend(["413", "415", "422"]);
            }
            if operation.get("security").is_some() {
                shared.push("403");
            }
            for status in shared {
                let problem = &responses[status]["content"]["application/problem+json"];
                assert!(
                    problem.is_object(),
                    "{method} {path} does not document {status} as a problem: {responses}"
                );
            }
        }
    }
    // Retraining with nothing to retrain answers 200, not 202.
    let retrain = &doc["paths"]["/api/ml/retrain"]["post"]["responses"];
    assert!(
        retrain["200"].is_object() && retrain["202"].is_object(),
        "{retrain}"
    );
    let (status, skipped) = server
        .post("/api/ml/retrain", json!({"retrain_cf": false}))
        .await;
    assert_eq!(status.as_u16(), 200, "{skipped}");
    server.finish().await;
}
