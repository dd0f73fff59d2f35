//! Lists keep a user's taste: on MovieLens 100K, with the model `POST /training/train`
//! picks when none is named, a newcomer who says they like a genre gets that genre, and
//! one who gives five-star ratings to a genre's best-known films keeps getting it as the
//! history grows (5, 10, then 20 ratings), the list changing with every rating.

mod common;

use std::collections::HashMap;

use common::{TestServer, config, import_ml100k, shared_data, sqlite};
use orrery_core::Record;
use orrery_data::import::{Import, ImportOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// ML-100K's films: genres per item id, and ids by number of ratings, most rated first.
fn films() -> (HashMap<String, Vec<String>>, Vec<String>) {
    let mut genres = HashMap::new();
    let mut ratings: HashMap<String, usize> = HashMap::new();
    for record in Import::open(&shared_data().join("ml-100k"), &ImportOptions::default())
        .expect("opening ml-100k")
    {
        match record.expect("reading ml-100k") {
            Record::Item(item) => {
                let names = item.categories.iter().map(|c| c.value.clone()).collect();
                genres.insert(item.id, names);
            }
            Record::Interaction(e) => *ratings.entry(e.item).or_default() += 1,
            Record::User(_) => {}
        }
    }
    let mut by_ratings: Vec<(String, usize)> = ratings.into_iter().collect();
    by_ratings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (genres, by_ratings.into_iter().map(|(id, _)| id).collect())
}

/// The items of a list with their scores, as text.
fn scored(list: &Value) -> Vec<String> {
    list["recommendations"]
        .as_array()
        .unwrap_or_else(|| panic!("no recommendations in {list}"))
        .iter()
        .map(|r| format!("{}:{}", r["item_id"], r["score"]))
        .collect()
}

/// The ids of a list's items.
fn ids(list: &Value) -> Vec<String> {
    list["recommendations"]
        .as_array()
        .unwrap_or_else(|| panic!("no recommendations in {list}"))
        .iter()
        .map(|r| r["item_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_follow_a_users_genre_from_the_first_request_on() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let server = TestServer::start(config(), db).await;
    let trained = server.train(json!({})).await;
    let algorithm = trained["algorithm"].as_str().unwrap().to_owned();
    assert!(
        ["als", "ease", "itemknn"].contains(&algorithm.as_str()),
        "the default is a ranking model: {trained}"
    );
    // MovieLens's held-out ratings favour popular films: the training's validation split
    // chooses a popularity prior above the default, and lists are blended with it.
    let chosen: f64 = trained["flow"]["flow.popularity_prior"]
        .as_str()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a chosen prior: {trained}"));
    assert!(chosen > 0.5, "{trained}");
    let (status, flow) = server.get("/flow").await;
    assert_eq!(status, StatusCode::OK, "{flow}");
    assert_eq!(flow["popularity_prior"], chosen, "{flow}");
    assert_eq!(flow["popularity_prior_from"], "trained", "{flow}");
    let (genres, most_rated) = films();
    let in_genre = |id: &str, genre: &str| genres[id].iter().any(|g| g == genre);

    for genre in ["Horror", "Children's"] {
        let share = |list: &Value| ids(list).iter().filter(|id| in_genre(id, genre)).count();

        // A newcomer who states the genre as an interest.
        let fan = format!("fan-of-{genre}");
        let (status, body) = server
            .post("/users", json!({"user_id": fan, "interests": [genre]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, list) = server.get(&format!("/recommendations/{fan}?n=10")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(
            share(&list) >= 8,
            "{genre} as an interest, {algorithm}: {list}"
        );

        // A user who rates the genre's most rated films 5 stars, one after another.
        let rater = format!("rater-of-{genre}");
        let (status, body) = server.post("/users", json!({"user_id": rater})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let favourites: Vec<&String> = most_rated
            .iter()
            .filter(|id| in_genre(id, genre))
            .take(20)
            .collect();
        let mut previous: Option<Vec<String>> = None;
        for (rated, item) in favourites.iter().enumerate().map(|(i, f)| (i + 1, f)) {
            let (status, body) = server
                .post(
                    "/interactions",
                    json!({"user_id": rater, "item_id": item, "kind": "rating", "value": 5}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let (status, list) = server.get(&format!("/recommendations/{rater}?n=10")).await;
            assert_eq!(status, StatusCode::OK, "{list}");
            assert!(
                !ids(&list).contains(item),
                "a rated film is not recommended again: {list}"
            );
            // The next request reflects the rating: the list or its scores move.
            let now = scored(&list);
            if let Some(before) = &previous {
                assert_ne!(before, &now, "the list changes with rating {rated}");
            }
            if [5, 10, 20].contains(&rated) {
                assert!(
                    share(&list) >= 5,
                    "{rated} five-star {genre} ratings, {algorithm}: {list}"
                );
            }
            previous = Some(now);
        }
    }
    server.finish().await;
}
