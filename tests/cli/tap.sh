# Tiny TAP helpers for CLI suites (sourced).
#   expect NAME RC CMD...     run CMD, require exit RC; keeps $OUT/$ERR for follow-ups
#   expect_err_line TEXT      stderr is exactly one line and contains TEXT (for the last run)
#   expect_out TEXT           stdout contains TEXT (for the last run)
#   check NAME CMD...         ok if CMD succeeds
T_TMP=$(mktemp -d); [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$T_TMP"' EXIT
OUT=$T_TMP/out ERR=$T_TMP/err LAST=""
expect() {
  local name=$1 want=$2; shift 2
  LAST=$name
  "$@" >"$OUT" 2>"$ERR"; local rc=$?
  if [ "$rc" -eq "$want" ]; then echo "ok - $name"; else
    echo "not ok - $name: exit $rc, want $want"; sed 's/^/# stderr: /' "$ERR" | head -5; fi
}
expect_err_line() {
  local n; n=$(wc -l <"$ERR")
  if [ "$n" -eq 1 ] && grep -qF -- "$1" "$ERR"; then echo "ok - $LAST: one-line error mentions '$1'"; else
    echo "not ok - $LAST: want one stderr line containing '$1', got $n line(s)"; sed 's/^/# stderr: /' "$ERR" | head -5; fi
}
expect_out() {
  if grep -qF -- "$1" "$OUT"; then echo "ok - $LAST: output has '$1'"; else
    echo "not ok - $LAST: output lacks '$1'"; sed 's/^/# stdout: /' "$OUT" | head -10; fi
}
check() {
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then echo "ok - $name"; else echo "not ok - $name"; fi
}
# tap_lugate: B, the build directory (absolute); L, its lugate, which must be built; W, scratch
tap_lugate() {
  case "${BUILD:-build}" in /*) B=$BUILD ;; *) B=$PWD/${BUILD:-build} ;; esac
  L=$B/lugate
  [ -x "$L" ] || { echo "not ok - $L is not built"; exit 1; }
  W=$T_TMP/w; mkdir -p "$W"
}
