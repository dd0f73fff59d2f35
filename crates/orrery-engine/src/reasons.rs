//! One sentence per served item saying why it is there, built from the parts of its score:
//! a part is named only when it carries a material share of the score, and with the
//! numbers that ranked the item.
//!
//! A list's score is `α · collaborative + β · content + γ · popularity` (the shares of the
//! list's [`Plan`], the signals normalized to [0, 1]). An explanation that names a part
//! contributing a hundredth of the score ("it resembles 'ML for Beginners'" at similarity
//! 0.0000019), or leaves out the part that carried half of it, says something untrue.

use orrery_models::blend::Plan;

use crate::{Method, RankedItem, SimilarityBasis};

/// A part of the score is a reason from this share of the item's score on.
pub const MATERIAL_SHARE: f32 = 0.15;

/// A liked item is named as a resemblance from this similarity (cosine) on.
pub const RESEMBLANCE_MIN: f32 = 0.3;

/// The parts of one item's blended score, each the signal times its share in the list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Parts {
    pub collaborative: f32,
    pub content: f32,
    pub popularity: f32,
}

impl Parts {
    pub(crate) fn of(plan: &Plan, item: &RankedItem) -> Parts {
        Parts {
            collaborative: plan.cf_share * item.collaborative.unwrap_or(0.0),
            content: plan.content_share * item.content.unwrap_or(0.0),
            popularity: plan.popularity_share * item.popularity,
        }
    }

    fn total(&self) -> f32 {
        self.collaborative + self.content + self.popularity
    }

    /// Whether `part` carries a material share of the score.
    fn material(&self, part: f32) -> bool {
        let total = self.total();
        total > 0.0 && part >= MATERIAL_SHARE * total
    }
}

/// Sets a listed item's explanation, and drops its resemblance to a liked item unless
/// that is one of the material reasons (content carried a material share of the score
/// and the resemblance is close enough).
pub(crate) fn explain_list_item(plan: &Plan, model: Option<&str>, item: &mut RankedItem) {
    let parts = Parts::of(plan, item);
    if !parts.material(parts.content) {
        item.because = None;
    }
    item.because = item
        .because
        .take()
        .filter(|(_, _, similarity)| *similarity >= RESEMBLANCE_MIN);
    item.explanation = list_item(plan, model, item);
}

/// Why a listed item is there: its material score parts, largest first. The model part
/// is named by the model (`model`, its algorithm): "people with tastes like yours" would
/// be untrue of an item-to-item model or of Layer 4, which reads the user's own strengths.
fn list_item(plan: &Plan, model: Option<&str>, item: &RankedItem) -> String {
    let parts = Parts::of(plan, item);
    let mut named: Vec<(f32, String)> = Vec::new();
    if let Some(c) = item.collaborative
        && parts.material(parts.collaborative)
    {
        named.push((
            parts.collaborative,
            format!(
                "the {} model scores it {c:.2} of 1 ({:.2} of its score)",
                model.unwrap_or("active"),
                parts.collaborative
            ),
        ));
    }
    if let Some(t) = item.content
        && parts.material(parts.content)
    {
        let mut reason = format!(
            "its content matches your profile {t:.2} of 1 ({:.2} of its score)",
            parts.content
        );
        if !item.matched.is_empty() {
            reason.push_str(&format!(": it is about {}", item.matched.join(", ")));
        }
        if let Some((_, title, similarity)) = &item.because
            && *similarity >= RESEMBLANCE_MIN
        {
            reason.push_str(&format!(
                "; it resembles {title:?} (similarity {similarity:.2}), which you liked"
            ));
        }
        named.push((parts.content, reason));
    }
    if parts.material(parts.popularity) {
        let whose = if item.method == Method::ColdStart {
            "in your categories"
        } else {
            "overall"
        };
        named.push((
            parts.popularity,
            format!(
                "it is popular {whose}, {:.2} of 1 ({:.2} of its score)",
                item.popularity, parts.popularity
            ),
        ));
    }
    named.sort_by(|a, b| b.0.total_cmp(&a.0));
    // A pin or the exploration slot, not the score, placed it: say so first; the score
    // parts still follow.
    let mut sentence = if item.sources.contains(&"pinned") {
        format!(
            "pinned to the top by the list's rules; {}: ",
            lead(item.method)
        )
    } else if item.sources.contains(&crate::flow::EXPLORATION) {
        format!(
            "new in the catalog, shown to learn whether people like it; {}: ",
            lead(item.method)
        )
    } else {
        format!("{}: ", lead(item.method))
    };
    if named.is_empty() {
        sentence.push_str(&format!("popularity {:.2} of 1", item.popularity));
    } else {
        let reasons: Vec<String> = named.into_iter().map(|(_, r)| r).collect();
        sentence.push_str(&reasons.join("; "));
    }
    if item.boost != 1.0 {
        sentence.push_str(&format!("; a rule boosted it ×{:.2}", item.boost));
    }
    sentence
}

