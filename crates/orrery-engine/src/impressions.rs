//! Impressions and outcomes: every served list gets a `recommendation_id` and is recorded
//! (who, which items at which positions, how it was made); interactions that follow are
//! attributed to the list that showed their item; [`ListMetrics`] says how lists fared.
//!
//! Recording never slows serving: a list is handed to a bounded queue (and counted as
//! dropped when the queue is full), and one task writes what queued in batches. Lists are
//! kept for the configured retention, then pruned.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use orrery_core::{EventKind, InteractionRecord};
use orrery_store::{Impression, ListFilter, ListOutcomes, Outcome, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

/// What is recorded and how outcomes count (`[impressions]` in `orrery.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImpressionSettings {
    /// Record served lists and attribute outcomes (on by default).
    pub record: bool,
    /// Lists waiting to be written, at most; more are dropped (and counted).
    pub queue: usize,
    /// Days a served list and its outcomes are kept.
    pub retention_days: u32,
    /// Hours after a list within which an interaction without a `recommendation_id` is
    /// attributed to it.
    pub attribution_hours: u32,
    /// Interaction kinds that count as a conversion.
    pub conversions: Vec<String>,
    /// A rating at least this high counts as a conversion.
    pub conversion_min_rating: f32,
}

impl Default for ImpressionSettings {
    fn default() -> ImpressionSettings {
        ImpressionSettings {
            record: true,
            queue: 10_000,
            retention_days: 30,
            attribution_hours: 24,
            conversions: vec!["like".into(), "favorite".into(), "purchase".into()],
            conversion_min_rating: 4.0,
        }
    }
}

impl ImpressionSettings {
    /// The first setting that cannot work, as (field, reason).
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.queue == 0 {
            return Err((
                "impressions.queue".into(),
                "must be at least 1 (set `record = false` to record nothing)".into(),
            ));
        }
        if self.retention_days == 0 {
            return Err((
                "impressions.retention_days".into(),
                "must be at least 1".into(),
            ));
        }
        if self.attribution_hours == 0 {
            return Err((
                "impressions.attribution_hours".into(),
                "must be at least 1".into(),
            ));
        }
        if !self.conversion_min_rating.is_finite() {
            return Err((
                "impressions.conversion_min_rating".into(),
                "must be a number".into(),
            ));
        }
        for (i, kind) in self.conversions.iter().enumerate() {
            kind.parse::<EventKind>()
                .map_err(|e| (format!("impressions.conversions[{i}]"), e.to_string()))?;
        }
        Ok(())
    }

    fn window_ms(&self) -> i64 {
        i64::from(self.attribution_hours) * 3_600_000
    }

    fn retention_ms(&self) -> i64 {
        i64::from(self.retention_days) * 86_400_000
    }

    /// Whether an interaction counts as a conversion.
    fn converts(&self, event: &InteractionRecord) -> bool {
        match event.kind {
            EventKind::Rating => event.value >= self.conversion_min_rating,
            ref kind => self.conversions.iter().any(|c| c == kind.as_str()),
        }
    }
}

/// Which kind of list was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// A user's recommendations.
    User,
    /// Recommendations for a new user from a stated profile.
    ColdStart,
    /// Items similar to an item.
    Similar,
    /// Items offered to a new user to rate.
    Onboarding,
}

impl Surface {
    /// The name stored and accepted in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::User => "user",
            Surface::ColdStart => "cold_start",
            Surface::Similar => "similar",
            Surface::Onboarding => "onboarding",
        }
    }
}

/// A list about to be served.
#[derive(Debug, Clone)]
pub struct ServedList {
    /// For whom (`None` for an anonymous request).
    pub user: Option<String>,
    /// Which kind of list.
    pub surface: Surface,
    /// How it was made (`hybrid`, `collaborative`, …).
    pub method: String,
    /// The model version and algorithm that served it.
    pub model: Option<(i64, String)>,
    /// The experiment and variant the user was served as, if any.
    pub experiment: Option<(String, String)>,
    /// The items, first first.
    pub items: Vec<String>,
    /// The position (1 is the top) of the item the exploration slot placed, if any.
    pub explored: Option<u32>,
}

