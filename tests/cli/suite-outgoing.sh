#!/usr/bin/env bash
# The pre-flight knows which LUO file handlers and FLBs the outgoing kernel can serialize: `load`
# (on the KHO path) and `check --outgoing-image` scan the outgoing kernel's image for them, and a
# target that revives one of them neither in its manifest nor (for `check`) in its own payload is
# refused with compat-missing naming the layer and what upstream's next kernel would do; the
# policy's `may-lack` line lets a target lack one. First with small bzImages built here (tests/cli/
# mkkernel.py lays handlers and FLBs out as 7.3 does), then with the real 7.3 KHO kernel
# (scripts/kho-kernel.sh, built with CONFIG_LIVEUPDATE_TEST: memfd-v2 and three test FLBs).
# kexec is a fake that records its arguments (as in suite-load.sh): nothing here jumps.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
EX=$PWD/examples
MK="python3 tests/cli/mkkernel.py"
is() {  # is NAME GOT WANT
  if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1"; echo "# got:  $2"; echo "# want: $3"; fi
}
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

FH_CONSEQUENCE="the next kernel has no handler for it, so restoring the sessions fails, /dev/liveupdate returns -EIO and every session is lost"
FLB_CONSEQUENCE="the next kernel does not revive the object, so its preserved state is lost"

# ---- a fake system whose running kernel has KHO and LUO ------------------------------------------
S=$W/sysroot R=$W/run
K=$W/fake-kexec
cat >"$K" <<'SH'
#!/bin/sh
printf '%s\n' "$0" "$@" >"$FAKE_KEXEC_LOG"
echo 1 >"$LUGATE_SYSROOT/sys/kernel/kexec_loaded"
SH
chmod +x "$K"
export LUGATE_SYSROOT=$S FAKE_KEXEC_LOG=$W/kexec.log
fake_system() {  # fake_system RELEASE IMAGE: KHO kho-v4 and LUO luo-v5 in debugfs; IMAGE at /boot
  rm -rf "$S" "$R" "$FAKE_KEXEC_LOG"
  mkdir -p "$S/proc/sys/kernel" "$S/sys/kernel/security" "$S/sys/kernel/debug/kho/out" "$S/dev" "$S/boot"
  echo 0 >"$S/proc/sys/kernel/kexec_load_disabled"
  echo "[none] integrity confidentiality" >"$S/sys/kernel/security/lockdown"
  echo 0 >"$S/sys/kernel/kexec_loaded"
  echo "root=/dev/vda1 ro" >"$S/proc/cmdline"
  echo "$1" >"$S/proc/sys/kernel/osrelease"
  printf '/dts-v1/;\n/ { compatible = "kho-v4"; };\n' | dtc -q -I dts -O dtb -o "$S/sys/kernel/debug/kho/out/fdt" -
  printf '/dts-v1/;\n/ { compatible = "luo-v5"; };\n' | dtc -q -I dts -O dtb -o "$S/sys/kernel/debug/kho/out/luo" -
  [ -z "${2:-}" ] || cp "$2" "$S/boot/vmlinuz-$1"
}
mkdir -p "$W/lib"
if [ -s "$B/loader.bzImage" ]; then cp "$B/loader.bzImage" "$W/lib/"; else head -c 4096 /dev/urandom >"$W/lib/loader.bzImage"; fi
loadk() { env LUGATE_LIBDIR="$W/lib" "$L" load --kexec "$K" --runtime-dir "$R" "$@"; }
# the kexec -l path's loader: a boot image, not a host program (the sanitizer build has none)
LOADER=${LUGATE_LOADER:-$B/loader.elf}
[ -s "$LOADER" ] || make -s --no-print-directory "${LOADER#"$PWD"/}" >/dev/null
unstaged() {  # kexec not run, nothing loaded, no runtime folder left behind
  check "$1: kexec not run, nothing staged" bash -c '[ ! -e "$1" ] && grep -qx 0 "$2" && [ -z "$(ls -A "$3" 2>/dev/null)" ]' \
    _ "$FAKE_KEXEC_LOG" "$S/sys/kernel/kexec_loaded" "$R"
}

