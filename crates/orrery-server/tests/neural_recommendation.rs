//! The Neural Recommendation flow on MovieLens 100K: create an account, get a token, read
//! /users/me, post ratings in bulk, ask for cold-start and onboarding recommendations.

mod common;

use common::{TestServer, config, databases, import_ml100k, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn movie_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|m| m["movie_id"].as_str().expect("movie_id").to_owned())
        .collect()
}

#[tokio::test]
async fn account_token_ratings_cold_start_and_onboarding() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();

        let (status, user) = server
            .post(
                "/users/",
                json!({"email": "new@example.org", "password": "s3cret-pass", "username": "newbie",
                       "age": 28, "gender": "M", "occupation": "programmer"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {user}");
        let user_id = user["user_id"].as_str().expect("id").to_owned();
        let (status, tok) = send(
            server
                .request(Method::POST, "/auth/token")
                .form(&[("username", "new@example.org"), ("password", "s3cret-pass")]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{tok}");
        let bearer = tok["access_token"].as_str().expect("token").to_owned();
        let (status, me) = send(
            server
                .request(Method::GET, "/users/me")
                .bearer_auth(&bearer),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["username"], "newbie");
        assert_eq!(me["interactions"], 0);

        // Onboarding: popular movies across genres.
        let (status, onboarding) = server
            .get("/recommendations/onboarding-movies?num_movies=10")
            .await;
        assert_eq!(status, StatusCode::OK, "{onboarding}");
        let picks = movie_ids(&onboarding["movies"]);
        assert_eq!(picks.len(), 10, "{onboarding}");
        assert!(
            onboarding["genres_covered"].as_u64().unwrap_or(0) >= 8,
            "{onboarding}"
        );
        // Star Wars (50) is the most rated movie of ML-100K.
        assert!(picks.contains(&"50".to_owned()), "{onboarding}");
        // Onboarding within genres: one, or several spread across them; unknown ones are
        // the caller's error.
        let (status, horror) = server
            .get("/recommendations/onboarding-movies?num_movies=3&genre=Horror")
            .await;
        assert_eq!(status, StatusCode::OK, "{horror}");
        let movies = horror["movies"].as_array().expect("movies");
        assert_eq!(movies.len(), 3, "{horror}");
        for movie in movies {
            assert!(
                movie["genres"]
                    .as_array()
                    .expect("genres")
                    .contains(&json!("Horror")),
                "{horror}"
            );
        }
        let (status, two) = server
            .get("/recommendations/onboarding-movies?num_movies=6&genre=horror,%20Musical")
            .await;
        assert_eq!(status, StatusCode::OK, "{two}");
        let genres_of = |m: &Value| m["genres"].as_array().expect("genres").clone();
        let in_genre = |g: &str| {
            two["movies"]
                .as_array()
                .expect("movies")
                .iter()
                .filter(|m| genres_of(m).contains(&json!(g)))
                .count()
        };
        assert!(in_genre("Horror") >= 3 && in_genre("Musical") >= 3, "{two}");
        let (status, problem) = server
            .get("/recommendations/onboarding-movies?genre=Horor")
            .await;
        common::assert_problem(status, &problem, 422, Some("genre"));

        // Cold start before any model: genres and demographics, popularity-backed.
        let request = json!({"age": 28, "gender": "M", "genres": ["Sci-Fi"],
                             "ratings": [{"movie_id": 50, "rating": 5}, {"movie_id": 181, "rating": 5}],
                             "num_recommendations": 10});
        let (status, cold) = server
            .post("/recommendations/cold-start", request.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {cold}");
        assert_eq!(cold["method"], "cold_start", "{cold}");
        let cold_ids = movie_ids(&cold["recommendations"]);
        assert_eq!(cold_ids.len(), 10);
        assert!(
            !cold_ids.contains(&"50".to_owned()) && !cold_ids.contains(&"181".to_owned()),
            "{cold}"
        );
        let sci_fi = cold["recommendations"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|r| {
                r["genres"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g == "Sci-Fi"))
            })
            .count();
        assert!(sci_fi >= 5, "mostly Sci-Fi for a Sci-Fi fan: {cold}");
        let (status, empty) = server.post("/recommendations/cold-start", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(empty["method"], "popularity");
        assert_eq!(
            movie_ids(&empty["recommendations"]).len(),
            10,
            "never empty: {empty}"
        );
        let (status, body) = server
            .post(
                "/recommendations/cold-start",
                json!({"ratings": [{"movie_id": 999999, "rating": 4}]}),
            )
            .await;
        assert_eq!(
            (status, body["id"].as_str()),
            (StatusCode::NOT_FOUND, Some("999999")),
            "{body}"
        );

        // Bulk ratings with the user's token.
        let ratings: Vec<Value> = [
            (50, 5.0),
            (181, 4.5),
            (172, 5.0),
            (1, 3.0),
            (100, 4.0),
            (258, 2.0),
        ]
        .iter()
        .map(|(m, r)| json!({"user_id": user_id, "movie_id": m, "rating": r}))
        .collect();
        let (status, stored) = send(
            server
                .request(Method::POST, "/ratings/")
                .bearer_auth(&bearer)
                .json(&ratings),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        assert_eq!(stored.as_array().map(Vec::len), Some(6));
        let (_, me) = send(
            server
                .request(Method::GET, "/users/me")
                .bearer_auth(&bearer),
        )
        .await;
        assert_eq!(me["interactions"], 6, "{me}");

        // With a model, onboarding ratings are folded in.
        let last = server
            .train(json!({"algorithm": "mf", "hyperparameters": {"epochs": 5}}))
            .await;
        assert!(
            last["metrics"]["rmse"].as_f64().is_some_and(|r| r < 1.2),
            "{last}"
        );
        let (status, warm) = server.post("/recommendations/cold-start", request).await;
        assert_eq!(status, StatusCode::OK, "{warm}");
        assert_eq!(warm["method"], "hybrid", "{warm}");
        assert_eq!(movie_ids(&warm["recommendations"]).len(), 10);
        let (status, health) = server.get("/recommendations/health").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(health["model_loaded"], true, "{health}");

        // Listings with filters.
        let (status, women) = server.get("/users/?page=1&size=5&gender=F").await;
        assert_eq!(status, StatusCode::OK, "{women}");
        assert_eq!(women["users"].as_array().map(Vec::len), Some(5));
        assert!(
            women["users"]
                .as_array()
                .expect("users")
                .iter()
                .all(|u| u["gender"] == "F")
        );
        assert_eq!(
            women["total"], 273,
            "ML-100K has 273 women: {}",
            women["total"]
        );
        let (status, comedies) = server.get("/movies/?genre=Comedy&size=5&page=2").await;
        assert_eq!(status, StatusCode::OK, "{comedies}");
        assert_eq!(comedies["total"], 505, "ML-100K has 505 comedies");
        assert_eq!(comedies["page"], 2);
        assert!(
            comedies["movies"]
                .as_array()
                .expect("movies")
                .iter()
                .all(|m| m["genres"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g == "Comedy")))
        );
        server.finish().await;
    }
}
