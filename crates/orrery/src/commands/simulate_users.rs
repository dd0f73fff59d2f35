//! `orrery simulate-users`: a population with planted tastes
//! ([`orrery_data::population`]) rehearses an experiment against a running server over
//! HTTP: each simulated request asks for a user's list, clicks each shown item with the
//! user's planted affinity to it (a click becomes a like, a conversion, with the same
//! probability again), and sends what was clicked back with the list's
//! `recommendation_id`. The report sets what the server's lists earned beside what the
//! planted affinities say they should have earned, per experiment variant, and follows
//! the new items (`--fresh-items`): how many lists showed each, quarter by quarter of the
//! requests, and how many of those through the exploration slot.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use orrery_core::rng::stream;
use orrery_data::population::{Population, PopulationConfig};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Simulated users with planted tastes request lists from a running server, click what
/// they like with their planted probability and send each click back with its list's
/// recommendation_id; the report compares each experiment variant's click-through with
/// what the planted tastes predict.
#[derive(Debug, clap::Args)]
pub struct SimulateUsersArgs {
    /// The server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// The server's admin key (storing items needs it when the server has one).
    #[arg(long, env = "ORRERY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Simulated users.
    #[arg(long, default_value_t = PopulationConfig::default().users)]
    pub users: u32,
    /// Items with a history.
    #[arg(long, default_value_t = PopulationConfig::default().items)]
    pub items: u32,
    /// New items without any history.
    #[arg(long, default_value_t = PopulationConfig::default().fresh_items)]
    pub fresh_items: u32,
    /// Genres (2–18).
    #[arg(long, default_value_t = PopulationConfig::default().genres)]
    pub genres: u32,
    /// Items in each user's history.
    #[arg(long, default_value_t = PopulationConfig::default().history)]
    pub history: u32,
    /// Seed of the population and of the clicks: the same seed is the same population.
    #[arg(long, default_value_t = PopulationConfig::default().seed)]
    pub seed: u64,
    /// Which rehearsal on this population: each round draws other requests and clicks
    /// from the same users.
    #[arg(long, default_value_t = 0)]
    pub round: u32,
    /// Store the catalog, the users and their histories on the server first.
    #[arg(long)]
    pub setup: bool,
    /// Lists to request (0: only the setup).
    #[arg(long, default_value_t = 2_000)]
    pub requests: u32,
    /// Items per list.
    #[arg(long, default_value_t = 10)]
    pub n: u32,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// The variant the others are compared with.
    #[arg(long, default_value = "control")]
    pub control: String,
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// What one variant's lists earned, observed and planted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantOutcome {
    /// Lists served.
    pub lists: u64,
    /// Items shown.
    pub shown: u64,
    /// Items clicked.
    pub clicks: u64,
    /// Items liked (conversions).
    pub conversions: u64,
    /// The expected clicks: the sum of the planted affinities of the shown items.
    pub planted_clicks: f64,
    /// Clicks over items shown.
    pub ctr: f64,
    /// Planted clicks over items shown.
    pub planted_ctr: f64,
    /// The CTR's lift against the control (`None` for the control, or without one).
    pub lift: Option<f64>,
    /// The planted CTR's lift against the control.
    pub planted_lift: Option<f64>,
}

/// How one new item fared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FreshItemOutcome {
    /// The item.
    pub item_id: String,
    /// Its planted appeal.
    pub appeal: f64,
    /// The share of the catalog's items with an appeal as high or higher (0.05: in the
    /// top 5 %).
    pub appeal_rank: f64,
    /// Lists that showed it, in each quarter of the requests.
    pub lists: [u64; 4],
    /// Of all those lists, the ones that showed it in the exploration slot.
    pub explored: u64,
    /// Its clicks.
    pub clicks: u64,
}

/// The simulation's report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimulationReport {
    /// Lists requested.
    pub requests: u32,
    /// Seconds the requests took.
    pub seconds: f64,
    /// Per variant (`-` for lists served outside any experiment).
    pub variants: BTreeMap<String, VariantOutcome>,
    /// The new items, by appeal, the highest first.
    pub fresh: Vec<FreshItemOutcome>,
}

/// What the requests tallied.
#[derive(Default)]
struct Tally {
    variants: BTreeMap<String, VariantOutcome>,
    /// By population item index (new items only).
    fresh: BTreeMap<usize, FreshItemOutcome>,
}

/// The simulation's clock: events carry times of their own rather than the server's
/// clock, so that a rehearsal's histories have the same order on every run (the order of
/// events within one second of the wall clock would otherwise depend on timing). It
/// starts four days before today: histories first, then each round's requests a second
/// apart.
#[derive(Debug, Clone, Copy)]
struct Clock {
    start: i64,
}

impl Clock {
    fn today() -> Clock {
        let now = chrono::Utc::now().timestamp();
        Clock {
            start: (now / 86_400 - 4) * 86_400,
        }
    }

