#!/usr/bin/env bash
# `lugate status` and `lugate history` after a jump, on this host: a fake system under
# LUGATE_SYSROOT (boot_params setup_data with a delivery record written byte for byte to
# docs/loader.md by tests/cli/mkdelivery.py, /proc's osrelease, PCI devices in sysfs, KHO's
# debugfs with a 7.3 kexec-metadata blob). Asserted: which kernel booted and each check by its
# name and exit code, every --json field, the history (known-bad refusals in check, seal and
# load's check, the policy line lifting it, concurrent writers, a full disk, a torn write, the
# size bound, a symlink planted in its place).
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
EX=$PWD/examples
# a tiny bzImage of release 6.1.0-56-amd64, padded to 20000 bytes: what lugate's loader boots
IMG=$T_TMP/tiny.img
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b + bytes(20000 - len(b)))' \
  "$PWD/tests/fuzz/corpus/image/seed-tiny-gzip" "$IMG"
MK="python3 $PWD/tests/cli/mkdelivery.py"
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# jfield NAME EXPR WANT: the last run's JSON, EXPR (python, d = the object) printed, equals WANT
jfield() {
  local got; got=$(jq_ "$OUT" "$2" 2>&1)
  if [ "$got" = "$3" ]; then echo "ok - $LAST: $1 = $3"; else echo "not ok - $LAST: $1 = '$got', want '$3'"; fi
}

# ---- inputs: a target, a fallback, a table sealed to them ---------------------------------------
expect "embed the 6.1.0-56 manifest" 0 "$L" embed --manifest "$EX/target-6.1.0-56.json" "$IMG" -o "$W/target.img"
cp "$IMG" "$W/fallback.img"
expect "handoff build" 0 "$L" handoff build --devices "$EX/devices.json" -o "$W/t.bin"
expect "seal to the target" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/sealed.bin"
TSHA=$(sha256sum "$W/target.img" | cut -d' ' -f1)
FSHA=$(sha256sum "$W/fallback.img" | cut -d' ' -f1)

# ---- a fake booted system -----------------------------------------------------------------------
S=$W/sysroot
export LUGATE_SYSROOT=$S LUGATE_STATE_DIR=$W/state
booted() {  # booted RELEASE: fresh /proc, /sys with an unrelated setup_data entry, devices bound
  rm -rf "$S"
  mkdir -p "$S/proc/sys/kernel" "$S/sys/kernel/boot_params/setup_data/0" "$S/sys/bus/pci/drivers/mlx5_core" \
    "$S/sys/bus/pci/drivers/nvme"
  echo "$1" >"$S/proc/sys/kernel/osrelease"
  echo 0x1 >"$S/sys/kernel/boot_params/setup_data/0/type"
  head -c 40 /dev/zero >"$S/sys/kernel/boot_params/setup_data/0/data"
  for a in 0000:3b:00.0 0000:3b:00.1 0000:5e:00.0 0000:af:00.0; do
    mkdir -p "$S/sys/bus/pci/devices/$a"
    ln -s ../../../bus/pci/drivers/mlx5_core "$S/sys/bus/pci/devices/$a/driver"
  done
}
deliver() {  # deliver MKDELIVERY-ARGS...: the record as setup_data entry 1
  mkdir -p "$S/sys/kernel/boot_params/setup_data/1"
  echo 0x4c554741 >"$S/sys/kernel/boot_params/setup_data/1/type"
  $MK "$S/sys/kernel/boot_params/setup_data/1/data" "$@"
}
REC=$S/sys/kernel/boot_params/setup_data/1/data

# ---- usage ---------------------------------------------------------------------------------------
expect "status --help" 0 "$L" status --help
expect_out "--record"
expect "status with an argument" 2 "$L" status extra
expect_err_line "unexpected argument"
expect "history --help" 0 "$L" history --help

