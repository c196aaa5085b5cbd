# Helpers for tests/e2e/suite-loader.sh (source after tests/e2e/lib.sh).
#
#   qemu_boot NAME KERNEL INITRD APPEND  the same with any -kernel (the kexec cases)
#   loader_boot NAME MODULES APPEND   boot build/loader.elf under QEMU TCG with the multiboot
#                                     modules MODULES ("file role=R,file role=R,..."), serial to
#                                     $W/NAME.log, isa-debug-exit on; sets CASE_LOG, CASE_RC
#   case_begin NAME / case_end        group the assertions of one case; case_end prints the
#                                     case's serial log (loader and guest lines) if one failed
#   expect_rc WANT TEXT               QEMU's exit status
#   expect_log TEXT DESCRIPTION       the serial log contains TEXT (fixed string)
#   expect_no_log TEXT DESCRIPTION    ... and never TEXT
#   expect_log_re REGEX DESCRIPTION   a line of the serial log matches REGEX (extended)
#   guest_field NAME                  value of NAME=... on the guest's "LUGATE-E2E kernel=" line
#
# Exit status under test: isa-debug-exit maps the loader's stop code C to (C << 1) | 1; a guest
# that powers off ends QEMU with 0; 124 is the timeout.
LOADER_ELF=${LOADER_ELF:-$E2E_BUILD/loader.elf}
CASE_NAME="" CASE_FAILED=0 CASE_LOG="" CASE_RC=0

loader_boot() {
  qemu_boot "$1" "$LOADER_ELF" "$2" "$3"
}

qemu_boot() {  # qemu_boot NAME KERNEL INITRD APPEND: the same with any -kernel
  local name=$1
  CASE_LOG=$W/$name.log
  e2e_qemu "$CASE_LOG" "$2" "$3" "$4" -device isa-debug-exit,iobase=0xf4,iosize=0x04
  CASE_RC=$?
  echo "# $name: QEMU exit $CASE_RC after ${E2E_QEMU_SECONDS}s"
}

case_begin() { CASE_NAME=$1; CASE_FAILED=0; }

case_ok() { tap_ok "$CASE_NAME: $1"; }
case_not_ok() { tap_not_ok "$CASE_NAME: $1" "${2:-}"; CASE_FAILED=1; }

expect_rc() {  # on a wrong exit the reason carries the serial log's last line: CI summaries keep only that line
  local last
  if [ "$CASE_RC" -eq "$1" ]; then case_ok "$2 (QEMU exit $CASE_RC)"
  else
    last=$(grep -a '[[:graph:]]' "$CASE_LOG" 2>/dev/null | tail -n 1 | cut -c1-160)
    case_not_ok "$2" "QEMU exit $CASE_RC, want $1; last serial line: ${last:-(none)}"
  fi
}

expect_log() {
  if e2e_log_has "$CASE_LOG" "$1"; then case_ok "$2"; else case_not_ok "$2" "log lacks: $1"; fi
}

expect_log_re() {  # expect_log_re REGEX DESCRIPTION: a line of the log matches REGEX (extended)
  if e2e_log_has_re "$CASE_LOG" "$1"; then case_ok "$2"; else case_not_ok "$2" "no log line matches: $1"; fi
}

expect_no_log() {
  if e2e_log_has "$CASE_LOG" "$1"; then case_not_ok "$2" "log has: $1"; else case_ok "$2"; fi
}

guest_field() {
  tr -d '\r' <"$CASE_LOG" | grep -a '^LUGATE-E2E kernel=' | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

expect_guest() {  # expect_guest FIELD VALUE DESCRIPTION
  local got
  got=$(guest_field "$1")
  if [ "$got" = "$2" ]; then case_ok "$3 ($1=$got)"; else case_not_ok "$3" "$1='$got', want '$2'"; fi
}

case_end() {
  if [ "$CASE_FAILED" -ne 0 ] && [ -f "$CASE_LOG" ]; then
    echo "# ---- serial log of $CASE_NAME ($CASE_LOG): loader and guest lines, then the tail ----"
    tr -d '\r' <"$CASE_LOG" | grep -aE '^(lugate-loader|LUGATE-E2E|E2E-INIT)' | sed 's/^/# /'
    echo "# ---- last other lines ----"
    tr -d '\r' <"$CASE_LOG" | grep -avE '^(lugate-loader|LUGATE-E2E|E2E-INIT)' | tail -n 12 | sed 's/^/# /'
    [ -s "$CASE_LOG.qemu" ] && sed 's/^/# qemu: /' "$CASE_LOG.qemu"
  fi
  return 0
}
