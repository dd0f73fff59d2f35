//! The flow's business rules over HTTP on MovieLens 100K: per-request filters and boosts,
//! presets from the configuration, positioned errors for expressions that do not parse,
//! and `GET /flow` showing how lists are made.

mod common;

use common::{TestServer, assert_problem, config, databases, import_ml100k, sqlite};
use orrery_engine::flow::rules::RuleText;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn items(recs: &Value) -> &Vec<Value> {
    recs["recommendations"].as_array().expect("recommendations")
}

fn genres(item: &Value) -> Vec<&str> {
    item["genres"]
        .as_array()
        .expect("genres")
        .iter()
        .map(|g| g.as_str().expect("genre"))
        .collect()
}

fn with_presets() -> orrery_server::ServerConfig {
    let mut config = config();
    config.flow.presets.insert(
        "recent_horror".into(),
        RuleText {
            filter: Some("genre = 'horror' and year >= 1990".into()),
            boost: None,
            pin: Vec::new(),
        },
    );
    config
}

fn query(path: &str, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding(v)))
        .collect();
    format!("{path}?{}", encoded.join("&"))
}

/// Percent-encodes a query value (the expressions hold spaces, quotes and brackets).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn filters_boosts_and_presets_shape_the_list() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = TestServer::start(with_presets(), db).await;
        let name = server.backend.clone();
        server
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 5}}))
            .await;

        // A filter keeps only what it admits, and the list is still full.
        let path = query(
            "/recommendations/1",
            &[("n", "10"), ("filter", "genre in ['Comedy', 'Romance']")],
        );
        let (status, recs) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{name}: {recs}");
        assert_eq!(items(&recs).len(), 10, "{name}: {recs}");
        for item in items(&recs) {
            let g = genres(item);
            assert!(
                g.contains(&"Comedy") || g.contains(&"Romance"),
                "{name}: {item} passed the filter"
            );
        }

        // A strong boost lifts horror films over the user's usual taste, and each says so.
        let (_, plain) = server.get("/recommendations/1?n=10").await;
        let horror = |recs: &Value| {
            items(recs)
                .iter()
                .filter(|i| genres(i).contains(&"Horror"))
                .count()
        };
        let path = query(
            "/recommendations/1",
            &[("n", "10"), ("boost", "genre:horror * 50")],
        );
        let (status, boosted) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{name}: {boosted}");
        assert!(
            horror(&boosted) > horror(&plain),
            "{name}: {} horror films boosted against {} plain",
            horror(&boosted),
            horror(&plain)
        );
        // A boost reorders the sources' candidates: every boosted one ranks first.
        let boosted_first: Vec<bool> = items(&boosted)
            .iter()
            .map(|i| genres(i).contains(&"Horror"))
            .collect();
        assert!(
            boosted_first.windows(2).all(|w| w[0] || !w[1]),
            "{name}: {boosted}"
        );
        for item in items(&boosted) {
            let is_horror = genres(item).contains(&"Horror");
            assert_eq!(
                item["boost"].as_f64() == Some(50.0),
                is_horror,
                "{name}: {item}"
            );
        }

        // A preset from the configuration, also in the POST form.
        let (status, preset) = server
            .get("/recommendations/1?n=10&preset=recent_horror")
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {preset}");
        assert!(!items(&preset).is_empty(), "{name}");
        for item in items(&preset) {
            assert!(genres(item).contains(&"Horror"), "{name}: {item}");
            let id = item["item_id"].as_str().expect("id");
            let (_, stored) = server.get(&format!("/items/{id}")).await;
            assert!(stored["year"].as_i64() >= Some(1990), "{name}: {stored}");
        }
        let (status, posted) = server
            .post(
                "/recommendations",
                json!({"user_id": "1", "n": 5, "filter": "not genre:drama and year < 1980"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {posted}");
        for item in items(&posted) {
            assert!(!genres(item).contains(&"Drama"), "{name}: {item}");
        }

        // Expressions that do not parse, and unknown presets, are the caller's error.
        let path = query("/recommendations/1", &[("filter", "year >= 1990 and")]);
        let (status, problem) = server.get(&path).await;
        assert_problem(status, &problem, 422, Some("filter"));
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("at character 17")),
            "{name}: {problem}"
        );
        let path = query("/recommendations/1", &[("boost", "tag:new * 0")]);
        let (status, problem) = server.get(&path).await;
        assert_problem(status, &problem, 422, Some("boost"));
        let (status, problem) = server.get("/recommendations/1?preset=nope").await;
        assert_problem(status, &problem, 422, Some("preset"));
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("recent_horror")),
            "{name}: {problem}"
        );

        // The flow as configured.
        let (status, flow) = server.get("/flow").await;
        assert_eq!(status, StatusCode::OK, "{name}: {flow}");
        assert_eq!(
            flow["stages"],
            json!(["sources", "merge", "rank", "rules", "diversify", "page"])
        );
        assert_eq!(flow["retrieval"], "exact", "{name}: {flow}");
        assert_eq!(flow["catalog_items"], 1682, "{name}: {flow}");
        assert_eq!(
            flow["settings"]["presets"]["recent_horror"]["filter"],
            "genre = 'horror' and year >= 1990"
        );
        server.finish().await;
    }
}