# ---- the approved target ------------------------------------------------------------------------
booted 6.1.0-56-amd64
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
expect "target booted, every check holds" 0 "$L" status
expect_out "booted: target (loader verdict: allowed)"
expect_out "running: 6.1.0-56-amd64"
expect_out "0000:3b:00.0 present, driver mlx5_core"
expect "status --json (target)" 0 "$L" status --json
jfield record 'd["record"]' valid
jfield version 'd["version"]' 1
jfield verdict 'd["verdict"]' allowed
jfield booted 'd["booted"]' target
jfield flags 'd["flags"]' '[]'
jfield reasons 'd["reasons"]' '[]'
jfield reason_total 'd["reason_total"]' 0
jfield booted_sha256 'd["booted_sha256"]' "$TSHA"
jfield table_size 'd["table_size"]' "$(stat -c %s "$W/sealed.bin")"
jfield table_error 'd["table_error"]' None
jfield outgoing_release 'd["outgoing_release"]' 6.1.0-55-amd64
jfield sealed 'd["sealed"]' True
jfield sealed_target_release 'd["sealed_target_release"]' 6.1.0-56-amd64
jfield sealed_target_sha256 'd["sealed_target_sha256"]' "$TSHA"
jfield sealed_fallback_sha256 'd["sealed_fallback_sha256"]' "$FSHA"
jfield running_release 'd["running_release"]' 6.1.0-56-amd64
jfield release_matches 'd["release_matches"]' True
jfield image_matches 'd["image_matches"]' True
jfield devices '[(x["address"], x["present"], x["driver"], x["driver_preserved"]) for x in d["devices"]][0]' \
  "('0000:3b:00.0', True, 'mlx5_core', 'mlx5_core')"
jfield "device count" 'len(d["devices"])' 4
jfield kho 'd["kho"]' "{'kho_kernel': False, 'state_in': False}"
jfield checks_failed 'd["checks_failed"]' '[]'
jfield result 'd["result"]' ok
jfield path 'd["path"].endswith("setup_data/1/data")' True

# ---- checks that fail after the target booted ---------------------------------------------------
echo 6.1.0-57-amd64 >"$S/proc/sys/kernel/osrelease"
expect "another release runs" 1 "$L" status
expect_out "FAILED release-mismatch: running 6.1.0-57-amd64, but the table was sealed to 6.1.0-56-amd64"
echo 6.1.0-56-amd64 >"$S/proc/sys/kernel/osrelease"
deliver --verdict allowed --booted target --sha "$FSHA" --table "$W/sealed.bin"
expect "another image booted" 1 "$L" status --json
jfield "image_matches" 'd["image_matches"]' False
jfield "failed check" '[c["check"] for c in d["checks_failed"]]' "['image-mismatch']"
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
rm "$S/sys/bus/pci/devices/0000:5e:00.0/driver"; rm -r "$S/sys/bus/pci/devices/0000:af:00.0"
expect "a device unbound, another gone" 1 "$L" status
expect_out "FAILED device-unbound: preserved device 0000:5e:00.0 is present but bound to no driver"
expect_out "FAILED device-missing: preserved device 0000:af:00.0 is not present in sysfs"
booted 6.1.0-56-amd64
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"

# ---- KHO and 7.3's kexec-metadata -----------------------------------------------------------------
kmeta() {  # kmeta PREV COUNT [VERSION]: struct kho_kexec_metadata, packed, little-endian
  mkdir -p "$S/sys/kernel/debug/kho/in/sub_fdts"
  python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I65sI", int(sys.argv[3]), sys.argv[1].encode(), int(sys.argv[2])))' \
    "$1" "$2" "${3:-1}" >"$S/sys/kernel/debug/kho/in/sub_fdts/kexec-metadata"
}
kmeta 6.1.0-55-amd64 3
expect "KHO state came in, kexec-metadata agrees" 0 "$L" status --json
jfield kho_kernel 'd["kho"]["kho_kernel"]' True
jfield state_in 'd["kho"]["state_in"]' True
jfield kexec_metadata 'd["kho"]["kexec_metadata"]' "{'version': 1, 'previous_release': '6.1.0-55-amd64', 'kexec_count': 3}"
expect "kexec-metadata in text" 0 "$L" status
expect_out "kexec-metadata: previous 6.1.0-55-amd64, kexec count 3"
kmeta 6.1.0-54-amd64 1
expect "kexec-metadata names another previous kernel" 1 "$L" status
expect_out "FAILED kexec-metadata-mismatch: kexec-metadata says the previous kernel was 6.1.0-54-amd64, the table says 6.1.0-55-amd64"
kmeta 6.1.0-55-amd64 1 2
expect "kexec-metadata of an unknown version" 1 "$L" status
expect_out "FAILED kexec-metadata-malformed"
rm -r "$S/sys/kernel/debug/kho/in"
expect "a KHO kernel without incoming state, the table preserved kho-v1" 1 "$L" status
expect_out "FAILED kho-not-received"
rm -r "$S/sys/kernel/debug"

