"""The benchmark's results: tag Orrery's output, then render everything as JSON and markdown.

    python report.py tag --library orrery --dataset NAME --threads N < eval.json >> runs.jsonl
    python report.py tag --library L --dataset NAME --threads N --algo A --protocol P --error MSG
    python report.py render runs.jsonl models.json models.md

Every line of runs.jsonl is one fit: {library, dataset, algo, params, protocol, threads,
metrics, fit_seconds, peak_rss_mb} (or {library, dataset, algo, protocol, error}). The markdown
has a table per dataset and protocol; the ML-100K folds u1..u5 are also averaged into one.
Orrery's rows carry the ratio to their peer: fit time (below 1: Orrery is faster) and the main
metric (RMSE where both predict ratings, below 1 is better; else NDCG@10, above 1 is better).
"""

import argparse
import json
import re
import sys

# Orrery algorithm -> (library, algorithm) of its peer.
PEERS = {
    "mf": ("surprise", "SVD"),
    "svdpp": ("surprise", "SVDpp"),
    "nmf": ("surprise", "NMF"),
    "baseline": ("surprise", "BaselineOnly"),
    "itemknn": ("surprise", "KNNBaseline"),
    "als": ("implicit", "als"),
    "bpr": ("implicit", "bpr"),
    "popularity": ("reference", "popularity"),
}
COLUMNS = {
    "rmse": "RMSE",
    "mae": "MAE",
    "precision@10": "P@10",
    "recall@10": "R@10",
    "ndcg@10": "NDCG@10",
    "hr@10": "HR@10",
    "map@10": "MAP@10",
    "coverage@10": "cov@10",
}
ORDER = ["baseline", "mf", "svdpp", "nmf", "itemknn", "als", "bpr", "ease", "popularity"]
LIBRARY_ORDER = {"orrery": 0, "surprise": 1, "implicit": 2, "reference": 3}


def tag(args):
    if args.error:
        result = {"algo": args.algo, "protocol": args.protocol, "error": args.error}
    else:
        result = json.load(sys.stdin)
    result.update(library=args.library, dataset=args.dataset, threads=args.threads)
    if args.label:
        result["label"] = args.label
    print(json.dumps(result))


def mean_over_folds(results):
    """ML-100K's u1..u5 rows averaged per (library, algo, protocol)."""
    groups = {}
    for r in results:
        match = re.fullmatch(r"(.+)/u[1-5]", r["dataset"])
        if match and "error" not in r:
            groups.setdefault((match[1], r["library"], r["algo"], r["protocol"]), []).append(r)
    means = []
    for (dataset, library, algo, protocol), rows in groups.items():
        if len(rows) < 2:
            continue
        names = set.intersection(*(set(r["metrics"]) for r in rows))
        means.append(
            {
                "library": library,
                "dataset": f"{dataset}/u1-u5 mean of {len(rows)} folds",
                "algo": algo,
                "protocol": protocol,
                "threads": rows[0].get("threads"),
                "params": rows[0].get("params", {}),
                "metrics": {m: sum(r["metrics"][m] for r in rows) / len(rows) for m in names},
                "fit_seconds": sum(r["fit_seconds"] for r in rows) / len(rows),
                "peak_rss_mb": max(r.get("peak_rss_mb") or 0 for r in rows),
            }
        )
    return means


def ratios(row, rows):
    """(fit ratio, 'metric ratio') of an Orrery row against its peer in the same table."""
    peer = PEERS.get(row["algo"])
    if row["library"] != "orrery" or peer is None or "error" in row or "label" in row:
        return "", ""
    match = [r for r in rows if (r["library"], r["algo"]) == peer and "error" not in r]
    if not match:
        return "", ""
    other = match[0]
    fit = f"{row['fit_seconds'] / other['fit_seconds']:.2f}" if other["fit_seconds"] > 0 else ""
    for metric in ("rmse", "ndcg@10", "hr@10"):
        if metric in row["metrics"] and metric in other["metrics"] and other["metrics"][metric]:
            return fit, f"{row['metrics'][metric] / other['metrics'][metric]:.3f} ({metric})"
    return fit, ""


def table(rows):
    def place(r):
        algo = (
            r["algo"]
            if r["library"] == "orrery"
            else next((a for a, p in PEERS.items() if p == (r["library"], r["algo"])), r["algo"])
        )
        return ORDER.index(algo) if algo in ORDER else len(ORDER), LIBRARY_ORDER.get(r["library"], 9)

    rows = sorted(rows, key=place)
    present = [c for c in COLUMNS if any(c in r.get("metrics", {}) for r in rows)]
    head = [
        "library",
        "algorithm",
        "fit s",
        *(COLUMNS[c] for c in present),
        "peak MB",
        "threads",
        "fit Orrery/peer",
        "metric Orrery/peer",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        if "error" in r:
            cells = [r["library"], r.get("label", r["algo"]), f"failed: {r['error']}"]
            cells += [""] * (len(head) - 3)
        else:
            fit, metric = ratios(r, rows)
            values = [f"{r['metrics'][c]:.4f}" if c in r["metrics"] else "" for c in present]
            rss = r.get("peak_rss_mb")
            cells = [
                r["library"],
                r.get("label", r["algo"]),
                f"{r['fit_seconds']:.2f}",
                *values,
                f"{rss:.0f}" if rss else "",
                str(r.get("threads", "")),
                fit,
                metric,
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(args):
    with open(args.runs, encoding="utf-8") as f:
        results = [json.loads(line) for line in f if line.strip()]
    results += mean_over_folds(results)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    sections = {}
    for r in results:
        # `orrery eval --train --test` names its protocol `given`: the peers' `holdout` on
        # the same split files.
        protocol = "holdout" if r["protocol"] == "given" else r["protocol"]
        sections.setdefault((r["dataset"], protocol), []).append(r)
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(
            "# Orrery against Surprise and implicit\n\n"
            "Same split files; fit time of `fit` alone; top-N over the full catalog with training "
            "items excluded (relevant: rating >= 4; on Last.fm every held-out artist); `loo`: the "
            "held-out item among 99 sampled negatives. Ratios: fit below 1 means Orrery is faster; "
            "RMSE below 1 and NDCG/HR above 1 mean Orrery is more accurate.\n"
        )
        for (dataset, protocol), rows in sections.items():
            f.write(f"\n## {dataset} ({protocol})\n\n{table(rows)}\n")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    tagging = commands.add_parser("tag", help="label one `orrery eval --json` object from stdin")
    tagging.add_argument("--library", default="orrery")
    tagging.add_argument("--dataset", required=True)
    tagging.add_argument("--threads", type=int, required=True)
    tagging.add_argument("--error", help="record a failed run with this message instead")
    tagging.add_argument("--algo")
    tagging.add_argument("--protocol")
    tagging.add_argument("--label", help="the algorithm column's text, when not the algorithm's name")
    rendering = commands.add_parser("render", help="write models.json and models.md")
    rendering.add_argument("runs")
    rendering.add_argument("json")
    rendering.add_argument("markdown")
    args = parser.parse_args()
    tag(args) if args.command == "tag" else render(args)


if __name__ == "__main__":
    main()
