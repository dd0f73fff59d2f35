//! How records map onto table columns, and back.
//!
//! An absent field (an empty list, an empty string, `None`, an empty attribute map) becomes
//! SQL NULL, so that an upsert can keep the stored value instead of erasing it. Lists and
//! attribute maps are stored as JSON text.

use orrery_core::{Category, ItemRecord, UserRecord};
use serde_json::{Map, Value};

use crate::Error;

/// A user's columns, ready to bind.
pub(crate) struct UserColumns<'a> {
    pub ext_id: &'a str,
    pub interests: Option<String>,
    pub skill_level: Option<&'a str>,
    pub gender: Option<&'a str>,
    pub age: Option<i32>,
    pub occupation: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub attributes: Option<String>,
}

impl<'a> UserColumns<'a> {
    pub fn new(user: &'a UserRecord) -> Result<Self, Error> {
        Ok(Self {
            ext_id: &user.id,
            interests: json_list(&user.interests, "user interests")?,
            skill_level: text(&user.skill_level),
            gender: text(&user.gender),
            age: user.age,
            occupation: text(&user.occupation),
            zip: text(&user.zip),
            attributes: json_map(&user.attributes, "user attributes")?,
        })
    }
}

/// An item's columns, ready to bind (categories live in their own table).
pub(crate) struct ItemColumns<'a> {
    pub ext_id: &'a str,
    pub title: Option<&'a str>,
    pub tags: Option<String>,
    pub description: Option<&'a str>,
    pub year: Option<i32>,
    pub attributes: Option<String>,
}

