#!/usr/bin/env bash
# Signed kernel images (TAP): what a manifest carrier does to an Authenticode signature, checked
# with the signing tools themselves (sbsign/sbverify, osslsigncode) and with the digest as the
# PE/COFF Authenticode specification defines it (and Linux's verify_pefile.c and shim compute it).
#  - Debian's vmlinuz is signed; a trailer stamped after the signature leaves it unverifiable
#    (the documented limit: docs/image-carriers.md, "Signed images");
#  - stamped first, then signed with sbsign: the signature verifies, lugate reads the manifest in
#    front of the certificate table, check/seal work, --replace is refused (it would drop the
#    signature), a changed manifest byte breaks both the signature and lugate's frame check;
#  - a UKI stamped with .lugate, then signed: verifies, and lugate reads the section; embed refuses
#    to stamp a signed UKI.
# The signing key is made here for the test (openssl); nothing is fetched but Debian's kernel.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
. tests/cli/tap.sh
L=$PWD/${BUILD:-build}/lugate
W=$T_TMP/w
mkdir -p "$W"
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
MJSON=examples/target-6.1.0-56.json
[ -x "$L" ] || { echo "not ok - $L is not built (make)"; exit 1; }
for tool in python3 openssl sbsign sbverify osslsigncode objcopy objdump sha256sum cmp; do
  command -v "$tool" >/dev/null || { echo "not ok - '$tool' is missing (scripts/deps.sh all)"; exit 1; }
done
[ -r "$STUB" ] || { echo "not ok - $STUB is missing (systemd-boot-efi: scripts/deps.sh all)"; exit 1; }
K=$(scripts/debian-kernel.sh 6.1.0-56-amd64 2>"$W/dl.err") || { echo "not ok - Debian's kernel: $(cat "$W/dl.err")"; exit 1; }

