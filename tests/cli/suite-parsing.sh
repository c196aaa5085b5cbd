#!/usr/bin/env bash
# The JSON source forms read strictly: duplicate keys, null values and numbers that are not
# plain decimal or "0x" hex are exit 2 with one line and no output; --from-running always
# cross-checks sysfs; the manifest file cap.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
G=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
dev() { # dev VERSION [EXTRA-KEYS]
  printf '{"address": "0000:3b:00.0", "vendor": "0x15b3", "device": "0x101d", "class": "0x020000", "schema": "%s", "schema_version": %s%s}' "$G" "$1" "${2:-}"
}
no_output() { [ ! -e "$1" ] && echo "ok - $LAST: nothing written" || { echo "not ok - $LAST: $1 written"; rm -f "$1"; }; }
bad_devices() { # NAME JSON MESSAGE
  printf '%s' "$2" >"$W/d.json"
  expect "devices: $1" 2 "$L" handoff build --devices "$W/d.json" -o "$W/d.bin"
  expect_err_line "$3"; no_output "$W/d.bin"
}
bad_manifest() { # NAME JSON MESSAGE
  printf '%s' "$2" >"$W/m.json"
  expect "manifest: $1" 2 "$L" manifest build "$W/m.json" -o "$W/m.bin"
  expect_err_line "$3"; no_output "$W/m.bin"
}

# --- duplicate keys ---------------------------------------------------------------------
bad_devices "duplicate top-level key" '{"release": "6.1.0", "devices": ['"$(dev 1)"'], "devices": []}' 'top level: duplicate key "devices"'
bad_devices "duplicate key spelt with an escape" '{"release": "6.1.0", "devices": ['"$(dev 1)"'], "devic\u0065s": []}' 'duplicate key "devic\u0065s"'
bad_devices "duplicate key in a device" '{"release": "6.1.0", "devices": ['"$(dev 1 ', "schema_version": 9')"']}' 'devices[0]: duplicate key "schema_version"'
bad_devices "duplicate key in nested arrays" '{"release": "6.1.0", "devices": [], "x": [[{"a": 1}, {"b": 1, "b": 2}]]}' 'x[0][1]: duplicate key "b"'
bad_devices "a key holding \\u0000" '{"release": "6.1.0", "devices": [], "devices\u0000x": 1}' 'NUL character'
bad_manifest "duplicate key in a schema" '{"release": "6.1.0", "schemas": [{"guid": "'$G'", "min_version": 1, "max_version": 3, "max_version": 9}]}' 'schemas[0]: duplicate key "max_version"'
bad_manifest "duplicate top-level key" '{"release": "6.1.0", "schemas": [], "schemas": []}' 'top level: duplicate key "schemas"'
printf '{"release": "6.1.0", "devices": [%s]}' "$(dev 1)" >"$W/dupcheck.json"
printf '{"release": "6.1.1", "schemas": [], "schemas": [{"guid": "%s", "min_version": 1, "max_version": 1}]}' $G >"$W/dupm.json"
"$L" handoff build --devices "$W/dupcheck.json" -o "$W/dt.bin" 2>/dev/null
expect "check --manifest with a duplicate key" 2 "$L" check --handoff "$W/dt.bin" --manifest "$W/dupm.json"
expect_err_line 'duplicate key "schemas"'

# --- numbers ----------------------------------------------------------------------------
for v in '"010"' '"\t5"' '" 5"' '"+5"' '-1' '"-1"' '"0x"' '"0x1g"' '4294967296' '"4294967296"' '1.5' '1e3' '"1e3"' '"0X10"' 'null'; do
  bad_devices "schema_version $v" '{"release": "6.1.0", "devices": ['"$(dev "$v")"']}' '"schema_version" must be an integer'
done
bad_devices 'vendor "0x10000"' '{"release": "6.1.0", "devices": [{"address": "0000:3b:00.0", "vendor": "0x10000", "device": "1", "class": "0", "schema": "'$G'", "schema_version": 1}]}' '"vendor" must be an integer 0..0xffff'
bad_devices 'vendor "01"' '{"release": "6.1.0", "devices": [{"address": "0000:3b:00.0", "vendor": "01", "device": "1", "class": "0", "schema": "'$G'", "schema_version": 1}]}' 'a leading zero'
bad_manifest 'min_version "010"' '{"release": "6.1.0", "schemas": [{"guid": "'$G'", "min_version": "010", "max_version": 12}]}' '"min_version" must be an integer'
bad_manifest 'max_version 1e3' '{"release": "6.1.0", "schemas": [{"guid": "'$G'", "min_version": 1, "max_version": 1e3}]}' 'a fraction or an exponent'
printf '{"release": "6.1.0-55-amd64", "devices": [%s]}' "$(dev '"10"')" >"$W/ten.json"
expect 'schema_version "10" is accepted' 0 "$L" handoff build --devices "$W/ten.json" -o "$W/ten.bin"
expect "show it" 0 "$L" handoff show --json "$W/ten.bin"
check 'schema_version "10" reads as 10' python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["devices"][0]["schema_version"]==10' "$OUT"
printf '{"release": "6.1.0-55-amd64", "devices": [%s]}' "$(dev '"0x0a"')" >"$W/hex.json"
expect 'schema_version "0x0a" is accepted' 0 "$L" handoff build --devices "$W/hex.json" -o "$W/hex.bin"
expect "show it" 0 "$L" handoff show --json "$W/hex.bin"
check 'schema_version "0x0a" reads as 10' python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["devices"][0]["schema_version"]==10' "$OUT"
printf '{"release": "6.1.0-56-amd64", "schemas": [{"guid": "%s", "min_version": "10", "max_version": "0x0c"}]}' $G >"$W/m1012.json"
expect "manifest 10..12 builds" 0 "$L" manifest build "$W/m1012.json" -o "$W/m1012.bin"
expect "manifest show" 0 "$L" manifest show "$W/m1012.bin"
check "manifest reads 10..12" python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["schemas"][0]; assert (s["min_version"],s["max_version"])==(10,12), s' "$OUT"
printf '{"release": "6.1.0-55-amd64", "devices": [%s]}' "$(dev 9)" >"$W/nine.json"
"$L" handoff build --devices "$W/nine.json" -o "$W/nine.bin"
expect "the 10..12 manifest refuses a device at version 9" 1 "$L" check --handoff "$W/nine.bin" --manifest "$W/m1012.json"
expect_out "schema-version"
printf '{"release": "6.1.0-56-amd64", "schemas": [{"guid": "%s", "min_version": "010", "max_version": "012"}]}' $G >"$W/moct.json"
expect "an octal-looking 010..012 manifest is refused, not read as 8..10" 2 "$L" check --handoff "$W/nine.bin" --manifest "$W/moct.json"
expect_err_line "a leading zero"

