"""Surprise's rating models on a train/test split, with default parameters (as in Surprise's
own benchmark), printing one JSON line per algorithm.

    python run_surprise.py --train TRAIN.tsv --test TEST.tsv [--algos SVD,SVDpp,...] [--seed 42]

fit_seconds times `fit` alone; RMSE and MAE are Surprise's own predictions (clipped to the
rating scale, as `algo.test` does). For the top-N metrics of metrics.py every catalog item is
scored from the fitted parameters with numpy (Surprise's per-pair `predict` would take hours);
a sample of those scores is checked against Surprise's `estimate` before they are used.
Surprise is single-threaded.
"""

import argparse
import json
import random
import resource
import time

import numpy as np
from surprise import NMF, SVD, BaselineOnly, Dataset, KNNBaseline, Reader, SVDpp

from data import dataset_name, read_split_file
from metrics import Split, rating_errors, topn_metrics

ALGORITHMS = {
    "SVD": SVD,
    "SVDpp": SVDpp,
    "NMF": NMF,
    "BaselineOnly": BaselineOnly,
    "KNNBaseline": KNNBaseline,
}


def full_catalog_scorer(algo, trainset, split):
    """A function scoring split users against every catalog item, as `algo.estimate` would."""
    uid = np.array([trainset.to_inner_uid(u) for u in split.users])
    iid = np.array([trainset.to_inner_iid(i) for i in split.items])
    mu = trainset.global_mean

    def biases(users):
        return mu + algo.bu[uid[users]][:, None] + algo.bi[iid][None, :]

    def factors(users):
        if not isinstance(algo, SVDpp):
            return algo.pu[uid[users]]
        # SVD++ adds |N(u)|^-1/2 times the sum of the implicit factors of the items u rated.
        rated = [[j for j, _ in trainset.ur[u]] for u in uid[users]]
        return algo.pu[uid[users]] + np.array([algo.yj[r].sum(axis=0) / np.sqrt(len(r)) for r in rated])

    if isinstance(algo, (SVD, SVDpp, NMF)):
        biased = isinstance(algo, SVDpp) or algo.biased

        def dot(users):
            products = factors(users) @ algo.qi[iid].T
            return biases(users) + products if biased else products

        return dot
    if isinstance(algo, BaselineOnly):
        return biases
    if isinstance(algo, KNNBaseline):
        return knn_baseline_scorer(algo, trainset, uid, iid, biases)
    raise ValueError(f"no full-catalog scorer for {type(algo).__name__}")


def knn_baseline_scorer(algo, trainset, uid, iid, biases):
    """KNNBaseline (user-based, Surprise's default): baseline plus the similarity-weighted mean
    residual of the k most similar users who rated the item, where Surprise's `heapq.nlargest`
    keeps the earlier raters among equal similarities."""
    if not algo.sim_options.get("user_based", True):
        raise ValueError("the full-catalog scorer covers user-based KNNBaseline only")
    mu, k = trainset.global_mean, algo.k
    raters, residuals = [], []
    for j in iid:
        who = np.array([v for v, _ in trainset.ir[j]])
        raters.append(who)
        residuals.append(np.array([r for _, r in trainset.ir[j]]) - mu - algo.bu[who] - algo.bi[j])

    def scores(users):
        out = biases(users)
        for column, (who, residual) in enumerate(zip(raters, residuals)):
            sim = algo.sim[np.ix_(uid[users], who)]
            chosen = np.ones(sim.shape, dtype=bool)
            if len(who) > k:
                kth = np.partition(sim, len(who) - k, axis=1)[:, len(who) - k][:, None]
                ties = sim == kth
                room = k - (sim > kth).sum(axis=1, keepdims=True)
                chosen = (sim > kth) | (ties & (np.cumsum(ties, axis=1) <= room))
            weights = np.where(chosen & (sim > 0), sim, 0.0)
            total = weights.sum(axis=1)
            enough = ((weights > 0).sum(axis=1) >= algo.min_k) & (total > 0)
            out[:, column] += np.where(enough, weights @ residual / np.where(total > 0, total, 1.0), 0.0)
        return out

    return scores


def check_scorer(algo, trainset, split, scorer, seed, users=20, items=10):
    """Compare a sample of the vectorized scores with Surprise's own `estimate`."""
    rng = np.random.default_rng(seed)
    sample_users = rng.choice(len(split.users), size=users, replace=False)
    ours = scorer(sample_users)
    worst = 0.0
    for row, u in enumerate(sample_users):
        for i in rng.choice(len(split.items), size=items, replace=False):
            est = algo.estimate(trainset.to_inner_uid(split.users[u]), trainset.to_inner_iid(split.items[i]))
            worst = max(worst, abs(ours[row, i] - (est[0] if isinstance(est, tuple) else est)))
    if worst > 1e-6:
        raise RuntimeError(f"full-catalog scores differ from Surprise's estimate by {worst:g}")


def rating_scale(path):
    """The lowest and highest rating in a split file (1-5 for ML-1M, 0.5-5 for later releases)."""
    with open(path, encoding="utf-8") as f:
        values = [float(line.split("\t")[2]) for line in f]
    return min(values), max(values)


def run(name, train_path, test_path, seed, k, threshold, dataset):
    random.seed(seed)
    np.random.seed(seed)
    reader = Reader(line_format="user item rating timestamp", sep="\t", rating_scale=rating_scale(train_path))
    trainset = Dataset.load_from_file(train_path, reader).build_full_trainset()
    options = {"random_state": seed} if name in ("SVD", "SVDpp", "NMF") else {}
    if name in ("BaselineOnly", "KNNBaseline"):
        options["verbose"] = False
    algo = ALGORITHMS[name](**options)

    started = time.perf_counter()
    algo.fit(trainset)
    fit_seconds = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    train, test = read_split_file(train_path), read_split_file(test_path)
    predictions = algo.test(list(zip(test.users, test.items, test.values)))
    metrics = rating_errors([p.r_ui for p in predictions], [p.est for p in predictions])
    split = Split(train, test, threshold)
    scorer = full_catalog_scorer(algo, trainset, split)
    check_scorer(algo, trainset, split, scorer, seed)
    metrics.update(topn_metrics(split, scorer, k=k))
    return {
        "library": "surprise",
        "dataset": dataset,
        "algo": name,
        "params": {key: v for key, v in options.items() if key != "verbose"},
        "protocol": "holdout",
        "threads": 1,
        "metrics": metrics,
        "fit_seconds": round(fit_seconds, 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--algos", default=",".join(ALGORITHMS))
    parser.add_argument("--dataset", help="name in the report (default: from the train path)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threshold", type=float, default=4.0, help="test ratings >= this are relevant")
    args = parser.parse_args()
    for name in args.algos.split(","):
        if name not in ALGORITHMS:
            parser.error(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}")
        result = run(
            name,
            args.train,
            args.test,
            args.seed,
            args.k,
            args.threshold,
            args.dataset or dataset_name(args.train),
        )
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
