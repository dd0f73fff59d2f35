# Orrery's server image: the release binary on Debian slim, run as a non-root user.
#
#   docker build -t orrery .
#   docker run --rm -p 8080:8080 -e ORRERY_API_KEY=… -e ORRERY_JWT_SECRET=… orrery
#
# All configuration is by flags, ORRERY_* environment variables or an orrery.toml
# (ORRERY_CONFIG=/path/orrery.toml); see docs/configuration.md.

# --- build: the whole workspace's lockfile, the `orrery` binary only -------------------
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p orrery --config profile.release.strip=true \
    && install -D -m 0755 target/release/orrery /out/orrery

# --- runtime: the binary, CA certificates (TLS to a managed PostgreSQL), a user ---------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 orrery \
    && useradd --system --uid 10001 --gid orrery --home-dir /var/lib/orrery --create-home \
       --shell /usr/sbin/nologin orrery
COPY --from=build /out/orrery /usr/local/bin/orrery
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
