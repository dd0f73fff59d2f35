#!/usr/bin/env bash
# CI for the clients: installs the generators, regenerates the clients and fails when they
# differ from what is committed, then runs both examples against `orrery demo`.
set -euo pipefail
cd "$(dirname "$0")"
bin=${ORRERY_BIN:-$PWD/../target/debug/orrery}
export ORRERY_BIN=$bin

scratch=$(mktemp -d)
demo=
cleanup() {
  if [ -n "$demo" ]; then kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q --disable-pip-version-check openapi-python-client==0.29.1
(cd typescript && npm ci --no-audit --no-fund --silent)

OPENAPI_PYTHON_CLIENT="$scratch/venv/bin/openapi-python-client" bash generate.sh
if [ -n "$(git status --porcelain -- .)" ]; then
  git status --short -- .
  git diff --stat -- .
  echo "the clients differ from what /openapi.json generates: run clients/generate.sh and commit" >&2
  exit 1
fi

"$scratch/venv/bin/pip" install -q --disable-pip-version-check ./python
"$bin" --database-url "sqlite://$scratch/demo.db" demo --bind 127.0.0.1:0 \
  > "$scratch/demo.out" 2> "$scratch/demo.err" &
demo=$!
base=
for _ in $(seq 1 600); do
  base=$(sed -n 's/^orrery serving on \(http:[^ ]*\).*/\1/p' "$scratch/demo.err" | head -1)
  [ -n "$base" ] && break
  sleep 0.5
done
[ -n "$base" ] || { cat "$scratch/demo.out" "$scratch/demo.err"; echo "the demo did not serve" >&2; exit 1; }

echo "== Python example"
"$scratch/venv/bin/python" python/example.py "$base" 1 2 3
echo "== TypeScript example"
(cd typescript && npx --no-install tsc -p . && node dist/example.js "$base" 1 2 3)
