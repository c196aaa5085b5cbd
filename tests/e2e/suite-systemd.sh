#!/usr/bin/env bash
# lugate with systemd: a real Debian 12 system (systemd 252 as init, kexec-tools, a `make
# install`ed lugate) under QEMU TCG, running Debian's 6.1.0-55-amd64. The admin's flow is
# `lugate load`, then `systemctl kexec`; after the jump systemd's boot assessment and `lugate
# status` judge it. The allowed case boots under OVMF (UEFI), as servers do, and takes the
# kexec_file path; the changed case boots under SeaBIOS and takes the Multiboot2 path.
#
# The root file system is scripts/debian-rootfs.sh's cached image, unpacked by the kernel as its
# initramfs (systemd runs it as the real root: no /etc/initrd-release). Appended to it:
#   overlay A: `make install`ed lugate, lugate-status.service enabled (the link `systemctl enable`
#              makes), the test's driver unit and script, the devices list, 6.1.0-56-amd64
#              stamped with its manifest (the target) and 6.1.0-55-amd64 (the fallback);
#   overlay B: /boot/initrd.img-* = image + A: what the loader hands either kernel.
# The first boot has A and B; the kernel the loader boots has A only, which is how the guest
# script (tests/e2e/systemd/guest-systemd.sh) knows its stage.
#
#  case allow:   under OVMF: lugate load, which sees /sys/firmware/efi and takes kexec -s of
#                loader.bzImage by itself (kexec-tools' Multiboot2 loader hands over no EFI
#                information, kexec_file_load does);
#                systemctl kexec keeps the staged loader (systemctl's own debug line says so),
#                the loader allows and boots 6.1.0-56; there lugate-status.service is active,
#                boot-complete.target is reached, `lugate status --json` says target, `lugate
#                history` holds a good record, and the EFI checks hold (lib.sh e2e_efi_verify:
#                efi_info, the EFI memory map and SETUP_EFI went through the loader, and
#                6.1.0-56 has /sys/firmware/efi, its runtime map, the firmware's tables, the
#                memory map under efi=debug and Secure Boot's state).
#  case changed: the table is sealed (load --dry-run), then the target image changes; the printed
#                kexec command is run and systemctl kexec: the loader refuses (image-mismatch)
#                and boots the fallback; lugate-status.service fails, boot-complete.target is not
#                reached, `lugate status` exits 1 naming the reason, the history holds a bad
#                record, and `lugate check` / `lugate load` of the same pair refuse (known-bad).
# Every assertion reads the serial log. Runs alone: it builds what it needs (lugate, the loader,
# the image, the kernels) and needs root for mmdebstrap the first time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/loader/lib-loader.sh
. "$here/loader/lib-loader.sh"
cd "$LUGATE_TOP" || exit 1
: "${E2E_TIMEOUT:=300}"
[ "$E2E_TIMEOUT" -ge 300 ] || E2E_TIMEOUT=300   # OVMF, two systemd boots and a shutdown under TCG: ~120 s
export E2E_MEM=2048   # lib.sh reads it: the image, the kernels and five modules in RAM

LUGATE=$E2E_BUILD/lugate
TARGET_REL=6.1.0-56-amd64
OUTGOING_REL=6.1.0-55-amd64
# The preserved devices: two PCI UARTs (QEMU's pci-serial, 1b36:0002). Debian builds 8250_pci
# into the kernel, so both kernels bind them to "serial" with no module loaded, and
# `lugate status` can hold the booted kernel to "present and bound" (the image has no modules).
GUID_SER1=3c1d7a52-8b4e-4f60-9a2d-5e6f708192a3   # 0000:00:04.0
GUID_SER2=9e2f4b61-0c3d-4e5f-8a9b-0c1d2e3f4a5b   # 0000:00:05.0
CASES="allow changed"

