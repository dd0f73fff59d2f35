#!/usr/bin/env bash
# Import and load figures for one million ratings, on SQLite and on PostgreSQL.
#
# The million ratings are real ML-1M rows: the 487,650 ratings of
# ml-1m-users-1-2999, again with user ids shifted by 3000, and the first 24,700 once
# more shifted by 6000. Writes bench/out/import.md and bench/out/import.json.
#
# Usage: bench/import.sh [PATH-TO-shared/data] [POSTGRES-ADMIN-URL]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-${ORRERY_SHARED_DATA:-../shared/data}}
pg_admin=${2:-postgres://postgres@127.0.0.1:5432/postgres}
src="$data/ml-1m-users-1-2999"
out=bench/out
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/ml-1m-1m"

cargo build --release -p orrery
orrery=target/release/orrery

cp "$src/movies.dat" "$src/users.dat" "$work/ml-1m-1m/"
{
  cat "$src/ratings.dat"
  awk -F'::' '{ print $1+3000 "::" $2 "::" $3 "::" $4 }' "$src/ratings.dat"
  head -n 24700 "$src/ratings.dat" | awk -F'::' '{ print $1+6000 "::" $2 "::" $3 "::" $4 }'
} > "$work/ml-1m-1m/ratings.dat"
echo "ratings: $(wc -l < "$work/ml-1m-1m/ratings.dat")"

pg_db=orrery_bench
pg_url="${pg_admin%/*}/$pg_db"
psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"

results=()
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then url="sqlite://$work/bench.db"; else url="$pg_url"; fi
  first=$("$orrery" --database-url "$url" import "$work/ml-1m-1m" --json)
  again=$("$orrery" --database-url "$url" import "$work/ml-1m-1m" --json)
  load=$("$orrery" --database-url "$url" bench load)
  stats=$("$orrery" --database-url "$url" stats --json)
  results+=("{\"backend\":\"$backend\",\"import\":$first,\"reimport\":$again,\"load\":$load,\"stats\":$stats}")
done
psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db"

printf '[%s]\n' "$(IFS=,; echo "${results[*]}")" > "$out/import.json"
python3 - "$out/import.json" > "$out/import.md" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print("| backend | import 1M ratings | re-import (all duplicates) | load into Dataset | Dataset size | peak RSS (load) |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['backend']} | {r['import']['seconds']:.1f} s | {r['reimport']['seconds']:.1f} s "
          f"({r['reimport']['interactions_inserted']} added) | {r['load']['seconds']:.2f} s | "
          f"{r['load']['dataset_mb']:.0f} MB | {r['load']['peak_rss_mb']:.0f} MB |")
PY
cat "$out/import.md"
