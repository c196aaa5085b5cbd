#!/usr/bin/env bash
# Runs the libFuzzer harnesses (docs/fuzzing.md).
#
#   fuzz.sh check [SECONDS]          TAP, one line per harness (make check, via suite-fuzz.sh):
#                                    replay every regression input and the kept corpus, then
#                                    fuzz SECONDS (default 5) from them; two harnesses at a time
#   fuzz.sh long SECONDS [NAME...]   a campaign (make fuzz): each harness SECONDS, FUZZ_JOBS at
#                                    a time, from the kept corpus + regressions + what earlier
#                                    campaigns found (build/fuzz/work/NAME); prints executions.
#                                    FUZZ_RUNS=N stops a harness after N executions instead, with
#                                    SECONDS as its cap
#                                    (FUZZ_SAN_DIR=msan: the MemorySanitizer builds instead)
#   fuzz.sh merge [NAME...]          fold build/fuzz/work/NAME into tests/fuzz/corpus/NAME,
#                                    minimized (-merge=1), inputs of at most FUZZ_KEEP_MAX bytes
#                                    (default 8 KiB; boot_params 32 KiB)
#
# A crash, leak, timeout or out-of-memory is a failure; its reproducer is written to
# tests/fuzz/regressions/NAME/ (libFuzzer's artifact prefix), where every later run replays
# it: commit it with the fix. Harness NAME is build/fuzz/bin/fuzz_NAME; its dictionary, if
# any, tests/fuzz/dict/NAME.dict.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
B=${BUILD:-build}/fuzz
T=tests/fuzz
mode=${1:-check}; shift || true

