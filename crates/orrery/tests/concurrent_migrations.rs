//! Two processes opening one new database at once both succeed: whichever comes second
//! waits for the first to create the schema instead of creating it again ("table users
//! already exists").

mod common;

use common::{TestDb, orrery_command};

/// Rounds per backend; before migrations took a lock, one process of the pair failed in
/// more than half of the rounds on SQLite.
const ROUNDS: usize = 10;

#[test]
fn two_processes_creating_one_database_both_succeed() {
    for round in 0..ROUNDS {
        // A new database each round: the race is in creating the schema.
        for db in TestDb::all() {
            let pair: Vec<_> = (0..2)
                .map(|_| {
                    orrery_command(&db.url, &["stats", "--json"])
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for child in pair {
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "round {round} on {}: one of two concurrent `orrery stats` failed:\n{}",
                    db.url,
                    String::from_utf8_lossy(&out.stderr)
                );
                let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(stats["users"], 0, "{stats}");
            }
        }
    }
}
