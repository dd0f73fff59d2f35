"""The metrics every peer is measured with, defined as Orrery defines them.

Full-catalog ranking (`topn_metrics`), for a train/test split:
- the catalog is every item of the training file; each user's list is the K catalog items
  with the highest scores, the user's training items excluded (ties: lower catalog index first,
  the catalog being sorted by item id as text);
- a test row is relevant when its value is >= `threshold` (explicit ratings: 4) or always
  (threshold None: implicit data such as play counts);
- users are those of the training file with at least one relevant test row; relevant items
  the model cannot know (absent from training) stay in the denominators;
- precision = hits / K; recall = hits / |relevant|; ndcg = sum over hits of 1/log2(rank+1),
  divided by the same sum for min(|relevant|, K) hits at the top; hr = 1 if any hit;
  map = sum over hits of (hits so far / rank), divided by min(|relevant|, K); mrr = 1/rank of
  the first hit (0 without one); each averaged over users. coverage = distinct recommended
  items / catalog size.

Leave-last-out (`loo_metrics`), the NCF protocol: the held-out item is ranked among its 99
negatives; its rank counts every negative scored higher or equal (ties count against the model,
as in the NCF paper's evaluation code); HR@K = rank < K, NDCG@K = 1/log2(rank + 2) if hit.

Rating errors (`rating_errors`): RMSE and MAE over every test row.
"""

import numpy as np
import scipy.sparse as sp


def rating_errors(truth, estimate):
    error = np.asarray(estimate, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return {"rmse": float(np.sqrt(np.mean(error**2))), "mae": float(np.mean(np.abs(error)))}


class Split:
    """A train/test split indexed for full-catalog ranking: users and items of the training
    file get dense indices (sorted as text), the training matrix is users x items."""

    def __init__(self, train, test, threshold):
        self.users = sorted(set(train.users))
        self.items = sorted(set(train.items))
        self.user_index = {u: n for n, u in enumerate(self.users)}
        self.item_index = {i: n for n, i in enumerate(self.items)}
        rows = [self.user_index[u] for u in train.users]
        cols = [self.item_index[i] for i in train.items]
        shape = (len(self.users), len(self.items))
        self.train = sp.csr_matrix((np.asarray(train.values, dtype=np.float32), (rows, cols)), shape=shape)
        self.train.sum_duplicates()

        relevant_count = np.zeros(len(self.users), dtype=np.int64)
        rel_rows, rel_cols = [], []
        for u, i, v in zip(test.users, test.items, test.values):
            if u in self.user_index and (threshold is None or v >= threshold):
                relevant_count[self.user_index[u]] += 1
                if i in self.item_index:
                    rel_rows.append(self.user_index[u])
                    rel_cols.append(self.item_index[i])
        self.relevant = sp.csr_matrix((np.ones(len(rel_rows), dtype=bool), (rel_rows, rel_cols)), shape=shape)
        self.relevant_count = relevant_count
        self.evaluated = np.flatnonzero(relevant_count > 0)


def topn_metrics(split, score_batch, k=10, batch=256):
    """Rank the whole catalog for every evaluated user. `score_batch(user_indices)` returns a
    (len(user_indices), n_items) array of scores in the split's item order."""
    sums = dict.fromkeys(["precision", "recall", "ndcg", "hr", "map", "mrr"], 0.0)
    recommended = np.zeros(len(split.items), dtype=bool)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for start in range(0, len(split.evaluated), batch):
        users = split.evaluated[start : start + batch]
        scores = np.array(score_batch(users), dtype=np.float64, copy=True)
        seen = split.train[users]
        scores[np.repeat(np.arange(len(users)), np.diff(seen.indptr)), seen.indices] = -np.inf
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        recommended[top.ravel()] = True

        hits = np.take_along_axis(split.relevant[users].toarray(), top, axis=1)
        n_relevant = split.relevant_count[users]
        n_hits = hits.sum(axis=1)
        ideal = np.array([discounts[: min(n, k)].sum() for n in n_relevant])
        ranks = np.arange(1, k + 1)
        first = np.where(n_hits > 0, hits.argmax(axis=1) + 1, np.inf)
        sums["precision"] += np.sum(n_hits / k)
        sums["recall"] += np.sum(n_hits / n_relevant)
        sums["ndcg"] += np.sum((hits * discounts).sum(axis=1) / ideal)
        sums["hr"] += np.sum(n_hits > 0)
        sums["map"] += np.sum(
            (hits * np.cumsum(hits, axis=1) / ranks).sum(axis=1) / np.minimum(n_relevant, k)
        )
        sums["mrr"] += np.sum(1.0 / first)
    n = len(split.evaluated)
    metrics = {f"{name}@{k}": float(total / n) for name, total in sums.items()}
    metrics[f"coverage@{k}"] = float(recommended.sum() / len(split.items))
    metrics["users"] = int(n)
    return metrics


def read_loo(folder, name):
    """The NCF files: training rows (user, item, value) as int/float arrays, and per user the
    test item and its negatives, as arrays indexed like the file's lines."""
    train = np.loadtxt(f"{folder}/{name}.train.rating", dtype=np.float64, delimiter="\t", ndmin=2)
    users, positives, negatives = [], [], []
    with open(f"{folder}/{name}.test.negative", encoding="utf-8") as f:
        for line in f:
            head, *rest = line.split("\t")
            u, i = head.strip("()").split(",")
            users.append(int(u))
            positives.append(int(i))
            negatives.append([int(x) for x in rest])
    return (
        train[:, 0].astype(np.int64),
        train[:, 1].astype(np.int64),
        train[:, 2],
        np.array(users),
        np.array(positives),
        np.array(negatives),
    )


def loo_metrics(users, positives, negatives, score_pairs, k=10):
    """`score_pairs(users, items)` scores each user against each row of an items matrix."""
    candidates = np.column_stack([positives, negatives])
    scores = np.asarray(score_pairs(users, candidates), dtype=np.float64)
    rank = (scores[:, 1:] >= scores[:, :1]).sum(axis=1)
    hit = rank < k
    return {
        f"hr@{k}": float(hit.mean()),
        f"ndcg@{k}": float(np.where(hit, 1.0 / np.log2(rank + 2), 0.0).mean()),
        "users": int(len(users)),
    }