# --- null ---------------------------------------------------------------------------------
bad_devices '"compatible": null' '{"release": "6.1.0", "compatible": null, "devices": []}' '"compatible" is null'
bad_devices '"release": null' '{"release": null, "devices": []}' '"release" is null'
bad_manifest '"compatible": null' '{"release": "6.1.0", "compatible": null}' '"compatible" is null'
bad_manifest '"schemas": null' '{"release": "6.1.0", "schemas": null}' '"schemas" is null'

# --- --from-running always cross-checks sysfs ------------------------------------------------
R=$W/run; D=$R/sys/bus/pci/devices/0000:3b:00.0; mkdir -p "$D" "$R/dbg/kho/out" "$R/nodbg"
printf '0x15b3\n' >"$D/vendor"; printf '0x101d\n' >"$D/device"; printf '0x020000\n' >"$D/class"
printf '{"release": "6.1.0", "devices": [%s]}' "$(dev 1)" >"$W/listed.json"
expect "--from-running with matching listed IDs" 0 "$L" handoff build --from-running --devices "$W/listed.json" \
  --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/r0.bin"
printf '{"release": "6.1.0", "devices": [{"address": "0000:3c:00.0", "vendor": "0x15b3", "device": "0x101d", "class": "0x020000", "schema": "%s", "schema_version": 1}]}' $G >"$W/absent.json"
expect "--from-running: a listed device absent from sysfs" 2 "$L" handoff build --from-running --devices "$W/absent.json" \
  --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/r1.bin"
expect_err_line "0000:3c:00.0 is not present"; no_output "$W/r1.bin"
printf '0x1017\n' >"$D/device"
expect "--from-running: listed IDs differ from sysfs" 2 "$L" handoff build --from-running --devices "$W/listed.json" \
  --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/r2.bin"
expect_err_line "0000:3b:00.0 is 15b3:1017 class 020000 in sysfs, but the device list says 15b3:101d"; no_output "$W/r2.bin"
printf '0x101d\n' >"$D/device"
for bad in ' 0x101d\n' '0x101d' '0x101d\n\n' '101d\n' '0x+101d\n' '0x101D\n'; do
  printf "$bad" >"$D/device"
  expect "--from-running: sysfs device file '$bad' is refused" 2 "$L" handoff build --from-running --devices "$W/listed.json" \
    --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/r3.bin"
  expect_err_line "is not present (or unreadable)"; no_output "$W/r3.bin"
done
printf '0x101d\n' >"$D/device"
printf '/dts-v1/;\n/ { compatible = "kho-v4"; };\n' | dtc -q -I dts -O dtb -o "$R/dbg/kho/out/fdt" -
printf '{"release": "6.1.0", "compatible": [], "devices": [%s]}' "$(dev 1)" >"$W/empty.json"
expect '"compatible": [] on a KHO host is refused' 2 "$L" handoff build --from-running --devices "$W/empty.json" \
  --sysfs "$R/sys" --debugfs "$R/dbg" -o "$W/r4.bin"
expect_err_line '"compatible" is empty, but KHO is active'; no_output "$W/r4.bin"
expect '"compatible": [] without KHO builds with no formats' 0 "$L" handoff build --from-running --devices "$W/empty.json" \
  --sysfs "$R/sys" --debugfs "$R/nodbg" -o "$W/r5.bin"
"$L" handoff show --json "$W/r5.bin" >"$OUT"
check "no formats recorded" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["compatible"]==[]' "$OUT"
printf '{"release": "6.1.0", "devices": [%s]}' "$(dev 1)" >"$W/nocompat.json"
expect "no \"compatible\" on a KHO host takes the running format" 0 "$L" handoff build --from-running --devices "$W/nocompat.json" \
  --sysfs "$R/sys" --debugfs "$R/dbg" -o "$W/r6.bin"
"$L" handoff show --json "$W/r6.bin" >"$OUT"
check "kho-v4 recorded" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["compatible"]==["kho-v4"]' "$OUT"

# --- the manifest file cap: 64 MiB of payload and its 64-byte header ------------------------
LIMIT=$((64 * 1024 * 1024 + 64))
truncate -s $((LIMIT + 1)) "$W/big.json"
expect "a manifest one byte over the cap" 2 "$L" manifest build "$W/big.json" -o "$W/big.bin"
expect_err_line "too large ($((LIMIT + 1)) bytes; limit $LIMIT)"; no_output "$W/big.bin"
truncate -s $LIMIT "$W/edge.json"
expect "a manifest at the cap is read (and refused for what it holds)" 2 "$L" manifest build "$W/edge.json" -o "$W/edge.bin"
expect_err_line "NUL byte"; no_output "$W/edge.bin"
