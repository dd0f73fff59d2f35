//! The simulator's contract: reproducible bytes, the seed's file layout, records for the
//! store, and configuration errors that name the field.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use orrery_core::{EventKind, Record};
use orrery_data::poppy::{self, INTERACTION_COLUMNS};
use orrery_data::simulate::{
    OBJECT_COLUMNS, OBJECT_INTERACTION_COLUMNS, SimulateError, Universe, UniverseConfig, simulate,
};

fn universe(config: &UniverseConfig) -> Universe {
    match simulate(config) {
        Ok(universe) => universe,
        Err(e) => panic!("simulation failed: {e}"),
    }
}

fn write(universe: &Universe, dir: &Path) -> Vec<std::path::PathBuf> {
    match universe.write_csv(dir) {
        Ok(paths) => paths,
        Err(e) => panic!("writing failed: {e}"),
    }
}

fn read_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).expect("the simulator's CSV opens");
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn same_seed_writes_identical_bytes_and_other_seeds_differ() {
    let config = UniverseConfig::default();
    let first = tempfile::tempdir().expect("temp dir");
    let second = tempfile::tempdir().expect("temp dir");
    let first_paths = write(&universe(&config), first.path());
    let second_paths = write(&universe(&config), second.path());
    assert_eq!(first_paths.len(), 4);
    for (a, b) in first_paths.iter().zip(&second_paths) {
        assert_eq!(a.file_name(), b.file_name());
        let (a_bytes, b_bytes) = (fs::read(a).expect("read"), fs::read(b).expect("read"));
        assert!(a_bytes.len() > 100, "{} is nearly empty", a.display());
        assert!(a_bytes == b_bytes, "{} differs between runs", a.display());
    }

    let other = tempfile::tempdir().expect("temp dir");
    let other_paths = write(
        &universe(&UniverseConfig {
            seed: config.seed + 1,
            ..config.clone()
        }),
        other.path(),
    );
    for (a, b) in first_paths.iter().zip(&other_paths) {
        assert_ne!(
            fs::read(a).expect("read"),
            fs::read(b).expect("read"),
            "{} is the same for two seeds",
            a.display()
        );
    }
}

#[test]
fn interactions_file_has_the_seeds_columns_and_pandas_timestamps() {
    let config = UniverseConfig::default();
    let universe = universe(&config);
    let dir = tempfile::tempdir().expect("temp dir");
    write(&universe, dir.path());
    let path = dir.path().join("NN_Semantic_Interactions.csv");

    let text = fs::read_to_string(&path).expect("read");
    assert!(
        text.starts_with(
            "Interaction_ID,User_ID,Category_Type,Category_Value,Strength,Timestamp\n"
        )
    );
    assert!(!text.contains('\r'), "pandas writes \\n line ends");

    let (header, rows) = read_rows(&path);
    assert_eq!(header, INTERACTION_COLUMNS);
    assert_eq!(rows.len(), 12_000);
    for (index, (row, sim)) in rows.iter().zip(&universe.interactions).enumerate() {
        assert_eq!(row[0], (index + 1).to_string());
        let user: u32 = row[1].parse().expect("User_ID is a number");
        assert!((1..=120).contains(&user));
        assert_eq!(user, sim.user);
        let values = poppy::values_of(&row[2]).expect("a known category type");
        assert!(
            values.contains(&row[3].as_str()),
            "{} is not a {}",
            row[3],
            row[2]
        );
        assert!(["1", "2", "3", "4", "5"].contains(&row[4].as_str()));

        // "2025-11-30 02:02:11.902417", read back to the simulated microsecond.
        let ts = &row[5];
        assert_eq!(ts.len(), 26, "{ts}");
        let parsed = chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M:%S%.f")
            .expect("a pandas timestamp");
        assert_eq!(parsed.and_utc().timestamp_micros(), sim.ts_micros);
        assert!(sim.ts_micros < config.now * 1_000_000);
        assert!(sim.ts_micros >= (config.now - 61 * 86_400) * 1_000_000);
    }
}

