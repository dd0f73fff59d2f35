//! `orrery`: the command-line entry point of the Orrery recommendation engine.

mod commands;
mod config;
mod progress;
mod sys;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's malloc: the server allocates many short-lived
/// catalog-sized buffers per request, which glibc serves from contended arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use commands::{
    bench, demo, eval, experiment, generate, import, pipeline, serve, simulate, simulate_users,
    stats, train,
};
use config::{Config, GlobalArgs};

/// Orrery: a recommendation engine in one binary.
#[derive(Debug, Parser)]
#[command(name = "orrery", version, about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Store a demo catalog, train the default model, show a user's list and serve it.
    Demo(demo::DemoArgs),
    Eval(eval::EvalArgs),
    Experiment(experiment::ExperimentArgs),
    Import(import::ImportArgs),
    Simulate(simulate::SimulateArgs),
    SimulateUsers(simulate_users::SimulateUsersArgs),
    /// Generate a synthetic MovieLens-shaped dataset of any size (files).
    Generate(generate::GenerateArgs),
    Stats(stats::StatsArgs),
    Bench(bench::BenchArgs),
    // Boxed: its many options would make every command as large.
    Serve(Box<serve::ServeArgs>),
    Pipeline(pipeline::PipelineArgs),
    Train(train::TrainArgs),
}

fn main() -> std::process::ExitCode {
    sys::fix_compute_threads();
    restore_default_sigpipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORRERY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let config = Config::resolve(&cli.global)?;
    if !matches!(cli.command, Command::Serve(_)) {
        sys::without_huge_pages();
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => demo::run(args, &config).await,
            Command::Eval(args) => eval::run(args, &config).await,
            Command::Experiment(args) => experiment::run(args, &config).await,
            Command::Import(args) => import::run(args, &config).await,
            Command::Simulate(args) => simulate::run(args, &config).await,
            Command::SimulateUsers(args) => simulate_users::run(args).await,
            Command::Generate(args) => generate::run(args),
            Command::Stats(args) => stats::run(args, &config).await,
            Command::Bench(args) => bench::run(args, &config).await,
            Command::Serve(args) => serve::run(*args, &config).await,
            Command::Pipeline(args) => pipeline::run(args, &config).await,
            Command::Train(args) => train::run(args, &config).await,
        }
    });
    // Dropping a runtime waits for every blocking task, so a fit that a stopped command
    // left on its thread (it was cancelled, and recorded so, but an epoch can be long)
    // would keep the process alive; the commands have finished their own work by now.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    outcome
}

/// Lets `orrery … | head` end quietly: Rust ignores SIGPIPE, which turns a closed pipe
/// into a panic in `println!`; the default action ends the process as other Unix tools do.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
