//! Layer 2: the celestial catalog (stars, planets, moons with their category values and
//! real names where there are enough) and the object-level views, clicks and favorites.

use orrery_core::{EventKind, ItemRecord, rng};
use rand::Rng;
use rand::seq::SliceRandom;

use super::config::UniverseConfig;
use super::sampling::{Cdf, TimeSampler, timestamp_micros, zipf_weights};
use super::{SimulateError, format_timestamp};
use crate::poppy::{CATEGORY_TYPES, MOON_PARENTS, PLANET_TYPES, STAR_TYPES};

/// Random stream of the catalog.
const CATALOG_STREAM: u64 = 2;
/// Random stream of the object events.
const OBJECT_EVENT_STREAM: u64 = 3;

/// How often each star spectral type (O B A F G K M) is drawn: skewed toward the cool K
/// and M dwarfs that dominate the solar neighbourhood, tempered so that a catalog of tens
/// of stars still shows the rare hot types (real shares are closer to 0.00003 % O and
/// 76 % M).
pub const STAR_TYPE_WEIGHTS: [f64; 7] = [0.01, 0.03, 0.06, 0.10, 0.15, 0.25, 0.40];

/// How often each planet type (Terrestrial, Gas Giant, Ice Giant, Dwarf Planet) is drawn.
pub const PLANET_TYPE_WEIGHTS: [f64; 4] = [0.35, 0.30, 0.15, 0.20];

/// How often each moon parent is drawn: the number of known moons of each body in 2024
/// (Earth 1, Mars 2, Jupiter 95, Saturn 146, Uranus 28, Neptune 16, Pluto 5, Eris 1,
/// Haumea 2, Makemake 1).
pub const MOON_PARENT_WEIGHTS: [f64; 10] = [1.0, 2.0, 95.0, 146.0, 28.0, 16.0, 5.0, 1.0, 2.0, 1.0];

/// Real stars of each spectral type, used as names until a type runs out.
const STAR_NAMES: [&[&str]; 7] = [
    &[
        "Zeta Puppis",
        "Zeta Ophiuchi",
        "Alnitak",
        "Mintaka",
        "Lambda Orionis",
        "10 Lacertae",
        "Xi Persei",
        "Iota Orionis",
        "Sigma Orionis",
    ],
    &[
        "Rigel",
        "Spica",
        "Achernar",
        "Hadar",
        "Acrux",
        "Regulus",
        "Bellatrix",
        "Alnilam",
        "Saiph",
        "Elnath",
        "Mimosa",
        "Shaula",
        "Alkaid",
        "Adhara",
    ],
    &[
        "Sirius",
        "Vega",
        "Altair",
        "Deneb",
        "Fomalhaut",
        "Castor",
        "Denebola",
        "Alderamin",
        "Rasalhague",
        "Alhena",
    ],
    &[
        "Procyon", "Polaris", "Mirfak", "Wezen", "Caph", "Porrima", "Sadr",
    ],
    &[
        "Sun",
        "Alpha Centauri A",
        "Tau Ceti",
        "51 Pegasi",
        "Kepler-452",
        "18 Scorpii",
        "Mu Arae",
        "61 Virginis",
        "Beta Hydri",
        "Delta Pavonis",
        "Kepler-22",
    ],
    &[
        "Arcturus",
        "Aldebaran",
        "Epsilon Eridani",
        "Alpha Centauri B",
        "Pollux",
        "61 Cygni A",
        "Dubhe",
        "Hamal",
        "Kochab",
        "Alphard",
        "Groombridge 1618",
        "Epsilon Indi",
        "HD 189733",
        "Kepler-62",
    ],
    &[
        "Proxima Centauri",
        "Barnard's Star",
        "Betelgeuse",
        "Antares",
        "Wolf 359",
        "Lalande 21185",
        "Ross 128",
        "TRAPPIST-1",
        "Gliese 581",
        "Luyten's Star",
        "Kapteyn's Star",
        "Lacaille 9352",
        "Teegarden's Star",
        "Mira",
        "Ross 154",
        "YZ Ceti",
        "Gliese 667 C",
        "Struve 2398",
        "Ross 248",
        "Gliese 1061",
        "Wolf 1061",
    ],
];

