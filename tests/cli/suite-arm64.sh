#!/usr/bin/env bash
# arm64 kernel images through the CLI, and the page-size rule (TAP). Real parts: Debian's
# linux-image-6.1.0-56-arm64 (an uncompressed arm64 Image with an EFI stub; fetched through a
# private apt configuration, scripts/debian-kernel.sh REL arm64), systemd-boot-efi:arm64's UKI
# stub (linuxaa64.efi.stub, the same way: scripts/debian-file.sh) and Debian's
# aarch64-linux-gnu-objcopy/objdump. Debian ships no zboot kernel (its 6.1 config leaves
# CONFIG_EFI_ZBOOT off), so zboot images are made from the real Image by tests/cli/mkarm64.py,
# laid out as the kernel's zboot-header.S lays one out; so is a 16K-page target (the real Image
# with its header's page-size flag changed). What lugate reports is compared with what other
# readers say: the package's name, `file`, objdump, gzip/zstd, sha256sum, the header's bytes.
# A prerequisite that cannot be had is a failure, loudly.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
. tests/cli/tap.sh
tap_lugate
REL=6.1.0-56-arm64

fail_early() { echo "not ok - $1"; exit 1; }
ok() { echo "ok - $1"; }
is() { # is NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else echo "not ok - $1: got '$2', want '$3'"; fi
}
# j FILE EXPR: a Python expression over the JSON document in FILE (bound to j)
j() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("null" if v is None else v)' "$1" "$2"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

for tool in python3 file gzip zstd sha256sum aarch64-linux-gnu-objcopy aarch64-linux-gnu-objdump; do
  command -v "$tool" >/dev/null || fail_early "$tool is missing (scripts/deps.sh test installs it)"
done
K=$(scripts/debian-kernel.sh "$REL" arm64 2>"$W/dl.err") || fail_early "Debian's linux-image-$REL: $(cat "$W/dl.err")"
cache=${LUGATE_KERNEL_CACHE:-$B/kernels}
STUB=$(scripts/debian-file.sh arm64 systemd-boot-efi ./usr/lib/systemd/boot/efi/linuxaa64.efi.stub \
  "$cache/linuxaa64.efi.stub" 2>"$W/stub.err") || fail_early "systemd-boot-efi:arm64's stub: $(cat "$W/stub.err")"

# ---- the Debian arm64 Image -------------------------------------------------------------------
# the header's own bytes (Documentation/arch/arm64/booting.rst), read here
hdr_field() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(64); print(eval(sys.argv[2]))' "$1" "$2"; }
page_of() { hdr_field "$1" '{1: 4096, 2: 16384, 3: 65536}.get((struct.unpack_from("<Q", d, 24)[0] >> 1) & 3, 0)'; }
expect "inspect the Debian arm64 kernel" 0 "$L" inspect --json "$K"
cp "$OUT" "$W/image.json"
is "Image: format" "$(j "$W/image.json" 'j["format"]')" arm64-image
is "Image: release is the package's" "$(j "$W/image.json" 'j["release"], j["release_source"]')" "('$REL', 'Linux version banner')"
is "Image: page size as the header's flags say" "$(j "$W/image.json" 'j["page_size"]')" "$(page_of "$K")"
is "Image: page size as file(1) says" "$(j "$W/image.json" 'j["page_size"]')" \
  "$(file -b "$K" | sed -n 's/.*, \([0-9]*\)K pages.*/\1/p' | awk '{ print $1 * 1024 }')"
is "Image: image_size is the header's" "$(j "$W/image.json" 'int(j["arm64"]["image_size"], 16)')" \
  "$(hdr_field "$K" 'struct.unpack_from("<Q", d, 16)[0]')"
is "Image: no manifest, no KHO in Debian 6.1" "$(j "$W/image.json" 'j["manifest_carrier"], j["kho_compatible"]')" "('none', [])"
is "Image: sha256" "$(j "$W/image.json" 'j["sha256"]')" "$(sha "$K")"
expect "inspect (text) names the page size" 0 "$L" inspect "$K"
expect_out "page size:  4096"

# ---- zboot images made from it ----------------------------------------------------------------
for comp in gzip zstd; do
  z=$W/vmlinuz-$comp.efi
  python3 tests/cli/mkarm64.py zboot "$K" "$z" "$comp" || fail_early "mkarm64.py zboot $comp"
  is "zboot ($comp): objdump reads it as an arm64 PE" \
    "$(aarch64-linux-gnu-objdump -f "$z" | sed -n 's/.*file format //p')" pei-aarch64-little
  expect "inspect the $comp zboot image" 0 "$L" inspect --json "$z"
  cp "$OUT" "$W/zboot-$comp.json"
  is "zboot ($comp): format and compression" "$(j "$W/zboot-$comp.json" 'j["format"], j["zboot"]["compression"]')" "('zboot', '$comp')"
  is "zboot ($comp): the payload is the Image, byte count and all" \
    "$(j "$W/zboot-$comp.json" 'j["zboot"]["payload_format"], j["zboot"]["decompressed_size"]')" "('arm64-image', $(stat -c %s "$K"))"
  is "zboot ($comp): release from the payload's banner" "$(j "$W/zboot-$comp.json" 'j["release"], j["release_source"]')" \
    "('$REL', 'Linux version banner (zboot payload)')"
  is "zboot ($comp): page size and header as the Image's" \
    "$(j "$W/zboot-$comp.json" 'j["page_size"], j["arm64"]')" "$(j "$W/image.json" 'j["page_size"], j["arm64"]')"
  is "zboot ($comp): the scan ran over the payload" "$(j "$W/zboot-$comp.json" 'j["kho_compatible"]')" "[]"
