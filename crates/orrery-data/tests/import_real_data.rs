//! Imports the real datasets in the shared data folder and checks them against the counts
//! and facts published with them (see the data folder's README).

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;

use orrery_core::{Category, InteractionRecord, ItemRecord, Record, UserRecord};
use orrery_data::import::{Format, Import, ImportOptions};

#[path = "support/shared_data.rs"]
mod support;
use support::shared_data as data_dir;

/// Everything an import produced, with interactions summarised.
#[derive(Default)]
struct Tally {
    users: Vec<UserRecord>,
    items: Vec<ItemRecord>,
    interactions: u64,
    value_sum: f64,
    half_stars: u64,
    kinds: BTreeSet<String>,
    active_users: HashSet<String>,
    touched_items: HashSet<String>,
    first: Option<InteractionRecord>,
    /// Whether a user or item came after an interaction.
    out_of_order: bool,
    format: Option<Format>,
    files: Vec<String>,
    bytes_total: u64,
    bytes_read: u64,
}

impl Tally {
    fn mean(&self) -> f64 {
        self.value_sum / self.interactions as f64
    }

    fn item(&self, id: &str) -> &ItemRecord {
        self.items
            .iter()
            .find(|i| i.id == id)
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn user(&self, id: &str) -> &UserRecord {
        self.users
            .iter()
            .find(|u| u.id == id)
            .unwrap_or_else(|| panic!("no user {id}"))
    }
}

fn import(path: &Path) -> Tally {
    import_with(path, &ImportOptions::default())
}

fn import_with(path: &Path, options: &ImportOptions) -> Tally {
    let mut import = Import::open(path, options).unwrap_or_else(|e| panic!("{e}"));
    let mut tally = Tally {
        format: Some(import.format()),
        files: import
            .files()
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect(),
        bytes_total: import.bytes_total(),
        ..Tally::default()
    };
    for record in import.by_ref() {
        match record.unwrap_or_else(|e| panic!("{e}")) {
            Record::User(user) => {
                tally.out_of_order |= tally.interactions > 0;
                tally.users.push(user);
            }
            Record::Item(item) => {
                tally.out_of_order |= tally.interactions > 0;
                tally.items.push(item);
            }
            Record::Interaction(event) => {
                tally.interactions += 1;
                tally.value_sum += f64::from(event.value);
                if event.value.fract() == 0.5 {
                    tally.half_stars += 1;
                }
                tally.kinds.insert(event.kind.to_string());
                if !tally.active_users.contains(&event.user) {
                    tally.active_users.insert(event.user.clone());
                }
                if !tally.touched_items.contains(&event.item) {
                    tally.touched_items.insert(event.item.clone());
                }
                if tally.first.is_none() {
                    tally.first = Some(event);
                }
            }
        }
    }
    tally.bytes_read = import.bytes_read();
    tally
}

fn genres(item: &ItemRecord) -> Vec<&str> {
    item.categories
        .iter()
        .map(|c| {
            assert_eq!(c.kind, "genre");
            c.value.as_str()
        })
        .collect()
}

#[test]
fn movielens_100k_folder() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("ml-100k"));
    assert_eq!(tally.format, Some(Format::MovieLens100k));
    assert_eq!(tally.files, ["u.user", "u.genre", "u.item", "u.data"]);
    assert_eq!(tally.users.len(), 943);
    assert_eq!(tally.items.len(), 1682);
    assert_eq!(tally.interactions, 100_000);
    assert_eq!(tally.active_users.len(), 943);
    assert_eq!(tally.touched_items.len(), 1682);
    assert!(
        (tally.mean() - 3.52986).abs() < 5e-6,
        "mean {}",
        tally.mean()
    );
    assert_eq!(tally.kinds, BTreeSet::from(["rating".to_owned()]));
    assert!(!tally.out_of_order);
    assert_eq!(tally.bytes_read, tally.bytes_total);

    let first = tally.first.as_ref().unwrap();
    assert_eq!(
        (
            first.user.as_str(),
            first.item.as_str(),
            first.value,
            first.ts
        ),
        ("196", "242", 3.0, 881250949)
    );

    let user = tally.user("1");
    assert_eq!(user.age, Some(24));
    assert_eq!(user.gender.as_deref(), Some("M"));
    assert_eq!(user.occupation.as_deref(), Some("technician"));
    assert_eq!(user.zip.as_deref(), Some("85711"));

    let toy_story = tally.item("1");
    assert_eq!(toy_story.title, "Toy Story (1995)");
    assert_eq!(toy_story.year, Some(1995));
    assert_eq!(genres(toy_story), ["Animation", "Children's", "Comedy"]);
    assert_eq!(toy_story.attributes["release_date"], "01-Jan-1995");
    // Latin-1 in u.item.
    assert_eq!(tally.item("543").title, "Misérables, Les (1995)");
    let with_genres = tally
        .items
        .iter()
        .filter(|i| !i.categories.is_empty())
        .count();
    // Only item 267 ("unknown") and one other have just the unknown flag.
    assert!(with_genres >= 1680, "{with_genres} items with genres");
}

