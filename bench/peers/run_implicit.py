"""implicit's ALS and BPR (and a popularity reference) for top-N, printing one JSON line per
algorithm.

    python run_implicit.py --train TRAIN --test TEST [--threshold 4|none] [--weights log1p]
    python run_implicit.py --loo DIR --name ml1m

Holdout: full-catalog metrics of metrics.py. --loo: the NCF files, HR@10 and NDCG@10 of each
user's held-out item against its 99 negatives.

Weights (--weights): every interaction weighs 1 (binary, the default), its value in the file
(values), or ln(1 + value) (log1p: Orrery's default weight of a play count).
Confidence: Orrery's ALS (after Hu, Koren and Volinsky) gives an observed cell confidence
1 + alpha*w; implicit instead multiplies the matrix it is given by alpha and uses that as the
confidence, so a 0/1 matrix with alpha = 1 means confidence 1, no more than an unobserved
cell. With --confidence hkv (the default) implicit is given 1 + alpha*w and alpha = 1, the same
model Orrery fits; --confidence raw gives it w and alpha unchanged (implicit's own convention).

BLAS runs on one thread (implicit's advice); implicit's own threads are --threads (2, as Orrery).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from implicit.cpu.als import AlternatingLeastSquares  # noqa: E402
from implicit.cpu.bpr import BayesianPersonalizedRanking  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from data import dataset_name, read_split_file  # noqa: E402
from metrics import Split, loo_metrics, read_loo, topn_metrics  # noqa: E402

WEIGHTS = {"binary": np.ones_like, "values": np.asarray, "log1p": np.log1p}


def fit(name, weights, args):
    """Fit one algorithm on a users x items weight matrix: (params, scores(users, items), seconds)."""
    if name == "popularity":
        started = time.perf_counter()
        counts = np.asarray((weights > 0).sum(axis=0)).ravel().astype(np.float64)
        seconds = time.perf_counter() - started

        def by_count(users, items):
            return counts[items] if items.ndim == 2 else np.tile(counts[items], (len(users), 1))

        return {"by": "count"}, by_count, seconds
    if name == "als":
        params = {
            "factors": args.factors,
            "iterations": args.iterations,
            "regularization": args.reg,
            "alpha": args.alpha,
            "confidence": args.confidence,
        }
        if args.confidence == "hkv":
            matrix = weights.copy()
            matrix.data = 1.0 + args.alpha * matrix.data
            alpha = 1.0
        else:
            matrix, alpha = weights, args.alpha
        model = AlternatingLeastSquares(
            factors=args.factors,
            iterations=args.iterations,
            regularization=args.reg,
            alpha=alpha,
            num_threads=args.threads,
            random_state=args.seed,
        )
    elif name == "bpr":
        params = {
            "factors": args.factors,
            "iterations": args.bpr_iterations,
            "learning_rate": args.bpr_lr,
            "regularization": args.reg,
        }
        matrix = weights.copy()
        matrix.data[:] = 1.0
        model = BayesianPersonalizedRanking(
            factors=args.factors,
            iterations=args.bpr_iterations,
            learning_rate=args.bpr_lr,
            regularization=args.reg,
            num_threads=args.threads,
            random_state=args.seed,
        )
    else:
        raise ValueError(f"unknown algorithm {name!r}; known: als, bpr, popularity")
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    started = time.perf_counter()
    model.fit(matrix, show_progress=False)
    seconds = time.perf_counter() - started
    users, items = model.user_factors, model.item_factors

    def scores(user_ix, item_ix):
        if item_ix.ndim == 1:
            return users[user_ix] @ items[item_ix].T
        return np.einsum("uf,unf->un", users[user_ix], items[item_ix])

    return params, scores, seconds


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train")
    parser.add_argument("--test")
    parser.add_argument("--loo", metavar="DIR", help="folder of the NCF files")
    parser.add_argument("--name", default="ml1m", help="NCF file prefix in --loo DIR")
    parser.add_argument("--dataset", help="name in the report (default: from the path)")
    parser.add_argument("--algos", default="als,bpr,popularity")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threshold", default="4", help="test values >= this are relevant, or 'none'")
    parser.add_argument("--weights", choices=list(WEIGHTS), default="binary")
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15, help="ALS sweeps")
    parser.add_argument("--reg", type=float, default=0.01)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--confidence", choices=["hkv", "raw"], default="hkv")
    parser.add_argument("--bpr-iterations", type=int, default=100)
    parser.add_argument("--bpr-lr", type=float, default=0.01)
    args = parser.parse_args()
    if not args.loo and not (args.train and args.test):
        parser.error("give --train and --test, or --loo DIR")

    if args.loo:
        users, items, values, test_users, positives, negatives = read_loo(args.loo, args.name)
        shape = (users.max() + 1, max(items.max(), positives.max(), negatives.max()) + 1)
        weights = sp.csr_matrix((WEIGHTS[args.weights](values), (users, items)), shape=shape)
        dataset, protocol = args.dataset or dataset_name(os.path.join(args.loo, "x")), "loo"
    else:
        threshold = None if args.threshold == "none" else float(args.threshold)
        split = Split(read_split_file(args.train), read_split_file(args.test), threshold)
        weights = split.train.copy()
        weights.data = WEIGHTS[args.weights](weights.data).astype(np.float32)
        dataset, protocol = args.dataset or dataset_name(args.train), "holdout"

    with threadpool_limits(limits=1, user_api="blas"):
        for name in args.algos.split(","):
            params, scores, seconds = fit(name, weights, args)
            peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if args.loo:
                metrics = loo_metrics(test_users, positives, negatives, scores, k=args.k)
            else:
                every_item = np.arange(len(split.items))
                metrics = topn_metrics(split, lambda u: scores(u, every_item), k=args.k)
            print(
                json.dumps(
                    {
                        "library": "reference" if name == "popularity" else "implicit",
                        "dataset": dataset,
                        "algo": name,
                        "params": {**params, "weights": args.weights, "seed": args.seed},
                        "protocol": protocol,
                        "threads": 1 if name == "popularity" else args.threads,
                        "metrics": metrics,
                        "fit_seconds": round(seconds, 3),
                        "peak_rss_mb": round(peak_rss_mb, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
