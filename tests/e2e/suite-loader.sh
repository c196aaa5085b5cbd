#!/usr/bin/env bash
# The bare-metal loader (build/loader.elf, docs/loader.md) boots real Debian kernels under QEMU TCG.
#
# QEMU's -kernel starts the loader through Multiboot v1 with the kernels, the sealed table and
# the initramfs as modules ("file role=R"). The guest is a busybox-static initramfs whose /init
# (tests/e2e/loader/guest-check.sh) finds the lugate setup_data entry under
# /sys/kernel/boot_params/setup_data/*/, checks the delivered table's SHA-256 against the one
# computed here on the host, and reports the delivery record's verdict. The target is Debian's
# 6.1.0-56-amd64, the fallback 6.1.0-55-amd64, so `uname -r` in the guest tells which one booted.
#
# Cases: 1 allowed upgrade, table byte-exact; 2 target changed after sealing -> fallback;
# 3 schema missing -> fallback; 4 downgrade -> fallback; 5 corrupt table, no fallback -> the
# loader stops with its message and exit code; 6 the table's range is reserved in the e820 map
# the kernel printed. Extra: an unsealed table and a fallback that is not the sealed one stop.
# Case 1 also reads the loader's TSC phase split (loader_split, docs/performance.md): present, adds up.
# What a stop does next (lugate.stop, docs/loader.md "When the loader stops"): reboot:1 resets
# pc through port 0xCF9 (its ACPI 1.0 FADT has no reset register) and q35 through the FADT's
# reset register; microvm without ACPI falls through CF9 and the keyboard controller to the
# triple fault; halt keeps QEMU running; no option (or a bad one) is reboot:10.
# A failed case prints its serial log. Nothing is skipped: if QEMU, a kernel or a tool is
# missing, the cases report "not ok".
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/loader/lib-loader.sh
. "$here/loader/lib-loader.sh"
cd "$LUGATE_TOP" || exit 1

MKTABLE=$E2E_BUILD/tests/loader-mktable
LUGATE=$E2E_BUILD/lugate
TARGET_REL=6.1.0-56-amd64
FALLBACK_REL=6.1.0-55-amd64
GUID_A=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
GUID_B=00112233-4455-6677-8899-aabbccddeeff
BASE_APPEND="console=ttyS0 panic=-1 lugate.debug_exit=1"
CASES="1 2 3 4 5 6 unsealed fallback-mismatch stop-reboot-pc stop-reboot-q35 stop-fallthrough stop-halt stop-default stop-bad kexec-mb1 kexec-mb2"

