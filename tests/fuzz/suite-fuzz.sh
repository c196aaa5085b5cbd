#!/usr/bin/env bash
# make check: every libFuzzer harness a few seconds (FUZZ_CHECK_SECONDS, default 5), after
# replaying its kept corpus and every regression input; one TAP line per harness. A crash is
# "not ok" and leaves its reproducer in tests/fuzz/regressions/NAME/ (docs/fuzzing.md).
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
exec tests/fuzz/fuzz.sh check "${FUZZ_CHECK_SECONDS:-5}"
