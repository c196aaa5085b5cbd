#!/usr/bin/env bash
# build/loader.arm64 (docs/loader.md, "The arm64 loader") boots Debian's arm64 6.1 kernel under
# QEMU virt (-cpu max, TCG), from a bundle the real `lugate` CLI built (handoff build, embed,
# seal, bundle build), passed as the initrd, exactly where kexec_file would pass it.
#
# The guest is a static arm64 busybox initramfs whose /init (guest-dtb-check.sh) finds the lugate
# node and property in /proc/device-tree, reads the delivery record back through /dev/mem, and
# prints the table's SHA-256 and its /proc/iomem line; the suite compares them with the host's.
# Target and fallback are the same Debian Image, the target stamped with a manifest (`lugate
# embed`), so the delivery record's "booted" field and the loader's log tell them apart.
#
# Cases: allowed (the target boots, table byte-exact, range reserved); changed (the target
# changed after sealing: image-mismatch, the fallback boots with the table marked refused);
# corrupt (the table corrupted inside a well-formed bundle: table-corrupt, the fallback boots
# with the corrupt bytes delivered as received); pagesize (the target's header flags patched to
# 16K pages after sealing, the table preserving a device: the loader refuses with
# page-size-change, beside image-mismatch, and the fallback boots); kexec (QEMU boots Debian's kernel, whose /init,
# stage0-kexec.sh, kexecs into the loader with the allowed bundle: the target boots as in
# "allowed"). In every case the guest also runs `lugate status --json`, the CLI cross-built for
# arm64 (make lugate-arm64), and the suite asserts what it read. A missing tool, package or
# build fails loudly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
cd "$LUGATE_TOP" || exit 1

LOADER=$E2E_BUILD/loader.arm64
LUGATE=$E2E_BUILD/lugate
CASES="allowed changed pagesize corrupt kexec"
: "${E2E_ARM64_TIMEOUT:=480}"

