#!/usr/bin/env bash
# `lugate bundle build` packs only what the bzImage64 loader will boot: a sealed, well-formed
# table; kernel and fallback that are 64-bit bzImages; command lines within their kernels'
# cmdline_size; and a target the check (as the loader runs it) allows, with the sealed fallback.
# A bundle the loader must refuse is built only with --allow-refused-target (tests of that
# refusal). Every failure: its exit code, its one line (or the check's reasons), no output file.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
EX=$PWD/examples

# ---- inputs: a tiny 64-bit bzImage (padded to the 4 KiB the loader needs), stamped, sealed -----
pad() { python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[3], "wb").write(b + bytes(int(sys.argv[2]) - len(b)))' "$@"; }
patch() {  # patch IN OFFSET FORMAT VALUE OUT: one setup-header field changed
  python3 -c 'import sys, struct; b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into(sys.argv[3], b, int(sys.argv[2], 0), int(sys.argv[4], 0)); open(sys.argv[5], "wb").write(b)' "$@"
}
pad tests/fuzz/corpus/image/seed-tiny-gzip 8192 "$W/raw.img"
expect "stamp the target" 0 "$L" embed --manifest "$EX/target-6.1.0-56.json" "$W/raw.img" -o "$W/k.img"
patch "$W/raw.img" 0x238 '<I' 255 "$W/fb255-raw.img"
expect "stamp a fallback declaring cmdline_size 255" 0 "$L" embed --manifest "$EX/target-6.1.0-56.json" "$W/fb255-raw.img" -o "$W/fb255.img"
expect "handoff build" 0 "$L" handoff build --devices "$EX/devices.json" -o "$W/t.bin"
expect "seal it to the target, the target as fallback" 0 "$L" seal -q --handoff "$W/t.bin" --kernel "$W/k.img" --fallback "$W/k.img" -o "$W/sealed.bin"
expect "seal it with the cmdline_size-255 fallback" 0 "$L" seal -q --handoff "$W/t.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" -o "$W/sealed-fb255.bin"
head -c 5000 /dev/urandom >"$W/initrd.img"
O=$W/out.bundle
bb() { "$L" bundle build "$@"; }
# refused NAME RC TEXT ARGS...: exit RC, one stderr line with TEXT, no output file
refused() {
  local name=$1 rc=$2 text=$3; shift 3
  rm -f "$O"
  expect "$name: exit $rc" "$rc" bb "$@" -o "$O"
  expect_err_line "$text"
  check "$name: no output file" test ! -e "$O"
}

# ---- usage ---------------------------------------------------------------------------------------
expect "bundle build --help names --allow-refused-target" 0 "$L" bundle build --help
expect_out "--allow-refused-target"

# ---- the good bundle -------------------------------------------------------------------------------
expect "a good bundle: exit 0" 0 bb --table "$W/sealed.bin" --kernel "$W/k.img" --initrd "$W/initrd.img" \
  --append "root=/dev/vda1 console=ttyS0" --fallback "$W/k.img" -o "$O"
check "... nothing on stdout or stderr" bash -c '[ ! -s "$1" ] && [ ! -s "$2" ]' _ "$OUT" "$ERR"
expect "... it opens and every entry verifies" 0 "$L" bundle show --json "$O"
check "... table, kernel, initrd, cmdline, fallback, byte-exact" python3 - "$OUT" "$O" "$W/sealed.bin" "$W/k.img" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); b = open(sys.argv[2], "rb").read()
r = {e["role"]: e for e in j["entries"]}
assert sorted(r) == ["cmdline", "fallback", "initrd", "kernel", "table"] and all(e["verified"] for e in j["entries"])
for role, f in (("table", sys.argv[3]), ("kernel", sys.argv[4])):
    e = r[role]; assert b[e["offset"]:e["offset"] + e["size"]] == open(f, "rb").read(), role
assert r["cmdline"]["text"] == "root=/dev/vda1 console=ttyS0"
PY
cp "$O" "$W/good.bundle"

# ---- the table ---------------------------------------------------------------------------------------
head -c 3000 /dev/urandom >"$W/random"
refused "random bytes as the table" 2 "$W/random: not a valid handoff table" --table "$W/random" --kernel "$W/k.img"
refused "an unsealed table" 2 "$W/t.bin: the table is not sealed to a target image (run \`lugate seal\`)" --table "$W/t.bin" --kernel "$W/k.img"
head -c 200 "$W/sealed.bin" >"$W/half.bin"
refused "a truncated sealed table" 2 "$W/half.bin: not a valid handoff table" --table "$W/half.bin" --kernel "$W/k.img"