#[test]
fn one_split_file_of_movielens_100k_imports_alone() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("ml-100k/u1.base"));
    assert_eq!(tally.format, Some(Format::RatingsFile));
    assert_eq!(tally.files, ["u1.base"]);
    assert!(tally.users.is_empty() && tally.items.is_empty());
    assert_eq!(tally.interactions, 80_000);
    let test = import(&data_dir().join("ml-100k/u1.test"));
    assert_eq!(test.interactions, 20_000);
    // u.data named directly is a ratings file too, even inside the full folder.
    let all = import(&data_dir().join("ml-100k/u.data"));
    assert_eq!(
        (all.format, all.interactions),
        (Some(Format::RatingsFile), 100_000)
    );
}

#[test]
fn movielens_1m_first_half() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("ml-1m-users-1-2999"));
    assert_eq!(tally.format, Some(Format::MovieLens1m));
    assert_eq!(tally.files, ["users.dat", "movies.dat", "ratings.dat"]);
    assert_eq!(tally.users.len(), 6040);
    assert_eq!(tally.items.len(), 3883);
    assert_eq!(tally.interactions, 487_650);
    assert_eq!(tally.active_users.len(), 2999);
    assert_eq!(tally.touched_items.len(), 3615);
    assert!(
        (tally.mean() - 3.5719).abs() < 5e-5,
        "mean {}",
        tally.mean()
    );
    assert_eq!(tally.half_stars, 0);
    assert!(!tally.out_of_order);
    assert_eq!(tally.bytes_read, tally.bytes_total);

    assert!(tally.items.iter().all(|i| i.year.is_some()));
    assert!(tally.items.iter().all(|i| !i.categories.is_empty()));
    let toy_story = tally.item("1");
    assert_eq!(toy_story.year, Some(1995));
    assert_eq!(genres(toy_story), ["Animation", "Children's", "Comedy"]);
    // Latin-1 titles.
    assert_eq!(tally.item("73").title, "Misérables, Les (1995)");
    assert_eq!(tally.item("582").title, "Metisse (Café au Lait) (1993)");

    let user = tally.user("2");
    assert_eq!(user.gender.as_deref(), Some("M"));
    assert_eq!(user.age, Some(56));
    assert_eq!(user.occupation.as_deref(), Some("self-employed"));
    assert_eq!(user.zip.as_deref(), Some("70072"));
    assert_eq!(user.attributes["occupation_code"], 16);
    assert_eq!(user.attributes["age_group"], "56+");
}

#[test]
fn the_ratings_file_of_a_movielens_folder_imports_alone() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("ml-1m-users-1-2999/ratings.dat"));
    assert_eq!(tally.format, Some(Format::RatingsFile));
    assert_eq!(tally.files, ["ratings.dat"]);
    assert!(tally.users.is_empty() && tally.items.is_empty());
    assert_eq!(tally.interactions, 487_650);
}

