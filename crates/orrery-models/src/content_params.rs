//! Hyperparameters of the content-based ([`Algorithm::Content`]) and hybrid
//! ([`Algorithm::Hybrid`]) recommenders, parsed and validated like every other algorithm's
//! (see [`crate::Params`]).
//!
//! The hybrid nests the parameters of its collaborative part: `cf=ease` picks the
//! algorithm, `cf.lambda=300` (or `cf_params=lambda=300,binary=true`) sets its fields.

use serde::{Deserialize, Serialize};

use crate::params::DEFAULT_SEED;
use crate::{Algorithm, Error, Params, Result};

/// Parameters of [`Algorithm::Content`]: a user's profile is the weighted mean of the
/// vectors of the items in their history, and items score by cosine with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentParams {
    /// `half_life_days`: an interaction this many days older than the user's newest counts
    /// half in their profile (0 = no decay, ≥ 0).
    pub half_life_days: f64,
    /// `binary`: every interaction with a positive value counts 1 and a negative one −1
    /// (`true`), or ratings count by their distance from the middle of the scale and
    /// implicit weights by their value, so low ratings and skips push away (`false`).
    pub binary: bool,
    /// `interest_weight`: weight of stated interests beside the history, ≥ 0 (1 = as much
    /// as the whole history).
    pub interest_weight: f32,
    /// `center`: subtract the catalog's mean vector from every item vector before
    /// comparing them. Sentence embeddings share a common direction that otherwise
    /// dominates every cosine: on ML-1M (titles and genres, MiniLM) centering doubled the
    /// content model's NDCG@10.
    pub center: bool,
    /// `seed`: accepted for uniformity; the content model is not random.
    pub seed: u64,
}

