#!/usr/bin/env bash
# Decompression bombs and huge files through `inspect`, `check --kernel` and `seal` (TAP).
# A bzImage made of a real Debian setup header (its init_size set to 16 MiB) and a payload of
# zeros compressed by Debian's command-line tools (never materialised: they read /dev/zero),
# for every compressor lugate reads: the payload inflates to 16 to 64 times what the header
# allows. lugate must stop at the header's bound and say "output too large" (exit 2, one
# line), with a peak RSS (getrusage of the child) under 300 MB. Sparse files of 2 GiB (no
# format; a bzImage header and then holes) are refused at once, unread. A cut gzip stream is
# corrupt data, not a bomb. A real Debian kernel still inspects (the bound is not too tight).
# The compressed zeros are cached under build/bombs (the compressors take most of a minute).
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
TOP=$PWD
L=$TOP/${BUILD:-build}/lugate
CACHE=$TOP/${BUILD:-build}/bombs
. tests/cli/tap.sh
W=$T_TMP
RSS_MAX_KB=$((300000000 / 1024)) # 300 MB

fail_early() { echo "not ok - $1"; exit 1; }
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1${2:+: $2}"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("null" if v is None else v)' "$1" "$2"; }

[ -x "$L" ] || fail_early "$L is not built (run make)"
for tool in python3 gzip bzip2 xz lz4 zstd truncate; do
  command -v "$tool" >/dev/null || fail_early "$tool is missing (scripts/deps.sh installs it)"
done
k56=$(scripts/debian-kernel.sh 6.1.0-56-amd64) || fail_early "cannot fetch linux-image-6.1.0-56-amd64"

# run NAME WANT_RC CMD...: like expect, and the child's peak RSS (ru_maxrss, KiB) and time
# in $RSS and $MS; then asserts the RSS bound.
run() {
  local name=$1 want=$2 res rc; shift 2
  LAST=$name
  res=$(python3 - "$OUT" "$ERR" "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], 'wb') as o, open(sys.argv[2], 'wb') as e:
    rc = subprocess.call(sys.argv[3:], stdout=o, stderr=e)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, int((time.monotonic() - t) * 1000))
EOF
)
  read -r rc RSS MS <<<"$res"
  if [ "$rc" -eq "$want" ]; then ok "$name"; else
    not_ok "$name" "exit $rc, want $want"; sed 's/^/# stderr: /' "$ERR" | head -3; fi
  if [ "$RSS" -lt "$RSS_MAX_KB" ]; then ok "$name: peak RSS $((RSS * 1024 / 1000000)) MB < 300 MB ($MS ms)"; else
    not_ok "$name: peak RSS $((RSS * 1024 / 1000000)) MB, over 300 MB"; fi
}
not_in_err() {
  if grep -qF -- "$1" "$ERR"; then not_ok "$LAST: stderr does not say '$1'" "$(head -1 "$ERR")"; else
    ok "$LAST: stderr does not say '$1'"; fi
}

# ---- the compressed zeros (cached) ---------------------------------------------------------------
# KIND SIZE COMMAND: the kernel's own framings (lz4's legacy format, as the kernel's `lz4 -l`).
BOMBS="gzip:512M:gzip -1
bzip2:512M:bzip2 -1
xz:512M:xz -0 --check=crc32
lzma:512M:xz --format=lzma -0
lz4:1G:lz4 -l -1
zstd:2G:zstd -1"
# the largest windows lugate decodes (a 6.x kernel's xz dictionary, zstd -22's window), for the
# worst case below
WIDE="xz:160M:xz --lzma2=preset=0,dict=128MiB --check=crc32
zstd:160M:zstd -1 --long=27"
mkdir -p "$CACHE"
while IFS=: read -r kind size cmd; do
  f=$CACHE/zeros-$size.$kind
  [ -s "$f" ] && continue
  t0=$(date +%s)
  # shellcheck disable=SC2086
  head -c "$size" /dev/zero | $cmd -c >"$f.tmp" 2>/dev/null && mv "$f.tmp" "$f" || fail_early "$cmd of $size zeros failed"
  echo "# $kind: $size of zeros compressed to $(stat -c %s "$f") bytes in $(( $(date +%s) - t0 )) s (cached in $CACHE)"