impl<'a> ItemColumns<'a> {
    pub fn new(item: &'a ItemRecord) -> Result<Self, Error> {
        Ok(Self {
            ext_id: &item.id,
            title: Some(item.title.as_str()).filter(|t| !t.is_empty()),
            tags: json_list(&item.tags, "item tags")?,
            description: text(&item.description),
            year: item.year,
            attributes: json_map(&item.attributes, "item attributes")?,
        })
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

fn json_list(list: &[String], what: &'static str) -> Result<Option<String>, Error> {
    if list.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(list)
        .map(Some)
        .map_err(|source| Error::Json { what, source })
}

fn json_map(map: &Map<String, Value>, what: &'static str) -> Result<Option<String>, Error> {
    if map.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(map)
        .map(Some)
        .map_err(|source| Error::Json { what, source })
}

/// Folds a later record of the same user into an earlier one, field by field: what the
/// later record has wins, what it lacks is kept; attribute maps merge key by key.
pub(crate) fn merge_user(into: &mut UserRecord, later: &UserRecord) {
    if !later.interests.is_empty() {
        into.interests.clone_from(&later.interests);
    }
    merge_text(&mut into.skill_level, &later.skill_level);
    merge_text(&mut into.gender, &later.gender);
    if later.age.is_some() {
        into.age = later.age;
    }
    merge_text(&mut into.occupation, &later.occupation);
    merge_text(&mut into.zip, &later.zip);
    merge_map(&mut into.attributes, &later.attributes);
}

/// Folds a later record of the same item into an earlier one (see [`merge_user`]).
pub(crate) fn merge_item(into: &mut ItemRecord, later: &ItemRecord) {
    if !later.title.is_empty() {
        into.title.clone_from(&later.title);
    }
    if !later.categories.is_empty() {
        into.categories.clone_from(&later.categories);
    }
    if !later.tags.is_empty() {
        into.tags.clone_from(&later.tags);
    }
    merge_text(&mut into.description, &later.description);
    if later.year.is_some() {
        into.year = later.year;
    }
    merge_map(&mut into.attributes, &later.attributes);
}

fn merge_text(into: &mut Option<String>, later: &Option<String>) {
    if text(later).is_some() {
        into.clone_from(later);
    }
}

fn merge_map(into: &mut Map<String, Value>, later: &Map<String, Value>) {
    for (k, v) in later {
        into.insert(k.clone(), v.clone());
    }
}

/// The categories of an item without repeats, in their first-seen order.
pub(crate) fn distinct_categories(categories: &[Category]) -> Vec<&Category> {
    let mut out: Vec<&Category> = Vec::with_capacity(categories.len());
    for c in categories {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// A user row as read back from the database.
pub(crate) struct StoredUser {
    pub ext_id: String,
    pub interests: Option<String>,
    pub skill_level: Option<String>,
    pub gender: Option<String>,
    pub age: Option<i32>,
    pub occupation: Option<String>,
    pub zip: Option<String>,
    pub attributes: Option<String>,
}

impl StoredUser {
    pub fn into_record(self) -> Result<UserRecord, Error> {
        let interests = parse_list(self.interests.as_deref(), "users.interests", &self.ext_id)?;
        let attributes = parse_map(self.attributes.as_deref(), "users.attributes", &self.ext_id)?;
        Ok(UserRecord {
            id: self.ext_id,
            interests,
            skill_level: self.skill_level,
            gender: self.gender,
            age: self.age,
            occupation: self.occupation,
            zip: self.zip,
            attributes,
        })
    }
}

/// An item row as read back from the database (categories come separately).
pub(crate) struct StoredItem {
    pub ext_id: String,
    pub title: Option<String>,
    pub tags: Option<String>,
    pub description: Option<String>,
    pub year: Option<i32>,
    pub attributes: Option<String>,
}

impl StoredItem {
    pub fn into_record(self, categories: Vec<Category>) -> Result<ItemRecord, Error> {
        let tags = parse_list(self.tags.as_deref(), "items.tags", &self.ext_id)?;
        let attributes = parse_map(self.attributes.as_deref(), "items.attributes", &self.ext_id)?;
        Ok(ItemRecord {
            id: self.ext_id,
            title: self.title.unwrap_or_default(),
            categories,
            tags,
            description: self.description,
            year: self.year,
            attributes,
        })
    }
}

fn parse_list(json: Option<&str>, column: &str, ext_id: &str) -> Result<Vec<String>, Error> {
    match json {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::Corrupt {
            what: format!("{column} of {ext_id:?}"),
            reason: format!("expected a JSON array of strings: {e}"),
        }),
    }
}

fn parse_map(json: Option<&str>, column: &str, ext_id: &str) -> Result<Map<String, Value>, Error> {
    match json {
        None => Ok(Map::new()),
        Some(text) => serde_json::from_str(text).map_err(|e| Error::Corrupt {
            what: format!("{column} of {ext_id:?}"),
            reason: format!("expected a JSON object: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_become_null() {
        let user = UserRecord {
            gender: Some(String::new()),
            ..UserRecord::with_id("u")
        };
        let c = UserColumns::new(&user).unwrap();
        assert!(c.interests.is_none() && c.gender.is_none() && c.attributes.is_none());
        let item = ItemRecord::with_id("i");
        let c = ItemColumns::new(&item).unwrap();
        assert!(c.title.is_none() && c.tags.is_none() && c.year.is_none());
    }

    #[test]
    fn merging_keeps_what_the_later_record_lacks() {
        let mut first = UserRecord {
            gender: Some("F".into()),
            age: Some(25),
            ..UserRecord::with_id("u")
        };
        first.attributes.insert("a".into(), 1.into());
        let mut later = UserRecord {
            age: Some(35),
            zip: Some("55455".into()),
            ..UserRecord::with_id("u")
        };
        later.attributes.insert("b".into(), 2.into());
        merge_user(&mut first, &later);
        assert_eq!(first.gender.as_deref(), Some("F"));
        assert_eq!(first.age, Some(35));
        assert_eq!(first.zip.as_deref(), Some("55455"));
        assert_eq!(first.attributes.len(), 2);
    }

    #[test]
    fn stored_json_round_trips_and_bad_json_is_reported() {
        let stored = StoredItem {
            ext_id: "i1".into(),
            title: None,
            tags: Some(r#"["a","b"]"#.into()),
            description: None,
            year: Some(1995),
            attributes: None,
        };
        let item = stored
            .into_record(vec![Category::new("genre", "Comedy")])
            .unwrap();
        assert_eq!(item.tags, ["a", "b"]);
        assert_eq!(item.title, "");
        let bad = StoredUser {
            ext_id: "u1".into(),
            interests: Some("{oops".into()),
            skill_level: None,
            gender: None,
            age: None,
            occupation: None,
            zip: None,
            attributes: None,
        };
        let err = bad
            .into_record()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("users.interests of \"u1\""), "{err}");
    }

    #[test]
    fn categories_lose_repeats_and_keep_order() {
        let cats = [
            Category::new("genre", "Drama"),
            Category::new("genre", "Comedy"),
            Category::new("genre", "Drama"),
        ];
        let d = distinct_categories(&cats);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].value, "Drama");
    }
}