# ---- the fallback ---------------------------------------------------------------------------------
booted 6.1.0-55-amd64
deliver --verdict refused --booted fallback --flags 0x1 --reasons 10 --sha "$FSHA" --table "$W/sealed.bin"
expect "the fallback booted" 1 "$L" status
expect_out "booted: fallback (loader verdict: refused)"
expect_out "refusal reasons: image-mismatch"
expect_out "FAILED fallback-booted: the loader refused the target and booted the fallback: image-mismatch"
expect "status --json (fallback)" 1 "$L" status --json
jfield booted 'd["booted"]' fallback
jfield verdict 'd["verdict"]' refused
jfield flags 'd["flags"]' "['fallback-verified']"
jfield reasons 'd["reasons"]' "['image-mismatch']"
jfield result 'd["result"]' failed
deliver --verdict refused --booted fallback --flags 0x20
expect "the fallback booted: the loader got no table" 1 "$L" status --json
jfield "failed check" '[c["message"] for c in d["checks_failed"]]' "['the loader refused the target and booted the fallback: no-table']"
jfield "no table" '(d["outgoing_release"], d["devices"])' "(None, None)"

# ---- corrupt and absent ---------------------------------------------------------------------------
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
printf '\x07' | dd of="$REC" bs=1 seek=16 conv=notrunc status=none
expect "a corrupt record (verdict 7)" 2 "$L" status
expect_err_line "the delivery record is corrupt: value out of range"
expect "a corrupt record, --json" 2 "$L" status --json
jfield record 'd["record"]' corrupt
jfield error 'd["error"]' out-of-range
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
truncate -s -1 "$REC"
expect "a truncated record" 2 "$L" status
expect_err_line "the delivery record is corrupt: input is truncated"
mkdir -p "$S/sys/kernel/boot_params/setup_data/2"
cp "$S/sys/kernel/boot_params/setup_data/1/type" "$S/sys/kernel/boot_params/setup_data/2/"
cp "$REC" "$S/sys/kernel/boot_params/setup_data/2/data"
expect "two records" 2 "$L" status
expect_err_line "two delivery records"
booted 6.1.0-56-amd64
expect "no record: a cold boot" 2 "$L" status
expect_err_line "no delivery record: a cold boot or a plain kexec"
expect "no record, --json" 2 "$L" status --json
jfield record 'd["record"]' absent
expect "no record, --cold-ok" 0 "$L" status --cold-ok
expect_out "no delivery record"
rm -r "$S/sys/kernel/boot_params"
expect "no boot_params at all" 2 "$L" status
expect_err_line "no delivery record"
booted 6.1.0-56-amd64
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
rm "$REC"; mkdir "$REC"
expect "a record that cannot be read (a directory in its place)" 3 "$L" status
expect_err_line "setup_data/1/data"
rmdir "$REC"
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"

# ---- --record and the history ---------------------------------------------------------------------
H=$LUGATE_STATE_DIR/history
expect "history before any record" 0 "$L" history
expect_out "no jumps recorded"
check "history before any record wrote nothing" test ! -e "$LUGATE_STATE_DIR"
expect "status --state-dir without --record" 2 "$L" status --state-dir "$W/x"
expect "record a good jump" 0 "$L" status --record
expect "history --json after a good jump" 0 "$L" history --json
jfield count 'len(d["records"])' 1
jfield outcome 'd["records"][0]["outcome"]' good
jfield key '[d["records"][0][k] for k in ("outgoing_release", "outgoing_sha256", "target_release", "target_sha256")]' \
  "['6.1.0-55-amd64', None, '6.1.0-56-amd64', '$TSHA']"
jfield booted 'd["records"][0]["booted"]' target
jfield skipped 'd["skipped"]' 0
expect "check of the good pair allows" 0 "$L" check --handoff "$W/sealed.bin" --kernel "$W/target.img"