abort() {  # every case is reported failed, with the reason
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

# ---- prerequisites ----------------------------------------------------------------------------
e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum || abort "e2e tools missing (scripts/deps.sh e2e)"
for f in "$LOADER_ELF" "$MKTABLE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
target=$(scripts/debian-kernel.sh "$TARGET_REL") || abort "Debian kernel $TARGET_REL unavailable"
fallback=$(scripts/debian-kernel.sh "$FALLBACK_REL") || abort "Debian kernel $FALLBACK_REL unavailable"
W=$(e2e_workdir loader) || abort "no work directory"
tap_ok "loader $(stat -c %s "$LOADER_ELF") bytes; kernels $TARGET_REL and $FALLBACK_REL available"

# ---- guest initramfs (shared by target and fallback) -----------------------------------------
{ e2e_initramfs_new "$W/ir" && e2e_initramfs_init "$W/ir" <"$here/loader/guest-check.sh" &&
  e2e_initramfs_pack "$W/ir" "$W/initrd.gz"; } >&2 || abort "cannot build the guest initramfs"

# ---- images and tables ----------------------------------------------------------------------------
# The product path, with the CLI: the target stamped with its manifest (`lugate embed`: for a
# distro bzImage a trailer after the image), the outgoing kernel's table (`lugate handoff build`)
# sealed to the stamped target and to the fallback (`lugate seal`, which checks first).
# `lugate seal` refuses to seal what the check refuses, so the tables of cases 3 and 4 (a schema
# the target lacks, a downgrade) are made by the test-only tests/e2e/loader/mktable.c: sealed
# without the pre-flight check, exactly what the loader must still catch as the last guard.
sha() { sha256sum "$1" | cut -d' ' -f1; }
mk() { "$MKTABLE" "$@" >&2; }
cli() {  # cli WHAT ARGS...: run the CLI, report a failure with its output
  if "$LUGATE" "${@:2}" >"$W/cli.out" 2>&1; then return 0; fi
  echo "# lugate ${*:2}: $(tr '\n' ' ' <"$W/cli.out")"
  tap_not_ok "$1"
  return 1
}
cat >"$W/manifest.json" <<JSON
{"release": "$TARGET_REL", "schemas": [{"guid": "$GUID_A", "min_version": 1, "max_version": 4}]}
JSON
cat >"$W/devices.json" <<JSON
{"release": "$FALLBACK_REL", "devices": [
  {"address": "0000:3b:00.0", "vendor": "0x15b3", "device": "0x101d", "class": "0x020000",
   "schema": "$GUID_A", "schema_version": 3, "driver": "mlx5_core"}]}
JSON
{ cli "lugate embed stamps the target with its manifest" embed --manifest "$W/manifest.json" "$target" -o "$W/target.img" &&
  cli "lugate handoff build makes the outgoing table" handoff build --devices "$W/devices.json" -o "$W/tu.bin" &&
  cli "lugate seal binds it to the target and the fallback" seal --handoff "$W/tu.bin" --kernel "$W/target.img" \
    --fallback "$fallback" -o "$W/t1.bin"; } || abort "the CLI cannot make the images and tables"
tap_ok "target stamped (lugate embed), table built and sealed (lugate handoff build, lugate seal)"
devices_a=(--device "0000:3b:00.0,$GUID_A,3,mlx5_core")
devices_b=(--device "0000:3b:00.0,$GUID_B,3,mlx5_core")
# The admin's dry run on the host must say what the loader will say (same core).
cli_agrees() {  # cli_agrees TABLE IMAGE WANT_RC WHAT
  "$LUGATE" check --handoff "$1" --kernel "$2" >"$W/cli.out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$3" ]; then case_ok "lugate check on the host agrees: $4 (exit $rc)"
  else case_not_ok "lugate check on the host agrees: $4" "exit $rc: $(head -3 "$W/cli.out" | tr '\n' ' ')"; fi
}

# loader_split (docs/performance.md): the loader's own TSC phases, printed as the last loader line before the
# jump and read by bench/loader_split.sh. Never a timed test: only that the line is there, that the
# bench reads it as measured, and that the phases add up (each >= 0, their sum <= total).
TSC_LINE_RE='^lugate-loader: tsc parse=[0-9]+ policy=[0-9]+ hash=[0-9]+ relocate=[0-9]+ total=[0-9]+$'
expect_tsc_split() {
  local re=$TSC_LINE_RE last json
  local phase cycles sum=0 total bad=""
  if e2e_log_has_re "$CASE_LOG" "$re"; then case_ok "the loader printed its TSC split (parse/policy/hash/relocate/total)"
  else case_not_ok "the loader printed its TSC split" "no log line matches: $re"; fi
  last=$(tr -d '\r' <"$CASE_LOG" | grep -a '^lugate-loader: ' | tail -1)
  if [[ "$last" =~ $re ]]; then case_ok "the tsc line is the loader's last line before the jump"
  else case_not_ok "the tsc line is the loader's last line before the jump" "last loader line: $last"; fi
  json=$(bench/loader_split.sh "$CASE_LOG" 2>/dev/null)
  if [[ "$json" == *'"status": "measured"'* ]]; then case_ok "bench/loader_split.sh reads the log as measured"
  else case_not_ok "bench/loader_split.sh reads the log as measured" "$json"; fi
  total=$(sed -nE 's/.*"total_cycles": (-?[0-9]+).*/\1/p' <<<"$json")
  for phase in parse policy hash relocate; do
    cycles=$(sed -nE 's/.*"'"$phase"'": \{"cycles": (-?[0-9]+).*/\1/p' <<<"$json")
    if [ -z "$cycles" ] || [ "$cycles" -lt 0 ]; then bad+=" $phase=${cycles:-none}"; continue; fi
    sum=$((sum + cycles))
  done
  if [ -z "$bad" ]; then case_ok "every phase is >= 0 cycles"
  else case_not_ok "every phase is >= 0 cycles" "bad:$bad"; fi
  if [ -n "$total" ] && [ "$sum" -le "$total" ]; then case_ok "the phases add up to no more than total ($sum <= $total cycles)"
  else case_not_ok "the phases add up to no more than total" "sum $sum, total ${total:-none}"; fi
}

