# Shell helpers the HTTP benchmarks share (sourced by http.sh, soak.sh and growth.sh).

# Installs wrk from Debian's packages when it is missing.
ensure_wrk() {
  command -v wrk > /dev/null && return
  echo "== installing wrk (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q wrk > /dev/null; else sudo apt-get install -y -q wrk > /dev/null; fi
}

# Prints the orrery binary to run: BINARY made absolute when given, else the release
# build (built first; its output goes to stderr).
orrery_binary() {
  if [ -n "${1:-}" ]; then
    echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  else
    cargo build --release -p orrery >&2
    echo "${CARGO_TARGET_DIR:-$PWD/target}/release/orrery"
  fi
}

# Prints the base URL that `orrery serve --bind 127.0.0.1:0` announced in LOG, waiting up to
# TENTHS tenths of a second (default 100); fails with the log when it never does.
server_base() {
  local log=$1 tenths=${2:-100} base=""
  for _ in $(seq 1 "$tenths"); do
    base=$(sed -n 's/^orrery serving on \(http[^ ]*\).*/\1/p' "$log")
    [ -n "$base" ] && { echo "$base"; return; }
    sleep 0.1
  done
  cat "$log" >&2
  echo "the server did not start" >&2
  return 1
}

# Waits (up to 10 minutes) until the server at BASE has embedded every item that has text,
# so that a run measures lists ranked on embeddings, not the category-and-tag stand-in
# that serves while the embedder works (and competes for the cores). Prints the encoder.
wait_embedded() {
  local base=$1 health=""
  for _ in $(seq 1 600); do
    health=$(curl -fsS "$base/health")
    if python3 -c 'import json,sys; e=json.loads(sys.argv[1])["text_encoder"]; sys.exit(e["items_pending"] > 0 or e["items_embedded"] == 0)' "$health"; then
      python3 -c 'import json,sys; e=json.loads(sys.argv[1])["text_encoder"]; print("%s: %d items embedded" % (e["name"], e["items_embedded"]))' "$health"
      return
    fi
    sleep 1
  done
  echo "the catalog was still being embedded after 10 minutes: $health" >&2
  return 1
}
