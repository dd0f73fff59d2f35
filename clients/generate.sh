#!/usr/bin/env bash
# Regenerates the typed clients from the OpenAPI document of a server built from this
# checkout: openapi.json, the Python package (openapi-python-client) and the TypeScript
# types (openapi-typescript). Needs the orrery binary (ORRERY_BIN, default
# target/debug/orrery), openapi-python-client 0.29.1 (OPENAPI_PYTHON_CLIENT, default on
# PATH) and `npm ci` run in typescript/.
set -euo pipefail
cd "$(dirname "$0")"
bin=${ORRERY_BIN:-../target/debug/orrery}
generator=${OPENAPI_PYTHON_CLIENT:-openapi-python-client}

scratch=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

"$bin" --database-url "sqlite://$scratch/openapi.db" serve --bind 127.0.0.1:0 \
  2> "$scratch/serve.log" &
server=$!
base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/^orrery serving on \(http:[^ ]*\).*/\1/p' "$scratch/serve.log" | head -1)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { cat "$scratch/serve.log"; echo "the server did not start" >&2; exit 1; }
curl -sf "$base/openapi.json" | python3 -m json.tool --indent 2 > openapi.json

"$generator" generate --path openapi.json --config python/config.yml \
  --output-path "$scratch/python" --overwrite > "$scratch/generate.log" 2>&1 \
  || { cat "$scratch/generate.log"; exit 1; }
rm -rf python/orrery_client
cp -r "$scratch/python/orrery_client" python/
cp "$scratch/python/pyproject.toml" "$scratch/python/README.md" python/

(cd typescript && npx --no-install openapi-typescript ../openapi.json -o src/schema.d.ts --silent)
echo "clients regenerated from $base/openapi.json"