abort() {
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

# ---- prerequisites ----------------------------------------------------------------------------
e2e_need qemu-system-aarch64 timeout cpio gzip python3 sha256sum || abort "tools missing (scripts/deps.sh arm64, e2e)"
for f in "$LOADER" "$LUGATE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
image=$(scripts/debian-arm64.sh image) || abort "Debian's arm64 6.1 Image unavailable"
busybox=$(scripts/debian-arm64.sh busybox) || abort "busybox-static:arm64 unavailable"
kexec_root=$(scripts/debian-arm64.sh kexec) || abort "kexec-tools:arm64 unavailable"
make -s --no-print-directory lugate-arm64 >&2 && LUGATE_ARM64=$E2E_BUILD/arm64-cli/lugate && [ -x "$LUGATE_ARM64" ] ||
  abort "cannot cross-build the arm64 lugate (make lugate-arm64)"
W=$(e2e_workdir loader-arm64) || abort "no work directory"
release=$("$LUGATE" inspect "$image" | awk '/^release:/ { print $2 }')
[ -n "$release" ] || abort "lugate inspect names no release for $image"
tap_ok "loader.arm64 $(stat -c %s "$LOADER") bytes; Debian Image $release"

# ---- guest initramfs ------------------------------------------------------------------------------
mkdir -p "$W/ir/bin" && cp "$busybox" "$W/ir/bin/busybox" && cp "$here/guest-dtb-check.sh" "$W/ir/init" &&
  cp "$LUGATE_ARM64" "$W/ir/bin/lugate" && chmod 755 "$W/ir/bin/busybox" "$W/ir/init" "$W/ir/bin/lugate" &&
  (cd "$W/ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$W/initrd.gz" || abort "cannot build the initramfs"

# ---- table, images, bundles (the real CLI) --------------------------------------------------------
cat >"$W/devices.json" <<JSON
{ "release": "$release",
  "devices": [ {"address": "0000:00:02.0", "vendor": "0x1b36", "device": "0x000c", "class": "0x060400",
                "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "schema_version": 2, "driver": "pcieport"} ] }
JSON
cat >"$W/target.json" <<JSON
{ "release": "$release",
  "schemas": [ {"guid": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "min_version": 1, "max_version": 3} ] }
JSON
APPEND="console=ttyAMA0 panic=-1"
{ "$LUGATE" handoff build --devices "$W/devices.json" -o "$W/table.bin" &&
  "$LUGATE" embed --manifest "$W/target.json" "$image" -o "$W/target.img" &&
  cp "$image" "$W/fallback.img" &&
  "$LUGATE" seal --handoff "$W/table.bin" --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/sealed.bin" &&
  "$LUGATE" bundle build --table "$W/sealed.bin" --kernel "$W/target.img" --initrd "$W/initrd.gz" \
    --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/initrd.gz" -o "$W/allowed.bundle"; } >&2 || abort "the CLI could not build the bundle"
# changed after sealing: one byte of the target flipped, 16 MiB in
cp "$W/target.img" "$W/changed.img" &&
  printf '\x5a' | dd of="$W/changed.img" bs=1 seek=$((16 << 20)) conv=notrunc status=none &&
  "$LUGATE" bundle build --allow-refused-target --table "$W/sealed.bin" --kernel "$W/changed.img" \
    --initrd "$W/initrd.gz" --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/initrd.gz" -o "$W/changed.bundle" >&2
[ -s "$W/changed.bundle" ] || abort "the CLI could not build the changed bundle"
# 16K pages: the sealed target with its header's page-size flag (bits 1-2) set to 16K
python3 tests/cli/mkarm64.py pagesize "$W/target.img" "$W/target16k.img" 16384 &&
  "$LUGATE" bundle build --allow-refused-target --table "$W/sealed.bin" --kernel "$W/target16k.img" \
    --initrd "$W/initrd.gz" --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/initrd.gz" -o "$W/pagesize.bundle" >&2
[ -s "$W/pagesize.bundle" ] || abort "the CLI could not build the 16K-page bundle"
python3 "$here/corrupt-table.py" "$W/allowed.bundle" "$W/corrupt.bundle" || abort "cannot corrupt the table"
sealed_sha=$(sha256sum <"$W/sealed.bin" | cut -d' ' -f1)
corrupt_sha=$(python3 - "$W/corrupt.bundle" <<'PY'
import hashlib, struct, sys
d = open(sys.argv[1], "rb").read()
for i in range(struct.unpack_from("<I", d, 16)[0]):
    role, _, off, size = struct.unpack_from("<IIQQ", d, 64 + 64 * i)
    if role == 1:
        print(hashlib.sha256(d[off:off + size]).hexdigest())
PY
)

# ---- boots ----------------------------------------------------------------------------------------
# The preserved device is a PCIe root port at 00:02.0: its driver (pcieport) is built into
# Debian's kernel, so the guest's `lugate status` can find it present and bound.
boot() { # boot NAME [KERNEL INITRD APPEND MEM]: the loader with NAME.bundle, or KERNEL; log $W/NAME.log
  local t0 t1
  t0=$(date +%s.%N)
  # pauth-impdef: pointer authentication stays, with QEMU's cheap algorithm (QARMA5 under TCG is slow)
  timeout --kill-after=5 "$E2E_ARM64_TIMEOUT" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -accel tcg -m "${5:-1G}" \
    -nographic -no-reboot -net none -device pcie-root-port,addr=02.0,chassis=1 -kernel "${2:-$LOADER}" -initrd "${3:-$W/$1.bundle}" -append "${4:-lugate}" \
    </dev/null >"$W/$1.log" 2>&1
  t1=$(date +%s.%N)
  echo "# case $1: QEMU ran $(echo "$t1 - $t0" | bc) s" >&2
}
has() { grep -aqF -- "$2" "$W/$1.log"; }
line() { grep -a -m1 -F -- "$2" "$W/$1.log" | tr -d '\r'; }

# check NAME VERDICT_BOOTED TABLE_SHA LOADER_LINE...: what every case asserts
check() {
  local name=$1 vb=$2 sha=$3 why="" want range addr end
  shift 3
  for want in "$@"; do has "$name" "lugate-loader: $want" || why="no loader line '$want'"; done
  has "$name" "lugate-guest: done" || why="${why:-the guest did not finish}"
  [ -z "$why" ] && ! has "$name" "lugate-guest: uname $release" && why="not the Debian kernel"
  [ -z "$why" ] && ! has "$name" "lugate-guest: compatible lugate,handoff-v1" && why="no lugate-handoff node with its compatible"
  [ -z "$why" ] && ! has "$name" "lugate-guest: no-map" && why="the node is not no-map"
  [ -z "$why" ] && ! has "$name" "lugate-guest: magic LUGDELIV" && why="no delivery record at /chosen lugate,handoff"
  [ -z "$why" ] && ! has "$name" "lugate-guest: verdict-booted $vb" && why="verdict/booted is not $vb"
  [ -z "$why" ] && ! has "$name" "sha256 $sha" && why="the table read back is not the one delivered"
  if [ -z "$why" ]; then
    # the loader's logged record range = the node's reg = /chosen's pair = a reserved iomem line
    range=$(line "$name" "delivery record (" | sed -E 's/.*at \[0x([0-9a-f]+)-0x([0-9a-f]+)\).*/\1 \2/')
    addr=${range% *} end=${range#* }
    [ -n "$addr" ] || why="the loader logged no record range"
    [ -z "$why" ] && ! has "$name" "lugate-guest: chosen $(printf '%016x%016x' "0x$addr" $((0x$end - 0x$addr)))" &&
      why="/chosen lugate,handoff is not the logged range"
    [ -z "$why" ] && ! has "$name" "lugate-guest: reg $(printf '%016x%016x' "0x$addr" $((0x$end - 0x$addr)))" &&
      why="the node's reg is not the logged range"
    [ -z "$why" ] && ! has "$name" "lugate-guest: iomem $(printf '%08x-%08x' "0x$addr" $((0x$end - 1))) : reserved" &&
      why="/proc/iomem does not show the range as reserved"
  fi
  if [ -z "$why" ]; then tap_ok "case $name"; else
    tap_not_ok "case $name" "$why"; grep -a "lugate" "$W/$name.log" | sed 's/^/#   /' >&2; fi
}

# status NAME RC EXPR: the guest's arm64 `lugate status --json` exited RC and EXPR holds over
# its JSON (d), as the CLI read the record from /sys/firmware/fdt and /dev/mem
status() {
  local name=$1 rc=$2 expr=$3 got
  got=$(line "$name" "lugate-guest: status-rc" | awk '{ print $3 }')
  if [ "$got" != "$rc" ]; then
    tap_not_ok "case $name: lugate status (arm64 CLI in the guest)" "exit '$got', want $rc; $(line "$name" "lugate-guest: status-err")"
  elif line "$name" "lugate-guest: status-json" | sed 's/^lugate-guest: status-json //' |
       python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$expr"; then
    tap_ok "case $name: lugate status (arm64 CLI in the guest) exits $rc: $expr"
  else
    tap_not_ok "case $name: lugate status (arm64 CLI in the guest)" "JSON fails: $expr"
  fi
}
ALLOWED_STATUS="d['record'] == 'valid' and d['verdict'] == 'allowed' and d['booted'] == 'target' and d['image_matches'] and d['release_matches'] and d['devices'][0]['present'] and d['devices'][0]['driver'] == 'pcieport' and d['result'] == 'ok'"
fallback_status() { echo "d['record'] == 'valid' and d['verdict'] == 'refused' and d['booted'] == 'fallback' and d['reasons'] == $1 and d['result'] == 'failed'"; }

boot allowed
check allowed " 1 1" "$sealed_sha" "verdict: ALLOW" "booting the TARGET kernel, table delivered marked allowed"
status allowed 0 "$ALLOWED_STATUS"
boot changed
check changed " 2 2" "$sealed_sha" "verdict: REFUSE" "  reason image-mismatch" \
  "booting the FALLBACK kernel, table delivered marked refused"
status changed 1 "$(fallback_status "['image-mismatch']")"
boot pagesize
check pagesize " 2 2" "$sealed_sha" "verdict: REFUSE" "  reason page-size-change" \
  "booting the FALLBACK kernel, table delivered marked refused"
status pagesize 1 "$(fallback_status "['image-mismatch', 'page-size-change']")"
boot corrupt
check corrupt " 2 2" "$corrupt_sha" "  reason table-corrupt" "booting the FALLBACK kernel, table delivered marked refused"
status corrupt 1 "$(fallback_status "['table-corrupt']") and d['table_error'] == 'bad-hash' and not d['sealed']"

# kexec: the outgoing kernel's initramfs carries kexec-tools, the loader and the allowed bundle
mkdir -p "$W/s0/bin" && cp "$busybox" "$W/s0/bin/busybox" && cp -a "$kexec_root/." "$W/s0/" &&
  cp "$here/stage0-kexec.sh" "$W/s0/init" && cp "$LOADER" "$W/s0/loader.arm64" &&
  cp "$W/allowed.bundle" "$W/s0/bundle.bin" && chmod 755 "$W/s0/bin/busybox" "$W/s0/init" &&
  (cd "$W/s0" && find . | cpio -o -H newc --quiet) >"$W/stage0.cpio"
if [ -s "$W/stage0.cpio" ]; then
  boot kexec "$image" "$W/stage0.cpio" "console=ttyAMA0 panic=-1" 2G
  if has kexec "lugate-stage0: loaded"; then
    check kexec " 1 1" "$sealed_sha" "verdict: ALLOW" "booting the TARGET kernel, table delivered marked allowed"
    status kexec 0 "$ALLOWED_STATUS"
  else
    tap_not_ok "case kexec" "kexec -l of the loader failed in the outgoing kernel"
    grep -a "lugate\|kexec" "$W/kexec.log" | sed 's/^/#   /' >&2
  fi
else
  tap_not_ok "case kexec" "cannot build the outgoing kernel's initramfs"
fi
tap_finish
