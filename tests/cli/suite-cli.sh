#!/usr/bin/env bash
# Runs the built `lugate` binary: every verb's happy path, and every kind of bad input
# (exit 2 with one line naming the file and the problem).
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
EX=examples
G=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d

devices() { # devices RELEASE DEVICE-JSON... > file
  local rel=$1; shift
  local IFS=,
  printf '{"release": "%s", "compatible": ["kho-v1"], "devices": [%s]}\n' "$rel" "$*"
}
dev() { # dev ADDR [SCHEMA] [VERSION]
  printf '{"address": "%s", "vendor": "0x15b3", "device": "0x101d", "class": "0x020000", "schema": "%s", "schema_version": %s, "driver": "mlx5_core"}' \
    "$1" "${2:-$G}" "${3:-2}"
}

# --- usage -----------------------------------------------------------------------------
expect "no arguments is a usage error" 2 "$L"
expect "--help" 0 "$L" --help
expect_out "handoff"
expect "unknown verb" 2 "$L" frobnicate
expect_err_line "unknown verb 'frobnicate'"
expect "handoff build --help" 0 "$L" handoff build --help
expect_out "--devices"
expect "check without --handoff" 2 "$L" check --manifest x
expect "check with both --manifest and --kernel" 2 "$L" check --handoff a --manifest b --kernel c

# --- handoff build / show ----------------------------------------------------------------
expect "build the example table" 0 "$L" handoff build --devices $EX/devices.json -o "$W/t.bin"
expect "show it" 0 "$L" handoff show "$W/t.bin"
expect_out "6.1.0-55-amd64"
expect_out "0000:af:00.0 10de:2330 class 030200"
expect "show --json" 0 "$L" handoff show --json "$W/t.bin"
check "show --json is JSON with 4 devices" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["devices"])==4 and j["compatible"]==["kho-v1","luo-v1"] and j["sealed"] is None' "$OUT"
expect "--release overrides the JSON" 0 "$L" handoff build --devices $EX/devices.json --release 6.1.0-60-amd64 -o "$W/t2.bin"
"$L" handoff show "$W/t2.bin" >"$OUT"; expect_out "release:    6.1.0-60-amd64"
printf '{"devices": []}\n' >"$W/norel.json"
if uname -r | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+'; then
  expect "release defaults to the running kernel" 0 "$L" handoff build --devices "$W/norel.json" -o "$W/t3.bin"
  "$L" handoff show "$W/t3.bin" >"$OUT"; expect_out "release:    $(uname -r)"
fi

bad_input() { # bad_input NAME JSON-TEXT EXPECTED-MESSAGE
  printf '%s' "$2" >"$W/bad.json"
  expect "rejects $1" 2 "$L" handoff build --devices "$W/bad.json" -o "$W/bad.bin"
  expect_err_line "$3"
  [ ! -e "$W/bad.bin" ] && echo "ok - $1: no output file written" || { echo "not ok - $1: output written"; rm -f "$W/bad.bin"; }
}
bad_input "invalid JSON" '{"devices": [' "not valid JSON"
bad_input "a JSON array" '[1,2]' "expected a JSON object"
bad_input "an unknown key" '{"devices": [], "relase": "6.1.0"}' 'unknown key "relase"'
bad_input "a bad GUID" "$(devices 6.12.5 "$(dev 0000:3b:00.0 5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2)")" "schema \"5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2\""
bad_input "a bad address" "$(devices 6.12.5 "$(dev 0000:3b:20.0)")" 'address "0000:3b:20.0"'
bad_input "duplicate addresses" "$(devices 6.12.5 "$(dev 0000:3b:00.0)" "$(dev 0000:3b:00.0)")" "duplicate"
bad_input "release 6..1" "$(devices 6..1 "$(dev 0000:3b:00.0)")" 'release "6..1"'
bad_input "an empty release" "$(devices "" "$(dev 0000:3b:00.0)")" 'release ""'
bad_input "a 300-character release" "$(devices "6.1.0-$(printf 'a%.0s' $(seq 300))" "$(dev 0000:3b:00.0)")" "release"
bad_input "a negative schema version" "$(devices 6.12.5 "$(dev 0000:3b:00.0 $G -1)")" '"schema_version" must be an integer'
bad_input "a huge schema version" "$(devices 6.12.5 "$(dev 0000:3b:00.0 $G 99999999999999999999)")" '"schema_version"'
bad_input "a vendor id out of range" '{"release":"6.12.5","devices":[{"address":"0000:3b:00.0","vendor":"0x1ffff","device":"1","class":"0","schema":"'$G'","schema_version":1}]}' '"vendor"'
bad_input "a missing schema" '{"release":"6.12.5","devices":[{"address":"0000:3b:00.0","vendor":"1","device":"1","class":"0","schema_version":1}]}' 'missing "schema"'
printf '{"devices": []}\000' >"$W/nul.json"
expect "rejects a NUL byte" 2 "$L" handoff build --devices "$W/nul.json" -o "$W/bad.bin"
expect_err_line "NUL byte"
expect "a missing devices file" 2 "$L" handoff build --devices "$W/nope.json" -o "$W/x.bin"
expect_err_line "$W/nope.json: cannot open"
expect "a directory as devices file" 2 "$L" handoff build --devices "$W" -o "$W/x.bin"
expect_err_line "not a regular file"