# ---- inputs ------------------------------------------------------------------------------------------
$MK "$W/out.img" --release 6.1.0-55-amd64 --literal kho-v4 --literal luo-v5 --handler memfd-v2 --flb liveupdate-test-flb-v0
$MK "$W/out-padded.img" --release 6.1.0-55-amd64 --literal kho-v4 --literal luo-v5 --handler memfd-v2 --padded
$MK "$W/out-other.img" --release 6.1.0-54-amd64 --handler memfd-v2
$MK "$W/tgt.img" --release 6.1.0-56-amd64
python3 - "$EX/devices.json" "$W/devices.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("compatible"); json.dump(d, open(sys.argv[2], "w"))
PY
expect "handoff build: a table of 6.1.0-55-amd64 naming no format" 0 "$L" handoff build --devices "$W/devices.json" -o "$W/t.bin"
manifest() {  # manifest NAME COMPAT...: the 6.1.0-56 target reviving exactly these formats
  local name=$1; shift
  python3 - "$EX/target-6.1.0-56.json" "$W/m-$name.json" "$@" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["compatible"] = sys.argv[3:]; json.dump(m, open(sys.argv[2], "w"))
PY
  expect "embed: target $name" 0 "$L" embed --manifest "$W/m-$name.json" "$W/tgt.img" -o "$W/$name.img"
}
manifest full kho-v4 luo-v5 memfd-v2 liveupdate-test-flb-v0
manifest nomemfd kho-v4 luo-v5 liveupdate-test-flb-v0
manifest noflb kho-v4 luo-v5 memfd-v2

# ---- the scan: handlers and FLBs by their layout ---------------------------------------------------
expect "inspect the outgoing image" 0 "$L" inspect --json "$W/out.img"
is "inspect: the handler and the FLB, each with its layer" "$(j "$OUT" '[(h["compatible"], h["layer"]) for h in j["luo_handlers"]]')" \
  "[('memfd-v2', 'file-handler'), ('liveupdate-test-flb-v0', 'flb')]"
expect "inspect an image whose handler is not 8-byte aligned" 0 "$L" inspect --json "$W/out-padded.img"
is "inspect: no record, though the string is there" "$(j "$OUT" 'j["luo_handlers"], "memfd-v2" in j["kho_compatible"]')" "([], True)"

# where the 16 KiB the record scan holds at a time ends: a record across it, and one at the end
for at in 16376 16384 16344; do
  $MK "$W/edge.img" --handler memfd-v2 --flb liveupdate-test-flb-v0 --at "$at"
  expect "inspect: records from offset $at on" 0 "$L" inspect --json "$W/edge.img"
  is "inspect: records from offset $at on, each with its layer" "$(j "$OUT" '[(h["compatible"], h["layer"]) for h in j["luo_handlers"]]')" \
    "[('memfd-v2', 'file-handler'), ('liveupdate-test-flb-v0', 'flb')]"
done
$MK "$W/few-zeros.img" --handler memfd-v2 --zeros 24
expect "inspect: fewer than 32 zero bytes after the compatible" 0 "$L" inspect --json "$W/few-zeros.img"
is "inspect: ... is no record" "$(j "$OUT" 'j["luo_handlers"]')" "[]"
$MK "$W/flb-edge.img" --flb a-v1 --zeros 96
$MK "$W/fh-edge.img" --handler a-v1 --zeros 88
expect "inspect: 96 zero bytes" 0 "$L" inspect --json "$W/flb-edge.img"
is "inspect: ... an FLB" "$(j "$OUT" '[h["layer"] for h in j["luo_handlers"]]')" "['flb']"
expect "inspect: 88 zero bytes" 0 "$L" inspect --json "$W/fh-edge.img"
is "inspect: ... a file handler" "$(j "$OUT" '[h["layer"] for h in j["luo_handlers"]]')" "['file-handler']"
$MK "$W/noversion.img" --handler memfd --handler Memfd-v2 --handler memfd-vx
expect "inspect: names without -v<digits>, or with a capital" 0 "$L" inspect --json "$W/noversion.img"
is "inspect: ... are no records" "$(j "$OUT" 'j["luo_handlers"]')" "[]"

