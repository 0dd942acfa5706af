#!/usr/bin/env bash
# The whole test suite: install what is missing, build release and ASan+UBSan, run every
# test (unit, integration, interop) on release and the unit tests under the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says how long it took, in wall time and in CPU time (of the step and its
# children), so a slow CI run shows where its minutes went.
step() {
  local name="$1"; shift
  local TIMEFORMAT="test.sh: ${name}: %0R s wall, %0U s user + %0S s sys"
  time "$@"
}
step "install" ./scripts/install-deps.sh
jobs="$(nproc)"
# The release and ASan trees take about 2.5 GiB together; say what there is before spending
# half an hour compiling into it.
echo "test.sh: $(df -h --output=avail . | tail -1 | tr -d ' ') free on $(df --output=target . | tail -1)"

step "format check" ./scripts/check-format.sh
step "release build" ./scripts/build.sh release
# Tests side by side: the relays, peers and fake servers a test starts listen on port 0 and
# report the port they bound (tests/support/process.h); a server that must sit on a port
# chosen beforehand (federation domains, redis-server) fails loudly or retries when the port
# is taken, and redis-server is checked to be the test's own. Tests that must run alone
# carry RUN_SERIAL, which ctest honours.
#
# One sanitizer tree (clang, ASan + UBSan, build/asan) for the unit tests and the libFuzzer
# targets: the product is compiled once for both. It compiles while the release tests run:
# those mostly wait on sockets, timers and child processes, so the compiler gets the CPU
# they leave. It runs at a lower priority, so that a test's processes get the CPU first; the
# tests hold on a loaded machine (bounded polls, no fixed sleeps). Its output goes to a log,
# printed when it fails; it runs in its own process group, stopped whole if test.sh stops.
asan_log=build/asan-build.log
mkdir -p build
set -m
step "asan build (beside the release tests)" nice -n 10 ./scripts/build.sh asan --target unit_tests fuzz_targets \
  >"$asan_log" 2>&1 &
asan_build=$!
set +m
trap 'kill -- "-$asan_build" 2>/dev/null || true' EXIT
step "release tests" bash -c 'cd build/release && ctest --output-on-failure -j "$1"' _ "$jobs"
if ! wait "$asan_build"; then
  tail -n 80 "$asan_log"
  echo "test.sh: the asan build failed (whole log: $asan_log)" >&2
  exit 1
fi
trap - EXIT
tail -n 1 "$asan_log"
step "asan unit tests" bash -c 'cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$1" -L unit' _ "$jobs"

# Every seed through every libFuzzer target, then a fixed number of fuzzing runs each from a
# fixed libFuzzer seed, capped at 10 s: the same tree makes the same inputs in every CI run,
# so what it finds fails every run of that tree, not some. A smoke run that keeps CI short;
# `scripts/fuzz.sh 600` is a real session.
mapfile -t fuzz_targets < <(sed -n 's/^rmb_fuzz_target(NAME \([A-Za-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)
# Runs per target: about 6 s of each at the exec/s this 2-core machine measured (ASan, -O0);
# a target not named here gets 10000.
declare -A fuzz_runs=([fuzz_envelope]=100000 [fuzz_jwt]=40000 [fuzz_directory]=15000 [fuzz_ws_reader]=12000
  [fuzz_compat_shapes]=3000 [fuzz_envelope_deadline]=45000 [fuzz_scale]=60000 [fuzz_node_answer]=20000
  [fuzz_gateway_incoming]=20000 [fuzz_url]=100000 [fuzz_federation_answer]=20000
  [fuzz_route_view]=100000)
fuzz_args=()
for t in "${fuzz_targets[@]}"; do fuzz_args+=("$t:${fuzz_runs[$t]:-10000}"); done
step "fuzz" ./scripts/fuzz.sh --seed 1 --seconds 10 "${fuzz_args[@]}"