# ---- case 1 + 6: allowed upgrade, table delivered byte-exact and reserved ------------------------
case_begin "case 1 (allowed upgrade)"
loader_boot case1 "$W/target.img role=kernel,$W/t1.bin role=table,$W/initrd.gz role=initrd,$fallback role=fallback,$W/initrd.gz role=fallback-initrd" \
  "$BASE_APPEND lugate_e2e.table_sha256=$(sha "$W/t1.bin") lugate_e2e.expect=allowed,target"
expect_rc 0 "the guest powered off"
expect_log "lugate-loader: verdict: ALLOW $FALLBACK_REL -> $TARGET_REL" "the loader allowed $FALLBACK_REL -> $TARGET_REL"
expect_no_log "booting the FALLBACK" "the fallback was not booted"
expect_guest kernel "$TARGET_REL" "the target kernel booted"
expect_guest verdict 1 "the delivery record says allowed"
expect_guest booted 1 "the delivery record says the target booted"
expect_guest table_sha256 "$(sha "$W/t1.bin")" "the table arrived byte-exact"
expect_log "LUGATE-E2E PASS" "the guest's own checks passed"
expect_log "release $TARGET_REL, manifest " "the loader found the manifest \`lugate embed\` stamped into the target"
expect_log "table: outgoing release $FALLBACK_REL, 1 preserved device(s), sealed to $TARGET_REL" \
  "the loader read the sealed table (one preserved device)"
cli_agrees "$W/t1.bin" "$W/target.img" 0 "allow"
expect_tsc_split
case_end

