#!/usr/bin/env bash
# Soak: `orrery serve` under steady load while it retrains and swaps models.
#
# For each backend (SQLite; PostgreSQL too with --postgres): a fresh database with
# ml-1m-users-1-2999 imported and an MF model trained and active; then DURATION seconds of
# wrk on GET /recommendations/{user}?n=10 (users 1..2999 in turn, CONNECTIONS connections)
# while, a quarter of the way in, the script asks the server to retrain
# (POST /training/train, not activating), waits for the new version and activates it
# (POST /models/{version}/activate). It prints requests/s, p50/p99 latency and the
# non-2xx responses and socket errors, and fails unless those are zero, the new version was
# served before the load ended, and the server is still healthy afterwards.
# wrk and the server share this machine's cores. Writes bench/out/soak.md and soak.json.
#
# Usage: bench/soak.sh [--duration SECONDS] [--connections N] [--postgres]
#                      [--redis URL] [--binary PATH] [--data PATH-TO-shared/data]
#                      [--pg-admin URL]
#   --redis URL     serve with the Redis list cache (e.g. redis://127.0.0.1:6379)
#   --binary PATH   this orrery instead of building the release one (to check the script)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=60
connections=64
backends=sqlite
redis=""
binary=""
data=${ORRERY_SHARED_DATA:-../shared/data}
pg_admin=postgres://postgres@127.0.0.1:5432/postgres
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --postgres) backends=sqlite,postgres; shift ;;
    --redis) redis=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --pg-admin) pg_admin=$2; shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
ensure_wrk

out=bench/out
work=$(mktemp -d)
server_pid=""
wrk_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2> /dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

orrery=$(orrery_binary "$binary")
pg_db=orrery_bench_soak
threads=$(nproc)
results=()
failed=0
cache_args=()
[ -n "$redis" ] && cache_args=(--redis-url "$redis" --redis-prefix "orrery-soak-$$")

# One field of a JSON document read from stdin (a dotted path; empty when absent).
field() {
  python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$1"
}

for backend in ${backends//,/ }; do
  case $backend in
    sqlite) url="sqlite://$work/soak.db" ;;
    postgres)
      psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
      url="${pg_admin%/*}/$pg_db" ;;
  esac
  echo "== $backend: import and train"
  "$orrery" --database-url "$url" import "$data/ml-1m-users-1-2999" --json > /dev/null
  "$orrery" --database-url "$url" train --algo mf --activate --validation-ratio 0 --json > /dev/null

  "$orrery" --database-url "$url" serve --bind 127.0.0.1:0 "${cache_args[@]}" 2> "$work/serve.log" &
  server_pid=$!
  base=$(server_base "$work/serve.log")
  embedded=$(wait_embedded "$base")
  echo "   $embedded"
  first=$(curl -fsS "$base/health" | field active_model.version)
  curl -fsS "$base/recommendations/1?n=10" > /dev/null

  echo "-- $backend: ${duration}s of GET /recommendations/{user}?n=10, $connections connections," \
    "$threads wrk threads; retrain and activate during the run"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 5s \
    -s bench/http/recommend.lua "$base" > "$work/wrk.out" &
  wrk_pid=$!
  started=$(date +%s)
  sleep $((duration / 4))

  # Retrain without activating, then activate: two swaps' worth of work under load.
  curl -fsS -X POST "$base/training/train" -H 'Content-Type: application/json' \
    -d '{"algorithm": "mf", "activate": false}' > "$work/train.json"
  run_id=$(field run_id < "$work/train.json")
  version=""
  while [ $(($(date +%s) - started)) -lt "$duration" ]; do
    status=$(curl -fsS "$base/training/status")
    if [ "$(field last.run_id <<< "$status")" = "$run_id" ]; then
      [ "$(field last.status <<< "$status")" = succeeded ] \
        || { echo "   training failed: $status" >&2; failed=1; }
      version=$(field last.version <<< "$status")
      break
    fi
    sleep 0.5
  done
  trained_after=$(($(date +%s) - started))
  activated_after=""
  if [ -n "$version" ]; then
    curl -fsS -X POST "$base/models/$version/activate" > /dev/null
    activated_after=$(($(date +%s) - started))
    echo "   trained version $version after ${trained_after}s, activated after ${activated_after}s"
  else
    echo "   the retraining (run $run_id) did not finish within the run" >&2
    failed=1
  fi

  wait "$wrk_pid"
  wrk_pid=""
  line=$(sed -n 's/^JSON //p' "$work/wrk.out")
  [ -n "$line" ] || { cat "$work/wrk.out" >&2; echo "wrk reported nothing" >&2; exit 1; }
  health=$(curl -fsS "$base/health")
  served=$(field active_model.version <<< "$health")
  echo "   $line"
  echo "   served version $first before, $served after; health: $(field status <<< "$health")"
  errors=$(python3 -c 'import json, sys; w = json.loads(sys.argv[1]); print(w["errors"] + w["non2xx"])' "$line")
  if [ "$errors" != 0 ]; then
    echo "   $errors requests failed (non-2xx or socket errors)" >&2
    failed=1
  fi
  if [ -z "$version" ] || [ "$served" != "$version" ]; then
    echo "   the server does not serve the new version $version (serves $served)" >&2
    failed=1
  fi
  results+=("{\"backend\":\"$backend\",\"cache\":$([ -n "$redis" ] && echo true || echo false),\"connections\":$connections,\"from_version\":${first:-null},\"to_version\":${version:-null},\"trained_after_s\":$trained_after,\"activated_after_s\":${activated_after:-null},\"wrk\":$line}")

  kill "$server_pid"
  wait "$server_pid" 2> /dev/null || true
  server_pid=""
  [ "$backend" = postgres ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)"
done

printf '[%s]\n' "$(IFS=,; echo "${results[*]}")" > "$out/soak.json"
python3 - "$out/soak.json" > "$out/soak.md" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print("| backend | cache | seconds | connections | requests/s | p50 | p99 | max | non-2xx + socket errors | model swap |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    w = r["wrk"]
    swap = (f"v{r['from_version']} → v{r['to_version']}: trained at {r['trained_after_s']} s, "
            f"active at {r['activated_after_s']} s") if r["to_version"] else "none"
    print(f"| {r['backend']} | {'Redis' if r['cache'] else 'none'} | {w['seconds']:.0f} | "
          f"{r['connections']} | {w['requests'] / w['seconds']:,.0f} | {w['p50_ms']:.2f} ms | "
          f"{w['p99_ms']:.2f} ms | {w['max_ms']:.0f} ms | {w['errors'] + w['non2xx']} | {swap} |")
PY
cat "$out/soak.md"
exit "$failed"
