# A builder base for the Dockerfile's build stage where `rust:1.95` cannot be pulled: the
# local Debian base with a C and C++ toolchain (bundled SQLite, mimalloc, usearch) and the
# host's extra certificate authorities (`extra-ca/`, copied in by build-full.sh: whatever
# signs the machine's way out to crates.io). The Rust toolchain is the host's, mounted
# read-only at /usr/local/rust by build-full.sh.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && update-ca-certificates > /dev/null
ENV PATH=/usr/local/rust/bin:$PATH \
    CARGO_HOME=/usr/local/cargo
