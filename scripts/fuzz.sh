#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, -fsanitize=fuzzer,address,undefined,
# build/fuzz), replays every seed file of fuzz/corpus/ (all targets' seeds) through every
# target, then fuzzes each target for a fixed time on its seeds. Fails on any crash, leak,
# timeout or sanitizer report; prints runs, exec/s, corpus size and result per target.
#
#   scripts/fuzz.sh [[--seconds] N] [target ...] N per target, default 20 (FUZZ_SECONDS);
#                                                0 only replays the seeds
#   FUZZ_BUILD_DIR=build/x scripts/fuzz.sh       default build/fuzz
#
# What fuzzing finds goes to $build/corpus/<target>/ (new inputs) and $build/artifacts/
# (crashing inputs), never into fuzz/corpus/: copy a finding there by hand with its fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    [0-9]*) seconds="$1"; shift ;;  # the README's `scripts/fuzz.sh [seconds-per-target]`
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
# The targets are the ones fuzz/CMakeLists.txt declares.
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^rmb_fuzz_target(NAME \([A-Za-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)
fi

fuzzer_rt="$(clang++ -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
if [ ! -f "$fuzzer_rt" ]; then
  echo "fuzz.sh: libFuzzer's runtime ($fuzzer_rt) is missing: apt-get install libclang-rt-14-dev" >&2
  exit 1
fi

start=$(date +%s)
cmake --preset fuzz -B "$build" >/dev/null
# Helpers sharing one machine build under one lock; alone, the lock is free at once.
flock "${RMB_BUILD_LOCK:-/tmp/rmb-build.lock}" cmake --build "$build" --target "${targets[@]}"
built=$(date +%s)
echo "fuzz.sh: built ${#targets[@]} targets in $((built - start)) s"

# Sanitizer reports abort (-fno-sanitize-recover, halt_on_error) and libFuzzer then exits
# non-zero; the log is also searched, so a report that did not stop the run still fails it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
report='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: '
mapfile -t seeds < <(find fuzz/corpus -type f | sort)
mkdir -p "$build/logs" "$build/artifacts"

failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  log="$build/logs/$t.log"
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  result=ok
  # Every seed through every target: one target's valid input is another's odd one.
  if ! "$bin" -artifact_prefix="$build/artifacts/$t-" "${seeds[@]}" >"$log" 2>&1 || grep -qE "$report" "$log"; then
    result="FAILED on a seed"
  fi
  runs="-" speed="-" size="-"
  if [ "$result" = ok ] && [ "$seconds" -gt 0 ]; then
    seed_dir=()
    [ -d "fuzz/corpus/$t" ] && seed_dir=("fuzz/corpus/$t")
    # New inputs go to the first directory ($corpus); the seeds in git are only read.
    if ! "$bin" "$corpus" "${seed_dir[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >>"$log" 2>&1 || grep -qE "$report" "$log"; then
      result="FAILED"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    size=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  fi
  if [ "$result" != ok ]; then
    failed=1
    echo "== $t: $result; log $log, inputs in $build/artifacts/"
    grep -m8 -E "$report|==ERROR|Test unit written" "$log" || tail -20 "$log"
  fi
  summary+=("$(printf '%-24s runs %-9s exec/s %-7s corpus %-6s %s' "$t" "${runs:--}" "${speed:--}" "${size:--}" \
    "$result")")
done

echo
echo "fuzz.sh: ${#seeds[@]} seeds replayed through each target, then ${seconds} s of fuzzing each" \
  "($(($(date +%s) - start)) s in all, $((built - start)) s of it building)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
