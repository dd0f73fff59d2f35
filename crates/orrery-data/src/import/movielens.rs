//! MovieLens in every published layout: 100K (`u.*`), 1M and 10M (`::`-separated
//! `.dat`), 20M/25M/latest (CSV), and single ratings files.

use std::path::{Path, PathBuf};

use orrery_core::{
    Category, EventKind, InteractionRecord, ItemRecord, RatingScale, Record, UserRecord,
};
use serde_json::{Map, Value};

use super::error::{ImportError, Problem};
use super::fields::{RatingRule, numeric_id, star_rating, title_year, unix_seconds, whole_number};
use super::generic::{ITEM_COLUMNS, USER_COLUMNS, find_column};
use super::source::{
    CsvRows, Lines, Progress, expect_fields, fields, legacy_lines, open, separator_name,
    split_exact, utf8,
};
use super::tags::Tags;
use super::{Format, Plan, Step, Stream, stream_of};

/// The genres of ML-100K's `u.genre`, used when the file is absent.
const GENRES_100K: [&str; 19] = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
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

/// ML-1M occupation codes 0–20, as named in its README.
const OCCUPATIONS_1M: [&str; 21] = [
    "other",
    "academic/educator",
    "artist",
    "clerical/admin",
    "college/grad student",
    "customer service",
    "doctor/health care",
    "executive/managerial",
    "farmer",
    "homemaker",
    "K-12 student",
    "lawyer",
    "programmer",
    "retired",
    "sales/marketing",
    "scientist",
    "self-employed",
    "technician/engineer",
    "tradesman/craftsman",
    "unemployed",
    "writer",
];

/// ML-1M age-group codes and their labels, as in its README.
const AGE_GROUPS_1M: [(u64, &str); 7] = [
    (1, "Under 18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-49"),
    (50, "50-55"),
    (56, "56+"),
];

/// The genre that MovieLens writes for a movie without genres.
const NO_GENRES: &str = "(no genres listed)";

/// The files of an ML-100K folder.
pub(crate) struct Files100k {
    pub data: PathBuf,
    pub item: PathBuf,
    pub user: Option<PathBuf>,
    pub genre: Option<PathBuf>,
}

/// The files of an ML-1M or ML-10M folder.
pub(crate) struct DatFiles {
    pub ratings: PathBuf,
    pub movies: PathBuf,
    pub users: Option<PathBuf>,
    pub tags: Option<PathBuf>,
}

/// The files of an ML-20M/25M/latest folder.
pub(crate) struct CsvFiles {
    pub ratings: PathBuf,
    pub movies: PathBuf,
    pub tags: Option<PathBuf>,
}

/// How the lines of a ratings file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RatingLines {
    /// `user \t item \t rating \t timestamp` (`u.data`, `u1.base`).
    Tab,
    /// `UserID::MovieID::Rating::Timestamp` (`ratings.dat`).
    DoubleColon,
    /// `userId,movieId,rating,timestamp` with a header (`ratings.csv`).
    Csv,
}

pub(crate) fn plan_100k(files: Files100k, given: Option<RatingScale>) -> Plan {
    let mut order = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    if let Some(user) = files.user {
        order.push(user.clone());
        steps.push(Box::new(move |progress| {
            Ok(stream_of(read_u_user(&user, progress)?))
        }));
    }
    order.extend(files.genre.iter().cloned());
    order.push(files.item.clone());
    let (genre, item) = (files.genre, files.item);
    steps.push(Box::new(move |progress| {
        let genres = match &genre {
            Some(path) => read_u_genre(path, progress)?,
            None => GENRES_100K.map(str::to_owned).to_vec(),
        };
        Ok(stream_of(read_u_item(&item, &genres, progress)?))
    }));
    order.push(files.data.clone());
    let rule = RatingRule::or_given(RatingRule::FromOne, given);
    steps.push(ratings_step(files.data, RatingLines::Tab, rule));
    Plan {
        format: Format::MovieLens100k,
        files: order,
        steps,
        rating_scale: Some(rule.scale()),
    }
}

