#!/usr/bin/env bash
# HTTP throughput and latency of `orrery serve` over loopback, with wrk.
#
# For each backend (SQLite, then PostgreSQL): a fresh database with ml-1m-users-1-2999
# imported and a model (MF unless --algo says otherwise; with `--algo ncf` the network
# re-ranks the hybrid's candidates) trained by `orrery train` and active; then
#   1. GET /recommendations/{user}?n=10 for users 1..2999 in turn, 64 connections;
#   2. POST /recommendations/feedback with random users, movies and kinds, 64 connections
#      (every request stores a new event and folds it into the user's representation).
# wrk and the server share this machine's cores. Writes bench/out/http.md and http.json.
#
# Each measured run follows an unmeasured warm-up of --warmup seconds (default 5).
#
# Usage: bench/http.sh [--duration SECONDS] [--warmup SECONDS] [--connections N]
#                      [--backends sqlite,postgres]
#                      [--scenarios recommend,feedback] [--algo NAME] [--param KEY=VALUE]…
#                      [--data PATH-TO-shared/data] [--pg-admin URL] [--binary PATH]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=20
warmup=5
connections=64
backends=sqlite,postgres
scenarios=recommend,feedback
algo=mf
params=()
data=${ORRERY_SHARED_DATA:-../shared/data}
pg_admin=postgres://postgres@127.0.0.1:5432/postgres
binary=""
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --algo) algo=$2; shift 2 ;;
    --param) params+=(--param "$2"); shift 2 ;;
    --data) data=$2; shift 2 ;;
    --pg-admin) pg_admin=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
ensure_wrk

out=bench/out
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

orrery=$(orrery_binary "$binary")
pg_db=orrery_bench_http
threads=$(nproc)
results=()
# The movies that exist, for feedback on real items.
LC_ALL=C sed 's/::.*//' "$data/ml-1m-users-1-2999/movies.dat" > "$work/items.txt"
export ORRERY_BENCH_ITEMS=$work/items.txt

for backend in ${backends//,/ }; do
  case $backend in
    sqlite) url="sqlite://$work/http.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
      url="${pg_admin%/*}/$pg_db" ;;
    *) echo "unknown backend $backend (sqlite, postgres)" >&2; exit 2 ;;
  esac
  echo "== $backend: import and train"
  "$orrery" --database-url "$url" import "$data/ml-1m-users-1-2999" --json > /dev/null
  "$orrery" --database-url "$url" train --algo "$algo" "${params[@]}" --activate \
    --validation-ratio 0 --json > "$work/train.json"

  "$orrery" --database-url "$url" serve --bind 127.0.0.1:0 2> "$work/serve.log" &
  server_pid=$!
  base=$(server_base "$work/serve.log")
  embedded=$(wait_embedded "$base")
  echo "   $embedded"
  curl -fsS "$base/recommendations/1?n=10" > /dev/null

  for scenario in ${scenarios//,/ }; do
    echo "-- $backend $scenario: ${duration}s, $connections connections, $threads wrk threads"
    # An unmeasured run first, so that the figures are the steady state: every user's
    # history read from the store once, the allocator and the caches warm.
    wrk -t"$threads" -c"$connections" -d"${warmup}s" --timeout 5s \
      -s "bench/http/$scenario.lua" "$base" > /dev/null
    line=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
      -s "bench/http/$scenario.lua" "$base" | sed -n 's/^JSON //p')
    echo "   $line"
    results+=("{\"backend\":\"$backend\",\"algo\":\"$algo\",\"scenario\":\"$scenario\",\"connections\":$connections,\"wrk\":$line}")
  done
  kill "$server_pid"
  wait "$server_pid" 2> /dev/null || true
  server_pid=""
  [ "$backend" = postgres ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
done

printf '[%s]\n' "$(IFS=,; echo "${results[*]}")" > "$out/http.json"
python3 - "$out/http.json" > "$out/http.md" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print("| backend | model | route | connections | requests/s | p50 | p90 | p99 | failed |")
print("|---|---|---|---|---|---|---|---|---|")
route = {"recommend": "GET /recommendations/{user}?n=10", "feedback": "POST /recommendations/feedback"}
for r in rows:
    w = r["wrk"]
    print(f"| {r['backend']} | {r['algo']} | `{route[r['scenario']]}` | {r['connections']} | "
          f"{w['requests'] / w['seconds']:,.0f} | {w['p50_ms']:.2f} ms | {w['p90_ms']:.2f} ms | "
          f"{w['p99_ms']:.2f} ms | {w['errors'] + w['non2xx']} |")
PY
cat "$out/http.md"
