#!/usr/bin/env bash
# `lugate load` for real (docs/live-update.md): inside a QEMU VM running Debian's 6.1.0-55-amd64, the
# `make install`ed lugate drives kexec-tools to stage its loader; `kexec -e` jumps.
#
# The stage-1 initramfs holds busybox, kexec-tools and lugate (each with the libraries ldd
# lists), the loader where `make install` puts it (/usr/lib/lugate/loader.elf), Debian's
# 6.1.0-56-amd64 stamped with its manifest (`lugate embed`), 6.1.0-55-amd64 as the fallback, and
# a stage-2 initramfs whose /init (tests/e2e/loader/guest-check.sh) finds the delivered table.
# Its /init (tests/e2e/load/guest-load.sh) runs the README's admin walk-through.
#
#  allow:  handoff build --from-running (the VM's own PCI devices), load --dry-run, load,
#          kexec -e; the loader allows and boots 6.1.0-56, whose /init finds the table in
#          setup_data with the SHA-256 the host computed with `lugate seal` from the same inputs.
#  refuse: the 6.1.0-56 image lacks a preserved schema version: `lugate load` exits 1 with its
#          reasons, /sys/kernel/kexec_loaded stays 0, and 6.1.0-55 goes on to print its marker.
# Both are asserted from the serial log; every QEMU run is bounded (E2E_TIMEOUT), -accel tcg.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/loader/lib-loader.sh
. "$here/loader/lib-loader.sh"
cd "$LUGATE_TOP" || exit 1
: "${E2E_TIMEOUT:=240}"

LUGATE=$E2E_BUILD/lugate
TARGET_REL=6.1.0-56-amd64
OUTGOING_REL=6.1.0-55-amd64
GUID_IDE=3c1d7a52-8b4e-4f60-9a2d-5e6f708192a3   # the VM's IDE controller (0000:00:01.1)
GUID_VGA=9e2f4b61-0c3d-4e5f-8a9b-0c1d2e3f4a5b   # the VM's VGA (0000:00:02.0)
CASES="allow refuse walk-through"