# ---- load on the KHO path: the outgoing kernel's image joins the check -----------------------------
fake_system 6.1.0-55-amd64 "$W/out.img"
expect "a target reviving every handler and FLB: staged" 0 loadk --kernel "$W/full.img" --handoff "$W/t.bin" --dry-run
expect_out " -s -l $W/lib/loader.bzImage"
fake_system 6.1.0-55-amd64 "$W/out.img"
expect "a target lacking memfd-v2: refused (exit 1)" 1 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin"
expect_out "compat-missing: file-handler format 'memfd-v2' compiled into the outgoing kernel is not revived by the target: $FH_CONSEQUENCE"
expect_out "\`may-lack file-handler memfd-v2\` in the policy lets the target lack it"
is "... one reason only" "$(grep -c 'compat-missing' "$OUT")" 1
unstaged "a target lacking memfd-v2"
expect "--json: the same refusal" 1 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --json
cp "$OUT" "$W/nomemfd.json"
is "--json: code, compatible, layer, consequence, compiled_only" \
  "$(j "$W/nomemfd.json" '[(r["code"], r["compatible"], r["layer"], r["consequence"], r["compiled_only"]) for r in j["reasons"]]')" \
  "[('compat-missing', 'memfd-v2', 'file-handler', '$FH_CONSEQUENCE', True)]"
is "--json: the outgoing image and what it found" \
  "$(j "$W/nomemfd.json" 'j["outgoing_image"]["path"], j["outgoing_image"]["release"], [(f["compatible"], f["layer"]) for f in j["outgoing_image"]["formats"]], j["staged"]')" \
  "('$S/boot/vmlinuz-6.1.0-55-amd64', '6.1.0-55-amd64', [('memfd-v2', 'file-handler'), ('liveupdate-test-flb-v0', 'flb')], False)"
unstaged "--json refusal"
expect "a target lacking the FLB: refused with the FLB's consequence" 1 loadk --kernel "$W/noflb.img" --handoff "$W/t.bin"
expect_out "compat-missing: flb format 'liveupdate-test-flb-v0' compiled into the outgoing kernel is not revived by the target: $FLB_CONSEQUENCE"
unstaged "a target lacking the FLB"

# ---- the policy line ----------------------------------------------------------------------------------
printf 'may-lack file-handler memfd-v2   # no memfd is preserved here\n' >"$W/p-memfd.txt"
printf 'may-lack flb memfd-v2\n' >"$W/p-wrong-layer.txt"
printf 'may-lack kho kho-v4\n' >"$W/p-kho.txt"
expect "may-lack file-handler memfd-v2: staged" 0 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --policy "$W/p-memfd.txt"
check "... through kexec -s" grep -qx -- "-s" "$FAKE_KEXEC_LOG"
cp "$R/table.sealed" "$W/sealed.bin"
expect "handoff show of the sealed table" 0 "$L" handoff show "$W/sealed.bin"
expect_out "may-lack file-handler memfd-v2"
expect "the sealed policy is the check's (no --policy): allowed" 0 "$L" check --handoff "$W/sealed.bin" --kernel "$W/nomemfd.img" \
  --outgoing-image "$W/out.img"
fake_system 6.1.0-55-amd64 "$W/out.img"
expect "may-lack of another layer: still refused" 1 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --policy "$W/p-wrong-layer.txt"
expect_out "compat-missing: file-handler format 'memfd-v2'"
unstaged "may-lack of another layer"
expect "may-lack kho: not a policy (exit 2)" 2 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --policy "$W/p-kho.txt"
unstaged "may-lack kho"