/// Real planets of each type, used as names until a type runs out.
const PLANET_NAMES: [&[&str]; 4] = [
    &[
        "Mercury",
        "Venus",
        "Earth",
        "Mars",
        "Proxima Centauri b",
        "TRAPPIST-1d",
        "TRAPPIST-1e",
        "TRAPPIST-1f",
        "TRAPPIST-1g",
        "Kepler-186f",
        "Kepler-452b",
        "LHS 1140 b",
        "Ross 128 b",
        "Teegarden's Star b",
        "Kepler-10b",
        "GJ 1132 b",
    ],
    &[
        "Jupiter",
        "Saturn",
        "51 Pegasi b",
        "HD 209458 b",
        "HD 189733 b",
        "WASP-12b",
        "Kepler-7b",
        "TrES-2b",
        "Epsilon Eridani b",
        "55 Cancri b",
        "Upsilon Andromedae b",
        "47 Ursae Majoris b",
        "WASP-17b",
        "HAT-P-7b",
        "Beta Pictoris b",
    ],
    &[
        "Uranus",
        "Neptune",
        "Gliese 436 b",
        "HAT-P-11b",
        "GJ 3470 b",
        "HAT-P-26b",
    ],
    &[
        "Ceres", "Pluto", "Eris", "Haumea", "Makemake", "Gonggong", "Quaoar", "Sedna", "Orcus",
        "Salacia",
    ],
];

/// Real moons of each parent, used as names until a parent runs out.
const MOON_NAMES: [&[&str]; 10] = [
    &["Moon"],
    &["Phobos", "Deimos"],
    &[
        "Io",
        "Europa",
        "Ganymede",
        "Callisto",
        "Amalthea",
        "Himalia",
        "Thebe",
        "Elara",
        "Pasiphae",
        "Metis",
        "Carme",
        "Sinope",
        "Lysithea",
        "Ananke",
        "Leda",
        "Adrastea",
        "Callirrhoe",
        "Themisto",
    ],
    &[
        "Titan",
        "Rhea",
        "Iapetus",
        "Dione",
        "Tethys",
        "Enceladus",
        "Mimas",
        "Hyperion",
        "Phoebe",
        "Janus",
        "Epimetheus",
        "Prometheus",
        "Pandora",
        "Atlas",
        "Pan",
        "Helene",
        "Telesto",
        "Calypso",
        "Daphnis",
        "Ymir",
        "Paaliaq",
        "Siarnaq",
        "Tarvos",
        "Kiviuq",
    ],
    &[
        "Miranda",
        "Ariel",
        "Umbriel",
        "Titania",
        "Oberon",
        "Puck",
        "Cordelia",
        "Ophelia",
        "Bianca",
        "Cressida",
        "Desdemona",
        "Juliet",
        "Portia",
        "Rosalind",
        "Belinda",
        "Sycorax",
        "Caliban",
    ],
    &[
        "Triton",
        "Nereid",
        "Proteus",
        "Larissa",
        "Galatea",
        "Despina",
        "Thalassa",
        "Naiad",
        "Halimede",
        "Sao",
        "Laomedeia",
        "Psamathe",
        "Neso",
        "Hippocamp",
    ],
    &["Charon", "Nix", "Hydra", "Kerberos", "Styx"],
    &["Dysnomia"],
    &["Hi'iaka", "Namaka"],
    &["MK2"],
];

/// One kind of object: its type, the values it takes, how often each is drawn, and real
/// names for each value.
struct ObjectKind {
    object_type: &'static str,
    values: &'static [&'static str],
    weights: &'static [f64],
    names: &'static [&'static [&'static str]],
}

const STARS: ObjectKind = ObjectKind {
    object_type: "Star",
    values: &STAR_TYPES,
    weights: &STAR_TYPE_WEIGHTS,
    names: &STAR_NAMES,
};

const PLANETS: ObjectKind = ObjectKind {
    object_type: "Planet",
    values: &PLANET_TYPES,
    weights: &PLANET_TYPE_WEIGHTS,
    names: &PLANET_NAMES,
};

const MOONS: ObjectKind = ObjectKind {
    object_type: "Moon",
    values: &MOON_PARENTS,
    weights: &MOON_PARENT_WEIGHTS,
    names: &MOON_NAMES,
};

/// One object of the catalog: an item of Layer 2.
#[derive(Debug, Clone, PartialEq)]
pub struct CelestialObject {
    /// `star-001`, `planet-017`, `moon-042`.
    pub id: String,
    /// A real name while the type has some left (`Sirius`, `Titan`), then a designation
    /// such as `M-type star 3`.
    pub name: String,
    /// `Star`, `Planet` or `Moon`.
    pub object_type: &'static str,
    /// The spectral type, planet type or moon parent.
    pub category_value: &'static str,
    /// 1 for the most viewed object: the object's Zipf weight is `rank^-exponent`. The
    /// planted truth of Layer 2.
    pub popularity_rank: u32,
}

