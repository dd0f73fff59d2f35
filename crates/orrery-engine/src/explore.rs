//! Exploration: one slot of a user's list given to an item the catalog is still learning
//! about, so that new items get shown and the good ones rise.
//!
//! The candidates of the slot (the *arms*) are the items added to the catalog last. A
//! list's slot goes to the arm with the highest draw from its click-through rate's
//! posterior (Thompson sampling): a Beta distribution over the clicks and impressions
//! recorded for the item ([`orrery_store::ItemStats`], on every server alike) on top of an
//! optimistic prior, whose mean is a multiple of the CTR of every item shown. An item
//! nobody has seen yet draws high and gets impressions; one that earns clicks keeps
//! drawing high and keeps its slot; one that does not falls behind the prior of the
//! others and loses it.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use orrery_core::ItemIdx;
use orrery_store::{ItemStats, Store};
use rand::Rng;
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::catalog::Catalog;
use crate::{read, write};

/// The exploration slot (`[flow.exploration]` in `orrery.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExplorationSettings {
    /// The share of users' lists that get the slot, in [0, 1]; 0 (the default) is off.
    /// Whether a list gets it is decided per user and hour, so that a user's refreshes
    /// within the hour agree.
    pub share: f32,
    /// The slot's position in the list, 1 being the top.
    pub position: usize,
    /// How many of the items added to the catalog last compete for the slot.
    pub new_items: usize,
    /// The prior's weight, in impressions: how many an item needs before its own clicks
    /// count as much as the prior.
    pub prior_impressions: f32,
    /// The prior's mean as a multiple of the CTR of every item shown (its optimism: an
    /// item is thought better than the average until shown otherwise).
    pub optimism: f32,
}

impl Default for ExplorationSettings {
    fn default() -> ExplorationSettings {
        ExplorationSettings {
            share: 0.0,
            position: 3,
            new_items: 100,
            prior_impressions: 10.0,
            optimism: 2.0,
        }
    }
}

impl ExplorationSettings {
    /// Whether lists get the slot at all.
    pub fn is_on(&self) -> bool {
        self.share > 0.0
    }

    /// The first setting out of range, as (`flow.exploration.` field, reason).
    pub fn check(&self) -> Result<(), (String, String)> {
        let field = |name: &str| format!("flow.exploration.{name}");
        if !(0.0..=1.0).contains(&self.share) {
            return Err((
                field("share"),
                format!("{} is not between 0 and 1", self.share),
            ));
        }
        if self.position == 0 {
            return Err((field("position"), "must be at least 1 (the top)".into()));
        }
        if self.new_items == 0 {
            return Err((field("new_items"), "must be at least 1".into()));
        }
        if !(self.prior_impressions.is_finite() && self.prior_impressions > 0.0) {
            return Err((
                field("prior_impressions"),
                format!("{} is not a positive number", self.prior_impressions),
            ));
        }
        if !(self.optimism.is_finite() && self.optimism > 0.0) {
            return Err((
                field("optimism"),
                format!("{} is not a positive number", self.optimism),
            ));
        }
        Ok(())
    }

    /// Whether a list drawn with `seed` gets the slot.
    pub fn applies(&self, seed: u64) -> bool {
        crate::unit_fraction(seed) < f64::from(self.share)
    }
}

/// One arm: a catalog slot and what was recorded of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    /// The item's catalog slot.
    pub slot: ItemIdx,
    /// Lists that showed it.
    pub shown: u64,
    /// Of those, lists where it was clicked.
    pub clicked: u64,
}

/// What one list's slot is chosen from: the arms, the prior and where the slot goes.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The competing items.
    pub arms: Vec<Arm>,
    /// The prior's (α, β): pseudo clicks and pseudo unclicked impressions.
    pub prior: (f64, f64),
    /// The CTR of the items the lists show anyway: an arm whose draw falls below it leaves
    /// the slot to the list's own item.
    pub baseline: f64,
    /// The slot's rank, 0 being the top.
    pub rank: usize,
    /// Seeds the draws.
    pub seed: u64,
}

