//! The content and hybrid recommenders on a small synthetic catalog whose item vectors
//! cluster by genre (as text embeddings of genre-labelled items do): profiles, cold start
//! from interests, blending weights, a new item without interactions, save/load.

use orrery_core::{
    Category, Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx, ItemRecord, UserRecord,
};
use orrery_models::blend::{Blend, Source};
use orrery_models::{
    Algorithm, Filter, Fitted, ItemVectors, Model, NoProgress, Params, Recommender,
};

const GENRES: [&str; 3] = ["Comedy", "Horror", "Space"];
const PER_GENRE: usize = 30;
const DIM: usize = 8;

/// A unit-ish vector near the genre's axis, with a small item-specific wobble.
fn vector(genre: usize, i: usize) -> Vec<f32> {
    (0..DIM)
        .map(|d| {
            let axis = if d == genre { 1.0 } else { 0.0 };
            axis + 0.15 * ((i * 7 + d * 13) as f32).sin()
        })
        .collect()
}

/// 90 items (30 per genre) plus item `new` (Space, never interacted with); 30 users, ten
/// per genre, each liking 8 items of their genre and clicking 1 of another.
fn catalog() -> (Dataset, ItemVectors) {
    let mut b = DatasetBuilder::new(EventWeights::default());
    let mut rows = Vec::new();
    for (g, genre) in GENRES.iter().enumerate() {
        for k in 0..PER_GENRE {
            let i = g * PER_GENRE + k;
            b.add_item(ItemRecord {
                id: format!("i{i}"),
                title: format!("{genre} film {k}"),
                categories: vec![Category::new("genre", *genre)],
                ..ItemRecord::default()
            });
            rows.extend(vector(g, i));
        }
    }
    b.add_item(ItemRecord {
        id: "new".into(),
        title: "A new space film".into(),
        categories: vec![Category::new("genre", "Space")],
        ..ItemRecord::default()
    });
    // Right on the space axis: whatever the wobble of a fan's films, it matches them.
    rows.extend((0..DIM).map(|d| if d == 2 { 1.0 } else { 0.0 }));
    for u in 0..30usize {
        let g = u % 3;
        for k in 0..8 {
            // Popular items are the low k of each genre; users overlap on them.
            let item = g * PER_GENRE + (k * (u / 3 + 1)) % 20;
            b.add_event(
                &format!("u{u}"),
                &format!("i{item}"),
                &EventKind::Like,
                0.0,
                1_000 + k as i64,
            );
        }
        let other = ((g + 1) % 3) * PER_GENRE + u % 5;
        b.add_event(
            &format!("u{u}"),
            &format!("i{other}"),
            &EventKind::Click,
            0.0,
            1_000,
        );
    }
    let d = b.build();
    // Item indices follow insertion order, so the rows are in item order.
    let vectors = ItemVectors::from_rows(DIM, &rows).unwrap();
    (d, vectors)
}

fn genre_of(d: &Dataset, item: ItemIdx) -> &str {
    &d.item(item).unwrap().categories[0].value
}

fn fit(d: &Dataset, v: &ItemVectors, algo: Algorithm, pairs: &[&str]) -> Model {
    let params = Params::parse(algo, pairs).unwrap();
    Model::fit_with_vectors(d, &params, Some(v), &mut NoProgress).unwrap()
}

#[test]
fn content_and_hybrid_need_vectors_and_say_so() {
    let (d, _) = catalog();
    for algo in [Algorithm::Content, Algorithm::Hybrid] {
        let err = Model::fit(&d, &Params::defaults(algo), &mut NoProgress).unwrap_err();
        assert!(err.to_string().contains("item vectors"), "{err}");
    }
}

