#!/usr/bin/env bash
# Capture the LUO state a real 7.3 kernel serializes at reboot, as vectors for the reader's unit
# tests and fuzz seeds (tests/unit/test_luo.c, tests/fuzz/fuzz_luo.c). Run by hand when the
# kernel or the scenario changes; the vectors are committed (our own measurements).
#
# The KHO+LUO kernel (scripts/kho-kernel.sh) boots under QEMU TCG with `kho=on liveupdate=on`;
# its /init preserves memfds through /dev/liveupdate in three sessions (nested luo-memfd
# preserves, each holding its session while the next runs):
#   "lugate-e2e"     2 files, tokens 0x6c75676174650001..02
#   "vm-guest-ram"  70 files, tokens 0x1000..0x1045 (more than a block's 63: two linked blocks)
#   "idle"           no file
# then `kexec -s` loads lugate's loader with lugate.luo_dump=1 and no bundle, and jumps. The
# reboot freezes the sessions (the handler strings are written then); the loader hex-dumps the
# KHO FDT and every range its LUO reader reads, then stops (no target) and QEMU exits.
# capture.py turns the log into tests/unit/luo/real-7.3-sessions.bin. A second run preserves
# nothing (LUO on, no session): real-7.3-empty.bin.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
cd "$top"
: "${E2E_TIMEOUT:=300}"
export E2E_TIMEOUT
make -s --no-print-directory "$E2E_BUILD/loader.bzImage" "$E2E_BUILD/e2e/luo-memfd" >&2
kernel=$(e2e_kho_kernel)
work=$(e2e_workdir luo-capture)

cat >"$work/capture-kexec" <<'SH'
#!/bin/busybox sh
/sbin/kexec -s -l /boot/loader.bzImage --append="console=ttyS0 lugate.vga=0 lugate.luo_dump=1 lugate.stop=reboot:0" ||
  { echo "CAPTURE-KEXEC-LOAD-FAILED"; exit 1; }
echo "CAPTURE-KEXEC-LOADED"
/sbin/kexec -e
exit 1
SH

capture() {  # capture NAME INIT-BODY
  local name=$1 body=$2 d=$work/$1 log=$work/$1.log
  e2e_initramfs_new "$d"
  e2e_initramfs_add "$d" "$E2E_BUILD/e2e/luo-memfd" bin/luo-memfd 0755
  e2e_initramfs_add "$d" "$work/capture-kexec" bin/capture-kexec 0755
  e2e_initramfs_add "$d" "$E2E_BUILD/loader.bzImage" boot/loader.bzImage
  e2e_initramfs_add_kexec "$d"
  echo "$body" | e2e_initramfs_init "$d"
  e2e_initramfs_pack "$d" "$work/$name.cpio.gz"
  e2e_qemu "$log" "$kernel" "$work/$name.cpio.gz" "console=ttyS0 panic=-1 kho=on liveupdate=on" || true
  grep -q "lugate-loader: luo-dump fdt" "$log" || { e2e_log_tail "$log" 40; echo "capture: $name: no dump in $log" >&2; exit 1; }
  python3 "$here/capture.py" "$log" "$here/real-7.3-$name.bin"
  tr -d '\r' <"$log" | grep -E '^lugate-loader: (LUO|KHO):' | sed 's/^/  /'
}

capture sessions '/bin/luo-memfd preserve --session lugate-e2e --files 2 --size 8197 -- /bin/luo-memfd preserve --session vm-guest-ram --files 70 --token 0x1000 --size 4097 -- /bin/luo-memfd preserve --session idle --files 0 -- /bin/capture-kexec'
capture empty '/bin/capture-kexec'
