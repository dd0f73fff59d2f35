#!/usr/bin/env bash
# Orrery's models against Surprise and implicit, on identical split files, in one run.
#
# 1. a Python venv in bench/out/venv with the pinned peers (bench/peers/requirements.txt);
# 2. the split files in bench/out/splits (bench/peers/make_splits.py);
# 3. Orrery in release;
# 4. every peer and every Orrery algorithm on each split, one process per fit;
# 5. bench/out/models.json and bench/out/models.md (bench/peers/report.py).
#
# Usage: bench/models.sh [--threads N] [--data PATH-TO-shared/data]
#                        [--datasets ml-1m,ml-1m-loo,ml-100k,ml-latest-small,lastfm]
#                        [--folds u1,u2,u3,u4,u5] [--no-orrery]
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2
data=${ORRERY_SHARED_DATA:-../shared/data}
datasets=ml-1m,ml-1m-loo,ml-100k,ml-latest-small,lastfm
folds=u1,u2,u3,u4,u5
with_orrery=1
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --datasets) datasets=$2; shift 2 ;;
    --folds) folds=$2; shift 2 ;;
    --no-orrery) with_orrery=0; shift ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

out=bench/out
splits=$out/splits
py=$out/venv/bin/python
runs=$out/models.jsonl
log=$out/models.log
peers=bench/peers
# The same thread count everywhere: implicit's own threads and Orrery's rayon pool; BLAS on one.
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 RAYON_NUM_THREADS=$threads
mkdir -p "$out"
: > "$runs"
: > "$log"

echo "== Python venv with the peers ($out/venv)"
[ -x "$py" ] || python3 -m venv "$out/venv"
"$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  echo "note: the pins of $peers/requirements.txt were checked with CPython 3.11; this is $("$py" -V)" >&2
"$py" -m pip install --quiet --disable-pip-version-check -r "$peers/requirements.txt"
if "$py" -m pip show torch > /dev/null 2>&1; then
  echo "torch is installed in $out/venv; the benchmark must run without it: remove the venv" >&2
  exit 1
fi

echo "== split files ($splits)"
"$py" "$peers/make_splits.py" "$data" "$splits"

orrery=""
if [ "$with_orrery" = 1 ]; then
  echo "== Orrery (release)"
  if ! cargo build --release -p orrery --locked; then
    echo "skipping Orrery: the release build failed (above); the peers run alone" >&2
  elif ! target/release/orrery eval --help > /dev/null 2>&1; then
    echo "skipping Orrery: this build has no \`orrery eval\` command yet; the peers run alone" >&2
  else
    orrery=target/release/orrery
  fi
fi

# run LIBRARY DATASET PROTOCOL ALGO COMMAND...: one fit; its JSON line goes to $runs, and a
# failure is recorded with the last line of its error output. ALGO may carry a label after a
# colon (`ease:ease, recency`) for a second row of one algorithm with other parameters.
run() {
  local library=$1 dataset=$2 protocol=$3 algo=${4%%:*} label=${4#*:} result
  [ "$label" = "$4" ] && label=""
  shift 4
  echo "-- $library ${label:-$algo} on $dataset ($protocol)"
  if result=$("$@" 2>> "$log"); then
    if [ "$library" = orrery ]; then
      printf '%s\n' "$result" | "$py" "$peers/report.py" tag --dataset "$dataset" --threads "$threads" \
        ${label:+--label "$label"} >> "$runs"
    else
      printf '%s\n' "$result" >> "$runs"
    fi
  else
    local why
    why=$(tail -n 1 "$log")
    echo "   failed: $why" >&2
    "$py" "$peers/report.py" tag --library "$library" --dataset "$dataset" --threads "$threads" \
      --algo "$algo" --protocol "$protocol" --error "$why" ${label:+--label "$label"} >> "$runs"
  fi
}

# Orrery's parameters where they must match the peer's: ALS as implicit's (64 factors,
# 15 sweeps, reg 0.01, alpha 1), on 0/1 weights for ratings and ln(1 + plays) for Last.fm.
orrery_params() {
  case $1 in
    als) echo "--param factors=64 --param iterations=15 --param reg=0.01 --param alpha=1 --param binary=$2" ;;
    bpr) echo "--param factors=64" ;;
  esac
}