booted 6.1.0-55-amd64
deliver --verdict refused --booted fallback --flags 0x1 --reasons 10 --sha "$FSHA" --table "$W/sealed.bin"
expect "record the fallback" 1 "$L" status --record --json
jfield recorded 'd["recorded"]' True
expect "history lists both" 0 "$L" history
expect_out "good  6.1.0-55-amd64 -> 6.1.0-56-amd64  booted target"
expect_out "bad   6.1.0-55-amd64 -> 6.1.0-56-amd64  booted fallback"
WHEN=$(jq_ <("$L" history --json) 'd["records"][-1]["time"]')
expect "check refuses the known-bad pair" 1 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img"
expect_out "known-bad: 6.1.0-55-amd64 -> 6.1.0-56-amd64 failed after the jump on $WHEN"
expect "check --json names known-bad" 1 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img" --json
jfield codes '[r["code"] for r in d["reasons"]]' "['known-bad']"
expect "check with the manifest only (no image hash) refuses too" 1 "$L" check --handoff "$W/t.bin" --manifest "$EX/target-6.1.0-56.json"
expect_out "known-bad"
expect "seal refuses the known-bad pair" 1 "$L" seal --handoff "$W/t.bin" --kernel "$W/target.img" -o "$W/resealed.bin"
check "seal wrote nothing" test ! -e "$W/resealed.bin"
cat "$EX/policy.conf" >"$W/again.conf"; echo "known-bad = allow" >>"$W/again.conf"
expect "the policy line allows it again" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img" --policy "$W/again.conf"
echo "known-bad = maybe" >"$W/bad.conf"
expect "a bad known-bad line" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img" --policy "$W/bad.conf"
expect "another history directory knows nothing" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img" --state-dir "$W/elsewhere"
# load: the same check (through seal), before anything is staged
mkdir -p "$S/sys/kernel/security" "$S/dev"; echo 0 >"$S/proc/sys/kernel/kexec_load_disabled"
echo "[none]" >"$S/sys/kernel/security/lockdown"; echo 0 >"$S/sys/kernel/kexec_loaded"
echo "root=/dev/vda1" >"$S/proc/cmdline"
printf '#!/bin/sh\necho ran >"%s"\n' "$W/kexec-ran" >"$W/fake-kexec"; chmod +x "$W/fake-kexec"
expect "load refuses the known-bad pair" 1 "$L" load --handoff "$W/t.bin" --kernel "$W/target.img" \
  --kexec "$W/fake-kexec" --loader "$B/loader.elf" --runtime-dir "$W/run" --no-kho
expect_out "known-bad"
check "load ran no kexec" test ! -e "$W/kexec-ran"
check "load staged no table" test ! -e "$W/run/table.sealed"

booted 6.1.0-56-amd64
deliver --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
expect "a later good jump of the pair" 0 "$L" status --record
expect "check allows the pair again after a good jump" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/target.img"

# ---- concurrent writers ---------------------------------------------------------------------------
rm -rf "$LUGATE_STATE_DIR"
for i in $(seq 10); do "$L" status --record >/dev/null 2>"$W/par.$i" & done; wait
expect "history after 10 parallel --record" 0 "$L" history --json
jfield "records" 'len(d["records"])' 10
jfield "skipped" 'd["skipped"]' 0
check "no writer complained" test -z "$(cat "$W"/par.*)"
check "every line carries its checksum" test "$(grep -cE '^[0-9a-f]{16} \{' "$H")" = 10

# ---- a torn write --------------------------------------------------------------------------------
truncate -s -20 "$H"
expect "history with a torn last record" 0 "$L" history --json
jfield "intact records" 'len(d["records"])' 9
jfield "skipped" 'd["skipped"]' 1
grep -q "line 10 skipped: torn" "$ERR" && echo "ok - the torn record is named on stderr" || echo "not ok - the torn record is not named"
expect "record after a torn write" 0 "$L" status --record
expect "history after recovery" 0 "$L" history --json
jfield "records" 'len(d["records"])' 10
jfield "skipped" 'd["skipped"]' 1
sed -i '3s/"good"/"bad!"/' "$H"
expect "history with a damaged record" 0 "$L" history --json
jfield "intact records" 'len(d["records"])' 9
grep -q "line 3 skipped: checksum mismatch" "$ERR" && echo "ok - the damaged record is named" || echo "not ok - the damaged record is not named"