impl CelestialObject {
    /// The object as an item: its name as title, its (type, value) category and an
    /// `object_type` attribute.
    pub fn item(&self) -> ItemRecord {
        crate::poppy::object_item(&self.id, &self.name, self.object_type, self.category_value)
    }
}

/// What a user did with an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectEventKind {
    View,
    Click,
    Favorite,
}

impl ObjectEventKind {
    /// `view`, `click` or `favorite`, as written in `object_interactions.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectEventKind::View => "view",
            ObjectEventKind::Click => "click",
            ObjectEventKind::Favorite => "favorite",
        }
    }

    /// The store's event kind.
    pub fn event_kind(self) -> EventKind {
        match self {
            ObjectEventKind::View => EventKind::View,
            ObjectEventKind::Click => EventKind::Click,
            ObjectEventKind::Favorite => EventKind::Favorite,
        }
    }
}

/// One row of `object_interactions.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectEvent {
    /// `User_ID`, in `1..=users`.
    pub user: u32,
    /// Index into [`Universe::objects`](super::Universe::objects).
    pub object: u32,
    pub kind: ObjectEventKind,
    /// The timestamp in Unix microseconds, UTC.
    pub ts_micros: i64,
}

impl ObjectEvent {
    /// The timestamp in Unix seconds (rounded down), as stored.
    pub fn ts(&self) -> i64 {
        self.ts_micros.div_euclid(1_000_000)
    }

    /// The timestamp as pandas writes it: `2025-11-30 02:02:11.902417`.
    pub fn timestamp_text(&self) -> Result<String, SimulateError> {
        format_timestamp(self.ts_micros)
    }
}

/// Draws the catalog: per type, each value once (when the count allows), the rest by the
/// type's weights, sorted by value; then a random popularity order over all objects.
pub(crate) fn simulate_catalog(config: &UniverseConfig) -> Vec<CelestialObject> {
    let mut rng = rng::stream(config.seed, CATALOG_STREAM);
    let objects = &config.objects;
    let kinds = [
        (&STARS, objects.stars),
        (&PLANETS, objects.planets),
        (&MOONS, objects.moons),
    ];

    let mut catalog = Vec::with_capacity(objects.total_objects() as usize);
    for (kind, count) in kinds {
        let ObjectKind {
            object_type,
            values,
            weights,
            names,
        } = *kind;
        let count = count as usize;
        // Every value once when there are enough objects, so that each category has
        // objects; the rest (or all, for a smaller catalog) by weight.
        let mut drawn: Vec<usize> = if count >= values.len() {
            (0..values.len()).collect()
        } else {
            Vec::with_capacity(count)
        };
        let value_draw = Cdf::new(weights);
        while drawn.len() < count {
            drawn.push(value_draw.sample(&mut rng));
        }
        drawn.sort_unstable();

        let mut used = vec![0usize; values.len()];
        for (position, value_index) in drawn.into_iter().enumerate() {
            let value = values[value_index];
            let seq = used[value_index];
            used[value_index] += 1;
            let name = match names[value_index].get(seq) {
                Some(real) => (*real).to_owned(),
                None => designation(object_type, value, seq + 1 - names[value_index].len()),
            };
            catalog.push(CelestialObject {
                id: format!("{}-{:03}", object_type.to_ascii_lowercase(), position + 1),
                name,
                object_type,
                category_value: value,
                popularity_rank: 0,
            });
        }
    }

    let mut ranks: Vec<u32> = (1..=catalog.len() as u32).collect();
    ranks.shuffle(&mut rng);
    for (object, rank) in catalog.iter_mut().zip(ranks) {
        object.popularity_rank = rank;
    }
    catalog
}

/// A name for an object beyond the real ones of its value.
fn designation(object_type: &str, value: &str, number: usize) -> String {
    match object_type {
        "Star" => format!("{value}-type star {number}"),
        "Moon" => format!("{value} moon {number}"),
        _ => format!("{value} {number}"),
    }
}