pub(crate) fn plan_dat(format: Format, files: DatFiles, given: Option<RatingScale>) -> Plan {
    let mut order = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    if let Some(users) = files.users {
        order.push(users.clone());
        steps.push(Box::new(move |progress| {
            Ok(stream_of(read_users_dat(&users, progress)?))
        }));
    }
    order.extend(files.tags.iter().cloned());
    order.push(files.movies.clone());
    let (tags_file, movies) = (files.tags, files.movies);
    steps.push(Box::new(move |progress| {
        let mut tags = Tags::default();
        if let Some(path) = &tags_file {
            read_tags_dat(path, progress, &mut tags)?;
        }
        Ok(stream_of(read_movies_dat(&movies, progress, &mut tags)?))
    }));
    let published = match format {
        Format::MovieLens1m => RatingRule::FromOne,
        _ => RatingRule::FromHalf,
    };
    let rule = RatingRule::or_given(published, given);
    order.push(files.ratings.clone());
    steps.push(ratings_step(files.ratings, RatingLines::DoubleColon, rule));
    Plan {
        format,
        files: order,
        steps,
        rating_scale: Some(rule.scale()),
    }
}

pub(crate) fn plan_csv(files: CsvFiles, given: Option<RatingScale>) -> Plan {
    let mut order: Vec<PathBuf> = files.tags.iter().cloned().collect();
    order.push(files.movies.clone());
    order.push(files.ratings.clone());
    let (tags_file, movies) = (files.tags, files.movies);
    let items: Step = Box::new(move |progress| {
        let mut tags = Tags::default();
        if let Some(path) = &tags_file {
            read_tags_csv(path, progress, &mut tags)?;
        }
        Ok(stream_of(read_movies_csv(&movies, progress, &mut tags)?))
    });
    let rule = RatingRule::or_given(RatingRule::FromHalf, given);
    Plan {
        format: Format::MovieLensCsv,
        files: order,
        steps: vec![items, ratings_step(files.ratings, RatingLines::Csv, rule)],
        rating_scale: Some(rule.scale()),
    }
}

/// A ratings file on its own. Halves from 0.5 are accepted whatever the layout, since the
/// file alone does not tell which release it comes from; a given scale replaces that rule.
pub(crate) fn plan_ratings_file(
    path: PathBuf,
    lines: RatingLines,
    given: Option<RatingScale>,
) -> Plan {
    let rule = RatingRule::or_given(RatingRule::FromHalf, given);
    Plan {
        format: Format::RatingsFile,
        files: vec![path.clone()],
        steps: vec![ratings_step(path, lines, rule)],
        rating_scale: Some(rule.scale()),
    }
}

fn ratings_step(path: PathBuf, lines: RatingLines, rule: RatingRule) -> Step {
    Box::new(move |progress| {
        let input = open(&path, Some(progress))?;
        Ok(match lines {
            RatingLines::Tab => Box::new(LineRatings {
                lines: Lines::new(path, input),
                separator: b"\t",
                names: ["user_id", "item_id", "rating", "timestamp"],
                rule,
            }) as Stream,
            RatingLines::DoubleColon => Box::new(LineRatings {
                lines: Lines::new(path, input),
                separator: b"::",
                names: ["user_id", "movie_id", "rating", "timestamp"],
                rule,
            }),
            RatingLines::Csv => Box::new(CsvRatings::new(CsvRows::new(path, input)?, rule)?),
        })
    })
}

/// Ratings streamed from a file of separated fields, one rating per line.
struct LineRatings {
    lines: Lines,
    separator: &'static [u8],
    names: [&'static str; 4],
    rule: RatingRule,
}

impl Iterator for LineRatings {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (number, line) = match self.lines.next_line() {
                Ok(Some(next)) => next,
                Ok(None) => return None,
                Err(error) => return Some(Err(error)),
            };
            if line.trim_ascii().is_empty() {
                continue;
            }
            let parsed = rating_line(line, self.separator, &self.names, self.rule);
            return Some(parsed.map_err(|problem| problem.at(self.lines.path(), number)));
        }
    }
}

