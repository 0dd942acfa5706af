#!/usr/bin/env bash
# Builds the libFuzzer targets (in the sanitizer tree: the `asan` preset, clang with
# -fsanitize=fuzzer,address,undefined, build/asan, beside the unit tests), replays every seed
# file of fuzz/corpus/ (all targets' seeds) through every target, then fuzzes each target on
# its seeds. Fails on any crash, leak, timeout or sanitizer report; prints runs, exec/s,
# corpus size and result per target.
#
#   scripts/fuzz.sh [[--seconds] N] [target ...]  N s per target, default 20 (FUZZ_SECONDS);
#                                                 0 only replays the seeds
#   scripts/fuzz.sh --seed S --runs R [--seconds N] [target[:R] ...]
#       a repeatable run (CI): R inputs per target (target:R for one target) from libFuzzer's
#       random seed S, starting from the seeds in git only, so the same tree makes the same
#       inputs every time; N s stays a cap (a run the cap stops is said to be cut short, and
#       is not repeatable)
#   FUZZ_BUILD_DIR=build/x scripts/fuzz.sh        default build/asan (preset asan)
#
# What fuzzing finds goes to $build/corpus/<target>/ (new inputs) and $build/artifacts/
# (crashing inputs), never into fuzz/corpus/: copy a finding there by hand with its fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
build="${FUZZ_BUILD_DIR:-build/asan}"
seed=""
runs=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    [0-9]*) seconds="$1"; shift ;;  # the README's `scripts/fuzz.sh [seconds-per-target]`
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
# target:R sets R runs for that target (and makes the run a repeatable one).
declare -A target_runs=()
for i in "${!targets[@]}"; do
  t="${targets[$i]}"
  if [[ "$t" == *:* ]]; then
    targets[$i]="${t%%:*}"
    target_runs[${t%%:*}]="${t#*:}"
    [ -n "$seed" ] || seed=1
  fi
done
if [ -n "$runs" ] && [ -z "$seed" ]; then seed=1; fi
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
cmake --preset asan -B "$build" >/dev/null
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

# A repeatable run: libFuzzer's mutations come from -seed, the amount of work from -runs
# (not the clock), the corpus is reloaded from disk never (-reload=0), and what earlier runs
# found on this machine is left out (a fresh output directory), so one tree makes the same
# inputs in the same order every time.
# Address-space randomisation is off for it too (setarch -R): libFuzzer's comparison
# tracing puts pointer values into its mutation dictionary, which otherwise differ per run.
# What then still varies is a harness's own: only fuzz_gateway_incoming's steady clock, which
# expires the engine's caches after a second (its unix time is fixed; see the harness).
corpus_root="$build/corpus"
fixed=()
if [ -n "$seed" ]; then
  corpus_root="$build/corpus-seed$seed"
  rm -rf "$corpus_root"
  if setarch "$(uname -m)" -R true 2>/dev/null; then fixed=(setarch "$(uname -m)" -R); fi
fi

failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  log="$build/logs/$t.log"
  corpus="$corpus_root/$t"
  mkdir -p "$corpus"
  result=ok
  # Every seed through every target: one target's valid input is another's odd one.
  if ! "$bin" -artifact_prefix="$build/artifacts/$t-" "${seeds[@]}" >"$log" 2>&1 || grep -qE "$report" "$log"; then
    result="FAILED on a seed"
  fi
  runs_done="-" speed="-" size="-"
  want="${target_runs[$t]:-$runs}"
  budget=(-max_total_time="$seconds")
  [ -n "$seed" ] && budget+=(-seed="$seed" -reload=0)
  [ -n "$want" ] && budget+=(-runs="$want")
  if [ "$result" = ok ] && [ "$seconds" -gt 0 ]; then
    seed_dir=()
    [ -d "fuzz/corpus/$t" ] && seed_dir=("fuzz/corpus/$t")
    # New inputs go to the first directory ($corpus); the seeds in git are only read.
    if ! "${fixed[@]}" "$bin" "$corpus" "${seed_dir[@]}" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >>"$log" 2>&1 || grep -qE "$report" "$log"; then
      result="FAILED"
    fi
    runs_done=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    size=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
    # libFuzzer stops at -runs executed units (the seeds it loads count too) or at the clock.
    if [ "$result" = ok ] && [ -n "$want" ] && [ "${runs_done:-0}" -lt "$want" ]; then
      result="ok, cut short by the ${seconds} s cap (not repeatable: raise --seconds or lower --runs)"
    fi
  fi
  if [[ "$result" != ok* ]]; then
    failed=1
    echo "== $t: $result; log $log, inputs in $build/artifacts/"
    grep -m8 -E "$report|==ERROR|Test unit written" "$log" || tail -20 "$log"
  fi
  summary+=("$(printf '%-24s runs %-9s exec/s %-7s corpus %-6s %s' "$t" "${runs_done:--}" "${speed:--}" "${size:--}" \
    "$result")")
done

echo
mode="${seconds} s of fuzzing each"
[ -n "$seed" ] && mode="a fixed number of runs each from -seed=$seed (cap ${seconds} s)"
echo "fuzz.sh: ${#seeds[@]} seeds replayed through each target, then $mode" \
  "($(($(date +%s) - start)) s in all, $((built - start)) s of it building)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
