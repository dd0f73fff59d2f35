//! `orrery experiment`: defines, starts, pauses, stops and reports A/B experiments on the
//! database directly; servers on it hear of each change and apply it at once.

use anyhow::{Context, Result, bail};
use orrery_engine::experiments::{
    self, Experiment, ExperimentAction, ExperimentReport, NewExperiment, Variant,
};

use crate::config::Config;

/// Define, run and read A/B experiments between variants of how lists are made.
#[derive(Debug, clap::Args)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Define an experiment (a draft until started).
    Create {
        /// Its id (letters, digits, `-`, `_`).
        id: String,
        /// A variant as NAME:SHARE[,KEY=VALUE…]; KEY is model_version, algorithm,
        /// cf_weight, mmr_lambda or preset. The first is the control. Example:
        /// `--variant control:0.5 --variant als:0.5,algorithm=als`.
        #[arg(
            long = "variant",
            value_name = "NAME:SHARE[,KEY=VALUE…]",
            required = true
        )]
        variants: Vec<String>,
        /// What it tests.
        #[arg(long, default_value = "")]
        description: String,
        /// The assignment's salt (random by default); another experiment's salt and
        /// shares assign users as it did.
        #[arg(long)]
        salt: Option<String>,
    },
    /// List the experiments.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an experiment's results.
    Show {
        /// The experiment.
        id: String,
        /// Print JSON (as `GET /experiments/{id}` answers).
        #[arg(long)]
        json: bool,
    },
    /// Start a draft or paused experiment.
    Start {
        /// The experiment.
        id: String,
    },
    /// Pause a running experiment (its users keep their variants when it starts again).
    Pause {
        /// The experiment.
        id: String,
    },
    /// Stop an experiment for good.
    Stop {
        /// The experiment.
        id: String,
    },
    /// Delete an experiment that is not running.
    Delete {
        /// The experiment.
        id: String,
    },
}

pub async fn run(args: ExperimentArgs, config: &Config) -> Result<()> {
    let store = config.open_store().await?;
    let outcome = act(args.action, config, &store).await;
    store.close().await;
    outcome
}

async fn act(action: Action, config: &Config, store: &orrery_store::Store) -> Result<()> {
    match action {
        Action::Create {
            id,
            variants,
            description,
            salt,
        } => {
            let variants = variants
                .iter()
                .map(|text| parse_variant(text))
                .collect::<Result<Vec<_>>>()?;
            let new = NewExperiment {
                id,
                description,
                variants,
                salt,
            };
            let created = experiments::create(store, &config.flow.presets, new).await?;
            println!(
                "experiment {} created as a draft: start it with `orrery experiment start {}`",
                created.id, created.id
            );
            print_variants(&created);
        }
        Action::List { json } => {
            let all = experiments::list(store).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("no experiment: define one with `orrery experiment create`");
            } else {
                for experiment in &all {
                    let names: Vec<&str> = experiment
                        .variants
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect();
                    println!(
                        "{:<24} {:<8} {}",
                        experiment.id,
                        experiment.status.as_str(),
                        names.join(" / ")
                    );
                }
            }
        }
        Action::Show { id, json } => {
            let report = experiments::report(store, &id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_report(&report);
            }
        }
        Action::Delete { id } => {
            experiments::delete(store, &id).await?;
            println!("experiment {id} is deleted");
        }
        Action::Start { id } => change(store, &id, ExperimentAction::Start).await?,
        Action::Pause { id } => change(store, &id, ExperimentAction::Pause).await?,
        Action::Stop { id } => change(store, &id, ExperimentAction::Stop).await?,
    }
    Ok(())
}

async fn change(store: &orrery_store::Store, id: &str, action: ExperimentAction) -> Result<()> {
    let changed = experiments::act(store, id, action).await?;
    println!("experiment {} is {}", changed.id, changed.status.as_str());
    Ok(())
}

/// `NAME:SHARE[,KEY=VALUE…]` as a variant; the keys are the variant's JSON fields.
fn parse_variant(text: &str) -> Result<Variant> {
    let mut parts = text.split(',');
    let head = parts.next().unwrap_or_default();
    let (name, share) = head
        .split_once(':')
        .with_context(|| format!("--variant {text:?}: expected NAME:SHARE[,KEY=VALUE…]"))?;
    let share: f64 = share
        .trim()
        .parse()
        .with_context(|| format!("--variant {text:?}: the share {share:?} is not a number"))?;
    let mut object = serde_json::Map::new();
    object.insert("name".into(), name.trim().into());
    object.insert("share".into(), share.into());
    for part in parts {
        let Some((key, value)) = part.split_once('=') else {
            bail!("--variant {text:?}: {part:?} is not KEY=VALUE");
        };
        let key = key.trim();
        let value = value.trim();
        // Numbers as numbers, the rest (algorithm, preset) as text.
        let value = match serde_json::from_str::<serde_json::Number>(value) {
            Ok(n) if key != "algorithm" && key != "preset" => serde_json::Value::Number(n),
            _ => value.into(),
        };
        object.insert(key.to_owned(), value);
    }
    serde_json::from_value(serde_json::Value::Object(object))
        .with_context(|| format!("--variant {text:?}"))
}

fn print_variants(experiment: &Experiment) {
    for (i, v) in experiment.variants.iter().enumerate() {
        let mut how = Vec::new();
        if let (Some(version), Some(algorithm)) = (v.model_version, &v.algorithm) {
            how.push(format!("model v{version} ({algorithm})"));
        }
        if let Some(w) = v.cf_weight {
            how.push(format!("cf_weight {w}"));
        }
        if let Some(l) = v.mmr_lambda {
            how.push(format!("mmr_lambda {l}"));
        }
        if let Some(p) = &v.preset {
            how.push(format!("preset {p}"));
        }
        println!(
            "  {:<16} {:>5.1} % of users{}  {}",
            v.name,
            v.share * 100.0,
            if i == 0 { " (control)" } else { "" },
            if how.is_empty() {
                "as the server serves".to_owned()
            } else {
                how.join(", ")
            }
        );
    }
}

fn print_report(report: &ExperimentReport) {
    let e = &report.experiment;
    println!("experiment {} ({})", e.id, e.status.as_str());
    if !e.description.is_empty() {
        println!("  {}", e.description);
    }
    print_variants(e);
    println!();
    println!(
        "{:<16} {:>7} {:>8} {:>10} {:>24} {:>10} {:>10}",
        "variant", "users", "lists", "shown", "CTR (95 %)", "lift", "p"
    );
    for r in &report.results {
        let (lift, p) = match &r.against_control {
            Some(a) => (
                a.ctr
                    .lift
                    .map_or_else(|| "-".to_owned(), |l| format!("{:+.1} %", l * 100.0)),
                format!("{:.4}", a.ctr.p_value),
            ),
            None => ("control".to_owned(), String::new()),
        };
        println!(
            "{:<16} {:>7} {:>8} {:>10} {:>24} {:>10} {:>10}",
            r.name,
            r.users,
            r.lists,
            r.items_shown,
            format!("{:.4} ({:.4}–{:.4})", r.ctr.rate, r.ctr.low, r.ctr.high),
            lift,
            p
        );
    }
    for warning in &report.warnings {
        println!("warning: {warning}");
    }
}