/// Why an item is similar to the one asked about: the similarity that ranked it.
pub(crate) fn similar_item(basis: SimilarityBasis, similarity: f32) -> String {
    match basis {
        SimilarityBasis::Model => {
            format!("the active model finds it similar to this item: {similarity:.2}")
        }
        SimilarityBasis::Embeddings => format!(
            "its text is close to this item's: cosine {similarity:.2} of the text embeddings"
        ),
        SimilarityBasis::CategoriesAndTags => format!(
            "it shares categories and tags with this item: cosine {similarity:.2} (with a \
             little popularity to break ties)"
        ),
    }
}

/// Why an item is on a list of popular items.
pub(crate) fn popular_item(popularity: f32) -> String {
    format!("popularity: {popularity:.2} of 1")
}

fn lead(method: Method) -> &'static str {
    match method {
        Method::Hybrid => "collaborative filtering and content",
        Method::Collaborative => "collaborative filtering",
        Method::Content => "content similarity",
        Method::ColdStart => "your interests and what is popular in them",
        Method::Popularity => "popularity",
    }
}

#[cfg(test)]
mod tests {
    use orrery_core::ItemRecord;
    use orrery_models::blend::Source;

    use super::*;

    fn plan(cf: f32, content: f32, popularity: f32) -> Plan {
        Plan {
            source: Source::Hybrid,
            cold: false,
            trust: 0.5,
            cf_weight: cf / (cf + content).max(f32::MIN_POSITIVE),
            cf_share: cf,
            content_share: content,
            popularity_share: popularity,
        }
    }

    fn item(collaborative: Option<f32>, content: Option<f32>, popularity: f32) -> RankedItem {
        RankedItem {
            record: ItemRecord::with_id("i"),
            score: 0.0,
            collaborative,
            content,
            popularity,
            matched: Vec::new(),
            because: None,
            method: Method::Hybrid,
            sources: Vec::new(),
            boost: 1.0,
            explanation: String::new(),
        }
    }

    #[test]
    fn every_material_part_is_named_with_its_share_of_the_score() {
        // 0.07 · 0.72 = 0.05, 0.44 · 1.0 = 0.44, 0.49 · 0.6 = 0.29.
        let sentence = list_item(
            &plan(0.07, 0.44, 0.49),
            Some("als"),
            &item(Some(0.72), Some(1.0), 0.6),
        );
        assert!(
            sentence.contains("its content matches your profile 1.00 of 1 (0.44 of its score)"),
            "{sentence}"
        );
        assert!(
            sentence.contains("it is popular overall, 0.60 of 1 (0.29 of its score)"),
            "{sentence}"
        );
        // The model carried 6 % of the score: not a reason.
        assert!(!sentence.contains("als model"), "{sentence}");
        // Largest first.
        assert!(sentence.find("content").unwrap() < sentence.find("popular").unwrap());
    }

    #[test]
    fn a_faint_resemblance_is_not_a_reason() {
        let mut ranked = item(Some(0.5), Some(0.9), 0.2);
        ranked.because = Some(("b".into(), "ML for Beginners".into(), 0.000_001_9));
        let sentence = list_item(&plan(0.4, 0.4, 0.2), Some("als"), &ranked);
        assert!(!sentence.contains("resembles"), "{sentence}");
        ranked.because = Some(("b".into(), "ML for Beginners".into(), 0.62));
        let sentence = list_item(&plan(0.4, 0.4, 0.2), Some("als"), &ranked);
        assert!(
            sentence.contains("it resembles \"ML for Beginners\" (similarity 0.62)"),
            "{sentence}"
        );
        // Nor is a resemblance named, or kept, when content carried nothing material.
        explain_list_item(&plan(0.9, 0.01, 0.09), Some("als"), &mut ranked);
        assert!(!ranked.explanation.contains("resembles"), "{ranked:?}");
        assert!(ranked.because.is_none(), "{ranked:?}");
    }

    #[test]
    fn the_collaborative_part_leads_when_it_carries_the_score() {
        let sentence = list_item(
            &plan(0.8, 0.1, 0.1),
            Some("ease"),
            &item(Some(0.9), Some(0.3), 0.5),
        );
        assert!(
            sentence.starts_with(
                "collaborative filtering and content: the ease model scores it 0.90 of 1 \
                 (0.72 of its score)"
            ),
            "{sentence}"
        );
        assert!(!sentence.contains("content matches"), "{sentence}");
    }

    #[test]
    fn boosts_and_empty_scores_are_said() {
        let mut ranked = item(None, None, 0.0);
        ranked.boost = 1.2;
        let sentence = list_item(&plan(0.0, 0.0, 1.0), None, &ranked);
        assert_eq!(
            sentence,
            "collaborative filtering and content: popularity 0.00 of 1; a rule boosted it ×1.20"
        );
    }

    #[test]
    fn similar_items_say_the_similarity_that_ranked_them() {
        assert_eq!(
            similar_item(SimilarityBasis::Embeddings, 0.8123),
            "its text is close to this item's: cosine 0.81 of the text embeddings"
        );
        assert!(similar_item(SimilarityBasis::Model, 0.5).contains("0.50"));
    }
}
