#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, -fsanitize=fuzzer,address,
# undefined) and runs every fuzz/*.cc target for a bounded time, each on a working
# corpus seeded from fuzz/corpus/<target>/ (the PROTOCOL.md Appendix A vectors).
# Prints executions and findings per target; exits 1 if anything was found.
#
#   scripts/fuzz.sh [seconds-per-target]       default 60
#   FUZZ_BUILD_DIR=build/x scripts/fuzz.sh     default build/fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${FUZZ_SECONDS:-60}}"
build="${FUZZ_BUILD_DIR:-build/fuzz}"

targets=()
for src in fuzz/*.cc; do targets+=("$(basename "$src" .cc)"); done
if [ ${#targets[@]} -eq 0 ]; then echo "no fuzz targets" >&2; exit 1; fi

cmake --preset fuzz -B "$build" >/dev/null
cmake --build "$build" --target "${targets[@]}"

summary=()
found=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  if [ -d "fuzz/corpus/$t" ]; then cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true; fi
  echo "== $t: ${seconds}s, corpus $(ls "$corpus" | wc -l) files"
  set +e
  # -rss_limit_mb bounds memory; -timeout flags any single input slower than 10 s.
  "$build/fuzz/$t" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  n=$(find "$artifacts" -type f | wc -l)
  if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
    found=1
    echo "   FINDING (exit $rc, $n artifact(s) in $artifacts); see $log"
    grep -m5 -E 'ERROR|SUMMARY|runtime error' "$log" || true
  fi
  summary+=("$(printf '%-18s executions %-10s exec/s %-7s coverage %-6s findings %s' \
    "$t" "$execs" "$speed" "$cov" "$n")")
done

echo
echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit "$found"
