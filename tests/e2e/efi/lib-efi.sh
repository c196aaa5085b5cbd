# shellcheck shell=bash
# Helpers for tests/e2e/suite-efi.sh (source after tests/e2e/lib.sh and
# tests/e2e/loader/lib-loader.sh, whose case_begin / expect_* / guest_field this reuses).
#
#   efi_esp DIR [--shell]   a fresh ESP folder: lugate.efi as \EFI\BOOT\BOOTX64.EFI (OVMF boots
#                           it as removable media, no shell), or with --shell as
#                           \EFI\lugate\lugate.efi only (OVMF then falls through to its UEFI
#                           shell, which runs \startup.nsh); a default \startup.nsh that says the
#                           firmware got control back and powers off (reset -s)
#   efi_boot NAME ESP       boot OVMF under TCG (fresh copy of the VARS store per run) with ESP
#                           as a vvfat disk; sets CASE_LOG (serial, cleaned of CRs and ANSI
#                           escapes) and CASE_RC. The machine is efi_qemu's, which a suite for
#                           another architecture redefines (tests/e2e-arm64/suite-efi-arm64.sh:
#                           QEMU virt with AAVMF), with EFI_APP, EFI_BOOT_FILE and EFI_FW_VARS
#   efi_case_end            like case_end, for the app's lines
#
# OVMF's own words are evidence too: BdsDxe prints "failed to start Boot0002 ...: <status>"
# when an EFI application returns an error to it.
# OVMF_CODE and OVMF_VARS: tests/e2e/lib.sh.
EFI_APP=${EFI_APP:-$E2E_BUILD/lugate.efi}
EFI_BOOT_FILE=${EFI_BOOT_FILE:-BOOTX64.EFI}   # the removable-media path's name for this architecture
EFI_FW_VARS=${EFI_FW_VARS:-$OVMF_VARS}
EFI_BACK_MARKER="LUGATE-EFI-TEST: back in the firmware"

efi_esp() {
  local dir=$1 mode=${2:-}
  rm -rf "$dir" && mkdir -p "$dir/lugate" || return 1
  if [ "$mode" = --shell ]; then
    mkdir -p "$dir/EFI/lugate" && cp "$EFI_APP" "$dir/EFI/lugate/lugate.efi" || return 1
  else
    mkdir -p "$dir/EFI/BOOT" && cp "$EFI_APP" "$dir/EFI/BOOT/$EFI_BOOT_FILE" || return 1
  fi
  printf 'echo %s\r\nreset -s\r\n' "$EFI_BACK_MARKER" >"$dir/startup.nsh"
}

# efi_qemu VARS ESP SERIAL: the firmware with this variable store, the ESP folder as a vvfat
# disk, the serial port into SERIAL, under a timeout.
efi_qemu() {
  timeout --kill-after=5 "$E2E_TIMEOUT" qemu-system-x86_64 -accel tcg -m "$E2E_MEM" \
    -drive if=pflash,format=raw,unit=0,readonly=on,file="$OVMF_CODE" \
    -drive if=pflash,format=raw,unit=1,file="$1" \
    -drive file=fat:rw:"$2",format=raw,media=disk \
    -display none -monitor none -net none -no-reboot -serial "file:$3"
}

efi_boot() {
  local name=$1 esp=$2 raw t0
  CASE_LOG=$W/$name.log
  raw=$W/$name.serial
  : >"$raw"
  if ! cp "$EFI_FW_VARS" "$W/$name.vars.fd"; then
    CASE_RC=1; : >"$CASE_LOG"; echo "# $name: cannot copy $EFI_FW_VARS"; return 1
  fi
  t0=$(date +%s.%N)
  efi_qemu "$W/$name.vars.fd" "$esp" "$raw" </dev/null >"$CASE_LOG.qemu" 2>&1
  CASE_RC=$?
  E2E_QEMU_SECONDS=$(printf '%.2f' "$(echo "$(date +%s.%N) - $t0" | bc)")
  tr -d '\r' <"$raw" | sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g' >"$CASE_LOG"
  [ "$CASE_RC" -eq 124 ] && echo "# $name: QEMU timed out after ${E2E_TIMEOUT}s"
  echo "# $name: QEMU exit $CASE_RC after ${E2E_QEMU_SECONDS}s"
  echo "# $name: QEMU exit $CASE_RC after ${E2E_QEMU_SECONDS}s" >&2
}

efi_case_end() {
  if [ "$CASE_FAILED" -ne 0 ] && [ -f "$CASE_LOG" ]; then
    echo "# ---- serial log of $CASE_NAME ($CASE_LOG): firmware, app and guest lines, then the tail ----"
    grep -aE '^(BdsDxe|lugate-efi|LUGATE-E|E2E-INIT)|EFI stub' "$CASE_LOG" | sed 's/^/# /'
    echo "# ---- last other lines ----"
    grep -avE '^(BdsDxe|lugate-efi|LUGATE-E|E2E-INIT)' "$CASE_LOG" | tail -n 12 | sed 's/^/# /'
    [ -s "$CASE_LOG.qemu" ] && sed 's/^/# qemu: /' "$CASE_LOG.qemu"
  fi
  return 0
}

# efi_field NAME: value of NAME=... on the guest's "LUGATE-EFI efi=" line (the config-table route).
efi_field() {
  grep -a '^LUGATE-EFI efi=' "$CASE_LOG" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}