fn rating_line(
    line: &[u8],
    separator: &[u8],
    names: &[&str; 4],
    rule: RatingRule,
) -> Result<Record, Problem> {
    let [user, item, rating, ts] = split_exact::<4>(line, separator).map_err(|found| {
        Problem::line(format!(
            "expected 4 fields separated by {}, found {found}",
            separator_name(separator)
        ))
    })?;
    Ok(Record::Interaction(InteractionRecord {
        user: numeric_id(names[0], user)?,
        item: numeric_id(names[1], item)?,
        kind: EventKind::Rating,
        value: star_rating(names[2], rating, rule)?,
        ts: unix_seconds(names[3], ts)?,
    }))
}

/// Ratings streamed from `ratings.csv`, columns found by their header names.
struct CsvRatings {
    rows: CsvRows,
    /// Column indices of user, movie, rating and timestamp.
    columns: [usize; 4],
    rule: RatingRule,
}

impl CsvRatings {
    fn new(rows: CsvRows, rule: RatingRule) -> Result<Self, ImportError> {
        let header = rows.header();
        let columns = [
            find_column(header, USER_COLUMNS),
            find_column(header, ITEM_COLUMNS),
            find_column(header, &["rating"]),
            find_column(header, &["timestamp"]),
        ];
        match columns {
            [Some(user), Some(item), Some(rating), Some(ts)] => Ok(Self {
                columns: [user, item, rating, ts],
                rows,
                rule,
            }),
            _ => Err(ImportError::line(
                rows.path(),
                1,
                format!(
                    "expected a header naming the columns userId,movieId,rating,timestamp, found {:?}",
                    header.join(",")
                ),
            )),
        }
    }
}

impl Iterator for CsvRatings {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (number, record, header) = match self.rows.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        let parsed = csv_rating(record, header, &self.columns, self.rule);
        Some(parsed.map_err(|problem| problem.at(self.rows.path(), number)))
    }
}

fn csv_rating(
    record: &csv::ByteRecord,
    header: &[String],
    columns: &[usize; 4],
    rule: RatingRule,
) -> Result<Record, Problem> {
    expect_fields(record, header).map_err(Problem::line)?;
    let field = |i: usize| (header[columns[i]].as_str(), &record[columns[i]]);
    let (name, user) = field(0);
    let user = numeric_id(name, user)?;
    let (name, item) = field(1);
    let item = numeric_id(name, item)?;
    let (name, rating) = field(2);
    let value = star_rating(name, rating, rule)?;
    let (name, ts) = field(3);
    let ts = unix_seconds(name, ts)?;
    Ok(Record::Interaction(InteractionRecord {
        user,
        item,
        kind: EventKind::Rating,
        value,
        ts,
    }))
}

fn text_field(name: &str, value: &str) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        Err(Problem::field(name, "is empty"))
    } else {
        Ok(value.to_owned())
    }
}

fn age(name: &str, value: &str) -> Result<i32, Problem> {
    let years = whole_number(name, value.as_bytes(), "an age in whole years")?;
    i32::try_from(years).map_err(|_| Problem::field(name, format!("age {years} is out of range")))
}

fn read_u_user(path: &Path, progress: &Progress) -> Result<Vec<Record>, ImportError> {
    let mut users = Vec::new();
    for (number, line) in legacy_lines(path, progress)? {
        let user = u_user_line(&line).map_err(|p| p.at(path, number))?;
        users.push(Record::User(user));
    }
    Ok(users)
}

fn u_user_line(line: &str) -> Result<UserRecord, Problem> {
    let [id, age_years, gender, occupation, zip] =
        fields::<5>(line, "|", "user id|age|gender|occupation|zip code")?;
    Ok(UserRecord {
        id: numeric_id("user_id", id.as_bytes())?,
        age: Some(age("age", age_years)?),
        gender: Some(text_field("gender", gender)?),
        occupation: Some(text_field("occupation", occupation)?),
        zip: Some(text_field("zip_code", zip)?),
        ..UserRecord::default()
    })
}

fn read_u_genre(path: &Path, progress: &Progress) -> Result<Vec<String>, ImportError> {
    let mut genres = Vec::new();
    for (number, line) in legacy_lines(path, progress)? {
        let [name, index] =
            fields::<2>(&line, "|", "genre|index").map_err(|p| p.at(path, number))?;
        let expected = genres.len() as u64;
        let index = whole_number("index", index.as_bytes(), "a genre index")
            .map_err(|p| p.at(path, number))?;
        if index != expected {
            return Err(Problem::field(
                "index",
                format!("expected genre index {expected} (indices count up from 0), found {index}"),
            )
            .at(path, number));
        }
        genres.push(name.trim().to_owned());
    }
    Ok(genres)
}

