//! `orrery serve` configured by `orrery.toml` alone, the environment and flags over it, and
//! an unknown key refused by name.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::Process;

/// `orrery ARGS…` in `dir`, with no configuration from this process's environment.
fn orrery_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orrery"));
    cmd.args(args).current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("ORRERY_") || name == "DATABASE_URL" {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Starts the server and returns it with the address it announced.
fn serve(mut cmd: Command) -> (Process, String) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Process(child);
    let mut lines = BufReader::new(stderr).lines();
    let announced = loop {
        let line = lines
            .next()
            .expect("the server ended before it announced its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("orrery serving on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (server, announced)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn health(addr: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::get(format!("http://{addr}/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[test]
fn a_server_configured_by_its_file_alone_binds_where_the_file_says() {
    let dir = tempfile::tempdir().unwrap();
    let (from_file, from_env, from_flag) = (free_port(), free_port(), free_port());
    std::fs::write(
        dir.path().join("orrery.toml"),
        format!(
            "database_url = \"sqlite://{}\"\n\n[serve]\nbind = \"127.0.0.1:{from_file}\"\ncache_ttl_secs = 30\n",
            dir.path().join("file.db").display()
        ),
    )
    .unwrap();

    let (server, addr) = serve(orrery_in(dir.path(), &["serve"]));
    assert_eq!(addr, format!("127.0.0.1:{from_file}"));
    let report = health(&addr);
    assert_eq!(report["database"]["backend"], "sqlite", "{report}");
    assert_eq!(report["cache"]["status"], "off", "{report}");
    drop(server);
    assert!(
        dir.path().join("file.db").exists(),
        "the file's database_url was used"
    );

    // The environment wins over the file, and a flag over both.
    let mut cmd = orrery_in(dir.path(), &["serve"]);
    cmd.env("ORRERY_BIND", format!("127.0.0.1:{from_env}"));
    let (server, addr) = serve(cmd);
    assert_eq!(addr, format!("127.0.0.1:{from_env}"));
    drop(server);
    let bind = format!("127.0.0.1:{from_flag}");
    let mut cmd = orrery_in(dir.path(), &["serve", "--bind", &bind]);
    cmd.env("ORRERY_BIND", format!("127.0.0.1:{from_env}"));
    let (server, addr) = serve(cmd);
    assert_eq!(addr, bind);
    drop(server);
}

#[test]
fn an_unknown_key_stops_the_command_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("orrery.toml"),
        "[serve]\nbind = \"127.0.0.1:0\"\nredis_ttl = 5\n",
    )
    .unwrap();
    let out = orrery_in(dir.path(), &["serve"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`redis_ttl`"), "{stderr}");
    assert!(stderr.contains("orrery.toml"), "{stderr}");
}

/// Settings that look like credentials or a lifetime but cannot protect anything are
/// refused before the server listens, with the flag that set them named.
#[test]
fn blank_secrets_and_unworkable_token_lifetimes_are_refused_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weak.db").display());
    let secret = "a-jwt-secret-long-enough";
    let blank_secret = " ".repeat(16);
    let cases: [(&[&str], &str); 5] = [
        (&["--api-key", " ", "--jwt-secret", secret], "--api-key"),
        (
            &["--api-key", "k3y", "--jwt-secret", &blank_secret],
            "--jwt-secret",
        ),
        (&["--token-ttl", "18446744073709551615"], "--token-ttl"),
        (&["--token-ttl", "0"], "--token-ttl"),
        (&["--token-ttl", "99999999999"], "--token-ttl"),
    ];
    for (flags, named) in cases {
        let mut args = vec!["--database-url", &url, "serve", "--bind", "127.0.0.1:0"];
        args.extend_from_slice(flags);
        let mut cmd = orrery_in(dir.path(), &args);
        // A server that accepted the settings would run until killed.
        let mut server = Process(
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let stderr = server.0.stderr.take().unwrap();
        let mut log = String::new();
        let mut served = false;
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            if line.starts_with("orrery serving on") {
                served = true;
                break;
            }
            log.push_str(&line);
            log.push('\n');
        }
        // Stops a server that accepted the settings, and reaps one that refused them.
        let _ = server.0.kill();
        let status = server.0.wait().unwrap();
        assert!(
            !served && !status.success(),
            "{flags:?} was accepted: the server started"
        );
        assert!(
            log.contains(named),
            "{flags:?}: the error must name {named}: {log}"
        );
    }
}
