#!/usr/bin/env bash
# `lugate load` on a KHO host (docs/live-update.md, KHO mode): inside QEMU (TCG) the 7.3 KHO+LUO
# kernel (scripts/kho-kernel.sh, `kho=on liveupdate=on`) preserves a memfd through LUO; then the
# `make install`ed lugate, run as the admin would (tests/e2e/kho-load/admin.sh, in luo-memfd's
# child while the session stays open), builds the table from the running system (the VM's PCI
# devices, the KHO/LUO versions from debugfs), checks, seals, bundles and stages lugate's
# bzImage64 loader with `kexec -s`; `kexec -e` jumps.
#
#  allow:  under OVMF (UEFI), with efi=debug: the target is the same KHO kernel, stamped with a
#          manifest reviving its KHO/LUO/memfd formats: the loader allows and forwards KHO and
#          the EFI state; the target finds the KHO data, the memfd comes back byte-exact, the
#          table lies in setup_data with the SHA-256 of the table stage 1 sealed, the EFI checks
#          hold (lib.sh e2e_efi_verify) and `lugate status --json` reports KHO state in and
#          kexec-metadata's previous release (the table's outgoing release) and kexec count.
#          KHO's scratch areas and the EFI memory map meet on one machine here.
#  refuse: the target is Debian's 6.1.0-56 (no KHO, no manifest): `lugate load` refuses before
#          the jump, nothing is staged (kexec_loaded 0), the loader never runs, and the first
#          kernel carries on to print its marker.
# Every assertion reads the serial log; nothing is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
cd "$LUGATE_TOP" || exit 1
: "${E2E_TIMEOUT:=400}"
[ "$E2E_TIMEOUT" -ge 400 ] || E2E_TIMEOUT=400   # the allowed case under OVMF adds ~15 s to ~150 s
export E2E_TIMEOUT

LUGATE=$E2E_BUILD/lugate
LUO_MEMFD=$E2E_BUILD/e2e/luo-memfd
DEBIAN_REL=6.1.0-56-amd64
BASE_APPEND="console=ttyS0 panic=-1 kho=on liveupdate=on"
GUID_IDE=3c1d7a52-8b4e-4f60-9a2d-5e6f708192a3
GUID_VGA=9e2f4b61-0c3d-4e5f-8a9b-0c1d2e3f4a5b

abort() { tap_not_ok "$1" "${2:-}"; tap_finish; exit 1; }
e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum kexec || abort "e2e tools present" "run scripts/deps.sh e2e"
make -s --no-print-directory "${LUGATE#"$LUGATE_TOP"/}" "${LUO_MEMFD#"$LUGATE_TOP"/}" "$BUILD/loader.bzImage" >&2 ||
  abort "build lugate, luo-memfd, loader.bzImage"