done <<<"$BOMBS"
while IFS=: read -r kind size cmd; do
  f=$CACHE/zeros-$size.wide.$kind
  [ -s "$f" ] && continue
  # shellcheck disable=SC2086
  head -c "$size" /dev/zero | $cmd -c >"$f.tmp" 2>/dev/null && mv "$f.tmp" "$f" || fail_early "$cmd of $size zeros failed"
done <<<"$WIDE"

# mkbz SETUP_FROM PAYLOAD OUT INIT_SIZE: a bzImage with the setup sectors of a real one (its
# version string, boot protocol 2.15, EFI stub), the payload as its protected-mode code.
mkbz() {
  python3 - "$@" <<'EOF'
import struct, sys
src, payload, out, init_size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4], 0)
d = open(src, 'rb').read()
setup = bytearray(d[:((d[0x1f1] or 4) + 1) * 512])
p = open(payload, 'rb').read()
code = bytes(0x40) + p
code += bytes(-len(code) % 16)
struct.pack_into('<I', setup, 0x1f4, len(code) // 16)              # syssize
struct.pack_into('<II', setup, 0x248, 0x40, len(p))                 # payload_offset, payload_length
struct.pack_into('<I', setup, 0x260, init_size)                     # init_size
open(out, 'wb').write(bytes(setup) + code)
EOF
}

"$L" handoff build --devices examples/devices.json -o "$W/t.bin" >/dev/null || fail_early "lugate handoff build"

# ---- a positive control: a real kernel, its bound from its own init_size --------------------------
run "inspect Debian 6.1.0-56-amd64 (xz): the bound lets a real kernel through" 0 "$L" inspect --json "$k56"
cp "$OUT" "$W/k56.json"
is "6.1.0-56-amd64: its release" "$(j "$W/k56.json" 'j["release"]')" 6.1.0-56-amd64
is "6.1.0-56-amd64: scanned to the end (no kho_scan_error)" "$(j "$W/k56.json" 'j.get("kho_scan_error")')" null
is "6.1.0-56-amd64: decompressed size is the one the build appended to the payload" \
  "$(j "$W/k56.json" 'j["boot"]["decompressed_size"]')" \
  "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); at=((d[0x1f1] or 4)+1)*512+struct.unpack_from("<I",d,0x248)[0]; n=struct.unpack_from("<I",d,0x24c)[0]; print(struct.unpack_from("<I",d,at+n-4)[0])' "$k56")"
# the same payload under a header whose init_size is smaller than what it inflates to
mkbz "$k56" <(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); at=((d[0x1f1] or 4)+1)*512+struct.unpack_from("<I",d,0x248)[0]; n=struct.unpack_from("<I",d,0x24c)[0]; sys.stdout.buffer.write(d[at:at+n])' "$k56") \
  "$W/k56-small.img" 0x1000000
run "inspect: Debian's payload under init_size 16 MiB is too large" 2 "$L" inspect "$W/k56-small.img"
expect_err_line "xz/lzma output too large"

# ---- bombs: every compressor --------------------------------------------------------------------
while IFS=: read -r kind size _; do
  img=$W/bomb.$kind
  mkbz "$k56" "$CACHE/zeros-$size.$kind" "$img" 0x1000000
  echo "# $kind bomb: $(stat -c %s "$img") bytes, inflating to $size (init_size 16 MiB)"
  run "inspect a $kind bomb ($size of zeros in $(stat -c %s "$img") bytes)" 2 "$L" inspect "$img"
  case $kind in xz|lzma) msg="xz/lzma output too large" ;; *) msg="$kind output too large" ;; esac
  expect_err_line "$msg"
  expect_err_line "init_size (16777216 bytes)"
  not_in_err "corrupt"
  run "check --kernel a $kind bomb (the scan runs: compat-missing otherwise)" 2 \
    "$L" check --handoff "$W/t.bin" --kernel "$img"
  expect_err_line "output too large"
  is "check --kernel a $kind bomb: no verdict printed" "$(wc -c <"$OUT")" 0
