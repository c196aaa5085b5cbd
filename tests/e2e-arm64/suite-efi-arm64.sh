#!/usr/bin/env bash
# build/lugate-aa64.efi (docs/loader.md, "lugate.efi on aarch64") boots Debian's real arm64 6.1
# kernel under QEMU virt (-cpu max, TCG) with AAVMF (qemu-efi-aarch64), removable-media boot of
# \EFI\BOOT\BOOTAA64.EFI from a vvfat ESP: the x86 EFI suite's helpers (tests/e2e/efi/lib-efi.sh)
# with this machine in efi_qemu. The app loads the kernel's EFI stub through LoadImage/StartImage.
#
# Target and fallback are the same Debian kernel (6.1.0-56-arm64, scripts/debian-kernel.sh), the
# target stamped with its manifest (`lugate embed`), so the app's log and the delivery record's
# "booted" field tell them apart. The guest (guest-efi-arm64.sh, a static arm64 busybox) finds
# the record through the EFI configuration table and prints its words; the suite compares them
# with the record it expects and the table it sealed.
#
# Cases, as the x86 app's: allowed (the target boots, table byte-exact); changed (the target
# changed after sealing: image-mismatch, the fallback boots, table marked refused); corrupt (a
# corrupt table and no fallback: back to the firmware with Security Violation, no kernel run).
# Nothing is skipped: a missing tool, package or build fails every case loudly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# AAVMF + Debian's arm64 kernel under TCG: about a minute per case on an idle machine.
: "${E2E_TIMEOUT:=300}"
: "${AAVMF_CODE:=/usr/share/AAVMF/AAVMF_CODE.fd}"
: "${AAVMF_VARS:=/usr/share/AAVMF/AAVMF_VARS.fd}"
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/e2e/loader/lib-loader.sh
. "$here/../e2e/loader/lib-loader.sh"
EFI_APP=$E2E_BUILD/lugate-aa64.efi EFI_BOOT_FILE=BOOTAA64.EFI EFI_FW_VARS=$AAVMF_VARS
# shellcheck source=tests/e2e/efi/lib-efi.sh
. "$here/../e2e/efi/lib-efi.sh"
cd "$LUGATE_TOP" || exit 1

LUGATE=$E2E_BUILD/lugate
REL=6.1.0-56-arm64
CASES="allowed changed corrupt"
# efi=novamap: the guest reads the system table's pointers as physical addresses (guest-efi-arm64.sh)
BASE_CMDLINE="console=ttyAMA0 panic=-1 efi=novamap"