#[test]
fn planted_truth_lists_every_user_with_an_empty_field_for_no_preference() {
    let universe = universe(&UniverseConfig::default());
    let dir = tempfile::tempdir().expect("temp dir");
    write(&universe, dir.path());
    let path = dir.path().join("planted_preferences.csv");
    let (header, rows) = read_rows(&path);
    assert_eq!(header, ["User_ID", "Preferred_Category_Type"]);
    assert_eq!(rows.len(), 120);
    let mut without = 0;
    for (row, (user, preferred)) in rows.iter().zip(&universe.preferences) {
        assert_eq!(row[0], user.to_string());
        assert_eq!(row[1], preferred.unwrap_or(""));
        without += usize::from(row[1].is_empty());
    }
    assert!(
        without > 0 && without < 120,
        "{without} users without a preference"
    );
    assert!(universe.favourite_hours.is_none());
}

#[test]
fn catalog_and_object_events_files_name_real_objects() {
    let universe = universe(&UniverseConfig::default());
    let dir = tempfile::tempdir().expect("temp dir");
    write(&universe, dir.path());

    let (header, objects) = read_rows(&dir.path().join("objects.csv"));
    assert_eq!(header, OBJECT_COLUMNS);
    assert_eq!(objects.len(), 160);
    let counts = ["Star", "Planet", "Moon"].map(|t| objects.iter().filter(|o| o[0] == t).count());
    assert_eq!(counts, [70, 40, 50]);
    assert_eq!(objects[0][1], "star-001");
    assert_eq!(objects[70][1], "planet-001");
    assert_eq!(objects[110][1], "moon-001");
    for object in &objects {
        let values = poppy::values_of(&object[0]).expect("a known object type");
        assert!(values.contains(&object[3].as_str()));
        assert!(!object[2].is_empty());
    }
    assert!(objects.iter().any(|o| o[2] == "Sirius" && o[3] == "A"));
    assert!(objects.iter().any(|o| o[2] == "Titan" && o[3] == "Saturn"));

    let ids: HashSet<(&str, &str)> = objects
        .iter()
        .map(|o| (o[0].as_str(), o[1].as_str()))
        .collect();
    let (header, events) = read_rows(&dir.path().join("object_interactions.csv"));
    assert_eq!(header, OBJECT_INTERACTION_COLUMNS);
    assert_eq!(events.len(), 20_000);
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event[0], (index + 1).to_string());
        assert!(ids.contains(&(event[2].as_str(), event[3].as_str())));
        assert!(["view", "click", "favorite"].contains(&event[4].as_str()));
        assert_eq!(event[5].len(), 26);
    }
}