done
# the payload's size field as gzip itself reads it: the same bytes the kernel's decompressor gets
off=$(hdr_field "$W/vmlinuz-gzip.efi" 'struct.unpack_from("<I", d, 8)[0]')
len=$(hdr_field "$W/vmlinuz-gzip.efi" 'struct.unpack_from("<I", d, 12)[0]')
is "zboot (gzip): gzip(1) decompresses the payload lugate names into the Image" \
  "$(tail -c +$((off + 1)) "$W/vmlinuz-gzip.efi" | head -c "$len" | gzip -dc | sha256sum | cut -d' ' -f1)" "$(sha "$K")"
# a corrupt payload: one line, exit 2
cp "$W/vmlinuz-gzip.efi" "$W/broken.efi"
printf '\x00\x00\x00\x00\x00\x00\x00\x00' | dd of="$W/broken.efi" bs=1 seek=$((off + 4096)) conv=notrunc 2>/dev/null
expect "inspect a zboot image whose payload is corrupt" 2 "$L" inspect "$W/broken.efi"
expect_err_line "zboot payload (gzip)"

# ---- UKIs made with the real arm64 stub -------------------------------------------------------
# The UKI specification's recipe, as tests/images does for x86: the stub, then .osrel, .uname
# and .linux at VMAs past the stub's last section, each 4 KiB aligned.
printf 'ID=debian\nVERSION_ID="12"\n' >"$W/osrel"
stub_end=0
while read -r size vma; do
  [ $((16#$vma + 16#$size)) -gt "$stub_end" ] && stub_end=$((16#$vma + 16#$size))
done < <(aarch64-linux-gnu-objdump -h "$STUB" | awk '$1 ~ /^[0-9]+$/ { print $3, $4 }')
[ "$stub_end" -gt 0 ] || fail_early "objdump lists no section in $STUB"
align4k() { echo $(( ($1 + 4095) / 4096 * 4096 )); }
uki() { # uki OUT LINUX UNAME
  echo "$3" >"$W/uname"
  local va_osrel va_uname va_linux
  va_osrel=$(align4k "$stub_end"); va_uname=$(align4k $((va_osrel + 4096))); va_linux=$(align4k $((va_uname + 4096)))
  aarch64-linux-gnu-objcopy --add-section .osrel="$W/osrel" --change-section-vma .osrel=$va_osrel \
    --add-section .uname="$W/uname" --change-section-vma .uname=$va_uname \
    --add-section .linux="$2" --change-section-vma .linux=$va_linux \
    --set-section-flags .osrel=data,readonly --set-section-flags .uname=data,readonly \
    --set-section-flags .linux=data,readonly "$STUB" "$1" 2>"$W/objcopy.err"
}
uki "$W/uki-image.efi" "$K" "$REL" || fail_early "objcopy: $(head -1 "$W/objcopy.err")"
uki "$W/uki-zboot.efi" "$W/vmlinuz-zstd.efi" "$REL" || fail_early "objcopy: $(head -1 "$W/objcopy.err")"
for u in image zboot; do
  expect "inspect the arm64 UKI around the $u" 0 "$L" inspect --json "$W/uki-$u.efi"
  cp "$OUT" "$W/uki-$u.json"
  is "UKI ($u): format, release from .uname" "$(j "$W/uki-$u.json" 'j["format"], j["release"], j["release_source"]')" "('uki', '$REL', '.uname')"
  is "UKI ($u): arm64 machine, sections as objdump counts them" "$(j "$W/uki-$u.json" 'j["pe"]["machine"], j["pe"]["sections"]')" \
    "('0xaa64', $(aarch64-linux-gnu-objdump -h "$W/uki-$u.efi" | grep -cE '^ +[0-9]+ '))"
  is "UKI ($u): page size as the Image's" "$(j "$W/uki-$u.json" 'j["page_size"], j["arm64"]')" "$(j "$W/image.json" 'j["page_size"], j["arm64"]')"
done
is "UKI (image): .linux is the Image" "$(j "$W/uki-image.json" 'j["pe"]["linux_format"], j["pe"]["linux_size"]')" "('arm64-image', $(stat -c %s "$K"))"
is "UKI (zboot): .linux is zboot, its payload the Image" "$(j "$W/uki-zboot.json" 'j["pe"]["linux_format"], j["zboot"]["payload_format"], j["zboot"]["decompressed_size"]')" \
  "('zboot', 'arm64-image', $(stat -c %s "$K"))"
uki "$W/uki-lies.efi" "$W/vmlinuz-zstd.efi" 6.1.0-57-arm64 || fail_early "objcopy: $(head -1 "$W/objcopy.err")"
expect "a UKI whose .uname contradicts its zboot payload's banner" 2 "$L" inspect "$W/uki-lies.efi"
expect_err_line ".uname and the Linux version banner in the zboot payload name different releases"

# ---- the page-size rule -----------------------------------------------------------------------
python3 tests/cli/mkarm64.py pagesize "$K" "$W/image-16k" 16384 || fail_early "mkarm64.py pagesize"
is "16K target: file(1) reads 16K pages" "$(file -b "$W/image-16k" | grep -o '16K pages')" "16K pages"
python3 -c 'import json,sys; m=json.load(open("examples/target-6.1.0-56.json")); m["release"]=sys.argv[1]; print(json.dumps(m))' "$REL" >"$W/m.json"
for t in "$K:4k" "$W/image-16k:16k" "$W/vmlinuz-zstd.efi:zboot"; do
  expect "embed the manifest into the ${t##*:} target" 0 "$L" embed --manifest "$W/m.json" "${t%:*}" -o "$W/target-${t##*:}"
done
expect "inspect the stamped zboot target" 0 "$L" inspect --json "$W/target-zboot"
is "stamped zboot: a .lugate section, the release still the payload's" \
  "$(j "$OUT" 'j["format"], j["manifest_carrier"], j["release"], j["target_release"]')" "('zboot', 'pe-section', '$REL', '$REL')"
is "stamped zboot: objdump lists .lugate" "$(aarch64-linux-gnu-objdump -h "$W/target-zboot" | awk '$2 == ".lugate" { print $2 }')" .lugate
python3 -c 'import json,sys; d=json.load(open("examples/devices.json")); d["release"]=sys.argv[1]; print(json.dumps(d))' "$REL" >"$W/devices.json"
expect "a 4K table (no --page-size)" 0 "$L" handoff build --devices "$W/devices.json" -o "$W/t4.bin"
expect "a 16K table" 0 "$L" handoff build --devices "$W/devices.json" --page-size 16384 -o "$W/t16.bin"
expect "handoff show: the 16K table" 0 "$L" handoff show --json "$W/t16.bin"
is "handoff show: page_size" "$(j "$OUT" 'j["page_size"]')" 16384
expect "--page-size 8192 is not a page size" 2 "$L" handoff build --devices "$W/devices.json" --page-size 8192 -o "$W/t8.bin"
expect_err_line "the page sizes are 4096, 16384 and 65536"
verdict() { # verdict NAME RC TABLE TARGET: the check's exit code and reason codes
  expect "$1" "$2" "$L" check --json --handoff "$3" --kernel "$4"
  j "$OUT" '[r["code"] for r in j["reasons"]]' >"$W/codes"
}
verdict "check: 4K table, 4K target (the Image) is allowed" 0 "$W/t4.bin" "$W/target-4k"
is "check: 4K -> 4K: no reason" "$(cat "$W/codes")" "[]"
verdict "check: 4K table, 16K target is refused" 1 "$W/t4.bin" "$W/target-16k"
is "check: 4K -> 16K: page-size-change, alone" "$(cat "$W/codes")" "['page-size-change']"
is "check: 4K -> 16K: both sizes in --json" "$(j "$OUT" '[(r["outgoing_page_size"], r["target_page_size"]) for r in j["reasons"]]')" "[(4096, 16384)]"
verdict "check: 16K table, 16K target is allowed" 0 "$W/t16.bin" "$W/target-16k"
verdict "check: 16K table, 4K zboot target is refused" 1 "$W/t16.bin" "$W/target-zboot"
is "check: 16K -> 4K zboot: page-size-change" "$(cat "$W/codes")" "['page-size-change']"
expect "check (text): the one-line reason" 1 "$L" check --handoff "$W/t4.bin" --kernel "$W/target-16k"
expect_out "page-size-change: the page size changes from 4096 to 16384 bytes"
printf '{"release": "%s", "compatible": [], "devices": []}' "$REL" >"$W/nothing.json"
expect "a table that preserves nothing" 0 "$L" handoff build --devices "$W/nothing.json" -o "$W/t0.bin"
verdict "check: nothing preserved, 16K target is allowed (no state to lose)" 0 "$W/t0.bin" "$W/target-16k"
"$L" handoff build --devices "$W/devices.json" --page-size 4096 -o "$W/t4-explicit.bin" >/dev/null 2>&1
cmp -s "$W/t4.bin" "$W/t4-explicit.bin" &&
  ok "a 4K table is the same bytes with --page-size 4096 or without" ||
  echo "not ok - a 4K table is the same bytes with --page-size 4096 or without"