#[test]
fn movielens_latest_small() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("ml-latest-small"));
    assert_eq!(tally.format, Some(Format::MovieLensCsv));
    assert_eq!(tally.files, ["tags.csv", "movies.csv", "ratings.csv"]);
    assert!(tally.users.is_empty());
    assert_eq!(tally.items.len(), 9742);
    assert_eq!(tally.interactions, 100_836);
    assert_eq!(tally.active_users.len(), 610);
    assert_eq!(tally.touched_items.len(), 9724);
    assert!(
        (tally.mean() - 3.50156).abs() < 5e-6,
        "mean {}",
        tally.mean()
    );
    assert!(tally.half_stars > 10_000, "{} half stars", tally.half_stars);
    assert!(!tally.out_of_order);
    assert_eq!(tally.bytes_read, tally.bytes_total);

    let step_brothers = tally.item("60756");
    assert_eq!(step_brothers.title, "Step Brothers (2008)");
    assert_eq!(step_brothers.year, Some(2008));
    // 8 tag lines, deduplicated in first-seen order.
    assert_eq!(
        step_brothers.tags,
        ["funny", "Highly quotable", "will ferrell", "comedy"]
    );
    let tagged = tally.items.iter().filter(|i| !i.tags.is_empty()).count();
    assert!(tagged > 1000, "{tagged} tagged items");

    // A quoted title with commas.
    assert_eq!(tally.item("11").title, "American President, The (1995)");
    assert_eq!(tally.item("11").year, Some(1995));
    // "(no genres listed)" gives no category; a title without a year gives no year.
    let hyena_road = tally.item("143410");
    assert!(hyena_road.categories.is_empty());
    assert_eq!(hyena_road.year, None);
    assert_eq!(
        tally.item("171749").year,
        Some(2006),
        "Death Note: Desu nôto (2006–2007)"
    );
    assert_eq!(
        tally.item("1").categories[0],
        Category::new("genre", "Adventure")
    );
}

#[test]
fn hetrec_lastfm_without_tagging_file() {
    if support::without_data() {
        return;
    }
    let tally = import(&data_dir().join("hetrec2011-lastfm-2k"));
    assert_eq!(tally.format, Some(Format::HetRecLastfm));
    // Without user_taggedartists.dat, tags.dat has no use and is not read.
    assert_eq!(tally.files, ["artists.dat", "user_artists.dat"]);
    assert_eq!(tally.items.len(), 17_632);
    assert_eq!(tally.interactions, 92_834);
    assert_eq!(tally.value_sum, 69_183_975.0);
    assert_eq!(tally.active_users.len(), 1892);
    assert_eq!(tally.kinds, BTreeSet::from(["play".to_owned()]));
    assert!(!tally.out_of_order);
    assert_eq!(tally.bytes_read, tally.bytes_total);

    let first = tally.first.as_ref().unwrap();
    assert_eq!(
        (
            first.user.as_str(),
            first.item.as_str(),
            first.value,
            first.ts
        ),
        ("2", "51", 13883.0, 0)
    );
    let malice_mizer = tally.item("1");
    assert_eq!(malice_mizer.title, "MALICE MIZER");
    assert_eq!(
        malice_mizer.attributes["url"],
        "http://www.last.fm/music/MALICE+MIZER"
    );
    assert!(tally.items.iter().all(|i| i.tags.is_empty()));
}

#[test]
fn hetrec_lastfm_with_a_tagging_file() {
    if support::without_data() {
        return;
    }
    // The shared copy lacks user_taggedartists.dat; a folder with a few real-format
    // assignment lines shows that tags reach the artists.
    let source = data_dir().join("hetrec2011-lastfm-2k");
    let dir = tempfile::tempdir().unwrap();
    for name in ["artists.dat", "user_artists.dat", "tags.dat"] {
        std::fs::copy(source.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("user_taggedartists.dat"),
        "userID\tartistID\ttagID\tday\tmonth\tyear\r\n\
         2\t52\t13\t1\t4\t2009\r\n\
         2\t52\t15\t1\t4\t2009\r\n\
         3\t52\t13\t1\t5\t2009\r\n\
         2\t63\t2863\t1\t4\t2009\r\n",
    )
    .unwrap();
    let tally = import(dir.path());
    assert_eq!(
        tally.files,
        [
            "tags.dat",
            "user_taggedartists.dat",
            "artists.dat",
            "user_artists.dat"
        ]
    );
    assert_eq!(tally.item("52").tags, ["chillout", "downtempo"]);
    // Latin-1 in tags.dat.
    assert_eq!(tally.item("63").tags, ["tropicália"]);
    assert_eq!(tally.interactions, 92_834);
}

/// Rewrites a MovieLens CSV file as a `::`-separated `.dat` file, as ML-10M ships them.
fn csv_to_dat(from: &Path, to: &Path) {
    let mut reader = csv::Reader::from_path(from).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(to).unwrap());
    for record in reader.records() {
        let record = record.unwrap();
        let fields: Vec<&str> = record.iter().collect();
        writeln!(out, "{}", fields.join("::")).unwrap();
    }
}

