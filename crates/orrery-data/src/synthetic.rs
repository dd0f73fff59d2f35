//! A synthetic catalog at any scale, in the MovieLens 20M layout, for growth benchmarks.
//!
//! Real datasets stop at the size someone published; capacity planning needs a dataset of
//! the size one expects to reach, with the shape real ones have. This generator draws:
//!
//! - item popularity from a Zipf law (rank^-`item_exponent`) over a shuffled catalog, so
//!   that a few items take most interactions and the long tail is long;
//! - user activity from a Pareto law with a minimum (`min_per_user`, 20 as in MovieLens),
//!   capped at `max_user_share` of the catalog, then scaled so that the counts add up to
//!   `interactions` exactly;
//! - a taste per user (one genre of 18) and per item (its first genre): a share of each
//!   user's interactions (`taste_share`) is drawn among the items of their genre by the
//!   same popularity, the rest from the whole catalog, so that collaborative models have
//!   structure to find;
//! - half-star ratings, higher on the user's genre, and increasing timestamps per user.
//!
//! Every user's interactions are distinct items. Each user draws from their own ChaCha8
//! stream of the seed, so the output is the same bytes for the same configuration.
//! Films get titles that read like films' (words coloured by their first genre, a year
//! from 1950 to 2019), drawn from a stream of their own. Files: `ratings.csv`
//! (`userId,movieId,rating,timestamp`) and `movies.csv` (`movieId,title,genres`), which
//! `orrery import DIR` reads as MovieLens 20M.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rand::Rng;
use rand::seq::SliceRandom;

use crate::simulate::sampling::Cdf;

/// The genres of MovieLens, used as the tastes of the synthetic users.
pub const GENRES: [&str; 18] = [
    "Action",
    "Adventure",
    "Animation",
    "Children",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

/// The size and shape of a synthetic dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticConfig {
    pub users: u32,
    pub items: u32,
    pub interactions: u64,
    pub seed: u64,
    /// Exponent of the item popularity law (1.0 is Zipf's).
    pub item_exponent: f64,
    /// Fewest interactions a user has.
    pub min_per_user: u32,
    /// Largest share of the catalog one user interacts with.
    pub max_user_share: f64,
    /// Share of a user's interactions drawn from their own genre.
    pub taste_share: f64,
    /// First timestamp (Unix seconds).
    pub start: i64,
}

impl SyntheticConfig {
    /// MovieLens 20M's size: 138,000 users, 27,000 items, 20 million interactions.
    pub fn movielens_20m() -> Self {
        Self {
            users: 138_000,
            items: 27_000,
            interactions: 20_000_000,
            seed: 42,
            item_exponent: 1.0,
            min_per_user: 20,
            max_user_share: 0.35,
            taste_share: 0.6,
            start: 946_684_800, // 2000-01-01
        }
    }

    fn check(&self) -> Result<(), SyntheticError> {
        let invalid =
            |field: &'static str, reason: String| SyntheticError::Config { field, reason };
        if self.users == 0 {
            return Err(invalid("users", "must be at least 1".into()));
        }
        if self.items < GENRES.len() as u32 {
            return Err(invalid(
                "items",
                format!("must be at least {}", GENRES.len()),
            ));
        }
        let cap = self.per_user_cap();
        if self.min_per_user > cap {
            return Err(invalid(
                "min_per_user",
                format!("{} is more than a user may have ({cap})", self.min_per_user),
            ));
        }
        let (low, high) = (
            u64::from(self.users) * u64::from(self.min_per_user),
            u64::from(self.users) * u64::from(cap),
        );
        if !(low..=high).contains(&self.interactions) {
            return Err(invalid(
                "interactions",
                format!("{} users need between {low} and {high}", self.users),
            ));
        }
        if !(self.item_exponent > 0.0 && self.item_exponent.is_finite()) {
            return Err(invalid("item_exponent", "must be a positive number".into()));
        }
        if !(0.0..=1.0).contains(&self.taste_share) {
            return Err(invalid("taste_share", "must be in [0, 1]".into()));
        }
        Ok(())
    }

    fn per_user_cap(&self) -> u32 {
        ((f64::from(self.items) * self.max_user_share) as u32).max(1)
    }
}

