#!/usr/bin/env bash
# lugate.efi (build/lugate.efi, docs/test-rig.md) boots real Debian kernels under OVMF, QEMU TCG.
#
# Each case is a fresh ESP folder served to OVMF as a vvfat disk, with the app as
# \EFI\BOOT\BOOTX64.EFI (removable-media boot, no shell) and its inputs under \lugate\
# (lugate.conf, the kernels, the sealed table, the initramfs). The guest is the loader e2e's
# busybox initramfs check (tests/e2e/loader/guest-check.sh: the setup_data delivery record,
# the table's SHA-256 against the one computed here) preceded by tests/e2e/efi/guest-efi.sh
# (the same record found again through the EFI configuration table). The target is Debian's
# 6.1.0-56-amd64, the fallback 6.1.0-55-amd64, so `uname -r` in the guest tells which booted.
#
# Cases: allowed boot, table byte-exact by both routes; the target changed after
# sealing -> the fallback boots and sees the refused table; a corrupt table and no fallback ->
# back to the firmware with the message (OVMF's own log names the status, its shell then runs
# \startup.nsh), no kernel entered. Extra: started from the UEFI shell with load options that
# override the configuration (an unsealed table; a misspelt key); the status the app returns is what the shell
# sees. Images and tables come from the CLI (lugate embed, handoff build, seal), and the host's
# `lugate check` must agree with the app.
# Before them: the app's PE/relocation shape (its configuration parser is tested in tests/unit/test_efi_config.c).
# Nothing is skipped: if QEMU, OVMF, a kernel or a tool is missing, the cases report "not ok".
set -u
here=$(cd "$(dirname "$0")" && pwd)
# OVMF + a Debian kernel take 15-30 s under TCG on an idle machine; leave room for a busy one.
: "${E2E_TIMEOUT:=240}"
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/loader/lib-loader.sh
. "$here/loader/lib-loader.sh"
# shellcheck source=tests/e2e/efi/lib-efi.sh
. "$here/efi/lib-efi.sh"
cd "$LUGATE_TOP" || exit 1

EFI_SO=$E2E_BUILD/efi/lugate.so
LUGATE=$E2E_BUILD/lugate
TARGET_REL=6.1.0-56-amd64
FALLBACK_REL=6.1.0-55-amd64
GUID_A=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
BASE_CMDLINE="console=ttyS0 panic=-1"
CASES="allowed changed corrupt shell-options"

