//! The HetRec 2011 Last.fm dataset: artists (with users' tags when the tagging file is
//! present) and users' play counts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use orrery_core::{EventKind, InteractionRecord, ItemRecord, Record};
use serde_json::{Map, Value};

use super::error::{ImportError, Problem};
use super::fields::{numeric_id, unix_seconds, whole_number};
use super::source::{Lines, Progress, fields, legacy_lines, open, split_exact};
use super::tags::Tags;
use super::{Format, Plan, Step, stream_of};

/// The files of a HetRec 2011 Last.fm folder.
pub(crate) struct Files {
    pub user_artists: PathBuf,
    pub artists: PathBuf,
    /// `tags.dat` and the tagging file, used only together.
    pub tagging: Option<Tagging>,
}

/// The tag names and who tagged which artist with them.
pub(crate) struct Tagging {
    pub tags: PathBuf,
    pub assignments: PathBuf,
    /// `user_taggedartists-timestamps.dat` (a timestamp) rather than
    /// `user_taggedartists.dat` (day, month, year).
    pub with_timestamps: bool,
}

pub(crate) fn plan(files: Files) -> Plan {
    let mut order = Vec::new();
    if let Some(tagging) = &files.tagging {
        order.push(tagging.tags.clone());
        order.push(tagging.assignments.clone());
    }
    order.push(files.artists.clone());
    order.push(files.user_artists.clone());
    let (tagging, artists) = (files.tagging, files.artists);
    let items: Step = Box::new(move |progress| {
        let mut tags = Tags::default();
        if let Some(tagging) = &tagging {
            read_tagging(tagging, progress, &mut tags)?;
        }
        Ok(stream_of(read_artists(&artists, progress, &mut tags)?))
    });
    let user_artists = files.user_artists;
    let plays: Step = Box::new(move |progress| {
        let input = open(&user_artists, Some(progress))?;
        Ok(Box::new(Plays {
            lines: Lines::new(user_artists, input),
        }))
    });
    Plan {
        format: Format::HetRecLastfm,
        files: order,
        steps: vec![items, plays],
        rating_scale: None,
    }
}

/// Whether a line is the header rather than data: data lines start with a numeric id.
/// (Some copies of the dataset lost their header lines.)
fn is_header(line: &[u8]) -> bool {
    let first = line.split(|&b| b == b'\t').next().unwrap_or_default();
    !first.trim_ascii().iter().all(u8::is_ascii_digit)
}

/// Checks a header line against the expected column names (case-insensitively).
fn check_header(line: &str, expected: &[&str]) -> Result<(), Problem> {
    let found: Vec<&str> = line.split('\t').map(str::trim).collect();
    let matches = found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|(f, e)| f.eq_ignore_ascii_case(e));
    if matches {
        Ok(())
    } else {
        Err(Problem::line(format!(
            "expected the header {:?}, found {:?}",
            expected.join("\t"),
            line
        )))
    }
}

/// The data lines of a small tab-separated file with a header.
fn data_lines(
    path: &Path,
    progress: &Progress,
    header: &[&str],
) -> Result<Vec<(u64, String)>, ImportError> {
    let mut lines = legacy_lines(path, progress)?;
    if let Some((number, first)) = lines.first()
        && is_header(first.as_bytes())
    {
        check_header(first, header).map_err(|p| p.at(path, *number))?;
        lines.remove(0);
    }
    Ok(lines)
}

fn read_tagging(
    tagging: &Tagging,
    progress: &Progress,
    tags: &mut Tags,
) -> Result<(), ImportError> {
    let path = &tagging.tags;
    let mut names = HashMap::new();
    for (number, line) in data_lines(path, progress, &["tagID", "tagValue"])? {
        let [id, name] =
            fields::<2>(&line, "\t", "tagID, tagValue").map_err(|p| p.at(path, number))?;
        let id = numeric_id("tagID", id.as_bytes()).map_err(|p| p.at(path, number))?;
        names.insert(id, name.trim().to_owned());
    }
    let path = &tagging.assignments;
    let header: &[&str] = if tagging.with_timestamps {
        &["userID", "artistID", "tagID", "timestamp"]
    } else {
        &["userID", "artistID", "tagID", "day", "month", "year"]
    };
    for (number, line) in data_lines(path, progress, header)? {
        assignment(&line, tagging.with_timestamps, &names, tags).map_err(|p| p.at(path, number))?;
    }
    Ok(())
}

