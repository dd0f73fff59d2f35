#!/usr/bin/env bash
# The content vector index (orrery-content's VectorIndex: usearch HNSW, exact SIMD scan as the
# reference) on clustered 384-d vectors: build time, memory, median query time and recall@10,
# unfiltered and with a one-in-ten category filter.
#
# Usage: bench/embed_index.sh [--threads 2] [--items 100000] [--queries 1000] [--ef 64]
# Writes bench/out/embed_index.json.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 args=()
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --items|--queries|--ef|--centres) args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
mkdir -p bench/out
cargo build --release -p orrery-content --example index_bench
RAYON_NUM_THREADS=$threads target/release/examples/index_bench "${args[@]}" | tee bench/out/embed_index.json