#[test]
fn records_hold_users_items_then_interactions_that_name_them() {
    let universe = universe(&UniverseConfig::default());
    let records: Vec<Record> = universe.records().collect();

    let first_interaction = records
        .iter()
        .position(|r| matches!(r, Record::Interaction(_)))
        .expect("some interactions");
    assert!(
        records[first_interaction..]
            .iter()
            .all(|r| matches!(r, Record::Interaction(_))),
        "users and items come before every interaction"
    );

    let users: HashSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::User(u) => Some(u.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(users.len(), 120);
    assert!(users.contains("1") && users.contains("120"));

    let items: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::Item(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(items.len(), 21 + 160);
    let star = items
        .iter()
        .find(|i| i.id == "star-001")
        .expect("the first star");
    assert_eq!(star.categories[0].kind, "Star");
    assert_eq!(star.attributes["object_type"], "Star");
    assert!(items.iter().any(|i| i.id == "Planet:Gas Giant"));
    let item_ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();

    let mut by_kind = std::collections::BTreeMap::new();
    for record in &records[first_interaction..] {
        let Record::Interaction(i) = record else {
            unreachable!("checked above")
        };
        assert!(users.contains(i.user.as_str()), "unknown user {}", i.user);
        assert!(
            item_ids.contains(i.item.as_str()),
            "unknown item {}",
            i.item
        );
        if i.kind == EventKind::Strength {
            assert!((1.0..=5.0).contains(&i.value));
            assert!(i.item.contains(':'));
        } else {
            assert_eq!(i.value, 0.0);
        }
        *by_kind.entry(i.kind.as_str().to_owned()).or_insert(0usize) += 1;
    }
    assert_eq!(by_kind["strength"], 12_000);
    assert_eq!(
        by_kind["view"] + by_kind["click"] + by_kind["favorite"],
        20_000
    );
    assert!(by_kind["view"] > by_kind["click"] && by_kind["click"] > by_kind["favorite"]);

    let first = &universe.interactions[0];
    let Record::Interaction(stored) = &records[first_interaction] else {
        unreachable!("checked above")
    };
    assert_eq!(stored.ts, first.ts_micros.div_euclid(1_000_000));
    assert_eq!(
        stored.item,
        poppy::category_item_id(first.category_type, first.category_value)
    );
}

#[test]
fn a_missing_output_folder_is_created() {
    let universe = universe(&UniverseConfig {
        interactions: 10,
        objects: orrery_data::simulate::ObjectConfig {
            events: 10,
            ..Default::default()
        },
        ..UniverseConfig::default()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let nested = dir.path().join("a").join("b");
    let paths = write(&universe, &nested);
    assert!(paths.iter().all(|p| p.starts_with(&nested) && p.is_file()));
}

#[test]
fn writing_into_a_file_names_the_path() {
    let universe = universe(&UniverseConfig {
        interactions: 10,
        ..UniverseConfig::default()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("occupied");
    fs::write(&file, "not a folder").expect("write");
    let error = universe
        .write_csv(&file)
        .expect_err("a file is not a folder");
    assert!(matches!(error, SimulateError::Io { .. }));
    assert!(error.to_string().contains("occupied"), "{error}");
}

/// One edit of the default configuration.
type ConfigChange = fn(&mut UniverseConfig);

/// Runs `simulate` with one field changed and returns the field the error names.
fn rejected(change: ConfigChange) -> (String, String) {
    let mut config = UniverseConfig::default();
    change(&mut config);
    match simulate(&config) {
        Err(error @ SimulateError::InvalidConfig { field, .. }) => {
            (field.to_owned(), error.to_string())
        }
        Err(other) => panic!("expected a configuration error, got {other}"),
        Ok(_) => panic!("expected a configuration error for {config:?}"),
    }
}

#[test]
fn invalid_settings_are_refused_with_the_field_and_the_value() {
    let cases: Vec<(&str, &str, ConfigChange)> = vec![
        ("users", "got 0", |c| c.users = 0),
        ("interactions", "got 0", |c| c.interactions = 0),
        ("category_weights", "sum to 0.9", |c| {
            c.category_weights = [0.4, 0.3, 0.2]
        }),
        ("category_weights", "entry 1 is -0.2", |c| {
            c.category_weights = [0.8, -0.2, 0.4]
        }),
        ("preference_share", "got 1.5", |c| c.preference_share = 1.5),
        ("preference_pick", "got NaN", |c| {
            c.preference_pick = f64::NAN
        }),
        ("repeat_prob", "got -0.1", |c| c.repeat_prob = -0.1),
        ("strength_probs", "they must sum to 1", |c| {
            c.strength_probs = [0.2; 5].map(|p| p * 0.9)
        }),
        ("days_scale", "got 0", |c| c.days_scale = 0.0),
        ("days_cap", "got inf", |c| c.days_cap = f64::INFINITY),
        ("hour_probs", "sum to 0", |c| c.hour_probs = [0.0; 24]),
        ("strength_signal", "got 1.5", |c| c.strength_signal = 1.5),
        ("now", "years 1 and 9999", |c| c.now = i64::MAX),
        ("objects.click_given_view", "got 2", |c| {
            c.objects.click_given_view = 2.0
        }),
        ("objects.favorite_given_click", "got -1", |c| {
            c.objects.favorite_given_click = -1.0
        }),
        ("objects.popularity_exponent", "got -1", |c| {
            c.objects.popularity_exponent = -1.0
        }),
        ("objects.events", "at least one star, planet or moon", |c| {
            c.objects.stars = 0;
            c.objects.planets = 0;
            c.objects.moons = 0;
        }),
        ("objects", "at most", |c| c.objects.stars = u32::MAX),
    ];
    for (field, detail, change) in cases {
        let (named, message) = rejected(change);
        assert_eq!(named, field, "{message}");
        assert!(message.contains(field), "{message}");
        assert!(message.contains(detail), "{message} should say {detail}");
    }
}

#[test]
fn no_objects_and_no_events_is_a_valid_universe() {
    let mut config = UniverseConfig {
        interactions: 50,
        ..UniverseConfig::default()
    };
    config.objects.stars = 0;
    config.objects.planets = 0;
    config.objects.moons = 0;
    config.objects.events = 0;
    let universe = universe(&config);
    assert!(universe.objects.is_empty() && universe.object_events.is_empty());
    assert_eq!(universe.interactions.len(), 50);
}