# 10,000 devices: build, show, check
python3 - "$W/big.json" <<'PY'
import json, sys
devs = [{"address": "%04x:%02x:%02x.%x" % (i >> 13, (i >> 5) & 0xff, (i >> 0) & 0x1f, 0) , "vendor": "0x8086",
         "device": "0x1234", "class": "0x020000", "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
         "schema_version": 1} for i in range(10000)]
json.dump({"release": "6.12.5", "devices": devs}, open(sys.argv[1], "w"))
json.dump({"release": "6.12.6", "schemas": [{"guid": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "min_version": 1, "max_version": 1}]},
          open(sys.argv[1] + ".m", "w"))
PY
expect "10,000 devices build" 0 "$L" handoff build --devices "$W/big.json" -o "$W/big.bin"
expect "10,000 devices check allow" 0 "$L" check --handoff "$W/big.bin" --manifest "$W/big.json.m" --json
check "10,000 devices counted" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["devices"]==10000' "$OUT"

# --sysfs cross-check on a fake tree
S=$W/sys; mkdir -p "$S/bus/pci/devices/0000:3b:00.0"
printf '0x15b3\n' >"$S/bus/pci/devices/0000:3b:00.0/vendor"; printf '0x101d\n' >"$S/bus/pci/devices/0000:3b:00.0/device"
printf '0x020000\n' >"$S/bus/pci/devices/0000:3b:00.0/class"
devices 6.12.5 "$(dev 0000:3b:00.0)" >"$W/one.json"
expect "--sysfs accepts a matching device" 0 "$L" handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/one.bin"
printf '0x1017\n' >"$S/bus/pci/devices/0000:3b:00.0/device"
expect "--sysfs refuses a device-id mismatch" 2 "$L" handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/one2.bin"
expect_err_line "0000:3b:00.0 is 15b3:1017"
devices 6.12.5 "$(dev 0000:3b:00.0)" "$(dev 0000:3c:00.0)" >"$W/two.json"
printf '0x101d\n' >"$S/bus/pci/devices/0000:3b:00.0/device"
expect "--sysfs refuses an absent device" 2 "$L" handoff build --devices "$W/two.json" --sysfs "$S" -o "$W/two.bin"
expect_err_line "0000:3c:00.0 is not present"

# --- corrupt tables ----------------------------------------------------------------------
cp "$W/t.bin" "$W/flip.bin"; printf '\xff' | dd of="$W/flip.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
expect "show a bit-flipped table" 2 "$L" handoff show "$W/flip.bin"
expect_err_line "$W/flip.bin: not a valid handoff table: integrity digest does not match"
expect "check a bit-flipped table" 2 "$L" check --handoff "$W/flip.bin" --manifest $EX/target-6.1.0-56.json
expect_err_line "not a valid handoff table"
expect "check --json a corrupt table" 2 "$L" check --handoff "$W/flip.bin" --manifest $EX/target-6.1.0-56.json --json
check "corrupt table JSON says refuse/table-corrupt" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["verdict"]=="refuse" and j["reasons"][0]["code"]=="table-corrupt"' "$OUT"
head -c 100 "$W/t.bin" >"$W/trunc.bin"
expect "check a truncated table" 2 "$L" check --handoff "$W/trunc.bin" --manifest $EX/target-6.1.0-56.json
expect_err_line "input is truncated"
: >"$W/empty.bin"
expect "check an empty table" 2 "$L" handoff show "$W/empty.bin"
expect_err_line "truncated"
expect "a manifest given as the table" 2 "$L" handoff show $EX/target-6.1.0-56.json
expect_err_line "wrong magic"

