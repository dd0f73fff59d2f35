# Orrery's server image: the release binary on Debian slim, run as a non-root user.
#
#   docker build -t orrery .
#   docker run --rm -p 8080:8080 -e ORRERY_API_KEY=… -e ORRERY_JWT_SECRET=… orrery
#
# All configuration is by flags, ORRERY_* environment variables or an orrery.toml
# (ORRERY_CONFIG=/path/orrery.toml); see docs/configuration.md.

# The base images are build arguments, so that the same file builds from locally made
# bases (tests/deploy/run.sh makes them with debootstrap where no registry is reachable).
ARG BUILDER_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: the whole workspace's lockfile, the `orrery` binary only -------------------
FROM ${BUILDER_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p orrery --config profile.release.strip=true \
    && install -D -m 0755 target/release/orrery /out/orrery

# --- runtime: CA certificates (TLS to a managed PostgreSQL), a user ----------------------
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 orrery \
    && useradd --system --uid 10001 --gid orrery --home-dir /var/lib/orrery --create-home \
       --shell /usr/sbin/nologin orrery
USER orrery:orrery
WORKDIR /var/lib/orrery
# The embedded SQLite file lives in the volume unless ORRERY_DATABASE_URL names
# PostgreSQL. Listening beyond loopback needs ORRERY_API_KEY and ORRERY_JWT_SECRET (the
# server refuses to start without them).
ENV ORRERY_BIND=0.0.0.0:8080 \
    ORRERY_DATABASE_URL=sqlite:///var/lib/orrery/orrery.db \
    ORRERY_PIPELINE_OUT=/var/lib/orrery/pipeline \
    ORRERY_LOG=info
VOLUME ["/var/lib/orrery"]
EXPOSE 8080
ENTRYPOINT ["orrery"]
CMD ["serve"]

# --- from-host: a binary built outside (`--target from-host`, the binary `orrery` in the
# build context), for a Debian bookworm host; the build stage is skipped ----------------
FROM runtime AS from-host
COPY --chmod=0755 orrery /usr/local/bin/orrery

# --- the default image: the binary built above -----------------------------------------
FROM runtime
COPY --from=build /out/orrery /usr/local/bin/orrery