is() { if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: got '$2', want '$3'"; fi; }
jget() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d = d[k]
print(d if isinstance(d, str) else json.dumps(d))' "$1" "$2"; }
size_of() { stat -c %s "$1"; }
# authenticode FILE: the image digest as the Authenticode specification defines it (headers less
# CheckSum and the certificate directory entry, sections by file offset, then the bytes from
# SUM_OF_BYTES_HASHED to the certificate table): what verify_pefile.c and shim hash
authenticode() {
  python3 - "$1" <<'PY'
import hashlib, struct, sys
b = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", b, 0x3c)[0]; opt = pe + 24
n, = struct.unpack_from("<H", b, pe + 6); optsz, = struct.unpack_from("<H", b, pe + 20)
dirs = opt + (112 if struct.unpack_from("<H", b, opt)[0] == 0x20b else 96)
csum, cert = opt + 64, dirs + 32
headers, = struct.unpack_from("<I", b, opt + 60)
_, certsize = struct.unpack_from("<II", b, cert)
h = hashlib.sha256(); h.update(b[:csum]); h.update(b[csum + 4:cert]); h.update(b[cert + 8:headers])
hashed = headers
for size, ptr in sorted((struct.unpack_from("<II", b, opt + optsz + 40 * i + 16) for i in range(n)), key=lambda s: s[1]):
    if size:
        h.update(b[ptr:ptr + size]); hashed += size
if len(b) > hashed:
    h.update(b[hashed:len(b) - certsize])
print(h.hexdigest())
PY
}
# signed_digest FILE: the digest the signature carries (osslsigncode reads it from the PKCS#7)
signed_digest() { osslsigncode verify -in "$1" 2>&1 | awk '/Current message digest/ {print tolower($NF); exit}'; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/db.key" -out "$W/db.crt" -days 2 \
  -subj "/CN=lugate test signing key/" >/dev/null 2>&1 || { echo "not ok - openssl: a test signing key"; exit 1; }
"$L" handoff build --devices examples/devices.json -o "$W/t.bin" >/dev/null &&
  "$L" manifest build "$MJSON" -o "$W/m.bin" >/dev/null || { echo "not ok - fixtures: table and manifest"; exit 1; }

# ---- Debian's signature, and a trailer after it ----------------------------------------------------
is "Debian's vmlinuz: its signature's digest is the image's Authenticode digest" "$(signed_digest "$K")" "$(authenticode "$K")"
osslsigncode verify -in "$K" 2>&1 | grep -q 'Debian Secure Boot Signer' &&
  echo "ok - Debian's vmlinuz: signed by Debian's Secure Boot signer" || echo "not ok - Debian's vmlinuz: no Debian signer found"
expect "sign-then-stamp: embed Debian's signed vmlinuz (trailer)" 0 "$L" embed --manifest "$MJSON" "$K" -o "$W/debian-stamped.img"
expect_out "carrier: trailer"
osslsigncode verify -in "$W/debian-stamped.img" >"$W/v.out" 2>&1
grep -q 'Ignoring PE signature not at the end of the file' "$W/v.out" &&
  echo "ok - sign-then-stamp: the signature no longer ends the file (osslsigncode ignores it): the documented limit" ||
  { echo "not ok - sign-then-stamp: osslsigncode still accepts the signature"; sed 's/^/# /' "$W/v.out" | head -3; }
[ "$(authenticode "$W/debian-stamped.img")" != "$(signed_digest "$K")" ] &&
  echo "ok - sign-then-stamp: verify_pefile's digest of the stamped file differs from the signed one" ||
  echo "not ok - sign-then-stamp: the stamped file still hashes to the signed digest"

# ---- stamp, then sign (sbsign) ----------------------------------------------------------------------
osslsigncode remove-signature -in "$K" -out "$W/unsigned.img" >/dev/null 2>&1 &&
  [ -z "$(osslsigncode verify -in "$W/unsigned.img" 2>&1 | grep 'Current message digest')" ] &&
  echo "ok - Debian's vmlinuz without its signature (osslsigncode remove-signature)" || echo "not ok - removing Debian's signature"
expect "stamp-then-sign: embed the unsigned kernel" 0 "$L" embed --manifest "$MJSON" "$W/unsigned.img" -o "$W/stamped.img"
sbsign --key "$W/db.key" --cert "$W/db.crt" --output "$W/signed.img" "$W/stamped.img" >"$W/sbsign.out" 2>&1 &&
  echo "ok - stamp-then-sign: sbsign signs the stamped kernel" || { echo "not ok - sbsign failed"; sed 's/^/# /' "$W/sbsign.out" | head -3; }
sbverify --cert "$W/db.crt" "$W/signed.img" >"$W/sbv.out" 2>&1 && echo "ok - stamp-then-sign: sbverify accepts the signature" ||
  { echo "not ok - stamp-then-sign: sbverify rejects it"; sed 's/^/# /' "$W/sbv.out" | head -3; }
osslsigncode verify -CAfile "$W/db.crt" -in "$W/signed.img" >"$W/ov.out" 2>&1 && echo "ok - stamp-then-sign: osslsigncode accepts the signature" ||
  { echo "not ok - stamp-then-sign: osslsigncode rejects it"; grep -iE 'digest|error|fail' "$W/ov.out" | sed 's/^/# /' | head -4; }
is "stamp-then-sign: the signed digest is verify_pefile's digest (covers the trailer)" "$(signed_digest "$W/signed.img")" "$(authenticode "$W/signed.img")"
# sbsign rewrites two header fields (CheckSum, the certificate directory entry) and appends
python3 - "$W/stamped.img" "$W/signed.img" >"$W/same" <<'PY'
import struct, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
pe = struct.unpack_from("<I", a, 0x3c)[0]; opt = pe + 24
skip = set(range(opt + 64, opt + 68)) | set(range(opt + 144, opt + 152))
same = len(b) > len(a) and all(a[i] == b[i] for i in range(0x200) if i not in skip) and a[0x200:] == b[0x200:len(a)]
print("same" if same else "changed")
PY
is "stamp-then-sign: sbsign changed only CheckSum and the certificate directory before its table" "$(cat "$W/same")" same
expect "stamp-then-sign: inspect" 0 "$L" inspect --json "$W/signed.img"
cp "$OUT" "$W/signed.json"
is "stamp-then-sign: lugate finds the trailer before the certificate table" \
  "$(jget "$W/signed.json" manifest_carrier) $(jget "$W/signed.json" manifest.release)" "trailer 6.1.0-56-amd64"
is "stamp-then-sign: image_size is the unsigned kernel's" "$(jget "$W/signed.json" image_size)" "$(size_of "$W/unsigned.img")"
is "stamp-then-sign: sha256 of the whole signed file" "$(jget "$W/signed.json" sha256)" "$(sha256sum "$W/signed.img" | cut -d' ' -f1)"
expect "stamp-then-sign: check --kernel allows it" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/signed.img"
expect "stamp-then-sign: seal it" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/signed.img" -o "$W/sealed.bin"
expect "stamp-then-sign: the sealed table allows the signed file" 0 "$L" check --handoff "$W/sealed.bin" --kernel "$W/signed.img"
expect "stamp-then-sign: ...and refuses the same kernel unsigned (image-mismatch)" 1 "$L" check --handoff "$W/sealed.bin" --kernel "$W/stamped.img" --json
expect_out '"code": "image-mismatch"'
expect "stamp-then-sign: stamping again is refused" 2 "$L" embed --manifest "$MJSON" "$W/signed.img" -o "$W/x.img"
expect_err_line "already stamped"
expect "stamp-then-sign: --replace is refused (it would drop the signature)" 2 "$L" embed --replace --manifest "$MJSON" "$W/signed.img" -o "$W/x.img"
expect_err_line "signed after it was stamped"
[ ! -e "$W/x.img" ] && echo "ok - stamp-then-sign: the refusals wrote nothing" || echo "not ok - a refused embed wrote $W/x.img"
# one manifest byte changed: the signature and lugate's frame check both notice
mat=$(( $(size_of "$W/unsigned.img") + (8 - $(size_of "$W/unsigned.img") % 8) % 8 + 100 ))
cp "$W/signed.img" "$W/tampered.img"
printf '\x5a' | dd of="$W/tampered.img" bs=1 seek="$mat" conv=notrunc 2>/dev/null
sbverify --cert "$W/db.crt" "$W/tampered.img" >/dev/null 2>&1 && echo "not ok - tampered manifest: sbverify still accepts" ||
  echo "ok - tampered manifest: sbverify rejects the signature"
expect "tampered manifest: check --kernel refuses to read it (exit 2)" 2 "$L" check --handoff "$W/t.bin" --kernel "$W/tampered.img"
expect_err_line "manifest is corrupt"

# ---- a UKI: stamp (.lugate), then sign -------------------------------------------------------------
build_uki() { # build_uki OUT KERNEL: objcopy sections after the stub's, at SectionAlignment VMAs
  local out=$1 kernel=$2 align end off f args=()
  align=$((16#$(objdump -p "$STUB" | awk '$1 == "SectionAlignment" {print $2}')))
  end=$(objdump -h "$STUB" | awk 'NF == 7 && $1 ~ /^[0-9]+$/ {s = $3; v = $4} END {print s, v}')
  off=$(( 16#${end% *} + 16#${end#* } ))
  printf 'ID=debian\nVERSION_ID="12"\n' >"$W/osrel"; printf '6.1.0-56-amd64\n' >"$W/uname"
  for s in osrel uname linux; do
    f=$W/$s; [ $s = linux ] && f=$kernel
    off=$(( (off + align - 1) / align * align ))
    args+=(--add-section ".$s=$f" --change-section-vma ".$s=$(printf 0x%x $off)")
    off=$(( off + $(size_of "$f") ))
  done
  objcopy "${args[@]}" "$STUB" "$out"
}
build_uki "$W/uki.efi" "$W/unsigned.img" && echo "ok - UKI from the unsigned Debian kernel (objcopy, systemd's stub)" || echo "not ok - UKI: objcopy"
expect "UKI: embed (.lugate)" 0 "$L" embed --manifest "$MJSON" "$W/uki.efi" -o "$W/uki-s.efi"
expect_out "carrier: pe-section"
sbsign --key "$W/db.key" --cert "$W/db.crt" --output "$W/uki-signed.efi" "$W/uki-s.efi" >/dev/null 2>&1 &&
  sbverify --cert "$W/db.crt" "$W/uki-signed.efi" >/dev/null 2>&1 && echo "ok - UKI stamp-then-sign: sbverify accepts the signature" ||
  echo "not ok - UKI stamp-then-sign: sbsign/sbverify failed"
is "UKI stamp-then-sign: the signed digest is verify_pefile's digest (covers .lugate)" "$(signed_digest "$W/uki-signed.efi")" "$(authenticode "$W/uki-signed.efi")"
expect "UKI stamp-then-sign: inspect" 0 "$L" inspect --json "$W/uki-signed.efi"
cp "$OUT" "$W/uki-signed.json"
is "UKI stamp-then-sign: lugate reads the .lugate section" \
  "$(jget "$W/uki-signed.json" manifest_carrier) $(jget "$W/uki-signed.json" manifest.release)" "pe-section 6.1.0-56-amd64"
expect "UKI stamp-then-sign: check --kernel allows it" 0 "$L" check --handoff "$W/t.bin" --kernel "$W/uki-signed.efi"
sbsign --key "$W/db.key" --cert "$W/db.crt" --output "$W/uki-signed-only.efi" "$W/uki.efi" >/dev/null 2>&1
expect "UKI sign-then-stamp: embed refuses a signed UKI" 2 "$L" embed --manifest "$MJSON" "$W/uki-signed-only.efi" -o "$W/x.efi"
expect_err_line "signed"