/// How a set of served lists fared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ListMetrics {
    /// Lists served.
    pub lists: u64,
    /// Items shown in them.
    pub items_shown: u64,
    /// Distinct (list, item) pairs clicked (engaged with: any interaction but a skip).
    pub clicks: u64,
    /// Distinct (list, item) pairs that converted.
    pub conversions: u64,
    /// Lists with at least one click.
    pub lists_clicked: u64,
    /// Lists with at least one conversion.
    pub lists_converted: u64,
    /// Clicks per item shown.
    pub ctr: f64,
    /// Conversions per item shown.
    pub conversion_rate: f64,
    /// Lists with a click per list served.
    pub list_ctr: f64,
    /// Mean over lists of 1 / the position of the first click (0 for a list without one).
    pub mrr: f64,
    /// The same by position, the top first.
    pub by_position: Vec<PositionMetrics>,
}

/// How one position of the lists fared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct PositionMetrics {
    /// 1 is the top of the list.
    pub position: u32,
    /// Lists long enough to show an item there.
    pub shown: u64,
    /// Clicked there.
    pub clicks: u64,
    /// Converted there.
    pub conversions: u64,
    /// Clicks per item shown there.
    pub ctr: f64,
}

/// What the recorder did since the process started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecorderStats {
    /// Whether lists are recorded.
    pub recording: bool,
    /// Lists written to the store.
    pub lists_written: u64,
    /// Outcomes attributed to a list and written.
    pub outcomes_written: u64,
    /// Lists and outcomes dropped because the queue was full.
    pub dropped: u64,
    /// Lists and outcomes lost because the store refused a batch.
    pub failed: u64,
}

enum Entry {
    List(Impression),
    Outcome(Outcome),
}

#[derive(Default)]
struct Counters {
    lists_written: AtomicU64,
    outcomes_written: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
}

/// Records served lists and outcomes through a bounded queue and one writer task.
pub struct Recorder {
    settings: ImpressionSettings,
    queue: Option<mpsc::Sender<Entry>>,
    counters: Arc<Counters>,
    /// Dropped with the recorder, which stops the pruning task (the writer stops when
    /// the queue closes, once it has written what was queued).
    _stop_pruning: Option<oneshot::Sender<()>>,
}

/// Entries written in one transaction, at most.
const MAX_BATCH: usize = 5_000;

/// How long the writer lets entries gather after the first one: a batch per interval
/// under load instead of a transaction per list. The longer, the more of a batch's rows
/// share the index pages they go to (a quarter second wrote a list for a fifth less CPU
/// than a tenth), and the later the exploration's counts see them.
const GATHER: Duration = Duration::from_millis(250);

/// How often lists past their retention are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

impl Recorder {
    /// Starts the writer and pruning tasks on the current runtime (nothing when
    /// recording is off). `count_items` keeps each item's impressions and clicks, which
    /// only the exploration slot reads: the counts cost each batch a statement.
    pub(crate) fn start(store: Store, settings: ImpressionSettings, count_items: bool) -> Recorder {
        let counters = Arc::new(Counters::default());
        let (queue, stop_pruning) = if settings.record {
            let (queue, entries) = mpsc::channel(settings.queue);
            tokio::spawn(write_batches(
                store.clone(),
                entries,
                settings.window_ms(),
                count_items,
                counters.clone(),
            ));
            let (stop, stopped) = oneshot::channel();
            tokio::spawn(prune(store, settings.retention_ms(), stopped));
            (Some(queue), Some(stop))
        } else {
            (None, None)
        };
        Recorder {
            settings,
            queue,
            counters,
            _stop_pruning: stop_pruning,
        }
    }

    /// Whether served lists are recorded (callers skip preparing a list when not).
    pub fn is_recording(&self) -> bool {
        self.queue.is_some()
    }

    /// The settings in force.
    pub fn settings(&self) -> &ImpressionSettings {
        &self.settings
    }

    /// Records a list about to be served and returns the `recommendation_id` its answer
    /// carries (`None` when recording is off).
    pub fn served(&self, list: ServedList) -> Option<String> {
        self.queue.as_ref()?;
        let id = new_id();
        let (model_version, algorithm) = list.model.unzip();
        let (experiment, variant) = list.experiment.unzip();
        let entry = Entry::List(Impression {
            id: id.clone(),
            user: list.user,
            surface: list.surface.as_str().to_owned(),
            method: list.method,
            model_version,
            algorithm,
            experiment,
            variant,
            items: list.items,
            explored: list.explored,
            served_at: now_ms(),
        });
        self.enqueue(entry);
        Some(id)
    }

