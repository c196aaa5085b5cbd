#!/usr/bin/env bash
# The unit, CLI and vector suites once more, against the ASan+UBSan build in build/asan/
# (mk/70-fuzz.mk: the core, the unit tests and the CLI compiled with -fsanitize=address,undefined
# -fno-sanitize-recover=all). Every test line is passed on, prefixed "asan"; a sanitizer report
# anywhere (a read out of bounds, undefined behaviour, a leak) is a failure of its own, naming
# the report's file, whatever the exit code of the program that made it.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
A=${BUILD:-build}/asan
[ -x "$A/lugate" ] || { echo "not ok - $A/lugate is not built (make check builds it: make asan)"; exit 1; }
# Debian kernels come from the normal build's cache, not a second download under build/asan.
export LUGATE_KERNEL_CACHE=${LUGATE_KERNEL_CACHE:-${BUILD:-build}/kernels}
reports=$(mktemp -d); trap 'rm -rf "$reports"' EXIT
# exit codes no test expects (0-3 are lugate's own), reports into files we can look at
export ASAN_OPTIONS="log_path=$reports/asan:exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:exitcode=87:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="exitcode=88"

run() { # run SUITE [SCRIPT]: its TAP lines, renamed "asan SUITE: ..."
  local suite=$1 script=${2:-tests/$1/suite-$1.sh} rc
  BUILD=$A "$script" >"$reports/$suite.out" 2>&1; rc=$?
  sed -nE "s/^(not )?ok( [0-9]+)? - (.*)$/\1ok - asan $suite: \3/p" "$reports/$suite.out"
  grep -E '^#' "$reports/$suite.out" | grep -vE '^# (test_|stderr|stdout)' | head -5
  [ "$rc" -eq 0 ] || echo "not ok - asan $suite: the suite exited $rc"
}
run unit
run cli
run parsing tests/cli/suite-parsing.sh
# `lugate load` with its fake kexec; the loader image is the normal build's (not a host program),
# and the installed-layout check stays with the normal run (make install builds the tree)
LUGATE_LOADER=${BUILD:-build}/loader.elf LOAD_SUITE_NO_INSTALL=1 run load tests/cli/suite-load.sh
# the outgoing kernel's handlers and FLBs: the record scan over small images and the real 7.3 kernel
LUGATE_LOADER=${BUILD:-build}/loader.elf LUGATE_KERNEL_BUILD=${BUILD:-build} run outgoing tests/cli/suite-outgoing.sh
run vectors
found=0
for r in "$reports"/asan.* "$reports"/ubsan.*; do
  [ -e "$r" ] || continue
  found=1
  echo "not ok - sanitizer report $(basename "$r"): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$r" | cut -c1-200)"
  sed 's/^/# /' "$r" | head -30
done
[ $found -eq 0 ] && echo "ok - no sanitizer report from any program the unit, CLI and vector suites ran"
exit 0