/// Draws the object events: `config.objects.events` rows of view → click → favorite
/// funnels (the last funnel may be cut short).
pub(crate) fn simulate_object_events(
    config: &UniverseConfig,
    catalog: &[CelestialObject],
    preferences: &[Option<usize>],
) -> Result<Vec<ObjectEvent>, SimulateError> {
    let settings = &config.objects;
    let wanted = settings.events as usize;
    if wanted == 0 || catalog.is_empty() {
        return Ok(Vec::new());
    }
    let mut rng = rng::stream(config.seed, OBJECT_EVENT_STREAM);
    let time_draw = TimeSampler::new(config.days_scale, config.days_cap, &config.hour_probs)?;

    let weights = object_weights(catalog, settings.popularity_exponent);
    let any_object = Cdf::new(&weights);
    // Per category type: its objects and a draw over them by the same weights.
    let by_type: Vec<Option<(Vec<u32>, Cdf)>> = CATEGORY_TYPES
        .iter()
        .map(|t| {
            let members: Vec<u32> = (0..catalog.len() as u32)
                .filter(|&i| catalog[i as usize].object_type == *t)
                .collect();
            let member_weights: Vec<f64> = members.iter().map(|&i| weights[i as usize]).collect();
            (!members.is_empty()).then(|| (members, Cdf::new(&member_weights)))
        })
        .collect();

    let now_micros = config.now * 1_000_000;
    let mut events = Vec::with_capacity(wanted.min(1 << 22));
    while events.len() < wanted {
        let user = rng.random_range(1..=config.users);
        let preferred = preferences[(user - 1) as usize].and_then(|t| by_type[t].as_ref());
        let object = match preferred {
            Some((members, draw)) if rng.random::<f64>() < config.preference_pick => {
                members[draw.sample(&mut rng)]
            }
            _ => any_object.sample(&mut rng) as u32,
        };
        let mut ts_micros = timestamp_micros(config.now, &time_draw.sample(&mut rng));
        events.push(ObjectEvent {
            user,
            object,
            kind: ObjectEventKind::View,
            ts_micros,
        });

        for (kind, probability) in [
            (ObjectEventKind::Click, settings.click_given_view),
            (ObjectEventKind::Favorite, settings.favorite_given_click),
        ] {
            if events.len() >= wanted || rng.random::<f64>() >= probability {
                break;
            }
            ts_micros = (ts_micros + rng.random_range(1_000_000..=120_000_000)).min(now_micros);
            events.push(ObjectEvent {
                user,
                object,
                kind,
                ts_micros,
            });
        }
    }
    Ok(events)
}

/// Each object's Zipf weight from its popularity rank.
pub(crate) fn object_weights(catalog: &[CelestialObject], exponent: f64) -> Vec<f64> {
    let by_rank = zipf_weights(catalog.len(), exponent);
    catalog
        .iter()
        .map(|o| by_rank[(o.popularity_rank as usize).saturating_sub(1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::Category;

    #[test]
    fn names_lists_match_the_vocabularies() {
        assert_eq!(STAR_NAMES.len(), STAR_TYPES.len());
        assert_eq!(PLANET_NAMES.len(), PLANET_TYPES.len());
        assert_eq!(MOON_NAMES.len(), MOON_PARENTS.len());
        assert_eq!(STAR_TYPE_WEIGHTS.len(), STAR_TYPES.len());
        assert!((STAR_TYPE_WEIGHTS.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((PLANET_TYPE_WEIGHTS.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn small_catalog_holds_every_value_and_unique_ids() {
        let config = UniverseConfig::default();
        let catalog = simulate_catalog(&config);
        assert_eq!(catalog.len(), 160);
        let mut ids: Vec<&str> = catalog.iter().map(|o| o.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 160);
        for value in STAR_TYPES {
            assert!(catalog.iter().any(|o| o.category_value == value));
        }
        let mut ranks: Vec<u32> = catalog.iter().map(|o| o.popularity_rank).collect();
        ranks.sort_unstable();
        assert_eq!(ranks, (1..=160).collect::<Vec<_>>());
    }

    #[test]
    fn object_item_carries_type_value_and_attribute() {
        let object = CelestialObject {
            id: "moon-003".into(),
            name: "Titan".into(),
            object_type: "Moon",
            category_value: "Saturn",
            popularity_rank: 4,
        };
        let item = object.item();
        assert_eq!(item.id, "moon-003");
        assert_eq!(item.title, "Titan");
        assert_eq!(item.categories, vec![Category::new("Moon", "Saturn")]);
        assert_eq!(item.attributes["object_type"], "Moon");
    }
}
