#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
# A suite is an executable tests/<room>/suite-*.sh that prints TAP ("ok ..." / "not ok ...").
# A suite that exits non-zero without reporting a failure counts as one failure, so a crash
# or a missing prerequisite can never pass silently. LUGATE_SUITES="unit cli" narrows the run.
set -u
cd "$(dirname "$0")/.."
export LUGATE_TOP=$PWD BUILD=${BUILD:-build}
passed=0 failed=0 skipped=0 failures=()
mkdir -p "$BUILD/test-logs"
for suite in tests/*/suite-*.sh; do
  [ -x "$suite" ] || continue
  room=$(basename "$(dirname "$suite")")
  if [ -n "${LUGATE_SUITES:-}" ] && ! [[ " $LUGATE_SUITES " == *" $room "* ]]; then continue; fi
  name=${suite#tests/}; name=${name%.sh}
  log="$BUILD/test-logs/${name//\//_}.log"
  start=$(date +%s)
  "$suite" >"$log" 2>&1; rc=$?
  # "ok ... # SKIP" is a skip, never a pass: it is counted apart and named in the summary.
  skip=$(grep -cE '^ok( |$).*# *SKIP' "$log"); ok=$(( $(grep -cE '^ok( |$)' "$log") - skip ))
  nok=$(grep -cE '^not ok( |$)' "$log")
  if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; echo "not ok - $name exited $rc without reporting a failure" >>"$log"; fi
  passed=$((passed + ok)); failed=$((failed + nok)); skipped=$((skipped + skip))
  printf '%-34s %4d passed, %3d failed%s  (%ds)\n' "$name" "$ok" "$nok" \
    "$([ "$skip" -gt 0 ] && echo ", $skip skipped")" "$(( $(date +%s) - start ))"
  grep -E '^ok( |$).*# *SKIP' "$log" | sed 's/^/    /'
  if [ "$nok" -gt 0 ]; then
    failures+=("$name")
    grep -E '^not ok' "$log" | head -20 | sed 's/^/    /'
    echo "    (full log: $log)"
  fi
done
[ ${#failures[@]} -gt 0 ] && echo "failed suites: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