done <<<"$BOMBS"

# the same bomb as a UKI's .linux: the bound is the inner bzImage's init_size
python3 - "$W/bomb.bzip2" "$W/bomb-uki.efi" <<'EOF'
import struct, sys
k = open(sys.argv[1], 'rb').read()
h = bytearray(0x200)
h[0:2] = b'MZ'; struct.pack_into('<I', h, 0x3c, 0x40)
h[0x40:0x44] = b'PE\0\0'
struct.pack_into('<HHIIIHH', h, 0x44, 0x8664, 1, 0, 0, 0, 0, 0)     # one section, no optional header
sec = 0x44 + 20
h[sec:sec + 8] = b'.linux\0\0'
struct.pack_into('<IIII', h, sec + 8, len(k), 0, len(k), 0x200)      # VirtualSize, VA, raw size, raw ptr
open(sys.argv[2], 'wb').write(bytes(h) + k)
EOF
run "inspect a UKI whose .linux is a bzip2 bomb" 2 "$L" inspect "$W/bomb-uki.efi"
expect_err_line "bzip2 output too large"
run "check --kernel the UKI bomb" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/bomb-uki.efi"
expect_err_line "init_size (16777216 bytes)"

rm -f "$W/sealed.bin"
run "seal --kernel a bzip2 bomb" 2 "$L" seal --handoff "$W/t.bin" --kernel "$W/bomb.bzip2" -o "$W/sealed.bin"
expect_err_line "bzip2 output too large"
if [ -e "$W/sealed.bin" ]; then not_ok "seal of a bomb writes nothing"; else ok "seal of a bomb writes nothing"; fi

# a header that declares no init_size (boot protocol 2.09): lugate's own ceiling, 1 GiB
python3 - "$W/bomb.zstd" "$W/bomb-209.zstd" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<H', d, 0x206, 0x0209)
open(sys.argv[2], 'wb').write(d)
EOF
run "inspect a zstd bomb whose header declares no init_size (protocol 2.09)" 2 "$L" inspect "$W/bomb-209.zstd"
expect_err_line "the most lugate reads"

# the worst case: a file at its format's cap (128 MiB) whose payload fills the largest window a
# decoder accepts, under a header that allows the most (init_size near 4 GiB: the 1 GiB ceiling)
while IFS=: read -r kind size _; do
  mkbz "$k56" "$CACHE/zeros-$size.wide.$kind" "$W/wide.$kind" 0xfffff000
  truncate -s 128M "$W/wide.$kind"
  run "inspect a 128 MiB bzImage whose $kind payload fills a 128 MiB window ($size of zeros)" 0 \
    "$L" inspect --json "$W/wide.$kind"
  is "the $kind payload was decompressed whole" "$(j "$OUT" 'j["boot"]["decompressed_size"]')" $((160 << 20))
  rm -f "$W/wide.$kind"
done <<<"$WIDE"

# ---- the scan sees strings across the pieces the output streams in (1 MiB each) --------------
python3 - "$W/chunks.gz" <<'EOF'
import gzip, sys
M = 1 << 20
b = bytearray(3 * M + 100)
def put(at, s): b[at:at + len(s)] = s
put(M - 3, b"kho-v12\0")              # crosses the first boundary
put(M - 20, b"\0luo-v5\0")             # ends just before it
b[2 * M - 1] = 0; put(2 * M, b"memfd-v2\0")          # starts a piece, its NUL in the one before
b[2 * M + 4095] = ord("x"); put(2 * M + 4096, b"pci-v1\0")   # a longer word: no format string
b[3 * M - 1] = ord("y"); put(3 * M, b"luo-flb-v1\0")        # the same, across a boundary
put(3 * M + 40, b"\0luo-session-v3\0")
open(sys.argv[1], "wb").write(gzip.compress(bytes(b), 9))
EOF
mkbz "$k56" "$W/chunks.gz" "$W/chunks.img" 0x1000000
run "inspect a payload with format strings at its 1 MiB boundaries" 0 "$L" inspect --json "$W/chunks.img"
is "the strings found, in family order (not pci-v1 after 'x', not luo-flb-v1 after 'y')" \
  "$(j "$OUT" '" ".join(j["kho_compatible"])')" "kho-v12 luo-v5 luo-session-v3 memfd-v2"

