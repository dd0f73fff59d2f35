#!/usr/bin/env bash
# The neural recommenders on the NCF protocol: the leave-last-out files of
# ml-1m-users-1-2999 with 99 sampled negatives per user (bench/peers/make_splits.py, the
# same files as bench/models.sh), beside ALS and EASE on those files. Prints HR@10,
# NDCG@10, fit seconds, seconds per epoch and peak memory per algorithm (release build; the
# networks train on one thread of their own, ALS and EASE on RAYON_NUM_THREADS), and writes
# bench/out/neural.md and neural.jsonl.
#
# Seconds per epoch are the fit's seconds over its epochs: they include the per-epoch
# validation HR@10 (500 users) and the setup, so they slightly overstate an epoch.
#
# Usage: bench/neural.sh [--data PATH-TO-shared/data] [--threads N]
#                        [--algos ncf,neumf,gmf,als,ease] [--param KEY=VALUE]…
set -euo pipefail
cd "$(dirname "$0")/.."

data=${ORRERY_SHARED_DATA:-../shared/data}
threads=2
algos=ncf,neumf,gmf,als,ease
params=()
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --algos) algos=$2; shift 2 ;;
    --param) params+=(--param "$2"); shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
export RAYON_NUM_THREADS=$threads

out=bench/out
splits=$out/splits
mkdir -p "$out"
python3 -c 'import numpy' 2> /dev/null || python3 -m pip install -q --disable-pip-version-check numpy
echo "== split files ($splits)"
python3 bench/peers/make_splits.py "$data" "$splits"
loo=$splits/ml-1m-users-1-2999/loo

cargo build --release -p orrery --locked
orrery=$PWD/target/release/orrery
runs=$out/neural.jsonl
: > "$runs"
for algo in ${algos//,/ }; do
  extra=()
  case $algo in ncf | neumf | gmf) extra=("${params[@]}") ;; esac
  echo "-- $algo ${extra[*]}"
  "$orrery" eval --data "$loo" --protocol loo --algo "$algo" "${extra[@]}" --json | tee -a "$runs"
done

python3 - "$runs" > "$out/neural.md" <<'PY'
import json, sys
print("| algorithm | HR@10 | NDCG@10 | fit | s/epoch | peak memory |")
print("|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    m, p = r["metrics"], r.get("params", {})
    # Pre-training (NeuMF's `pretrain`) adds that many GMF and MLP epochs.
    epochs = p.get("epochs") and float(p["epochs"]) + 2 * float(p.get("pretrain", 0))
    per_epoch = f"{r['fit_seconds'] / epochs:.1f} s" if epochs and r["algo"] in ("ncf", "neumf", "gmf") else "—"
    print(f"| {r['algo']} | {m['hr@10']:.3f} | {m['ndcg@10']:.3f} | {r['fit_seconds']:.1f} s | "
          f"{per_epoch} | {r['peak_rss_mb']:.0f} MB |")
PY
cat "$out/neural.md"
