//! The text an item is embedded from: title, categories, tags and description, as the
//! Dummi AI service built it, so that every field that describes an item can move it.

/// Joins an item's descriptive fields into the one text the encoder embeds:
/// `"Title. cat1, cat2. tag1, tag2. Description"`, skipping empty parts.
///
/// ```
/// let text = orrery_content::item_text(
///     "Recommendation Systems 101",
///     &["machine-learning"],
///     &["cf", "embeddings"],
///     "Learn how to build a recommender.",
/// );
/// assert_eq!(text, "Recommendation Systems 101. machine-learning. cf, embeddings. Learn how to build a recommender.");
/// ```
pub fn item_text<C: AsRef<str>, T: AsRef<str>>(
    title: &str,
    categories: &[C],
    tags: &[T],
    description: &str,
) -> String {
    let list = |items: &mut dyn Iterator<Item = &str>| {
        items
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let categories = list(&mut categories.iter().map(AsRef::as_ref));
    let tags = list(&mut tags.iter().map(AsRef::as_ref));
    let parts = [
        title.trim().trim_end_matches('.'),
        &categories,
        &tags,
        description.trim(),
    ];
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(". ")
}

#[cfg(test)]
mod tests {
    use super::item_text;

    #[test]
    fn empty_parts_are_skipped() {
        let none: [&str; 0] = [];
        assert_eq!(
            item_text("Toy Story (1995)", &["Animation", "Comedy"], &none, ""),
            "Toy Story (1995). Animation, Comedy"
        );
        assert_eq!(item_text("  ", &none, &["  ", "x"], " d "), "x. d");
        assert_eq!(item_text("", &none, &none, ""), "");
    }
}
