#!/usr/bin/env bash
# The content vector index (orrery-content's VectorIndex: usearch HNSW, exact SIMD scan as the
# reference) on clustered 384-d vectors: build time, memory, median query time and recall@10,
# unfiltered and with category filters admitting one item in three and one in ten.
#
# Usage: bench/embed_index.sh [--threads 2] [--items 100000] [--queries 1000] [--ef 64]
#                             [--connectivity 16] [--precision f32|f16|i8]
# Writes bench/out/embed_index.json.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 args=()
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --items|--queries|--ef|--centres|--connectivity|--precision) args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
mkdir -p bench/out
cargo build --release -p orrery-content --example index_bench
RAYON_NUM_THREADS=$threads target/release/examples/index_bench "${args[@]}" | tee bench/out/embed_index.json
