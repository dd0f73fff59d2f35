//! Crash safety of the real `orrery serve`: acknowledged writes survive a SIGKILL, and no
//! bulk write is half applied.
//!
//! On each backend the test starts `orrery serve` on 127.0.0.1:0, streams feedback
//! (`POST /recommendations/feedback`), single interactions (`POST /interactions`) and bulk
//! ratings (`POST /ratings/`, 500 ratings a request) from several clients, starts an
//! `orrery import` of 600,000 interactions in a child process, and kills both processes
//! with SIGKILL while requests and the import are in flight. It then restarts the server on
//! the same database and checks, through the restarted server, that
//!
//! - every event whose request was answered 201 is stored;
//! - every bulk request is stored whole or not at all, and whole when it was answered;
//! - the import is stored whole or not at all.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{TestDb, orrery_command};
use serde_json::{Value, json};

/// Clients streaming at once.
const CLIENTS: usize = 4;
/// Users each client writes for (their events never collide with another client's).
const USERS_PER_CLIENT: usize = 10;
/// Catalog size; also the size of every bulk ratings request.
const ITEMS: usize = 500;
/// Users that receive bulk ratings, one user per request.
const BULK_USERS: usize = 400;
/// Users and interactions in the imported file.
const IMPORT_USERS: usize = 1_000;
const IMPORT_PER_USER: usize = 600;
/// Events acknowledged before the import starts, and how long the import runs before the
/// kill.
const ACKED_BEFORE_IMPORT: usize = 150;
const IMPORT_RUNS_FOR: Duration = Duration::from_millis(1_000);

/// One event whose request was answered 201.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Acked {
    user: String,
    item: String,
    kind: &'static str,
}

#[derive(Default)]
struct Log {
    events: Vec<Acked>,
    /// Bulk users whose ratings request was sent, and whether it was answered 201.
    bulk: BTreeMap<usize, bool>,
}

fn stream_user(client: usize, i: usize) -> String {
    format!("s{}", client * USERS_PER_CLIENT + i % USERS_PER_CLIENT)
}

fn item(j: usize) -> String {
    format!("c{}", j % ITEMS)
}

/// Writes the catalog, the users and the file to import into `dir`.
fn write_files(dir: &std::path::Path) {
    let mut users = String::from("user_id\n");
    for u in 0..CLIENTS * USERS_PER_CLIENT {
        users.push_str(&format!("s{u}\n"));
    }
    for b in 0..BULK_USERS {
        users.push_str(&format!("b{b}\n"));
    }
    std::fs::write(dir.join("users.csv"), users).unwrap();
    let mut items = String::from("item_id,title\n");
    for j in 0..ITEMS {
        items.push_str(&format!("c{j},Item {j}\n"));
    }
    std::fs::write(dir.join("items.csv"), items).unwrap();
    let mut import = std::io::BufWriter::new(std::fs::File::create(dir.join("bulk.csv")).unwrap());
    writeln!(import, "user,item,rating,timestamp").unwrap();
    for u in 0..IMPORT_USERS {
        for k in 0..IMPORT_PER_USER {
            let rating = 1 + (u + k) % 5;
            writeln!(import, "imp{u},imp-item{k},{rating},{}", 1_600_000_000 + k).unwrap();
        }
    }
    import.flush().unwrap();
}

/// Starts `orrery serve` on an ephemeral port and returns it with its base URL.
fn serve(db: &TestDb) -> (Child, String) {
    common::spawn_server(&db.url, &["--registry-poll", "0"])
}

fn sigkill(child: &mut Child) {
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
}

/// One client: feedback, single interactions and, every tenth request, a bulk request of
/// ratings, until `stop`.
async fn client_loop(
    http: reqwest::Client,
    base: String,
    client: usize,
    log: Arc<std::sync::Mutex<Log>>,
    next_bulk: Arc<AtomicUsize>,
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    const FEEDBACK: [(&str, &str); 3] = [
        ("positive", "like"),
        ("negative", "skip"),
        ("neutral", "view"),
    ];
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let user = stream_user(client, i);
        let it = item(i / USERS_PER_CLIENT);
        let (path, body, event) = match i % 10 {
            9 => {
                let b = next_bulk.fetch_add(1, Ordering::Relaxed);
                if b >= BULK_USERS {
                    continue;
                }
                let ratings: Vec<Value> = (0..ITEMS)
                    .map(|j| json!({"user_id": format!("b{b}"), "movie_id": item(j), "rating": 1 + (b + j) % 5}))
                    .collect();
                log.lock().unwrap().bulk.insert(b, false);
                let sent = http
                    .post(format!("{base}/ratings/"))
                    .json(&ratings)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 201 => {
                        log.lock().unwrap().bulk.insert(b, true);
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => panic!("bulk ratings answered {}", r.status()),
                    Err(_) => break,
                }
                continue;
            }
            k if k % 2 == 0 => {
                let (feedback, kind) = FEEDBACK[i % 3];
                (
                    "/recommendations/feedback",
                    json!({"user_id": user, "content_id": it, "feedback_type": feedback}),
                    Acked {
                        user,
                        item: it,
                        kind,
                    },
                )
            }
            _ => (
                "/interactions",
                json!({"user_id": user, "item_id": it, "type": "click", "timestamp": 1_700_000_000 + i}),
                Acked {
                    user,
                    item: it,
                    kind: "click",
                },
            ),
        };
        match http.post(format!("{base}{path}")).json(&body).send().await {
            Ok(r) if r.status() == 201 => {
                log.lock().unwrap().events.push(event);
                acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => panic!(
                "{path} answered {}: {}",
                r.status(),
                r.text().await.unwrap_or_default()
            ),
            // The server is gone: what was in flight is not acknowledged.
            Err(_) => break,
        }
    }
}