#[tokio::test]
async fn a_preset_that_does_not_parse_stops_the_server_from_starting() {
    let db = sqlite().await;
    let mut config = config();
    config.flow.presets.insert(
        "broken".into(),
        RuleText {
            filter: Some("category in".into()),
            boost: None,
            pin: Vec::new(),
        },
    );
    let error = match orrery_server::Server::bind(config, db.store.clone()).await {
        Ok(_) => panic!("a server started with a broken preset"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("flow.presets.broken.filter") && error.contains("at character 12"),
        "{error}"
    );
}

#[tokio::test]
async fn pinned_items_lead_the_list_when_the_rules_admit_them() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let server = TestServer::start(config(), db).await;
    server
        .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 5}}))
        .await;
    // Both lists below from the same content signal: once every film is embedded.
    server.wait_for_embeddings(1_682).await;
    let ids = |recs: &Value| -> Vec<String> {
        items(recs)
            .iter()
            .map(|i| i["item_id"].as_str().expect("id").to_owned())
            .collect()
    };
    let (_, plain) = server.get("/recommendations/1?n=50").await;
    let plain = ids(&plain);
    let (a, b) = (plain[30].clone(), plain[40].clone());

    // In the pins' order, before everything the model ranks; a film the user rated ("1",
    // Toy Story) and an unknown id are left out.
    let pins = format!("{a},1,{b},no-such-film");
    let (status, pinned) = server
        .get(&query("/recommendations/1", &[("n", "5"), ("pin", &pins)]))
        .await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    let listed = ids(&pinned);
    assert_eq!(listed[..2], [a.clone(), b.clone()], "{pinned}");
    assert_eq!(listed[2..], plain[..3], "{pinned}");
    for item in &items(&pinned)[..2] {
        assert!(
            item["sources"]
                .as_array()
                .is_some_and(|s| s.contains(&json!("pinned"))),
            "{item}"
        );
        assert!(
            item["explanation"]
                .as_str()
                .is_some_and(|e| e.starts_with("pinned to the top by the list's rules; ")),
            "{item}"
        );
    }
    // The next page goes on below the pins, repeating none.
    let (_, next) = server
        .get(&query(
            "/recommendations/1",
            &[("n", "3"), ("offset", "5"), ("pin", &pins)],
        ))
        .await;
    assert_eq!(ids(&next), plain[3..6], "{next}");

    // A pin the filter refuses stays out.
    let (_, filtered) = server
        .get(&query(
            "/recommendations/1",
            &[
                ("n", "5"),
                ("filter", "genre = 'no such genre'"),
                ("pin", &a),
            ],
        ))
        .await;
    assert!(!ids(&filtered).contains(&a), "{filtered}");

    // Pins are hand-picked: a hundred at most.
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let (status, problem) = server
        .get(&query("/recommendations/1", &[("pin", &many.join(","))]))
        .await;
    assert_problem(status, &problem, 422, Some("pin"));
    server.finish().await;
}

/// `[flow] exclude_seen` decides which kinds of event make an item seen: configured to
/// ratings, likes and purchases, a viewed film may come back in the list while a liked
/// one leaves it; by default any event excludes it. `GET /flow` shows the setting.
#[tokio::test]
async fn seen_items_are_excluded_by_the_configured_kinds() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let mut cfg = config();
    cfg.flow.exclude_seen =
        serde_json::from_value(json!(["rating", "like", "purchase"])).expect("kind names");
    let server = TestServer::start(cfg, db).await;
    server
        .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 3}}))
        .await;
    let (_, flow) = server.get("/flow").await;
    // Written in the kinds' fixed order.
    assert_eq!(
        flow["settings"]["exclude_seen"],
        json!(["like", "rating", "purchase"]),
        "{flow}"
    );
    let ids = |recs: &Value| -> Vec<String> {
        items(recs)
            .iter()
            .map(|r| r["item_id"].as_str().expect("item_id").to_owned())
            .collect()
    };
    let (status, before) = server.get("/recommendations/1?n=10").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let top = ids(&before)[0].clone();

    let (status, body) = server
        .post(
            "/interactions",
            json!({"user_id": "1", "item_id": top, "kind": "view"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, viewed) = server.get("/recommendations/1?n=10").await;
    assert!(ids(&viewed).contains(&top), "a viewed film stays: {viewed}");

    let (status, body) = server
        .post(
            "/interactions",
            json!({"user_id": "1", "item_id": top, "kind": "like"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, liked) = server.get("/recommendations/1?n=10").await;
    assert!(!ids(&liked).contains(&top), "a liked film leaves: {liked}");
    server.finish().await;
}
