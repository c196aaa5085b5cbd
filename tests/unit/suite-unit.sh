#!/usr/bin/env bash
# Runs every cmocka unit program in TAP mode.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
B=${BUILD:-build}/tests/unit
shopt -s nullglob
progs=("$B"/test_*)
[ ${#progs[@]} -gt 0 ] || { echo "not ok - no unit test programs in $B (run make)"; exit 1; }
rc=0
for p in "${progs[@]}"; do
  [ -x "$p" ] && [ "${p%.d}" = "$p" ] || continue
  echo "# $(basename "$p")"
  CMOCKA_MESSAGE_OUTPUT=TAP "$p" | sed -E 's/^(not )?ok [0-9]+ - /&'"$(basename "$p")"': /'
  st=${PIPESTATUS[0]}
  [ "$st" -eq 0 ] || { echo "# $(basename "$p") exited $st"; rc=1; }
done
exit $rc
