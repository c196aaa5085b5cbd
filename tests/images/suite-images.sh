#!/usr/bin/env bash
# Real kernel images through the CLI (TAP): Debian's own bzImages (fetched and cached by
# scripts/debian-kernel.sh), a UKI built from one with systemd-boot's stub and objcopy (as the
# UKI specification describes), the KHO kernel and its vmlinux (scripts/kho-kernel.sh), a small
# kernel-like ELF64 linked here, and a synthetic arm64 Image. What lugate reports is compared
# with what independent readers say: the Debian package name, `file`, `objdump`, `readelf`,
# Debian's xz/lz4/zstd/gzip tools, sha256sum, and a few lines of Python reading the documented
# header fields. Nothing lugate computes is written down here as an expected constant.
# A prerequisite that cannot be had (a package download, the KHO kernel) is a failure, loudly.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
TOP=$PWD
L=$TOP/${BUILD:-build}/lugate
. tests/cli/tap.sh
W=$T_TMP

fail_early() { echo "not ok - $1"; exit 1; }
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1${2:+: $2}"; }
is() { # is NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}
# j FILE EXPR: evaluate a Python expression over the JSON document in FILE (bound to j)
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("null" if v is None else (str(v).lower() if isinstance(v, bool) else v))' "$1" "$2"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

[ -x "$L" ] || fail_early "$L is not built (run make)"
for tool in python3 file objdump objcopy readelf xz lz4 zstd gzip gcc ld cmp sha256sum; do
  command -v "$tool" >/dev/null || fail_early "$tool is missing (scripts/deps.sh installs it)"
done
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -f "$STUB" ] || fail_early "$STUB is missing (systemd-boot-efi; scripts/deps.sh e2e)"

# ---- an independent reader of the x86 setup header (Documentation/arch/x86/boot.rst) --------
# Prints key=value lines: version setup_sects syssize payload_at payload_length compression
# init_size xloadflags kernel_alignment isize (the uncompressed size the kernel's build appends
# to the payload) pe (a PE header at e_lfanew).
hdr() {
  python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
u16 = lambda o: struct.unpack_from('<H', d, o)[0]
u32 = lambda o: struct.unpack_from('<I', d, o)[0]
ss = d[0x1f1] or 4
code = (ss + 1) * 512
at, n = code + u32(0x248), u32(0x24c)
p = d[at:at + n]
magics = [(b'\x1f\x8b', 'gzip'), (b'BZh', 'bzip2'), (b'\x5d\x00\x00', 'lzma'), (b'\xfd7zXZ\x00', 'xz'),
          (b'\x02\x21\x4c\x18', 'lz4'), (b'\x28\xb5\x2f\xfd', 'zstd')]
comp = next((name for m, name in magics if p.startswith(m)), 'unknown')
pe = d[:2] == b'MZ' and d[u32(0x3c):u32(0x3c) + 4] == b'PE\0\0'
for k, v in [('version', '0x%x' % u16(0x206)), ('setup_sects', ss), ('syssize', u32(0x1f4)), ('payload_at', at),
             ('payload_length', n), ('compression', comp), ('init_size', '0x%x' % u32(0x260)),
             ('xloadflags', '0x%x' % u16(0x236)), ('kernel_alignment', '0x%x' % u32(0x230)),
             ('isize', u32(at + n - 4)), ('pe', str(pe).lower())]:
    print('%s=%s' % (k, v))
EOF
}
hget() { grep "^$2=" "$1" | cut -d= -f2-; }

# The KHO/LUO format strings in a decompressed kernel, by the rule docs/image-carriers.md gives:
# "<family>-v<digits>" ending at a NUL, after a byte that is not printable ASCII.
scan_py() {
  python3 - "$1" <<'EOF'
import re, sys
d = open(sys.argv[1], 'rb').read()
fam = [b'kho-v', b'luo-v', b'luo-session-v', b'luo-flb-v', b'memfd-v', b'pci-v']
found = set()
for f in fam:
    for m in re.finditer(re.escape(f) + rb'[0-9]+\x00', d):
        s = m.start()
        if s == 0 or not (0x20 <= d[s - 1] <= 0x7e):
            found.add(m.group()[:-1].decode())
# LUO file handlers and FLBs: at an 8-aligned offset, a kernel address (the ops pointer), then
# char compatible[48] "<name>-v<digits>" NUL-padded, then at least 32 zero bytes
for m in re.finditer(rb'[a-z][a-z0-9._-]*-v[0-9]+\x00', d):
    s = m.start()
    if s % 8 or s < 8 or d[s - 2:s] != b'\xff\xff' or len(m.group()) > 48:
        continue
    if d[s:s + 48].rstrip(b'\0') + b'\0' != m.group() or d[s + 48:s + 80] != bytes(32):
        continue
    found.add(m.group()[:-1].decode())
print(' '.join(sorted(found)))
EOF
}

# Decompress a payload with Debian's own command-line tools (not the libraries lugate links).
decompress_cli() { # decompress_cli KIND IN OUT
  case $1 in
    gzip) gzip -dc <"$2" >"$3" 2>/dev/null ;;
    xz|lzma) xz -dc --single-stream <"$2" >"$3" 2>/dev/null ;;
    lz4) lz4 -dc <"$2" >"$3" 2>/dev/null ;;
    zstd) zstd -dcq <"$2" >"$3" 2>/dev/null ;;
    bzip2) bzip2 -dc <"$2" >"$3" 2>/dev/null ;;
  esac
  [ -s "$3" ]
}