# ---- the size bound ------------------------------------------------------------------------------
rm -rf "$LUGATE_STATE_DIR"
for i in $(seq 205); do "$L" status --record >/dev/null || break; done
expect "history after 205 records" 0 "$L" history --json
jfield "records kept" 'len(d["records"])' 200
check "the file is bounded" test "$(wc -l <"$H")" -le 200

# ---- a full disk ---------------------------------------------------------------------------------
MNT=$W/full; mkdir -p "$MNT"
if mount -t tmpfs -o size=8k tmpfs "$MNT" 2>/dev/null; then
  head -c 8192 /dev/zero >"$MNT/filler" 2>/dev/null
  expect "record onto a full disk, no history yet" 3 "$L" status --record --state-dir "$MNT"
  expect_err_line "write failed: No space left on device"
  check "no history file left behind" test ! -e "$MNT/history"
  rm "$MNT/filler"; head -c 4096 /dev/zero >"$MNT/filler"
  # records fill the history's one page; the one that does not fit must leave no trace
  n=0; rc=0
  while [ $n -lt 40 ]; do
    [ -e "$MNT/history" ] && cp "$MNT/history" "$W/history.before"
    "$L" status --record --state-dir "$MNT" >/dev/null 2>"$W/full.err"; rc=$?
    [ $rc = 0 ] || break
    n=$((n + 1))
  done
  [ $rc = 3 ] && [ $n -gt 0 ] && echo "ok - the disk filled after $n records: exit 3" || echo "not ok - full disk: exit $rc after $n records"
  grep -q "No space left on device" "$W/full.err" && echo "ok - full disk: the error names it" || echo "not ok - full disk: $(cat "$W/full.err")"
  check "the full disk left the history as it was" cmp "$MNT/history" "$W/history.before"
  expect "history still reads" 0 "$L" history --state-dir "$MNT" --json
  jfield "records" 'len(d["records"])' "$n"
  jfield "skipped" 'd["skipped"]' 0
  umount "$MNT"
else
  echo "# not run: the full-disk tests need a tmpfs mount, which this system refused"
fi

# ---- nothing followed that was not expected ------------------------------------------------------
rm -rf "$LUGATE_STATE_DIR"; mkdir -p "$LUGATE_STATE_DIR"; echo keep >"$W/victim"
ln -s "$W/victim" "$H"
expect "a symlink planted as the history" 3 "$L" status --record
check "the symlink's target is untouched" test "$(cat "$W/victim")" = keep
rm "$H"; ln -s "$W/victim-dir" "$W/state-link"; mkdir -p "$W/victim-dir"
expect "a symlinked state directory" 3 "$L" status --record --state-dir "$W/state-link"
check "nothing written through it" test -z "$(ls "$W/victim-dir")"

