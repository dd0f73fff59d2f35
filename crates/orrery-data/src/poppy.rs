//! The Poppy Universe vocabulary: category types and values in the seed's order, how a
//! category becomes an item, and the seed's CSV columns.

use orrery_core::{Category, ItemRecord};

/// The three category types, in the seed's order.
pub const CATEGORY_TYPES: [&str; 3] = ["Star", "Planet", "Moon"];

/// Star spectral types, in the seed's order.
pub const STAR_TYPES: [&str; 7] = ["O", "B", "A", "F", "G", "K", "M"];

/// Planet types, in the seed's order.
pub const PLANET_TYPES: [&str; 4] = ["Terrestrial", "Gas Giant", "Ice Giant", "Dwarf Planet"];

/// Moon parents, in the seed's order.
pub const MOON_PARENTS: [&str; 10] = [
    "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto", "Eris", "Haumea",
    "Makemake",
];

/// Columns of the Layer 4 interactions CSV (`NN_Semantic_Interactions.csv`).
pub const INTERACTION_COLUMNS: [&str; 6] = [
    "Interaction_ID",
    "User_ID",
    "Category_Type",
    "Category_Value",
    "Strength",
    "Timestamp",
];

/// The values of one category type, or `None` for an unknown type.
pub fn values_of(category_type: &str) -> Option<&'static [&'static str]> {
    match category_type {
        "Star" => Some(&STAR_TYPES),
        "Planet" => Some(&PLANET_TYPES),
        "Moon" => Some(&MOON_PARENTS),
        _ => None,
    }
}

/// The item id under which a category is stored: `Star:G`, `Planet:Gas Giant`,
/// `Moon:Jupiter`. Category-level interactions (Layer 3 and 4) point at these items.
pub fn category_item_id(category_type: &str, value: &str) -> String {
    format!("{category_type}:{value}")
}

/// The item that stands for one category.
pub fn category_item(category_type: &str, value: &str) -> ItemRecord {
    ItemRecord {
        id: category_item_id(category_type, value),
        title: value.to_owned(),
        categories: vec![Category::new(category_type, value)],
        ..ItemRecord::default()
    }
}

/// The item that stands for one celestial object (`star-001`): its name as title, its
/// `(type, value)` category and an `object_type` attribute.
pub fn object_item(id: &str, name: &str, object_type: &str, category_value: &str) -> ItemRecord {
    let mut item = ItemRecord::with_id(id);
    item.title = name.to_owned();
    item.categories = vec![Category::new(object_type, category_value)];
    item.attributes
        .insert("object_type".into(), object_type.into());
    item
}

/// Every category item of the universe, in the seed's order.
pub fn all_category_items() -> Vec<ItemRecord> {
    CATEGORY_TYPES
        .iter()
        .flat_map(|t| {
            values_of(t)
                .unwrap_or(&[])
                .iter()
                .map(move |v| category_item(t, v))
        })
        .collect()
}
