# opsdeck: the release build (scripts/build.sh --release: cargo, wasm-bindgen, wasm-opt — the same
# steps `make release` takes), then a small runtime image.
# Build:  docker build -t opsdeck .
# Run:    docker run -p 3000:3000 -v /etc/opsdeck:/etc/opsdeck:ro -e DATABASE_URL=postgres://… opsdeck
# (No Docker engine runs on the project's build machines, so this file is not exercised by `make test`.)

FROM rust:1.95-bookworm AS build
RUN rustup target add wasm32-unknown-unknown \
 && cargo install wasm-bindgen-cli --version 0.2.130
# wasm-opt for the release bundle: Debian's binaryen 108 breaks it; npm's 132 works (scripts/lib.sh
# installs it into ~/.cache/opsdeck-tools).
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN scripts/build.sh --release

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 opsdeck
COPY --from=build /src/target/release/opsdeck /usr/local/bin/opsdeck
COPY --from=build /src/target/site /usr/share/opsdeck/site
# Listening beyond loopback needs sign-in (`[auth]` in opsdeck.toml); without it, only
# OPSDECK__SERVER__ALLOW_PUBLIC_WITHOUT_SIGN_IN=true behind a proxy that authenticates (README).
# Run `opsdeck migrate` once as the database owner; serve as a role that does not own the tables.
ENV LEPTOS_SITE_ROOT=/usr/share/opsdeck/site \
    OPSDECK__SERVER__LISTEN=0.0.0.0:3000 \
    RUST_LOG=info
USER opsdeck
EXPOSE 3000
# Health checks: GET /healthz (process) and /readyz (database reachable).
CMD ["opsdeck", "serve", "--config", "/etc/opsdeck/opsdeck.toml"]