# ---- the images ------------------------------------------------------------------------------------
head -c 20000 /dev/urandom >"$W/random.img"
refused "random bytes as the kernel" 2 "$W/random.img: not a kernel image lugate knows" --table "$W/sealed.bin" --kernel "$W/random.img"
refused "random bytes as the fallback" 2 "$W/random.img: not a kernel image lugate knows" --table "$W/sealed.bin" --kernel "$W/k.img" --fallback "$W/random.img"
patch "$W/k.img" 0x236 '<H' 0 "$W/k32.img"
refused "a 32-bit-only kernel (no XLF_KERNEL_64)" 2 "kernel $W/k32.img: lugate's loader cannot boot it: no 64-bit entry point" --table "$W/sealed.bin" --kernel "$W/k32.img"
patch "$W/k.img" 0x206 '<H' 0x020b "$W/kold.img"
refused "a kernel of boot protocol 2.11" 2 "lugate's loader cannot boot it: boot protocol older than 2.12" --table "$W/sealed.bin" --kernel "$W/kold.img"
cp tests/fuzz/corpus/image/seed-tiny-gzip "$W/tiny.img"
refused "a 1536-byte bzImage" 2 "kernel $W/tiny.img: lugate's loader cannot boot it: too small for a bzImage" --table "$W/sealed.bin" --kernel "$W/tiny.img"
refused "a 32-bit-only fallback" 2 "fallback $W/k32.img: lugate's loader cannot boot it: no 64-bit entry point" --table "$W/sealed.bin" --kernel "$W/k.img" --fallback "$W/k32.img"
# an arm64 Image without image_size (older than 3.17): a kernel lugate reads, but not one its
# arm64 loader boots (a bundle may carry arm64 Images, for build/loader.arm64)
head -c 8192 /dev/zero >"$W/arm64.img"; printf 'ARM\x64' | dd of="$W/arm64.img" bs=1 seek=56 conv=notrunc status=none
printf 'Linux version 6.1.0-56-amd64 (x) #1\n' | dd of="$W/arm64.img" bs=1 seek=200 conv=notrunc status=none
refused "an arm64 Image" 2 "kernel $W/arm64.img: lugate's arm64 loader cannot boot it: the arm64 Image states no image_size" --table "$W/sealed.bin" --kernel "$W/arm64.img"
# one loader boots the bundle: an arm64 fallback for a bzImage kernel is refused
patch "$W/arm64.img" 16 '<Q' 0x10000 "$W/arm64ok.img"
refused "an arm64 fallback for a bzImage kernel" 2 "fallback $W/arm64ok.img: not the kernel's architecture (bzImage)" --table "$W/sealed.bin" --kernel "$W/k.img" --fallback "$W/arm64ok.img"
refused "a missing initrd" 2 "$W/nope.img" --table "$W/sealed.bin" --kernel "$W/k.img" --initrd "$W/nope.img"

# ---- command lines -------------------------------------------------------------------------------------
long=$(head -c 3000 /dev/zero | tr '\0' x)
refused "--append with a newline" 2 "--append: byte 4 is 0x0a: a kernel command line must be printable ASCII" \
  --table "$W/sealed.bin" --kernel "$W/k.img" --append "$(printf 'root\nquiet')"
refused "--append with a tab" 2 "--append: byte 1 is 0x09" --table "$W/sealed.bin" --kernel "$W/k.img" --append "$(printf 'a\tb')"
refused "--append with non-ASCII" 2 "--append: byte 3 is 0xc3" --table "$W/sealed.bin" --kernel "$W/k.img" --append "$(printf 'caf\303\251')"
refused "--append of 3000 characters (cmdline_size 2047)" 2 "--append: 3000 characters, more than the 2047 that $W/k.img accepts (its cmdline_size)" \
  --table "$W/sealed.bin" --kernel "$W/k.img" --append "$long"
refused "--append of 2048 characters" 2 "--append: 2048 characters, more than the 2047" --table "$W/sealed.bin" --kernel "$W/k.img" --append "${long:0:2048}"
expect "--append of exactly 2047 characters: built" 0 bb --table "$W/sealed.bin" --kernel "$W/k.img" --append "${long:0:2047}" -o "$O"
refused "--fallback-append over the fallback's cmdline_size (255)" 2 "--fallback-append: 256 characters, more than the 255 that $W/fb255.img accepts" \
  --table "$W/sealed-fb255.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" --append short --fallback-append "${long:0:256}"