#[test]
fn content_profiles_recommend_the_users_genre_including_the_new_item() {
    let (d, v) = catalog();
    let model = fit(&d, &v, Algorithm::Content, &[]);
    for u in 0..30u32 {
        let genre = GENRES[u as usize % 3];
        let recs = model.recommend_user(u, 10, &Filter::default()).unwrap();
        assert_eq!(recs.len(), 10);
        assert!(
            recs.iter().all(|s| genre_of(&d, s.item) == genre),
            "user {u} ({genre}): {recs:?}"
        );
    }
    // The new item (index 90) has no interactions but is in every Space fan's list.
    let new = d.items().get("new").unwrap();
    let space_fan = 2;
    let recs = model
        .recommend_user(space_fan, 10, &Filter::default())
        .unwrap();
    assert!(recs.iter().any(|s| s.item == new), "{recs:?}");
    // Similar items are the same genre, and explanations add up.
    let similar = model.similar_items(0, 5).unwrap();
    assert!(similar.iter().all(|s| genre_of(&d, s.item) == "Comedy"));
    let user = model.user(0).unwrap();
    let e = model.explain(&user, recs[0].item).unwrap();
    let mut out = [0f32];
    model.score(&user, &[recs[0].item], &mut out).unwrap();
    assert!((e.score - out[0]).abs() < 1e-4, "{e:?} vs {}", out[0]);
}

#[test]
fn hybrid_users_differ_and_similar_histories_overlap() {
    let (d, v) = catalog();
    let model = fit(
        &d,
        &v,
        Algorithm::Hybrid,
        &["cf.factors=8", "cf.iterations=10"],
    );
    let list = |u: u32| -> Vec<ItemIdx> {
        model
            .recommend_user(u, 10, &Filter::default())
            .unwrap()
            .into_iter()
            .map(|s| s.item)
            .collect()
    };
    let (comedy_a, horror) = (list(0), list(1));
    assert_ne!(comedy_a, horror);
    // A newcomer whose history is user 0's but for one item gets much the same list.
    let mut twin_history = model.user(0).unwrap().history;
    twin_history[0].0 = 25;
    let twin = model.fold_in(&twin_history).unwrap();
    let comedy_b: Vec<ItemIdx> = model
        .recommend(&twin, 10, &Filter::default())
        .unwrap()
        .into_iter()
        .map(|s| s.item)
        .collect();
    let overlap = |a: &[ItemIdx], b: &[ItemIdx]| a.iter().filter(|i| b.contains(i)).count();
    assert!(
        overlap(&comedy_a, &comedy_b) >= 6,
        "{comedy_a:?} {comedy_b:?}"
    );
    assert!(overlap(&comedy_a, &horror) <= 2, "{comedy_a:?} {horror:?}");
    // Round trip through bytes.
    let back = Model::from_bytes(&model.to_bytes().unwrap()).unwrap();
    let user = back.user(0).unwrap();
    let again: Vec<ItemIdx> = back
        .recommend(&user, 10, &Filter::default())
        .unwrap()
        .into_iter()
        .map(|s| s.item)
        .collect();
    assert_eq!(again, comedy_a);
}

