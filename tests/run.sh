#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
# A suite is an executable tests/<room>/suite-*.sh that prints TAP ("ok ..." / "not ok ...").
# A suite that exits non-zero without reporting a failure counts as one failure, so a crash
# or a missing prerequisite can never pass silently. LUGATE_SUITES="unit cli" narrows the run.
#
# The suites run in two lanes at once, because most of them keep one core busy (a QEMU TCG guest,
# an ASan build's programs, a libFuzzer harness) and the machine has two. The e2e rooms (e2e,
# e2e-arm64) are one lane on their own, in order: their suites are QEMU guests and share scratch
# under build/e2e. Every other room is the second lane. The benchmarks run last and alone, since
# they report speed ratios that a busy second core would blur. LUGATE_LANES=1 runs everything one
# after the other.
set -u
cd "$(dirname "$0")/.."
export LUGATE_TOP=$PWD BUILD=${BUILD:-build}
logs=$BUILD/test-logs
mkdir -p "$logs"
results=$logs/results
: >"$results"

wanted() { # wanted SUITE: whether LUGATE_SUITES selects its room
  local room
  room=$(basename "$(dirname "$1")")
  [ -z "${LUGATE_SUITES:-}" ] || [[ " $LUGATE_SUITES " == *" $room "* ]]
}

run_suite() { # run_suite SUITE: runs it, prints its line, appends "NAME OK NOK SKIP" to $results
  local suite=$1 name log start rc skip ok nok line
  name=${suite#tests/}; name=${name%.sh}
  log="$logs/${name//\//_}.log"
  start=$(date +%s)
  "$suite" >"$log" 2>&1; rc=$?
  # "ok ... # SKIP" is a skip, never a pass: it is counted apart and named in the summary.
  skip=$(grep -cE '^ok( |$).*# *SKIP' "$log"); ok=$(( $(grep -cE '^ok( |$)' "$log") - skip ))
  nok=$(grep -cE '^not ok( |$)' "$log")
  if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; echo "not ok - $name exited $rc without reporting a failure" >>"$log"; fi
  line=$(printf '%-34s %4d passed, %3d failed%s  (%ds)' "$name" "$ok" "$nok" \
    "$([ "$skip" -gt 0 ] && echo ", $skip skipped")" "$(( $(date +%s) - start ))")
  # one write per suite, so the two lanes' lines never interleave
  echo "$line"
  echo "$name $ok $nok $skip" >>"$results"
}

run_lane() { # run_lane SUITE...: one after the other
  local suite
  for suite in "$@"; do run_suite "$suite"; done
}

guest_lane=() host_lane=() last=()
for suite in tests/*/suite-*.sh; do
  [ -x "$suite" ] && wanted "$suite" || continue
  # a suite marked "on demand" has a make target of its own (make check-fleet), too slow for this run
  grep -q '^# on demand: make ' "$suite" && continue
  case $suite in
    tests/e2e/*|tests/e2e-arm64/*) guest_lane+=("$suite") ;;
    tests/bench/*) last+=("$suite") ;;
    *) host_lane+=("$suite") ;;
  esac
done

started=$(date +%s)
if [ "${LUGATE_LANES:-2}" = 1 ]; then
  run_lane "${host_lane[@]}" "${guest_lane[@]}"
else
  # The guest lane gets a process group of its own (job control), so that an interrupted run
  # stops that lane's suites as well; a QEMU a suite started under `timeout` sits in timeout's
  # own group and ends at its deadline.
  set -m
  run_lane "${guest_lane[@]}" &
  guest_pid=$!
  set +m
  trap 'kill -TERM -- "-$guest_pid" 2>/dev/null; exit 130' INT TERM
  run_lane "${host_lane[@]}"
  wait "$guest_pid"
  trap - INT TERM
fi
run_lane "${last[@]}"

passed=0 failed=0 skipped=0 failures=()
while read -r name ok nok skip; do
  passed=$((passed + ok)); failed=$((failed + nok)); skipped=$((skipped + skip))
  log="$logs/${name//\//_}.log"
  grep -E '^ok( |$).*# *SKIP' "$log" | sed "s|^|    $name: |"
  if [ "$nok" -gt 0 ]; then
    failures+=("$name")
    grep -E '^not ok' "$log" | head -20 | sed "s|^|    $name: |"
    echo "    (full log: $log)"
  fi
done <"$results"
echo "all suites took $(( $(date +%s) - started ))s"
[ ${#failures[@]} -gt 0 ] && echo "failed suites: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