    /// Queues interactions as outcomes, each with the list its client named (`lists` is
    /// empty or as long as `events`).
    pub(crate) fn interacted(&self, events: &[InteractionRecord], lists: &[Option<String>]) {
        if self.queue.is_none() {
            return;
        }
        let now = now_ms();
        for (i, event) in events.iter().enumerate() {
            // Interactions are stamped in seconds and lists in milliseconds: an interaction
            // counts as of the end of its second, so that one sent in the second its list
            // was served follows it. One stamped in the future (a skewed client clock)
            // counts as of now: lists are stamped by this server's clock.
            let at = event.ts.saturating_mul(1_000).saturating_add(999).min(now);
            self.enqueue(Entry::Outcome(Outcome {
                list: lists.get(i).cloned().flatten(),
                user: event.user.clone(),
                item: event.item.clone(),
                kind: event.kind.as_str().to_owned(),
                clicked: event.kind != EventKind::Skip,
                converted: self.settings.converts(event),
                at,
            }));
        }
    }

    fn enqueue(&self, entry: Entry) {
        if let Some(queue) = &self.queue
            && queue.try_send(entry).is_err()
        {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What was recorded so far.
    pub fn stats(&self) -> RecorderStats {
        RecorderStats {
            recording: self.is_recording(),
            lists_written: self.counters.lists_written.load(Ordering::Relaxed),
            outcomes_written: self.counters.outcomes_written.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
        }
    }

    /// How the lists `filter` selects fared.
    pub async fn metrics(
        &self,
        store: &Store,
        filter: &ListFilter,
    ) -> Result<ListMetrics, orrery_store::Error> {
        Ok(metrics_of(&store.list_outcomes(filter).await?))
    }
}

/// A new list id, 32 hex digits: the serving millisecond (48 bits), then 80 random bits
/// that keep it unguessable, so that nobody claims another user's list. Ids that grow
/// with time are appended to the end of the impressions' primary-key index, where
/// random ones would land on a different page each and make every batch rewrite pages
/// all over the index (the cost of recording lies there, not in serving).
fn new_id() -> String {
    let millis = now_ms().clamp(0, (1 << 48) - 1) as u128;
    let random = rand::random::<u128>() >> 48;
    format!("{:032x}", (millis << 80) | random)
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

async fn write_batches(
    store: Store,
    mut entries: mpsc::Receiver<Entry>,
    window_ms: i64,
    count_items: bool,
    counters: Arc<Counters>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        if entries.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        tokio::time::sleep(GATHER).await;
        while batch.len() < MAX_BATCH {
            match entries.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(_) => break,
            }
        }
        let (mut lists, mut outcomes) = (Vec::new(), Vec::new());
        for entry in batch.drain(..) {
            match entry {
                Entry::List(list) => lists.push(list),
                Entry::Outcome(outcome) => outcomes.push(outcome),
            }
        }
        match store
            .record_impressions(&lists, &outcomes, window_ms, count_items)
            .await
        {
            Ok(written) => {
                counters
                    .lists_written
                    .fetch_add(written.impressions, Ordering::Relaxed);
                counters
                    .outcomes_written
                    .fetch_add(written.outcomes, Ordering::Relaxed);
            }
            Err(e) => {
                tracing::warn!("recording served lists failed: {e}");
                counters
                    .failed
                    .fetch_add((lists.len() + outcomes.len()) as u64, Ordering::Relaxed);
            }
        }
    }
}

async fn prune(store: Store, retention_ms: i64, mut stopped: oneshot::Receiver<()>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = &mut stopped => return,
        }
        match store.prune_impressions(now_ms() - retention_ms).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("pruned {n} served lists past their retention"),
            Err(e) => tracing::warn!("pruning served lists failed: {e}"),
        }
    }
}

