//! A simulated population whose tastes are known, for rehearsing online experiments
//! (`orrery simulate-users`): items with a genre and an appeal, users with a taste over
//! genres, and the planted probability that a user clicks an item shown to them,
//!
//! ```text
//! affinity(user, item) = appeal(item) × taste(user, genre(item))
//! ```
//!
//! Each user likes one genre most (`FAVOURITE` of their taste), a second one less
//! (`SECOND`), and the rest a little; appeals are uniform in [0.2, 1]. Histories are
//! drawn from the same affinities weighted by a Zipf exposure (what people come across),
//! so that a model trained on them can find each user's taste, and popularity follows
//! exposure and appeal. `fresh_items` more items have no history at all: new items, to
//! see whether exploration finds the good ones.
//!
//! Everything comes from ChaCha8 streams of one seed: two processes that build the same
//! [`PopulationConfig`] agree on every affinity, so one can store the histories and
//! another simulate the clicks.

use orrery_core::rng::{Rng, stream};
use rand::Rng as _;

use crate::simulate::sampling::Cdf;
use crate::synthetic::{GENRES, film_title};

/// The favourite genre's weight in a taste.
const FAVOURITE: f64 = 0.6;
/// The second genre's weight.
const SECOND: f64 = 0.25;
/// Every other genre's weight.
const OTHER: f64 = 0.03;
/// Appeals are uniform in [`MIN_APPEAL`, 1].
const MIN_APPEAL: f64 = 0.2;

/// The size and seed of a population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PopulationConfig {
    /// Users.
    pub users: u32,
    /// Items with a history.
    pub items: u32,
    /// Items without any history (new in the catalog).
    pub fresh_items: u32,
    /// Genres, at most 18 (MovieLens's).
    pub genres: u32,
    /// Items each user interacted with before the simulation.
    pub history: u32,
    /// The seed.
    pub seed: u64,
}

impl Default for PopulationConfig {
    fn default() -> Self {
        PopulationConfig {
            users: 500,
            items: 300,
            fresh_items: 0,
            genres: 8,
            history: 15,
            seed: 7,
        }
    }
}

/// What a configuration cannot make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("population: {0}")]
pub struct PopulationError(String);

/// One catalog item.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationItem {
    /// Its id (`sim-i{n}`).
    pub id: String,
    /// A film-like title.
    pub title: String,
    /// Its genre.
    pub genre: &'static str,
    /// How much people like it, in [0.2, 1].
    pub appeal: f64,
    /// Whether it has no history (a new item).
    pub fresh: bool,
}

/// A population: the catalog, the users' tastes and their histories.
#[derive(Debug, Clone)]
pub struct Population {
    config: PopulationConfig,
    items: Vec<PopulationItem>,
    genre_of: Vec<usize>,
    /// Per user, the weight of each genre.
    tastes: Vec<Vec<f64>>,
}

impl Population {
    /// The population of `config`.
    pub fn new(config: PopulationConfig) -> Result<Population, PopulationError> {
        if config.users == 0 || config.items == 0 {
            return Err(PopulationError("users and items must be at least 1".into()));
        }
        if !(2..=GENRES.len() as u32).contains(&config.genres) {
            return Err(PopulationError(format!(
                "genres must be between 2 and {}",
                GENRES.len()
            )));
        }
        if config.history >= config.items {
            return Err(PopulationError(format!(
                "a history of {} needs more than {} items",
                config.history, config.items
            )));
        }
        let genres = config.genres as usize;
        let mut rng = stream(config.seed, 1);
        let total = (config.items + config.fresh_items) as usize;
        let mut items = Vec::with_capacity(total);
        let mut genre_of = Vec::with_capacity(total);
        for n in 0..total {
            let genre = rng.random_range(0..genres);
            items.push(PopulationItem {
                id: format!("sim-i{n}"),
                title: film_title(genre, &mut rng),
                genre: GENRES[genre],
                appeal: MIN_APPEAL + (1.0 - MIN_APPEAL) * rng.random::<f64>(),
                fresh: n >= config.items as usize,
            });
            genre_of.push(genre);
        }
        let mut rng = stream(config.seed, 2);
        let tastes = (0..config.users)
            .map(|_| {
                let favourite = rng.random_range(0..genres);
                let second = (favourite + rng.random_range(1..genres)) % genres;
                (0..genres)
                    .map(|g| match g {
                        g if g == favourite => FAVOURITE,
                        g if g == second => SECOND,
                        _ => OTHER,
                    })
                    .collect()
            })
            .collect();
        Ok(Population {
            config,
            items,
            genre_of,
            tastes,
        })
    }

    /// Its configuration.
    pub fn config(&self) -> &PopulationConfig {
        &self.config
    }

    /// The catalog, items with a history first.
    pub fn items(&self) -> &[PopulationItem] {
        &self.items
    }

