//! Passwords never reach the log: `orrery serve` at the most verbose log level, a sign-up,
//! a token, a password change and failed sign-ins, and the whole of its stderr searched for
//! the passwords.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use common::{TestDb, orrery_command};
use serde_json::json;

const FIRST: &str = "first-Clear-pw-31337";
const SECOND: &str = "second-Clear-pw-2718";
const WRONG: &str = "wrong-Clear-pw-1618";
const KEY: &str = "admin-key-that-must-not-be-logged";
/// A key a client put in a query string, where keys do not belong but end up.
const QUERY_KEY: &str = "query-key-that-must-not-be-logged";

#[test]
fn passwords_and_keys_are_not_logged_even_at_trace_level() {
    for db in TestDb::all() {
        let mut server = orrery_command(
            &db.url,
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--api-key",
                KEY,
                "--jwt-secret",
                "a-secret-of-enough-length",
            ],
        )
        .env("ORRERY_LOG", "trace")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let mut stderr = BufReader::new(server.stderr.take().unwrap());
        let mut log = String::new();
        let base = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "the server ended before it announced its address:\n{log}"
            );
            log.push_str(&line);
            if let Some(rest) = line.strip_prefix("orrery serving on ") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        let reader = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            rest
        });

        let runtime = tokio::runtime::Runtime::new().unwrap();
        let token = runtime.block_on(async {
            let http = reqwest::Client::new();
            let created = http
                .post(format!("{base}/users"))
                .json(&json!({"user_id": "lg", "email": "lg@example.org", "password": FIRST}))
                .send()
                .await
                .unwrap();
            assert_eq!(created.status(), 201);
            let token: serde_json::Value = http
                .post(format!("{base}/auth/token"))
                .form(&[("username", "lg@example.org"), ("password", FIRST)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = token["access_token"].as_str().unwrap().to_owned();
            let changed = http
                .put(format!("{base}/users/lg"))
                .bearer_auth(&token)
                .json(&json!({"password": SECOND}))
                .send()
                .await
                .unwrap();
            assert_eq!(changed.status(), 200);
            for password in [FIRST, WRONG] {
                let refused = http
                    .post(format!("{base}/auth/token"))
                    .form(&[("username", "lg@example.org"), ("password", password)])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(refused.status(), 401);
            }
            // A short password is refused with a message that must not quote it.
            let short = http
                .put(format!("{base}/users/lg"))
                .header("X-API-Key", KEY)
                .json(&json!({"password": "Short1"}))
                .send()
                .await
                .unwrap();
            assert_eq!(short.status(), 422);
            assert!(!short.text().await.unwrap().contains("Short1"));
            let listed = http
                .get(format!("{base}/items?api_key={QUERY_KEY}"))
                .send()
                .await
                .unwrap();
            assert_eq!(listed.status(), 200);
            token
        });
        // SAFETY: kill(2) on a child we spawned and have not reaped.
        unsafe { libc::kill(server.id() as i32, libc::SIGKILL) };
        server.wait().unwrap();
        log.push_str(&reader.join().unwrap());

        // The log is verbose enough to have seen the requests.
        assert!(
            log.contains("/auth/token"),
            "the log did not see the requests:\n{log}"
        );
        assert!(
            log.contains("/items"),
            "the log did not see the listing:\n{log}"
        );
        for secret in [
            FIRST,
            SECOND,
            WRONG,
            "Short1",
            KEY,
            QUERY_KEY,
            token.as_str(),
        ] {
            assert!(
                !log.contains(secret),
                "{}: the log holds {secret:?}",
                db.url
            );
        }
        println!(
            "{}: {} bytes of trace log, no secret in them",
            db.url,
            log.len()
        );
    }
}
