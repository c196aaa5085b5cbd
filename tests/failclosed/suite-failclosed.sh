#!/usr/bin/env bash
# Fail-closed properties (docs/fuzzing.md, "Fail-closed tests"):
#  1. a sealed table changed at any byte, cut or extended is never allowed (the core, exhaustive:
#     failclosed table), nor by `lugate check` (the CLI, sampled: exit 2, verdict refuse);
#  2. a stamped image changed anywhere is never allowed: a real kernel's headers with a short
#     payload (trailer), a UKI (.lugate section) and an ELF64 kernel (note) at every byte, a
#     full Debian kernel at samples (failclosed image), and the CLI's `check --kernel` on a few
#     changed copies;
#  3. every error path of the CLI exits 2 with exactly one line on stderr naming the file: a
#     table of bad inputs x the verbs and options that read a file;
#  4. regressions found by fuzzing, end to end through the CLI.
# Needs a real Debian kernel (scripts/debian-kernel.sh): without one the suite fails.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
. tests/cli/tap.sh
B=${BUILD:-build}
L=$PWD/$B/lugate FC=$PWD/$B/tests/failclosed/failclosed
W=$T_TMP/w; mkdir -p "$W"
for x in "$L" "$FC"; do [ -x "$x" ] || { echo "not ok - $x is not built (make)"; exit 1; }; done

# ---- 1. the table ------------------------------------------------------------------------
"$FC" table

# ---- fixtures: a table, a manifest, a stamped Debian kernel sealed to it --------------------
K=$(scripts/debian-kernel.sh 6.1.0-56-amd64 2>"$W/kernel.err") || {
  echo "not ok - a real Debian kernel for the image tests: $(cat "$W/kernel.err")"; exit 1; }
"$L" handoff build --devices examples/devices.json -o "$W/t.bin" &&
  "$L" manifest build examples/target-6.1.0-56.json -o "$W/m.bin" &&
  "$L" embed --manifest examples/target-6.1.0-56.json "$K" -o "$W/k.img" >/dev/null &&
  "$L" seal --handoff "$W/t.bin" --kernel "$W/k.img" -q -o "$W/sealed.bin" ||
  { echo "not ok - fixtures: build, embed and seal a Debian kernel"; exit 1; }

flip() { # flip FILE POS XOR OUT: a copy of FILE with one byte changed
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); p = int(sys.argv[2], 0)
b[p] ^= int(sys.argv[3], 0); open(sys.argv[4], "wb").write(b)' "$@"
}

# the CLI on changed sealed tables: never allowed, exit 2, one line naming the file
size=$(stat -c %s "$W/sealed.bin")
bad=0 n=0
for pos in 0 8 12 16 20 24 40 56 63 64 72 100 200 $((size / 3)) $((size / 2)) $((size - 40)) $((size - 1)); do
  flip "$W/sealed.bin" "$pos" 0x5a "$W/flip.bin"
  n=$((n + 1))
  "$L" check --handoff "$W/flip.bin" --manifest "$W/m.bin" --json >"$OUT" 2>"$ERR"; rc=$?
  if [ $rc -ne 2 ] || ! grep -q '"verdict": "refuse"' "$OUT" || ! grep -q table-corrupt "$OUT" ||
     [ "$(wc -l <"$ERR")" -ne 1 ] || ! grep -qF "$W/flip.bin" "$ERR"; then
    bad=$((bad + 1)); echo "# byte $pos: exit $rc, stderr: $(head -2 "$ERR")"
  fi
done
for len in 0 1 63 64 65 $((size / 2)) $((size - 1)); do
  head -c "$len" "$W/sealed.bin" >"$W/cut.bin"; n=$((n + 1))
  "$L" check --handoff "$W/cut.bin" --kernel "$W/k.img" -q 2>"$ERR"; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -qF "$W/cut.bin" "$ERR" || {
    bad=$((bad + 1)); echo "# cut to $len: exit $rc"; }
done
[ $bad -eq 0 ] && echo "ok - lugate check on $n changed or cut sealed tables: exit 2, refuse/table-corrupt, one line naming the file" ||
  echo "not ok - lugate check on changed sealed tables: $bad of $n not refused as corrupt"

