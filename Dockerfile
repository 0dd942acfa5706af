# rmb-cpp images. One target per binary, laid out like rmb-rs's images (entry points at
# /usr/sbin/rmb-relay and /usr/sbin/rmb-peer), so that rmb-rs's Helm chart and compose files
# work with only the image name changed:
#
#   docker build --target relay -t rmb-relay .     # rmb-rs: build/relay/Dockerfile
#   docker build --target peer  -t rmb-peer  .     # rmb-rs: build/peer/Dockerfile
#   docker build -t rmb-cpp .                      # all three (rmb-peer entry point), as before
#
#   docker run rmb-relay --domain relay.example.com -r redis://redis:6379 -s wss://node:443 -l 0.0.0.0:80
#   docker run -e RMB_MNEMONIC="..." rmb-peer -r redis://redis:6379
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

# ---- runtime: the libraries the binaries load, and an unprivileged user ----
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
WORKDIR /var/lib/rmb

# ---- relay: /usr/sbin/rmb-relay, allowed to bind ports below 1024 without root ----
FROM runtime AS relay
COPY --from=builder /out/rmb-relay /usr/sbin/rmb-relay
# The chart listens on 0.0.0.0:80 as a non-root user: a file capability, not root. libcap2-bin
# is needed only to set it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep /usr/sbin/rmb-relay \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
USER rmb
# 80: the chart's listen address; 8080: rmb-relay's own default (--listen).
EXPOSE 80 8080
# GET /healthz on the port of the listen address (RMB_HEALTH_PORT, default 80 as the chart),
# with the shell's own /dev/tcp: the slim image has no HTTP client.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${RMB_HEALTH_PORT:-80} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200'"]
ENTRYPOINT ["/usr/sbin/rmb-relay"]

# ---- peer: /usr/sbin/rmb-peer and the rmb CLI (health checks, calls) ----
FROM runtime AS peer
COPY --from=builder /out/rmb-peer /usr/sbin/rmb-peer
COPY --from=builder /out/rmb /usr/local/bin/rmb
USER rmb
# rmb-peer reads its configuration from these (flags win): RMB_MNEMONIC (required),
# RMB_KEY_TYPE (sr25519), RMB_RELAY (comma-separated ws:// or wss:// URLs), RMB_DIRECTORY
# (twins.json) or RMB_SUBSTRATE (tfchain URLs), RMB_REDIS (Redis-queue front door, default
# redis://localhost:6379 as rmb-rs; --no-redis turns it off), RMB_GRPC_LISTEN,
# RMB_METRICS_LISTEN. The gRPC API has no authentication: publish 7070 only to the
# applications that may act as this twin.
ENV RMB_GRPC_LISTEN=0.0.0.0:7070 \
    RMB_METRICS_LISTEN=0.0.0.0:7071
# 7070 gRPC API, 7071 peer metrics
EXPOSE 7070 7071
# gRPC health service (grpc.health.v1.Health/Check) on the port of RMB_GRPC_LISTEN, or
# RMB_HEALTH_PEER when the API listens on a unix socket.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["sh", "-c", "exec rmb health --timeout 4 --peer \"${RMB_HEALTH_PEER:-127.0.0.1:${RMB_GRPC_LISTEN##*:}}\""]
ENTRYPOINT ["/usr/sbin/rmb-peer"]

# ---- the default target: everything, rmb-peer as the entry point (earlier rmb-cpp images) ----
FROM peer AS all
COPY --from=relay /usr/sbin/rmb-relay /usr/sbin/rmb-relay
USER root
RUN ln -s /usr/sbin/rmb-peer /usr/local/bin/rmb-peer && ln -s /usr/sbin/rmb-relay /usr/local/bin/rmb-relay
USER rmb
