//! `orrery demo`: the main job on the embedded default, with nothing to download. A
//! MovieLens-shaped catalog (users with a taste genre) is generated and stored, the
//! default model trained and made active, one user's list shown against their taste, and
//! the server started with the requests to try printed, their ids real.

use std::collections::HashMap;
use std::net::SocketAddr;

use anyhow::{Context, Result};
use orrery_core::Record;
use orrery_data::import::{Import, ImportOptions};
use orrery_data::synthetic::{SyntheticConfig, write_synthetic};
use orrery_engine::{RecommendOptions, Recommendations};
use orrery_server::{Server, ServerConfig};
use orrery_train::{TrainJob, TrainSettings};

use super::serve::{ServeArgs, server_config, shutdown_signal};
use super::{store_records, train};
use crate::config::{Config, redact};

/// Store a generated catalog of films and ratings, train the default model on it, show a
/// user's recommendations, and serve them (REST API and dashboard) until Ctrl-C.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Random seed of the generated data and of the training.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Address and port to serve on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Store, train and show the list, then exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// How many items the terminal list shows.
const SHOWN: usize = 5;

/// The demo catalog: small enough to train in a second, large enough that a taste genre
/// has films left to discover.
fn demo_data(seed: u64) -> SyntheticConfig {
    SyntheticConfig {
        users: 500,
        items: 1_500,
        interactions: 40_000,
        seed,
        ..SyntheticConfig::movielens_20m()
    }
}

pub async fn run(args: DemoArgs, config: &Config) -> Result<()> {
    let records = generated_records(args.seed)?;
    let (user, taste) = clearest_taste(&records).context("the generated data has no users")?;
    let store = config.open_store().await?;
    let summary = store_records(&store, records).await?;
    println!(
        "stored generated films and ratings (seed {}) in {}: {} users, {} items, {} interactions ({} already there)",
        args.seed,
        redact(&config.database_url),
        summary.users,
        summary.items,
        summary.interactions_inserted,
        summary.interactions_skipped
    );

    let job = TrainJob::best_ranking(args.seed, Some(true));
    let settings = TrainSettings {
        weights: config.weights.clone(),
        flow_tuner: Some(config.flow_tuner()),
        ..TrainSettings::default()
    };
    train::train_once(&store, &job, &settings, false).await?;

    let serve = ServeArgs {
        bind: Some(args.bind),
        ..ServeArgs::default()
    };
    let server_config = ServerConfig {
        flow: config.flow.clone(),
        impressions: config.impressions.clone(),
        ..server_config(serve, &config.serve, &config.weights, &config.database_url)?
    };
    let server = Server::bind(server_config, store)
        .await
        .context("starting the server")?;
    let engine = server.state().engine.clone();

    let options = RecommendOptions {
        n: SHOWN,
        ..RecommendOptions::default()
    };
    let list = engine.recommend(&user, &options).await?;
    println!(
        "\nuser {user} rated {} films, {} of them {}; they are recommended:",
        taste.rated, taste.in_genre, taste.genre
    );
    print_list(&list);

    let (Some(first), Some(second)) = (list.items.first(), list.items.get(1)) else {
        anyhow::bail!("user {user} got fewer than two recommendations");
    };
    let base = format!("http://{}", server.local_addr());
    if args.no_serve {
        println!("\nrun `orrery serve` to serve these over HTTP, with the dashboard at /dashboard");
        server.state().engine.store().close().await;
        return Ok(());
    }
    println!(
        "\nserving on {base}: dashboard at {base}/dashboard, API docs at {base}/docs; Ctrl-C stops\n"
    );
    println!("# {user}'s recommendations, each with why it is there");
    println!("curl -s '{base}/recommendations/{user}?n={SHOWN}'");
    println!("# what resembles {}", first.record.title);
    println!(
        "curl -s '{base}/items/{}/similar?n={SHOWN}'",
        first.record.id
    );
    println!(
        "# {user} rates {} 5 of 5; their next list leaves it out and follows the rating",
        second.record.title
    );
    println!(
        "curl -s -X POST '{base}/interactions' -H 'Content-Type: application/json' -d '{{\"user_id\": \"{user}\", \"item_id\": \"{}\", \"kind\": \"rating\", \"value\": 5}}'",
        second.record.id
    );
    println!("curl -s '{base}/recommendations/{user}?n={SHOWN}'");
    eprintln!("orrery serving on {base}");
    server.run(shutdown_signal()).await.context("serving")?;
    eprintln!("orrery stopped");
    Ok(())
}

/// The records of the demo catalog, read back from the files `orrery generate` writes
/// (in a folder of the temporary directory, removed afterwards).
fn generated_records(seed: u64) -> Result<Vec<Record>> {
    let dir = std::env::temp_dir().join(format!("orrery-demo-{}", std::process::id()));
    let read = write_synthetic(&demo_data(seed), &dir)
        .map_err(anyhow::Error::from)
        .and_then(|_| {
            Import::open(&dir, &ImportOptions::default())?
                .collect::<Result<Vec<Record>, _>>()
                .map_err(anyhow::Error::from)
        });
    let _ = std::fs::remove_dir_all(&dir);
    read.context("generating the demo catalog")
}

/// What a user's ratings say of their taste.
struct Taste {
    genre: String,
    rated: usize,
    in_genre: usize,
}

/// The user whose ratings lean most to one genre (among those with at least 20), so that
/// the list can be read against a clear taste; ties go to the first user.
fn clearest_taste(records: &[Record]) -> Option<(String, Taste)> {
    let mut genre_of: HashMap<&str, &str> = HashMap::new();
    let mut rated: Vec<(&str, HashMap<&str, usize>, usize)> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for record in records {
        match record {
            Record::Item(item) => {
                if let Some(first) = item.categories.first() {
                    genre_of.insert(&item.id, &first.value);
                }
            }
            Record::Interaction(e) => {
                let at = *position.entry(&e.user).or_insert_with(|| {
                    rated.push((&e.user, HashMap::new(), 0));
                    rated.len() - 1
                });
                let (_, genres, total) = &mut rated[at];
                *total += 1;
                if let Some(genre) = genre_of.get(e.item.as_str()) {
                    *genres.entry(genre).or_default() += 1;
                }
            }
            Record::User(_) => {}
        }
    }
    rated
        .into_iter()
        .filter(|(_, _, total)| *total >= 20)
        .filter_map(|(user, genres, total)| {
            let (genre, count) = genres
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))?;
            Some((user, genre, count, total))
        })
        .fold(
            None,
            |best: Option<(&str, &str, usize, usize)>, next| match best {
                Some(b) if b.2 * next.3 >= next.2 * b.3 => Some(b),
                _ => Some(next),
            },
        )
        .map(|(user, genre, in_genre, rated)| {
            (
                user.to_owned(),
                Taste {
                    genre: genre.to_owned(),
                    rated,
                    in_genre,
                },
            )
        })
}

/// The list as numbered lines: title, genres, id and why.
fn print_list(list: &Recommendations) {
    for (rank, item) in list.items.iter().enumerate() {
        let title = if item.record.title.is_empty() {
            &item.record.id
        } else {
            &item.record.title
        };
        let genres: Vec<&str> = item
            .record
            .categories
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        println!(
            "  {}. {title} [{}] ({}): {}",
            rank + 1,
            genres.join(", "),
            item.record.id,
            item.explanation
        );
    }
}