# ---- Debian kernels ---------------------------------------------------------------------------
RELS=(6.1.0-56-amd64 6.1.0-55-amd64 6.1.0-56-cloud-amd64)
declare -A K
for rel in "${RELS[@]}"; do
  K[$rel]=$(scripts/debian-kernel.sh "$rel") || fail_early "cannot fetch linux-image-$rel (scripts/debian-kernel.sh)"
done

for rel in "${RELS[@]}"; do
  k=${K[$rel]} J=$W/inspect-$rel.json H=$W/hdr-$rel
  t0=$(date +%s%N)
  expect "inspect $rel" 0 "$L" inspect --json "$k"
  echo "# inspect --json $rel ($(stat -c %s "$k") bytes): $(ms_since "$t0") ms (decompress + scan + SHA-256)"
  cp "$OUT" "$J"
  hdr "$k" >"$H"
  is "$rel: format" "$(j "$J" 'j["format"]')" bzImage
  is "$rel: release is the package's" "$(j "$J" 'j["release"]')" "$rel"
  is "$rel: release is the one file(1) reads" "$(j "$J" 'j["release"]')" "$(file -b "$k" | sed -n 's/.*, version \([^ ]*\) .*/\1/p')"
  is "$rel: release source" "$(j "$J" 'j["release_source"]')" "bzImage version string"
  is "$rel: boot protocol (header at 0x206)" "$(j "$J" 'j["boot"]["protocol_version"]')" "$(hget "$H" version)"
  is "$rel: boot protocol is 2.15 (0x020f), as 6.1 kernels have" "$(hget "$H" version)" 0x20f
  is "$rel: compression (payload magic)" "$(j "$J" 'j["boot"]["compression"]')" "$(hget "$H" compression)"
  is "$rel: payload offset" "$(j "$J" 'j["boot"]["payload_offset"]')" "$(hget "$H" payload_at)"
  is "$rel: payload length" "$(j "$J" 'j["boot"]["payload_length"]')" "$(hget "$H" payload_length)"
  is "$rel: setup_sects, syssize" "$(j "$J" 'j["boot"]["setup_sects"], j["boot"]["syssize"]')" "($(hget "$H" setup_sects), $(hget "$H" syssize))"
  is "$rel: init_size, xloadflags, kernel_alignment" \
    "$(j "$J" 'j["boot"]["init_size"], j["boot"]["xloadflags"], j["boot"]["kernel_alignment"]')" \
    "('$(hget "$H" init_size)', '$(hget "$H" xloadflags)', '$(hget "$H" kernel_alignment)')"
  is "$rel: EFI stub (objdump reads it as PE)" "$(j "$J" 'j["boot"]["efi_stub"]')" \
    "$(objdump -f "$k" 2>/dev/null | grep -q 'file format pei-x86-64' && echo true || echo false)"
  is "$rel: decompressed size is the size the build appended" "$(j "$J" 'j["boot"]["decompressed_size"]')" "$(hget "$H" isize)"
  is "$rel: sha256" "$(j "$J" 'j["sha256"]')" "$(sha "$k")"
  is "$rel: no manifest" "$(j "$J" 'j["manifest_carrier"], j["manifest"]')" "('none', None)"
  # the same payload through Debian's command-line decompressor, scanned by the rule
  dd if="$k" of="$W/payload" bs=1M iflag=skip_bytes,count_bytes skip="$(hget "$H" payload_at)" \
     count="$(hget "$H" payload_length)" status=none
  if decompress_cli "$(hget "$H" compression)" "$W/payload" "$W/vmlinux"; then
    is "$rel: decompressed size agrees with $(hget "$H" compression)(1)" "$(stat -c %s "$W/vmlinux")" "$(hget "$H" isize)"
    is "$rel: no KHO/LUO format string (as the CLI decompressor's output says)" \
      "$(j "$J" '" ".join(j["kho_compatible"])')" "$(scan_py "$W/vmlinux")"
  else
    not_ok "$rel: $(hget "$H" compression) payload did not decompress with the command-line tool"
  fi
  is "$rel: 6.1 has no KHO" "$(j "$J" 'len(j["kho_compatible"])')" 0
  expect "inspect $rel (text)" 0 "$L" inspect "$k"
  expect_out "kho:        none: this kernel has no KHO"
done

# ---- stamping a Debian bzImage: the trailer ------------------------------------------------------
k=${K[6.1.0-56-amd64]} orig_size=$(stat -c %s "$k")
GUID=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
cat >"$W/m56.json" <<EOF
{"release": "6.1.0-56-amd64", "schemas": [{"guid": "$GUID", "min_version": 1, "max_version": 3},
 {"guid": "2c3e8a4b-9d71-4f0e-a6b2-1d5c7e9f0a3b", "min_version": 1, "max_version": 1},
 {"guid": "8e41f6a2-0b3c-4d5e-9f10-a2b3c4d5e6f7", "min_version": 2, "max_version": 4}],
 "compatible": ["kho-v1", "luo-v1"]}
EOF
sed 's/"max_version": 3/"max_version": 2/' "$W/m56.json" >"$W/m56b.json"
sed 's/6.1.0-56-amd64/6.1.0-55-amd64/' "$W/m56.json" >"$W/m55.json"
sed 's/6.1.0-56-amd64/6.1.0-56-cloud-amd64/' "$W/m56.json" >"$W/mcloud.json"
"$L" manifest build "$W/m56.json" -o "$W/m56.bin" >/dev/null || fail_early "lugate manifest build"