refused "--append, which the fallback boots with too, over its cmdline_size" 2 "--append (the fallback's too): 300 characters, more than the 255 that $W/fb255.img accepts" \
  --table "$W/sealed-fb255.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" --append "${long:0:300}"
refused "--fallback-append with an ESC" 2 "--fallback-append: byte 0 is 0x1b" \
  --table "$W/sealed-fb255.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" --fallback-append "$(printf '\033[2J')"
expect "300 characters for the target, 255 for the fallback: built" 0 bb --table "$W/sealed-fb255.bin" --kernel "$W/k.img" \
  --fallback "$W/fb255.img" --append "${long:0:300}" --fallback-append "${long:0:255}" -o "$O"

# ---- a target the loader would refuse: exit 1 with the check's reasons, unless the flag says so -------
# a changed image (one byte after its code: still bootable, no longer the sealed one)
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[4000] ^= 0x5a; open(sys.argv[2], "wb").write(b)' "$W/k.img" "$W/changed.img"
rm -f "$O"
expect "a changed target: exit 1" 1 bb --table "$W/sealed.bin" --kernel "$W/changed.img" --fallback "$W/k.img" -o "$O"
expect_out "refuse: 6.1.0-55-amd64 -> 6.1.0-56-amd64, 1 reason"
expect_out "  image-mismatch: "
check "... as \`lugate check\` prints it" bash -c '"$1" check --handoff "$2" --kernel "$3" | cmp - "$4"' _ "$L" "$W/sealed.bin" "$W/changed.img" "$OUT"
check "... no output file, nothing on stderr" bash -c '[ ! -e "$1" ] && [ ! -s "$2" ]' _ "$O" "$ERR"
expect "a changed target with --allow-refused-target: exit 0" 0 bb --allow-refused-target --table "$W/sealed.bin" --kernel "$W/changed.img" --fallback "$W/k.img" -o "$O"
expect_out "  image-mismatch: "
expect_err_line "warning: the loader will refuse this bundle's target (--allow-refused-target)"
expect "... the bundle is built and verifies" 0 "$L" bundle show "$O"
# a target lacking the schema version a preserved device needs
sed 's/"max_version": 3/"max_version": 1/' "$EX/target-6.1.0-56.json" >"$W/old-schema.json"
expect "stamp a target lacking schema version 2" 0 "$L" embed --manifest "$W/old-schema.json" "$W/raw.img" -o "$W/old-schema.img"
rm -f "$O"
expect "a target missing a schema: exit 1" 1 bb --table "$W/sealed.bin" --kernel "$W/old-schema.img" -o "$O"
expect_out "  schema-version 0000:"
check "... no output file" test ! -e "$O"
expect "... with --allow-refused-target: exit 0" 0 bb --allow-refused-target --table "$W/sealed.bin" --kernel "$W/old-schema.img" -o "$O"
check "... built" test -s "$O"
# the fallback must be the one sealed: else the loader stops rather than boot it
rm -f "$O"
expect "a fallback other than the sealed one: exit 1" 1 bb --table "$W/sealed.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" -o "$O"
expect_out "refuse: fallback-mismatch: $W/fb255.img does not match the fallback hash sealed in the table"
check "... no output file" test ! -e "$O"
expect "... with --allow-refused-target: exit 0" 0 bb --allow-refused-target --table "$W/sealed.bin" --kernel "$W/k.img" --fallback "$W/fb255.img" -o "$O"
expect_err_line "warning: the loader will refuse this bundle's fallback"
# the flag never lets through what cannot boot at all
refused "--allow-refused-target with a 32-bit-only kernel" 2 "no 64-bit entry point" --allow-refused-target --table "$W/sealed.bin" --kernel "$W/k32.img"
refused "--allow-refused-target with an unsealed table" 2 "not sealed" --allow-refused-target --table "$W/t.bin" --kernel "$W/k.img"

# ---- a failed build replaces nothing ------------------------------------------------------------------
cp "$W/good.bundle" "$O"; touch -d 2020-01-01 "$O"; before=$(stat -c '%i %Y %s' "$O"; sha256sum <"$O")
expect "a refused build over an existing bundle: exit 1" 1 bb --table "$W/sealed.bin" --kernel "$W/changed.img" -o "$O"
expect "an invalid build over an existing bundle: exit 2" 2 bb --table "$W/t.bin" --kernel "$W/k.img" -o "$O"
check "... the existing bundle keeps its bytes, inode and mtime" bash -c '[ "$(stat -c "%i %Y %s" "$1"; sha256sum <"$1")" = "$2" ]' _ "$O" "$before"
