//! `orrery demo` as a new user runs it: it stores, trains and serves, and the requests it
//! prints work as printed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{Process, TestDb, orrery_command};

/// Runs one printed shell line (a `curl` command) and returns what it printed.
fn run_printed(line: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(line)
        .output()
        .expect("running sh");
    assert!(out.status.success(), "{line}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    list["recommendations"]
        .as_array()
        .unwrap_or_else(|| panic!("no recommendations: {list}"))
        .iter()
        .map(|r| r["item_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_demo_serves_and_its_printed_requests_answer() {
    let db = TestDb::sqlite();
    let mut child = orrery_command(&db.url, &["demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let pid = child.id();
    let mut demo = Process(child);

    // Stdout up to the last printed request; stderr until the server says it serves.
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("orrery serving on ") {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(600))
        .expect("the demo did not start serving");
    // Stdout is read on its own thread: wait for the last printed request, however the
    // two pipes' readers interleave.
    let mut printed: Vec<String> = Vec::new();
    while printed.iter().filter(|l| l.starts_with("curl ")).count() < 4 {
        match lines_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => printed.push(line),
            Err(_) => panic!("the demo printed no four requests:\n{}", printed.join("\n")),
        }
    }
    let text = printed.join("\n");

    // The terminal shows a user's top 5, each with a reason.
    let top: Vec<&String> = printed
        .iter()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(top.len(), 5, "{text}");
    assert!(top.iter().all(|l| l.contains("): ")), "{text}");
    assert!(text.contains("/dashboard"), "{text}");

    let curls: Vec<&String> = printed.iter().filter(|l| l.starts_with("curl ")).collect();
    assert_eq!(curls.len(), 4, "{text}");
    let before: serde_json::Value = serde_json::from_str(&run_printed(curls[0])).unwrap();
    let before = ids(&before);
    assert_eq!(before.len(), 5, "{before:?}");
    let similar: serde_json::Value = serde_json::from_str(&run_printed(curls[1])).unwrap();
    assert!(
        !similar["similar"].as_array().unwrap().is_empty(),
        "{similar}"
    );
    let rated: serde_json::Value = serde_json::from_str(&run_printed(curls[2])).unwrap();
    assert_eq!(rated["stored"], 1, "{rated}");
    let rated_item = rated["interactions"][0]["item_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        before.contains(&rated_item),
        "{rated_item} not in {before:?}"
    );
    let after: serde_json::Value = serde_json::from_str(&run_printed(curls[3])).unwrap();
    let after = ids(&after);
    assert!(
        !after.contains(&rated_item),
        "{after:?} still lists {rated_item}"
    );
    assert_ne!(before, after);

    // Ctrl-C stops it cleanly.
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = demo.0.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the demo did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn without_serving_the_demo_shows_the_list_and_exits() {
    let db = TestDb::sqlite();
    let out = db.ok(&["demo", "--no-serve"]);
    let top = out
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert_eq!(top, 5, "{out}");
    assert!(out.contains("orrery serve"), "{out}");
    // A second run finds the data stored and trains a new version.
    let again = db.ok(&["demo", "--no-serve"]);
    assert!(again.contains("(40000 already there)"), "{again}");
}