/// GET `/users/{id}/interactions`: (item, kind) pairs and the total.
async fn history(
    http: &reqwest::Client,
    base: &str,
    user: &str,
) -> (BTreeSet<(String, String)>, u64) {
    let response = http
        .get(format!("{base}/users/{user}/interactions?limit=1000"))
        .send()
        .await
        .unwrap();
    if response.status() == 404 {
        return (BTreeSet::new(), 0);
    }
    assert_eq!(response.status(), 200, "history of {user}");
    let body: Value = response.json().await.unwrap();
    let pairs = body["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["item_id"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (pairs, body["total"].as_u64().unwrap())
}

#[test]
fn acknowledged_writes_survive_a_sigkill_and_no_bulk_write_is_half_applied() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    for db in TestDb::all() {
        let backend = if db.url.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        };
        db.ok(&[
            "import",
            dir.path().join("users.csv").to_str().unwrap(),
            "--entity",
            "users",
        ]);
        db.ok(&[
            "import",
            dir.path().join("items.csv").to_str().unwrap(),
            "--entity",
            "items",
        ]);

        let (mut server, base) = serve(&db);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Log::default()));
        let acked = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let next_bulk = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                runtime.spawn(client_loop(
                    http.clone(),
                    base.clone(),
                    c,
                    log.clone(),
                    next_bulk.clone(),
                    acked.clone(),
                    stop.clone(),
                ))
            })
            .collect();

        // Stream, start the import, let both run, then kill the server and the import.
        let started = Instant::now();
        while acked.load(Ordering::Relaxed) < ACKED_BEFORE_IMPORT {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{backend}: the stream stalled"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut import = orrery_command(
            &db.url,
            &[
                "import",
                dir.path().join("bulk.csv").to_str().unwrap(),
                "--entity",
                "interactions",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let import_started = Instant::now();
        std::thread::sleep(IMPORT_RUNS_FOR);
        let import_running = import.try_wait().unwrap().is_none();
        sigkill(&mut server);
        sigkill(&mut import);
        let streamed_for = started.elapsed();
        let import_status = import.wait().unwrap();
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        runtime.block_on(async {
            for c in clients {
                c.await.expect("a client panicked");
            }
        });
        let log = std::mem::take(&mut *log.lock().unwrap());
        let bulk_acked = log.bulk.values().filter(|ok| **ok).count();
        println!(
            "{backend}: {} events and {bulk_acked} bulk requests of {ITEMS} ratings acknowledged \
             in {streamed_for:.2?}; {} bulk requests in flight at the kill; the import was \
             {} after {:.2?}",
            log.events.len(),
            log.bulk.len() - bulk_acked,
            if import_running {
                "running (killed)"
            } else {
                "finished"
            },
            import_started.elapsed().min(IMPORT_RUNS_FOR),
        );
        assert!(
            log.events.len() >= ACKED_BEFORE_IMPORT / 2,
            "{backend}: too few events"
        );

        // Restart on the same database and check through the restarted server.
        let (mut server, base) = serve(&db);
        runtime.block_on(async {
            let mut expected: BTreeMap<&str, Vec<&Acked>> = BTreeMap::new();
            for e in &log.events {
                expected.entry(e.user.as_str()).or_default().push(e);
            }
            for (user, events) in expected {
                let (stored, _) = history(&http, &base, user).await;
                for e in events {
                    assert!(
                        stored.contains(&(e.item.clone(), e.kind.to_owned())),
                        "{backend}: acknowledged {e:?} was lost"
                    );
                }
            }
            for (b, was_acked) in &log.bulk {
                let (_, total) = history(&http, &base, &format!("b{b}")).await;
                assert!(
                    total == 0 || total == ITEMS as u64,
                    "{backend}: bulk request for b{b} half applied: {total} of {ITEMS} ratings"
                );
                if *was_acked {
                    assert_eq!(
                        total, ITEMS as u64,
                        "{backend}: acknowledged bulk request for b{b} lost"
                    );
                }
            }
            let mut imported = 0;
            for u in 0..IMPORT_USERS {
                imported += history(&http, &base, &format!("imp{u}")).await.1;
            }
            let whole = (IMPORT_USERS * IMPORT_PER_USER) as u64;
            assert!(
                imported == 0 || imported == whole,
                "{backend}: the import is half applied: {imported} of {whole} interactions"
            );
            if import_status.success() {
                assert_eq!(imported, whole, "{backend}: a finished import was lost");
            }
            println!(
                "{backend}: after the restart the import holds {imported} of {whole} interactions"
            );
        });
        sigkill(&mut server);
        server.wait().unwrap();
    }
}