abort() {
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum kexec || abort "e2e tools missing (scripts/deps.sh e2e)"
for f in "$LOADER_ELF" "$LUGATE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
target=$(scripts/debian-kernel.sh "$TARGET_REL") || abort "Debian kernel $TARGET_REL unavailable"
outgoing=$(scripts/debian-kernel.sh "$OUTGOING_REL") || abort "Debian kernel $OUTGOING_REL unavailable"
W=$(e2e_workdir load) || abort "no work directory"
sha() { sha256sum "$1" | cut -d' ' -f1; }
cli() {  # cli ARGS...: the host's lugate; its output on failure
  "$LUGATE" "$@" >"$W/cli.out" 2>&1 && return 0
  echo "# lugate $*: $(tr '\n' ' ' <"$W/cli.out")" >&2
  return 1
}

# ---- the images, and what the host expects the guest to seal ------------------------------------
# The manifest 6.1.0-56 carries, and a broken build of it whose IDE driver stops at schema v1.
cat >"$W/manifest.json" <<JSON
{"release": "$TARGET_REL", "schemas": [
  {"guid": "$GUID_IDE", "min_version": 1, "max_version": 3},
  {"guid": "$GUID_VGA", "min_version": 1, "max_version": 1}]}
JSON
sed 's/"max_version": 3/"max_version": 1/' "$W/manifest.json" >"$W/manifest-old.json"
# The admin's device list: addresses and schemas only (no kernel exposes those); --from-running
# reads vendor, device, class (and a bound driver) from the guest's sysfs, its release from uname.
cat >"$W/devices.json" <<JSON
{"devices": [
  {"address": "0000:00:01.1", "schema": "$GUID_IDE", "schema_version": 2},
  {"address": "0000:00:02.0", "schema": "$GUID_VGA", "schema_version": 1}]}
JSON
# The same devices as QEMU's i440fx machine presents them (PIIX3 IDE 8086:7010, std VGA
# 1234:1111; no driver bound: Debian builds ata_piix and bochs as modules, and stage 1 loads none).
cat >"$W/devices-host.json" <<JSON
{"release": "$OUTGOING_REL", "devices": [
  {"address": "0000:00:01.1", "vendor": "0x8086", "device": "0x7010", "class": "0x010180",
   "schema": "$GUID_IDE", "schema_version": 2},
  {"address": "0000:00:02.0", "vendor": "0x1234", "device": "0x1111", "class": "0x030000",
   "schema": "$GUID_VGA", "schema_version": 1}]}
JSON
{ cli embed --manifest "$W/manifest.json" "$target" -o "$W/target.img" &&
  cli embed --manifest "$W/manifest-old.json" "$target" -o "$W/target-old.img" &&
  cli handoff build --devices "$W/devices-host.json" -o "$W/host-handoff.bin" &&
  cli seal --handoff "$W/host-handoff.bin" --kernel "$W/target.img" --fallback "$outgoing" -o "$W/host-sealed.bin"; } ||
  abort "the host CLI cannot make the images"
want_sha=$(sha "$W/host-sealed.bin")
tap_ok "host: target stamped, expected sealed table $want_sha"

# ---- stage 2: the initramfs both 6.1.0-56 (target) and 6.1.0-55 (fallback) boot -----------------
{ e2e_initramfs_new "$W/s2" && e2e_initramfs_init "$W/s2" <"$here/loader/guest-check.sh" &&
  e2e_initramfs_pack "$W/s2" "$W/stage2.gz"; } >&2 || abort "cannot build the stage-2 initramfs"

# ---- stage 1: the running system --------------------------------------------------------------------
S1=$W/s1
{ e2e_initramfs_new "$S1" &&
  make -s --no-print-directory install DESTDIR="$S1" PREFIX=/usr >&2 &&
  e2e_initramfs_add_elf "$S1" "$LUGATE" /usr/sbin/lugate &&
  e2e_initramfs_add_kexec "$S1" &&
  e2e_initramfs_add "$S1" "$W/target.img" "boot/vmlinuz-$TARGET_REL" &&
  e2e_initramfs_add "$S1" "$W/target-old.img" "boot/incompatible/vmlinuz-$TARGET_REL" &&
  e2e_initramfs_add "$S1" "$outgoing" "boot/vmlinuz-$OUTGOING_REL" &&
  e2e_initramfs_add "$S1" "$W/stage2.gz" "boot/initrd.img-$TARGET_REL" &&
  e2e_initramfs_add "$S1" "$W/stage2.gz" "boot/initrd.img-$OUTGOING_REL" &&
  e2e_initramfs_add "$S1" "$W/devices.json" etc/lugate/devices.json &&
  e2e_initramfs_init "$S1" <"$here/load/guest-load.sh" &&
  e2e_initramfs_pack "$S1" "$W/stage1.gz"; } >&2 || abort "cannot build the stage-1 initramfs"
[ -s "$S1/usr/lib/lugate/loader.elf" ] || abort "make install did not put the loader at /usr/lib/lugate/loader.elf"

stage1_has() {  # stage1_has TEXT DESCRIPTION: a LUGATE-E2E-STAGE1 line contains TEXT
  if tr -d '\r' <"$CASE_LOG" | grep -a '^LUGATE-E2E-STAGE1 ' | grep -qF -- "$1"; then case_ok "$2"
  else case_not_ok "$2" "no stage-1 line with: $1"; fi
}
LOAD_ARGS="--kernel /boot/vmlinuz-$TARGET_REL --initrd /boot/initrd.img-$TARGET_REL --handoff /run/handoff.bin --fallback /boot/vmlinuz-$OUTGOING_REL --fallback-initrd /boot/initrd.img-$OUTGOING_REL --reuse-cmdline"

# ---- case allow --------------------------------------------------------------------------------------
case_begin "case allow (lugate load, kexec -e, the loader boots $TARGET_REL)"
qemu_boot allow "$outgoing" "$W/stage1.gz" \
  "console=ttyS0 panic=-1 lugate_e2e.case=allow lugate_e2e.table_sha256=$want_sha lugate_e2e.expect=allowed,target"
expect_rc 0 "the stage-2 guest powered off"
stage1_has "case=allow kernel=$OUTGOING_REL kexec_loaded=0" "stage 1 ran $OUTGOING_REL with nothing staged"
stage1_has "exit 0: lugate handoff build --from-running" "handoff build --from-running read the VM's devices"
expect_log "0000:00:01.1 8086:7010 class 010180 schema $GUID_IDE v2" "sysfs gave the IDE controller's IDs"
expect_log "0000:00:02.0 1234:1111 class 030000 schema $GUID_VGA v1" "sysfs gave the VGA's IDs"
stage1_has "exit 0: lugate load $LOAD_ARGS --dry-run" "the dry run allowed"
expect_log "allow: $OUTGOING_REL -> $TARGET_REL (stable-next), 2 preserved devices supported" "lugate printed the allow verdict"
expect_log_re "^/sbin/kexec -l --type multiboot2-x86 /usr/lib/lugate/loader.elf '--command-line=console=ttyS0 panic=-1 lugate_e2e.case=allow [^']*' '--module=/boot/vmlinuz-$TARGET_REL role=kernel *' '--module=/run/lugate/table.sealed role=table *' '--module=/boot/initrd.img-$TARGET_REL role=initrd *' '--module=/boot/vmlinuz-$OUTGOING_REL role=fallback *' '--module=/boot/initrd.img-$OUTGOING_REL role=fallback-initrd *'\$" \
  "--dry-run printed the exact kexec -l command with the installed loader"
stage1_has "exit 0: lugate load $LOAD_ARGS" "lugate load staged (exit 0)"
expect_log "staged: /usr/lib/lugate/loader.elf with the sealed table /run/lugate/table.sealed; run \`kexec -e\` to jump" "lugate load said what it staged"
stage1_has "sealed table sha256=$want_sha" "the guest sealed the very table the host's lugate seal made from the same inputs"
stage1_has "\$ kexec -e" "the guest ran kexec -e"
expect_log "lugate-loader: lugate loader 0.1 entered via multiboot2" "the loader was entered through Multiboot2"
expect_log "lugate-loader: verdict: ALLOW $OUTGOING_REL -> $TARGET_REL" "the loader's own check allowed"
expect_no_log "booting the FALLBACK" "the fallback was not booted"
expect_guest kernel "$TARGET_REL" "the target kernel booted"
expect_guest verdict 1 "the delivery record says allowed"
expect_guest table_sha256 "$want_sha" "the table arrived byte-exact in setup_data"
expect_log "LUGATE-E2E PASS" "the second kernel's /init verified the table and printed PASS"
case_end

# ---- case refuse -------------------------------------------------------------------------------------
case_begin "case refuse (an incompatible target: exit 1, nothing staged)"
qemu_boot refuse "$outgoing" "$W/stage1.gz" "console=ttyS0 panic=-1 lugate_e2e.case=refuse"
expect_rc 0 "the first kernel powered off by itself"
stage1_has "exit 1: lugate load $LOAD_ARGS --dry-run" "the dry run refused (exit 1)"
stage1_has "exit 1: lugate load $LOAD_ARGS" "lugate load refused (exit 1)"
expect_log "refuse: $OUTGOING_REL -> $TARGET_REL, 1 reason" "lugate printed the refusal"
expect_log_re "^  schema-version 0000:00:01.1: .*$GUID_IDE" "the reason names the device and its schema"
stage1_has "exit 0: cat /sys/kernel/kexec_loaded" "kexec_loaded was read"
expect_no_log "sealed table sha256=" "no sealed table was kept"
stage1_has "still running $OUTGOING_REL after the refusal: nothing staged, nothing lost" "the first kernel went on and printed its marker"
expect_no_log "lugate-loader:" "the loader never ran"
expect_no_log "\$ kexec -e" "kexec -e was never run"
if tr -d '\r' <"$CASE_LOG" | grep -aA1 'STAGE1 \$ cat /sys/kernel/kexec_loaded' | grep -qx 0; then case_ok "kexec_loaded stayed 0"
else case_not_ok "kexec_loaded stayed 0" "its value is not in the log"; fi
case_end

# ---- the README's admin walk-through is exactly what stage 1 ran -------------------------------------
case_begin "case walk-through (README.md = tests/e2e/load/guest-load.sh)"
if n=$(e2e_walkthrough_matches "$here/load/guest-load.sh" README.md admin-walk-through "$W"); then
  case_ok "the README's commands are the test's, word for word ($n commands)"
else
  case_not_ok "the README's commands are the test's" "see the diff above"
fi
case_end

tap_finish
