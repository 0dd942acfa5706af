# rmb-cpp image: rmb-peer (the entry point), rmb-relay and the rmb CLI.
#
#   docker build -t rmb-cpp .
#   docker run -e RMB_MNEMONIC="..." -e RMB_RELAY=wss://relay.example.com \
#              -e RMB_DIRECTORY=/etc/rmb/twins.json -v $PWD/twins.json:/etc/rmb/twins.json:ro rmb-cpp
#   docker run --entrypoint rmb-relay -p 8080:8080 rmb-cpp --listen 0.0.0.0:8080 --directory ...
#
# The runtime stage installs only the shared libraries the three binaries load;
# tests/docker (ctest -L integration) checks that list against `ldd` of the built binaries.

# ---- builder: the same install script as a developer machine, then a release build ----
FROM debian:12 AS builder
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN ./scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN rm -rf build \
 && cmake --preset release -B build/docker -DRMB_BENCH=OFF \
 && cmake --build build/docker --target rmb rmb-peer rmb-relay \
 && mkdir -p /out \
 && install -m 0755 build/docker/tools/rmb build/docker/gateway/rmb-peer build/docker/relay/rmb-relay /out/ \
 && strip /out/*

# ---- runtime: binaries + their runtime libraries, non-root ----
FROM debian:12-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libabsl20220623 \
      libboost-program-options1.74.0 \
      libgrpc++1.51 \
      libgrpc29 \
      libhiredis0.14 \
      libprotobuf32 \
      libsecp256k1-1 \
      libsodium23 \
      libssl3 \
      libxxhash0 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/rmb --create-home --shell /usr/sbin/nologin rmb
COPY --from=builder /out/ /usr/local/bin/
USER rmb
WORKDIR /var/lib/rmb

# rmb-peer reads its configuration from these (flags win): RMB_MNEMONIC (required),
# RMB_KEY_TYPE (sr25519), RMB_RELAY (comma-separated ws:// or wss:// URLs), RMB_DIRECTORY
# (twins.json) or RMB_SUBSTRATE (tfchain URLs), RMB_REDIS (Redis-queue front door),
# RMB_GRPC_LISTEN, RMB_METRICS_LISTEN. The gRPC API has no authentication: publish 7070
# only to the applications that may act as this twin.
ENV RMB_GRPC_LISTEN=0.0.0.0:7070 \
    RMB_METRICS_LISTEN=0.0.0.0:7071
# 7070 gRPC API, 7071 peer metrics, 8080 rmb-relay (when run with --entrypoint rmb-relay)
EXPOSE 7070 7071 8080
# gRPC health service (grpc.health.v1.Health/Check) on the port of RMB_GRPC_LISTEN, or
# RMB_HEALTH_PEER when the API listens on a unix socket.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["sh", "-c", "exec rmb health --timeout 4 --peer \"${RMB_HEALTH_PEER:-127.0.0.1:${RMB_GRPC_LISTEN##*:}}\""]
ENTRYPOINT ["rmb-peer"]
