//! Online experiments: variants of how a user's list is made (a model version or the
//! newest of an algorithm, the flow's `cf_weight`, diversity, a rule preset) between which
//! users are split by a salted hash of their id, so that every server assigns a user
//! alike and a restart changes nothing; and their results, computed from the lists each
//! variant served and what came of them (see [`crate::impressions`]).
//!
//! One experiment runs at a time. It applies to the lists of known users (the `user`
//! surface); the first variant is the control the others are compared with. A request's
//! own `cf_weight`, `mmr_lambda` or `preset` wins over its variant's.
//!
//! The functions here take the [`Store`], not the engine, so that `orrery experiment`
//! manages experiments without a server; servers hear of every change through
//! [`orrery_store::Change::Experiments`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use orrery_eval::ab::{self, Clustered, Comparison};
use orrery_store::{Change, Store, StoredExperiment, Transition};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::flow::rules::Presets;
use crate::impressions::ratio;
use crate::{EngineError, EngineResult, ServingModel, Snapshot};

/// Variants one experiment may have.
pub const MAX_VARIANTS: usize = 10;
/// Longest experiment id or variant name.
const MAX_NAME: usize = 64;
/// Longest description.
const MAX_DESCRIPTION: usize = 2_000;

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentStatus {
    /// Defined, not started: nobody is assigned.
    Draft,
    /// Users are assigned and served their variant.
    Running,
    /// Users are served as if there were no experiment; starting again resumes it with
    /// the same assignment.
    Paused,
    /// Over for good; its results stay.
    Stopped,
}

impl ExperimentStatus {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Draft => "draft",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Paused => "paused",
            ExperimentStatus::Stopped => "stopped",
        }
    }

    fn parse(text: &str) -> ExperimentStatus {
        match text {
            "running" => ExperimentStatus::Running,
            "paused" => ExperimentStatus::Paused,
            "stopped" => ExperimentStatus::Stopped,
            _ => ExperimentStatus::Draft,
        }
    }
}

/// What an operator does to an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentAction {
    /// Draft or paused → running.
    Start,
    /// Running → paused.
    Pause,
    /// Running or paused → stopped.
    Stop,
}

impl ExperimentAction {
    fn statuses(self) -> (&'static [&'static str], ExperimentStatus) {
        match self {
            ExperimentAction::Start => (&["draft", "paused"], ExperimentStatus::Running),
            ExperimentAction::Pause => (&["running"], ExperimentStatus::Paused),
            ExperimentAction::Stop => (&["running", "paused"], ExperimentStatus::Stopped),
        }
    }

    fn verb(self) -> &'static str {
        match self {
            ExperimentAction::Start => "started",
            ExperimentAction::Pause => "paused",
            ExperimentAction::Stop => "stopped",
        }
    }
}

/// One variant: the share of users it gets and how their lists are made. A setting left
/// unset is the server's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Its name, unique in the experiment (letters, digits, `-`, `_`).
    pub name: String,
    /// Its share of users, in (0, 1]. Shares add up to at most 1; users beyond their sum
    /// are not in the experiment.
    pub share: f64,
    /// A registry version to serve this variant's lists with instead of the active one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<i64>,
    /// An algorithm: its newest registry version serves this variant's lists (resolved
    /// when the experiment is created, into `model_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// The model's share of the personal signals, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cf_weight: Option<f32>,
    /// Diversity re-ranking (maximal marginal relevance) λ in (0, 1]; 1 is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmr_lambda: Option<f32>,
    /// A rule preset of `[flow.presets]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
}

/// A new experiment, as `POST /experiments` takes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExperiment {
    /// Its id (letters, digits, `-`, `_`; at most 64).
    pub id: String,
    /// What it tests.
    #[serde(default)]
    pub description: String,
    /// Two to ten variants; the first is the control.
    pub variants: Vec<Variant>,
    /// What the assignment hash mixes in (letters, digits, `-`, `_`): random by default,
    /// so that experiments split users independently; an experiment given another's salt
    /// and shares assigns users alike.
    #[serde(default)]
    pub salt: Option<String>,
}

