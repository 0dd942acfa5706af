#!/usr/bin/env bash
# The whole test suite: install what is missing, build release and ASan+UBSan, run every
# test (unit, integration, interop) on release and the unit tests under the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs="$(nproc)"

./scripts/build.sh release
(cd build/release && ctest --output-on-failure -j "$jobs")

./scripts/build.sh asan --target unit_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j "$jobs" -L unit)