    /// The time of the `k`-th event of the histories.
    fn history(self, k: usize) -> i64 {
        self.start + k as i64
    }

    /// The time of request `r` of round `round` (never later than now).
    fn request(self, round: u32, r: u32) -> i64 {
        let at = self.start + 86_400 + i64::from(round) * 10_000 + i64::from(r);
        at.min(chrono::Utc::now().timestamp())
    }
}

/// Talks to the server.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    key: Option<String>,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.header("X-API-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}: is the server at {} running?", self.base))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

pub async fn run(args: SimulateUsersArgs) -> Result<()> {
    let report = simulate(&args).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(())
}

/// Sets the population up if asked, then runs the requests.
pub async fn simulate(args: &SimulateUsersArgs) -> Result<SimulationReport> {
    if args.concurrency == 0 || args.n == 0 {
        bail!("--concurrency and --n must be at least 1");
    }
    let population = Arc::new(Population::new(PopulationConfig {
        users: args.users,
        items: args.items,
        fresh_items: args.fresh_items,
        genres: args.genres,
        history: args.history,
        seed: args.seed,
    })?);
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
        base: args.server.trim_end_matches('/').to_owned(),
        key: args.api_key.clone(),
    };
    let clock = Clock::today();
    if args.setup {
        set_up(&client, &population, clock).await?;
    }
    let started = Instant::now();
    let next = Arc::new(AtomicU32::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (client, population, next, tally) = (
            client.clone(),
            population.clone(),
            next.clone(),
            tally.clone(),
        );
        let (requests, n, round) = (args.requests, args.n, args.round);
        let seed = args.seed ^ u64::from(round) << 40;
        workers.spawn(async move {
            loop {
                let r = next.fetch_add(1, Ordering::Relaxed);
                if r >= requests {
                    return anyhow::Ok(());
                }
                let at = clock.request(round, r);
                let quarter = (u64::from(r) * 4 / u64::from(requests)) as usize;
                let request = Request { r, n, at, quarter };
                one_request(&client, &population, seed, request, &tally).await?;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    let tally = Arc::try_unwrap(tally)
        .ok()
        .and_then(|t| t.into_inner().ok())
        .unwrap_or_default();
    let mut variants = tally.variants;
    for outcome in variants.values_mut() {
        let shown = outcome.shown.max(1) as f64;
        outcome.ctr = outcome.clicks as f64 / shown;
        outcome.planted_ctr = outcome.planted_clicks / shown;
    }
    let control = variants.get(&args.control).map(|c| (c.ctr, c.planted_ctr));
    if let Some((ctr, planted)) = control {
        for (name, outcome) in variants.iter_mut() {
            if *name != args.control {
                outcome.lift = (ctr > 0.0).then(|| outcome.ctr / ctr - 1.0);
                outcome.planted_lift = (planted > 0.0).then(|| outcome.planted_ctr / planted - 1.0);
            }
        }
    }
    Ok(SimulationReport {
        requests: args.requests,
        seconds: started.elapsed().as_secs_f64(),
        variants,
        fresh: fresh_outcomes(&population, tally.fresh),
    })
}

/// Every new item's outcome (those never shown too), the most appealing first.
fn fresh_outcomes(
    population: &Population,
    mut tallied: BTreeMap<usize, FreshItemOutcome>,
) -> Vec<FreshItemOutcome> {
    let items = population.items();
    let mut fresh: Vec<FreshItemOutcome> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.fresh)
        .map(|(index, item)| {
            let as_high = items.iter().filter(|i| i.appeal >= item.appeal).count();
            FreshItemOutcome {
                item_id: item.id.clone(),
                appeal: item.appeal,
                appeal_rank: as_high as f64 / items.len() as f64,
                ..tallied.remove(&index).unwrap_or_default()
            }
        })
        .collect();
    fresh.sort_by(|a, b| b.appeal.total_cmp(&a.appeal));
    fresh
}

/// Stores the catalog, the users and their histories.
async fn set_up(client: &Client, population: &Population, clock: Clock) -> Result<()> {
    for item in population.items() {
        let body = json!({"item_id": item.id, "title": item.title, "genres": [item.genre]});
        client
            .send(reqwest::Method::POST, "/items", Some(&body))
            .await?;
    }
    for user in 0..population.config().users {
        let body = json!({"user_id": Population::user_id(user)});
        client
            .send(reqwest::Method::POST, "/users", Some(&body))
            .await?;
    }
    let events: Vec<Value> = population
        .histories()
        .into_iter()
        .enumerate()
        .map(|(k, (user, item))| {
            json!({
                "user_id": Population::user_id(user),
                "item_id": population.items()[item].id,
                "kind": "like",
                "timestamp": clock.history(k),
            })
        })
        .collect();
    for batch in events.chunks(1_000) {
        client
            .send(
                reqwest::Method::POST,
                "/interactions",
                Some(&Value::Array(batch.to_vec())),
            )
            .await?;
    }
    Ok(())
}

/// Which request this is, and when.
#[derive(Debug, Clone, Copy)]
struct Request {
    /// Its number.
    r: u32,
    /// Items per list.
    n: u32,
    /// The simulation's time of it.
    at: i64,
    /// The quarter of the requests it falls in.
    quarter: usize,
}

/// Request `r`: a user's list, their clicks on it, and the clicks sent back.
async fn one_request(
    client: &Client,
    population: &Population,
    seed: u64,
    Request { r, n, at, quarter }: Request,
    tally: &Mutex<Tally>,
) -> Result<()> {
    // Each request draws from a stream of its own, so that concurrency does not change
    // who asks and what they click.
    let mut rng = stream(seed, 1 << 32 | u64::from(r));
    let user = rng.random_range(0..population.config().users);
    let user_id = Population::user_id(user);
    let list = client
        .send(
            reqwest::Method::GET,
            &format!("/recommendations/{user_id}?n={n}"),
            None,
        )
        .await?;
    let variant = list["variant"].as_str().unwrap_or("-").to_owned();
    let list_id = list["recommendation_id"].as_str().map(str::to_owned);
    let listed: &[Value] = list["recommendations"]
        .as_array()
        .map_or(&[], Vec::as_slice);
    let shown: Vec<&str> = listed
        .iter()
        .filter_map(|i| i["item_id"].as_str())
        .collect();
    // (population index, explored, clicked) of each new item shown.
    let mut fresh: Vec<(usize, bool, bool)> = Vec::new();
    let mut outcome = VariantOutcome {
        lists: 1,
        shown: shown.len() as u64,
        ..VariantOutcome::default()
    };
    let mut events = Vec::new();
    for (item_id, listed) in shown.iter().zip(listed) {
        let index = population.item_index(item_id);
        let affinity = index.map_or(0.0, |item| population.affinity(user, item));
        outcome.planted_clicks += affinity;
        let clicked = rng.random::<f64>() < affinity;
        if let Some(index) = index.filter(|&i| population.items()[i].fresh) {
            let explored = listed["sources"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == "exploration"));
            fresh.push((index, explored, clicked));
        }
        if clicked {
            let liked = rng.random::<f64>() < affinity;
            outcome.clicks += 1;
            outcome.conversions += u64::from(liked);
            events.push(json!({
                "user_id": user_id,
                "item_id": item_id,
                "kind": if liked { "like" } else { "click" },
                "recommendation_id": list_id,
                "timestamp": at,
            }));
        }
    }
    if !events.is_empty() {
        client
            .send(
                reqwest::Method::POST,
                "/interactions",
                Some(&Value::Array(events)),
            )
            .await?;
    }
    let mut tally = tally
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for (index, explored, clicked) in fresh {
        let entry = tally.fresh.entry(index).or_default();
        entry.lists[quarter] += 1;
        entry.explored += u64::from(explored);
        entry.clicks += u64::from(clicked);
    }
    let entry = tally.variants.entry(variant).or_default();
    entry.lists += outcome.lists;
    entry.shown += outcome.shown;
    entry.clicks += outcome.clicks;
    entry.conversions += outcome.conversions;
    entry.planted_clicks += outcome.planted_clicks;
    Ok(())
}

fn print_report(report: &SimulationReport) {
    println!(
        "{} lists in {:.1} s ({:.0} lists/s)",
        report.requests,
        report.seconds,
        f64::from(report.requests) / report.seconds.max(1e-9)
    );
    println!(
        "{:<16} {:>7} {:>8} {:>7} {:>8} {:>12} {:>9} {:>13}",
        "variant", "lists", "shown", "clicks", "CTR", "planted CTR", "lift", "planted lift"
    );
    let lift =
        |l: Option<f64>| l.map_or_else(|| "-".to_owned(), |l| format!("{:+.1} %", l * 100.0));
    for (name, v) in &report.variants {
        println!(
            "{:<16} {:>7} {:>8} {:>7} {:>8.4} {:>12.4} {:>9} {:>13}",
            name,
            v.lists,
            v.shown,
            v.clicks,
            v.ctr,
            v.planted_ctr,
            lift(v.lift),
            lift(v.planted_lift)
        );
    }
    if report.fresh.is_empty() {
        return;
    }
    println!(
        "\nnew items: lists that showed each, by quarter of the requests\n{:<12} {:>6} {:>8} {:>27} {:>9} {:>7}",
        "item", "appeal", "top %", "lists per quarter", "explored", "clicks"
    );
    for f in &report.fresh {
        let quarters = f.lists.map(|l| format!("{l:>6}")).join(" ");
        println!(
            "{:<12} {:>6.3} {:>8.1} {:>27} {:>9} {:>7}",
            f.item_id,
            f.appeal,
            f.appeal_rank * 100.0,
            quarters,
            f.explored,
            f.clicks
        );
    }
}
