//! Imports the small sample files in `tests/fixtures`: malformed ones must fail with a
//! message naming the file, the line and the field; good ones must give the right records.

use std::path::{Path, PathBuf};

use orrery_core::{Category, EventKind, InteractionRecord, ItemRecord, Record, UserRecord};
use orrery_data::import::{Entity, Format, Import, ImportError, ImportOptions, ScaleSource};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The records before the first error, and that error.
fn import_until_error(path: &Path, options: &ImportOptions) -> (Vec<Record>, ImportError) {
    let mut import = Import::open(path, options).unwrap_or_else(|e| panic!("open failed: {e}"));
    let mut records = Vec::new();
    for record in import.by_ref() {
        match record {
            Ok(record) => records.push(record),
            Err(error) => {
                assert!(import.next().is_none(), "the import goes on after an error");
                return (records, error);
            }
        }
    }
    panic!("{} imported without an error", path.display());
}

fn error_of(name: &str) -> ImportError {
    import_until_error(&fixture(name), &ImportOptions::default()).1
}

fn records_of(path: &Path, options: &ImportOptions) -> Vec<Record> {
    Import::open(path, options)
        .unwrap_or_else(|e| panic!("{e}"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn split(records: Vec<Record>) -> (Vec<UserRecord>, Vec<ItemRecord>, Vec<InteractionRecord>) {
    let (mut users, mut items, mut interactions) = (Vec::new(), Vec::new(), Vec::new());
    for record in records {
        match record {
            Record::User(user) => users.push(user),
            Record::Item(item) => items.push(item),
            Record::Interaction(event) => interactions.push(event),
        }
    }
    (users, items, interactions)
}

#[test]
fn too_few_fields() {
    let (records, error) =
        import_until_error(&fixture("ml-1m-too-few-fields"), &ImportOptions::default());
    assert_eq!(
        error.to_string(),
        "ratings.dat line 3: expected 4 fields separated by '::', found 3"
    );
    assert_eq!(error.path, fixture("ml-1m-too-few-fields/ratings.dat"));
    assert_eq!((error.line, error.field.as_deref()), (Some(3), None));
    // The user, the four movies and the two good ratings came first.
    assert_eq!(records.len(), 1 + 4 + 2);
}

#[test]
fn bad_rating() {
    let error = error_of("ml-100k-bad-rating");
    assert_eq!(
        error.to_string(),
        "u.data line 5, field `rating`: expected a number from 1 to 5 in steps of 0.5, found \"x\""
    );
    assert_eq!(error.field.as_deref(), Some("rating"));

    let error = error_of("ratings-out-of-range.csv");
    assert_eq!(
        error.to_string(),
        "ratings-out-of-range.csv line 3, field `rating`: expected a number from 0.5 to 5 in \
         steps of 0.5, found \"5.5\""
    );
}

#[test]
fn non_numeric_id() {
    let error = error_of("ratings-bad-id.dat");
    assert_eq!(
        error.to_string(),
        "ratings-bad-id.dat line 2, field `user_id`: expected a numeric id, found \"abc\""
    );
}

#[test]
fn bad_timestamp() {
    let error = error_of("ml-latest-bad-timestamp");
    assert_eq!(
        error.to_string(),
        "ratings.csv line 4, field `timestamp`: expected a Unix timestamp in whole seconds, \
         found \"2018-09-24\""
    );
    let error = error_of("poppy-bad-timestamp.csv");
    assert_eq!(error.line, Some(3));
    assert_eq!(error.field.as_deref(), Some("Timestamp"));
    assert!(
        error.message.ends_with("found \"30/11/2025 02:02\""),
        "{error}"
    );
}

#[test]
fn bad_poppy_category_value() {
    let (records, error) = import_until_error(
        &fixture("poppy-bad-category.csv"),
        &ImportOptions::default(),
    );
    assert_eq!(
        error.to_string(),
        "poppy-bad-category.csv line 4, field `Category_Value`: \"Z\" is not a Star value: \
         expected one of O, B, A, F, G, K, M"
    );
    // Users and the universe's 21 category items, then the two good rows.
    assert_eq!(records.len(), 3 + 21 + 2);
}

#[test]
fn bad_utf8() {
    let error = error_of("ml-latest-bad-utf8");
    assert_eq!(
        error.to_string(),
        "movies.csv line 3, field `title`: invalid UTF-8 (byte 0xE9 at position 4): the file \
         must be UTF-8 encoded"
    );
    let error = error_of("generic/bad-utf8.csv");
    assert_eq!(
        error.to_string(),
        "bad-utf8.csv line 3, field `name`: invalid UTF-8 (byte 0xE9 at position 4): the file \
         must be UTF-8 encoded"
    );
}

#[test]
fn non_finite_value() {
    let error = error_of("generic/bad-value.csv");
    assert_eq!(
        error.to_string(),
        "bad-value.csv line 3, field `rating`: expected a finite number, found \"inf\""
    );
}

#[test]
fn missing_required_file() {
    let path = fixture("ml-1m-missing-ratings");
    let error = Import::open(&path, &ImportOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "ml-1m-missing-ratings: missing ratings.dat (or ratings.dat.gz): this folder looks like \
         MovieLens 1M (it has movies.dat, users.dat), which needs ratings.dat, movies.dat and \
         users.dat; files found: movies.dat, users.dat"
    );
    assert_eq!(error.path, path);
    assert_eq!(error.line, None);

    let forced = ImportOptions {
        format: Some(Format::MovieLensCsv),
        entity: None,
        ..Default::default()
    };
    let error = Import::open(&path, &forced).unwrap_err();
    assert_eq!(
        error.to_string(),
        "ml-1m-missing-ratings: missing ratings.csv (or ratings.csv.gz): the MovieLens \
         20M/25M/latest (CSV) layout (format movielens-csv) needs ratings.csv and movies.csv \
         (tags.csv when present); files found: movies.dat, users.dat"
    );
}

#[test]
fn unknown_layout() {
    let error = Import::open(&fixture("unknown-layout"), &ImportOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown-layout: no known dataset layout: looked for MovieLens 100K (u.data, u.item, \
         u.user), MovieLens 1M (ratings.dat, movies.dat, users.dat), MovieLens 10M \
         (ratings.dat, movies.dat, tags.dat), MovieLens 20M/25M/latest (ratings.csv, \
         movies.csv, tags.csv), HetRec 2011 Last.fm (user_artists.dat, artists.dat, tags.dat, \
         user_taggedartists.dat), a Poppy Universe folder (NN_Semantic_Interactions.csv, \
         objects.csv, object_interactions.csv); each file may be gzipped (.gz); files found: \
         notes.txt, scores.tsv. To import a single ratings, Poppy Universe, CSV or JSONL file, pass the \
         file itself"
    );
    let error = Import::open(
        &fixture("unknown-layout/scores.tsv"),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("scores.tsv: cannot tell what this file holds: looked for a MovieLens"),
        "{error}"
    );
    let error = Import::open(&fixture("generic/unclear.csv"), &ImportOptions::default())
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(
        error.message.starts_with(
            "cannot tell whether this file holds users, items or interactions: found columns \
             name, score;"
        ),
        "{error}"
    );
}

#[test]
fn missing_path_and_misplaced_files() {
    let error = Import::open(&fixture("no-such-folder"), &ImportOptions::default()).unwrap_err();
    assert_eq!(error.to_string(), "no-such-folder: no such file or folder");

    let error = Import::open(
        &fixture("ml-1m-missing-ratings/movies.dat"),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "movies.dat: movies.dat is one file of the MovieLens 1M/10M layout, which is read as a \
         whole: pass the folder that holds it"
    );

    let single_file_format = ImportOptions {
        format: Some(Format::Poppy),
        entity: None,
        ..Default::default()
    };
    let error = Import::open(&fixture("ml-1m-too-few-fields"), &single_file_format).unwrap_err();
    assert_eq!(
        error.to_string(),
        "ml-1m-too-few-fields: the poppy format reads one file; pass the file itself, not a \
         folder"
    );
}

#[test]
fn poppy_csv() {
    for name in ["poppy-good.csv", "poppy-indexed.csv"] {
        let import = Import::open(&fixture(name), &ImportOptions::default()).unwrap();
        assert_eq!(import.format(), Format::Poppy, "{name}");
        let (users, items, events) = split(records_of(&fixture(name), &ImportOptions::default()));
        let user_ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(user_ids, ["50", "74", "24", "101"], "{name}");
        assert_eq!(items, orrery_data::poppy::all_category_items());
        assert_eq!(events.len(), 5);
        assert!(events.iter().all(|e| e.kind == EventKind::Strength));
        let summary: Vec<(&str, &str, f32, i64)> = events
            .iter()
            .map(|e| (e.user.as_str(), e.item.as_str(), e.value, e.ts))
            .collect();
        assert_eq!(
            summary,
            [
                ("50", "Star:M", 1.0, 1764468131),
                ("74", "Star:A", 5.0, 1765054749),
                ("24", "Moon:Saturn", 2.0, 1761442798),
                ("101", "Planet:Dwarf Planet", 3.0, 1762746842),
                ("50", "Planet:Gas Giant", 4.0, 1764048258),
            ],
            "{name}"
        );
    }
}

#[test]
fn generic_users_csv() {
    let path = fixture("generic/users.csv");
    assert_eq!(
        Import::open(&path, &ImportOptions::default())
            .unwrap()
            .format(),
        Format::Csv
    );
    let (users, items, events) = split(records_of(&path, &ImportOptions::default()));
    assert!(items.is_empty() && events.is_empty());
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].id, "u1");
    assert_eq!(users[0].interests, ["machine learning", "robotics"]);
    assert_eq!(users[0].skill_level.as_deref(), Some("beginner"));
    assert_eq!(users[0].age, Some(34));
    assert_eq!(users[0].gender.as_deref(), Some("F"));
    assert_eq!(users[0].attributes["city"], "Oslo");
    assert_eq!(users[1].interests, ["statistics", "python"]);
    assert_eq!(users[1].age, None);
    assert!(users[1].attributes.is_empty());
}

#[test]
fn generic_items_jsonl() {
    let path = fixture("generic/items.jsonl");
    let (users, items, events) = split(records_of(&path, &ImportOptions::default()));
    assert!(users.is_empty() && events.is_empty());
    assert_eq!(items.len(), 2);
    let course = &items[0];
    assert_eq!(course.id, "c1");
    assert_eq!(course.title, "Intro to ML");
    assert_eq!(course.categories, [Category::new("course", "ML")]);
    assert_eq!(course.tags, ["ml", "intro"]);
    assert_eq!(course.description.as_deref(), Some("Basics."));
    assert_eq!(course.year, Some(2021));
    assert_eq!(course.attributes["duration_minutes"], 90);
    let moon = &items[1];
    assert_eq!(moon.id, "2");
    assert_eq!(
        moon.categories,
        [Category::new("Moon", "Jupiter"), Category::new("Star", "G")]
    );
}

#[test]
fn generic_interactions() {
    let (_, _, events) = split(records_of(
        &fixture("generic/interactions.csv"),
        &ImportOptions::default(),
    ));
    let summary: Vec<(&str, &str, &str, f32, i64)> = events
        .iter()
        .map(|e| {
            (
                e.user.as_str(),
                e.item.as_str(),
                e.kind.as_str(),
                e.value,
                e.ts,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("u1", "c1", "view_time", 120.0, 1709287200),
            ("u1", "2", "like", 0.0, 1709287200),
            ("u2", "c1", "view", 0.0, 0),
        ]
    );

    let path = fixture("generic/ratings.jsonl");
    assert_eq!(
        Import::open(&path, &ImportOptions::default())
            .unwrap()
            .format(),
        Format::Jsonl
    );
    let (_, _, events) = split(records_of(&path, &ImportOptions::default()));
    let summary: Vec<(&str, &str, &str, f32, i64)> = events
        .iter()
        .map(|e| {
            (
                e.user.as_str(),
                e.item.as_str(),
                e.kind.as_str(),
                e.value,
                e.ts,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("1", "31", "rating", 2.5, 1260759144),
            ("1", "1029", "rating", 3.0, 1260759144),
        ]
    );
}

#[test]
fn the_entity_option_overrides_detection() {
    // users.csv read as items: no item id column.
    let as_items = ImportOptions {
        format: None,
        entity: Some(Entity::Items),
        ..Default::default()
    };
    let error = Import::open(&fixture("generic/users.csv"), &as_items)
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(
        error
            .message
            .starts_with("a file of items needs an item id column"),
        "{error}"
    );

    // A Poppy CSV forced to be generic users: one user per row, by User_ID.
    let as_users = ImportOptions {
        format: None,
        entity: Some(Entity::Users),
        ..Default::default()
    };
    let import = Import::open(&fixture("poppy-good.csv"), &as_users).unwrap();
    assert_eq!(import.format(), Format::Csv);
    let (users, _, _) = split(import.collect::<Result<_, _>>().unwrap());
    assert_eq!(users.len(), 5);
    assert_eq!(users[0].attributes["Category_Type"], "Star");

    let error = Import::open(
        &fixture("poppy-good.csv"),
        &ImportOptions {
            format: Some(Format::Poppy),
            entity: Some(Entity::Users),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        error
            .message
            .starts_with("the entity (users) applies to generic CSV and JSONL files only")
    );
}

#[test]
fn ratings_on_other_scales_import_and_say_their_scale() {
    let ratings =
        |records: Vec<Record>| -> Vec<f32> { split(records).2.iter().map(|e| e.value).collect() };
    // Ciao's 0–5, zeros included: the scale is the range the file spans.
    let mut import = Import::open(
        &fixture("generic/ciao-ratings.csv"),
        &ImportOptions::default(),
    )
    .unwrap();
    let records: Vec<Record> = import.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(ratings(records), [5.0, 0.0, 4.0, 2.5]);
    let (scale, source) = import.rating_scale().unwrap();
    assert_eq!(scale.to_string(), "0..5");
    assert_eq!(source, ScaleSource::Data);

    // Jester's −10..10 in JSON lines, with the scale given.
    let jester = ImportOptions {
        rating_scale: Some("-10..10".parse().unwrap()),
        ..ImportOptions::default()
    };
    let mut import = Import::open(&fixture("generic/jester-ratings.jsonl"), &jester).unwrap();
    let records: Vec<Record> = import.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(ratings(records), [-9.5, 8.25, 10.0]);
    let (scale, source) = import.rating_scale().unwrap();
    assert_eq!(scale.to_string(), "-10..10");
    assert_eq!(source, ScaleSource::Given);

    // A given scale is a check: a rating off it names the file, line and field.
    let one_to_four = ImportOptions {
        rating_scale: Some("1..4".parse().unwrap()),
        ..ImportOptions::default()
    };
    let (before, error) = import_until_error(&fixture("generic/ciao-ratings.csv"), &one_to_four);
    assert!(before.is_empty());
    assert_eq!(error.line, Some(2));
    assert_eq!(error.field.as_deref(), Some("rating"));
    assert_eq!(error.message, "expected a rating from 1 to 4, found 5");

    // A MovieLens layout keeps its published scale.
    let import = Import::open(&fixture("ml-100k-bad-rating"), &ImportOptions::default()).unwrap();
    let (scale, source) = import.rating_scale().unwrap();
    assert_eq!(scale.to_string(), "1..5");
    assert_eq!(source, ScaleSource::Layout);
}
