//! Ids in request bodies: strings, but a client that sends a number (`"user_id": 1`, as
//! MovieLens clients do) means the same id as `"1"`.
//!
//! Use with `#[serde(deserialize_with = "ids::id")]` (or `ids::opt_id`, `ids::id_list`)
//! and `#[schema(value_type = String)]` on the field.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, SeqAccess, Visitor};

struct IdVisitor;

impl<'de> Visitor<'de> for IdVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an id: a non-empty string or an integer")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        let trimmed = v.trim();
        if trimmed.is_empty() {
            return Err(E::custom("an id cannot be empty"));
        }
        if trimmed.len() > 256 {
            return Err(E::custom("an id cannot be longer than 256 bytes"));
        }
        Ok(trimmed.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.visit_str(&v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // 7.0 is the integer 7 written by a client that only has floats; 7.5 is no id.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok((v as i64).to_string())
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

/// Deserializes an id from a string or an integer.
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(IdVisitor)
}

/// Deserializes an optional id from a string, an integer or null.
pub fn opt_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct OptVisitor;
    impl<'de> Visitor<'de> for OptVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an id (a string or an integer) or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            id(d).map(Some)
        }
    }
    deserializer.deserialize_option(OptVisitor)
}

/// Deserializes a list of ids, each a string or an integer.
pub fn id_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of ids")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(Wrapped(id)) = seq.next_element()? {
                out.push(id);
            }
            Ok(out)
        }
    }
    struct Wrapped(String);
    impl<'de> serde::Deserialize<'de> for Wrapped {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            id(d).map(Wrapped)
        }
    }
    deserializer.deserialize_seq(ListVisitor)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::id")]
        user_id: String,
        #[serde(default, deserialize_with = "super::opt_id")]
        item_id: Option<String>,
        #[serde(default, deserialize_with = "super::id_list")]
        exclude: Vec<String>,
    }

    #[test]
    fn numbers_and_strings_name_the_same_id() {
        let b: Body =
            serde_json::from_str(r#"{"user_id": 1, "item_id": 7.0, "exclude": [3, "x"]}"#).unwrap();
        assert_eq!(b.user_id, "1");
        assert_eq!(b.item_id.as_deref(), Some("7"));
        assert_eq!(b.exclude, ["3", "x"]);
        let b: Body = serde_json::from_str(r#"{"user_id": " 1 ", "item_id": null}"#).unwrap();
        assert_eq!((b.user_id.as_str(), b.item_id), ("1", None));
        for bad in [
            r#"{"user_id": 1.5}"#,
            r#"{"user_id": ""}"#,
            r#"{"user_id": true}"#,
            r#"{"user_id": [1]}"#,
        ] {
            let err = serde_json::from_str::<Body>(bad).unwrap_err();
            assert!(err.to_string().contains("id"), "{bad}: {err}");
        }
    }
}