impl Slot {
    /// The slots of the arms, in order.
    pub fn slots(&self) -> Vec<ItemIdx> {
        self.arms.iter().map(|a| a.slot).collect()
    }

    /// The arm with the highest draw from its posterior among those `admissible` says the
    /// list may hold and, given the user's `relevance` to each arm (in arm order), the
    /// most relevant [`PERSONAL_SHARE`] of them; `None` when none may, or when no draw
    /// beats the baseline (an item known to do worse than the list's own loses its slot).
    ///
    /// Relevance keeps the slot personal: an item is shown to the people it might suit,
    /// so that its clicks measure how good it is for them rather than how many of the
    /// catalog's users share its genre.
    pub fn choose(
        &self,
        admissible: impl Fn(ItemIdx) -> bool,
        relevance: Option<&[f32]>,
    ) -> Option<ItemIdx> {
        let mut open: Vec<usize> = (0..self.arms.len())
            .filter(|&i| admissible(self.arms[i].slot))
            .collect();
        if let Some(relevance) = relevance.filter(|r| r.len() == self.arms.len()) {
            let keep = ((open.len() as f32 * PERSONAL_SHARE).ceil() as usize)
                .max(MIN_PERSONAL_ARMS)
                .min(open.len());
            let relevance_of = |i: usize| {
                let r = relevance[i];
                if r.is_nan() { f32::NEG_INFINITY } else { r }
            };
            // Stable: ties keep the newest first.
            open.sort_by(|&a, &b| relevance_of(b).total_cmp(&relevance_of(a)));
            open.truncate(keep);
        }
        let mut rng = orrery_core::rng::seeded(self.seed);
        let (alpha, beta) = self.prior;
        let mut best: Option<(f64, ItemIdx)> = None;
        for i in open {
            let arm = self.arms[i];
            let clicked = arm.clicked.min(arm.shown) as f64;
            let unclicked = (arm.shown as f64 - clicked).max(0.0);
            let draw = match Beta::new(alpha + clicked, beta + unclicked) {
                Ok(posterior) => posterior.sample(&mut rng),
                Err(_) => rng.random::<f64>(),
            };
            if draw > self.baseline && best.is_none_or(|(top, _)| draw > top) {
                best = Some((draw, arm.slot));
            }
        }
        best.map(|(_, slot)| slot)
    }
}

/// The share of the admissible arms, the most relevant to the user, that compete for
/// their slot.
pub const PERSONAL_SHARE: f32 = 0.125;

/// The fewest arms that compete for a slot when that many are admissible.
const MIN_PERSONAL_ARMS: usize = 3;

/// How often to read the counts other servers (and this one's recorder) wrote.
const REFRESH: Duration = Duration::from_secs(1);

/// How far back past the newest count read each refresh reads again: servers' clocks
/// differ, and a batch committed late may carry an earlier time.
const CLOCK_SLACK_MS: i64 = 30_000;

/// The CTR the prior is built on while fewer items than this were shown.
const MIN_EVIDENCE: u64 = 100;

/// The prior mean while there is too little evidence for a CTR of the catalog.
const UNINFORMED_CTR: f64 = 0.1;

/// The recorded counts, read from the store and kept fresh by a task.
pub struct Bandit {
    settings: ExplorationSettings,
    evidence: std::sync::Arc<RwLock<Evidence>>,
    /// Dropped with the bandit, which stops the refreshing task.
    _stop: oneshot::Sender<()>,
}

#[derive(Default)]
struct Evidence {
    items: HashMap<String, (u64, u64)>,
    shown: u64,
    clicked: u64,
    /// The newest `updated_at` read.
    newest: i64,
}

impl Evidence {
    fn apply(&mut self, rows: Vec<ItemStats>) {
        for row in rows {
            self.newest = self.newest.max(row.updated_at);
            let old = self
                .items
                .insert(row.item, (row.shown, row.clicked))
                .unwrap_or((0, 0));
            self.shown = self.shown - old.0 + row.shown;
            self.clicked = self.clicked - old.1 + row.clicked;
        }
    }
}