# --- manifests and policies -----------------------------------------------------------------
expect "manifest build" 0 "$L" manifest build $EX/target-6.1.0-56.json -o "$W/m.bin"
expect "check with a binary manifest" 0 "$L" check --handoff "$W/t.bin" --manifest "$W/m.bin"
expect_out "allow: 6.1.0-55-amd64 -> 6.1.0-56-amd64 (stable-next)"
expect "manifest show round-trips" 0 "$L" manifest show "$W/m.bin"
check "manifest show JSON equals the source" python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); k=lambda m: sorted(m["schemas"], key=lambda s: s["guid"]); assert a["release"]==b["release"] and k(a)==k(b) and a["compatible"]==b["compatible"]' "$OUT" $EX/target-6.1.0-56.json
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[90]^=0x20; open(sys.argv[2],"wb").write(b)' "$W/m.bin" "$W/mflip.bin"
expect "check with a corrupt binary manifest" 2 "$L" check --handoff "$W/t.bin" --manifest "$W/mflip.bin"
expect_err_line "not a valid binary manifest"
printf '{"release": "6.1.0-56-amd64", "schemas": [{"guid": "%s", "min_version": 3, "max_version": 1}]}' $G >"$W/mrange.json"
expect "manifest with min > max" 2 "$L" check --handoff "$W/t.bin" --manifest "$W/mrange.json"
expect_err_line "min_version 3 is above max_version 1"
printf 'paths = same\nallow 6.12.5 => 6.12.7\n' >"$W/bad.policy"
expect "a bad policy line" 2 "$L" check --handoff "$W/t.bin" --manifest $EX/target-6.1.0-56.json --policy "$W/bad.policy"
expect_err_line "$W/bad.policy:2:"
expect "the example policy parses" 0 "$L" check --handoff "$W/t.bin" --manifest $EX/target-6.1.0-56.json --policy $EX/policy.conf
expect "quiet refuse prints nothing" 1 "$L" check -q --handoff "$W/t.bin" --manifest $EX/target-6.1.0-54.json
check "quiet means no output" test ! -s "$OUT"

# --- --from-running: IDs and drivers from sysfs, KHO/LUO versions from debugfs ------------------
R=$W/running; mkdir -p "$R/sys/bus/pci/devices/0000:3b:00.0" "$R/sys/bus/drivers/mlx5_core" "$R/dbg/kho/out/sub_fdts"
printf '0x15b3\n' >"$R/sys/bus/pci/devices/0000:3b:00.0/vendor"; printf '0x101d\n' >"$R/sys/bus/pci/devices/0000:3b:00.0/device"
printf '0x020000\n' >"$R/sys/bus/pci/devices/0000:3b:00.0/class"
ln -s ../../../bus/drivers/mlx5_core "$R/sys/bus/pci/devices/0000:3b:00.0/driver"
printf '/dts-v1/;\n/ { compatible = "kho-v4"; preserved-memory-map = /bits/ 64 <0x252000>; LUO { preserved-data = /bits/ 64 <0x1000>; }; };\n' \
  | dtc -q -I dts -O dtb -o "$R/dbg/kho/out/fdt" -
# debugfs' out/fdt is sized when KHO starts and can be cut short: keep only a prefix
head -c 100 "$R/dbg/kho/out/fdt" >"$R/dbg/kho/out/fdt.cut" && mv "$R/dbg/kho/out/fdt.cut" "$R/dbg/kho/out/fdt"
printf 'luo-v5\0\0%024d' 0 >"$R/dbg/kho/out/sub_fdts/LUO"
printf '{"devices": [{"address": "0000:3b:00.0", "schema": "%s", "schema_version": 2}]}\n' $G >"$W/admin.json"
expect "--from-running fills IDs, driver, release and KHO versions" 0 "$L" handoff build --from-running \
  --devices "$W/admin.json" --sysfs "$R/sys" --debugfs "$R/dbg" -o "$W/running.bin"
expect "show the running table" 0 "$L" handoff show --json "$W/running.bin"
check "IDs and driver came from sysfs" python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["devices"][0]; assert (d["vendor"],d["device"],d["class"],d["driver"])==("0x15b3","0x101d","0x020000","mlx5_core"), d' "$OUT"
check "KHO and LUO versions came from debugfs" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["compatible"]==["kho-v4","luo-v5"], j["compatible"]' "$OUT"
if uname -r | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+'; then
  check "release came from uname" python3 -c 'import json,sys,os; assert json.load(open(sys.argv[1]))["release"]==os.uname().release' "$OUT"
fi
printf '{"devices": [{"address": "0000:3c:00.0", "schema": "%s", "schema_version": 2}]}\n' $G >"$W/admin2.json"
expect "--from-running with a device absent from sysfs" 2 "$L" handoff build --from-running \
  --devices "$W/admin2.json" --sysfs "$R/sys" --debugfs "$R/dbg" -o "$W/running2.bin"
expect_err_line "0000:3c:00.0 is not present"
expect "without --from-running the IDs are required" 2 "$L" handoff build --devices "$W/admin.json" -o "$W/x.bin"
expect_err_line 'missing "vendor"'
printf 'garbage' >"$R/dbg/kho/out/fdt"
expect "--from-running with an unreadable KHO version" 2 "$L" handoff build --from-running \
  --devices "$W/admin.json" --sysfs "$R/sys" --debugfs "$R/dbg" -o "$W/running3.bin"