abort() {
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

# pauth-impdef: the guest still has pointer authentication, with QEMU's cheap algorithm instead
# of QARMA5, whose emulation under TCG dominates a Debian kernel's boot time
efi_qemu() {  # the aarch64 machine for lib-efi.sh's efi_boot: VARS ESP SERIAL
  timeout --kill-after=5 "$E2E_TIMEOUT" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -accel tcg -m "$E2E_MEM" \
    -drive if=pflash,format=raw,unit=0,readonly=on,file="$AAVMF_CODE" \
    -drive if=pflash,format=raw,unit=1,file="$1" \
    -drive if=none,id=esp,file=fat:rw:"$2",format=raw -device virtio-blk-device,drive=esp \
    -display none -monitor none -net none -no-reboot -serial "file:$3"
}

# ---- prerequisites ----------------------------------------------------------------------------
e2e_need qemu-system-aarch64 timeout cpio gzip bc python3 sha256sum aarch64-linux-gnu-objdump ||
  abort "tools missing (scripts/deps.sh arm64, e2e)"
for f in "$AAVMF_CODE" "$AAVMF_VARS"; do [ -s "$f" ] || abort "AAVMF firmware $f missing (install qemu-efi-aarch64)"; done
if [ ! -s "$EFI_APP" ]; then
  scripts/gnu-efi-arm64.sh >&2 || abort "GNU-EFI for aarch64 unavailable (scripts/gnu-efi-arm64.sh)"
  make -s --no-print-directory "${EFI_APP#"$LUGATE_TOP"/}" >&2 || abort "cannot build $EFI_APP"
fi
[ -s "$LUGATE" ] || make -s --no-print-directory "${LUGATE#"$LUGATE_TOP"/}" >&2 || abort "cannot build $LUGATE"
kernel=$(scripts/debian-kernel.sh "$REL" arm64) || abort "Debian kernel $REL (arm64) unavailable"
busybox=$(scripts/debian-arm64.sh busybox) || abort "busybox-static:arm64 unavailable"
W=$(e2e_workdir efi-arm64) || abort "no work directory"
tap_ok "lugate-aa64.efi $(stat -c %s "$EFI_APP") bytes; Debian kernel $REL"

if aarch64-linux-gnu-objdump -x "$EFI_APP" 2>/dev/null | grep -q 'file format pei-aarch64-little' &&
   aarch64-linux-gnu-objdump -x "$EFI_APP" | grep -qE 'Subsystem[[:space:]]+0000000a'; then
  tap_ok "build/lugate-aa64.efi is a PE32+ aarch64 EFI application (subsystem 10)"
else
  tap_not_ok "build/lugate-aa64.efi is a PE32+ aarch64 EFI application" "$(aarch64-linux-gnu-objdump -f "$EFI_APP" 2>&1 | tail -2 | tr '\n' ' ')"
fi

# ---- guest, images, tables (the real CLI) -------------------------------------------------------
mkdir -p "$W/ir/bin" "$W/ir/proc" "$W/ir/sys" "$W/ir/dev" "$W/ir/tmp" && cp "$busybox" "$W/ir/bin/busybox" &&
  chmod 755 "$W/ir/bin/busybox" && e2e_initramfs_init "$W/ir" <"$here/guest-efi-arm64.sh" &&
  e2e_initramfs_pack "$W/ir" "$W/initrd.gz" || abort "cannot build the guest initramfs"
cat >"$W/devices.json" <<JSON
{"release": "$REL", "devices": [{"address": "0000:00:02.0", "vendor": "0x1af4", "device": "0x1041",
 "class": "0x020000", "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "schema_version": 2, "driver": "virtio-pci"}]}
JSON
cat >"$W/target.json" <<JSON
{"release": "$REL", "schemas": [{"guid": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "min_version": 1, "max_version": 3}]}
JSON
{ "$LUGATE" handoff build --devices "$W/devices.json" -o "$W/table.bin" &&
  "$LUGATE" embed --manifest "$W/target.json" "$kernel" -o "$W/target.img" &&
  cp "$kernel" "$W/fallback.img" &&
  "$LUGATE" seal --handoff "$W/table.bin" --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/sealed.bin"; } >&2 ||
  abort "the CLI could not make the images and the sealed table"
cp "$W/target.img" "$W/changed.img" &&
  printf '\x5a' | dd of="$W/changed.img" bs=1 seek=$((16 << 20)) conv=notrunc status=none &&
  cp "$W/sealed.bin" "$W/corrupt.bin" &&
  printf '\xff' | dd of="$W/corrupt.bin" bs=1 seek=100 conv=notrunc status=none || abort "cannot make the changed image or the corrupt table"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# esp_with NAME KERNEL TABLE [fallback]: the case's ESP and its \lugate\lugate.conf
esp_with() {
  local esp=$W/$1/esp
  efi_esp "$esp" && cp "$2" "$esp/lugate/vmlinuz" && cp "$3" "$esp/lugate/table.bin" &&
    cp "$W/initrd.gz" "$esp/lugate/initrd.gz" &&
    printf 'kernel = vmlinuz\ninitrd = initrd.gz\ntable = table.bin\ncmdline = %s\n' "$BASE_CMDLINE" \
      >"$esp/lugate/lugate.conf" || return 1
  [ "${4:-}" != fallback ] ||
    { cp "$W/fallback.img" "$esp/lugate/fallback" && printf 'fallback = fallback\nfallback-initrd = initrd.gz\n' >>"$esp/lugate/lugate.conf"; }
}

# expect_record VERDICT BOOTED TABLE: the guest's words are a LUGDELIV record with this verdict
# and booted field, followed by TABLE byte for byte, at the address the app logged, in a
# "reserved" range of /proc/iomem
expect_record() {
  local got logged
  got=$(grep -a '^LUGATE-E2E-REC' "$CASE_LOG" | python3 -c '
import hashlib, struct, sys
words = [w for l in sys.stdin for w in l.split()[1:] if w.startswith("0x")]
b = b"".join(struct.pack("<Q", int(w, 16)) for w in words)
if len(b) < 200 or b[:8] != b"LUGDELIV":
    print("no-record"); sys.exit()
v, bt, ts = struct.unpack_from("<I", b, 16)[0], struct.unpack_from("<I", b, 20)[0], struct.unpack_from("<I", b, 28)[0]
print(v, bt, ts, hashlib.sha256(b[200:200 + ts]).hexdigest() if len(b) >= 200 + ts else "short")')
  if [ "$got" = "$1 $2 $(stat -c %s "$3") $(sha "$3")" ]; then
    case_ok "the record through the configuration table: verdict $1, booted $2, the table byte-exact"
  else
    case_not_ok "the record through the configuration table" "got '$got', want '$1 $2 $(stat -c %s "$3") $(sha "$3")'"
  fi
  logged=$(sed -n 's/.*delivery record (EfiReservedMemoryType.* at \[0x\([0-9a-f]*\)-.*/\1/p' "$CASE_LOG" | tail -1)
  if [ -n "$logged" ] && [ "$(guest_field record)" = "$(printf '0x%016X' "0x$logged")" ]; then
    case_ok "the configuration table points at the record the app logged (0x$logged)"
  else
    case_not_ok "the configuration table points at the record the app logged" "logged 0x$logged, guest $(guest_field record)"
  fi
  expect_guest iomem reserved "the record's range is reserved memory to the kernel"
}

# ---- allowed ----------------------------------------------------------------------------------
case_begin "case allowed (sealed target boots)"
esp_with allowed "$W/target.img" "$W/sealed.bin" fallback || case_not_ok "make the ESP"
efi_boot allowed "$W/allowed/esp"
expect_rc 0 "the guest powered off"
expect_log "lugate-efi: configuration \\lugate\\lugate.conf: " "the app read \\lugate\\lugate.conf from the ESP"
expect_log "target: arm64 Image, release $REL, manifest" "the app read the target's arm64 header and manifest"
expect_log "lugate-efi: verdict: ALLOW $REL -> $REL" "the app allowed the target"
expect_log "lugate-efi: starting the kernel's EFI stub (StartImage)" "the app started the kernel through StartImage"
expect_no_log "booting the FALLBACK" "the fallback was not booted"
expect_no_log "$EFI_BACK_MARKER" "the firmware never got control back"
expect_guest kernel "$REL" "the Debian arm64 kernel booted"
expect_log "LUGATE-E2E-REC-END" "the guest read the record to its end"
expect_record 1 1 "$W/sealed.bin"
efi_case_end

# ---- changed after sealing -> fallback ----------------------------------------------------------
case_begin "case changed (target changed after sealing -> fallback)"
esp_with changed "$W/changed.img" "$W/sealed.bin" fallback || case_not_ok "make the ESP"
efi_boot changed "$W/changed/esp"
expect_rc 0 "the fallback guest powered off"
expect_log "lugate-efi:   reason image-mismatch: " "the refusal names 'image-mismatch'"
expect_log "lugate-efi: fallback: matches the fallback hash sealed in the table" "the fallback matched its sealed hash"
expect_log "lugate-efi: booting the FALLBACK kernel, table delivered marked refused" "the app booted the fallback"
expect_no_log "booting the TARGET" "the changed target was never started"
expect_guest kernel "$REL" "the fallback kernel booted"
expect_record 2 2 "$W/sealed.bin"
efi_case_end

# ---- corrupt table, no fallback -> back to the firmware --------------------------------------------
case_begin "case corrupt (corrupt table, no fallback -> firmware)"
esp_with corrupt "$W/target.img" "$W/corrupt.bin" || case_not_ok "make the ESP"
efi_boot corrupt "$W/corrupt/esp"
expect_rc 0 "QEMU ended through the firmware's shell (reset -s)"
expect_log "lugate-efi:   reason table-corrupt: " "the refusal names 'table-corrupt'"
expect_log "lugate-efi: STOP: refused, and no fallback kernel was configured (fallback=) (nothing was booted; returning to the firmware with status Security Violation, 0x800000000000001a)" \
  "the app printed why it returns, and the status"
expect_log "$EFI_BACK_MARKER" "the firmware went on to its next boot option (shell, startup.nsh)"
expect_no_log "StartImage" "no kernel was started"
expect_no_log "Linux version" "no kernel ran"
efi_case_end

tap_finish
