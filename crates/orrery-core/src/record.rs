//! The rows that flow from importers, the simulator and the API into the store.

use serde::{Deserialize, Serialize};

use crate::{EventKind, Timestamp};

/// A user as described by the seeds: stated interests and skill level (Dummi AI),
/// demographics (MovieLens, Neural Recommendation), plus free-form attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// External id, unique.
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Anything else the source knows about the user.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl UserRecord {
    /// A user known only by id.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }
}

/// One category of an item as a (type, value) pair: `("genre", "Comedy")`,
/// `("Star", "G")`, `("Planet", "Gas Giant")`, `("Moon", "Jupiter")`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Category {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl Category {
    /// A category from its type and value.
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            value: value.into(),
        }
    }
}

/// An item: a movie, an article, an artist, a celestial object or category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemRecord {
    /// External id, unique.
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Release year, when the source has one (movies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Anything else the source knows about the item.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl ItemRecord {
    /// An item known only by id.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// The text that describes the item for content models: title, categories, tags and
    /// description, in that order (the Dummi AI recipe).
    pub fn text(&self) -> String {
        let mut parts: Vec<&str> = Vec::with_capacity(2 + self.categories.len() + self.tags.len());
        if !self.title.is_empty() {
            parts.push(&self.title);
        }
        parts.extend(self.categories.iter().map(|c| c.value.as_str()));
        parts.extend(self.tags.iter().map(String::as_str));
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            parts.push(d);
        }
        parts.join(". ")
    }
}

/// One interaction of a user with an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionRecord {
    /// External user id.
    pub user: String,
    /// External item id.
    pub item: String,
    pub kind: EventKind,
    /// The rating, strength, seconds or count; 0 for kinds without a value.
    #[serde(default)]
    pub value: f32,
    /// When it happened (Unix seconds, UTC).
    pub ts: Timestamp,
}

/// One row of any kind, as importers and the simulator produce them, in the order they
/// should be stored (users and items before the interactions that name them).
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    User(UserRecord),
    Item(ItemRecord),
    Interaction(InteractionRecord),
}