# Every harness there is: the ones built and the ones with a kept corpus (each has one), so a
# harness that failed to build is "not ok", never left out.
names() {
  if [ $# -gt 0 ]; then printf '%s\n' "$@"; return; fi
  { for b in "$B"/bin/fuzz_*; do
      [ -x "$b" ] && [ "${b%.d}" = "$b" ] && basename "$b" | sed 's/^fuzz_//'
    done
    for c in "$T"/corpus/*/; do [ -d "$c" ] && basename "$c"; done; } | sort -u
}

# Per-harness limits: the decompress harness inflates up to 64 MiB per input and keeps the whole
# output to compare the piecewise scan against, under ASan: it gets more memory and time.
limits() {
  case "$1" in
    decompress) echo "-timeout=60 -rss_limit_mb=4096 -malloc_limit_mb=2048" ;;
    *)          echo "-timeout=10 -rss_limit_mb=2048" ;;
  esac
}

# the harness's options: limits, artifacts into its regressions folder, its dictionary
options() {
  local n=$1 o
  mkdir -p "$T/regressions/$n"
  o="$(limits "$n") -artifact_prefix=$T/regressions/$n/ -print_final_stats=1"
  [ -f "$T/dict/$n.dict" ] && o="$o -dict=$T/dict/$n.dict"
  echo "$o"
}

# the seconds a run took: libFuzzer's "Done N runs in S second(s)", else the time it was given
elapsed() { grep -o 'runs in [0-9]* second' "$1" | tail -1 | grep -o '[0-9][0-9]*' || echo "$2"; }
execs() { grep -o 'stat::number_of_executed_units: [0-9]*' "$1" | tail -1 | grep -o '[0-9]*$' || echo 0; }

# What a failed run left: libFuzzer's one-line summary and the artifact it wrote.
why() {
  local s a
  s=$(grep -m1 -E '^SUMMARY:|ERROR: libFuzzer|property violated' "$1" | cut -c1-160)
  a=$(grep -o "Test unit written to [^ ]*" "$1" | tail -1 | sed 's/Test unit written to //')
  echo "${s:-exit status $2}${a:+; reproducer $a}"
}

# Replays every regression input, then fuzzes for $2 seconds from the corpus; one TAP line.
check_one() {
  local n=$1 secs=$2 bin=$B/bin/fuzz_$1 log=$B/logs/check-$1.log work rc files nreg ncorp
  if [ ! -x "$bin" ]; then echo "not ok - fuzz_$n: $bin is not built (make)"; return; fi
  mkdir -p "$T/corpus/$n" "$T/regressions/$n" "$B/logs"
  shopt -s nullglob; files=("$T/regressions/$n"/*); shopt -u nullglob
  nreg=${#files[@]} ncorp=$(find "$T/corpus/$n" -type f | wc -l)
  : >"$log"
  if [ "$nreg" -gt 0 ]; then
    # shellcheck disable=SC2046
    "$bin" $(limits "$n") "${files[@]}" >>"$log" 2>&1; rc=$?
    if [ $rc -ne 0 ]; then echo "not ok - fuzz_$n: a regression input fails again: $(why "$log" $rc)"; return; fi
  fi
  work=$(mktemp -d "$B/check-$n.XXXXXX")
  # the MemorySanitizer build (core-only harnesses): every kept input once
  msan=""
  if [ -x "$B/msan/fuzz_$n" ]; then
    # shellcheck disable=SC2046
    "$B/msan/fuzz_$n" $(limits "$n") -runs=0 "$work" "$T/corpus/$n" "$T/regressions/$n" >>"$log" 2>&1; rc=$?
    if [ $rc -ne 0 ]; then rm -rf "$work"; echo "not ok - fuzz_$n (MSan): $(why "$log" $rc) (log: $log)"; return; fi
    msan=", MSan replay clean"
  fi
  # shellcheck disable=SC2046
  "$bin" $(options "$n") -max_total_time="$secs" "$work" "$T/corpus/$n" "$T/regressions/$n" >>"$log" 2>&1; rc=$?
  rm -rf "$work"
  if [ $rc -ne 0 ]; then echo "not ok - fuzz_$n: $(why "$log" $rc) (log: $log)"; return; fi
  echo "ok - fuzz_$n: $nreg regression inputs replayed, $ncorp corpus inputs$msan, $(execs "$log") executions in ${secs}s"
}

# A campaign for one harness: $2 seconds, from the kept inputs and earlier campaigns' finds.
long_one() {
  local n=$1 secs=$2 bin=$B/${FUZZ_SAN_DIR:-bin}/fuzz_$1 log=$B/logs/long-${FUZZ_SAN_DIR:-bin}-$1.log rc
  [ -x "$bin" ] || { echo "fuzz_$n: not built"; return 1; }
  mkdir -p "$B/work/$n" "$T/corpus/$n" "$T/regressions/$n" "$B/logs"
  # shellcheck disable=SC2046
  "$bin" $(options "$n") -use_value_profile=1 -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} "$B/work/$n" "$T/corpus/$n" \
    "$T/regressions/$n" >"$log" 2>&1; rc=$?
  if [ $rc -eq 0 ]; then
    printf 'fuzz_%-16s %12s executions in %ss, corpus %s\n' "$n" "$(execs "$log")" "$(elapsed "$log" "$secs")" \
      "$(find "$B/work/$n" -type f | wc -l)"
  else
    printf 'fuzz_%-16s FAILED after %s executions: %s (log: %s)\n' "$n" "$(execs "$log")" "$(why "$log" $rc)" "$log"
  fi
  return $rc
}

# The largest input merge keeps: 8 KiB, but the bzImage64 entry's inputs are physical memory
# with boot_params at 0x1000 and a bundle behind it, so 8 KiB is only where they start; a LUO
# memory vector holds a KHO FDT page and the blocks of a real state (about 20 KiB).
keep_max() {
  case "$1" in
    boot_params|luo) echo "${FUZZ_KEEP_MAX:-32768}" ;;
    *)           echo "${FUZZ_KEEP_MAX:-8192}" ;;
  esac
}

merge_one() {
  local n=$1 bin=$B/bin/fuzz_$1 before after
  [ -d "$B/work/$n" ] || return 0
  before=$(find "$T/corpus/$n" -type f | wc -l)
  "$bin" -merge=1 -max_len="$(keep_max "$n")" $(limits "$n") "$T/corpus/$n" "$B/work/$n" >"$B/logs/merge-$n.log" 2>&1 ||
    { echo "fuzz_$n: merge failed (log: $B/logs/merge-$n.log)"; return 1; }
  after=$(find "$T/corpus/$n" -type f | wc -l)
  echo "fuzz_$n: corpus $before -> $after inputs ($(du -sk "$T/corpus/$n" | cut -f1) KiB)"
}

# Runs FN NAME ARG for each name, $jobs at a time; each result is printed as soon as it and
# every one started before it are done (so in name order).
parallel() {
  local jobs=$1 fn=$2 arg=$3; shift 3
  local -a pids=() outs=()
  local name status=0 out
  for name in "$@"; do
    out=$(mktemp)
    "$fn" "$name" "$arg" >"$out" 2>&1 &
    pids+=($!) outs+=("$out")
    while [ ${#pids[@]} -ge "$jobs" ]; do
      wait "${pids[0]}" || status=1
      cat "${outs[0]}"; rm -f "${outs[0]}"
      pids=("${pids[@]:1}") outs=("${outs[@]:1}")
    done
  done
  while [ ${#pids[@]} -gt 0 ]; do
    wait "${pids[0]}" || status=1
    cat "${outs[0]}"; rm -f "${outs[0]}"
    pids=("${pids[@]:1}") outs=("${outs[@]:1}")
  done
  return $status
}

mkdir -p "$B/logs"
case "$mode" in
  check)
    secs=${1:-5}
    mapfile -t list < <(names)
    [ ${#list[@]} -gt 0 ] || { echo "not ok - no harnesses in $B/bin (run make)"; exit 1; }
    parallel "${FUZZ_JOBS:-2}" check_one "$secs" "${list[@]}"
    exit 0 ;;
  long)
    secs=${1:?usage: fuzz.sh long SECONDS [NAME...]}; shift
    mapfile -t list < <(names "$@")
    start=$(date +%s)
    parallel "${FUZZ_JOBS:-1}" long_one "$secs" "${list[@]}"; rc=$?
    echo "campaign: ${#list[@]} harnesses, ${secs}s each, $(( $(date +%s) - start ))s in all; new finds in $B/work/ (make fuzz-merge keeps them)"
    exit $rc ;;
  merge)
    mapfile -t list < <(names "$@")
    for n in "${list[@]}"; do merge_one "$n"; done ;;
  *) echo "usage: fuzz.sh check [SECONDS] | long SECONDS [NAME...] | merge [NAME...]" >&2; exit 2 ;;
esac
