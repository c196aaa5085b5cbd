#!/usr/bin/env bash
# KHO/LUO baseline, without lugate in the middle: a memfd preserved through /dev/liveupdate in one
# kernel comes back byte-exact in the next one, reached by kexec_file_load (`kexec -s`).
#
# Guest: the KHO+LUO kernel from scripts/kho-kernel.sh (Debian linux-source-7.3, tinyconfig + KHO),
# booted under QEMU TCG with `kho=on liveupdate=on`, and a busybox initramfs carrying kexec-tools,
# build/e2e/luo-memfd, the same bzImage and the stage-2 initramfs.
#   stage 1: luo-memfd preserve → (child) kexec -s -l bzImage --initrd=stage2 → kexec -e
#   stage 2: luo-memfd kho-info (what arrived), luo-memfd verify (every byte, then FINISH)
# Run 2 is the negative control: stage 1 closes its session before the kexec, so stage 2 must fail
# to retrieve it — showing the PASS of run 1 really comes from LUO's preserved memory.
# Every assertion reads the serial log. Nothing is skipped: without a kernel or QEMU the suite
# reports "not ok" and exits 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
cd "$LUGATE_TOP" || exit 1

LUO_MEMFD=$E2E_BUILD/e2e/luo-memfd
BASE_APPEND="console=ttyS0 panic=-1 kho=on liveupdate=on"

abort() {  # abort REASON: report the failure and stop (later steps depend on this one)
  tap_not_ok "$1" "${2:-}"
  tap_finish
  exit 1
}

# ---- prerequisites --------------------------------------------------------------------------
e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc || abort "e2e tools present" "run scripts/deps.sh e2e"
if [ ! -x "$LUO_MEMFD" ]; then
  make -s --no-print-directory "$BUILD/e2e/luo-memfd" >&2 || abort "build luo-memfd"
fi
tap_check "luo-memfd checker accepts a clean copy and finds a flipped byte (host selftest)" \
  "$LUO_MEMFD" selftest

t0=$(date +%s)
kernel=$(e2e_kho_kernel) || abort "KHO+LUO kernel available (scripts/kho-kernel.sh)" "cannot build it"
kdir=$(dirname "$kernel")
kver=$(cat "$kdir/version")
tap_ok "KHO+LUO kernel $kver available ($(( $(date +%s) - t0 ))s): $kernel"
missing_cfg=""
for o in KEXEC_FILE KEXEC_HANDOVER KEXEC_HANDOVER_DEBUGFS LIVEUPDATE LIVEUPDATE_MEMFD; do
  grep -qx "CONFIG_$o=y" "$kdir/config" || missing_cfg="$missing_cfg CONFIG_$o"
done
if [ -z "$missing_cfg" ]; then tap_ok "kernel config has KEXEC_FILE, KEXEC_HANDOVER(_DEBUGFS), LIVEUPDATE(_MEMFD)"
else tap_not_ok "kernel config has the KHO/LUO options" "missing:$missing_cfg"; fi

# The compatible strings this kernel writes, from its own source tree: the assertions below then
# follow the kernel under test instead of a number frozen here.
ksrc=$(sed -n 's/^source=//p' "$kdir/stamp")
kho_compat=$(sed -n 's/^#define KHO_FDT_COMPATIBLE "\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/kexec_handover.h" 2>/dev/null)
luo_compat=$(sed -n 's/^#define LUO_ABI_COMPATIBLE[[:space:]]*"\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/luo.h" 2>/dev/null)
if [ -n "$kho_compat" ] && [ -n "$luo_compat" ]; then
  tap_ok "kernel source declares KHO compatible '$kho_compat' and LUO compatible '$luo_compat'"
else
  tap_not_ok "read KHO_FDT_COMPATIBLE / LUO_ABI_COMPATIBLE from $ksrc"
fi

# ---- initramfs images -------------------------------------------------------------------------
work=$(e2e_workdir kho-baseline) || abort "create work directory"

write_init() {  # the same /init serves both stages; e2e_stage=2 on the command line selects
  e2e_initramfs_init "$1" <<'BODY'
dmesg | grep -E 'KHO|luo|liveupdate' | sed 's/^/E2E-DMESG /'
case "$(arg e2e_stage)" in
  2)
    echo "E2E-KHO-IN: $(ls /sys/kernel/debug/kho/in 2>&1 | tr '\n' ' ')"
    /bin/luo-memfd kho-info in
    /bin/luo-memfd verify
    echo "E2E-STAGE2-RC=$?"
    ;;
  *)
    echo "E2E-KHO-OUT: $(ls /sys/kernel/debug/kho/out 2>&1 | tr '\n' ' ')"
    echo "E2E-KHO-SCRATCH phys=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_phys) len=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_len)"
    /bin/luo-memfd kho-info out
    next="console=ttyS0 panic=-1 kho=on liveupdate=on e2e_stage=2"
    drop=
    [ "$(arg e2e_control)" = drop-session ] && drop=--drop-session
    /bin/luo-memfd preserve $drop -- /bin/e2e-kexec "$next"
    echo "E2E-STAGE1-RC=$?"
    ;;
esac
BODY
}