abort() {
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

e2e_need qemu-system-x86_64 timeout cpio gzip || abort "e2e tools missing (scripts/deps.sh e2e)"
for f in "$LOADER_ELF" "$LUGATE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
t0=$(date +%s)
rootfs=$(scripts/debian-rootfs.sh) || abort "the Debian 12 root file system cannot be built (scripts/debian-rootfs.sh)"
echo "# root file system: $rootfs ($(du -m "$rootfs" | cut -f1) MiB), ready after $(($(date +%s) - t0)) s (a fresh build took $(cat "$(dirname "$rootfs")/seconds") s)"
target=$(scripts/debian-kernel.sh "$TARGET_REL") || abort "Debian kernel $TARGET_REL unavailable"
outgoing=$(scripts/debian-kernel.sh "$OUTGOING_REL") || abort "Debian kernel $OUTGOING_REL unavailable"
W=$(e2e_workdir systemd) || abort "no work directory"

# ---- the images ------------------------------------------------------------------------------------
cat >"$W/manifest.json" <<JSON
{"release": "$TARGET_REL", "schemas": [
  {"guid": "$GUID_SER1", "min_version": 1, "max_version": 3},
  {"guid": "$GUID_SER2", "min_version": 1, "max_version": 1}]}
JSON
cat >"$W/devices.json" <<JSON
{"devices": [
  {"address": "0000:00:04.0", "schema": "$GUID_SER1", "schema_version": 2},
  {"address": "0000:00:05.0", "schema": "$GUID_SER2", "schema_version": 1}]}
JSON
"$LUGATE" embed --manifest "$W/manifest.json" "$target" -o "$W/target.img" >&2 || abort "lugate embed failed"
target_sha=$(sha256sum "$W/target.img" | cut -d' ' -f1)

# pack DIR OUT: a gzip'd newc archive of DIR with its owners kept, padded to 512 bytes so the next
# archive the kernel reads starts aligned.
pack() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -1 -n) >"$2" &&
    truncate -s %512 "$2"
}
A=$W/overlay-a
{ rm -rf "$A" && mkdir -p "$A/etc/lugate" "$A/boot" "$A/usr/libexec/lugate-e2e" \
    "$A/etc/systemd/system/boot-complete.target.requires" "$A/etc/systemd/system/multi-user.target.wants" &&
  make -s --no-print-directory install DESTDIR="$A" PREFIX=/usr >&2 &&
  [ -s "$A/usr/lib/systemd/system/lugate-status.service" ] &&
  ln -s /usr/lib/systemd/system/lugate-status.service "$A/etc/systemd/system/boot-complete.target.requires/" &&
  install -m 0644 "$here/systemd/lugate-e2e.service" "$A/usr/lib/systemd/system/lugate-e2e.service" &&
  ln -s /usr/lib/systemd/system/lugate-e2e.service "$A/etc/systemd/system/multi-user.target.wants/" &&
  install -m 0755 "$here/systemd/guest-systemd.sh" "$A/usr/libexec/lugate-e2e/guest-systemd.sh" &&
  e2e_efi_probe_sh >"$A/usr/libexec/lugate-e2e/efi-probe.sh" &&
  install -m 0644 "$W/devices.json" "$A/etc/lugate/devices.json" &&
  install -m 0644 "$W/target.img" "$A/boot/vmlinuz-$TARGET_REL" &&
  install -m 0644 "$outgoing" "$A/boot/vmlinuz-$OUTGOING_REL" &&
  pack "$A" "$W/overlay-a.cpio.gz"; } || abort "cannot build overlay A (make install, units, kernels)"
[ -s "$A/usr/lib/lugate/loader.elf" ] || abort "make install did not put the loader at /usr/lib/lugate/loader.elf"
grep -q '^RequiredBy=boot-complete.target$' "$A/usr/lib/systemd/system/lugate-status.service" ||
  abort "the installed lugate-status.service is no longer RequiredBy=boot-complete.target (the link above assumes it)"
cp "$rootfs" "$W/second.img" && truncate -s %512 "$W/second.img" && cat "$W/overlay-a.cpio.gz" >>"$W/second.img" ||
  abort "cannot join the image and overlay A"
B=$W/overlay-b
{ rm -rf "$B" && mkdir -p "$B/boot" &&
  ln "$W/second.img" "$B/boot/initrd.img-$TARGET_REL" &&
  ln "$W/second.img" "$B/boot/initrd.img-$OUTGOING_REL" &&
  (cd "$B" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) >"$W/overlay-b.cpio" &&
  cat "$W/second.img" "$W/overlay-b.cpio" >"$W/first.img"; } || abort "cannot build the first boot's initrd"
echo "# first boot's initrd $(du -m "$W/first.img" | cut -f1) MiB, the second's $(du -m "$W/second.img" | cut -f1) MiB; prepared in $(($(date +%s) - t0)) s"