kernel=$(e2e_kho_kernel) || abort "KHO+LUO kernel available (scripts/kho-kernel.sh)"
kver=$(cat "$(dirname "$kernel")/version")
ksrc=$(sed -n 's/^source=//p' "$(dirname "$kernel")/stamp")
kho_compat=$(sed -n 's/^#define KHO_FDT_COMPATIBLE "\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/kexec_handover.h")
luo_compat=$(sed -n 's/^#define LUO_ABI_COMPATIBLE[[:space:]]*"\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/luo.h")
memfd_compat=$(sed -n 's/^#define MEMFD_LUO_FH_COMPATIBLE[[:space:]]*"\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/memfd.h")
[ -n "$kho_compat" ] && [ -n "$luo_compat" ] && [ -n "$memfd_compat" ] || abort "read the KHO/LUO/memfd compatibles from $ksrc"
# the FLBs the kernel serializes with every memfd (its LIVEUPDATE_TEST mocks): the loader reads
# them from the LUO state at the jump, so the target must revive them too
flbs=$(e2e_luo_flb_compats "$ksrc" "$(dirname "$kernel")/config") || abort "read the FLB compatibles from $ksrc"
flb_json=$(echo "$flbs" | sed -n 's/.*/, "&"/p' | tr -d '\n')
debian=$(scripts/debian-kernel.sh "$DEBIAN_REL") || abort "Debian kernel $DEBIAN_REL available"
W=$(e2e_workdir load-kho) || abort "work directory"
tap_ok "KHO kernel $kver ('$kho_compat', '$luo_compat', '$memfd_compat'), Debian $DEBIAN_REL"

# ---- host: the stamped target; the guest does the rest itself ----------------------------------
cat >"$W/manifest.json" <<JSON
{"release": "$kver", "schemas": [
  {"guid": "$GUID_IDE", "min_version": 1, "max_version": 3},
  {"guid": "$GUID_VGA", "min_version": 1, "max_version": 1}],
 "compatible": ["$kho_compat", "$luo_compat", "$memfd_compat"$flb_json]}
JSON
cat >"$W/devices.json" <<JSON
{"devices": [
  {"address": "0000:00:01.1", "schema": "$GUID_IDE", "schema_version": 2},
  {"address": "0000:00:02.0", "schema": "$GUID_VGA", "schema_version": 1}]}
JSON
"$LUGATE" embed --manifest "$W/manifest.json" "$kernel" -o "$W/target.img" >&2 || abort "host: lugate embed the KHO kernel"

s2=$W/s2
{ e2e_initramfs_new "$s2" && e2e_initramfs_add "$s2" "$LUO_MEMFD" bin/luo-memfd 0755 &&
  e2e_initramfs_add_elf "$s2" "$LUGATE" /usr/sbin/lugate &&
  { cat "$here/kho/kho-incoming-init.sh" "$here/loader/guest-check.sh"; e2e_efi_probe_sh
    cat "$here/kho-load/kho-load-incoming-status.sh"; } | e2e_initramfs_init "$s2" &&
  e2e_initramfs_pack "$s2" "$W/stage2.gz"; } >&2 || abort "build the stage-2 initramfs"
s1=$W/s1
{ e2e_initramfs_new "$s1" &&
  make -s --no-print-directory install DESTDIR="$s1" PREFIX=/usr >&2 &&
  e2e_initramfs_add_elf "$s1" "$LUGATE" /usr/sbin/lugate && e2e_initramfs_add_kexec "$s1" &&
  e2e_initramfs_add "$s1" "$LUO_MEMFD" bin/luo-memfd 0755 &&
  e2e_initramfs_add "$s1" "$W/target.img" "boot/vmlinuz-$kver" &&
  e2e_initramfs_add "$s1" "$kernel" boot/vmlinuz-current &&
  e2e_initramfs_add "$s1" "$debian" "boot/vmlinuz-$DEBIAN_REL" &&
  e2e_initramfs_add "$s1" "$W/stage2.gz" boot/initrd.img-next &&
  e2e_initramfs_add "$s1" "$W/stage2.gz" boot/initrd.img-current &&
  e2e_initramfs_add "$s1" "$W/devices.json" etc/lugate/devices.json &&
  e2e_initramfs_add "$s1" "$here/kho-load/admin.sh" etc/lugate/admin.sh &&
  e2e_initramfs_init "$s1" <"$here/kho-load/kho-load-outgoing-init.sh" &&
  e2e_initramfs_pack "$s1" "$W/stage1.gz"; } >&2 || abort "build the stage-1 initramfs"
[ -s "$s1/usr/lib/lugate/loader.bzImage" ] || abort "make install put the loader at /usr/lib/lugate/loader.bzImage"

has()  { if e2e_log_has "$log" "$2"; then tap_ok "$1"; else tap_not_ok "$1" "no '$2' in $log"; fi; }
hasre() { if e2e_log_has_re "$log" "$2"; then tap_ok "$1"; else tap_not_ok "$1" "no line matching '$2' in $log"; fi; }
hasnt() { if e2e_log_has "$log" "$2"; then tap_not_ok "$1" "'$2' in $log"; else tap_ok "$1"; fi; }
boot() {  # boot NAME QEMU-FUNCTION APPEND
  log=$W/$1.log
  "$2" "$log" "$kernel" "$W/stage1.gz" "$BASE_APPEND $3"; local rc=$?
  echo "# $1: QEMU rc=$rc in ${E2E_QEMU_SECONDS}s, log $log"
  if [ "$rc" -eq 0 ]; then tap_ok "$1: QEMU finished within ${E2E_TIMEOUT}s (${E2E_QEMU_SECONDS}s)"
  else tap_not_ok "$1: QEMU finished within ${E2E_TIMEOUT}s" "rc=$rc"; e2e_log_tail "$log" 40; fi
  has "$1: the first kernel preserved the memfd through LUO" "LUO-MEMFD: preserved session="
  has "$1: handoff build --from-running succeeded" "E2E-ADMIN exit 0: lugate handoff"
  hasre "$1: the table records the running kernel's KHO version ($kho_compat) read from debugfs" "^compatible: .*$kho_compat"
  has "$1: sysfs gave the IDE controller's IDs" "0000:00:01.1 8086:7010 class 010180 schema $GUID_IDE v2"
}

# ---- allow ----------------------------------------------------------------------------------------
boot allow e2e_qemu_ovmf "efi=debug lugate_e2e.expect=allowed,target e2e_target=/boot/vmlinuz-$kver"
has "allow: lugate allowed ($kver -> $kver)" "allow: $kver -> $kver (same), 2 preserved devices supported"
hasre "allow: --dry-run printed kexec -s -l of the installed loader.bzImage with the bundle" \
  "^/sbin/kexec -s -l /usr/lib/lugate/loader.bzImage --initrd=/run/lugate/bundle.bin --command-line=lugate.stop=reboot:10$"
has "allow: lugate load staged through kexec_file_load" "staged (kexec_file_load, KHO kept): /usr/lib/lugate/loader.bzImage with the bundle /run/lugate/bundle.bin"
sealed=$(tr -d '\r' <"$log" | sed -n 's/^E2E-ADMIN kexec_loaded=1 sealed_sha256=\([0-9a-f]\{64\}\)$/\1/p' | tail -1)
if [ -n "$sealed" ]; then tap_ok "allow: kexec_loaded=1, sealed table $sealed"; else tap_not_ok "allow: kexec_loaded=1 and a sealed table"; fi
has "allow: kexec -e ran" "E2E-ADMIN \$ kexec -e"
has "allow: the loader started through its bzImage64 entry" "lugate-loader: lugate loader 0.1 entered via bzimage64"
has "allow: the loader found the KHO FDT ($kho_compat)" "root compatible \"$kho_compat\": outgoing KHO format recorded"
has "allow: the loader allowed" "lugate-loader: verdict: ALLOW $kver -> $kver"
has "allow: the loader booted the target" "lugate-loader: booting the TARGET kernel, table delivered marked allowed"
has "allow: the booted kernel found the KHO data (no cold boot)" "KHO: found kexec handover data"
hasnt "allow: nothing called the KHO data incompatible" "is incompatible with"
has "allow: the memfd came back, every byte, FINISH ok" "LUO-MEMFD: PASS session="
hasre "allow: the delivery record says allowed, target, with the table stage 1 sealed" \
  "LUGATE-E2E kernel=$kver .* verdict=1 booted=1 .*table_sha256=${sealed:-none}"
has "allow: the guest's own checks passed" "LUGATE-E2E PASS"
allow_ok() { tap_ok "allow: $1"; }
allow_not_ok() { tap_not_ok "allow: $1" "$2"; }
e2e_efi_verify "$log" "$kver" allow_ok allow_not_ok
tr -d '\r' <"$log" | sed -n 's/^E2E-STATUS | //p' >"$W/allow-status.json"
status_exit=$(tr -d '\r' <"$log" | sed -n 's/^E2E-STATUS-END exit=\([0-9]*\)$/\1/p' | tail -1)
echo "# allow: lugate status --json exited ${status_exit:-?}; $W/allow-status.json"
status_json() {  # status_json NAME PYTHON-ASSERTIONS: on s, the parsed `lugate status --json`
  if python3 -c "import json, sys
s = json.load(open(sys.argv[1])); kver = sys.argv[2]; sealed = sys.argv[3]
kho = s.get('kho') or {}; m = kho.get('kexec_metadata') or {}
failed = [c['check'] for c in s.get('checks_failed', [])]
$2" "$W/allow-status.json" "$kver" "${sealed:-none}" "${status_exit:-none}" >&2; then tap_ok "$1"
  else tap_not_ok "$1" "see $W/allow-status.json"; fi
}
status_json "allow: lugate status --json: a valid record, booted target, the table sealed in stage 1" \
  "assert s['record'] == 'valid' and s['booted'] == 'target' and s['verdict'] == 'allowed', s
assert s['outgoing_release'] == kver and s['sealed_target_release'] == kver, s"
status_json "allow: lugate status --json: a KHO kernel, KHO state came in, no KHO check failed" \
  "assert kho.get('kho_kernel') is True and kho.get('state_in') is True, kho
assert not [c for c in failed if c.startswith('kho') or c.startswith('kexec-metadata')], failed"
status_json "allow: lugate status --json: kexec-metadata names the previous release ($kver, the table's outgoing) and a kexec count" \
  "assert m.get('version') == 1, m
assert m.get('previous_release') == kver == s['outgoing_release'], m
assert isinstance(m.get('kexec_count'), int) and m['kexec_count'] >= 1, m
print('# kexec-metadata: previous_release %s, kexec_count %d' % (m['previous_release'], m['kexec_count']))"
# The test kernel (tinyconfig) has no driver for the IDE controller or the VGA the table preserves.
status_json "allow: lugate status exits 1 for that alone: both preserved devices present, bound to no driver (device-unbound)" \
  "assert sys.argv[4] == '1', 'exit ' + sys.argv[4]
assert sorted(failed) == ['device-unbound', 'device-unbound'], failed
assert [(d['address'], d['present'], d['driver']) for d in s['devices']] == [('0000:00:01.1', True, None), ('0000:00:02.0', True, None)], s['devices']"

# ---- refuse before the jump ------------------------------------------------------------------------
boot refuse e2e_qemu "lugate_e2e.expect=allowed,target e2e_target=/boot/vmlinuz-$DEBIAN_REL"
hasre "refuse: the dry run and the load both refused (exit 1)" "^E2E-ADMIN exit 1: lugate load"
[ "$(e2e_log_count "$log" "E2E-ADMIN exit 1: lugate load")" = 2 ] && tap_ok "refuse: both refusals (dry run, load) exit 1" ||
  tap_not_ok "refuse: both refusals exit 1"
hasre "refuse: lugate printed the refusal" "^refuse: $kver -> $DEBIAN_REL, [0-9]+ reasons?"
hasre "refuse: the target cannot revive the running KHO version: compat-missing '$kho_compat'" "^  compat-missing: kho format '$kho_compat' of the outgoing kernel is not revived by the target: KHO revival is disabled"
hasre "refuse: ... nor the file handler compiled into the running kernel (its /boot image): compat-missing '$memfd_compat'" \
  "^  compat-missing: file-handler format '$memfd_compat' compiled into the outgoing kernel is not revived by the target: the next kernel has no handler for it"
hasre "refuse: ... nor carries a manifest: no-manifest" "^  no-manifest: "
hasre "refuse: ... and is a downgrade" "^  downgrade: "
hasnt "refuse: kexec -e was never run" "E2E-ADMIN \$ kexec -e"
has "refuse: nothing staged, the first kernel carries on" "E2E-STAGE1 still running $kver: kexec_loaded=0"
hasnt "refuse: the loader never ran" "lugate-loader:"

# ---- docs/live-update.md's KHO walk-through is exactly what stage 1 ran --------------------------
if n=$(e2e_walkthrough_matches "$here/kho-load/admin.sh" docs/live-update.md kho-walk-through "$W"); then
  tap_ok "walk-through: docs/live-update.md's KHO commands are the test's, word for word ($n commands)"
else
  tap_not_ok "walk-through: docs/live-update.md's KHO commands are the test's" "see the diff above"
fi
tap_finish