impl Default for ContentParams {
    fn default() -> Self {
        ContentParams {
            half_life_days: 0.0,
            binary: true,
            interest_weight: 1.0,
            center: true,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Hybrid`]: a collaborative model and the content model,
/// each score normalized to [0, 1] over the catalog, blended as
/// `cf_weight · collaborative + (1 − cf_weight) · content`; users with fewer than
/// `cold_start_threshold` interactions get content matching blended with the items
/// popular in their categories instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HybridParams {
    /// `cf`: the collaborative algorithm (any but `content` and `hybrid`).
    pub cf: Box<Params>,
    /// `cf_weight`: share of the collaborative score for warm users, in [0, 1] (the Dummi
    /// AI seed: 0.5).
    pub cf_weight: f32,
    /// `use_cf`: use the collaborative part at all.
    pub use_cf: bool,
    /// `use_embeddings`: use the content part at all.
    pub use_embeddings: bool,
    /// `cold_start_threshold`: users with fewer interactions are cold (0..=1000; the
    /// Dummi AI seed: 5).
    pub cold_start_threshold: usize,
    /// `popularity_weight`: share of "popular in your categories" in cold-start scores,
    /// in [0, 1].
    pub popularity_weight: f32,
    /// `popularity_prior`: extra share of popularity while a history is short,
    /// `popularity_prior · r · (1 − r)` (see [`crate::blend`]), in [0, 2]. Users with a
    /// handful of interactions lean on what many liked. The default, 0.5, put the hybrid
    /// above popularity on ML-1M users who keep 5 ratings (random or earliest) and changed
    /// NDCG@10 on the 90/10 holdout by +0.003.
    pub popularity_prior: f32,
    /// `mmr_lambda`: diversity re-ranking by maximal marginal relevance, in (0, 1]: each
    /// pick maximizes `λ · score − (1 − λ) · max similarity to the items already picked`
    /// (1 = no re-ranking).
    pub mmr_lambda: f32,
    /// See [`ContentParams::half_life_days`].
    pub half_life_days: f64,
    /// See [`ContentParams::binary`].
    pub binary: bool,
    /// See [`ContentParams::interest_weight`].
    pub interest_weight: f32,
    /// See [`ContentParams::center`].
    pub center: bool,
    /// `seed`: the collaborative part's seed.
    pub seed: u64,
}

impl Default for HybridParams {
    fn default() -> Self {
        HybridParams {
            cf: Box::new(Params::defaults(Algorithm::Als)),
            cf_weight: 0.5,
            use_cf: true,
            use_embeddings: true,
            cold_start_threshold: 5,
            popularity_weight: 0.5,
            popularity_prior: 0.5,
            mmr_lambda: 1.0,
            half_life_days: 0.0,
            binary: true,
            interest_weight: 1.0,
            center: true,
            seed: DEFAULT_SEED,
        }
    }
}

impl HybridParams {
    /// The content model's share of these parameters.
    pub fn content(&self) -> ContentParams {
        ContentParams {
            half_life_days: self.half_life_days,
            binary: self.binary,
            interest_weight: self.interest_weight,
            center: self.center,
            seed: self.seed,
        }
    }
}

fn invalid(algorithm: Algorithm, name: &'static str, value: &str, expected: &str) -> Error {
    Error::InvalidParam {
        algorithm,
        name,
        value: value.to_owned(),
        expected: expected.to_owned(),
    }
}

fn float(algorithm: Algorithm, name: &'static str, value: &str) -> Result<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(algorithm, name, value, "a number"))
}

fn int(algorithm: Algorithm, name: &'static str, value: &str) -> Result<usize> {
    value
        .parse::<usize>()
        .map_err(|_| invalid(algorithm, name, value, "a non-negative integer"))
}

fn boolean(algorithm: Algorithm, name: &'static str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(invalid(algorithm, name, value, "true or false")),
    }
}

/// Sets one content parameter; `Ok(false)` when the key is not one.
pub(crate) fn set_content(p: &mut ContentParams, key: &str, value: &str) -> Result<bool> {
    let a = Algorithm::Content;
    match key {
        "half_life_days" => p.half_life_days = float(a, "half_life_days", value)?,
        "binary" => p.binary = boolean(a, "binary", value)?,
        "interest_weight" => p.interest_weight = float(a, "interest_weight", value)? as f32,
        "center" => p.center = boolean(a, "center", value)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Sets one hybrid parameter; `Ok(false)` when the key is not one.
pub(crate) fn set_hybrid(p: &mut HybridParams, key: &str, value: &str) -> Result<bool> {
    let a = Algorithm::Hybrid;
    if let Some(inner) = key.strip_prefix("cf.") {
        p.cf.set(inner, value)?;
        return Ok(true);
    }
    match key {
        "cf" => {
            let algorithm: Algorithm = value.parse()?;
            if matches!(algorithm, Algorithm::Content | Algorithm::Hybrid) {
                return Err(invalid(
                    a,
                    "cf",
                    value,
                    "a collaborative algorithm (not content or hybrid)",
                ));
            }
            *p.cf = Params::defaults(algorithm).with_seed(p.seed);
        }
        "cf_params" => {
            for pair in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| Error::MalformedParam(pair.to_owned()))?;
                p.cf.set(k.trim(), v.trim())?;
            }
        }
        "cf_weight" => p.cf_weight = float(a, "cf_weight", value)? as f32,
        "use_cf" => p.use_cf = boolean(a, "use_cf", value)?,
        "use_embeddings" => p.use_embeddings = boolean(a, "use_embeddings", value)?,
        "cold_start_threshold" => {
            p.cold_start_threshold = int(a, "cold_start_threshold", value)?;
        }
        "popularity_weight" => p.popularity_weight = float(a, "popularity_weight", value)? as f32,
        "popularity_prior" => p.popularity_prior = float(a, "popularity_prior", value)? as f32,
        "mmr_lambda" => p.mmr_lambda = float(a, "mmr_lambda", value)? as f32,
        "half_life_days" => p.half_life_days = float(a, "half_life_days", value)?,
        "binary" => p.binary = boolean(a, "binary", value)?,
        "interest_weight" => p.interest_weight = float(a, "interest_weight", value)? as f32,
        "center" => p.center = boolean(a, "center", value)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn check(
    ok: bool,
    algorithm: Algorithm,
    name: &'static str,
    value: String,
    expected: &str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(invalid(algorithm, name, &value, expected))
    }
}

/// Range checks of the content parameters.
pub(crate) fn validate_content(p: &ContentParams) -> Result<()> {
    let a = Algorithm::Content;
    check(
        p.half_life_days.is_finite() && p.half_life_days >= 0.0,
        a,
        "half_life_days",
        p.half_life_days.to_string(),
        "a number >= 0 (0 = no decay)",
    )?;
    check(
        p.interest_weight.is_finite() && p.interest_weight >= 0.0,
        a,
        "interest_weight",
        p.interest_weight.to_string(),
        "a number >= 0",
    )
}

/// Range checks of the hybrid parameters, its collaborative part's included.
pub(crate) fn validate_hybrid(p: &HybridParams) -> Result<()> {
    let a = Algorithm::Hybrid;
    if matches!(p.cf.algorithm(), Algorithm::Content | Algorithm::Hybrid) {
        return Err(invalid(
            a,
            "cf",
            p.cf.algorithm().name(),
            "a collaborative algorithm (not content or hybrid)",
        ));
    }
    p.cf.validate()?;
    let unit = |v: f32| (0.0..=1.0).contains(&v);
    check(
        unit(p.cf_weight),
        a,
        "cf_weight",
        p.cf_weight.to_string(),
        "a number in [0, 1]",
    )?;
    check(
        p.cold_start_threshold <= 1000,
        a,
        "cold_start_threshold",
        p.cold_start_threshold.to_string(),
        "an integer in 0..=1000",
    )?;
    check(
        unit(p.popularity_weight),
        a,
        "popularity_weight",
        p.popularity_weight.to_string(),
        "a number in [0, 1]",
    )?;
    check(
        (0.0..=crate::blend::MAX_POPULARITY_PRIOR).contains(&p.popularity_prior),
        a,
        "popularity_prior",
        p.popularity_prior.to_string(),
        "a number in [0, 2]",
    )?;
    check(
        p.mmr_lambda > 0.0 && p.mmr_lambda <= 1.0,
        a,
        "mmr_lambda",
        p.mmr_lambda.to_string(),
        "a number in (0, 1] (1 = no diversity re-ranking)",
    )?;
    validate_content(&p.content()).map_err(|e| match e {
        Error::InvalidParam {
            name,
            value,
            expected,
            ..
        } => Error::InvalidParam {
            algorithm: a,
            name,
            value,
            expected,
        },
        other => other,
    })
}

/// The content parameters as `(key, value)` text.
pub(crate) fn content_pairs(p: &ContentParams) -> Vec<(&'static str, String)> {
    vec![
        ("half_life_days", p.half_life_days.to_string()),
        ("binary", p.binary.to_string()),
        ("interest_weight", p.interest_weight.to_string()),
        ("center", p.center.to_string()),
    ]
}

/// The hybrid parameters as `(key, value)` text; the collaborative part's own fields are
/// one `cf_params` value (`key=value,key=value`), its seed being the hybrid's.
pub(crate) fn hybrid_pairs(p: &HybridParams) -> Vec<(&'static str, String)> {
    let cf_params =
        p.cf.pairs()
            .into_iter()
            .filter(|(k, _)| *k != "seed")
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
    vec![
        ("cf", p.cf.algorithm().name().to_owned()),
        ("cf_params", cf_params),
        ("cf_weight", p.cf_weight.to_string()),
        ("use_cf", p.use_cf.to_string()),
        ("use_embeddings", p.use_embeddings.to_string()),
        ("cold_start_threshold", p.cold_start_threshold.to_string()),
        ("popularity_weight", p.popularity_weight.to_string()),
        ("popularity_prior", p.popularity_prior.to_string()),
        ("mmr_lambda", p.mmr_lambda.to_string()),
        ("half_life_days", p.half_life_days.to_string()),
        ("binary", p.binary.to_string()),
        ("interest_weight", p.interest_weight.to_string()),
        ("center", p.center.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_nests_its_collaborative_parameters() {
        let p = Params::parse(
            Algorithm::Hybrid,
            ["cf=ease", "cf.lambda=300", "cf_weight=0.7", "seed=9"],
        )
        .unwrap();
        let Params::Hybrid(h) = &p else {
            unreachable!()
        };
        assert_eq!(h.cf.algorithm(), Algorithm::Ease);
        assert_eq!(h.cf.get("lambda").as_deref(), Some("300"));
        assert_eq!(h.cf.seed(), 9);
        let cf_params = p.get("cf_params").unwrap();
        assert!(
            cf_params.starts_with("lambda=300,binary=true"),
            "{cf_params}"
        );
        let text: Vec<String> = p.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(Params::parse(Algorithm::Hybrid, &text).unwrap(), p);
    }

    #[test]
    fn bad_values_name_their_field() {
        for (pair, field) in [
            ("cf_weight=1.5", "cf_weight"),
            ("cf=hybrid", "cf"),
            ("mmr_lambda=0", "mmr_lambda"),
            ("popularity_weight=-1", "popularity_weight"),
            ("cold_start_threshold=5000", "cold_start_threshold"),
            ("half_life_days=-2", "half_life_days"),
            ("use_cf=perhaps", "use_cf"),
        ] {
            match Params::parse(Algorithm::Hybrid, [pair]).unwrap_err() {
                Error::InvalidParam { name, .. } => assert_eq!(name, field, "{pair}"),
                other => panic!("{pair}: {other}"),
            }
        }
        let err = Params::parse(Algorithm::Hybrid, ["cf.factors=0"]).unwrap_err();
        assert!(err.to_string().contains("factors"), "{err}");
        let err = Params::parse(Algorithm::Content, ["interest_weight=-1"]).unwrap_err();
        assert!(err.to_string().contains("interest_weight"), "{err}");
        let err = Params::parse(Algorithm::Content, ["lambda=1"]).unwrap_err();
        assert!(matches!(err, Error::UnknownParam { .. }), "{err}");
    }
}