/// An experiment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Experiment {
    /// Its id.
    pub id: String,
    /// What it tests.
    pub description: String,
    /// Where it is in its life.
    pub status: ExperimentStatus,
    /// Its variants; the first is the control.
    pub variants: Vec<Variant>,
    /// When it was created (Unix seconds).
    pub created_at: i64,
    /// When it first ran (Unix seconds).
    pub started_at: Option<i64>,
    /// When it stopped (Unix seconds).
    pub ended_at: Option<i64>,
    /// Mixed into the assignment hash.
    #[serde(skip)]
    salt: String,
}

impl Experiment {
    fn from_stored(stored: StoredExperiment) -> EngineResult<Experiment> {
        let variants =
            serde_json::from_str(&stored.variants).map_err(|e| EngineError::Invalid {
                field: "variants".into(),
                reason: format!(
                    "experiment {:?} holds variants that do not parse: {e}",
                    stored.id
                ),
            })?;
        Ok(Experiment {
            id: stored.id,
            description: stored.description,
            status: ExperimentStatus::parse(&stored.status),
            variants,
            created_at: stored.created_at / 1000,
            started_at: stored.started_at.map(|ms| ms / 1000),
            ended_at: stored.ended_at.map(|ms| ms / 1000),
            salt: stored.salt,
        })
    }

    /// The variant `user` is assigned to (its index), or `None` when the user falls
    /// beyond the variants' shares. A function of the salt and the id alone.
    pub fn assign(&self, user: &str) -> Option<usize> {
        let fraction =
            crate::unit_fraction(crate::stable_hash(&[self.salt.as_bytes(), user.as_bytes()]));
        let mut upper = 0.0;
        for (index, variant) in self.variants.iter().enumerate() {
            upper += variant.share;
            if fraction < upper {
                return Some(index);
            }
        }
        None
    }
}

fn check_name(field: &str, name: &str) -> EngineResult<()> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{name:?} is not 1–{MAX_NAME} letters, digits, '-' or '_'"),
        ))
    }
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> EngineError {
    EngineError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Checks `new` and resolves each variant's algorithm to its newest registry version.
async fn checked(
    store: &Store,
    presets: &Presets,
    mut new: NewExperiment,
) -> EngineResult<NewExperiment> {
    check_name("id", &new.id)?;
    if let Some(salt) = &new.salt {
        check_name("salt", salt)?;
    }
    if new.description.chars().count() > MAX_DESCRIPTION {
        return Err(invalid(
            "description",
            format!("longer than {MAX_DESCRIPTION} characters"),
        ));
    }
    if !(2..=MAX_VARIANTS).contains(&new.variants.len()) {
        return Err(invalid(
            "variants",
            format!(
                "{} given: an experiment compares 2 to {MAX_VARIANTS} variants",
                new.variants.len()
            ),
        ));
    }
    let versions = store.list_model_versions().await?;
    let mut names = HashSet::new();
    let mut total = 0.0;
    for (i, variant) in new.variants.iter_mut().enumerate() {
        let field = |name: &str| format!("variants[{i}].{name}");
        check_name(&field("name"), &variant.name)?;
        if !names.insert(variant.name.clone()) {
            return Err(invalid(
                field("name"),
                format!("{:?} names two variants", variant.name),
            ));
        }
        if !(variant.share > 0.0 && variant.share <= 1.0) {
            return Err(invalid(
                field("share"),
                format!("{} is not in (0, 1]", variant.share),
            ));
        }
        total += variant.share;
        match (&variant.algorithm, variant.model_version) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    field("algorithm"),
                    "give a model_version or an algorithm, not both",
                ));
            }
            (Some(algorithm), None) => {
                // Newest first.
                let newest = versions.iter().find(|v| &v.algorithm == algorithm);
                let Some(newest) = newest else {
                    let mut trained: Vec<&str> =
                        versions.iter().map(|v| v.algorithm.as_str()).collect();
                    trained.sort_unstable();
                    trained.dedup();
                    return Err(invalid(
                        field("algorithm"),
                        format!(
                            "no version of {algorithm:?} is stored; trained: {}",
                            if trained.is_empty() {
                                "none".to_owned()
                            } else {
                                trained.join(", ")
                            }
                        ),
                    ));
                };
                variant.model_version = Some(newest.version);
            }
            (None, Some(version)) => {
                if let Some(stored) = versions.iter().find(|v| v.version == version) {
                    variant.algorithm = Some(stored.algorithm.clone());
                } else {
                    return Err(invalid(
                        field("model_version"),
                        format!("model version {version} does not exist"),
                    ));
                }
            }
            (None, None) => {}
        }
        if let Some(w) = variant.cf_weight
            && !(0.0..=1.0).contains(&w)
        {
            return Err(invalid(field("cf_weight"), format!("{w} is not in [0, 1]")));
        }
        if let Some(l) = variant.mmr_lambda
            && !(l > 0.0 && l <= 1.0)
        {
            return Err(invalid(
                field("mmr_lambda"),
                format!("{l} is not in (0, 1]"),
            ));
        }
        if let Some(preset) = &variant.preset
            && !presets.contains_key(preset)
        {
            return Err(invalid(
                field("preset"),
                format!("no preset {preset:?} is configured ([flow.presets])"),
            ));
        }
    }
    if total > 1.0 + 1e-9 {
        return Err(invalid(
            "variants",
            format!("the shares add up to {total}, more than 1"),
        ));
    }
    Ok(new)
}