# ---- an arm64 machine: the record named in the DTB, read through /dev/mem ---------------------------
# What the arm64 loader hands over (docs/loader.md, "The arm64 loader"), made by dtc: /chosen
# lugate,handoff = <address size> and a /reserved-memory lugate,handoff-v1 node covering it, as
# /sys/firmware/fdt; /dev/mem is a sparse file holding the record at that address, the rest of
# its page zero, as the loader's page-rounded range has it. No boot_params: not an x86 machine.
RA=0x1000000
$MK "$W/rec-arm64.bin" --verdict allowed --booted target --sha "$TSHA" --table "$W/sealed.bin"
dtb_system() {  # dtb_system NODE_SIZE [CHOSEN_SIZE] [COMPATIBLE] [RECORD]: a fresh arm64 system
  booted 6.1.0-56-amd64; rm -rf "$S/sys/kernel/boot_params"; mkdir -p "$S/sys/firmware" "$S/dev"
  printf '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; chosen { lugate,handoff = /bits/ 64 <%s %s>; };
    reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
      lugate-handoff@1000000 { compatible = "%s"; reg = /bits/ 64 <%s %s>; no-map; }; }; };\n' \
    "$RA" "${2:-0x1000}" "${3:-lugate,handoff-v1}" "$RA" "$1" | dtc -q -I dts -O dtb -o "$S/sys/firmware/fdt" -
  truncate -s $((RA + 0x1000)) "$S/dev/mem"
  dd if="${4:-$W/rec-arm64.bin}" of="$S/dev/mem" bs=4096 seek=$((RA / 4096)) conv=notrunc status=none
}
dtb_system 0x1000
expect "arm64: the record through the DTB and /dev/mem, the target booted" 0 "$L" status
expect_out "booted: target (loader verdict: allowed)"
expect "arm64: status --json" 0 "$L" status --json
jfield record 'd["record"]' valid
jfield path 'd["path"]' "$S/dev/mem at 0x1000000 (/chosen lugate,handoff)"
jfield booted_sha256 'd["booted_sha256"]' "$TSHA"
jfield table_size 'd["table_size"]' "$(stat -c %s "$W/sealed.bin")"
jfield sealed_target_release 'd["sealed_target_release"]' 6.1.0-56-amd64
jfield image_matches 'd["image_matches"]' True
jfield result 'd["result"]' ok
$MK "$W/rec-arm64-fb.bin" --verdict refused --booted fallback --sha "$FSHA" --reasons 3 --table "$W/sealed.bin"
dtb_system 0x1000 0x1000 lugate,handoff-v1 "$W/rec-arm64-fb.bin"
expect "arm64: the fallback booted (exit 1, as on x86)" 1 "$L" status
expect_out "booted: fallback (loader verdict: refused)"
expect_out "FAILED fallback-booted"
dtb_system 0x800
expect "arm64: /reserved-memory covers only half the range: exit 2" 2 "$L" status
expect_err_line "/chosen lugate,handoff [0x1000000-0x1001000) is not covered by a /reserved-memory lugate,handoff-v1 node"
dtb_system 0x1000 0x1000 other,handoff
expect "arm64: the covering node is not lugate's: exit 2" 2 "$L" status
expect_err_line "is not covered by a /reserved-memory lugate,handoff-v1 node"
dtb_system 0x10000000 0x10000000
expect "arm64: a range larger than any record: exit 2, nothing mapped" 2 "$L" status
expect_err_line "not an 8-byte aligned range of 200 to"
dtb_system 0x1000 0x200
expect "arm64: a range shorter than the record states: the core calls it corrupt (exit 2)" 2 "$L" status
expect_err_line "the delivery record is corrupt"
dtb_system 0x1000; printf 'XUGDELIV' | dd of="$S/dev/mem" bs=1 seek=$((RA)) conv=notrunc status=none
expect "arm64: a corrupt record (magic): exit 2" 2 "$L" status --json
jfield record 'd["record"]' corrupt
dtb_system 0x1000; truncate -s $((RA + 0x800)) "$S/dev/mem"
expect "arm64: /dev/mem ends inside the range: exit 3" 3 "$L" status
expect_err_line "lies past its end"
dtb_system 0x1000; printf '/dts-v1/;\n/ { chosen { }; };\n' | dtc -q -I dts -O dtb -o "$S/sys/firmware/fdt" -
expect "arm64: a DTB without /chosen lugate,handoff: no record (exit 2)" 2 "$L" status
expect_err_line "no delivery record"
expect "... --cold-ok: exit 0" 0 "$L" status --cold-ok
head -c 100 /dev/urandom >"$S/sys/firmware/fdt"
expect "arm64: /sys/firmware/fdt is not a device tree: exit 2" 2 "$L" status
expect_err_line "/sys/firmware/fdt: not a valid device tree"

# ---- the systemd unit `make install` puts in place ---------------------------------------------
D=$W/destdir
expect "make install with a PREFIX" 0 make -s --no-print-directory install DESTDIR="$D" PREFIX=/opt/lg
U=$D/opt/lg/lib/systemd/system/lugate-status.service
check "the unit is installed under the PREFIX" test -f "$U"
check "it runs the installed lugate" grep -qx 'ExecStart=/opt/lg/sbin/lugate status --record --cold-ok' "$U"
check "ordered before boot-complete.target" grep -qx 'Before=boot-complete.target' "$U"
check "required by boot-complete.target" grep -qx 'RequiredBy=boot-complete.target' "$U"
check "a oneshot" grep -qx 'Type=oneshot' "$U"
if command -v systemd-analyze >/dev/null; then
  sed "s|/opt/lg/sbin/lugate|$D/opt/lg/sbin/lugate|" "$U" >"$W/lugate-status.service"
  expect "systemd-analyze verify" 0 systemd-analyze verify --man=no "$W/lugate-status.service"
else
  echo "# not run: systemd-analyze is not installed"
fi