#[test]
fn movielens_10m_layout() {
    if support::without_data() {
        return;
    }
    // ML-10M itself is not in the shared folder: its layout is built from the real rows of
    // ml-latest-small, which have the same half-star ratings and free-text tags.
    let source = data_dir().join("ml-latest-small");
    let dir = tempfile::tempdir().unwrap();
    for name in ["ratings", "movies", "tags"] {
        csv_to_dat(
            &source.join(format!("{name}.csv")),
            &dir.path().join(format!("{name}.dat")),
        );
    }
    let tally = import(dir.path());
    assert_eq!(tally.format, Some(Format::MovieLens10m));
    assert_eq!(tally.files, ["tags.dat", "movies.dat", "ratings.dat"]);
    assert!(tally.users.is_empty());
    assert_eq!(tally.items.len(), 9742);
    assert_eq!(tally.interactions, 100_836);
    assert!(
        (tally.mean() - 3.50156).abs() < 5e-6,
        "mean {}",
        tally.mean()
    );
    assert!(tally.half_stars > 10_000);
    assert_eq!(
        tally.item("60756").tags,
        ["funny", "Highly quotable", "will ferrell", "comedy"]
    );
    assert_eq!(tally.item("11").title, "American President, The (1995)");
}

fn gzip(from: &Path, to: &Path) {
    let bytes = std::fs::read(from).unwrap();
    let file = std::fs::File::create(to).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    encoder.write_all(&bytes).unwrap();
    encoder.finish().unwrap();
}

#[test]
fn gzipped_files_read_like_plain_ones() {
    if support::without_data() {
        return;
    }
    let source = data_dir().join("ml-1m-users-1-2999");
    let dir = tempfile::tempdir().unwrap();
    gzip(
        &source.join("ratings.dat"),
        &dir.path().join("ratings.dat.gz"),
    );
    gzip(
        &source.join("movies.dat"),
        &dir.path().join("movies.dat.gz"),
    );
    std::fs::copy(source.join("users.dat"), dir.path().join("users.dat")).unwrap();

    let tally = import(dir.path());
    assert_eq!(tally.format, Some(Format::MovieLens1m));
    assert_eq!(
        tally.files,
        ["users.dat", "movies.dat.gz", "ratings.dat.gz"]
    );
    assert_eq!(
        (tally.users.len(), tally.items.len(), tally.interactions),
        (6040, 3883, 487_650)
    );
    assert!((tally.mean() - 3.5719).abs() < 5e-5);
    assert_eq!(tally.item("73").title, "Misérables, Les (1995)");
    // Progress counts the compressed bytes on disk.
    let on_disk: u64 = ["ratings.dat.gz", "movies.dat.gz", "users.dat"]
        .iter()
        .map(|n| std::fs::metadata(dir.path().join(n)).unwrap().len())
        .sum();
    assert_eq!(tally.bytes_total, on_disk);
    assert_eq!(tally.bytes_read, on_disk);

    // A single gzipped CSV ratings file.
    gzip(
        &data_dir().join("ml-latest-small/ratings.csv"),
        &dir.path().join("ratings.csv.gz"),
    );
    let tally = import(&dir.path().join("ratings.csv.gz"));
    assert_eq!(tally.format, Some(Format::RatingsFile));
    assert_eq!(tally.interactions, 100_836);
    assert!((tally.mean() - 3.50156).abs() < 5e-6);
}

#[test]
fn a_forced_format_is_used_instead_of_detection() {
    if support::without_data() {
        return;
    }
    let options = ImportOptions {
        format: Some(Format::MovieLens10m),
        entity: None,
        ..Default::default()
    };
    let tally = import_with(&data_dir().join("ml-1m-users-1-2999"), &options);
    assert_eq!(tally.format, Some(Format::MovieLens10m));
    assert_eq!(tally.interactions, 487_650);

    let options = ImportOptions {
        format: Some(Format::Csv),
        entity: None,
        ..Default::default()
    };
    let tally = import_with(&data_dir().join("ml-latest-small/ratings.csv"), &options);
    assert_eq!(tally.format, Some(Format::Csv));
    assert_eq!(tally.interactions, 100_836);
    assert_eq!(tally.kinds, BTreeSet::from(["rating".to_owned()]));
    assert!((tally.mean() - 3.50156).abs() < 5e-6);
}