/// The metrics of lists counted by length and their merged outcomes.
fn metrics_of(outcomes: &ListOutcomes) -> ListMetrics {
    let longest = outcomes.lengths.iter().map(|&(n, _)| n).max().unwrap_or(0);
    let mut by_position: Vec<PositionMetrics> = (1..=longest)
        .map(|p| PositionMetrics {
            position: p,
            shown: outcomes
                .lengths
                .iter()
                .filter(|&&(n, _)| n >= p)
                .map(|&(_, lists)| lists)
                .sum(),
            ..PositionMetrics::default()
        })
        .collect();
    let mut first_click: HashMap<&str, u32> = HashMap::new();
    let mut converted_lists: HashSet<&str> = HashSet::new();
    for hit in &outcomes.hits {
        let Some(at) = by_position.get_mut(hit.position.saturating_sub(1) as usize) else {
            continue;
        };
        if hit.clicked {
            at.clicks += 1;
            let first = first_click.entry(&hit.list).or_insert(hit.position);
            *first = (*first).min(hit.position);
        }
        if hit.converted {
            at.conversions += 1;
            converted_lists.insert(&hit.list);
        }
    }
    for p in &mut by_position {
        p.ctr = ratio(p.clicks, p.shown);
    }
    let lists: u64 = outcomes.lengths.iter().map(|&(_, l)| l).sum();
    let items_shown: u64 = outcomes
        .lengths
        .iter()
        .map(|&(n, l)| u64::from(n) * l)
        .sum();
    let clicks = by_position.iter().map(|p| p.clicks).sum();
    let conversions = by_position.iter().map(|p| p.conversions).sum();
    let reciprocal: f64 = first_click.values().map(|&p| 1.0 / f64::from(p)).sum();
    ListMetrics {
        lists,
        items_shown,
        clicks,
        conversions,
        lists_clicked: first_click.len() as u64,
        lists_converted: converted_lists.len() as u64,
        ctr: ratio(clicks, items_shown),
        conversion_rate: ratio(conversions, items_shown),
        list_ctr: ratio(first_click.len() as u64, lists),
        mrr: if lists == 0 {
            0.0
        } else {
            reciprocal / lists as f64
        },
        by_position,
    }
}

/// `part` over `whole`, 0 when `whole` is.
pub(crate) fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_store::Hit;

    fn hit(list: &str, position: u32, clicked: bool, converted: bool) -> Hit {
        Hit {
            list: list.into(),
            position,
            clicked,
            converted,
        }
    }

    #[test]
    fn list_ids_grow_with_time_and_differ_within_a_millisecond() {
        let first = new_id();
        let same_moment: Vec<String> = (0..1_000).map(|_| new_id()).collect();
        std::thread::sleep(Duration::from_millis(2));
        let later = new_id();
        assert!(first.len() == 32 && first.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(later > first, "{later} after {first}");
        let distinct: HashSet<&String> = same_moment.iter().collect();
        assert_eq!(distinct.len(), same_moment.len());
        // The leading 12 digits are the serving millisecond.
        let millis = i64::from_str_radix(&first[..12], 16).unwrap();
        assert!((now_ms() - millis).abs() < 60_000, "{millis}");
    }

    #[test]
    fn metrics_count_each_list_and_position_once() {
        // Three lists of 2 items and one of 3; list a clicked at 2 and converted at 1,
        // list b clicked at 1 and 2 (converted at 2), the others nothing.
        let outcomes = ListOutcomes {
            lengths: vec![(2, 3), (3, 1)],
            hits: vec![
                hit("a", 2, true, false),
                hit("a", 1, false, true),
                hit("b", 1, true, false),
                hit("b", 2, true, true),
            ],
        };
        let m = metrics_of(&outcomes);
        assert_eq!((m.lists, m.items_shown), (4, 9));
        assert_eq!((m.clicks, m.conversions), (3, 2));
        assert_eq!((m.lists_clicked, m.lists_converted), (2, 2));
        assert!((m.mrr - (0.5 + 1.0) / 4.0).abs() < 1e-12);
        assert!((m.ctr - 3.0 / 9.0).abs() < 1e-12);
        assert!((m.list_ctr - 0.5).abs() < 1e-12);
        let shown: Vec<u64> = m.by_position.iter().map(|p| p.shown).collect();
        assert_eq!(shown, vec![4, 4, 1]);
        let clicks: Vec<u64> = m.by_position.iter().map(|p| p.clicks).collect();
        assert_eq!(clicks, vec![1, 2, 0]);
    }

    #[test]
    fn no_lists_give_zero_rates_not_nan() {
        let m = metrics_of(&ListOutcomes::default());
        assert_eq!(m.lists, 0);
        assert_eq!((m.ctr, m.list_ctr, m.mrr), (0.0, 0.0, 0.0));
        assert!(m.by_position.is_empty());
    }

    #[test]
    fn conversions_follow_the_settings() {
        let settings = ImpressionSettings::default();
        let event = |kind: EventKind, value: f32| InteractionRecord {
            user: "u".into(),
            item: "i".into(),
            kind,
            value,
            ts: 0,
        };
        assert!(settings.converts(&event(EventKind::Like, 0.0)));
        assert!(settings.converts(&event(EventKind::Rating, 4.0)));
        assert!(!settings.converts(&event(EventKind::Rating, 3.5)));
        assert!(!settings.converts(&event(EventKind::Click, 0.0)));
        let bad = ImpressionSettings {
            queue: 0,
            ..ImpressionSettings::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "impressions.queue");
    }
}