abort() {  # every case is reported failed, with the reason
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

# ---- prerequisites ----------------------------------------------------------------------------
e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum objdump readelf ||
  abort "e2e tools missing (scripts/deps.sh e2e)"
for f in "$OVMF_CODE" "$OVMF_VARS"; do [ -s "$f" ] || abort "OVMF firmware $f missing (install ovmf)"; done
for f in "$EFI_APP" "$LUGATE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
target=$(scripts/debian-kernel.sh "$TARGET_REL") || abort "Debian kernel $TARGET_REL unavailable"
fallback=$(scripts/debian-kernel.sh "$FALLBACK_REL") || abort "Debian kernel $FALLBACK_REL unavailable"
W=$(e2e_workdir efi) || abort "no work directory"
tap_ok "lugate.efi $(stat -c %s "$EFI_APP") bytes; kernels $TARGET_REL and $FALLBACK_REL available"

# ---- the app's shape ---------------------------------------------------------------------------
if objdump -x "$EFI_APP" 2>/dev/null | grep -q 'file format pei-x86-64' &&
   objdump -x "$EFI_APP" | grep -qE 'Subsystem[[:space:]]+0000000a'; then
  tap_ok "build/lugate.efi is a PE32+ x86-64 EFI application (subsystem 10)"
else
  tap_not_ok "build/lugate.efi is a PE32+ x86-64 EFI application" "$(objdump -f "$EFI_APP" 2>&1 | tail -2 | tr '\n' ' ')"
fi
relocs=$(readelf -rW "$EFI_SO" 2>/dev/null | awk '/R_X86_64_/{print $3}' | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')
if [ -n "$relocs" ] && ! readelf -rW "$EFI_SO" | awk '/R_X86_64_/{print $3}' | grep -qv '^R_X86_64_RELATIVE$'; then
  tap_ok "only R_X86_64_RELATIVE relocations, which crt0 applies ($relocs)"
else
  tap_not_ok "only R_X86_64_RELATIVE relocations" "found: $relocs"
fi
if objdump -d "$EFI_SO" | grep -q '%fs:0x28'; then
  tap_not_ok "no stack-protector canary reads (%fs:0x28): UEFI has no TLS"
else
  tap_ok "no stack-protector canary reads (%fs:0x28): UEFI has no TLS"
fi

# ---- guest, images, tables ---------------------------------------------------------------------
{ e2e_initramfs_new "$W/ir" &&
  cat "$here/efi/guest-efi.sh" "$here/loader/guest-check.sh" | e2e_initramfs_init "$W/ir" &&
  e2e_initramfs_pack "$W/ir" "$W/initrd.gz"; } >&2 || abort "cannot build the guest initramfs"
cp "$fallback" "$W/fallback.img" || abort "cannot copy the fallback kernel"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# The product path, with the CLI: the target stamped with its manifest (`lugate embed`), the
# outgoing kernel's handoff table (`lugate handoff build`), sealed to the stamped target and the
# fallback (`lugate seal`, which checks first and refuses to seal what it would refuse to boot).
cli() {  # cli DESCRIPTION ARGS...: run build/lugate, one TAP line
  local what=$1; shift
  if "$LUGATE" "$@" >"$W/cli.out" 2>&1; then tap_ok "CLI: $what"
  else tap_not_ok "CLI: $what" "lugate $*: $(head -3 "$W/cli.out" | tr '\n' ' ')"; return 1; fi
}
cat >"$W/manifest.json" <<JSON
{"release": "$TARGET_REL", "schemas": [{"guid": "$GUID_A", "min_version": 1, "max_version": 4}]}
JSON
cat >"$W/devices.json" <<JSON
{"release": "$FALLBACK_REL", "devices": [{"address": "0000:3b:00.0", "vendor": "0x15b3", "device": "0x101d",
 "class": "0x020000", "schema": "$GUID_A", "schema_version": 3, "driver": "mlx5_core"}]}
JSON
if ! { cli "lugate embed stamps the target with its manifest" embed --manifest "$W/manifest.json" "$target" \
          -o "$W/target.img" &&
        cli "lugate handoff build makes the outgoing table (one preserved device)" handoff build \
          --devices "$W/devices.json" -o "$W/t-unsealed.bin" &&
        cli "lugate seal binds it to the stamped target and the fallback" seal --handoff "$W/t-unsealed.bin" \
          --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/t1.bin"; }; then
  abort "the CLI could not make the images and tables"
fi
cp "$W/target.img" "$W/target-changed.img"
printf 'X' | dd of="$W/target-changed.img" bs=1 seek=$((0x300000)) conv=notrunc 2>/dev/null
cp "$W/t1.bin" "$W/t-corrupt.bin"
printf '\xff' | dd of="$W/t-corrupt.bin" bs=1 seek=100 conv=notrunc 2>/dev/null

# The admin's dry run on the host must say what the app will say (same core).
cli_agrees() {  # cli_agrees TABLE IMAGE WANT_RC WHAT
  "$LUGATE" check --handoff "$1" --kernel "$2" >"$W/cli.out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$3" ]; then case_ok "lugate check on the host agrees: $4 (exit $rc)"
  else case_not_ok "lugate check on the host agrees: $4" "exit $rc: $(head -3 "$W/cli.out" | tr '\n' ' ')"; fi
}

# esp_with NAME TARGET TABLE EXPECT [fallback]: an ESP whose \lugate\lugate.conf boots TARGET
# with TABLE; EXPECT is the guest's lugate_e2e.expect (allowed,target or refused,fallback).
esp_with() {
  local esp=$W/$1/esp
  efi_esp "$esp" &&
    cp "$2" "$esp/lugate/vmlinuz" && cp "$3" "$esp/lugate/table.bin" && cp "$W/initrd.gz" "$esp/lugate/initrd.gz" &&
    {
      echo "# lugate.efi e2e case $1"
      echo "kernel = vmlinuz"
      echo "initrd = initrd.gz"
      echo "table = table.bin"
      echo "cmdline = $BASE_CMDLINE lugate_e2e.table_sha256=$(sha "$3") lugate_e2e.expect=$4"
    } >"$esp/lugate/lugate.conf" || return 1
  if [ "${5:-}" = fallback ]; then
    cp "$W/fallback.img" "$esp/lugate/fallback" &&
      printf 'fallback = fallback\nfallback-initrd = initrd.gz\n' >>"$esp/lugate/lugate.conf"
  fi
}

# Both delivery routes in the booted kernel: setup_data (guest-check.sh) and the configuration
# table (guest-efi.sh) carry the same record, at the same address.
expect_both_routes() {
  local sd rec
  expect_guest table_sha256 "$(sha "$1")" "the table arrived byte-exact in the setup_data entry"
  expect_log "LUGATE-E2E PASS" "the guest's own checks passed"
  if [ "$(efi_field same_as_setup_data)" = yes ]; then
    case_ok "the EFI configuration table $LUGATE_EFI_GUID points at the same record (efi=$(efi_field efi))"
  else
    case_not_ok "the EFI configuration table points at the same record" \
      "$(grep -a '^LUGATE-EFI' "$CASE_LOG" | tail -1)"
  fi
  sd=$(sed -n 's/^LUGATE-E2E setup_data_addr=0x0*\([0-9a-f]*\).*/\1/p' "$CASE_LOG" | tail -1)
  rec=$(efi_field record | sed 's/^0x0*//')
  if [ -n "$sd" ] && [ -n "$rec" ] && [ $((16#$rec)) -eq $((16#$sd + 16)) ]; then
    case_ok "the configuration table's record is the setup_data entry's data (0x$rec = 0x$sd + 16)"
  else
    case_not_ok "the configuration table's record is the setup_data entry's data" "record 0x$rec, setup_data 0x$sd"
  fi
}
LUGATE_EFI_GUID=17fa1e4e-7e9c-4fb8-8f81-e6cebf615530

# ---- allowed boot ------------------------------------------------------------------------------
case_begin "case allowed (sealed target boots)"
esp_with allowed "$W/target.img" "$W/t1.bin" allowed,target fallback || case_not_ok "make the ESP"
efi_boot allowed "$W/allowed/esp"
expect_rc 0 "the guest powered off"
expect_log "lugate-efi: configuration \\lugate\\lugate.conf: " "the app read \\lugate\\lugate.conf from the ESP"
expect_log "(trailer), init_size" "the app found the manifest \`lugate embed\` stamped into the target"
expect_log "lugate-efi: verdict: ALLOW $FALLBACK_REL -> $TARGET_REL (path stable-next, 1 device(s)" \
  "the app allowed $FALLBACK_REL -> $TARGET_REL with the preserved device"
expect_log "lugate-efi: entering the kernel's EFI handover entry at 0x" "the app entered the kernel's EFI handover entry"
expect_no_log "booting the FALLBACK" "the fallback was not booted"
expect_no_log "$EFI_BACK_MARKER" "the firmware never got control back"
n=$(e2e_log_count "$CASE_LOG" "lugate-efi: verdict: ")
if [ "$n" -eq 1 ]; then case_ok "each line reaches the serial log once (ConOut already reaches the UART)"
else case_not_ok "each line reaches the serial log once" "the verdict line is there $n times"; fi
expect_guest kernel "$TARGET_REL" "the target kernel booted"
expect_guest verdict 1 "the delivery record says allowed"
expect_guest booted 1 "the delivery record says the target booted"
expect_both_routes "$W/t1.bin"
cli_agrees "$W/t1.bin" "$W/target.img" 0 "allow"
efi_case_end

# ---- the target changed after sealing -> fallback ----------------------------------------------
case_begin "case changed (target changed after sealing -> fallback)"
esp_with changed "$W/target-changed.img" "$W/t1.bin" refused,fallback fallback || case_not_ok "make the ESP"
efi_boot changed "$W/changed/esp"
expect_rc 0 "the fallback guest powered off"
expect_log "lugate-efi: verdict: REFUSED" "the app refused"
expect_log "lugate-efi:   reason image-mismatch: " "the refusal names 'image-mismatch'"
expect_log "lugate-efi: fallback: matches the fallback hash sealed in the table" "the fallback matched its sealed hash"
expect_log "lugate-efi: booting the FALLBACK kernel, table delivered marked refused" "the app booted the fallback"
expect_no_log "booting the TARGET" "the changed target was never entered"
expect_guest kernel "$FALLBACK_REL" "the fallback kernel ($FALLBACK_REL) is what booted"
expect_guest verdict 2 "the delivery record says refused"
expect_guest booted 2 "the delivery record says the fallback booted"
expect_guest flags 0x1 "the delivery record says the fallback was verified"
expect_guest reasons 10 "the delivery record names image-mismatch (10)"
expect_both_routes "$W/t1.bin"
cli_agrees "$W/t1.bin" "$W/target-changed.img" 1 "refuse"
efi_case_end

# ---- corrupt table, no fallback -> back to the firmware ----------------------------------------
case_begin "case corrupt (corrupt table, no fallback -> firmware)"
esp_with corrupt "$W/target.img" "$W/t-corrupt.bin" allowed,target || case_not_ok "make the ESP"
efi_boot corrupt "$W/corrupt/esp"
expect_rc 0 "QEMU ended through the firmware's shell (reset -s)"
expect_log "lugate-efi:   reason table-corrupt: " "the refusal names 'table-corrupt'"
expect_log "lugate-efi: STOP: refused, and no fallback kernel was configured (fallback=) (nothing was booted; returning to the firmware with status Security Violation, 0x800000000000001a)" \
  "the app printed why it returns, and the status"
if grep -aqE '^BdsDxe: failed to start Boot[0-9A-F]{4} .*: Security Violation$' "$CASE_LOG"; then
  case_ok "OVMF's boot manager got Security Violation back from the app"
else
  case_not_ok "OVMF's boot manager got Security Violation back from the app"
fi
expect_log "$EFI_BACK_MARKER" "the firmware went on to its next boot option (shell, startup.nsh)"
expect_no_log "entering the kernel" "no kernel was entered"
expect_no_log "Linux version" "no kernel ran"
efi_case_end

# ---- started from the UEFI shell, load options override the configuration ----------------------
case_begin "case shell-options (UEFI shell, load options override, returned status)"
esp=$W/shell-options/esp
if efi_esp "$esp" --shell && cp "$W/target.img" "$esp/lugate/vmlinuz" && cp "$W/t1.bin" "$esp/lugate/table.bin" &&
   cp "$W/t-unsealed.bin" "$esp/lugate/t-unsealed.bin" &&
   printf 'kernel = vmlinuz\ntable = table.bin\ncmdline = %s\nkernal = typo\n' "$BASE_CMDLINE" >"$esp/lugate/nofb.conf"; then
  printf '%s\r\n' 'fs0:\EFI\lugate\lugate.efi config=\lugate\nofb.conf table=t-unsealed.bin' \
    'echo LUGATE-EFI-TEST: lugate.efi returned %lasterror%' "echo $EFI_BACK_MARKER" 'reset -s' >"$esp/startup.nsh"
else
  case_not_ok "make the ESP"
fi
efi_boot shell-options "$esp"
expect_rc 0 "QEMU ended through the shell (reset -s)"
expect_log 'lugate-efi: load options: "' "the app read its load options"
expect_log "lugate-efi: configuration \\lugate\\nofb.conf: " "config= chose another configuration file"
expect_log "lugate-efi:   table = \\lugate\\t-unsealed.bin   (from the load options)" "table= in the options overrode the file"
expect_log "lugate-efi:   reason table-unsealed: " "the refusal names 'table-unsealed'"
expect_log "lugate-efi:   reason bad-config: configuration line 4: unknown key 'kernal'" \
  "a malformed configuration line is a reason of its own (bad-config), with its line"
expect_log "lugate-efi: STOP: refused, and no fallback kernel was configured" "no fallback: the app gives up"
# The shell's %lasterror% shows an EFI status without its error bit: 0x1A = 26, Security Violation.
if grep -aqE '^LUGATE-EFI-TEST: lugate.efi returned 0x1A$' "$CASE_LOG"; then
  case_ok "the shell saw the app return Security Violation (lasterror 0x1A)"
else
  case_not_ok "the shell saw the app return Security Violation" "$(grep -a 'lugate.efi returned' "$CASE_LOG")"
fi
expect_no_log "entering the kernel" "no kernel was entered"
efi_case_end

tap_finish