# ---- which image, and when -----------------------------------------------------------------------------
fake_system 6.1.0-55-amd64 "$W/out-padded.img"
expect "an outgoing image with no handler record: allowed" 0 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --dry-run
fake_system 6.1.0-55-amd64 "$W/out-padded.img"
expect "--outgoing-image wins over /boot" 1 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --outgoing-image "$W/out.img"
expect_out "file-handler format 'memfd-v2'"
expect "--outgoing-image of another release: exit 2" 2 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --outgoing-image "$W/out-other.img"
expect_err_line "is release 6.1.0-54-amd64, but the handoff table's outgoing kernel is 6.1.0-55-amd64"
unstaged "another release"
expect "--outgoing-image missing: exit 2" 2 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --outgoing-image "$W/nope.img"
expect_err_line "nope.img"
expect "--outgoing-image not a kernel: exit 2" 2 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --outgoing-image "$W/t.bin"
fake_system 6.1.0-55-amd64
expect "no image at /boot/vmlinuz-\$(uname -r): a warning, and the load goes on" 0 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --dry-run
expect_err_line "warning: the running kernel's image $S/boot/vmlinuz-6.1.0-55-amd64 is not there"
expect "... and --json says no image was scanned" 0 loadk --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --dry-run --json
is "--json: outgoing_image null" "$(j "$OUT" 'j["outgoing_image"]')" None
fake_system 6.1.0-55-amd64 "$W/out.img"
rm -r "$S/sys/kernel/debug/kho"
expect "the kexec -l path (no KHO): the image is not scanned, nothing to keep" 0 \
  env LUGATE_LIBDIR="$W/lib" "$L" load --kexec "$K" --runtime-dir "$R" --loader "$LOADER" --kernel "$W/nomemfd.img" --handoff "$W/t.bin" --dry-run --json
is "--json: kexec_load, no outgoing image" "$(j "$OUT" 'j["kexec_path"], j["outgoing_image"]')" "('kexec_load', None)"

# ---- check --outgoing-image ------------------------------------------------------------------------------
expect "check without --outgoing-image: allowed" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/nomemfd.img"
expect "check --outgoing-image: refused" 1 "$L" check --handoff "$W/t.bin" --kernel "$W/nomemfd.img" --outgoing-image "$W/out.img"
expect_out "compat-missing: file-handler format 'memfd-v2' compiled into the outgoing kernel"
expect "check --outgoing-image --json" 1 "$L" check --handoff "$W/t.bin" --manifest "$W/m-nomemfd.json" --outgoing-image "$W/out.img" --json
is "check --json: layer and consequence" "$(j "$OUT" '[(r["layer"], r["consequence"]) for r in j["reasons"]]')" "[('file-handler', '$FH_CONSEQUENCE')]"
expect "check --outgoing-image --policy may-lack: allowed" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/nomemfd.img" \
  --outgoing-image "$W/out.img" --policy "$W/p-memfd.txt"
python3 - "$EX/target-6.1.0-56.json" "$W/m-self.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["release"] = "6.1.0-55-amd64"; m["compatible"] = ["kho-v4", "luo-v5"]
json.dump(m, open(sys.argv[2], "w"))
PY
expect "embed: the outgoing kernel as its own target, its manifest naming no handler" 0 "$L" embed --manifest "$W/m-self.json" "$W/out.img" -o "$W/self.img"
expect "check: a target whose own payload has the handler and the FLB revives them" 0 "$L" check --handoff "$W/t.bin" \
  --kernel "$W/self.img" --outgoing-image "$W/out.img"
expect "check --manifest alone (no payload to scan): refused, both named" 1 "$L" check --handoff "$W/t.bin" \
  --manifest "$W/m-self.json" --outgoing-image "$W/out.img"
is "... file-handler memfd-v2 and flb liveupdate-test-flb-v0" "$(grep -o "compat-missing: [a-z-]* format '[^']*'" "$OUT" | tr '\n' ';')" \
  "compat-missing: file-handler format 'memfd-v2';compat-missing: flb format 'liveupdate-test-flb-v0';"
expect "check --outgoing-image of another release: exit 2" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/nomemfd.img" --outgoing-image "$W/out-other.img"
expect_err_line "is release 6.1.0-54-amd64"
expect "check --help names --outgoing-image" 0 "$L" check --help
expect_out "--outgoing-image"
expect "load --help names --outgoing-image" 0 "$L" load --help
expect_out "--outgoing-image"

# ---- the real 7.3 KHO kernel -------------------------------------------------------------------------------
# The kernel is the normal build's even when this suite runs against a variant build (the ASan
# run sets BUILD=build/asan): a second kernel build there would cost ten minutes for nothing.
kho=$(BUILD=${LUGATE_KERNEL_BUILD:-${BUILD:-build}} scripts/kho-kernel.sh 2>"$W/kho.err")
if [ -z "$kho" ] || [ ! -s "$kho" ]; then
  echo "not ok - the 7.3 KHO kernel is unavailable: $(tail -1 "$W/kho.err")"
  exit 1
