//! The vector index on clustered synthetic embeddings (topic centres plus noise, as real
//! text embeddings are; isotropic random vectors have no neighbourhoods): HNSW recall
//! against exact search, filters honoured during search, and add/replace/remove.

use std::collections::HashSet;

use orrery_content::{Error, IndexOptions, Neighbor, Precision, SearchMode, VectorIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const DIM: usize = 384;

/// `n` unit vectors around `centres` random topic centres, row-major.
fn clustered(n: usize, centres: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    let mut centre_rng = ChaCha8Rng::seed_from_u64(7);
    let centre_vecs: Vec<Vec<f32>> = (0..centres)
        .map(|_| unit((0..DIM).map(|_| normal.sample(&mut centre_rng)).collect()))
        .collect();
    let noise = Normal::new(0.0f32, 0.6 / (DIM as f32).sqrt()).unwrap();
    let mut out = Vec::with_capacity(n * DIM);
    for _ in 0..n {
        let c = &centre_vecs[rng.random_range(0..centres)];
        out.extend(unit(c.iter().map(|x| x + noise.sample(&mut rng)).collect()));
    }
    out
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

fn graph_options() -> IndexOptions {
    IndexOptions {
        exact_threshold: 500,
        ..IndexOptions::default()
    }
}

fn keys_of(found: &[Neighbor]) -> Vec<u64> {
    found.iter().map(|n| n.key).collect()
}

fn recall(approx: &[Neighbor], exact: &[Neighbor]) -> f64 {
    let truth: HashSet<u64> = exact.iter().map(|n| n.key).collect();
    approx.iter().filter(|n| truth.contains(&n.key)).count() as f64 / exact.len().max(1) as f64
}

#[test]
fn hnsw_recall_at_10_is_at_least_095_on_clustered_vectors() {
    let n = 4000;
    let vectors = clustered(n, 80, 1);
    let keys: Vec<u64> = (0..n as u64).map(|i| i * 3 + 11).collect();
    let index = VectorIndex::build(DIM, graph_options(), &keys, &vectors).unwrap();
    assert_eq!(index.mode(), SearchMode::Hnsw);
    assert_eq!(index.len(), n);

    let queries = clustered(200, 80, 2);
    let mut total = 0.0;
    for q in queries.chunks(DIM) {
        let approx = index.search(q, 10).unwrap();
        let exact = index.search_exact(q, 10, |_| true).unwrap();
        assert_eq!(approx.len(), 10);
        assert!(approx.windows(2).all(|w| w[0].score >= w[1].score - 1e-6));
        total += recall(&approx, &exact);
    }
    let mean = total / 200.0;
    assert!(mean >= 0.95, "recall@10 = {mean}");
}

#[test]
fn exact_search_matches_a_naive_scan_and_batches_agree() {
    let n = 1500;
    let vectors = clustered(n, 30, 3);
    let keys: Vec<u64> = (0..n as u64).collect();
    let index = VectorIndex::build(DIM, IndexOptions::default(), &keys, &vectors).unwrap();
    assert_eq!(index.mode(), SearchMode::Exact);
    let queries = clustered(9, 30, 4);
    let batched = index
        .search_exact_batch(&queries, 5, |k| k % 2 == 0)
        .unwrap();
    for (q, from_batch) in queries.chunks(DIM).zip(&batched) {
        let mut naive: Vec<(u64, f32)> = vectors
            .chunks(DIM)
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(i, v)| (i as u64, v.iter().zip(q).map(|(a, b)| a * b).sum()))
            .collect();
        naive.sort_by(|a, b| b.1.total_cmp(&a.1));
        let single = index.search_filtered(q, 5, |k| k % 2 == 0).unwrap();
        assert_eq!(
            keys_of(&single),
            naive[..5].iter().map(|p| p.0).collect::<Vec<_>>()
        );
        for (got, want) in single.iter().zip(&naive) {
            assert!((got.score - want.1).abs() < 1e-4);
        }
        assert_eq!(keys_of(from_batch), keys_of(&single));
    }
}

#[test]
fn filters_are_applied_during_search_in_both_modes() {
    let n = 3000;
    let vectors = clustered(n, 40, 5);
    let keys: Vec<u64> = (0..n as u64).collect();
    let graph_walks_every_filter = IndexOptions {
        selective_filter: 0.0,
        ..graph_options()
    };
    for options in [
        IndexOptions::default(),
        graph_options(),
        graph_walks_every_filter,
    ] {
        let index = VectorIndex::build(DIM, options, &keys, &vectors).unwrap();
        let queries = clustered(50, 40, 6);
        let mut total = 0.0;
        for q in queries.chunks(DIM) {
            // A "category": one key in seven.
            let found = index.search_filtered(q, 10, |k| k % 7 == 3).unwrap();
            assert_eq!(found.len(), 10);
            assert!(
                found.iter().all(|n| n.key % 7 == 3),
                "{:?}",
                keys_of(&found)
            );
            let exact = index.search_exact(q, 10, |k| k % 7 == 3).unwrap();
            total += recall(&found, &exact);

            // "Exclude seen": the unfiltered top 10 are seen, the next ones must come back.
            let seen: HashSet<u64> = keys_of(&index.search(q, 10).unwrap()).into_iter().collect();
            let fresh = index
                .search_filtered(q, 10, |k| !seen.contains(&k))
                .unwrap();
            assert_eq!(fresh.len(), 10);
            assert!(fresh.iter().all(|n| !seen.contains(&n.key)));
        }
        assert!(
            total / 50.0 >= 0.9,
            "{:?}: filtered recall {}",
            index.mode(),
            total / 50.0
        );

        // A filter that lets five items through still yields all five.
        let few: HashSet<u64> = [5, 905, 1805, 2205, 2999].into_iter().collect();
        let found = index
            .search_filtered(&queries[..DIM], 10, |k| few.contains(&k))
            .unwrap();
        let mut got = keys_of(&found);
        got.sort_unstable();
        assert_eq!(got, vec![5, 905, 1805, 2205, 2999], "{:?}", index.mode());
    }
}

#[test]
fn selective_filters_are_answered_by_the_exact_scan_and_broad_ones_by_the_graph() {
    let n = 3000;
    let vectors = clustered(n, 40, 7);
    let keys: Vec<u64> = (0..n as u64).collect();
    let index = VectorIndex::build(DIM, graph_options(), &keys, &vectors).unwrap();
    assert_eq!(index.mode(), SearchMode::Hnsw);
    let queries = clustered(30, 40, 8);
    let mut broad_recall = 0.0;
    for q in queries.chunks(DIM) {
        // One key in twenty: below the 20 % share, so the exact scan answers, exactly.
        let narrow = |k: u64| k % 20 == 7;
        let found = index.search_filtered(q, 10, narrow).unwrap();
        let exact = index.search_exact(q, 10, narrow).unwrap();
        assert_eq!(keys_of(&found), keys_of(&exact));
        for (a, b) in found.iter().zip(&exact) {
            assert!((a.score - b.score).abs() < 1e-6);
        }
        // One key in two goes through the graph and keeps its recall.
        let broad = |k: u64| k.is_multiple_of(2);
        let found = index.search_filtered(q, 10, broad).unwrap();
        assert!(found.iter().all(|n| n.key % 2 == 0));
        broad_recall += recall(&found, &index.search_exact(q, 10, broad).unwrap());
    }
    assert!(broad_recall / 30.0 >= 0.9, "recall {}", broad_recall / 30.0);
}

#[test]
fn a_neighbourhood_full_of_excluded_items_still_yields_the_nearest_allowed_ones() {
    // A heavy user: the 300 items nearest their profile are all seen, so the graph's
    // first walk around the query finds few allowed items and has to look further.
    let n = 3000;
    let vectors = clustered(n, 40, 11);
    let keys: Vec<u64> = (0..n as u64).collect();
    let index = VectorIndex::build(DIM, graph_options(), &keys, &vectors).unwrap();
    assert_eq!(index.mode(), SearchMode::Hnsw);
    let queries = clustered(20, 40, 12);
    let mut total = 0.0;
    for q in queries.chunks(DIM) {
        let seen: HashSet<u64> = keys_of(&index.search_exact(q, 300, |_| true).unwrap())
            .into_iter()
            .collect();
        let fresh = |k: u64| !seen.contains(&k);
        let found = index.search_filtered(q, 10, fresh).unwrap();
        assert_eq!(found.len(), 10);
        assert!(found.iter().all(|n| fresh(n.key)));
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
        total += recall(&found, &index.search_exact(q, 10, fresh).unwrap());
    }
    assert!(total / 20.0 >= 0.9, "recall {}", total / 20.0);
}

#[test]
fn narrower_graph_precisions_return_exact_cosines_and_f16_keeps_recall() {
    let n = 4000;
    let vectors = clustered(n, 80, 9);
    let keys: Vec<u64> = (0..n as u64).collect();
    let queries = clustered(50, 80, 10);
    // Bytes cost recall on vectors this close together (0.87 here, as in the benchmark);
    // half floats do not.
    for (precision, min_recall) in [(Precision::F16, 0.95), (Precision::I8, 0.8)] {
        let options = IndexOptions {
            precision,
            ..graph_options()
        };
        let index = VectorIndex::build(DIM, options, &keys, &vectors).unwrap();
        let mut total = 0.0;
        for q in queries.chunks(DIM) {
            let found = index.search(q, 10).unwrap();
            // Scores are cosines whatever the graph stores.
            for n in &found {
                let row = index.get(n.key).unwrap();
                let exact: f32 = row.iter().zip(&unit(q.to_vec())).map(|(a, b)| a * b).sum();
                assert!(
                    (n.score - exact).abs() < 1e-5,
                    "{precision:?}: {} vs {exact}",
                    n.score
                );
            }
            total += recall(&found, &index.search_exact(q, 10, |_| true).unwrap());
        }
        assert!(
            total / 50.0 >= min_recall,
            "{precision:?}: recall {}",
            total / 50.0
        );
    }
}

#[test]
fn add_replace_and_remove_items() {
    for options in [IndexOptions::default(), graph_options()] {
        let n = 1200;
        let vectors = clustered(n, 20, 8);
        let keys: Vec<u64> = (1000..1000 + n as u64).collect();
        let mut index = VectorIndex::build(DIM, options, &keys, &vectors).unwrap();
        let mode = index.mode();
        let probe = clustered(1, 20, 9);

        // A new item placed exactly on the probe becomes its nearest neighbour.
        index
            .upsert(7, &probe.iter().map(|x| x * 3.0).collect::<Vec<_>>())
            .unwrap();
        assert_eq!(index.len(), n + 1);
        let top = index.search(&probe, 1).unwrap();
        assert_eq!(top[0].key, 7, "{mode:?}");
        assert!(
            (top[0].score - 1.0).abs() < 1e-4,
            "vectors are normalized on the way in"
        );

        // Moving it elsewhere: it is found at the new place, not the old.
        let elsewhere = clustered(1, 20, 10);
        index.upsert(7, &elsewhere).unwrap();
        assert_eq!(index.len(), n + 1);
        assert_eq!(index.search(&elsewhere, 1).unwrap()[0].key, 7);
        assert!(!keys_of(&index.search(&probe, 5).unwrap()).contains(&7) || probe == elsewhere);

        // Removing: never returned again, other items still found.
        assert!(index.remove(7).unwrap());
        assert!(!index.remove(7).unwrap());
        assert!(!index.contains(7));
        assert!(!keys_of(&index.search(&elsewhere, 20).unwrap()).contains(&7));
        let victim = keys[17];
        assert!(index.remove(victim).unwrap());
        let own = &vectors[17 * DIM..18 * DIM];
        assert!(!keys_of(&index.search(own, 10).unwrap()).contains(&victim));
        // The item moved into the freed slot is intact.
        let last = keys[n - 1];
        let last_vec = &vectors[(n - 1) * DIM..n * DIM];
        assert_eq!(index.search(last_vec, 1).unwrap()[0].key, last);
        assert_eq!(index.len(), n - 1);

        // similar_to excludes the item itself.
        let similar = index.similar_to(last, 5, |_| true).unwrap().unwrap();
        assert_eq!(similar.len(), 5);
        assert!(!keys_of(&similar).contains(&last));
        assert!(index.similar_to(123_456, 5, |_| true).unwrap().is_none());
    }
}

#[test]
fn the_graph_appears_above_the_threshold_and_goes_well_below_it() {
    let options = IndexOptions {
        exact_threshold: 100,
        ..IndexOptions::default()
    };
    let vectors = clustered(150, 10, 11);
    let mut index = VectorIndex::new(DIM, options);
    for (i, v) in vectors.chunks(DIM).enumerate() {
        index.upsert(i as u64, v).unwrap();
        let want = if i + 1 > 100 {
            SearchMode::Hnsw
        } else {
            SearchMode::Exact
        };
        assert_eq!(index.mode(), want, "after {} items", i + 1);
    }
    for i in 0..100 {
        index.remove(i).unwrap();
    }
    assert_eq!(index.mode(), SearchMode::Exact);
    assert_eq!(index.len(), 50);
    let top = index.search(&vectors[120 * DIM..121 * DIM], 1).unwrap();
    assert_eq!(top[0].key, 120);
}

#[test]
fn bad_vectors_are_rejected_with_the_reason() {
    let mut index = VectorIndex::new(4, IndexOptions::default());
    assert!(matches!(
        index.upsert(1, &[1.0, 2.0]),
        Err(Error::Dimension {
            item: 1,
            expected: 4,
            found: 2
        })
    ));
    assert!(matches!(
        index.upsert(2, &[0.0; 4]),
        Err(Error::BadVector { item: 2, .. })
    ));
    let err = index.upsert(3, &[1.0, f32::NAN, 0.0, 0.0]).unwrap_err();
    assert!(err.to_string().contains("NaN"), "{err}");
    assert!(matches!(
        index.search(&[1.0; 3], 1),
        Err(Error::QueryDimension { .. })
    ));
    assert!(index.search(&[1.0; 4], 3).unwrap().is_empty());
    index.upsert(4, &[0.0, 0.0, 2.0, 0.0]).unwrap();
    assert!(!index.is_empty() && index.get(4) == Some(&[0.0, 0.0, 1.0, 0.0][..]));
    assert!(matches!(
        index.search(&[0.0; 4], 1),
        Err(Error::BadQuery(_))
    ));
}

#[test]
fn batches_build_the_graph_once_grow_it_and_reject_bad_rows_whole() {
    let n = 1200;
    let vectors = clustered(n, 40, 9);
    let keys: Vec<u64> = (0..n as u64).collect();
    let mut index = VectorIndex::new(DIM, graph_options());
    // Below the threshold: flat rows only.
    index
        .upsert_batch(&keys[..400], &vectors[..400 * DIM])
        .unwrap();
    assert_eq!(index.mode(), SearchMode::Exact);
    // One batch carries it past the threshold; the next grows the graph.
    index
        .upsert_batch(&keys[400..900], &vectors[400 * DIM..900 * DIM])
        .unwrap();
    assert_eq!(index.mode(), SearchMode::Hnsw);
    index
        .upsert_batch(&keys[900..], &vectors[900 * DIM..])
        .unwrap();
    assert_eq!(index.len(), n);

    // Replacing rows moves them: key 5 takes key 1000's vector and is found by it.
    let moved = vectors[1000 * DIM..1001 * DIM].to_vec();
    index.upsert_batch(&[5], &moved).unwrap();
    assert_eq!(index.len(), n);
    let found = index.search(&moved, 2).unwrap();
    let mut top: Vec<u64> = keys_of(&found);
    top.sort();
    assert_eq!(top, [5, 1000]);

    // The graph matches exact search as a whole-batch-built one does.
    let queries = clustered(100, 40, 10);
    let mean = queries
        .chunks(DIM)
        .map(|q| {
            let approx = index.search(q, 10).unwrap();
            recall(&approx, &index.search_exact(q, 10, |_| true).unwrap())
        })
        .sum::<f64>()
        / 100.0;
    assert!(mean >= 0.95, "recall@10 = {mean}");

    // A batch with one bad row stores none of its rows.
    let mut bad = vectors[..2 * DIM].to_vec();
    bad[DIM + 3] = f32::NAN;
    let err = index.upsert_batch(&[5000, 5001], &bad).unwrap_err();
    assert!(matches!(err, Error::BadVector { item: 5001, .. }), "{err}");
    assert!(!index.contains(5000) && !index.contains(5001));
    assert_eq!(index.len(), n);
}