expect_err_line "KHO is active but its version could not be read"
mkdir -p "$R/nodbg"
expect "--from-running without KHO records no compatible" 0 "$L" handoff build --from-running \
  --devices "$W/admin.json" --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/running4.bin"
"$L" handoff show --json "$W/running4.bin" >"$OUT"
check "no KHO, no compatible strings" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["compatible"]==[]' "$OUT"

# --- bundle: the kexec -s loader's one initrd ------------------------------------------------
# a bundle holds what the loader boots (suite-bundle.sh: what it refuses): a tiny 64-bit bzImage
# padded to 20000 bytes, stamped, the table sealed to it with itself as the fallback
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b + bytes(20000 - len(b)))' \
  tests/fuzz/corpus/image/seed-tiny-gzip "$W/kernel-raw.img"
head -c 7000 /dev/urandom >"$W/initrd.img"
expect "stamp the bundle's kernel" 0 "$L" embed --manifest $EX/target-6.1.0-56.json "$W/kernel-raw.img" -o "$W/kernel.img"
expect "seal the table to it" 0 "$L" seal -q --handoff "$W/t.bin" --kernel "$W/kernel.img" --fallback "$W/kernel.img" -o "$W/t-sealed.bin"
# the same image with another release in its header: the manifest no longer describes it
python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); i=b.index(b"6.1.0-56-amd64"); open(sys.argv[2],"wb").write(b[:i]+b"6.1.0-57-amd64"+b[i+14:])' \
  "$W/kernel.img" "$W/kernel-other.img"
expect "check: a manifest stamped into another release's image is refused" 1 "$L" check --handoff "$W/t.bin" --kernel "$W/kernel-other.img"
expect_out "wrong-manifest: target's manifest names release 6.1.0-56-amd64 but the image is 6.1.0-57-amd64"
expect "seal refuses it too, writing nothing" 1 "$L" seal -q --handoff "$W/t.bin" --kernel "$W/kernel-other.img" -o "$W/t-other.bin"
check "... no sealed table" test ! -e "$W/t-other.bin"
expect "inspect calls it the wrong image" 2 "$L" inspect "$W/kernel-other.img"
expect_out "WRONG IMAGE"
ksize=$(stat -c %s "$W/kernel.img")
expect "bundle build" 0 "$L" bundle build --table "$W/t-sealed.bin" --kernel "$W/kernel.img" --initrd "$W/initrd.img" \
  --append "console=ttyS0 quiet" --fallback "$W/kernel.img" -o "$W/b.bin"
expect "bundle show --json" 0 "$L" bundle show --json "$W/b.bin"
check "bundle lists its entries, verified" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); r={e["role"]:e for e in j["entries"]}; assert sorted(r)==["cmdline","fallback","initrd","kernel","table"] and all(e["verified"] for e in j["entries"]) and r["cmdline"]["text"]=="console=ttyS0 quiet" and r["kernel"]["size"]==int(sys.argv[2]), j' "$OUT" "$ksize"
check "bundle entries are byte-exact" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); b=open(sys.argv[2],"rb").read(); e=[e for e in j["entries"] if e["role"]=="initrd"][0]; assert b[e["offset"]:e["offset"]+e["size"]]==open(sys.argv[3],"rb").read()' "$OUT" "$W/b.bin" "$W/initrd.img"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-100]^=1; open(sys.argv[2],"wb").write(b)' "$W/b.bin" "$W/bflip.bin"
expect "bundle show notices a changed entry" 2 "$L" bundle show "$W/bflip.bin"
expect_err_line "entry does not match its SHA-256"
head -c 300 "$W/b.bin" >"$W/btrunc.bin"
expect "bundle show a truncated bundle" 2 "$L" bundle show "$W/btrunc.bin"
expect_err_line "not a valid bundle: input is truncated"
expect "bundle build a command line with a newline" 2 "$L" bundle build --table "$W/t-sealed.bin" --kernel "$W/kernel.img" --append "$(printf 'a\nb')" -o "$W/b2.bin"
expect_err_line "--append: byte 1 is 0x0a: a kernel command line must be printable ASCII"
check "... and wrote nothing" test ! -e "$W/b2.bin"
expect "bundle build --fallback-initrd without --fallback" 2 "$L" bundle build --table "$W/t-sealed.bin" --kernel "$W/kernel.img" --fallback-initrd "$W/initrd.img" -o "$W/b3.bin"
expect "bundle build without a kernel" 2 "$L" bundle build --table "$W/t.bin" -o "$W/b4.bin"
