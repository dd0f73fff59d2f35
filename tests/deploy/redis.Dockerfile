# Redis 7 from Debian's packages on a locally made base, for tests/deploy/run.sh. Like the
# official image, it answers other containers without a password (protected mode off):
# only the compose network reaches it.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends redis-server redis-tools \
    && rm -rf /var/lib/apt/lists/*
COPY --chmod=0755 redis-entrypoint.sh /usr/local/bin/redis-entrypoint.sh
USER redis
EXPOSE 6379
ENTRYPOINT ["redis-entrypoint.sh"]
CMD ["redis-server"]