impl Bandit {
    /// Reads the counts and starts refreshing them on the current runtime.
    pub(crate) async fn start(
        store: Store,
        settings: ExplorationSettings,
    ) -> Result<Bandit, orrery_store::Error> {
        let mut evidence = Evidence::default();
        evidence.apply(store.item_stats_since(i64::MIN).await?);
        let evidence = std::sync::Arc::new(RwLock::new(evidence));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(refresh(store, evidence.clone(), stopped));
        Ok(Bandit {
            settings,
            evidence,
            _stop: stop,
        })
    }

    /// The slot of a list for the page `ranks` (0 the top) drawn with `seed`, when the
    /// list gets one and the page holds its position.
    pub fn slot(
        &self,
        catalog: &Catalog,
        ranks: std::ops::Range<usize>,
        seed: u64,
    ) -> Option<Slot> {
        let rank = self.settings.position - 1;
        if !ranks.contains(&rank) || !self.settings.applies(seed) {
            return None;
        }
        let evidence = read(&self.evidence);
        let (catalog_ctr, baseline) = if evidence.shown >= MIN_EVIDENCE {
            let ctr = evidence.clicked as f64 / evidence.shown as f64;
            (ctr, ctr)
        } else {
            (UNINFORMED_CTR, 0.0)
        };
        let mean = (catalog_ctr * f64::from(self.settings.optimism)).clamp(0.01, 0.99);
        let weight = f64::from(self.settings.prior_impressions);
        let arms = newest_items(catalog, self.settings.new_items)
            .map(|(slot, id)| {
                let (shown, clicked) = evidence.items.get(id).copied().unwrap_or((0, 0));
                Arm {
                    slot,
                    shown,
                    clicked,
                }
            })
            .collect();
        Some(Slot {
            arms,
            prior: (mean * weight, (1.0 - mean) * weight),
            baseline,
            rank,
            // Apart from the seed's use for `applies`.
            seed: seed.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15,
        })
    }
}

/// The `n` live items added to the catalog last (slots are given in the order items
/// arrive), newest first.
fn newest_items(catalog: &Catalog, n: usize) -> impl Iterator<Item = (ItemIdx, &str)> {
    (0..catalog.slots() as ItemIdx)
        .rev()
        .filter_map(|slot| {
            catalog
                .item(slot)
                .filter(|item| !item.deleted)
                .map(|item| (slot, item.record.id.as_str()))
        })
        .take(n)
}