fn read_u_item(
    path: &Path,
    genres: &[String],
    progress: &Progress,
) -> Result<Vec<Record>, ImportError> {
    let mut items = Vec::new();
    for (number, line) in legacy_lines(path, progress)? {
        let item = u_item_line(&line, genres).map_err(|p| p.at(path, number))?;
        items.push(Record::Item(item));
    }
    Ok(items)
}

fn u_item_line(line: &str, genres: &[String]) -> Result<ItemRecord, Problem> {
    let fields: Vec<&str> = line.split('|').collect();
    if fields.len() != 5 + genres.len() {
        return Err(Problem::line(format!(
            "expected {} fields separated by '|' (movie id|title|release date|video release \
             date|IMDb URL|{} genre flags), found {}",
            5 + genres.len(),
            genres.len(),
            fields.len()
        )));
    }
    let id = numeric_id("movie_id", fields[0].as_bytes())?;
    let title = fields[1].trim().to_owned();
    let release_date = fields[2].trim();
    let year = title_year(&title).or_else(|| {
        let tail = release_date.get(release_date.len().saturating_sub(4)..)?;
        tail.parse().ok()
    });
    let mut categories = Vec::new();
    for (genre, flag) in genres.iter().zip(&fields[5..]) {
        match flag.trim() {
            "1" if genre != "unknown" => categories.push(Category::new("genre", genre)),
            "0" | "1" => {}
            other => {
                return Err(Problem::field(
                    genre.as_str(),
                    format!("expected a genre flag 0 or 1, found {other:?}"),
                ));
            }
        }
    }
    let mut attributes = Map::new();
    for (key, value) in [
        ("release_date", release_date),
        ("video_release_date", fields[3].trim()),
        ("imdb_url", fields[4].trim()),
    ] {
        if !value.is_empty() {
            attributes.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }
    Ok(ItemRecord {
        id,
        title,
        categories,
        year,
        attributes,
        ..ItemRecord::default()
    })
}

fn read_users_dat(path: &Path, progress: &Progress) -> Result<Vec<Record>, ImportError> {
    let mut users = Vec::new();
    for (number, line) in legacy_lines(path, progress)? {
        let user = users_dat_line(&line).map_err(|p| p.at(path, number))?;
        users.push(Record::User(user));
    }
    Ok(users)
}

fn users_dat_line(line: &str) -> Result<UserRecord, Problem> {
    let [id, gender, age_code, occupation, zip] =
        fields::<5>(line, "::", "UserID::Gender::Age::Occupation::Zip-code")?;
    let id = numeric_id("user_id", id.as_bytes())?;
    let age = age("age", age_code)?;
    let code = whole_number(
        "occupation",
        occupation.as_bytes(),
        "an occupation code 0–20",
    )?;
    let name = usize::try_from(code)
        .ok()
        .and_then(|c| OCCUPATIONS_1M.get(c))
        .ok_or_else(|| {
            Problem::field(
                "occupation",
                format!("expected an occupation code 0–20, found {code}"),
            )
        })?;
    let mut attributes = Map::new();
    attributes.insert("occupation_code".to_owned(), Value::from(code));
    if let Some((_, label)) = AGE_GROUPS_1M
        .iter()
        .find(|(c, _)| i64::from(age) == *c as i64)
    {
        attributes.insert("age_group".to_owned(), Value::from(*label));
    }
    Ok(UserRecord {
        id,
        gender: Some(text_field("gender", gender)?),
        age: Some(age),
        occupation: Some((*name).to_owned()),
        zip: Some(text_field("zip_code", zip)?),
        attributes,
        ..UserRecord::default()
    })
}

fn read_movies_dat(
    path: &Path,
    progress: &Progress,
    tags: &mut Tags,
) -> Result<Vec<Record>, ImportError> {
    let mut items = Vec::new();
    for (number, line) in legacy_lines(path, progress)? {
        let item = movies_dat_line(&line, tags).map_err(|p| p.at(path, number))?;
        items.push(Record::Item(item));
    }
    Ok(items)
}

fn movies_dat_line(line: &str, tags: &mut Tags) -> Result<ItemRecord, Problem> {
    // Titles are the middle field, so only the first and last separators count.
    let split = line
        .split_once("::")
        .and_then(|(id, rest)| Some((id, rest.rsplit_once("::")?)));
    let Some((id, (title, genres))) = split else {
        return Err(Problem::line(format!(
            "expected 3 fields separated by '::' (MovieID::Title::Genres), found {}",
            line.split("::").count()
        )));
    };
    let id = numeric_id("movie_id", id.as_bytes())?;
    Ok(movie(id, title, genres, tags))
}

fn movie(id: String, title: &str, genres: &str, tags: &mut Tags) -> ItemRecord {
    let title = title.trim().to_owned();
    let categories = genres
        .split('|')
        .map(str::trim)
        .filter(|g| !g.is_empty() && *g != NO_GENRES)
        .map(|g| Category::new("genre", g))
        .collect();
    ItemRecord {
        year: title_year(&title),
        tags: tags.take(&id),
        id,
        title,
        categories,
        ..ItemRecord::default()
    }
}

fn read_tags_dat(path: &Path, progress: &Progress, tags: &mut Tags) -> Result<(), ImportError> {
    for (number, line) in legacy_lines(path, progress)? {
        tags_dat_line(&line, tags).map_err(|p| p.at(path, number))?;
    }
    Ok(())
}

fn tags_dat_line(line: &str, tags: &mut Tags) -> Result<(), Problem> {
    // The tag is free text between the ids and the timestamp.
    let split = line.split_once("::").and_then(|(user, rest)| {
        let (movie, rest) = rest.split_once("::")?;
        Some((user, movie, rest.rsplit_once("::")?))
    });
    let Some((user, movie, (tag, ts))) = split else {
        return Err(Problem::line(format!(
            "expected 4 fields separated by '::' (UserID::MovieID::Tag::Timestamp), found {}",
            line.split("::").count()
        )));
    };
    numeric_id("user_id", user.as_bytes())?;
    let movie = numeric_id("movie_id", movie.as_bytes())?;
    unix_seconds("timestamp", ts.as_bytes())?;
    tags.add(&movie, tag);
    Ok(())
}

/// The indices of required columns, or an error naming the header the file should have.
fn csv_columns<const N: usize>(
    rows: &CsvRows,
    wanted: [&[&str]; N],
    expected: &str,
) -> Result<[usize; N], ImportError> {
    let mut columns = [0; N];
    for (column, aliases) in columns.iter_mut().zip(wanted) {
        *column = find_column(rows.header(), aliases).ok_or_else(|| {
            ImportError::line(
                rows.path(),
                1,
                format!(
                    "expected a header naming the columns {expected}, found {:?}",
                    rows.header().join(",")
                ),
            )
        })?;
    }
    Ok(columns)
}

/// The text of one CSV field, which must be UTF-8.
fn csv_text<'r>(
    record: &'r csv::ByteRecord,
    header: &[String],
    column: usize,
) -> Result<&'r str, Problem> {
    utf8(&record[column]).map_err(|message| Problem::field(header[column].as_str(), message))
}

