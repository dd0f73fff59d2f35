//! Layer 2, object liking scores: views, clicks and favorites per object, combined into a
//! weighted, recency-decayed trending score normalized to `[0, 1]` (see
//! [`Layer2Config`]), sorted by score.
//!
//! The objects are the catalog's stars, planets and moons. Data that has no events on
//! objects (a Poppy CSV holds only category-level strengths) is scored per category item
//! instead (`Star:G`), and the report says so.

use std::collections::BTreeMap;

use orrery_core::EventKind;

use crate::config::Layer2Config;
use crate::data::PoppyData;
use crate::output::score;

/// The seed's columns, in its order.
pub const COLUMNS: [&str; 7] = [
    "Object_Type",
    "Object_ID",
    "total_interactions",
    "num_views",
    "num_clicks",
    "num_favorites",
    "trending_score",
];

/// One row of the layer 2 file.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectScore {
    pub object_type: &'static str,
    pub object_id: String,
    pub total_interactions: u64,
    pub num_views: u64,
    pub num_clicks: u64,
    pub num_favorites: u64,
    /// In `[0, 1]`; 1 for the top object.
    pub trending_score: f64,
}

impl ObjectScore {
    pub(crate) fn fields(&self) -> [String; 7] {
        [
            self.object_type.to_owned(),
            self.object_id.clone(),
            self.total_interactions.to_string(),
            self.num_views.to_string(),
            self.num_clicks.to_string(),
            self.num_favorites.to_string(),
            score(self.trending_score),
        ]
    }
}

/// The scores, the quality figures and notes.
pub struct Layer2Output {
    pub rows: Vec<ObjectScore>,
    pub quality: BTreeMap<String, f64>,
    pub notes: Vec<String>,
}

/// Scores every object with at least one event, best first (ties by id).
pub fn object_scores(data: &PoppyData, config: &Layer2Config) -> Layer2Output {
    let mut notes = Vec::new();
    let on_objects = data.events.iter().any(|e| {
        data.items
            .get(e.item as usize)
            .is_some_and(|i| !i.is_category)
    });
    if !on_objects {
        notes.push(
            "the data has no events on individual objects, so the category items \
             (Star:G, Planet:Gas Giant, …) are scored as the objects"
                .to_owned(),
        );
    }
    let now = config
        .now
        .or_else(|| data.events.iter().map(|e| e.ts).max())
        .unwrap_or(0);
    let half_life_seconds = config.half_life_days * 86_400.0;

    let mut rows: Vec<Option<(ObjectScore, f64)>> = vec![None; data.items.len()];
    for event in &data.events {
        let Some(item) = data.items.get(event.item as usize) else {
            continue;
        };
        if item.is_category == on_objects {
            continue;
        }
        let (row, raw) = rows[event.item as usize].get_or_insert_with(|| {
            (
                ObjectScore {
                    object_type: item.object_type,
                    object_id: item.id.clone(),
                    total_interactions: 0,
                    num_views: 0,
                    num_clicks: 0,
                    num_favorites: 0,
                    trending_score: 0.0,
                },
                0.0,
            )
        });
        row.total_interactions += 1;
        let weight = match event.kind {
            EventKind::View => {
                row.num_views += 1;
                config.view_weight
            }
            EventKind::Click => {
                row.num_clicks += 1;
                config.click_weight
            }
            EventKind::Favorite => {
                row.num_favorites += 1;
                config.favorite_weight
            }
            _ => config.other_weight,
        };
        // Events after the reference time count as new, not as more than new.
        let age = (now - event.ts).max(0) as f64;
        *raw += weight * (-age / half_life_seconds).exp2();
    }

    let mut rows: Vec<(ObjectScore, f64)> = rows.into_iter().flatten().collect();
    let top = rows.iter().map(|(_, raw)| *raw).fold(0.0, f64::max);
    for (row, raw) in &mut rows {
        row.trending_score = if top > 0.0 { *raw / top } else { 0.0 };
    }
    let mut rows: Vec<ObjectScore> = rows.into_iter().map(|(row, _)| row).collect();
    rows.sort_by(|a, b| {
        b.trending_score
            .total_cmp(&a.trending_score)
            .then_with(|| a.object_id.cmp(&b.object_id))
    });

    let mut quality = BTreeMap::new();
    quality.insert("objects_scored".to_owned(), rows.len() as f64);
    quality.insert(
        "interactions_counted".to_owned(),
        rows.iter().map(|r| r.total_interactions).sum::<u64>() as f64,
    );
    if let Some(planted) = &data.planted {
        let pairs: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| {
                let rank = planted.popularity.get(&r.object_id)?;
                Some((r.trending_score, -f64::from(*rank)))
            })
            .collect();
        if let Some(rho) = spearman(&pairs) {
            quality.insert("spearman_vs_planted_popularity".to_owned(), rho);
        }
    }
    Layer2Output {
        rows,
        quality,
        notes,
    }
}