async fn refresh(
    store: Store,
    evidence: std::sync::Arc<RwLock<Evidence>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut every = tokio::time::interval(REFRESH);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = &mut stopped => return,
        }
        let since = read(&evidence).newest.saturating_sub(CLOCK_SLACK_MS);
        match store.item_stats_since(since).await {
            Ok(rows) => write(&evidence).apply(rows),
            Err(e) => tracing::warn!("reading items' impressions for exploration failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(arms: Vec<Arm>, seed: u64) -> Slot {
        Slot {
            arms,
            prior: (2.0, 8.0),
            baseline: 0.0,
            rank: 2,
            seed,
        }
    }

    fn arm(slot: ItemIdx, shown: u64, clicked: u64) -> Arm {
        Arm {
            slot,
            shown,
            clicked,
        }
    }

    #[test]
    fn the_slot_goes_to_the_better_arm_once_the_evidence_is_in() {
        // Item 1 was clicked in 40 % of 500 lists, item 2 in 2 %: item 1 wins nearly
        // every draw, an unseen item 3 (the prior's 20 %) some.
        let arms = vec![arm(1, 500, 200), arm(2, 500, 10), arm(3, 0, 0)];
        let mut wins = [0u32; 4];
        for seed in 0..1_000 {
            let chosen = slot(arms.clone(), seed).choose(|_| true, None).unwrap();
            wins[chosen as usize] += 1;
        }
        assert!(wins[1] > 850, "{wins:?}");
        assert_eq!(wins[2], 0, "{wins:?}");
        assert!(wins[3] > 0, "{wins:?}");
    }

    #[test]
    fn an_unseen_item_beats_a_known_poor_one() {
        let arms = vec![arm(1, 300, 3), arm(2, 0, 0)];
        let wins = (0..1_000)
            .filter(|&seed| slot(arms.clone(), seed).choose(|_| true, None) == Some(2))
            .count();
        assert!(wins > 950, "{wins}");
    }

    #[test]
    fn inadmissible_arms_are_passed_over_and_the_same_seed_chooses_the_same() {
        let arms = vec![arm(1, 500, 200), arm(2, 500, 10)];
        assert_eq!(slot(arms.clone(), 5).choose(|s| s != 1, None), Some(2));
        assert_eq!(slot(arms.clone(), 5).choose(|_| false, None), None);
        let a = slot(arms.clone(), 9).choose(|_| true, None);
        assert_eq!(a, slot(arms, 9).choose(|_| true, None));
    }

    #[test]
    fn an_arm_known_to_do_worse_than_the_list_leaves_the_slot_to_it() {
        let arms = vec![arm(1, 400, 20), arm(2, 0, 0)];
        let mut with_baseline = slot(arms, 0);
        with_baseline.baseline = 0.15;
        let mut chosen = [0u32; 3];
        for seed in 0..1_000 {
            with_baseline.seed = seed;
            match with_baseline.choose(|_| true, None) {
                Some(s) => chosen[s as usize] += 1,
                None => chosen[0] += 1,
            }
        }
        // Item 1 (5 % of 400) never beats 15 %; the unseen item 2 (prior 20 %) often does.
        assert_eq!(chosen[1], 0, "{chosen:?}");
        assert!(chosen[2] > 400 && chosen[0] > 200, "{chosen:?}");
    }

    #[test]
    fn only_the_arms_most_relevant_to_the_user_compete() {
        // Twelve unseen arms; the user's relevance ranks 11, 10 and 9 first: an eighth of
        // twelve is fewer than three, so these three are the only ones ever chosen.
        let arms: Vec<Arm> = (0..12).map(|i| arm(i, 0, 0)).collect();
        let relevance: Vec<f32> = (0..12).map(|i| i as f32).collect();
        for seed in 0..200 {
            let chosen = slot(arms.clone(), seed)
                .choose(|_| true, Some(&relevance))
                .unwrap();
            assert!(chosen >= 9, "{chosen}");
        }
        // Arms the list may not hold leave their places to the next most relevant.
        let chosen = slot(arms, 3).choose(|s| s < 5, Some(&relevance)).unwrap();
        assert!((2..5).contains(&chosen), "{chosen}");
    }

    #[test]
    fn the_share_decides_which_lists_get_the_slot() {
        let half = ExplorationSettings {
            share: 0.5,
            ..ExplorationSettings::default()
        };
        let seeds = (0..10_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let on = seeds.filter(|&s| half.applies(s)).count();
        assert!((4_500..5_500).contains(&on), "{on}");
        assert!(!ExplorationSettings::default().applies(0));
        let bad = ExplorationSettings {
            position: 0,
            ..ExplorationSettings::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "flow.exploration.position");
    }

    #[test]
    fn evidence_replaces_an_item_s_counts_and_keeps_the_totals() {
        let mut evidence = Evidence::default();
        let row = |item: &str, shown, clicked, at| ItemStats {
            item: item.into(),
            shown,
            clicked,
            updated_at: at,
        };
        evidence.apply(vec![row("a", 10, 2, 5), row("b", 20, 1, 7)]);
        evidence.apply(vec![row("a", 15, 4, 9)]);
        assert_eq!(
            (evidence.shown, evidence.clicked, evidence.newest),
            (35, 5, 9)
        );
        assert_eq!(evidence.items["a"], (15, 4));
    }
}
