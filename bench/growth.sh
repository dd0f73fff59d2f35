#!/usr/bin/env bash
# Growth: Orrery at MovieLens 20M scale on this machine.
#
# Generates the synthetic dataset (`orrery generate`: 138,000 users, 27,000 items, 20
# million power-law interactions by default), imports it into a fresh SQLite file (or
# PostgreSQL with --postgres), trains implicit ALS from the store and activates it, then
# serves GET /recommendations/{user}?n=10 under wrk. Each step is timed with its peak
# memory (GNU time's maximum resident set size). Writes bench/out/growth.md and growth.json.
#
# Usage: bench/growth.sh [--users N] [--items N] [--interactions N] [--postgres]
#                        [--algo als] [--param K=V ...] [--duration SECONDS]
#                        [--connections N] [--binary PATH] [--pg-admin URL]
set -euo pipefail
cd "$(dirname "$0")/.."

users=138000
items=27000
interactions=20000000
backend=sqlite
algo=als
params=()
duration=20
connections=64
binary=""
pg_admin=postgres://postgres@127.0.0.1:5432/postgres
while [ $# -gt 0 ]; do
  case $1 in
    --users) users=$2; shift 2 ;;
    --items) items=$2; shift 2 ;;
    --interactions) interactions=$2; shift 2 ;;
    --postgres) backend=postgres; shift ;;
    --algo) algo=$2; shift 2 ;;
    --param) params+=("$2"); shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --pg-admin) pg_admin=$2; shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
ensure_wrk

out=bench/out
work=$(mktemp -d)
server_pid=""
pg_db=orrery_bench_growth
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
  [ "$backend" = postgres ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"

orrery=$(orrery_binary "$binary")
case $backend in
  sqlite) url="sqlite://$work/growth.db" ;;
  postgres)
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db"
    url="${pg_admin%/*}/$pg_db" ;;
esac

# Runs a step under GNU time; prints "seconds peak_mb".
timed() {
  local name=$1
  shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" > "$work/$name.out"
  awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/$name.time"
}

echo "== generate $users users × $items items, $interactions interactions"
read -r gen_s gen_mb < <(timed generate "$orrery" generate --users "$users" --items "$items" \
  --interactions "$interactions" --out "$work/data")
cat "$work/generate.out"
size_mb=$(du -m "$work/data/ratings.csv" | cut -f1)

echo "== import into $backend"
read -r import_s import_mb < <(timed import "$orrery" --database-url "$url" import "$work/data" --json)
echo "   ${import_s} s, peak ${import_mb} MB"

echo "== train $algo ${params[*]}"
param_args=()
[ ${#params[@]} -gt 0 ] && param_args=(--param "${params[@]}")
read -r train_s train_mb < <(timed train "$orrery" --database-url "$url" train --algo "$algo" \
  "${param_args[@]}" --activate --validation-ratio 0 --json)
fit_s=$(python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["train_seconds"], 1))' "$work/train.out")
echo "   ${train_s} s in all (fit ${fit_s} s), peak ${train_mb} MB"

echo "== serve: ${duration}s of GET /recommendations/{user}?n=10, $connections connections"
"$orrery" --database-url "$url" serve --bind 127.0.0.1:0 2> "$work/serve.log" &
server_pid=$!
base=$(server_base "$work/serve.log" 600)
embedded=$(wait_embedded "$base")
echo "   $embedded"
curl -fsS "$base/recommendations/1?n=10" > /dev/null
ORRERY_BENCH_USERS=$users wrk -t"$(nproc)" -c"$connections" -d"${duration}s" --timeout 5s \
  -s bench/http/recommend.lua "$base" > "$work/wrk.out"
line=$(sed -n 's/^JSON //p' "$work/wrk.out")
[ -n "$line" ] || { cat "$work/wrk.out" >&2; echo "wrk reported nothing" >&2; exit 1; }
echo "   $line"
server_rss_mb=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")
kill "$server_pid"
wait "$server_pid" 2> /dev/null || true
server_pid=""

cat > "$out/growth.json" <<EOF
{"backend":"$backend","users":$users,"items":$items,"interactions":$interactions,"ratings_csv_mb":$size_mb,
 "generate":{"seconds":$gen_s,"peak_mb":$gen_mb},
 "import":{"seconds":$import_s,"peak_mb":$import_mb},
 "train":{"algo":"$algo","params":"${params[*]}","seconds":$train_s,"fit_seconds":$fit_s,"peak_mb":$train_mb},
 "serve":{"peak_mb":${server_rss_mb:-null},"connections":$connections,"wrk":$line}}
EOF
python3 - "$out/growth.json" > "$out/growth.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = r["interactions"]
w = r["serve"]["wrk"]
def per(seconds):
    return f"{seconds * 1e9 / n:,.0f} ns"
print(f"{r['users']:,} users, {r['items']:,} items, {n:,} interactions "
      f"(ratings.csv {r['ratings_csv_mb']:,} MB), {r['backend']}")
print()
print("| step | time | peak memory | per interaction |")
print("|---|---|---|---|")
print(f"| generate | {r['generate']['seconds']} s | {r['generate']['peak_mb']} MB | {per(r['generate']['seconds'])} |")
print(f"| import | {r['import']['seconds']} s | {r['import']['peak_mb']} MB | {per(r['import']['seconds'])} |")
t = r["train"]
print(f"| train {t['algo']} {t['params']} (load, fit, save) | {t['seconds']} s (fit {t['fit_seconds']} s) | "
      f"{t['peak_mb']} MB | {per(t['seconds'])} |")
serve_mb = r["serve"]["peak_mb"]
print(f"| serve GET /recommendations, {r['serve']['connections']} connections | "
      f"{w['requests'] / w['seconds']:,.0f} req/s, p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, "
      f"{w['errors'] + w['non2xx']} errors | {serve_mb if serve_mb is not None else '?'} MB | |")
PY
cat "$out/growth.md"