/// Creates a draft experiment; its stored form (algorithms resolved to versions).
pub async fn create(
    store: &Store,
    presets: &Presets,
    new: NewExperiment,
) -> EngineResult<Experiment> {
    let new = checked(store, presets, new).await?;
    let variants =
        serde_json::to_string(&new.variants).map_err(|e| invalid("variants", e.to_string()))?;
    let stored = StoredExperiment {
        id: new.id.clone(),
        description: new.description,
        status: ExperimentStatus::Draft.as_str().to_owned(),
        salt: new
            .salt
            .clone()
            .unwrap_or_else(|| format!("{:016x}", rand::random::<u64>())),
        model_versions: new
            .variants
            .iter()
            .filter_map(|v| v.model_version)
            .collect(),
        variants,
        created_at: crate::impressions::now_ms(),
        started_at: None,
        ended_at: None,
    };
    if !store.create_experiment(&stored).await? {
        return Err(EngineError::Conflict(format!(
            "experiment {:?} exists: choose another id",
            new.id
        )));
    }
    store.announce(&Change::Experiments).await?;
    Experiment::from_stored(stored)
}

/// Every experiment, newest first.
pub async fn list(store: &Store) -> EngineResult<Vec<Experiment>> {
    store
        .experiments()
        .await?
        .into_iter()
        .map(Experiment::from_stored)
        .collect()
}

/// One experiment.
pub async fn get(store: &Store, id: &str) -> EngineResult<Experiment> {
    let stored = store
        .experiment(id)
        .await?
        .ok_or_else(|| EngineError::UnknownExperiment(id.to_owned()))?;
    Experiment::from_stored(stored)
}

/// The running experiment, if one is.
pub async fn running(store: &Store) -> EngineResult<Option<Experiment>> {
    store
        .running_experiment()
        .await?
        .map(Experiment::from_stored)
        .transpose()
}

/// Starts, pauses or stops an experiment; the experiment as it now is.
pub async fn act(store: &Store, id: &str, action: ExperimentAction) -> EngineResult<Experiment> {
    let (from, to) = action.statuses();
    let at = crate::impressions::now_ms();
    let changed = match store
        .transition_experiment(id, from, to.as_str(), at)
        .await?
    {
        Transition::Done(stored) => stored,
        Transition::NotFound => return Err(EngineError::UnknownExperiment(id.to_owned())),
        Transition::NotAllowed(status) => {
            return Err(EngineError::Conflict(format!(
                "experiment {id:?} is {status}: it cannot be {}",
                action.verb()
            )));
        }
        Transition::AnotherRunning => {
            let other = store.running_experiment().await?.map(|e| e.id);
            return Err(EngineError::Conflict(format!(
                "experiment {} is running: pause or stop it first (one experiment runs at a \
                 time)",
                other.map_or_else(|| "another".to_owned(), |id| format!("{id:?}"))
            )));
        }
    };
    store.announce(&Change::Experiments).await?;
    Experiment::from_stored(changed)
}

