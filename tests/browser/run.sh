#!/usr/bin/env bash
# The dashboard's browser test: installs what it needs when missing (Debian's chromium,
# playwright-core from the lockfile), reuses the debug `orrery` binary that `cargo test`
# built (`cargo build -p orrery` finds it current), and runs the test with node's test runner.
# Screenshots go to target/dashboard-screenshots (or SCREENSHOT_DIR).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi
if [ -z "${ORRERY_BIN:-}" ]; then
  # After `cargo test --workspace` this only checks that the debug binary is current.
  (cd "$root" && cargo build -p orrery)
  ORRERY_BIN="$root/target/debug/orrery"
fi
export ORRERY_BIN
if [ -z "${ORRERY_SHARED_DATA:-}" ]; then
  for candidate in "$root/../shared/data" /work/shared/data; do
    if [ -d "$candidate" ]; then ORRERY_SHARED_DATA="$(cd "$candidate" && pwd)"; break; fi
  done
fi
export ORRERY_SHARED_DATA
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$root/target/dashboard-screenshots}"

cd "$here"
started=$(date +%s)
node --test --test-reporter=spec dashboard.test.mjs
echo "browser test: $(( $(date +%s) - started )) s; screenshots in $SCREENSHOT_DIR"