fn read_movies_csv(
    path: &Path,
    progress: &Progress,
    tags: &mut Tags,
) -> Result<Vec<Record>, ImportError> {
    let mut rows = CsvRows::new(path.to_path_buf(), open(path, Some(progress))?)?;
    let [id, title, genres] = csv_columns(
        &rows,
        [ITEM_COLUMNS, &["title"], &["genres"]],
        "movieId,title,genres",
    )?;
    let mut items = Vec::new();
    while let Some((number, record, header)) = rows.next_record()? {
        let item = (|| {
            expect_fields(record, header).map_err(Problem::line)?;
            let movie_id = numeric_id(&header[id], &record[id])?;
            let title = csv_text(record, header, title)?;
            let genres = csv_text(record, header, genres)?;
            Ok(movie(movie_id, title, genres, tags))
        })()
        .map_err(|p: Problem| p.at(path, number))?;
        items.push(Record::Item(item));
    }
    Ok(items)
}

fn read_tags_csv(path: &Path, progress: &Progress, tags: &mut Tags) -> Result<(), ImportError> {
    let mut rows = CsvRows::new(path.to_path_buf(), open(path, Some(progress))?)?;
    let [user, movie, tag] = csv_columns(
        &rows,
        [USER_COLUMNS, ITEM_COLUMNS, &["tag"]],
        "userId,movieId,tag,timestamp",
    )?;
    while let Some((number, record, header)) = rows.next_record()? {
        (|| {
            expect_fields(record, header).map_err(Problem::line)?;
            numeric_id(&header[user], &record[user])?;
            let movie = numeric_id(&header[movie], &record[movie])?;
            tags.add(&movie, csv_text(record, header, tag)?);
            Ok(())
        })()
        .map_err(|p: Problem| p.at(path, number))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_u_item_line() {
        let genres = GENRES_100K.map(str::to_owned);
        let line = "2|GoldenEye (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?GoldenEye%20(1995)|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0";
        let item = u_item_line(line, &genres).unwrap();
        assert_eq!(item.id, "2");
        assert_eq!(item.title, "GoldenEye (1995)");
        assert_eq!(item.year, Some(1995));
        let names: Vec<&str> = item.categories.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(names, ["Action", "Adventure", "Thriller"]);
        assert_eq!(item.attributes["release_date"], "01-Jan-1995");
        assert!(!item.attributes.contains_key("video_release_date"));

        let unknown = "267|unknown||||1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
        let item = u_item_line(unknown, &genres).unwrap();
        assert!(item.categories.is_empty());
        assert_eq!(item.year, None);

        let error = u_item_line(
            "3|x|01-Jan-1995||u|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0",
            &genres,
        )
        .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("Action"));
    }

    #[test]
    fn parses_a_users_dat_line() {
        let user = users_dat_line("2::M::56::16::70072").unwrap();
        assert_eq!(user.id, "2");
        assert_eq!(user.gender.as_deref(), Some("M"));
        assert_eq!(user.age, Some(56));
        assert_eq!(user.occupation.as_deref(), Some("self-employed"));
        assert_eq!(user.zip.as_deref(), Some("70072"));
        assert_eq!(user.attributes["occupation_code"], 16);
        assert_eq!(user.attributes["age_group"], "56+");
        let error = users_dat_line("2::M::56::21::70072").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("occupation"));
    }

    #[test]
    fn parses_movies_and_tags_dat_lines() {
        let mut tags = Tags::default();
        tags_dat_line("15::4973::excellent!::1215184630", &mut tags).unwrap();
        tags_dat_line("20::4973::Paris::1215184631", &mut tags).unwrap();
        let item = movies_dat_line(
            "4973::Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)::Comedy|Romance",
            &mut tags,
        )
        .unwrap();
        assert_eq!(item.year, Some(2001));
        assert_eq!(item.tags, ["excellent!", "Paris"]);
        assert_eq!(item.categories.len(), 2);
        let item =
            movies_dat_line("9::Sudden Death (1995)::(no genres listed)", &mut tags).unwrap();
        assert!(item.categories.is_empty());
        assert!(movies_dat_line("9::Sudden Death (1995)", &mut tags).is_err());
    }

    #[test]
    fn rating_lines_check_every_field() {
        let names = ["user_id", "movie_id", "rating", "timestamp"];
        let one = RatingRule::FromOne;
        let record = rating_line(b"1::1193::5::978300760", b"::", &names, one).unwrap();
        let Record::Interaction(rating) = record else {
            panic!("expected an interaction, got {record:?}");
        };
        assert_eq!((rating.user.as_str(), rating.item.as_str()), ("1", "1193"));
        assert_eq!((rating.value, rating.ts), (5.0, 978300760));
        let error = rating_line(b"1::1193::5", b"::", &names, one).unwrap_err();
        assert_eq!(
            error.message,
            "expected 4 fields separated by '::', found 3"
        );
        let error = rating_line(b"1::x::5::9", b"::", &names, one).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("movie_id"));
        let error = rating_line(b"1\t2\t5\tsoon", b"\t", &names, one).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("timestamp"));
    }
}
