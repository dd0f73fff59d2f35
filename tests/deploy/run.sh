#!/usr/bin/env bash
# The deployment, built and run: the Dockerfile's image and docker-compose.yml's stack
# (PostgreSQL, Redis, the server, the retraining watcher) under podman, on a machine
# without a Docker engine or an image registry.
#
# - A Debian bookworm base is made once with debootstrap (cached in target/deploy/) and
#   imported as a local image; the Dockerfile builds its runtime stage from it
#   (`--build-arg RUNTIME_IMAGE`) with a binary built on the host (`--target from-host`),
#   and PostgreSQL and Redis images are built from the same base (tests/deploy/*.Dockerfile).
# - docker-compose.yml runs under podman-compose with compose.override.yml, which only
#   renames the images.
# - Against the running stack: /health, an import through `compose run` that lands in
#   PostgreSQL, `orrery train` activating a model the server then serves, the Redis list
#   cache, the server's user, its refusal to start without a key and a secret, and the
#   data surviving `compose down` and `up`. Everything it started is removed at the end.
#
# Usage: tests/deploy/run.sh   (ORRERY_BIN: the binary to ship; default the release
# build, else the debug one). Needs root; installs podman, runc, debootstrap and
# podman-compose when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

log() { printf '\n-- %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

bin=${ORRERY_BIN:-}
if [ -z "$bin" ]; then
  for candidate in target/release/orrery target/debug/orrery; do
    [ -x "$candidate" ] && { bin=$candidate; break; }
  done
fi
[ -n "$bin" ] && [ -x "$bin" ] || fail "no orrery binary: build one (cargo build --release -p orrery) or set ORRERY_BIN"

log "tools"
if ! command -v podman > /dev/null || ! command -v runc > /dev/null || ! command -v debootstrap > /dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q podman runc debootstrap > /dev/null 2>&1 \
    || { apt-get update -q > /dev/null && apt-get install -y -q podman runc debootstrap > /dev/null; }
fi
if ! command -v podman-compose > /dev/null; then
  python3 -m pip install -q --disable-pip-version-check podman-compose
fi

work=$(mktemp -d)
export CONTAINERS_CONF=$PWD/tests/deploy/containers.conf

project=orrery-deploy-$$
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export ORRERY_PORT=$port
export ORRERY_API_KEY=deploy-test-key-$RANDOM$RANDOM
export ORRERY_JWT_SECRET=deploy-test-secret-0123456789abcdef
export POSTGRES_PASSWORD=deploy-test-password
compose() {
  podman-compose -p "$project" -f docker-compose.yml -f tests/deploy/compose.override.yml "$@"
}
images=(localhost/orrery:deploy-test localhost/orrery-postgres:deploy-test localhost/orrery-redis:deploy-test)
volumes_before=$(podman volume ls -q | sort)
cleanup() {
  compose down -v > /dev/null 2>&1 || true
  # Anonymous volumes the run's containers made (the images declare VOLUMEs).
  comm -13 <(echo "$volumes_before") <(podman volume ls -q | sort) \
    | grep -E '^[0-9a-f]{64}$' | xargs -r podman volume rm > /dev/null 2>&1 || true
  podman rmi "${images[@]}" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# An interrupted run cleans up too.
trap 'exit 130' INT TERM

log "base image"
base=localhost/orrery-base:bookworm
cache=target/deploy/bookworm-minbase.tar
if ! podman image exists "$base"; then
  if [ ! -s "$cache" ]; then
    mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian > "$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
    tar -C "$work/rootfs" -cf "$cache.partial" . && mv "$cache.partial" "$cache"
    rm -rf "$work/rootfs"
  fi
  podman import "$cache" "$base" > /dev/null
fi

log "images"
mkdir -p "$work/context"
cp "$bin" "$work/context/orrery"
build() {
  podman build --network host "$@" > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "podman build $*"; }
}
build -f Dockerfile --target from-host --build-arg RUNTIME_IMAGE="$base" \
  -t localhost/orrery:deploy-test "$work/context"
for service in postgres redis; do
  build -f "tests/deploy/$service.Dockerfile" --build-arg BASE="$base" \
    -t "localhost/orrery-$service:deploy-test" tests/deploy
done
podman image inspect localhost/orrery:deploy-test --format 'orrery image: {{.Size}} bytes'
podman run --rm --entrypoint sh localhost/orrery:deploy-test -c 'id -un' | grep -qx orrery \
  || fail "the image's user is not orrery"

log "the server refuses to listen beyond loopback without a key and a secret"
if refusal=$(podman run --rm localhost/orrery:deploy-test serve 2>&1); then
  fail "the server started without credentials: $refusal"
fi
echo "$refusal" | grep -qi "api.key\|api-key" || fail "the refusal does not name the key: $refusal"

# podman 4.3 ignores compose's health conditions (it says so), and starting a service
# with its dependencies in one call sometimes loses track of one of them: the stores
# come up first, and the servers once PostgreSQL answers.
container_of() {
  podman ps --filter "label=io.podman.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -1
}
up() {
  compose up -d postgres redis > "$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up (stores)"; }
  for _ in $(seq 1 60); do
    podman exec "$(container_of postgres)" pg_isready -q -U orrery -d orrery 2> /dev/null && break
    sleep 1
  done
  compose up -d > "$work/up.log" 2>&1 || { cat "$work/up.log"; fail "compose up"; }
}

