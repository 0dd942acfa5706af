#!/usr/bin/env bash
# The whole test suite: install what is missing, build release and ASan+UBSan, run every
# test (unit, integration, interop) on release and the unit tests under the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"
# The release and ASan trees take about 2.5 GiB together; say what there is before spending
# half an hour compiling into it.
echo "test.sh: $(df -h --output=avail . | tail -1 | tr -d ' ') free on $(df --output=target . | tail -1)"

./scripts/check-format.sh
./scripts/build.sh release
# Tests side by side: the relays, peers and fake servers a test starts listen on port 0 and
# report the port they bound (tests/support/process.h); a server that must sit on a port
# chosen beforehand (federation domains, redis-server) fails loudly or retries when the port
# is taken, and redis-server is checked to be the test's own. Tests that must run alone
# carry RUN_SERIAL, which ctest honours.
(cd build/release && ctest --output-on-failure -j "$jobs")

# One sanitizer tree (clang, ASan + UBSan, build/asan) for the unit tests and the libFuzzer
# targets: the product is compiled once for both.
./scripts/build.sh asan --target unit_tests fuzz_targets
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L unit)

# Every seed through every libFuzzer target, then a fixed number of fuzzing runs each from a
# fixed libFuzzer seed, capped at 10 s: the same tree makes the same inputs in every CI run,
# so what it finds fails every run of that tree, not some. A smoke run that keeps CI short;
# `scripts/fuzz.sh 600` is a real session.
mapfile -t fuzz_targets < <(sed -n 's/^rmb_fuzz_target(NAME \([A-Za-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)
# Runs per target: about 6 s of each at the exec/s this 2-core machine measured (ASan, -O0);
# a target not named here gets 10000.
declare -A fuzz_runs=([fuzz_envelope]=100000 [fuzz_jwt]=40000 [fuzz_directory]=15000 [fuzz_ws_reader]=12000
  [fuzz_compat_shapes]=3000 [fuzz_envelope_deadline]=45000 [fuzz_scale]=60000 [fuzz_node_answer]=20000
  [fuzz_gateway_incoming]=20000 [fuzz_url]=100000 [fuzz_federation_answer]=20000)
fuzz_args=()
for t in "${fuzz_targets[@]}"; do fuzz_args+=("$t:${fuzz_runs[$t]:-10000}"); done
./scripts/fuzz.sh --seed 1 --seconds 10 "${fuzz_args[@]}"