sd_has() {  # sd_has TEXT DESCRIPTION: a SD-E2E line contains TEXT
  if tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | grep -qF -- "$1"; then case_ok "$2"
  else case_not_ok "$2" "no SD-E2E line with: $1"; fi
}
sd_lacks() {
  if tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | grep -qF -- "$1"; then case_not_ok "$2" "a SD-E2E line has: $1"
  else case_ok "$2"; fi
}
# after STAGE2-LINE TEXT: TEXT appears on a SD-E2E line after the line containing STAGE2-LINE
after() {
  tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | sed -n "/$(printf '%s' "$1" | sed 's/[][\/.*^$]/\\&/g')/,\$p" | grep -qF -- "$2"
}
LOAD_ARGS_BIOS="--kernel /boot/vmlinuz-$TARGET_REL --initrd /boot/initrd.img-$TARGET_REL --handoff /run/handoff.bin --fallback /boot/vmlinuz-$OUTGOING_REL --fallback-initrd /boot/initrd.img-$OUTGOING_REL --reuse-cmdline"
LOAD2_ARGS="--kernel /boot/vmlinuz-$TARGET_REL --handoff /run/handoff.bin --fallback /boot/vmlinuz-$OUTGOING_REL --reuse-cmdline"
boot() {  # boot CASE QEMU-FUNCTION [APPEND]: the first kernel with both overlays; both boots end in one QEMU run
  CASE_LOG=$W/$1.log
  "$2" "$CASE_LOG" "$outgoing" "$W/first.img" "console=ttyS0 panic=-1 lugate_e2e.case=$1${3:+ $3}" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device pci-serial,addr=04.0 -device pci-serial,addr=05.0
  CASE_RC=$?
  echo "# $1: QEMU exit $CASE_RC after ${E2E_QEMU_SECONDS}s"
}
stage1_common() {  # stage1_common ENTRY FALLBACK-INITRD-LINE: the loader's entry and how it got the fallback's initrd
  sd_has "stage=1 case=$CASE kernel=$OUTGOING_REL init=systemd systemd=252 kexec_loaded=0" "stage 1: Debian 12 with systemd 252 as init, $OUTGOING_REL, nothing staged"
  sd_has "exit 0: lugate handoff build --from-running" "handoff build --from-running read the VM's devices"
  sd_has "0000:00:04.0 1b36:0002" "sysfs gave the first PCI UART's IDs"
  sd_has "kexec_loaded=1" "a kernel is staged before systemctl kexec"
  sd_has "\$ systemctl kexec" "the guest ran systemctl kexec"
  sd_has "Kexec kernel already loaded." "systemctl kexec found the staged kernel and loaded none of its own (its debug line)"
  expect_log "Rebooting with kexec." "systemd-shutdown jumped with kexec"
  expect_log "lugate-loader: lugate loader 0.1 entered via $1" "lugate's loader ran after systemctl kexec (the staged kernel was kept), entered via $1"
  expect_log_re "$2" "the loader received every file, the fallback's initrd included"
  sd_has "stage=2 case=$CASE" "the booted kernel ran systemd and the driver again"
  sd_has "END" "stage 2 finished"
}

# ---- case allow ---------------------------------------------------------------------------------------
CASE=allow
case_begin "case allow (lugate load, systemctl kexec, $TARGET_REL boots and is judged good)"
boot allow e2e_qemu_ovmf efi=debug
expect_rc 0 "the second system powered off"
# kexec_file: one bundle, checked entry by entry
stage1_common bzimage64 "lugate-loader: bundle: fallback-initrd, [0-9]+ bytes, digest ok"
sd_has "exit 0: lugate load $LOAD_ARGS_BIOS" "lugate load staged (exit 0), with no --kho"
sd_has "staged (kexec_file_load, EFI kept): /usr/lib/lugate/loader.bzImage with the bundle /run/lugate/bundle.bin" "lugate load took kexec -s by itself on the UEFI host and said why"
expect_log "lugate-loader: verdict: ALLOW $OUTGOING_REL -> $TARGET_REL" "the loader allowed"
expect_no_log "booting the FALLBACK" "the fallback was not booted"
sd_has "stage=2 case=allow kernel=$TARGET_REL" "the target $TARGET_REL runs after the jump"
sd_has "lugate-status: ActiveState=active Result=success" "lugate-status.service ran and succeeded"
sd_has "exit 0: systemctl is-active lugate-status" "systemctl is-active lugate-status succeeds"
sd_has "exit 0: systemctl is-active boot-complete.target" "boot-complete.target is reached"
sd_has "exit 0: lugate status --json" "lugate status --json exits 0"
if tr -d '\r' <"$CASE_LOG" | grep -a '^SD-E2E ' | sed -n '/^SD-E2E \$ lugate status --json$/,/^SD-E2E exit /s/^SD-E2E | //p' >"$W/allow-status.json" &&
   python3 - "$W/allow-status.json" "$TARGET_REL" "$target_sha" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