# ---- corrupt is not too large -------------------------------------------------------------------
head -c 300000 /dev/urandom | gzip -1 | head -c 20000 >"$W/cut.gz"
mkbz "$k56" "$W/cut.gz" "$W/cut-gzip.img" 0x1000000
run "inspect a bzImage whose gzip stream is cut short" 0 "$L" inspect --json "$W/cut-gzip.img"
is "cut gzip: the scan is skipped as corrupt data" "$(j "$OUT" 'j.get("kho_scan_error")')" "gzip data is corrupt"
not_in_err "too large"

# a zstd frame that outgrows the content size its header states: corrupt, stopped there
head -c 32M /dev/zero >"$W/z32" && zstd -q -1 "$W/z32" -o "$W/z32.zst" && rm -f "$W/z32"
python3 - "$W/z32.zst" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
fhd = d[4]; single = fhd >> 5 & 1
at = 5 + (0 if single else 1) + [0, 1, 2, 4][fhd & 3]
size = [1 if single else 0, 2, 4, 8][fhd >> 6]
assert size in (4, 8), size
d[at:at + size] = (1 << 20).to_bytes(size, 'little')   # the header now says 1 MiB
open(sys.argv[1], 'wb').write(d)
EOF
mkbz "$k56" "$W/z32.zst" "$W/fcs.img" 0x4000000
run "inspect a zstd payload larger than its frame header states" 0 "$L" inspect --json "$W/fcs.img"
# (libzstd itself stops a frame at its stated content size)
is "zstd over its frame content size: corrupt data, the scan left out" "$(j "$OUT" 'j.get("kho_scan_error")')" \
  "zstd data is corrupt"

# ---- huge files: identified from their first bytes, never read whole ----------------------------
truncate -s 2G "$W/sparse-zeros"
run "inspect a 2 GiB sparse file of zeros" 2 "$L" inspect "$W/sparse-zeros"
expect_err_line "not a kernel image lugate knows"
[ "$MS" -lt 5000 ] && ok "2 GiB of zeros refused at once ($MS ms)" || not_ok "2 GiB of zeros refused at once" "$MS ms"
run "check --kernel a 2 GiB sparse file of zeros" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/sparse-zeros"
expect_err_line "not a kernel image lugate knows"
rm -f "$W/sparse-zeros"

head -c "$(( ( $(od -An -tu1 -j$((0x1f1)) -N1 "$k56") + 1 ) * 512 ))" "$k56" >"$W/sparse-bz"
truncate -s 2G "$W/sparse-bz"
run "inspect a bzImage header followed by 2 GiB of holes" 2 "$L" inspect "$W/sparse-bz"
expect_err_line "too large for an image of format bzImage"
[ "$MS" -lt 5000 ] && ok "the 2 GiB bzImage refused at once ($MS ms)" || not_ok "the 2 GiB bzImage refused at once" "$MS ms"
run "check --kernel the same" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/sparse-bz"
expect_err_line "limit 128 MiB"
run "embed into the same" 2 "$L" embed --manifest examples/target-6.1.0-56.json "$W/sparse-bz" -o "$W/x"
expect_err_line "too large for an image of format bzImage"
if [ -e "$W/x" ]; then not_ok "embed writes nothing"; else ok "embed writes nothing"; fi
# under the cap: read, but bounded all the same
truncate -s 120M "$W/sparse-bz"
run "inspect a bzImage header followed by 120 MiB of holes (under the cap)" 0 "$L" inspect --json "$W/sparse-bz"
rm -f "$W/sparse-bz"

# a FIFO is not read (it would block): one line at once
mkfifo "$W/fifo"
run "inspect a FIFO" 2 timeout 10 "$L" inspect "$W/fifo"
expect_err_line "not a regular file"
rm -f "$W"/bomb* "$W"/*.img