build_images() {
  local s2=$work/stage2 s1=$work/stage1
  e2e_initramfs_new "$s2" &&
    e2e_initramfs_add "$s2" "$LUO_MEMFD" bin/luo-memfd 0755 &&
    write_init "$s2" &&
    e2e_initramfs_pack "$s2" "$work/stage2.cpio.gz" || return 1
  e2e_initramfs_new "$s1" &&
    e2e_initramfs_add "$s1" "$LUO_MEMFD" bin/luo-memfd 0755 &&
    write_init "$s1" &&
    e2e_initramfs_add_kexec "$s1" &&
    e2e_initramfs_add "$s1" "$kernel" boot/bzImage &&
    e2e_initramfs_add "$s1" "$work/stage2.cpio.gz" boot/stage2.cpio.gz || return 1
  # stage 1's kexec step: load the next kernel through kexec_file_load (the only path that
  # carries KHO), say so, then jump. Runs in luo-memfd's child, so the session stays held.
  cat >"$s1/bin/e2e-kexec" <<'KEXEC'
#!/bin/busybox sh
/sbin/kexec -s -l /boot/bzImage --initrd=/boot/stage2.cpio.gz --append="$1" || { echo "E2E-KEXEC-LOAD-FAILED"; exit 1; }
echo "E2E-KEXEC-LOADED"
/sbin/kexec -e
echo "E2E-KEXEC-EXEC-FAILED"
exit 1
KEXEC
  chmod 0755 "$s1/bin/e2e-kexec" &&
    e2e_initramfs_pack "$s1" "$work/stage1.cpio.gz"
}
build_images || abort "build stage-1 and stage-2 initramfs images"
tap_ok "initramfs images built (stage1 $(stat -c %s "$work/stage1.cpio.gz") B, stage2 $(stat -c %s "$work/stage2.cpio.gz") B)"

# ---- run 1: preserve, kexec, verify --------------------------------------------------------------
log=$work/run.log
e2e_qemu "$log" "$kernel" "$work/stage1.cpio.gz" "$BASE_APPEND"; rc=$?
echo "# run 1: QEMU rc=$rc in ${E2E_QEMU_SECONDS}s, log $log"
if [ "$rc" -eq 0 ]; then tap_ok "run 1: QEMU finished within ${E2E_TIMEOUT}s (${E2E_QEMU_SECONDS}s)"
else tap_not_ok "run 1: QEMU finished within ${E2E_TIMEOUT}s" "rc=$rc"; e2e_log_tail "$log"; fi

check_log() {  # check_log NAME TEXT: TAP line for "the serial log contains TEXT"
  if e2e_log_has "$log" "$2"; then tap_ok "$1"; else tap_not_ok "$1" "no '$2' in $log"; fi
}
check_log "run 1: first kernel has /dev/liveupdate and preserved the memfd" "LUO-MEMFD: preserved session="
check_log "run 1: kexec -s -l loaded the next kernel" "E2E-KEXEC-LOADED"
check_log "run 1: second kernel booted (stage 2)" "cmdline=console=ttyS0 panic=-1 kho=on liveupdate=on e2e_stage=2"
check_log "run 1: second kernel found the KHO data" "KHO: found kexec handover data"
check_log "run 1: second kernel's LUO retrieved the live update data" "luo: Retrieved live update data"
# debugfs's kho/out/fdt keeps the size the tree had at boot while the kernel keeps adding
# subnodes, so the first kernel may only see a prefix whose strings block (property names) is cut.
if e2e_log_has_re "$log" "^KHO-INFO out fdt (compatible|root-string-property\(name cut off, nameoff [0-9]+\))=$kho_compat\$"; then
  tap_ok "run 1: first kernel's outgoing KHO FDT root string property is '$kho_compat'"
else tap_not_ok "run 1: first kernel's outgoing KHO FDT root compatible is '$kho_compat'"; fi
check_log "run 1: first kernel's outgoing LUO blob carries '$luo_compat'" "KHO-INFO out subnode=LUO blob-compatible=$luo_compat"
check_log "run 1: incoming KHO FDT root compatible is '$kho_compat'" "KHO-INFO in fdt compatible=$kho_compat"
check_log "run 1: incoming KHO FDT has the LUO subnode" "KHO-INFO in subnode=LUO "
check_log "run 1: memfd retrieved, every byte matches, FINISH ok (PASS)" "LUO-MEMFD: PASS session="
if e2e_log_has "$log" "LUO-MEMFD: FAIL"; then
  tap_not_ok "run 1: no FAIL marker" "$(tr -d '\r' <"$log" | grep -m1 'LUO-MEMFD: FAIL')"
else tap_ok "run 1: no FAIL marker"; fi
if ! e2e_log_has "$log" "LUO-MEMFD: PASS"; then e2e_log_tail "$log" 30; fi

# ---- run 2: negative control, the session is closed before the kexec ---------------------------
log=$work/control.log
e2e_qemu "$log" "$kernel" "$work/stage1.cpio.gz" "$BASE_APPEND e2e_control=drop-session"; rc=$?
echo "# run 2: QEMU rc=$rc in ${E2E_QEMU_SECONDS}s, log $log"
check_log "control: the kexec still happened (stage 2 ran)" "E2E-STAGE2-RC="
check_log "control: stage 2 cannot retrieve the dropped session (FAIL marker)" "LUO-MEMFD: FAIL RETRIEVE_SESSION"
if e2e_log_has "$log" "LUO-MEMFD: PASS"; then tap_not_ok "control: no PASS without a preserved session"
else tap_ok "control: no PASS without a preserved session"; fi

tap_finish
