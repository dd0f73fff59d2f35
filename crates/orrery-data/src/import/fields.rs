//! Parsers for single fields (ids, ratings, counts, timestamps, release years), each
//! naming the field and quoting what it found when the value is wrong.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use orrery_core::{RatingScale, Timestamp};

use super::error::{Problem, shown};

/// An id that the format defines as a number (MovieLens, HetRec), kept as written.
pub(crate) fn numeric_id(field: &str, bytes: &[u8]) -> Result<String, Problem> {
    let bytes = bytes.trim_ascii();
    if bytes.is_empty() {
        return Err(Problem::field(field, "is empty; expected a numeric id"));
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Problem::field(
            field,
            format!("expected a numeric id, found {}", shown(bytes)),
        ));
    }
    // Only ASCII digits are left, so this cannot fail; the fallback keeps it panic-free.
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// A non-negative integer (counts, codes, ages).
pub(crate) fn whole_number(field: &str, bytes: &[u8], what: &str) -> Result<u64, Problem> {
    let text = bytes.trim_ascii();
    parse_digits(text)
        .ok_or_else(|| Problem::field(field, format!("expected {what}, found {}", shown(bytes))))
}

fn parse_digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// A Unix timestamp in whole seconds, as MovieLens writes them.
pub(crate) fn unix_seconds(field: &str, bytes: &[u8]) -> Result<Timestamp, Problem> {
    let text = bytes.trim_ascii();
    let (negative, digits) = match text.strip_prefix(b"-") {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    match parse_digits(digits).and_then(|n| i64::try_from(n).ok()) {
        Some(n) if negative => Ok(-n),
        Some(n) => Ok(n),
        None => Err(Problem::field(
            field,
            format!(
                "expected a Unix timestamp in whole seconds, found {}",
                shown(bytes)
            ),
        )),
    }
}

/// What a ratings field may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RatingRule {
    /// 1 to 5 (ML-100K, ML-1M: whole stars, halves accepted).
    FromOne,
    /// 0.5 to 5 in half stars (ML-10M and later).
    FromHalf,
    /// Any number on a scale the importer was given (`--rating-scale`).
    Within(RatingScale),
}

impl RatingRule {
    /// The rule of a MovieLens layout whose published scale is `published`, unless the
    /// importer was given a scale.
    pub(crate) fn or_given(published: RatingRule, given: Option<RatingScale>) -> RatingRule {
        given.map_or(published, RatingRule::Within)
    }

    /// The scale this rule accepts ratings on.
    pub(crate) fn scale(self) -> RatingScale {
        match self {
            RatingRule::FromOne => RatingScale::new(1.0, 5.0),
            RatingRule::FromHalf => Ok(RatingScale::STARS),
            RatingRule::Within(scale) => Ok(scale),
        }
        .expect("the published scales are valid")
    }
}

/// A rating under `rule`: a MovieLens star rating is a multiple of 0.5 within its scale.
pub(crate) fn star_rating(field: &str, bytes: &[u8], rule: RatingRule) -> Result<f32, Problem> {
    let text = bytes.trim_ascii();
    // The common shapes "4" and "3.5" without going through the float parser.
    let fast = match *text {
        [d] if d.is_ascii_digit() => Some(f32::from(d - b'0')),
        [d, b'.', f] if d.is_ascii_digit() && (f == b'0' || f == b'5') => {
            Some(f32::from(d - b'0') + if f == b'5' { 0.5 } else { 0.0 })
        }
        _ => std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse::<f32>().ok()),
    };
    let scale = rule.scale();
    let (fits, expected) = match rule {
        RatingRule::Within(_) => (
            fast.is_some_and(|v| scale.contains(v)),
            format!("a rating from {} to {}", scale.low(), scale.high()),
        ),
        _ => (
            fast.is_some_and(|v| scale.contains(v) && (v * 2.0).fract() == 0.0),
            format!("a number from {} to 5 in steps of 0.5", scale.low()),
        ),
    };
    match fast {
        Some(v) if fits => Ok(v),
        _ => Err(Problem::field(
            field,
            format!("expected {expected}, found {}", shown(bytes)),
        )),
    }
}

/// A finite number.
pub(crate) fn finite_number(field: &str, text: &str) -> Result<f64, Problem> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(Problem::field(
            field,
            format!("expected a finite number, found {}", shown(text.as_bytes())),
        )),
    }
}

/// A point in time written as Unix seconds (fractions are floored), RFC 3339
/// (`2025-11-30T02:02:11Z`), or a naive `YYYY-MM-DD HH:MM:SS[.fraction]` or `YYYY-MM-DD`
/// taken as UTC (what pandas writes). `None` when it is none of these.
pub(crate) fn datetime(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let first = text.as_bytes()[0];
    let looks_numeric = first.is_ascii_digit() || first == b'-';
    if looks_numeric && !text[1..].contains('-') {
        if let Ok(n) = text.parse::<i64>() {
            return Some(n);
        }
        return text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && v.abs() < 1e15)
            .map(|v| v.floor() as Timestamp);
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.timestamp());
    }
    for layout in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(moment) = NaiveDateTime::parse_from_str(text, layout) {
            return Some(moment.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|moment| moment.and_utc().timestamp())
}

/// What [`datetime`] accepts, for error messages.
pub(crate) const DATETIME_FORMATS: &str = "Unix seconds, RFC 3339 (2025-11-30T02:02:11Z) or \
     \"YYYY-MM-DD HH:MM:SS[.fraction]\" (UTC)";