/// A configuration that cannot give a dataset.
#[derive(Debug, thiserror::Error)]
pub enum SyntheticError {
    #[error("{field}: {reason}")]
    Config { field: &'static str, reason: String },
    #[error("writing {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSummary {
    pub users: u32,
    pub items: u32,
    pub interactions: u64,
    /// Interactions of the most active user.
    pub max_per_user: u32,
    /// Share of all interactions that the most popular 1 % of items take.
    pub top_percent_share_permille: u32,
}

/// The catalog: each item's genres and the popularity laws to draw items from.
struct Catalog {
    /// Genres of each item; the first is its taste.
    genres: Vec<Vec<usize>>,
    /// Popularity weight of each item.
    weight: Vec<f64>,
    everything: Cdf,
    /// Per genre: its items (by taste) and the law over them.
    by_genre: Vec<(Vec<u32>, Cdf)>,
}

impl Catalog {
    fn new(config: &SyntheticConfig, rng: &mut impl Rng) -> Self {
        let n = config.items as usize;
        let mut rank: Vec<usize> = (0..n).collect();
        rank.shuffle(rng);
        let weight: Vec<f64> = rank
            .iter()
            .map(|&r| (r as f64 + 1.0).powf(-config.item_exponent))
            .collect();
        // Genres themselves are unevenly popular (Drama and Comedy lead in MovieLens).
        let genre_law = Cdf::new(
            &(0..GENRES.len())
                .map(|g| 1.0 / (g as f64 + 2.0))
                .collect::<Vec<_>>(),
        );
        let genres: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                // Every genre has at least one item.
                let first = if i < GENRES.len() {
                    i
                } else {
                    genre_law.sample(rng)
                };
                let mut own = vec![first];
                for _ in 0..rng.random_range(0..3) {
                    let more = genre_law.sample(rng);
                    if !own.contains(&more) {
                        own.push(more);
                    }
                }
                own
            })
            .collect();
        let by_genre = (0..GENRES.len())
            .map(|g| {
                let members: Vec<u32> = (0..n as u32)
                    .filter(|&i| genres[i as usize][0] == g)
                    .collect();
                let law = Cdf::new(
                    &members
                        .iter()
                        .map(|&i| weight[i as usize])
                        .collect::<Vec<_>>(),
                );
                (members, law)
            })
            .collect();
        Self {
            everything: Cdf::new(&weight),
            genres,
            weight,
            by_genre,
        }
    }
}

/// How many interactions each user has: Pareto draws, scaled to the total.
fn activity(config: &SyntheticConfig, rng: &mut impl Rng) -> Vec<u32> {
    let (min, cap) = (f64::from(config.min_per_user), config.per_user_cap());
    // α = 1.2 gives MovieLens's shape: the median near half the mean, a tail of thousands.
    let alpha = 1.2;
    let raw: Vec<f64> = (0..config.users)
        .map(|_| {
            let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
            min * u.powf(-1.0 / alpha)
        })
        .collect();
    // Scale the excess over the minimum so that the total comes out right, then settle
    // the rounding on the users in turn.
    let target = config.interactions as f64;
    let floor = min * f64::from(config.users);
    let mut scale = (target - floor) / raw.iter().map(|r| r - min).sum::<f64>().max(1.0);
    let mut counts: Vec<u32> = Vec::new();
    for _ in 0..50 {
        counts = raw
            .iter()
            .map(|r| ((min + (r - min) * scale).round() as u32).clamp(config.min_per_user, cap))
            .collect();
        let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        if total == config.interactions {
            break;
        }
        // Capped users take less than their share, so the others must take more.
        scale *= (target - floor) / (total as f64 - floor).max(1.0);
    }
    let mut total: i64 = counts.iter().map(|&c| i64::from(c)).sum();
    let wanted = config.interactions as i64;
    let users = counts.len();
    let mut user = 0;
    while total != wanted {
        let count = &mut counts[user % users];
        if total < wanted && *count < cap {
            *count += 1;
            total += 1;
        } else if total > wanted && *count > config.min_per_user {
            *count -= 1;
            total -= 1;
        }
        user += 1;
    }
    counts
}

/// Writes `ratings.csv` and `movies.csv` into `dir` (created if missing).
pub fn write_synthetic(
    config: &SyntheticConfig,
    dir: &Path,
) -> Result<SyntheticSummary, SyntheticError> {
    config.check()?;
    let io_error = |file: &str| {
        let file = dir.join(file).display().to_string();
        move |source| SyntheticError::Io { file, source }
    };
    std::fs::create_dir_all(dir).map_err(io_error("."))?;
    let mut rng = orrery_core::rng::stream(config.seed, 0);
    let catalog = Catalog::new(config, &mut rng);
    let counts = activity(config, &mut rng);

    let mut movies =
        BufWriter::new(File::create(dir.join("movies.csv")).map_err(io_error("movies.csv"))?);
    write_movies(&mut movies, &catalog, config.seed)
        .and_then(|()| movies.flush())
        .map_err(io_error("movies.csv"))?;

    let file = File::create(dir.join("ratings.csv")).map_err(io_error("ratings.csv"))?;
    let mut ratings = BufWriter::with_capacity(1 << 20, file);
    let mut per_item = vec![0u64; config.items as usize];
    write_ratings(&mut ratings, config, &catalog, &counts, &mut per_item)
        .and_then(|()| ratings.flush())
        .map_err(io_error("ratings.csv"))?;

    per_item.sort_unstable_by(|a, b| b.cmp(a));
    let top = (config.items as usize / 100).max(1);
    let top_share = per_item[..top].iter().sum::<u64>() * 1000 / config.interactions.max(1);
    Ok(SyntheticSummary {
        users: config.users,
        items: config.items,
        interactions: config.interactions,
        max_per_user: counts.iter().copied().max().unwrap_or(0),
        top_percent_share_permille: top_share as u32,
    })
}