    /// The id of user `user`.
    pub fn user_id(user: u32) -> String {
        format!("sim-u{user}")
    }

    /// The index of the user with id `id`.
    pub fn user_index(&self, id: &str) -> Option<u32> {
        let n: u32 = id.strip_prefix("sim-u")?.parse().ok()?;
        (n < self.config.users).then_some(n)
    }

    /// The index of the item with id `id`.
    pub fn item_index(&self, id: &str) -> Option<usize> {
        let n: usize = id.strip_prefix("sim-i")?.parse().ok()?;
        (n < self.items.len()).then_some(n)
    }

    /// The planted probability that `user` clicks `item` when shown it.
    pub fn affinity(&self, user: u32, item: usize) -> f64 {
        match (self.tastes.get(user as usize), self.items.get(item)) {
            (Some(taste), Some(it)) => it.appeal * taste[self.genre_of[item]],
            _ => 0.0,
        }
    }

    /// The favourite genre of `user`.
    pub fn favourite_genre(&self, user: u32) -> &'static str {
        let taste = &self.tastes[user as usize];
        let best = (0..taste.len())
            .max_by(|&a, &b| taste[a].total_cmp(&taste[b]))
            .unwrap_or(0);
        GENRES[best]
    }

    /// Each user's history: `history` distinct items with a history, drawn with weight
    /// exposure × affinity, as (user, item index) pairs, user by user.
    pub fn histories(&self) -> Vec<(u32, usize)> {
        let with_history = self.config.items as usize;
        // Zipf exposure over a shuffled order, so that exposure and appeal are independent.
        let mut rng = stream(self.config.seed, 3);
        let mut order: Vec<usize> = (0..with_history).collect();
        rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        let mut exposure = vec![0.0; with_history];
        for (rank, &item) in order.iter().enumerate() {
            exposure[item] = 1.0 / (rank as f64 + 1.0).powf(0.8);
        }
        let mut pairs =
            Vec::with_capacity(self.config.users as usize * self.config.history as usize);
        for user in 0..self.config.users {
            let mut rng: Rng = stream(self.config.seed, 1_000 + u64::from(user));
            let mut weights: Vec<f64> = (0..with_history)
                .map(|i| exposure[i] * self.affinity(user, i))
                .collect();
            for _ in 0..self.config.history {
                let item = Cdf::new(&weights).index_of(rng.random::<f64>());
                pairs.push((user, item));
                // Without replacement: each item once per user.
                weights[item] = 0.0;
            }
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_population_and_another_a_different_one() {
        let config = PopulationConfig {
            users: 50,
            items: 60,
            fresh_items: 5,
            ..PopulationConfig::default()
        };
        let a = Population::new(config).unwrap();
        let b = Population::new(config).unwrap();
        assert_eq!(a.items(), b.items());
        assert_eq!(a.histories(), b.histories());
        assert_eq!(a.affinity(3, 7), b.affinity(3, 7));
        let c = Population::new(PopulationConfig { seed: 8, ..config }).unwrap();
        assert_ne!(a.histories(), c.histories());
        assert_eq!(a.items().iter().filter(|i| i.fresh).count(), 5);
    }

    #[test]
    fn histories_follow_the_planted_tastes_and_skip_new_items() {
        let population = Population::new(PopulationConfig::default()).unwrap();
        let histories = population.histories();
        assert_eq!(histories.len(), 500 * 15);
        let in_favourite = histories
            .iter()
            .filter(|&&(u, i)| population.items()[i].genre == population.favourite_genre(u))
            .count();
        // Chance would put 1 in 8 in the favourite genre; the taste puts most there.
        assert!(
            in_favourite as f64 > 0.5 * histories.len() as f64,
            "{in_favourite} of {}",
            histories.len()
        );
        let mut per_user: Vec<Vec<usize>> = vec![Vec::new(); 500];
        for &(u, i) in &histories {
            assert!(!population.items()[i].fresh);
            assert!(
                !per_user[u as usize].contains(&i),
                "an item twice in one history"
            );
            per_user[u as usize].push(i);
        }
    }

    #[test]
    fn affinities_are_probabilities_highest_in_the_favourite_genre() {
        let population = Population::new(PopulationConfig::default()).unwrap();
        for user in 0..20 {
            for item in 0..population.items().len() {
                let a = population.affinity(user, item);
                assert!((0.0..=FAVOURITE).contains(&a), "{a}");
                if population.items()[item].genre != population.favourite_genre(user) {
                    assert!(a <= SECOND);
                }
            }
        }
        assert_eq!(population.user_index("sim-u12"), Some(12));
        assert_eq!(population.user_index("sim-u500"), None);
        assert_eq!(population.item_index("sim-i3"), Some(3));
        assert_eq!(population.item_index("x"), None);
        assert!(
            Population::new(PopulationConfig {
                genres: 1,
                ..PopulationConfig::default()
            })
            .is_err()
        );
    }
}