/// Spearman's rank correlation of the pairs (average ranks for ties), `None` for fewer
/// than three pairs or a constant side.
pub(crate) fn spearman(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 3 {
        return None;
    }
    let xs = ranks(pairs.iter().map(|p| p.0).collect());
    let ys = ranks(pairs.iter().map(|p| p.1).collect());
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(&ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(values: Vec<f64>) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let average = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = average;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CelestialItem, Event};

    fn item(id: &str, is_category: bool) -> CelestialItem {
        CelestialItem {
            id: id.to_owned(),
            object_type: "Star",
            value: "G",
            is_category,
        }
    }

    fn event(item: u32, kind: EventKind, ts: i64) -> Event {
        Event {
            user: 0,
            item,
            kind,
            value: 0.0,
            ts,
        }
    }

    #[test]
    fn weights_and_half_life_decide_the_order() {
        let day = 86_400;
        let data = PoppyData {
            users: vec!["1".into()],
            items: vec![item("a", false), item("b", false), item("Star:G", true)],
            events: vec![
                // a: one favorite 14 days old = 5 · 0.5 = 2.5
                event(0, EventKind::Favorite, 0),
                // b: a view and a click, new = 1 + 3 = 4
                event(1, EventKind::View, 14 * day),
                event(1, EventKind::Click, 14 * day),
                // a category item is not an object when objects have events
                event(2, EventKind::Strength, 14 * day),
            ],
            planted: None,
        };
        let out = object_scores(&data, &Layer2Config::default());
        let ids: Vec<&str> = out.rows.iter().map(|r| r.object_id.as_str()).collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(out.rows[0].trending_score, 1.0);
        assert!((out.rows[1].trending_score - 2.5 / 4.0).abs() < 1e-12);
        assert_eq!(
            (
                out.rows[0].num_views,
                out.rows[0].num_clicks,
                out.rows[1].num_favorites
            ),
            (1, 1, 1)
        );
        assert!(out.notes.is_empty());
    }

    #[test]
    fn category_items_stand_in_when_there_are_no_object_events() {
        let data = PoppyData {
            users: vec!["1".into()],
            items: vec![item("star-001", false), item("Star:G", true)],
            events: vec![
                event(1, EventKind::Strength, 0),
                event(1, EventKind::Strength, 0),
            ],
            planted: None,
        };
        let out = object_scores(&data, &Layer2Config::default());
        assert_eq!(out.rows.len(), 1);
        assert_eq!(out.rows[0].object_id, "Star:G");
        assert_eq!(out.rows[0].total_interactions, 2);
        assert_eq!(out.notes.len(), 1);
    }

    #[test]
    fn spearman_matches_hand_computed_values() {
        let pairs = [(1.0, 10.0), (2.0, 20.0), (3.0, 30.0), (4.0, 40.0)];
        assert_eq!(spearman(&pairs), Some(1.0));
        let reversed = [(1.0, 4.0), (2.0, 3.0), (3.0, 2.0), (4.0, 1.0)];
        assert_eq!(spearman(&reversed), Some(-1.0));
        // d = (0, 0, -1, 1): rho = 1 - 6·2 / (4·15) = 0.8
        let swapped = [(1.0, 1.0), (2.0, 2.0), (3.0, 4.0), (4.0, 3.0)];
        assert!((spearman(&swapped).unwrap_or(0.0) - 0.8).abs() < 1e-12);
        assert_eq!(spearman(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None);
    }
}