# ---- 2. the stamped image -------------------------------------------------------------------
expect "the stamped Debian kernel is allowed by its sealed table" 0 "$L" check --handoff "$W/sealed.bin" --kernel "$W/k.img"
"$FC" image "$W/sealed.bin" "$W/k.img"
# the same kernel's setup code and headers with a 1 KiB payload: every byte, exhaustively
python3 - "$K" "$W/small.img" <<'PY'
import struct, sys
img = open(sys.argv[1], "rb").read()
code = ((img[0x1f1] or 4) + 1) * 512
b = bytearray(img[:code + 1024])
struct.pack_into("<I", b, 0x1f4, 1024 // 16)
off = struct.unpack_from("<I", b, 0x248)[0]
if off >= 1024:
    off = 0x100; struct.pack_into("<I", b, 0x248, off)
struct.pack_into("<I", b, 0x24c, 1024 - off - 64)
open(sys.argv[2], "wb").write(b)
PY
"$L" embed --manifest examples/target-6.1.0-56.json "$W/small.img" -o "$W/small-stamped.img" >/dev/null &&
  "$L" seal --handoff "$W/t.bin" --kernel "$W/small-stamped.img" -q -o "$W/small-sealed.bin" ||
  echo "not ok - fixtures: embed and seal the kernel's headers with a short payload"
"$FC" image "$W/small-sealed.bin" "$W/small-stamped.img"
# the other carriers, small enough for every byte: a UKI with a .lugate section, an ELF64
# kernel with a lugate note (images built as tests/fuzz/seeds.py builds its seeds)
python3 - "$W" <<'PY'
import gzip, sys
sys.path.insert(0, "tests/fuzz")
import seeds
w = sys.argv[1]
tiny = seeds.tiny_bzimage(payload=gzip.compress(b"\0kho-v1\0luo-v1\0" * 4, mtime=0))
open(w + "/uki.img", "wb").write(seeds.pe_image([(".osrel", b"ID=debian\n"), (".uname", b"6.1.0-56-amd64\n"), (".linux", tiny)]))
open(w + "/elf.img", "wb").write(seeds.elf_image([("GNU", 3, b"\x11" * 20)], room=1))
PY
for k in uki:pe-section elf:elf-note; do
  img=${k%%:*} carrier=${k#*:}
  if "$L" embed --manifest examples/target-6.1.0-56.json "$W/$img.img" -o "$W/$img-stamped.img" >/dev/null &&
     "$L" inspect --json "$W/$img-stamped.img" | grep -q "\"manifest_carrier\": \"$carrier\"" &&
     "$L" seal --handoff "$W/t.bin" --kernel "$W/$img-stamped.img" -q -o "$W/$img-sealed.bin"; then
    echo "# $img: a $(stat -c %s "$W/$img-stamped.img")-byte image stamped in a $carrier"
    "$FC" image "$W/$img-sealed.bin" "$W/$img-stamped.img"
  else
    echo "not ok - fixtures: a $img image stamped in a $carrier and sealed"
  fi
done
# the CLI's own path (decompression, scan) on a few changed copies of the full kernel
bad=0 n=0
ksize=$(stat -c %s "$W/k.img")
for pos in 0x1f1 0x206 0x24c $((ksize / 2)) $((ksize - 100)) $((ksize - 8)); do
  flip "$W/k.img" "$pos" 0xff "$W/k2.img"; n=$((n + 1))
  timeout 60 "$L" check --handoff "$W/sealed.bin" --kernel "$W/k2.img" --json >"$OUT" 2>"$ERR"; rc=$?
  if [ $rc -eq 0 ] || grep -q '"verdict": "allow"' "$OUT"; then bad=$((bad + 1)); echo "# byte $pos: exit $rc (allowed)"; fi
done
[ $bad -eq 0 ] && echo "ok - lugate check --kernel on $n changed copies of the stamped kernel: none allowed" ||
  echo "not ok - lugate check --kernel allowed $bad of $n changed kernels"

# ---- 3. every error path: exit 2, one line on stderr, naming the file (and nothing written) --
mkdir -p "$W/dir"
: >"$W/empty"
head -c 4096 /dev/urandom >"$W/random"
head -c $((size / 2)) "$W/sealed.bin" >"$W/half-table"
head -c 100 "$W/m.bin" >"$W/half-manifest"
printf '{"devices": [' >"$W/bad.json"
printf '{"release": "6.1.0-56-amd64", "schemas": []}\000' >"$W/nul.json"
printf 'paths = same\nfrobnicate\n' >"$W/bad.policy"
printf 'paths = same\000\n' >"$W/nul.policy"
head -c 65536 "$K" >"$W/kernel-64k"
msize=$(stat -c %s "$W/small-stamped.img")
flip "$W/small-stamped.img" $((msize - 32 - 100)) 0x01 "$W/corrupt-stamp.img"
# inputs: NAME FILE (missing: a path that does not exist)
inputs="missing:$W/nope dir:$W/dir empty:$W/empty random:$W/random half-table:$W/half-table
  half-manifest:$W/half-manifest bad-json:$W/bad.json nul-json:$W/nul.json kernel-64k:$W/kernel-64k
  bad-policy:$W/bad.policy nul-policy:$W/nul.policy corrupt-stamp:$W/corrupt-stamp.img unwritable:$W/nodir/out"
# verbs: NAME|KINDS|COMMAND with @ for the bad file (KINDS: which inputs are errors for it;
# corrupt-stamp is a stamped image whose manifest has one byte changed)
all="missing dir empty random half-table half-manifest bad-json nul-json kernel-64k"
S=$W/small-stamped.img
verbs="handoff-build-devices|$all corrupt-stamp|handoff build --devices @ -o $W/out
handoff-show|$all corrupt-stamp|handoff show @
manifest-build|$all corrupt-stamp|manifest build @ -o $W/out
manifest-show|$all corrupt-stamp|manifest show @
check-handoff|$all corrupt-stamp|check --handoff @ --manifest $W/m.bin
check-manifest|$all corrupt-stamp|check --handoff $W/t.bin --manifest @
check-kernel|$all corrupt-stamp|check --handoff $W/t.bin --kernel @
check-policy|missing dir random half-table bad-policy nul-policy|check --handoff $W/t.bin --manifest $W/m.bin --policy @
seal-handoff|$all corrupt-stamp|seal --handoff @ --kernel $S -o $W/out
seal-kernel|$all corrupt-stamp|seal --handoff $W/t.bin --kernel @ -o $W/out
seal-fallback|$all|seal --handoff $W/t.bin --kernel $S --fallback @ -o $W/out
seal-policy|missing dir random half-table bad-policy nul-policy|seal --handoff $W/t.bin --kernel $S --policy @ -o $W/out
inspect|$all|inspect @
embed-manifest|$all corrupt-stamp|embed --manifest @ $W/small.img -o $W/out
embed-image|$all corrupt-stamp|embed --manifest $W/m.bin @ -o $W/out
bundle-show|$all corrupt-stamp|bundle show @
bundle-table|missing dir empty|bundle build --table @ --kernel $W/small.img -o $W/out
bundle-kernel|missing dir empty|bundle build --table $W/sealed.bin --kernel @ -o $W/out
output-handoff|unwritable|handoff build --devices examples/devices.json -o @
output-manifest|unwritable|manifest build examples/target-6.1.0-56.json -o @
output-seal|unwritable|seal --handoff $W/t.bin --kernel $S -q -o @
output-embed|unwritable|embed --manifest $W/m.bin $W/small.img -o @
output-bundle|unwritable|bundle build --table $W/small-sealed.bin --kernel $W/small-stamped.img -o @"
pass=0 fail=0
while IFS='|' read -r vname kinds cmd; do
  for kind in $kinds; do
    file=""
    for i in $inputs; do [ "${i%%:*}" = "$kind" ] && file=${i#*:}; done
    rm -f "$W/out"
    # shellcheck disable=SC2086
    timeout 120 "$L" ${cmd//@/$file} >"$OUT" 2>"$ERR"; rc=$?
    lines=$(wc -l <"$ERR")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF -- "$file" "$ERR" && [ ! -e "$W/out" ]; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "not ok - lugate $vname on $kind input: exit $rc, $lines stderr line(s)$([ -e "$W/out" ] && echo ', output written')"
      sed 's/^/# stderr: /' "$ERR" | head -3
    fi
  done
done <<<"$verbs"
echo "ok - $pass error paths (bad input x verb) exit 2 with one stderr line naming the file"
[ $fail -eq 0 ] || echo "# $fail error paths do not"

# ---- 4. regressions found by fuzzing, through the CLI ----------------------------------------
# a bzImage whose bzip2 payload is cut short: decompression used to loop for ever
python3 - "$W/bz2cut.img" <<'PY'
import bz2, struct, sys
payload = bz2.compress(b"\0kho-v1\0" * 64)[:24]
b = bytearray(1024 + 512)
b[0x1f1] = 1; struct.pack_into("<I", b, 0x1f4, 32); b[0x1fe:0x200] = b"\x55\xaa"
b[0x200:0x202] = b"\xeb\x66"; b[0x202:0x206] = b"HdrS"; struct.pack_into("<H", b, 0x206, 0x020f)
struct.pack_into("<H", b, 0x20e, 0x100); b[0x300:0x310] = b"6.1.0-56-amd64 \0"
struct.pack_into("<II", b, 0x248, 0x40, len(payload)); b[1024 + 0x40:1024 + 0x40 + len(payload)] = payload
open(sys.argv[1], "wb").write(b)
PY
expect "inspect a bzImage with a cut bzip2 payload: no endless loop" 0 timeout 20 "$L" inspect --json "$W/bz2cut.img"
expect_out "bzip2 data is corrupt"
# a UKI whose .linux has no version string and an old boot protocol: the release is not guessed
expect "inspect a UKI without version string: no release invented" 0 "$L" inspect --json \
  tests/fuzz/regressions/image/uki-linux-without-version-string
expect_out '"release": null'
# an image whose size is not a multiple of 8, stamped: its manifest must be readable
head -c 4101 /dev/urandom >"$W/odd.img"; printf 'ARM\x64' | dd of="$W/odd.img" bs=1 seek=56 conv=notrunc status=none
# image_size and flags zeroed: random flags would name a page size or endianness at random
head -c 16 /dev/zero | dd of="$W/odd.img" bs=1 seek=16 conv=notrunc status=none
printf 'Linux version 6.1.0-56-amd64 (x) #1\n' | dd of="$W/odd.img" bs=1 seek=200 conv=notrunc status=none
expect "embed an image of 4101 bytes" 0 "$L" embed --manifest examples/target-6.1.0-56.json "$W/odd.img" -o "$W/odd-stamped.img"
expect "its manifest reads back (seal allows)" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/odd-stamped.img" -q -o "$W/odd-sealed.bin"
# a JSON string with a NUL character ("\u0000") used to be cut short silently there
printf '{"release": "6.1.0-55-amd64", "devices": [{"address": "0000:3b:00.0\\u0000junk", "vendor": 1, "device": 2, "class": 3, "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "schema_version": 1}]}' >"$W/nulchar.json"
expect "a device list with \\u0000 inside a string is refused" 2 "$L" handoff build --devices "$W/nulchar.json" -o "$W/nulchar.bin"
expect_err_line '"address" contains a NUL character'
printf '{"release": "6.1.0-56-amd64\\u0000", "schemas": [], "compatible": ["kho-v1\\u0000x"]}' >"$W/nulchar-m.json"
expect "a manifest with \\u0000 inside a string is refused" 2 "$L" manifest build "$W/nulchar-m.json" -o "$W/nulchar-m.bin"
expect_err_line "contains a NUL character"
printf '{"devices": [{"address": "3b:00.0", "vendor": "12\\u0000", "device": 2, "class": 3, "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "schema_version": 1}]}' >"$W/nulnum.json"
expect "a number string with \\u0000 inside is refused" 2 "$L" handoff build --devices "$W/nulnum.json" -o "$W/nulnum.bin"
expect_err_line '"vendor" must be an integer'
