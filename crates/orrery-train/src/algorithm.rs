//! Algorithm names as clients send them: Orrery's own, and the seeds' names for the same
//! algorithms (the ML Module's `matrix_factorization` and `svd`, Dummi AI's `cf`).

use orrery_models::Algorithm;

/// An algorithm by its Orrery name or a seed's name for it.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, orrery_models::Error> {
    match name.trim().to_ascii_lowercase().as_str() {
        "matrix_factorization" | "svd" | "funk_svd" => Ok(Algorithm::Mf),
        "implicit_als" | "cf" | "collaborative_filtering" => Ok(Algorithm::Als),
        "item_knn" | "item-knn" | "knn" => Ok(Algorithm::ItemKnn),
        other => other.parse(),
    }
}

/// The algorithm to train when none is named: a rating model when the data holds explicit
/// ratings, an implicit-feedback one for likes, clicks and views.
pub fn default_algorithm(has_ratings: bool) -> Algorithm {
    if has_ratings {
        Algorithm::Mf
    } else {
        Algorithm::Als
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_names_map_to_orrery_algorithms() {
        assert_eq!(parse_algorithm("SVD").unwrap(), Algorithm::Mf);
        assert_eq!(
            parse_algorithm("matrix_factorization").unwrap(),
            Algorithm::Mf
        );
        assert_eq!(parse_algorithm(" cf ").unwrap(), Algorithm::Als);
        assert_eq!(parse_algorithm("ease").unwrap(), Algorithm::Ease);
        let err = parse_algorithm("deep_magic").unwrap_err().to_string();
        assert!(err.contains("deep_magic"), "{err}");
        assert_eq!(default_algorithm(true), Algorithm::Mf);
        assert_eq!(default_algorithm(false), Algorithm::Als);
    }
}