#[test]
fn cf_weight_moves_the_ranking_and_sources_say_which_signal() {
    let (d, v) = catalog();
    let model = fit(&d, &v, Algorithm::Hybrid, &["cf.factors=8"]);
    let Fitted::Hybrid(hybrid) = model.fitted() else {
        unreachable!()
    };
    // A horror fan who also clicked much comedy: collaborative and content disagree less
    // than the weights do, so the rankings must move with cf_weight.
    let user = model.user(1).unwrap();
    let rank = |blend: Blend| hybrid.rank(&user, 10, &Filter::default(), &blend).unwrap();
    let cf_only = rank(Blend {
        cf_weight: 1.0,
        ..hybrid.blend()
    });
    let content_only = rank(Blend {
        cf_weight: 0.0,
        ..hybrid.blend()
    });
    let half = rank(hybrid.blend());
    assert_eq!(cf_only.1.source, Source::Collaborative);
    assert!(cf_only.0.iter().all(|r| r.source == Source::Collaborative));
    assert_eq!(content_only.1.cf_share, 0.0);
    assert_eq!(content_only.1.source, Source::Content);
    assert!(content_only.0.iter().all(|r| r.content.is_some()));
    assert_eq!(half.1.source, Source::Hybrid);
    let items = |r: &[orrery_models::blend::Ranked]| r.iter().map(|x| x.item).collect::<Vec<_>>();
    assert_ne!(items(&cf_only.0), items(&content_only.0));
    // Each blended score is the documented mix of its normalized parts: with 9
    // interactions and the threshold at 5, the model's trust is r = 9/14, popularity's
    // share weight · (1 − r) + prior · r(1 − r), and the model gets w = cf_weight · r /
    // (cf_weight · r + 1 − cf_weight) of the rest, content the remainder.
    let blend = hybrid.blend();
    let r = 9.0 / 14.0;
    let gamma = blend.popularity_weight * (1.0 - r) + blend.popularity_prior * r * (1.0 - r);
    let odds = blend.cf_weight * r;
    let alpha = (1.0 - gamma) * odds / (odds + 1.0 - blend.cf_weight);
    let plan = half.1;
    assert!((plan.cf_share - alpha).abs() < 1e-6, "{plan:?}");
    assert!((plan.popularity_share - gamma).abs() < 1e-6, "{plan:?}");
    // Popularity counts in full where the item is in the user's closest categories and
    // down to r of it elsewhere.
    for item in &half.0 {
        let (c, t) = (item.collaborative.unwrap(), item.content.unwrap());
        let personal = alpha * c + (1.0 - alpha - gamma) * t;
        let (lo, hi) = (
            personal + gamma * r * item.popularity,
            personal + gamma * item.popularity,
        );
        assert!(
            item.score >= lo - 1e-5 && item.score <= hi + 1e-5,
            "{item:?} outside {lo}..{hi}"
        );
    }
    // use_cf / use_embeddings switch the signals off.
    let no_cf = rank(Blend {
        use_cf: false,
        ..hybrid.blend()
    });
    assert_eq!(no_cf.1.source, Source::Content);
    let no_content = rank(Blend {
        use_embeddings: false,
        ..hybrid.blend()
    });
    assert_eq!(no_content.1.source, Source::Collaborative);
    // Diversity re-ranking keeps the best item and changes the rest of the list.
    let diverse = rank(Blend {
        mmr_lambda: 0.3,
        ..hybrid.blend()
    });
    assert_eq!(diverse.0[0].item, half.0[0].item);
    let genres = |r: &[orrery_models::blend::Ranked]| {
        let mut g: Vec<&str> = r.iter().map(|x| genre_of(&d, x.item)).collect();
        g.sort();
        g.dedup();
        g.len()
    };
    assert!(genres(&diverse.0) >= genres(&half.0));
}

#[test]
fn cold_users_get_their_interests_and_popular_items_of_those_genres() {
    let (d, v) = catalog();
    let model = fit(&d, &v, Algorithm::Hybrid, &["cf.factors=8"]);
    let Fitted::Hybrid(hybrid) = model.fitted() else {
        unreachable!()
    };
    let profile = UserRecord {
        interests: vec!["horror".into()],
        ..UserRecord::with_id("newcomer")
    };
    let user = model.cold_start(&profile, &[]).unwrap();
    let (ranked, plan) = hybrid
        .rank(&user, 10, &Filter::default(), &hybrid.blend())
        .unwrap();
    assert_eq!(plan.source, Source::ColdStart);
    assert!(
        ranked.iter().all(|r| genre_of(&d, r.item) == "Horror"),
        "{ranked:?}"
    );
    // Popular horror items come first: the most liked ones of the genre.
    let best_popularity = ranked[0].popularity;
    assert!(
        ranked
            .iter()
            .all(|r| r.popularity <= best_popularity + 1e-6)
    );
    // One like of a space film, no interests: space films, still cold.
    let user = model.fold_in(&[(65, 5.0)]).unwrap();
    let (ranked, plan) = hybrid
        .rank(&user, 5, &Filter::default(), &hybrid.blend())
        .unwrap();
    assert!(plan.cold);
    assert!(
        ranked
            .iter()
            .all(|r| genre_of(&d, r.item) == "Space" && r.item != 65)
    );
    // Nothing at all: the most popular items.
    let nobody = model.fold_in(&[]).unwrap();
    let (_, plan) = hybrid
        .rank(&nobody, 5, &Filter::default(), &hybrid.blend())
        .unwrap();
    assert_eq!(plan.source, Source::Popularity);
}