expect "embed a Debian bzImage" 0 "$L" embed --manifest "$W/m56.json" "$k" -o "$W/bz.stamped"
expect_out "(carrier: trailer)"
check "the stamped file starts with the original bytes (cmp -n $orig_size)" cmp -n "$orig_size" "$k" "$W/bz.stamped"
python3 - "$W/bz.stamped" "$orig_size" "$W/m56.bin" >"$W/trailer" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read(); size = int(sys.argv[2]); m = open(sys.argv[3], 'rb').read()
t = d[-32:]; msize, ver, pad = struct.unpack_from('<IBB', t, 0)
print('magic=%s' % (t[8:29] == b'~LUGATE manifest v1~\n'))
print('manifest=%s' % (d[-32 - msize:-32] == m))
print('layout=%s' % (len(d) == size + pad + msize + 32 and (size + pad) % 8 == 0 and d[size:size + pad] == bytes(pad)))
EOF
is "the trailer: magic at the very end" "$(hget "$W/trailer" magic)" True
is "the trailer: the manifest before it is lugate manifest build's binary form" "$(hget "$W/trailer" manifest)" True
is "the trailer: image, zero pad to 8 bytes, manifest, 32-byte trailer" "$(hget "$W/trailer" layout)" True
expect "inspect the stamped bzImage" 0 "$L" inspect --json "$W/bz.stamped"
cp "$OUT" "$W/bz.json"
is "stamped: carrier and manifest release" "$(j "$W/bz.json" 'j["manifest_carrier"], j["manifest"]["release"]')" "('trailer', '6.1.0-56-amd64')"
is "stamped: the image proper is the original" "$(j "$W/bz.json" 'j["image_size"]')" "$orig_size"
is "stamped: sha256 is of the stamped file" "$(j "$W/bz.json" 'j["sha256"]')" "$(sha "$W/bz.stamped")"
is "stamped: boot header read as before" "$(j "$W/bz.json" 'j["boot"]')" "$(j "$W/inspect-6.1.0-56-amd64.json" 'j["boot"]')"
expect "embed twice without --replace" 2 "$L" embed --manifest "$W/m56.json" "$W/bz.stamped" -o "$W/x"
expect_err_line "already stamped (trailer)"
check "nothing written when refused" test ! -e "$W/x"
expect "embed --replace" 0 "$L" embed --replace --manifest "$W/m56b.json" "$W/bz.stamped" -o "$W/bz.replaced"
expect "inspect the replaced" 0 "$L" inspect --json "$W/bz.replaced"
is "replaced: the new manifest, not stacked" \
  "$(j "$OUT" '[s["max_version"] for s in j["manifest"]["schemas"] if s["guid"] == "'$GUID'"], j["image_size"]')" "([2], $orig_size)"
check "replaced: still the original bytes first" cmp -n "$orig_size" "$k" "$W/bz.replaced"
expect "embed a manifest for another release" 2 "$L" embed --manifest "$W/m55.json" "$k" -o "$W/x"
expect_err_line "is for release 6.1.0-55-amd64"

# ---- check --kernel and seal on real images -------------------------------------------------------
"$L" handoff build --devices examples/devices.json -o "$W/t.bin" >/dev/null || fail_early "lugate handoff build"
expect "check --kernel: an unstamped 6.1 refuses" 1 "$L" check --json --handoff "$W/t.bin" --kernel "$k"
is "unstamped: no-manifest and compat-missing (6.1 has no KHO)" \
  "$(j "$OUT" 'sorted(set(r["code"] for r in j["reasons"]))')" "['compat-missing', 'no-manifest']"