case_begin "case 6 (table range reserved in the kernel's e820)"
sd=$(tr -d '\r' <"$CASE_LOG" | sed -n 's/.*delivery record (setup_data, reserved in e820) at \[0x\([0-9a-f]*\)-0x\([0-9a-f]*\)).*/\1 \2/p' | head -1)
if [ -n "$sd" ]; then
  read -r sd_start sd_end <<<"$sd"
  want=$(printf 'BIOS-e820: [mem 0x%016x-0x%016x] reserved' "$((16#$sd_start))" "$((16#$sd_end - 1))")
  expect_log "$want" "the kernel's e820 map shows the delivery record's pages reserved"
  got=$(tr -d '\r' <"$CASE_LOG" | sed -n 's/^LUGATE-E2E setup_data_addr=0x0*\([0-9a-f]*\).*/\1/p' | tail -1)
  if [ "$got" = "$sd_start" ]; then case_ok "boot_params.hdr.setup_data in the kernel points at that range (0x$got)"
  else case_not_ok "boot_params.hdr.setup_data points at the record" "kernel says 0x$got, loader wrote 0x$sd_start"; fi
  expect_log "$(printf 'reserve setup_data: [mem 0x%016x-0x%016x] reserved' "$((16#$sd_start))" "$((16#$sd_end - 1))")" \
    "the range stays reserved after Linux's own setup_data reservation"
else
  case_not_ok "the loader logged where it put the delivery record"
fi
case_end

# ---- refusals that boot the fallback -----------------------------------------------------------
refused_case() {  # refused_case N TITLE TABLE KERNEL REASON (the caller ends the case)
  local n=$1 title=$2 table=$3 kernel=$4 reason=$5
  case_begin "case $n ($title)"
  loader_boot "case$n" "$kernel role=kernel,$table role=table,$W/initrd.gz role=initrd,$fallback role=fallback,$W/initrd.gz role=fallback-initrd" \
    "$BASE_APPEND lugate_e2e.table_sha256=$(sha "$table") lugate_e2e.expect=refused,fallback"
  expect_rc 0 "the fallback guest powered off"
  expect_log "lugate-loader: verdict: REFUSED" "the loader refused"
  expect_log "lugate-loader:   reason $reason: " "the refusal names '$reason'"
  expect_no_log "booting the TARGET" "the refused target was never entered"
  expect_log "lugate-loader: booting the FALLBACK kernel" "the loader booted the fallback"
  if e2e_log_has_re "$CASE_LOG" "$TSC_LINE_RE"; then case_ok "the loader printed its TSC split before entering the fallback"
  else case_not_ok "the loader printed its TSC split before entering the fallback"; fi
  expect_guest kernel "$FALLBACK_REL" "the fallback kernel ($FALLBACK_REL) is what booted"
  expect_guest verdict 2 "the delivery record says refused"
  expect_guest booted 2 "the delivery record says the fallback booted"
  expect_guest table_sha256 "$(sha "$table")" "the fallback received the table byte-exact"
  expect_log "LUGATE-E2E PASS" "the guest's own checks passed"
}

# 2: the target image changed after sealing (one byte of its payload).
cp "$W/target.img" "$W/target-changed.img"
printf 'X' | dd of="$W/target-changed.img" bs=1 seek=$((0x300000)) conv=notrunc 2>/dev/null
refused_case 2 "target changed after sealing" "$W/t1.bin" "$W/target-changed.img" image-mismatch
cli_agrees "$W/t1.bin" "$W/target-changed.img" 1 "refuse"
case_end

# 3: a preserved device's schema is missing from the target's manifest.
mk -o "$W/t3.bin" --release "$FALLBACK_REL" "${devices_b[@]}" --target "$W/target.img" \
   --target-release "$TARGET_REL" --fallback "$fallback"
refused_case 3 "schema missing in the target" "$W/t3.bin" "$W/target.img" schema-missing
cli_agrees "$W/t3.bin" "$W/target.img" 1 "refuse"
case_end

# 4: downgrade: the outgoing kernel is newer than the target.
mk -o "$W/t4.bin" --release 6.1.0-57-amd64 "${devices_a[@]}" --target "$W/target.img" \
   --target-release "$TARGET_REL" --fallback "$fallback"
refused_case 4 "downgrade" "$W/t4.bin" "$W/target.img" downgrade
cli_agrees "$W/t4.bin" "$W/target.img" 1 "refuse"
case_end

# ---- refusals that stop ----------------------------------------------------------------------
stop_case() {  # stop_case NAME TITLE MODULES CODE REASON STOPTEXT
  case_begin "case $1 ($2)"
  loader_boot "case$1" "$3" "$BASE_APPEND"
  expect_rc $(( ($4 << 1) | 1 )) "QEMU exited through isa-debug-exit with stop code $4"
  expect_log "lugate-loader:   reason $5: " "the refusal names '$5'"
  expect_log "lugate-loader: STOP: $6" "the loader printed its stop message"
  expect_no_log "entering the kernel" "no kernel was entered"
  expect_no_log "lugate-loader: tsc " "no TSC split without a jump"
  expect_no_log "lugate-loader: rebooting in" "isa-debug-exit ended QEMU right after the STOP line, before the stop policy"
  case_end
}

# 5: corrupt table (one payload byte flipped), no fallback.
cp "$W/t1.bin" "$W/t5.bin"
printf '\xff' | dd of="$W/t5.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
stop_case 5 "corrupt table, no fallback" "$W/target.img role=kernel,$W/t5.bin role=table,$W/initrd.gz role=initrd" \
  16 table-corrupt "refused, and no fallback kernel was given"

# An unsealed table (`lugate handoff build` output) proves nothing about the target: refused.
stop_case unsealed "unsealed table, no fallback" "$W/target.img role=kernel,$W/tu.bin role=table,$W/initrd.gz role=initrd" \
  16 table-unsealed "refused, and no fallback kernel was given"

# A fallback that is not the one sealed in the table is not booted either.
stop_case fallback-mismatch "fallback differs from the sealed one" \
  "$W/target-changed.img role=kernel,$W/t1.bin role=table,$W/target.img role=fallback" \
  17 image-mismatch "refused, and the fallback does not match the fallback hash sealed in the table"

# ---- what a stop does next: lugate.stop ------------------------------------------------------
# Both images unbootable (a file that is not a bzImage as kernel and as fallback): the loader
# stops with code 0x11. No lugate.debug_exit here: QEMU (-no-reboot) ends only if the loader
# resets the machine; a halted loader runs into the timeout.
head -c 4096 /dev/zero >"$W/junk.bin"
UNBOOTABLE="$W/junk.bin role=kernel,$W/t1.bin role=table,$W/junk.bin role=fallback"
STOP_UNBOOTABLE="lugate-loader: STOP: refused, and the fallback is not a bootable 64-bit bzImage (nothing was booted; stop code 0x11)"
stop_boot() {  # stop_boot NAME APPEND [QEMU ARGS...]: the loader with UNBOOTABLE, no isa-debug-exit
  local name=$1 append=$2
  shift 2
  CASE_LOG=$W/$name.log
  e2e_qemu "$CASE_LOG" "$LOADER_ELF" "$UNBOOTABLE" "$append" "$@"
  CASE_RC=$?
  echo "# $name: QEMU exit $CASE_RC after ${E2E_QEMU_SECONDS}s"
}
expect_next_to_stop() {  # expect_next_to_stop LINE DESCRIPTION: LINE comes right after the STOP line
  local next
  next=$(tr -d '\r' <"$CASE_LOG" | grep -a -A1 -F -- "$STOP_UNBOOTABLE" | sed -n 2p)
  if [ "$next" = "$1" ]; then case_ok "$2"; else case_not_ok "$2" "after the STOP line: '$next'"; fi
}
expect_elapsed_at_least() {  # expect_elapsed_at_least SECONDS DESCRIPTION
  if [ "$(echo "$E2E_QEMU_SECONDS >= $1" | bc)" = 1 ]; then case_ok "$2 (${E2E_QEMU_SECONDS}s)"
  else case_not_ok "$2" "QEMU ended after ${E2E_QEMU_SECONDS}s"; fi
}

case_begin "case stop-reboot-pc (lugate.stop=reboot:1, pc machine)"
stop_boot stop-reboot-pc "console=ttyS0 lugate.stop=reboot:1"
expect_rc 0 "QEMU ended by itself: the loader reset the machine (-no-reboot)"
expect_log "$STOP_UNBOOTABLE" "the loader printed its stop message"
expect_next_to_stop "lugate-loader: rebooting in 1 s (lugate.stop=reboot:1)" "the reboot line follows the STOP line"
expect_log_re "^lugate-loader: TSC at [0-9]+ MHz \\((CPUID 0x15|PIT|CPUID 0x16)\\)$" "the delay is measured against a clock"
expect_log "lugate-loader: no ACPI reset: the FADT is too short to hold a reset register (ACPI 1.0)" \
  "pc's ACPI 1.0 FADT has no reset register: said, and skipped"
expect_log "lugate-loader: resetting via CF9" "port 0xCF9 was tried"
expect_no_log "lugate-loader: resetting via KBC" "... and it reset the machine (the keyboard controller was not needed)"
expect_elapsed_at_least 1 "QEMU ran at least the 1 s delay"
case_end

case_begin "case stop-reboot-q35 (lugate.stop=reboot:1, q35 machine)"
stop_boot stop-reboot-q35 "console=ttyS0 lugate.stop=reboot:1" -machine q35
expect_rc 0 "QEMU ended by itself: the loader reset the machine"
expect_next_to_stop "lugate-loader: rebooting in 1 s (lugate.stop=reboot:1)" "the reboot line follows the STOP line"
expect_log_re "^lugate-loader: ACPI: RSDP at 0x[0-9a-f]+$" "the RSDP was found in the BIOS area (Multiboot 1 names none)"
expect_log "lugate-loader: resetting via ACPI (I/O port 0xcf9 <- 0x0f)" "the FADT's reset register was used"
expect_no_log "lugate-loader: resetting via CF9" "... and it reset the machine (nothing else was tried)"
case_end

case_begin "case stop-fallthrough (lugate.stop=reboot:0, microvm without ACPI, PCI or i8042)"
stop_boot stop-fallthrough "console=ttyS0 lugate.stop=reboot:0" -machine microvm,acpi=off
expect_rc 0 "QEMU ended by itself: the last method reset the machine"
expect_next_to_stop "lugate-loader: rebooting in 0 s (lugate.stop=reboot:0)" "the reboot line follows the STOP line"
expect_log "lugate-loader: no ACPI reset: no RSDP (none handed over, none in the BIOS area)" "no ACPI: said, and skipped"
if tr -d '\r' <"$CASE_LOG" | grep -a '^lugate-loader: resetting via ' | tr '\n' '|' |
   grep -qx 'lugate-loader: resetting via CF9|lugate-loader: resetting via KBC|lugate-loader: resetting via triple fault|'; then
  case_ok "CF9, then the keyboard controller, then the triple fault, in that order"
else
  case_not_ok "CF9, then the keyboard controller, then the triple fault, in that order"
fi
case_end

case_begin "case stop-halt (lugate.stop=halt)"
E2E_TIMEOUT=20 stop_boot stop-halt "console=ttyS0 lugate.stop=halt"
expect_rc 124 "QEMU was still running at the 20 s timeout (killed by the test)"
expect_next_to_stop "lugate-loader: halting (lugate.stop=halt): the machine stays down until it is reset" \
  "the halt line follows the STOP line"
expect_no_log "lugate-loader: resetting via" "no reset was tried"
case_end

case_begin "case stop-default (no lugate.stop: reboot:10)"
stop_boot stop-default "console=ttyS0"
expect_rc 0 "QEMU ended by itself: the default resets the machine"
expect_next_to_stop "lugate-loader: rebooting in 10 s (lugate.stop=reboot:10)" "the default is reboot:10, said right after the STOP line"
expect_elapsed_at_least 10 "QEMU ran at least the 10 s delay"
case_end

case_begin "case stop-bad (lugate.stop=reboot:x: reported, the default used)"
stop_boot stop-bad "console=ttyS0 lugate.stop=halt lugate.stop=reboot:x"
expect_rc 0 "QEMU ended by itself: the default (not the earlier halt) was used"
expect_log "lugate-loader: ignoring lugate.stop=reboot:x: not reboot, reboot:SECONDS (0-3600) or halt; a stop will use the default" \
  "the bad value was reported"
expect_next_to_stop "lugate-loader: rebooting in 10 s (lugate.stop=reboot:10)" "a stop used the default"
case_end

# ---- kexec-tools starts the same file as Multiboot and as Multiboot2 --------------------------
# A running Debian kernel loads the loader with kexec-tools; its small modules and the boot
# information then lie below 1 MiB. The loader checks and boots the target (case-1 table).
kexec_case() {  # kexec_case mb1|mb2
  case_begin "case kexec-$1 (kexec-tools --type $2)"
  qemu_boot "kexec-$1" "$target" "$W/stage1.gz" "console=ttyS0 panic=-1 lugate_e2e.kexec=$1"
  expect_rc 0 "the stage-2 guest powered off"
  expect_log "LUGATE-E2E-STAGE1 loaded, executing" "kexec -l --type $2 accepted build/loader.elf"
  expect_log "lugate-loader: lugate loader 0.1 entered via $3" "the loader was entered through $3"
  if tr -d '\r' <"$CASE_LOG" | grep -aE "^lugate-loader: module [0-9]+ \[0x[0-9a-f]{1,5}-" | grep -q 'role=table'; then
    case_ok "the table module lay below 1 MiB and was read there"
  else
    case_not_ok "the table module lay below 1 MiB" "kexec-tools placed it elsewhere: nothing proven about low modules"
  fi
  expect_log "lugate-loader: verdict: ALLOW $FALLBACK_REL -> $TARGET_REL" "the loader allowed the sealed target"
  expect_guest kernel "$TARGET_REL" "the target kernel booted"
  expect_guest table_sha256 "$(sha "$W/t1.bin")" "the table arrived byte-exact"
  expect_log "LUGATE-E2E PASS" "the guest's own checks passed"
  case_end
}
# Stage 1 is the Debian target kernel booted directly by QEMU, with an initramfs holding kexec.
{ e2e_initramfs_new "$W/s1" && e2e_initramfs_add_kexec "$W/s1" &&
  e2e_initramfs_add "$W/s1" "$LOADER_ELF" boot/loader.elf &&
  e2e_initramfs_add "$W/s1" "$W/target.img" boot/target.img &&
  e2e_initramfs_add "$W/s1" "$W/t1.bin" boot/table.bin &&
  e2e_initramfs_add "$W/s1" "$W/initrd.gz" boot/initrd.gz &&
  echo "console=ttyS0 panic=-1 lugate.debug_exit=1 lugate_e2e.table_sha256=$(sha "$W/t1.bin") lugate_e2e.expect=allowed,target" \
    >"$W/s1/boot/loader.cmdline" &&
  e2e_initramfs_init "$W/s1" <"$here/loader/guest-kexec.sh" && e2e_initramfs_pack "$W/s1" "$W/stage1.gz"; } >&2
if [ -s "$W/stage1.gz" ]; then
  kexec_case mb1 multiboot-x86 multiboot1
  kexec_case mb2 multiboot2-x86 multiboot2
else
  tap_not_ok "case kexec-mb1" "cannot build the stage-1 initramfs"
  tap_not_ok "case kexec-mb2" "cannot build the stage-1 initramfs"
fi

tap_finish