/// The release year at the end of a MovieLens title: `Toy Story (1995)` → 1995, also
/// `Death Note (2006–2007)` → 2006 and `Land Before Time III (1995) (V)` → 1995.
pub(crate) fn title_year(title: &str) -> Option<i32> {
    let mut rest = title.trim_end();
    // The year is the last parenthesised group, or the one before a release-kind marker.
    for _ in 0..2 {
        let inner = rest.strip_suffix(')')?;
        let open = inner.rfind('(')?;
        if let Some(year) = year_group(&inner[open + 1..]) {
            return Some(year);
        }
        rest = inner[..open].trim_end();
    }
    None
}

fn year_group(inside: &str) -> Option<i32> {
    let year = inside.get(..4)?;
    let after = &inside[4..];
    let is_year = after.is_empty() || after.starts_with('-') || after.starts_with('–');
    if is_year && year.bytes().all(|b| b.is_ascii_digit()) {
        year.parse().ok()
    } else {
        None
    }
}

/// The items of a list written in one cell: a JSON array of strings, or values separated
/// by `|` or `;`. Empty items are dropped.
pub(crate) fn text_list(cell: &str) -> Result<Vec<String>, String> {
    let cell = cell.trim();
    if cell.starts_with('[') {
        let values: Vec<serde_json::Value> = serde_json::from_str(cell)
            .map_err(|e| format!("expected a JSON array of strings, found {cell:?} ({e})"))?;
        return values
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s.trim().to_owned()),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                other => Err(format!("expected a list of strings, found {other}")),
            })
            .filter(|v| v.as_ref().map_or(true, |s| !s.is_empty()))
            .collect();
    }
    Ok(cell
        .split(['|', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_half_stars_within_the_scale() {
        let one = RatingRule::FromOne;
        let half = RatingRule::FromHalf;
        assert_eq!(star_rating("r", b"4", one), Ok(4.0));
        assert_eq!(star_rating("r", b"3.5", one), Ok(3.5));
        assert_eq!(star_rating("r", b"5.0", half), Ok(5.0));
        assert_eq!(star_rating("r", b"0.5", half), Ok(0.5));
        assert!(star_rating("r", b"0.5", one).is_err());
        assert!(star_rating("r", b"6", half).is_err());
        assert!(star_rating("r", b"3.25", half).is_err());
        assert!(star_rating("r", b"NaN", half).is_err());
        assert!(star_rating("r", b"inf", half).is_err());
        // A given scale takes any number on it, in any step.
        let jester = RatingRule::Within("-10..10".parse().unwrap());
        assert_eq!(star_rating("r", b"-9.37", jester), Ok(-9.37));
        let error = star_rating("rating", b"11", jester).unwrap_err();
        assert_eq!(
            error.message,
            "expected a rating from -10 to 10, found \"11\""
        );
        let error = star_rating("rating", b"x", one).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("rating"));
        assert_eq!(
            error.message,
            "expected a number from 1 to 5 in steps of 0.5, found \"x\""
        );
    }

    #[test]
    fn ids_must_be_digits() {
        assert_eq!(numeric_id("u", b"242"), Ok("242".to_owned()));
        assert!(numeric_id("u", b"").is_err());
        assert!(numeric_id("u", b"12a").is_err());
        assert!(numeric_id("u", b"-1").is_err());
    }

    #[test]
    fn unix_seconds_are_integers() {
        assert_eq!(unix_seconds("t", b"881250949"), Ok(881250949));
        assert_eq!(unix_seconds("t", b"-5"), Ok(-5));
        assert!(unix_seconds("t", b"88125094x").is_err());
        assert!(unix_seconds("t", b"").is_err());
        assert!(unix_seconds("t", b"99999999999999999999").is_err());
    }

    #[test]
    fn datetimes_in_every_accepted_shape() {
        assert_eq!(datetime("1445714994"), Some(1445714994));
        assert_eq!(datetime("1445714994.9"), Some(1445714994));
        assert_eq!(datetime("2025-11-30 02:02:11.902417"), Some(1764468131));
        assert_eq!(datetime("2025-11-30 02:02:11"), Some(1764468131));
        assert_eq!(datetime("2025-11-30T02:02:11"), Some(1764468131));
        assert_eq!(datetime("2025-11-30T03:02:11+01:00"), Some(1764468131));
        assert_eq!(datetime("2025-11-30T02:02:11.5Z"), Some(1764468131));
        assert_eq!(datetime("2025-11-30"), Some(1764460800));
        assert_eq!(datetime("yesterday"), None);
        assert_eq!(datetime("2025-13-30 02:02:11"), None);
        assert_eq!(datetime("inf"), None);
        assert_eq!(datetime(""), None);
    }

    #[test]
    fn years_from_titles() {
        assert_eq!(title_year("Toy Story (1995)"), Some(1995));
        assert_eq!(title_year("Two Friends (1986) "), Some(1986));
        assert_eq!(title_year("Death Note: Desu nôto (2006–2007)"), Some(2006));
        assert_eq!(title_year("Land Before Time III (1995) (V)"), Some(1995));
        assert_eq!(title_year("Something (V)"), None);
        assert_eq!(title_year("Babylon 5"), None);
        assert_eq!(title_year("(500) Days of Summer (2009)"), Some(2009));
    }

    #[test]
    fn lists_from_cells() {
        assert_eq!(text_list("a| b ;c").unwrap(), ["a", "b", "c"]);
        assert_eq!(text_list("[\"x\", \"y z\"]").unwrap(), ["x", "y z"]);
        assert!(text_list("[1, {}]").is_err());
        assert!(text_list("").unwrap().is_empty());
    }
}