flat = json.dumps(s)
assert '"target"' in flat, "no 'target' in status"
assert sys.argv[2] in flat, "no target release"
assert sys.argv[3] in flat, "no target sha256"
booted = s.get("booted")
assert booted == "target", "booted=%r" % booted
PY
then case_ok "lugate status --json says booted target, $TARGET_REL, the sealed SHA-256"
else case_not_ok "lugate status --json says booted target" "see $W/allow-status.json"; fi
sd_has "exit 0: lugate history" "lugate history exits 0"
if e2e_log_has_re "$CASE_LOG" "^SD-E2E \| [0-9TZ:-]+ +good +$OUTGOING_REL -> $TARGET_REL +booted target"; then
  case_ok "the history holds a good record of $OUTGOING_REL -> $TARGET_REL"
else case_not_ok "the history holds a good record" "no history line with good and $TARGET_REL"; fi
expect_log_re "SD-E2E stage=1 case=allow .* firmware_efi=yes" "stage 1: the first kernel booted under UEFI (OVMF, its EFI stub)"
e2e_efi_verify "$CASE_LOG" "$TARGET_REL" case_ok case_not_ok
case_end
echo "# case allow: $E2E_QEMU_SECONDS s"

# ---- case changed --------------------------------------------------------------------------------------
CASE=changed
case_begin "case changed (the target changed after sealing: the fallback boots and is judged bad)"
boot changed e2e_qemu
expect_rc 0 "the fallback system powered off"
# kexec-tools 2.0.25 sizes the Multiboot2 information without the padding of each module tag,
# so the last tags can fall past its total_size, where the loader (rightly) stops reading.
stage1_common multiboot2 "lugate-loader: module 4 .*role=fallback-initrd *\": fallback-initrd"
sd_has "exit 0: lugate load $LOAD_ARGS_BIOS --dry-run" "lugate load --dry-run sealed the table (exit 0)"
sd_has "changed one byte of /boot/vmlinuz-$TARGET_REL after sealing" "the target changed after sealing"
sd_has "exit 0: sh /run/kexec-command.sh" "the printed kexec command staged the loader"
expect_log "lugate-loader:   reason image-mismatch:" "the loader refused: image-mismatch"
expect_log "lugate-loader: booting the FALLBACK kernel, table delivered marked refused" "the loader booted the fallback"
sd_has "stage=2 case=changed kernel=$OUTGOING_REL" "the fallback $OUTGOING_REL runs after the jump"
expect_log_re "SD-E2E E2E-EFI kernel=$OUTGOING_REL firmware_efi=no " "control: under SeaBIOS the EFI probe finds no EFI (its checks can fail)"
sd_has "lugate-status: ActiveState=failed Result=exit-code" "lugate-status.service failed"
sd_has "exit 3: systemctl is-active lugate-status" "systemctl is-active lugate-status fails"
sd_has "exit 3: systemctl is-active boot-complete.target" "boot-complete.target is not reached"
sd_has "exit 1: lugate status" "lugate status exits 1"
if after "stage=2 case=changed" "image-mismatch"; then case_ok "lugate status names the reason image-mismatch"
else case_not_ok "lugate status names the reason image-mismatch"; fi
if e2e_log_has_re "$CASE_LOG" "^SD-E2E \| [0-9TZ:-]+ +bad +$OUTGOING_REL -> $TARGET_REL +booted fallback"; then
  case_ok "the history holds a bad record of $OUTGOING_REL -> $TARGET_REL"
else case_not_ok "the history holds a bad record" "no history line with bad and $TARGET_REL"; fi
sd_has "exit 1: lugate check --handoff /run/handoff.bin --kernel /boot/vmlinuz-$TARGET_REL" "lugate check of the same pair refuses (exit 1)"
sd_has "exit 1: lugate load $LOAD2_ARGS" "lugate load of the same pair refuses (exit 1)"
if tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | sed -n '/^SD-E2E \$ lugate check/,/^SD-E2E exit /p' | grep -q 'known-bad'; then
  case_ok "lugate check names known-bad"
else case_not_ok "lugate check names known-bad"; fi
if tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | sed -n "/^SD-E2E \\$ lugate load $(printf '%s' "$LOAD2_ARGS" | sed 's/[][\/.*^$]/\\&/g')\$/,/^SD-E2E exit /p" | grep -q 'known-bad'; then
  case_ok "lugate load names known-bad"
else case_not_ok "lugate load names known-bad"; fi
if tr -d '\r' <"$CASE_LOG" | grep -a 'SD-E2E ' | sed -n '/stage=2/,$p' | grep -q 'kexec_loaded=0'; then
  case_ok "nothing was staged by the refused load"
else case_not_ok "nothing was staged by the refused load"; fi
case_end
echo "# case changed: $E2E_QEMU_SECONDS s"
echo "# suite-systemd: $(($(date +%s) - t0)) s in all"

tap_finish