fn write_movies(out: &mut impl Write, catalog: &Catalog, seed: u64) -> io::Result<()> {
    writeln!(out, "movieId,title,genres")?;
    // Titles draw from a stream of their own (the users' are 1..=users), so that they
    // change nothing else the seed makes.
    let mut rng = orrery_core::rng::stream(seed, u64::MAX);
    for (item, genres) in catalog.genres.iter().enumerate() {
        let names: Vec<&str> = genres.iter().map(|&g| GENRES[g]).collect();
        let title = film_title(genres[0], &mut rng);
        let year = rng.random_range(1950..2020);
        writeln!(out, "{},{title} ({year}),{}", item + 1, names.join("|"))?;
    }
    Ok(())
}

/// Words every genre's titles use.
const ADJECTIVES: [&str; 24] = [
    "Silent",
    "Crimson",
    "Broken",
    "Golden",
    "Last",
    "Hidden",
    "Midnight",
    "Distant",
    "Wild",
    "Lonely",
    "Burning",
    "Frozen",
    "Secret",
    "Endless",
    "Hollow",
    "Bright",
    "Restless",
    "Forgotten",
    "Northern",
    "Velvet",
    "Iron",
    "Quiet",
    "Lost",
    "Falling",
];
const NOUNS: [&str; 24] = [
    "Harbor", "River", "Summer", "Road", "Garden", "Letter", "Promise", "City", "Island", "Winter",
    "Bridge", "Horizon", "Station", "Mirror", "Season", "Valley", "Crossing", "Voyage", "Hour",
    "Shore", "Kingdom", "Signal", "Orchard", "Tide",
];

/// Words that give a title its genre's colour, in the order of [`GENRES`].
const GENRE_NOUNS: [[&str; 4]; 18] = [
    ["Fury", "Strike", "Pursuit", "Siege"],
    ["Expedition", "Quest", "Treasure", "Frontier"],
    ["Paintbox", "Lantern", "Whiskers", "Cloud"],
    ["Treehouse", "Puppy", "Birthday", "Playground"],
    ["Wedding", "Neighbors", "Mix-Up", "Weekend"],
    ["Heist", "Alibi", "Syndicate", "Verdict"],
    ["Chronicle", "Witness", "Record", "Journey"],
    ["Inheritance", "Homecoming", "Portrait", "Family"],
    ["Dragon", "Spell", "Crown", "Enchantress"],
    ["Shadow", "Dame", "Rain", "Double-Cross"],
    ["Haunting", "Curse", "Cellar", "Scream"],
    ["Serenade", "Melody", "Ballroom", "Encore"],
    ["Riddle", "Cipher", "Disappearance", "Key"],
    ["Kiss", "Sweetheart", "Rendezvous", "Heart"],
    ["Android", "Nebula", "Colony", "Transmission"],
    ["Trap", "Stranger", "Deadline", "Pursuer"],
    ["Battalion", "Trenches", "Armistice", "Front"],
    ["Outlaw", "Ranch", "Sheriff", "Gunfighter"],
];

/// A title that reads like a film's, coloured by the `genre` (an index into [`GENRES`]).
pub(crate) fn film_title(genre: usize, rng: &mut impl Rng) -> String {
    let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let noun = NOUNS[rng.random_range(0..NOUNS.len())];
    let flavour = GENRE_NOUNS[genre][rng.random_range(0..4)];
    match rng.random_range(0..5) {
        0 => format!("The {adjective} {flavour}"),
        1 => format!("{flavour} at the {noun}"),
        2 => format!("The {flavour} of {adjective} {noun}"),
        3 => format!("{adjective} {flavour}"),
        _ => format!("{flavour} {}", ["II", "III", "IV"][rng.random_range(0..3)]),
    }
}