is "unstamped: the target release is the image's" "$(j "$OUT" 'j["target"]')" 6.1.0-56-amd64
printf '{"release": "6.1.0-55-amd64", "devices": []}\n' >"$W/nodev.json"
"$L" handoff build --devices "$W/nodev.json" -o "$W/t0.bin" >/dev/null || fail_early "lugate handoff build (no devices)"
expect "check --kernel: nothing preserved, the unstamped image's release decides" 0 "$L" check --handoff "$W/t0.bin" --kernel "$k"
expect "check --kernel: nothing preserved, 6.1.0-55 -> cloud is a flavour change" 1 "$L" check --json --handoff "$W/t0.bin" --kernel "${K[6.1.0-56-cloud-amd64]}"
is "flavour change named" "$(j "$OUT" '[r["code"] for r in j["reasons"]]')" "['flavour-change']"
expect "check --kernel: the stamped image allows" 0 "$L" check --json --handoff "$W/t.bin" --kernel "$W/bz.stamped"
is "allowed: stable-next to the manifest's release" "$(j "$OUT" 'j["verdict"], j["path"], j["target"]')" "('allow', 'stable-next', '6.1.0-56-amd64')"
expect "seal to the stamped image, 6.1.0-55 as the fallback" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/bz.stamped" --fallback "${K[6.1.0-55-amd64]}" -o "$W/sealed.bin"
expect "show the sealed table" 0 "$L" handoff show --json "$W/sealed.bin"
is "sealed: target sha256 is sha256sum's" "$(j "$OUT" 'j["sealed"]["target_sha256"]')" "$(sha "$W/bz.stamped")"
is "sealed: fallback sha256 is sha256sum's" "$(j "$OUT" 'j["sealed"]["fallback_sha256"]')" "$(sha "${K[6.1.0-55-amd64]}")"
is "sealed: target release and the default policy" "$(j "$OUT" 'j["sealed"]["target_release"], j["sealed"]["policy"]')" "('6.1.0-56-amd64', 'paths = same stable-next\n')"
expect "check the sealed table against the sealed image" 0 "$L" check --handoff "$W/sealed.bin" --kernel "$W/bz.stamped"
expect "check the sealed table against another image" 1 "$L" check --json --handoff "$W/sealed.bin" --kernel "$W/bz.replaced"
is "another image: image-mismatch" "$(j "$OUT" '[r["code"] for r in j["reasons"]]')" "['image-mismatch']"
expect "seal refuses an unstamped target" 1 "$L" seal --handoff "$W/t.bin" --kernel "$k" -o "$W/sealed2.bin"
check "a refused seal writes nothing" test ! -e "$W/sealed2.bin"
expect "embed the cloud kernel" 0 "$L" embed --manifest "$W/mcloud.json" "${K[6.1.0-56-cloud-amd64]}" -o "$W/cloud.stamped"
expect "check: amd64 -> cloud refuses" 1 "$L" check --json --handoff "$W/t.bin" --kernel "$W/cloud.stamped"
is "cloud: flavour-change" "$(j "$OUT" '[r["code"] for r in j["reasons"]]')" "['flavour-change']"
# a corrupt manifest: exit 2 (corrupt input), the verdict a refusal with no-manifest
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[-32-20]^=1; open(sys.argv[2],"wb").write(d)' "$W/bz.stamped" "$W/bz.corrupt"
expect "inspect: a stamped image whose manifest is corrupt" 2 "$L" inspect "$W/bz.corrupt"
expect_err_line "is corrupt"
expect "check: a corrupt manifest is corrupt input" 2 "$L" check --json --handoff "$W/t.bin" --kernel "$W/bz.corrupt"
expect_err_line "its manifest is corrupt"
is "corrupt manifest: the verdict refuses, no-manifest" "$(j "$OUT" 'j["verdict"], "no-manifest" in [r["code"] for r in j["reasons"]]')" "('refuse', True)"
t0=$(date +%s%N)
"$L" check -q --handoff "$W/sealed.bin" --kernel "$W/bz.stamped"
echo "# check --kernel on the sealed, stamped Debian kernel: $(ms_since "$t0") ms"

