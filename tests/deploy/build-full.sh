#!/usr/bin/env bash
# The Dockerfile's full multi-stage build (the release binary compiled in its build
# stage, crates fetched there) from local bases, where no image registry is reachable: the
# Debian base of run.sh, a builder base with a C toolchain (builder.Dockerfile), and the
# host's Rust toolchain mounted read-only. Prints the build's time and the image's size.
#
# Usage: tests/deploy/build-full.sh   (needs podman, and the base run.sh makes)
set -euo pipefail
cd "$(dirname "$0")/../.."

toolchain=${RUST_TOOLCHAIN_DIR:-$(rustc --print sysroot)}
base=localhost/orrery-base:bookworm
cache=target/deploy/bookworm-minbase.tar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CONTAINERS_CONF=$PWD/tests/deploy/containers.conf

if ! podman image exists "$base"; then
  [ -s "$cache" ] || { echo "no base image: run tests/deploy/run.sh first" >&2; exit 1; }
  podman import "$cache" "$base" > /dev/null
fi
mkdir -p "$work/builder/extra-ca"
cp tests/deploy/builder.Dockerfile "$work/builder/"
find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$work/builder/extra-ca/" \; 2> /dev/null || true
podman build -q --network host -f "$work/builder/builder.Dockerfile" --build-arg BASE="$base" \
  -t localhost/orrery-builder:deploy "$work/builder" > /dev/null
started=$(date +%s)
podman build --network host -v "$toolchain:/usr/local/rust:ro" \
  --build-arg BUILDER_IMAGE=localhost/orrery-builder:deploy --build-arg RUNTIME_IMAGE="$base" \
  -t localhost/orrery:full . > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
elapsed=$(( $(date +%s) - started ))
size=$(podman image inspect localhost/orrery:full --format '{{.Size}}')
binary=$(podman run --rm --entrypoint sh localhost/orrery:full -c 'stat -c %s /usr/local/bin/orrery')
podman run --rm localhost/orrery:full --version
echo "full build: ${elapsed} s; image localhost/orrery:full $((size / 1000000)) MB (binary $((binary / 1000000)) MB)"