log "compose up"
up
base_url=http://127.0.0.1:$port
wait_healthy() {
  for _ in $(seq 1 120); do
    curl -sf "$base_url/health" > /dev/null 2>&1 && return 0
    sleep 1
  done
  compose logs orrery 2>&1 | tail -30
  fail "the server did not become healthy"
}
wait_healthy
curl -sf "$base_url/health" | grep -q '"ok"' || fail "/health is not ok: $(curl -s "$base_url/health")"

log "the server runs as the unprivileged user"
server=$(container_of orrery)
[ -n "$server" ] || fail "no running orrery container"
uid=$(podman exec "$server" id -u)
[ "$uid" = 10001 ] || fail "the server runs as uid $uid, not 10001"

log "an import through compose run lands in PostgreSQL"
"$bin" generate --users 300 --items 400 --interactions 20000 --seed 7 --out "$work/data" > /dev/null
chmod -R a+rX "$work/data"
compose run --rm -v "$work/data:/data:ro" orrery import /data > "$work/import.log" 2>&1 \
  || { cat "$work/import.log"; fail "import"; }
database=$(container_of postgres)
count() { podman exec "$database" psql -U orrery -d orrery -tAc "SELECT count(*) FROM $1"; }
[ "$(count interactions)" = 20000 ] || fail "PostgreSQL holds $(count interactions) interactions, not 20000"

log "orrery train activates a model that the server serves"
compose run --rm orrery train --algo als > "$work/train.log" 2>&1 || { cat "$work/train.log"; fail "train"; }
list() { curl -s -D "$work/headers" -H "X-API-Key: $ORRERY_API_KEY" "$base_url/recommendations/1?n=5"; }
served=""
for _ in $(seq 1 60); do
  served=$(list)
  echo "$served" | grep -q '"model_version":[0-9]' && break
  sleep 1
done
echo "$served" | grep -q '"model_version":[0-9]' || fail "the trained model is not served: $served"
echo "$served" | grep -q '"algorithm":"als"' || fail "the list is not from ALS: $served"

log "lists are cached in Redis"
list > /dev/null
grep -qi '^x-orrery-cache: hit' "$work/headers" || fail "the second list was not a cache hit: $(cat "$work/headers")"

log "data survives compose down and up"
compose down > "$work/down.log" 2>&1 || { cat "$work/down.log"; fail "compose down"; }
up
wait_healthy
database=$(container_of postgres)
[ "$(count interactions)" = 20000 ] || fail "after down and up PostgreSQL holds $(count interactions) interactions"
served=$(list)
echo "$served" | grep -q '"model_version":[0-9]' || fail "after down and up no model is served: $served"

echo
echo "deployment test passed: image, compose stack, import, training, Redis cache, volumes ($root)"
