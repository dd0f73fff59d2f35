#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with schemathesis: a real `orrery serve`
# over MovieLens 100K in a temporary SQLite file, a popularity model trained, and a bounded
# number of generated requests per operation (positive and negative data). The run fails on
# any 5xx, on a status, content type or body that the document does not describe, and on
# a response slower than 10 s.
#
#   bash tests/fuzz/schemathesis.sh                 # reuses target/debug/orrery, else builds it
#   ORRERY_FUZZ_EXAMPLES=200 bash tests/fuzz/schemathesis.sh
#
# Bounded: about 90 s on 2 cores with the defaults (ORRERY_FUZZ_EXAMPLES=25 per
# operation, ORRERY_FUZZ_MAX_TIME=75 s for the schemathesis run).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${ORRERY_FUZZ_EXAMPLES:-25}
MAX_TIME=${ORRERY_FUZZ_MAX_TIME:-75}
SEED=${ORRERY_FUZZ_SEED:-20261127}

# The `st` of the interpreter that pip installs into (a pyenv shim may not exist yet).
ST="$(python3 -c 'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "st"))')"
if ! "$ST" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

BIN=${ORRERY_BIN:-target/debug/orrery}
[ -x "$BIN" ] || cargo build -q -p orrery
DATA=${ORRERY_SHARED_DATA:-../shared/data}
[ -d "$DATA/ml-100k" ] || DATA=/work/shared/data
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

export ORRERY_DATABASE_URL="sqlite://$WORK/orrery.db"
unset DATABASE_URL ORRERY_API_KEY ORRERY_JWT_SECRET
"$BIN" import "$DATA/ml-100k" >/dev/null
"$BIN" train --algo popularity --validation-ratio 0 >/dev/null
"$BIN" serve --bind 127.0.0.1:0 --registry-poll 0 --pipeline-out "$WORK/pipeline" \
  2>"$WORK/server.log" &
SERVER_PID=$!
BASE=
for _ in $(seq 1 100); do
  BASE=$(sed -n 's/^orrery serving on \(http[^ ]*\).*/\1/p' "$WORK/server.log")
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "the server did not start"; cat "$WORK/server.log"; exit 1; }
echo "fuzzing $BASE/openapi.json: $EXAMPLES examples per operation, at most ${MAX_TIME}s, seed $SEED"

started=$(date +%s)
status=0
# From the work folder, so that schemathesis' own files (.schemathesis/) stay out of the tree.
(cd "$WORK" && "$ST" --config-file "$ROOT/tests/fuzz/schemathesis.toml" run "$BASE/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "$EXAMPLES" \
  --max-time "$MAX_TIME" \
  --seed "$SEED" \
  --workers 2 \
  --request-timeout 30 \
  --max-response-time 10 \
  --generation-database none \
  --no-color \
  --report junit --report-dir "$WORK/report") || status=$?
echo "schemathesis: exit $status after $(( $(date +%s) - started ))s"
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines)"
  tail -n 40 "$WORK/server.log"
fi
exit "$status"
