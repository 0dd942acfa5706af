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
# One test at a time: integration tests start relays and redis-servers on ports that were free
# a moment before (test::free_port), and two tests running side by side could still pick the
# same one (their clients then reach each other's servers). Serial costs about three minutes.
(cd build/release && ctest --output-on-failure -j 1)

./scripts/build.sh asan --target unit_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L unit)

# Every seed through every libFuzzer target, then 20 s of fuzzing each (clang, build/fuzz).
./scripts/fuzz.sh
