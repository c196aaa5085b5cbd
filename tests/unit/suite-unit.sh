#!/usr/bin/env bash
# Runs every cmocka unit program in TAP mode.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
B=${BUILD:-build}/tests/unit
shopt -s nullglob
progs=("$B"/test_*)
[ ${#progs[@]} -gt 0 ] || { echo "not ok - no unit test programs in $B (run make)"; exit 1; }
# test_loader's real-kernel checks take a real Debian kernel (scripts/debian-kernel.sh, cached).
# If it cannot be had, the test skips, and tests/run.sh names the skip: it never counts as passed.
if [ -z "${LUGATE_TEST_KERNEL:-}" ]; then
  LUGATE_TEST_KERNEL=$(scripts/debian-kernel.sh 6.1.0-56-amd64 2>/dev/null) ||
    LUGATE_TEST_KERNEL=$(ls "${LUGATE_KERNEL_CACHE:-${BUILD:-build}/kernels}"/vmlinuz-* 2>/dev/null | head -1)
fi
export LUGATE_TEST_KERNEL
rc=0
for p in "${progs[@]}"; do
  [ -x "$p" ] && [ "${p%.d}" = "$p" ] || continue
  echo "# $(basename "$p")"
  # cmocka 1.1 prints a skip() as "not ok N # SKIP name": rewrite it to TAP's "ok N - ... # SKIP
  # why" (a "# SKIP reason: why" line before it gives the why), so tests/run.sh counts it as a
  # skip, neither passed nor failed.
  CMOCKA_MESSAGE_OUTPUT=TAP "$p" | awk -v prog="$(basename "$p")" '
    /^# SKIP reason: / { why = substr($0, 16); next }
    /^not ok [0-9]+ # SKIP / { n = $3; sub(/^not ok [0-9]+ # SKIP /, "");
                               print "ok " n " - " prog ": " $0 " # SKIP " why; why = ""; next }
    { sub(/^(not )?ok [0-9]+ - /, "&" prog ": "); print }'
  st=${PIPESTATUS[0]}
  [ "$st" -eq 0 ] || { echo "# $(basename "$p") exited $st"; rc=1; }
done
exit $rc