/// Deletes an experiment that is not running (its lists keep its id).
pub async fn delete(store: &Store, id: &str) -> EngineResult<()> {
    let experiment = get(store, id).await?;
    if experiment.status == ExperimentStatus::Running {
        return Err(EngineError::Conflict(format!(
            "experiment {id:?} is running: stop it before deleting it"
        )));
    }
    if !store.delete_experiment(id).await? {
        return Err(EngineError::UnknownExperiment(id.to_owned()));
    }
    store.announce(&Change::Experiments).await?;
    Ok(())
}

/// The running experiment as a server applies it: the models its variants serve with,
/// loaded, and a snapshot per variant made on first use.
pub(crate) struct Running {
    pub experiment: Experiment,
    /// Per variant, the model its lists are made with (`None`: the active one).
    pub models: Vec<Option<Arc<ServingModel>>>,
    /// Per variant, the snapshot of the catalog with its model, while the catalog is the
    /// one it was made from.
    snapshots: Mutex<Vec<Option<Arc<Snapshot>>>>,
}

impl Running {
    pub fn new(experiment: Experiment, models: Vec<Option<Arc<ServingModel>>>) -> Running {
        let snapshots = Mutex::new(vec![None; models.len()]);
        Running {
            experiment,
            models,
            snapshots,
        }
    }

    /// The snapshot variant `index` serves from: `current` when it uses the active
    /// model, else `current`'s catalog with its own model.
    pub fn snapshot(&self, index: usize, current: &Arc<Snapshot>) -> Arc<Snapshot> {
        let Some(Some(model)) = self.models.get(index) else {
            return current.clone();
        };
        let mut snapshots = self
            .snapshots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(Some(made)) = snapshots.get(index)
            && Arc::ptr_eq(&made.catalog, &current.catalog)
        {
            return made.clone();
        }
        let made = Arc::new(Snapshot::new(
            current.catalog.clone(),
            current.models.clone().listing_with(model.clone()),
        ));
        if let Some(slot) = snapshots.get_mut(index) {
            *slot = Some(made.clone());
        }
        made
    }
}

/// A rate and its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    /// Successes over trials.
    pub rate: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl Rate {
    fn of(counts: &Clustered) -> Rate {
        let (low, high) = counts.interval_95();
        Rate {
            rate: counts.rate(),
            low,
            high,
        }
    }
}

/// A variant against the control.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgainstControl {
    /// Click-through rate (clicked items over items shown).
    pub ctr: Comparison,
    /// Conversion rate (converted items over items shown).
    pub conversion: Comparison,
}

/// How one variant's lists fared.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VariantResult {
    /// The variant.
    pub name: String,
    /// Users served at least one of its lists.
    pub users: u64,
    /// Lists served.
    pub lists: u64,
    /// Items shown in them.
    pub items_shown: u64,
    /// Shown items clicked (each list position once).
    pub clicks: u64,
    /// Shown items converted.
    pub conversions: u64,
    /// Clicked items over items shown, with its 95 % interval (users as the units).
    pub ctr: Rate,
    /// Lists with at least one click over lists.
    pub list_ctr: Rate,
    /// Converted items over items shown.
    pub conversion: Rate,
    /// Lift, difference and two-sided p-value against the control (`None` for the
    /// control).
    pub against_control: Option<AgainstControl>,
}

/// One variant's figures over one period, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Period {
    /// The variant.
    pub variant: String,
    /// The period's start (Unix seconds).
    pub start: i64,
    /// Lists served.
    pub lists: u64,
    /// Items shown.
    pub items_shown: u64,
    /// Clicked items over items shown.
    pub ctr: f64,
    /// Converted items over items shown.
    pub conversion: f64,
}

/// An experiment and its results.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ExperimentReport {
    /// The experiment.
    pub experiment: Experiment,
    /// Each variant's results, the control first.
    pub results: Vec<VariantResult>,
    /// What keeps the results from deciding: samples too small for the test, or too
    /// small to detect the observed difference.
    pub warnings: Vec<String>,
    /// The length of the periods of `series` (seconds): an hour, or a day for
    /// experiments that ran longer than two days.
    pub period_seconds: i64,
    /// Each variant's figures per period, oldest first.
    pub series: Vec<Period>,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// An experiment's results: per variant, CTR and conversion with 95 % intervals, and the