fn write_ratings(
    out: &mut impl Write,
    config: &SyntheticConfig,
    catalog: &Catalog,
    counts: &[u32],
    per_item: &mut [u64],
) -> io::Result<()> {
    writeln!(out, "userId,movieId,rating,timestamp")?;
    let mut seen: HashSet<u32> = HashSet::new();
    let mut line = String::with_capacity(48);
    let genre_law = Cdf::new(
        &catalog
            .by_genre
            .iter()
            .map(|(m, _)| m.len() as f64)
            .collect::<Vec<_>>(),
    );
    for (user, &count) in counts.iter().enumerate() {
        let mut rng = orrery_core::rng::stream(config.seed, user as u64 + 1);
        let taste = genre_law.sample(&mut rng);
        let (members, in_taste) = &catalog.by_genre[taste];
        seen.clear();
        let mut ts = config.start + rng.random_range(0..400_000_000);
        while seen.len() < count as usize {
            let from_taste = !members.is_empty()
                && seen.len() < members.len()
                && rng.random::<f64>() < config.taste_share;
            let item = if from_taste {
                members[in_taste.sample(&mut rng)]
            } else {
                catalog.everything.sample(&mut rng) as u32
            };
            if !seen.insert(item) {
                continue;
            }
            per_item[item as usize] += 1;
            let liked = catalog.genres[item as usize].contains(&taste);
            let popular = catalog.weight[item as usize].ln() * 0.05;
            let mean = 3.2 + if liked { 0.8 } else { 0.0 } + popular.max(-0.5);
            let noise: f64 = rng.random::<f64>() + rng.random::<f64>() - 1.0;
            let halves = ((mean + noise * 1.5) * 2.0).round().clamp(1.0, 10.0) as u32;
            ts += rng.random_range(1..3_600);
            line.clear();
            let _ = writeln!(
                line,
                "{},{},{}.{},{ts}",
                user + 1,
                item + 1,
                halves / 2,
                if halves % 2 == 1 { 5 } else { 0 }
            );
            out.write_all(line.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SyntheticConfig {
        SyntheticConfig {
            users: 400,
            items: 1_000,
            interactions: 30_000,
            ..SyntheticConfig::movielens_20m()
        }
    }

    #[test]
    fn the_counts_add_up_and_every_user_has_the_minimum() {
        let config = small();
        let counts = activity(&config, &mut orrery_core::rng::seeded(1));
        assert_eq!(counts.iter().map(|&c| u64::from(c)).sum::<u64>(), 30_000);
        assert!(
            counts.iter().all(|&c| (20..=350).contains(&c)),
            "{counts:?}"
        );
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        // A power law: the median user has well under the mean.
        assert!(sorted[200] < 75, "median {}", sorted[200]);
    }

    #[test]
    fn files_are_reproducible_and_shaped_like_movielens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = small();
        let summary = write_synthetic(&config, dir.path()).expect("write");
        let first = std::fs::read(dir.path().join("ratings.csv")).expect("read");
        write_synthetic(&config, dir.path()).expect("write again");
        assert_eq!(
            first,
            std::fs::read(dir.path().join("ratings.csv")).expect("read")
        );

        let text = String::from_utf8(first).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("userId,movieId,rating,timestamp"));
        let mut pairs = HashSet::new();
        for line in lines.clone() {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 4, "{line}");
            let rating: f32 = fields[2].parse().expect("rating");
            assert!((0.5..=5.0).contains(&rating) && (rating * 2.0).fract() == 0.0);
            assert!(pairs.insert((fields[0], fields[1])), "repeated pair {line}");
        }
        assert_eq!(pairs.len(), 30_000);
        // Popular items dominate: the top 1 % take far more than 1 %.
        assert!(summary.top_percent_share_permille > 80, "{summary:?}");
        let movies = std::fs::read_to_string(dir.path().join("movies.csv")).expect("movies");
        assert_eq!(movies.lines().count(), 1_001);
        // Titles read like films' (no commas, so the CSV needs no quoting), with a year.
        for line in movies.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 3, "{line}");
            let year: u32 = fields[1]
                .rsplit_once(" (")
                .and_then(|(_, y)| y.strip_suffix(')'))
                .and_then(|y| y.parse().ok())
                .unwrap_or_else(|| panic!("no year in {line}"));
            assert!((1950..2020).contains(&year), "{line}");
        }
    }

    #[test]
    fn impossible_sizes_name_the_field() {
        let config = SyntheticConfig {
            interactions: 10,
            ..small()
        };
        let error = write_synthetic(&config, Path::new("/nonexistent")).unwrap_err();
        assert!(error.to_string().starts_with("interactions:"), "{error}");
    }
}
