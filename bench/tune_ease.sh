#!/usr/bin/env bash
# Picks EASE's lambda and recency weighting for leave-last-out on ml-1m-users-1-2999 without
# looking at the test split: every setting is measured on a validation split carved from
# the NCF training file (each user's latest training interaction against 99 sampled
# negatives), and the best HR@10 wins. bench/models.sh then runs that setting on the test
# split.
#
# Usage: bench/tune_ease.sh [--data PATH-TO-shared/data]
#   (the split files come from bench/models.sh's first steps: bench/out/splits)
set -euo pipefail
cd "$(dirname "$0")/.."

data=${ORRERY_SHARED_DATA:-../shared/data}
while [ $# -gt 0 ]; do
  case $1 in
    --data) data=$2; shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

out=bench/out
train=$out/splits/ml-1m-users-1-2999/loo/ml1m.train.rating
if [ ! -f "$train" ]; then
  echo "== split files ($out/splits)"
  python3 -m pip install --quiet --disable-pip-version-check "numpy==2.4.6"
  python3 bench/peers/make_splits.py "$data" "$out/splits"
fi
cargo build --release -p orrery --locked
orrery=target/release/orrery

results=$out/tune_ease.tsv
printf 'lambda\thalf_life\tfloor\thr@10\tndcg@10\n' > "$results"
for lambda in 500 1000 1600 2500; do
  for half_life in 0 2 5 10 20; do
    for floor in 0 0.05 0.2; do
      # Without recency the floor changes nothing: one run is enough.
      [ "$half_life" = 0 ] && [ "$floor" != 0 ] && continue
      line=$("$orrery" eval --data "$train" --protocol loo --algo ease --seed 42 --k 10 --json \
        --param lambda=$lambda --param recency_half_life=$half_life --param recency_floor=$floor |
        python3 -c 'import json, sys; m = json.load(sys.stdin)["metrics"]; print("%.4f\t%.4f" % (m["hr@10"], m["ndcg@10"]))')
      printf '%s\t%s\t%s\t%s\n' "$lambda" "$half_life" "$floor" "$line" | tee -a "$results"
    done
  done
done
echo "== best on the validation split (by HR@10)"
tail -n +2 "$results" | sort -t$'\t' -k4,4gr | head -n 1