/// test of each variant against the control, with users as the units (see
/// [`orrery_eval::ab::Clustered`]).
pub async fn report(store: &Store, id: &str) -> EngineResult<ExperimentReport> {
    let experiment = get(store, id).await?;
    let units = store.experiment_units(id).await?;
    let n = experiment.variants.len();
    let mut ctr = vec![Clustered::default(); n];
    let mut list_ctr = vec![Clustered::default(); n];
    let mut conversion = vec![Clustered::default(); n];
    let mut lists = vec![0u64; n];
    for unit in &units {
        let Some(i) = experiment
            .variants
            .iter()
            .position(|v| v.name == unit.variant)
        else {
            continue;
        };
        ctr[i].add(unit.clicked, unit.shown);
        list_ctr[i].add(unit.lists_clicked, unit.lists);
        conversion[i].add(unit.converted, unit.shown);
        lists[i] += unit.lists;
    }
    let mut warnings = Vec::new();
    let results: Vec<VariantResult> = experiment
        .variants
        .iter()
        .enumerate()
        .map(|(i, variant)| {
            let against_control = (i > 0).then(|| AgainstControl {
                ctr: ab::compare_clustered(&ctr[0], &ctr[i]),
                conversion: ab::compare_clustered(&conversion[0], &conversion[i]),
            });
            if let Some(against) = &against_control {
                warnings.extend(sample_warning(
                    &variant.name,
                    &experiment.variants[0].name,
                    &ctr[0],
                    &ctr[i],
                    &against.ctr,
                ));
            }
            VariantResult {
                name: variant.name.clone(),
                users: ctr[i].units(),
                lists: lists[i],
                items_shown: ctr[i].proportion().trials,
                clicks: ctr[i].proportion().successes,
                conversions: conversion[i].proportion().successes,
                ctr: Rate::of(&ctr[i]),
                list_ctr: Rate::of(&list_ctr[i]),
                conversion: Rate::of(&conversion[i]),
                against_control,
            }
        })
        .collect();
    let ran_ms = match (experiment.started_at, experiment.ended_at) {
        (Some(start), end) => {
            end.map_or_else(crate::impressions::now_ms, |e| e * 1000) - start * 1000
        }
        _ => 0,
    };
    let period_ms = if ran_ms > 2 * DAY_MS { DAY_MS } else { HOUR_MS };
    let series = store
        .experiment_series(id, period_ms)
        .await?
        .into_iter()
        .map(|p| Period {
            variant: p.variant,
            start: p.start / 1000,
            lists: p.lists,
            items_shown: p.shown,
            ctr: ratio(p.clicked, p.shown),
            conversion: ratio(p.converted, p.shown),
        })
        .collect();
    Ok(ExperimentReport {
        experiment,
        results,
        warnings,
        period_seconds: period_ms / 1000,
        series,
    })
}

/// Why the CTR test of `variant` against `control` cannot decide yet, if it cannot.
fn sample_warning(
    variant: &str,
    control: &str,
    control_ctr: &Clustered,
    variant_ctr: &Clustered,
    test: &Comparison,
) -> Option<String> {
    if !test.large_enough {
        return Some(format!(
            "{variant} against {control}: too few users, clicks or unclicked items for the \
             test (each arm needs at least 10 users, 10 clicks and 10 unclicked items)"
        ));
    }
    if test.p_value < 0.05 {
        return None;
    }
    let shown = control_ctr
        .effective_trials()
        .min(variant_ctr.effective_trials());
    match test
        .lift
        .and_then(|lift| ab::sample_per_arm(control_ctr.rate(), lift))
    {
        None => Some(format!(
            "{variant} against {control}: no difference in CTR so far"
        )),
        Some(needed) if (needed as f64) > shown => Some(format!(
            "{variant} against {control}: no significant difference yet; telling a CTR lift of \
             {:+.1} % from chance with 80 % power needs about {needed} independent items \
             shown per arm, and the users so far are worth about {shown:.0}",
            test.lift.unwrap_or(0.0) * 100.0
        )),
        _ => None,
    }
}
