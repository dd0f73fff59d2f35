//! The user × category matrix that layers 3 and 4 learn from: rows are users in natural
//! order, columns the 21 categories in the seed's column order, cells the summed event
//! weights (zero when missing), optionally normalized; plus the held-out cells and the
//! planted-preference check both layers report.

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemRecord, WeightRule, rng};
use orrery_data::poppy::{CATEGORY_TYPES, category_item_id, values_of};
use rand::seq::SliceRandom;

use crate::config::Normalization;
use crate::data::{Planted, PoppyData, natural_order};

/// The category columns in the seed's order: the types as the seed lists them (Star,
/// Planet, Moon), each type's values sorted as pandas sorts pivot columns:
/// `A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,Eris,…`.
pub fn category_columns() -> Vec<(&'static str, &'static str)> {
    CATEGORY_TYPES
        .iter()
        .flat_map(|&t| {
            let mut values = values_of(t).unwrap_or(&[]).to_vec();
            values.sort_unstable();
            values.into_iter().map(move |v| (t, v))
        })
        .collect()
}

/// The header of the layer 3 and 4 files: `User_ID` and the category values.
pub fn prediction_header() -> Vec<String> {
    std::iter::once("User_ID".to_owned())
        .chain(category_columns().into_iter().map(|(_, v)| v.to_owned()))
        .collect()
}

/// A dense users × categories matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryMatrix {
    pub users: Vec<String>,
    pub columns: Vec<(&'static str, &'static str)>,
    /// Row-major, `users.len() × columns.len()`.
    pub values: Vec<f64>,
}

impl CategoryMatrix {
    /// Sums each user's event weights per category (clamped at zero: a skip cannot make
    /// an affinity negative) and applies `normalize`.
    pub fn build(data: &PoppyData, weights: &EventWeights, normalize: Normalization) -> Self {
        let columns = category_columns();
        let n_cols = columns.len();
        let column_of_item: Vec<Option<usize>> = data
            .items
            .iter()
            .map(|item| {
                columns
                    .iter()
                    .position(|&(t, v)| t == item.object_type && v == item.value)
            })
            .collect();

        let mut order: Vec<usize> = (0..data.users.len()).collect();
        order.sort_by(|&a, &b| natural_order(&data.users[a], &data.users[b]));
        let mut row_of_user = vec![0usize; data.users.len()];
        for (row, &user) in order.iter().enumerate() {
            row_of_user[user] = row;
        }

        let mut values = vec![0.0f64; order.len() * n_cols];
        for event in &data.events {
            let column = column_of_item.get(event.item as usize).copied().flatten();
            let row = row_of_user.get(event.user as usize);
            if let (Some(column), Some(&row)) = (column, row) {
                values[row * n_cols + column] +=
                    f64::from(weights.weight(&event.kind, event.value));
            }
        }
        for row in values.chunks_mut(n_cols) {
            row.iter_mut().for_each(|v| *v = v.max(0.0));
            if normalize == Normalization::UserMax {
                let max = row.iter().copied().fold(0.0, f64::max);
                if max > 0.0 {
                    row.iter_mut().for_each(|v| *v /= max);
                }
            }
        }
        CategoryMatrix {
            users: order.into_iter().map(|u| data.users[u].clone()).collect(),
            columns,
            values,
        }
    }

    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// The largest cell, 0 for an empty matrix.
    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(0.0, f64::max)
    }

    /// Non-zero cells to hold out: about `share` of them, drawn with `seed`, never a
    /// user's last training cell. Returns one flag per cell.
    pub fn holdout_mask(&self, share: f64, seed: u64) -> Vec<bool> {
        let n_cols = self.n_cols();
        let mut cells: Vec<usize> = (0..self.values.len())
            .filter(|&c| self.values[c] > 0.0)
            .collect();
        let target = (share * cells.len() as f64).round() as usize;
        let mut rng = rng::seeded(seed);
        cells.shuffle(&mut rng);
        let mut training_left: Vec<usize> = self
            .values
            .chunks(n_cols.max(1))
            .map(|row| row.iter().filter(|v| **v > 0.0).count())
            .collect();
        let mut mask = vec![false; self.values.len()];
        let mut held = 0;
        for cell in cells {
            if held == target {
                break;
            }
            let row = cell / n_cols;
            if training_left[row] > 1 {
                training_left[row] -= 1;
                mask[cell] = true;
                held += 1;
            }
        }
        mask
    }

    /// A dataset of the cells not held out (users and category items in matrix order),
    /// for an Orrery model to fit: with `zeros`, every cell is one rating event whose
    /// value is the cell's (for models that fit the cells they are given); without, the
    /// non-zero cells are implicit events weighing their value (for models that read
    /// every absent cell as zero).
    pub fn dataset(&self, held_out: Option<&[bool]>, zeros: bool) -> Dataset {
        let kind = if zeros {
            EventKind::Rating
        } else {
            EventKind::Custom("affinity".into())
        };
        let mut weights = EventWeights::default();
        weights.set(&kind, WeightRule::Value);
        let mut builder = DatasetBuilder::new(weights);
        builder.reserve(self.users.len(), self.n_cols(), self.values.len());
        for user in &self.users {
            builder.user_index(user);
        }
        for &(t, v) in &self.columns {
            builder.add_item(ItemRecord::with_id(category_item_id(t, v)));
        }
        let n_cols = self.n_cols();
        for (cell, &value) in self.values.iter().enumerate() {
            let held = held_out.is_some_and(|m| m.get(cell).copied().unwrap_or(false));
            if (zeros || value > 0.0) && !held {
                builder.add_event_at(
                    (cell / n_cols) as u32,
                    (cell % n_cols) as u32,
                    &kind,
                    value as f32,
                    0,
                );
            }
        }
        builder.build()
    }
}

