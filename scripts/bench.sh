#!/usr/bin/env bash
# Benchmarks, printed: builds the release preset, then runs the core micro-benchmarks
# (if built), bench_relay (rmb-relay vs nats-server: throughput, latency, memory per
# idle connection) and bench_gateway (secure round trips through rmb-peer + rmb-relay vs
# nats-server request-reply) with their defaults. Extra arguments go to bench_relay, e.g.
#   scripts/bench.sh --pairs 1 --duration 3 --scenarios throughput
# RMB_BENCH_GATEWAY_ARGS="--duration 3 --concurrency 64" passes arguments to bench_gateway.
# Numbers are only comparable on an otherwise idle machine: each table ends with the
# load average. RMB_BENCH_BUILD=<dir> uses another release build tree;
# RMB_BENCH_SKIP_BUILD=1 reuses it as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${RMB_BENCH_BUILD:-build/release}"

if [[ "${RMB_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  if [[ "$build" == build/release ]]; then
    ./scripts/build.sh release
  else
    cmake --preset release -B "$build" >/dev/null
    cmake --build "$build"
  fi
fi

echo "== host =="
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), build $build"
echo

if [[ -x "$build/bench/core/bench_core" ]]; then
  echo "== core (Google Benchmark) =="
  "$build/bench/core/bench_core"
  echo
else
  echo "== core: $build/bench/core/bench_core not built, skipped =="
  echo
fi

echo "== relay =="
"$build/bench/relay/bench_relay" --relay "$build/relay/rmb-relay" "$@"
echo

if [[ -x "$build/bench/gateway/bench_gateway" ]]; then
  echo "== gateway =="
  # shellcheck disable=SC2086  # word splitting of the extra arguments is intended
  "$build/bench/gateway/bench_gateway" --relay "$build/relay/rmb-relay" --peer "$build/gateway/rmb-peer" \
    ${RMB_BENCH_GATEWAY_ARGS:-}
else
  echo "== gateway: $build/bench/gateway/bench_gateway not built, skipped =="
fi