# holdout DATASET TRAIN TEST SURPRISE(0|1) IMPLICIT-OPTIONS ORRERY-ALGOS BINARY
holdout() {
  local dataset=$1 train=$2 test=$3 surprise=$4 implicit_options=$5 algos=$6 binary=$7 algo
  if [ "$surprise" = 1 ]; then
    for algo in BaselineOnly SVD SVDpp NMF KNNBaseline; do
      run surprise "$dataset" holdout "$algo" "$py" "$peers/run_surprise.py" \
        --train "$train" --test "$test" --dataset "$dataset" --algos "$algo"
    done
  fi
  for algo in als bpr popularity; do
    # shellcheck disable=SC2086 # the options are words
    run implicit "$dataset" holdout "$algo" "$py" "$peers/run_implicit.py" --train "$train" --test "$test" \
      --dataset "$dataset" --threads "$threads" --algos "$algo" $implicit_options
  done
  [ -n "$orrery" ] || return 0
  for algo in $algos; do
    # shellcheck disable=SC2046
    run orrery "$dataset" holdout "$algo" "$orrery" eval --train "$train" --test "$test" --algo "$algo" \
      $(orrery_params "$algo" "$binary") --seed 42 --k 10 --protocol holdout --json
  done
}

rating_algos="baseline mf svdpp nmf itemknn als bpr ease popularity"
ease_recency="--param lambda=1600 --param recency_half_life=5 --param recency_floor=0.05"
ml1m=$splits/ml-1m-users-1-2999
for name in ${datasets//,/ }; do
  case $name in
    ml-1m)
      holdout ml-1m-users-1-2999/holdout "$ml1m/holdout/train.tsv" "$ml1m/holdout/test.tsv" 1 "" "$rating_algos" true ;;
    ml-1m-loo)
      for algo in als bpr popularity; do
        run implicit ml-1m-users-1-2999/loo loo "$algo" "$py" "$peers/run_implicit.py" --loo "$ml1m/loo" \
          --name ml1m --dataset ml-1m-users-1-2999/loo --threads "$threads" --algos "$algo"
      done
      if [ -n "$orrery" ]; then
        for algo in popularity mf als bpr itemknn ease; do
          # shellcheck disable=SC2046
          run orrery ml-1m-users-1-2999/loo loo "$algo" "$orrery" eval --data "$ml1m/loo" --algo "$algo" \
            $(orrery_params "$algo" true) --seed 42 --k 10 --protocol loo --json
        done
        # EASE weighing each user's latest interactions most, with the parameters
        # bench/tune_ease.sh picks on a validation split carved from the training file.
        run orrery ml-1m-users-1-2999/loo loo "ease:ease, recency-weighted" "$orrery" eval --data "$ml1m/loo" \
          --algo ease $ease_recency --seed 42 --k 10 --protocol loo --json
      fi ;;
    ml-100k)
      for fold in ${folds//,/ }; do
        holdout "ml-100k/$fold" "$splits/ml-100k/$fold/train.tsv" "$splits/ml-100k/$fold/test.tsv" 1 "" "$rating_algos" true
      done ;;
    ml-latest-small)
      holdout ml-latest-small/holdout "$splits/ml-latest-small/holdout/train.tsv" \
        "$splits/ml-latest-small/holdout/test.tsv" 1 "" "$rating_algos" true ;;
    lastfm)
      holdout hetrec2011-lastfm-2k/holdout "$splits/hetrec2011-lastfm-2k/holdout/train.csv" \
        "$splits/hetrec2011-lastfm-2k/holdout/test.csv" 0 "--threshold none --weights log1p" \
        "als bpr ease itemknn popularity" false ;;
    *) echo "unknown dataset $name (ml-1m, ml-1m-loo, ml-100k, ml-latest-small, lastfm)" >&2; exit 2 ;;
  esac
done

"$py" "$peers/report.py" render "$runs" "$out/models.json" "$out/models.md"
cat "$out/models.md"
echo
echo "wrote $out/models.json and $out/models.md (error output of the runs: $log)"