/// Error figures of predictions against the true values on some cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellError {
    pub rmse: f64,
    pub mae: f64,
    pub cells: usize,
}

/// RMSE and MAE of `predicted` against `actual` over the cells `selected` admits; `None`
/// when it admits none.
pub fn cell_error(
    actual: &[f64],
    predicted: &[f64],
    selected: impl Fn(usize) -> bool,
) -> Option<CellError> {
    let (mut squared, mut absolute, mut cells) = (0.0, 0.0, 0usize);
    for (cell, (a, p)) in actual.iter().zip(predicted).enumerate() {
        if selected(cell) {
            squared += (a - p) * (a - p);
            absolute += (a - p).abs();
            cells += 1;
        }
    }
    (cells > 0).then(|| CellError {
        rmse: (squared / cells as f64).sqrt(),
        mae: absolute / cells as f64,
        cells,
    })
}

/// Each held-out cell predicted by its column's mean over the training cells: the
/// baseline a factorization has to beat.
pub fn column_mean_predictions(matrix: &CategoryMatrix, held_out: &[bool]) -> Vec<f64> {
    let n_cols = matrix.n_cols();
    let mut sums = vec![(0.0, 0usize); n_cols];
    for (cell, &v) in matrix.values.iter().enumerate() {
        if v > 0.0 && !held_out[cell] {
            let s = &mut sums[cell % n_cols];
            s.0 += v;
            s.1 += 1;
        }
    }
    (0..matrix.values.len())
        .map(|cell| {
            let (sum, n) = sums[cell % n_cols];
            if n > 0 { sum / n as f64 } else { 0.0 }
        })
        .collect()
}