# ---- a UKI built from a Debian kernel ---------------------------------------------------------------
# The UKI specification's recipe: the stub, plus .osrel, .uname, .linux and .initrd at VMAs past
# the stub's last section, each aligned (here to 4 KiB), in that order.
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$W/osrel"
echo 6.1.0-56-amd64 >"$W/uname"
head -c 65536 /dev/urandom >"$W/initrd"
stub_end=0
while read -r size vma; do
  [ $((16#$vma + 16#$size)) -gt "$stub_end" ] && stub_end=$((16#$vma + 16#$size))
done < <(objdump -h "$STUB" | awk '$1 ~ /^[0-9]+$/ { print $3, $4 }')
align4k() { echo $(( ($1 + 4095) / 4096 * 4096 )); }
va_osrel=$(align4k "$stub_end")
va_uname=$(align4k $((va_osrel + $(stat -c %s "$W/osrel"))))
va_linux=$(align4k $((va_uname + $(stat -c %s "$W/uname"))))
va_initrd=$(align4k $((va_linux + orig_size)))
if objcopy --add-section .osrel="$W/osrel" --change-section-vma .osrel=$va_osrel \
     --add-section .uname="$W/uname" --change-section-vma .uname=$va_uname \
     --add-section .linux="$k" --change-section-vma .linux=$va_linux \
     --add-section .initrd="$W/initrd" --change-section-vma .initrd=$va_initrd \
     --set-section-flags .osrel=data,readonly --set-section-flags .uname=data,readonly \
     --set-section-flags .linux=data,readonly --set-section-flags .initrd=data,readonly \
     "$STUB" "$W/uki.efi" 2>"$W/objcopy.err"; then
  ok "UKI built with objcopy from $(basename "$STUB") and 6.1.0-56-amd64"
else
  not_ok "UKI built with objcopy" "$(head -1 "$W/objcopy.err")"
fi
expect "inspect the UKI" 0 "$L" inspect --json "$W/uki.efi"
cp "$OUT" "$W/uki.json"
is "UKI: format" "$(j "$W/uki.json" 'j["format"]')" uki
is "UKI: release from .uname (the file objcopy added)" "$(j "$W/uki.json" 'j["release"], j["release_source"]')" "('$(cat "$W/uname")', '.uname')"
is "UKI: the kernel inside is a bzImage" "$(j "$W/uki.json" 'j["pe"]["linux_format"]')" bzImage
is "UKI: .linux size is the kernel's" "$(j "$W/uki.json" 'j["pe"]["linux_size"]')" "$orig_size"
is "UKI: sections as objdump counts them" "$(j "$W/uki.json" 'j["pe"]["sections"]')" "$(objdump -h "$W/uki.efi" | grep -cE '^ +[0-9]+ ')"
is "UKI: the inner kernel's boot header" "$(j "$W/uki.json" 'j["boot"]')" "$(j "$W/inspect-6.1.0-56-amd64.json" 'j["boot"]')"
is "UKI: sha256" "$(j "$W/uki.json" 'j["sha256"]')" "$(sha "$W/uki.efi")"
expect "embed into the UKI" 0 "$L" embed --manifest "$W/m56.json" "$W/uki.efi" -o "$W/uki.stamped"
expect_out "(carrier: pe-section)"
objdump -h "$W/uki.efi" | awk '$1 ~ /^[0-9]+$/ { print $2, $3, $4, $6 }' >"$W/sec.before"
objdump -h "$W/uki.stamped" | awk '$1 ~ /^[0-9]+$/ { print $2, $3, $4, $6 }' >"$W/sec.after"
is "UKI stamped: objdump lists the original sections unchanged, then .lugate" \
  "$(head -n "$(wc -l <"$W/sec.before")" "$W/sec.after" | md5sum)" "$(md5sum <"$W/sec.before")"
read -r _ lugate_size lugate_vma _ < <(grep '^\.lugate ' "$W/sec.after")
is "UKI stamped: .lugate's size is the manifest's (objdump)" "$((16#${lugate_size:-0}))" "$(stat -c %s "$W/m56.bin")"
objcopy -O binary --only-section=.lugate "$W/uki.stamped" "$W/lugate.sec" 2>/dev/null
check "UKI stamped: objcopy extracts .lugate = the binary manifest" cmp "$W/lugate.sec" "$W/m56.bin"
objcopy -O binary --only-section=.linux "$W/uki.stamped" "$W/linux.sec" 2>/dev/null
check "UKI stamped: .linux is still the Debian kernel" cmp "$W/linux.sec" "$k"
sec_align=$((16#$(objdump -p "$W/uki.efi" | awk '/^SectionAlignment/ { print $2 }')))
lugate_end=$((16#${lugate_vma:-0} + 16#${lugate_size:-0}))
is "UKI stamped: SizeOfImage ends after .lugate, section-aligned (objdump -p)" \
  "$((16#$(objdump -p "$W/uki.stamped" | awk '/^SizeOfImage/ { print $2 }')))" "$(( (lugate_end + sec_align - 1) / sec_align * sec_align ))"
expect "inspect the stamped UKI" 0 "$L" inspect --json "$W/uki.stamped"
is "UKI stamped: manifest read back" "$(j "$OUT" 'j["manifest_carrier"], j["manifest"]["release"], len(j["manifest"]["schemas"])')" "('pe-section', '6.1.0-56-amd64', 3)"
expect "check --kernel the stamped UKI" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/uki.stamped"
expect "embed the UKI twice" 2 "$L" embed --manifest "$W/m56.json" "$W/uki.stamped" -o "$W/x"
expect_err_line "already stamped (pe-section)"
expect "embed --replace in the UKI" 0 "$L" embed --replace --manifest "$W/m56.json" "$W/uki.stamped" -o "$W/uki.again"
check "UKI: replacing with the same manifest gives the same bytes" cmp "$W/uki.stamped" "$W/uki.again"
# no header room: SizeOfHeaders cut to the end of the section table
python3 - "$W/uki.efi" "$W/uki.noroom" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
count, opt = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
struct.pack_into('<I', d, pe + 24 + 60, pe + 24 + opt + count * 40)
open(sys.argv[2], 'wb').write(d)
EOF
expect "embed refuses a UKI without header room" 2 "$L" embed --manifest "$W/m56.json" "$W/uki.noroom" -o "$W/x"
expect_err_line "no room in the headers for another section"
python3 - "$W/uki.efi" "$W/uki.signed" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
struct.pack_into('<II', d, pe + 24 + 144, len(d), 0x800)  # a certificate table (as sbsign writes)
open(sys.argv[2], 'wb').write(d + bytes(0x800))
EOF
expect "embed refuses a signed UKI (stamp before signing)" 2 "$L" embed --manifest "$W/m56.json" "$W/uki.signed" -o "$W/x"
expect_err_line "signed"

# ---- the KHO kernel (7.3, KHO and LUO built in) ------------------------------------------------------
kho=$(scripts/kho-kernel.sh 2>"$W/kho.err") || fail_early "the KHO kernel is unavailable: $(tail -1 "$W/kho.err")"
kho_rel=$(cat "$(dirname "$kho")/version")
expect "inspect the KHO kernel" 0 "$L" inspect --json "$kho"
cp "$OUT" "$W/kho.json"
hdr "$kho" >"$W/hdr-kho"
is "KHO kernel: release is its build's" "$(j "$W/kho.json" 'j["release"]')" "$kho_rel"
is "KHO kernel: compression" "$(j "$W/kho.json" 'j["boot"]["compression"]')" "$(hget "$W/hdr-kho" compression)"
dd if="$kho" of="$W/kpayload" bs=1M iflag=skip_bytes,count_bytes skip="$(hget "$W/hdr-kho" payload_at)" \
   count="$(hget "$W/hdr-kho" payload_length)" status=none
if decompress_cli "$(hget "$W/hdr-kho" compression)" "$W/kpayload" "$W/kvmlinux"; then
  is "KHO kernel: the formats it carries, as the command-line decompressor's output says" \
    "$(j "$W/kho.json" '" ".join(sorted(j["kho_compatible"]))')" "$(scan_py "$W/kvmlinux")"
else
  not_ok "KHO kernel: payload did not decompress with the command-line tool"
fi
is "KHO kernel: KHO and LUO formats found" "$(j "$W/kho.json" '"kho-v4" in j["kho_compatible"] and "luo-v5" in j["kho_compatible"]')" true
expect "inspect the KHO kernel (text)" 0 "$L" inspect "$kho"
expect_out "kho-v4"
# its vmlinux: a real ELF64 kernel
vmlinux=$(dirname "$kho")/vmlinux; [ -s "$vmlinux" ] || vmlinux=
if [ -z "$vmlinux" ]; then
  not_ok "the KHO kernel's vmlinux is kept beside its bzImage" "$(dirname "$kho")/vmlinux missing"
else
  expect "inspect the KHO vmlinux (ELF64)" 0 "$L" inspect --json "$vmlinux"
  cp "$OUT" "$W/vmlinux.json"
  is "vmlinux: format, release (its banner)" "$(j "$W/vmlinux.json" 'j["format"], j["release"]')" "('elf', '$kho_rel')"
  is "vmlinux: entry (readelf -h)" "$(j "$W/vmlinux.json" 'int(j["elf"]["entry"], 16)')" "$(( $(readelf -h "$vmlinux" | awk '/Entry point/ { print $4 }') ))"
  is "vmlinux: build-id (readelf -n)" "$(j "$W/vmlinux.json" 'j["elf"]["build_id"]')" "$(readelf -n "$vmlinux" | awk '/Build ID/ { print $3 }')"
  is "vmlinux: the same formats as its bzImage" "$(j "$W/vmlinux.json" 'sorted(j["kho_compatible"])')" "$(j "$W/kho.json" 'sorted(j["kho_compatible"])')"
  printf '{"release": "%s", "schemas": [], "compatible": ["kho-v4", "luo-v5"]}\n' "$kho_rel" >"$W/mkho.json"
  expect "embed into vmlinux" 0 "$L" embed --manifest "$W/mkho.json" "$vmlinux" -o "$W/vmlinux.stamped"
  expect_out "(carrier: elf-note)"
  is "vmlinux stamped: one more program header, a NOTE (readelf -l)" \
    "$(readelf -lW "$W/vmlinux.stamped" | grep -c '^  NOTE')" "$(( $(readelf -lW "$vmlinux" | grep -c '^  NOTE') + 1 ))"
  expect "inspect the stamped vmlinux" 0 "$L" inspect --json "$W/vmlinux.stamped"
  is "vmlinux stamped: manifest read back" "$(j "$OUT" 'j["manifest_carrier"], j["manifest"]["release"]')" "('elf-note', '$kho_rel')"
fi

# ---- a small kernel-like ELF64, linked here --------------------------------------------------------
cat >"$W/k.c" <<'EOF'
const char linux_banner[] = "Linux version 6.1.0-99-elftest (builder@example) (gcc) #1 SMP\n";
void _start(void) { for (;;) __asm__ volatile("hlt"); }
EOF
# like vmlinux.lds: the ELF header and program headers belong to no segment
cat >"$W/k.lds" <<'EOF'
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); note PT_NOTE FLAGS(4); }
SECTIONS {
  . = 0xffffffff81000000;
  .text : AT(0x1000000) { *(.text*) } :text
  .rodata : { *(.rodata*) } :text
  .notes : { *(.note.*) } :text :note
  /DISCARD/ : { *(.comment) *(.note.GNU-stack) *(.eh_frame) }
}
EOF
if gcc -c -O1 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -fno-asynchronous-unwind-tables "$W/k.c" -o "$W/k.o" &&
   ld -static -nostdlib --build-id -z max-page-size=0x1000 -z noexecstack -T "$W/k.lds" "$W/k.o" -o "$W/kernel.elf"; then
  ok "a kernel-like ELF64 linked with gcc and ld"
else
  not_ok "a kernel-like ELF64 linked with gcc and ld"
fi
expect "inspect the ELF" 0 "$L" inspect --json "$W/kernel.elf"
cp "$OUT" "$W/elf.json"
is "ELF: format, release from its banner" "$(j "$W/elf.json" 'j["format"], j["release"], j["release_source"]')" "('elf', '6.1.0-99-elftest', 'Linux version banner')"
is "ELF: machine (readelf: X86-64 is 62)" "$(j "$W/elf.json" 'j["elf"]["machine"]')" "$(readelf -h "$W/kernel.elf" | grep -q 'X86-64' && echo 62 || echo other)"
is "ELF: entry (readelf -h)" "$(j "$W/elf.json" 'int(j["elf"]["entry"], 16)')" "$(python3 -c "print($(readelf -h "$W/kernel.elf" | awk '/Entry point/ { print $4 }'))")"
is "ELF: build-id (readelf -n)" "$(j "$W/elf.json" 'j["elf"]["build_id"]')" "$(readelf -n "$W/kernel.elf" | awk '/Build ID/ { print $3 }')"
is "ELF: notes (readelf -n)" "$(j "$W/elf.json" 'j["elf"]["notes"]')" "$(readelf -nW "$W/kernel.elf" | grep -cE '^  [A-Za-z]+ +0x')"
printf '{"release": "6.1.0-99-elftest", "schemas": [{"guid": "%s", "min_version": 1, "max_version": 1}]}\n' "$GUID" >"$W/melf.json"
"$L" manifest build "$W/melf.json" -o "$W/melf.bin" >/dev/null
expect "embed into the ELF" 0 "$L" embed --manifest "$W/melf.json" "$W/kernel.elf" -o "$W/kernel.stamped"
expect_out "(carrier: elf-note)"
python3 - "$W/kernel.elf" "$W/kernel.stamped" "$W/melf.bin" >"$W/elfcheck" <<'EOF'
import struct, sys
a = open(sys.argv[1], 'rb').read(); b = open(sys.argv[2], 'rb').read(); m = open(sys.argv[3], 'rb').read()
phoff, = struct.unpack_from('<Q', a, 32); phnum, = struct.unpack_from('<H', a, 56)
diff = [i for i in range(len(a)) if a[i] != b[i]]
slot = phoff + phnum * 56
print('changed_only_header=%s' % all(i in (56, 57) or slot <= i < slot + 56 for i in diff))
ph = b[slot:slot + 56]
typ, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack('<IIQQQQQQ', ph)
namesz, descsz, ntype = struct.unpack_from('<III', b, off)
print('note=%s' % (typ == 4 and vaddr == 0 and memsz == 0 and b[off + 12:off + 19] == b'lugate\0' and ntype == 1 and
                   b[off + 20:off + 20 + descsz] == m and (off + 20) % 8 == 0))
EOF
is "ELF stamped: only e_phnum and the new program header changed in the original bytes" "$(hget "$W/elfcheck" changed_only_header)" True
is "ELF stamped: a PT_NOTE (not loaded) holds the \"lugate\" note = the binary manifest" "$(hget "$W/elfcheck" note)" True
is "ELF stamped: readelf counts the new program header" "$(readelf -hW "$W/kernel.stamped" | awk '/Number of program headers/ { print $5 }')" 3
expect "inspect the stamped ELF" 0 "$L" inspect --json "$W/kernel.stamped"
is "ELF stamped: manifest read back" "$(j "$OUT" 'j["manifest_carrier"], j["manifest"]["release"]')" "('elf-note', '6.1.0-99-elftest')"
expect "embed --replace in the ELF" 0 "$L" embed --replace --manifest "$W/melf.json" "$W/kernel.stamped" -o "$W/kernel.again"
check "ELF: replacing with the same manifest gives the same bytes" cmp "$W/kernel.stamped" "$W/kernel.again"
# an ELF whose headers sit inside its first PT_LOAD (ordinary executables): the trailer
printf 'int main(void) { return 0; }\n' >"$W/u.c"
gcc -static -O1 "$W/u.c" -o "$W/user.elf" 2>/dev/null
expect "embed into an ELF without program-header room: the trailer" 0 "$L" embed --manifest "$W/melf.json" "$W/user.elf" -o "$W/user.stamped"
expect_out "(carrier: trailer)"
check "trailer ELF: the original bytes first" cmp -n "$(stat -c %s "$W/user.elf")" "$W/user.elf" "$W/user.stamped"

# ---- a synthetic arm64 Image (Documentation/arch/arm64/booting.rst) ---------------------------------
python3 - "$W/Image" <<'EOF'
import struct, sys
# code0 "MZ"-led (EFI stub), code1, text_offset 0, image_size, flags: LE, 16K pages, anywhere
hdr = struct.pack('<IIQQQQQQII', 0x91005a4d, 0x14000000, 0, 0x1400000, (2 << 1) | (1 << 3), 0, 0, 0, 0x644d5241, 0)
body = bytearray(16384)
banner = b'Linux version 6.1.0-99-arm64test (builder@example) (gcc) #1 SMP PREEMPT\n\0'
body[0x800:0x800 + len(banner)] = banner
open(sys.argv[1], 'wb').write(hdr + bytes(body))
EOF
expect "inspect the arm64 Image" 0 "$L" inspect --json "$W/Image"
cp "$OUT" "$W/arm64.json"
is "arm64: format, release" "$(j "$W/arm64.json" 'j["format"], j["release"]')" "('arm64-image', '6.1.0-99-arm64test')"
is "arm64: page size (file(1))" "$(j "$W/arm64.json" 'j["arm64"]["page_size"] // 1024')K" "$(file -b "$W/Image" | grep -oE '[0-9]+K pages' | cut -d' ' -f1)"
is "arm64: image_size, text_offset" "$(j "$W/arm64.json" 'j["arm64"]["image_size"], j["arm64"]["text_offset"]')" \
  "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); print(("0x%x" % struct.unpack_from("<Q",d,16)[0], "0x%x" % struct.unpack_from("<Q",d,8)[0]))' "$W/Image")"
printf '{"release": "6.1.0-99-arm64test", "schemas": []}\n' >"$W/marm.json"
expect "embed into the arm64 Image" 0 "$L" embed --manifest "$W/marm.json" "$W/Image" -o "$W/Image.stamped"
expect_out "(carrier: trailer)"
expect "inspect the stamped arm64 Image" 0 "$L" inspect --json "$W/Image.stamped"
is "arm64 stamped: manifest read back, image unchanged" "$(j "$OUT" 'j["manifest"]["release"], j["image_size"], j["arm64"]["page_size"]')" \
  "('6.1.0-99-arm64test', $(stat -c %s "$W/Image"), $(j "$W/arm64.json" 'j["arm64"]["page_size"]'))"

# ---- truncated, empty, header-only and hostile images: one line, exit 2 ---------------------------
bad() { # bad NAME FILE TEXT: inspect and check --kernel both exit 2 with one stderr line
  expect "$1: inspect" 2 "$L" inspect "$2"
  expect_err_line "$3"
  expect "$1: check --kernel" 2 "$L" check --handoff "$W/t.bin" --kernel "$2"
  expect_err_line "$3"
}
patch() { # patch IN OUT OFFSET FORMAT VALUE...: struct.pack_into at OFFSET
  python3 -c 'import struct,sys; d=bytearray(open(sys.argv[1],"rb").read()); struct.pack_into(sys.argv[4], d, int(sys.argv[3], 0), *[int(v, 0) for v in sys.argv[5:]]); open(sys.argv[2],"wb").write(d)' "$@"
}
code=$(( ($(hget "$W/hdr-6.1.0-56-amd64" setup_sects) + 1) * 512 ))
: >"$W/empty"
bad "zero-length file" "$W/empty" "the file is empty"
head -c 1024 "$k" >"$W/hdr1k"
bad "the first 1 KiB of a bzImage" "$W/hdr1k" "truncated"
head -c "$code" "$k" >"$W/setup-only"
bad "a bzImage's setup sectors only (header-only)" "$W/setup-only" "truncated"
head -c 4000000 "$k" >"$W/half"
bad "a bzImage cut in its payload" "$W/half" "protected-mode code"
patch "$k" "$W/payload-out" 0x248 '<I' 0x7fffff00
bad "payload_offset pointing outside the file" "$W/payload-out" "payload_offset/payload_length point outside"
patch "$k" "$W/kver-out" 0x20e '<H' 0xfff0
bad "kernel_version pointing outside the setup code" "$W/kver-out" "kernel_version points outside"
patch "$k" "$W/syssize" 0x1f4 '<I' 0xffffffff
bad "syssize larger than the file" "$W/syssize" "syssize"
pe_at=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(), 0x3c)[0])' "$W/uki.efi")
table=$(( pe_at + 24 + $(python3 -c 'import struct,sys; print(struct.unpack_from("<H", open(sys.argv[1],"rb").read(), int(sys.argv[2]))[0])' "$W/uki.efi" $((pe_at + 20))) ))
linux_idx=$(objdump -h "$W/uki.efi" | awk '$2 == ".linux" { print $1 }')
uname_idx=$(objdump -h "$W/uki.efi" | awk '$2 == ".uname" { print $1 }')
linux_raw=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(), int(sys.argv[2]))[0])' "$W/uki.efi" $((table + linux_idx * 40 + 20)))
patch "$W/uki.efi" "$W/uki.overlap" $((table + uname_idx * 40 + 20)) '<I' "$linux_raw"
bad "a UKI whose sections overlap" "$W/uki.overlap" "overlapping"
patch "$W/uki.efi" "$W/uki.count" $((pe_at + 6)) '<H' 0xffff
bad "a UKI with 65535 sections" "$W/uki.count" "more sections"
patch "$W/uki.efi" "$W/uki.outside" $((table + linux_idx * 40 + 20)) '<I' 0xfffffe00
bad "a UKI section outside the file" "$W/uki.outside" "outside the file"
head -c $(( linux_raw + 100000 )) "$W/uki.efi" >"$W/uki.cut"
bad "a UKI cut inside .linux" "$W/uki.cut" "outside the file"
note_ph=$(python3 -c '
import struct,sys
d=open(sys.argv[1],"rb").read(); phoff,=struct.unpack_from("<Q",d,32); n,=struct.unpack_from("<H",d,56)
print(next(phoff+i*56 for i in range(n) if struct.unpack_from("<I",d,phoff+i*56)[0]==4))' "$W/kernel.elf")
patch "$W/kernel.elf" "$W/elf.noteout" $((note_ph + 8)) '<Q' 0x7fffffff
bad "an ELF whose PT_NOTE lies outside the file" "$W/elf.noteout" "PT_NOTE segment lies outside"
note_off=$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), int(sys.argv[2]))[0])' "$W/kernel.elf" $((note_ph + 8)))
patch "$W/kernel.elf" "$W/elf.namesz" "$note_off" '<I' 0xfffffff0
bad "an ELF note whose name size runs away" "$W/elf.namesz" "runs past its PT_NOTE segment"
patch "$W/kernel.elf" "$W/elf.phnum" 56 '<H' 0xffff
bad "an ELF with 65535 program headers" "$W/elf.phnum" "more program headers"
sz=$(stat -c %s "$W/bz.stamped")
patch "$W/bz.stamped" "$W/trailer.big" $((sz - 32)) '<I' 0xfffffff0
bad "a trailer whose manifest size exceeds the file" "$W/trailer.big" "manifest size points outside"
patch "$W/bz.stamped" "$W/trailer.ver" $((sz - 28)) '<B' 9
bad "a trailer of an unknown version" "$W/trailer.ver" "version"
head -c 100000 /dev/urandom >"$W/random"
printf 'X' | dd of="$W/random" conv=notrunc status=none
bad "random bytes" "$W/random" "not a kernel image lugate knows"
bad "a directory" "$W" "$W"
bad "a missing file" "$W/missing" "missing"
expect "embed into a malformed image" 2 "$L" embed --manifest "$W/m56.json" "$W/payload-out" -o "$W/x"
expect_err_line "payload_offset/payload_length point outside"
expect "seal to a malformed image" 2 "$L" seal --handoff "$W/t.bin" --kernel "$W/uki.overlap" -o "$W/x"
expect_err_line "overlapping"
check "nothing written for a malformed image" test ! -e "$W/x"