fi
rel=$(cat "$(dirname "$kho")/version")
expect "inspect the 7.3 KHO kernel" 0 "$L" inspect --json "$kho"
is "7.3: memfd-v2 is a file handler, the three test FLBs are FLBs" "$(j "$OUT" '[(h["compatible"], h["layer"]) for h in j["luo_handlers"]]')" \
  "[('memfd-v2', 'file-handler'), ('liveupdate-test-flb-v0', 'flb'), ('liveupdate-test-flb-v1', 'flb'), ('liveupdate-test-flb-v2', 'flb')]"
python3 - "$W/devices.json" "$W/d73.json" "$rel" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["release"] = sys.argv[3]; json.dump(d, open(sys.argv[2], "w"))
PY
expect "handoff build: a table of $rel" 0 "$L" handoff build --devices "$W/d73.json" -o "$W/t73.bin"
stamp73() {  # stamp73 NAME COMPAT...: the real kernel with a manifest reviving exactly these
  local name=$1; shift
  python3 - "$EX/target-6.1.0-56.json" "$W/m73-$name.json" "$rel" "$@" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["release"] = sys.argv[3]; m["compatible"] = sys.argv[4:]
json.dump(m, open(sys.argv[2], "w"))
PY
  expect "embed: the 7.3 kernel as target $name" 0 "$L" embed --manifest "$W/m73-$name.json" "$kho" -o "$W/k73-$name.img"
}
stamp73 full kho-v4 luo-v5 memfd-v2 liveupdate-test-flb-v0 liveupdate-test-flb-v1 liveupdate-test-flb-v2
stamp73 nomemfd kho-v4 luo-v5 liveupdate-test-flb-v0 liveupdate-test-flb-v1 liveupdate-test-flb-v2
fake_system "$rel" "$kho"
expect "7.3 -> 7.3, every handler revived: staged" 0 loadk --kernel "$W/k73-full.img" --handoff "$W/t73.bin" --dry-run --json
is "7.3: the outgoing image scanned from /boot" "$(j "$OUT" 'j["outgoing_image"]["path"], len(j["outgoing_image"]["formats"]), j["verdict"]')" \
  "('$S/boot/vmlinuz-$rel', 4, 'allow')"
fake_system "$rel" "$kho"
expect "7.3 -> a target lacking memfd-v2: refused (exit 1)" 1 loadk --kernel "$W/k73-nomemfd.img" --handoff "$W/t73.bin"
expect_out "compat-missing: file-handler format 'memfd-v2' compiled into the outgoing kernel is not revived by the target: $FH_CONSEQUENCE"
unstaged "7.3 -> a target lacking memfd-v2"
expect "7.3 --json" 1 loadk --kernel "$W/k73-nomemfd.img" --handoff "$W/t73.bin" --json
is "7.3 --json: file-handler memfd-v2 and its consequence, nothing staged" \
  "$(j "$OUT" '[(r["compatible"], r["layer"], r["consequence"]) for r in j["reasons"]], j["staged"], j["kexec_command"]')" \
  "([('memfd-v2', 'file-handler', '$FH_CONSEQUENCE')], False, None)"
unstaged "7.3 --json"
expect "7.3 with may-lack file-handler memfd-v2: staged" 0 loadk --kernel "$W/k73-nomemfd.img" --handoff "$W/t73.bin" --policy "$W/p-memfd.txt"
check "... kexec -s ran" grep -qx -- "-s" "$FAKE_KEXEC_LOG"
expect "7.3 check --kernel: the target's own payload has memfd-v2" 0 "$L" check --handoff "$W/t73.bin" --kernel "$W/k73-nomemfd.img" \
  --outgoing-image "$kho"
expect "7.3 check --manifest lacking memfd-v2: refused" 1 "$L" check --handoff "$W/t73.bin" --manifest "$W/m73-nomemfd.json" \
  --outgoing-image "$kho"
expect_out "file-handler format 'memfd-v2'"