/// How often a user's planted preferred type is the type the scores favour most, among
/// the users of the matrix with a planted preference: `(rate, users)`.
///
/// A type's score for a user is its share of the user's total score, divided by the mean
/// share of that type over all users (its lift). Lift, because the types differ in size
/// and base rate (stars and planets draw 40 % each, moons 20 %, over 7, 4 and 10
/// values): a user prefers a type when they favour it more than users do on average.
pub fn planted_recovery(
    matrix: &CategoryMatrix,
    scores: &[f64],
    planted: &Planted,
) -> Option<(f64, usize)> {
    let n_cols = matrix.n_cols();
    let n_types = CATEGORY_TYPES.len();
    let type_of_column: Vec<usize> = matrix
        .columns
        .iter()
        .map(|(t, _)| CATEGORY_TYPES.iter().position(|x| x == t).unwrap_or(0))
        .collect();
    let shares: Vec<[f64; 3]> = scores
        .chunks(n_cols.max(1))
        .map(|row| {
            let mut mass = [0.0; 3];
            for (column, &s) in row.iter().enumerate() {
                mass[type_of_column[column]] += s.max(0.0);
            }
            let total: f64 = mass.iter().sum();
            if total > 0.0 {
                mass.iter_mut().for_each(|m| *m /= total);
            }
            mass
        })
        .collect();
    let mut mean = [0.0; 3];
    for share in &shares {
        for t in 0..n_types {
            mean[t] += share[t] / shares.len().max(1) as f64;
        }
    }
    let (mut hits, mut users) = (0usize, 0usize);
    for (user, share) in matrix.users.iter().zip(&shares) {
        let Some(preferred) = planted.preferences.get(user) else {
            continue;
        };
        users += 1;
        let lift = |t: usize| {
            if mean[t] > 0.0 {
                share[t] / mean[t]
            } else {
                0.0
            }
        };
        let best = (0..n_types).max_by(|&a, &b| lift(a).total_cmp(&lift(b)));
        if best.is_some_and(|t| CATEGORY_TYPES[t] == *preferred) {
            hits += 1;
        }
    }
    (users > 0).then(|| (hits as f64 / users as f64, users))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{CelestialItem, Event};

    #[test]
    fn columns_follow_the_seed() {
        let header = prediction_header().join(",");
        assert!(
            header.starts_with(
                "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,"
            ),
            "{header}"
        );
        assert_eq!(
            header,
            "User_ID,A,B,F,G,K,M,O,Dwarf Planet,Gas Giant,Ice Giant,Terrestrial,Earth,Eris,\
             Haumea,Jupiter,Makemake,Mars,Neptune,Pluto,Saturn,Uranus"
        );
    }

    fn data() -> PoppyData {
        let item = |t: &'static str, v: &'static str| CelestialItem {
            id: category_item_id(t, v),
            object_type: t,
            value: v,
            is_category: true,
        };
        let event = |user, item, value| Event {
            user,
            item,
            kind: EventKind::Strength,
            value,
            ts: 0,
        };
        PoppyData {
            users: vec!["10".into(), "2".into()],
            items: vec![item("Star", "A"), item("Moon", "Uranus")],
            events: vec![
                event(0, 0, 4.0),
                event(0, 0, 2.0),
                event(0, 1, 3.0),
                event(1, 1, 5.0),
            ],
            planted: None,
        }
    }

    #[test]
    fn cells_sum_weights_and_rows_normalize_by_their_max() {
        let raw = CategoryMatrix::build(&data(), &EventWeights::default(), Normalization::None);
        assert_eq!(raw.users, ["2", "10"]);
        let n = raw.n_cols();
        assert_eq!(raw.values[n - 1], 5.0);
        assert_eq!((raw.values[n], raw.values[2 * n - 1]), (6.0, 3.0));
        assert_eq!(raw.values.iter().filter(|v| **v > 0.0).count(), 3);

        let scaled =
            CategoryMatrix::build(&data(), &EventWeights::default(), Normalization::UserMax);
        assert_eq!(scaled.values[n - 1], 1.0);
        assert_eq!((scaled.values[n], scaled.values[2 * n - 1]), (1.0, 0.5));
    }

    #[test]
    fn holdout_keeps_a_training_cell_per_user() {
        let m = CategoryMatrix::build(&data(), &EventWeights::default(), Normalization::None);
        let mask = m.holdout_mask(0.5, 1);
        // Three non-zero cells, half rounds to two, but user "2" has only one cell.
        assert_eq!(mask.iter().filter(|h| **h).count(), 1);
        assert!(!mask[m.n_cols() - 1]);
        let training = m.dataset(Some(&mask), false);
        assert_eq!(training.nnz(), 2);
        assert_eq!(training.n_items(), 21);
        let dense = m.dataset(Some(&mask), true);
        assert_eq!(dense.nnz(), 2 * 21 - 1);
        assert_eq!(dense.n_ratings(), 2 * 21 - 1);
    }

    #[test]
    fn recovery_uses_lift_over_the_population() {
        let m = CategoryMatrix {
            users: vec!["1".into(), "2".into()],
            columns: vec![("Star", "A"), ("Planet", "Gas Giant"), ("Moon", "Earth")],
            values: vec![0.0; 6],
        };
        // User 1 leans to stars, user 2 to moons, though both score planets highest.
        let scores = [0.3, 0.6, 0.1, 0.1, 0.6, 0.3];
        let mut planted = Planted::default();
        planted.preferences.insert("1".into(), "Star");
        planted.preferences.insert("2".into(), "Moon");
        assert_eq!(planted_recovery(&m, &scores, &planted), Some((1.0, 2)));
        planted.preferences.insert("2".into(), "Planet");
        assert_eq!(planted_recovery(&m, &scores, &planted), Some((0.5, 2)));
    }
}