fn assignment(
    line: &str,
    with_timestamps: bool,
    names: &HashMap<String, String>,
    tags: &mut Tags,
) -> Result<(), Problem> {
    let (user, artist, tag) = if with_timestamps {
        let [user, artist, tag, ts] =
            fields::<4>(line, "\t", "userID, artistID, tagID, timestamp")?;
        // Milliseconds in the published file; only their syntax matters here.
        unix_seconds("timestamp", ts.as_bytes())?;
        (user, artist, tag)
    } else {
        let [user, artist, tag, day, month, year] =
            fields::<6>(line, "\t", "userID, artistID, tagID, day, month, year")?;
        whole_number("day", day.as_bytes(), "a day of the month")?;
        whole_number("month", month.as_bytes(), "a month number")?;
        whole_number("year", year.as_bytes(), "a year")?;
        (user, artist, tag)
    };
    numeric_id("userID", user.as_bytes())?;
    let artist = numeric_id("artistID", artist.as_bytes())?;
    let tag = numeric_id("tagID", tag.as_bytes())?;
    let name = names
        .get(&tag)
        .ok_or_else(|| Problem::field("tagID", format!("tag {tag} is not in tags.dat")))?;
    tags.add(&artist, name);
    Ok(())
}

fn read_artists(
    path: &Path,
    progress: &Progress,
    tags: &mut Tags,
) -> Result<Vec<Record>, ImportError> {
    let header = ["id", "name", "url", "pictureURL"];
    let mut items = Vec::new();
    for (number, line) in data_lines(path, progress, &header)? {
        let item = artist(&line, tags).map_err(|p| p.at(path, number))?;
        items.push(Record::Item(item));
    }
    Ok(items)
}

fn artist(line: &str, tags: &mut Tags) -> Result<ItemRecord, Problem> {
    let [id, name, url, picture] = fields::<4>(line, "\t", "id, name, url, pictureURL")?;
    let id = numeric_id("id", id.as_bytes())?;
    let mut attributes = Map::new();
    for (key, value) in [("url", url), ("picture_url", picture)] {
        let value = value.trim();
        if !value.is_empty() {
            attributes.insert(key.to_owned(), Value::String(value.to_owned()));
        }
    }
    Ok(ItemRecord {
        title: name.trim().to_owned(),
        tags: tags.take(&id),
        id,
        attributes,
        ..ItemRecord::default()
    })
}

/// Play counts streamed from `user_artists.dat`.
struct Plays {
    lines: Lines,
}

impl Iterator for Plays {
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
            let parsed = if number == 1 && is_header(line) {
                match check_header(
                    &String::from_utf8_lossy(line),
                    &["userID", "artistID", "weight"],
                ) {
                    Ok(()) => continue,
                    Err(problem) => Err(problem),
                }
            } else {
                play(line)
            };
            return Some(parsed.map_err(|problem| problem.at(self.lines.path(), number)));
        }
    }
}

fn play(line: &[u8]) -> Result<Record, Problem> {
    let [user, artist, weight] = split_exact::<3>(line, b"\t").map_err(|found| {
        Problem::line(format!(
            "expected 3 fields separated by tabs (userID, artistID, weight), found {found}"
        ))
    })?;
    let count = whole_number("weight", weight, "a play count (a whole number)")?;
    Ok(Record::Interaction(InteractionRecord {
        user: numeric_id("userID", user)?,
        item: numeric_id("artistID", artist)?,
        kind: EventKind::Play,
        value: count as f32,
        ts: 0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_are_counts() {
        let Record::Interaction(play) = play(b"2\t51\t13883").unwrap() else {
            panic!("expected an interaction");
        };
        assert_eq!((play.user.as_str(), play.item.as_str()), ("2", "51"));
        assert_eq!(
            (play.kind, play.value, play.ts),
            (EventKind::Play, 13883.0, 0)
        );
        let error = super::play(b"2\t51\t-1").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("weight"));
        assert!(super::play(b"2\t51").is_err());
    }

    #[test]
    fn headers_are_recognised_and_checked() {
        assert!(is_header(b"userID\tartistID\tweight"));
        assert!(!is_header(b"2\t51\t13883"));
        assert!(
            check_header(
                "userID\tartistID\tweight",
                &["userID", "artistID", "weight"]
            )
            .is_ok()
        );
        assert!(check_header("user\tartist", &["userID", "artistID", "weight"]).is_err());
    }

    #[test]
    fn tag_assignments_need_known_tags() {
        let names = HashMap::from([("1".to_owned(), "metal".to_owned())]);
        let mut tags = Tags::default();
        assignment("2\t52\t1\t1\t4\t2009", false, &names, &mut tags).unwrap();
        assignment("2\t52\t1\t1238536800000", true, &names, &mut tags).unwrap();
        assert_eq!(tags.take("52"), ["metal"]);
        let error = assignment("2\t52\t9\t1\t4\t2009", false, &names, &mut tags).unwrap_err();
        assert_eq!(error.message, "tag 9 is not in tags.dat");
    }
}
