#!/bin/busybox sh
# shellcheck shell=dash
# /init of tests/e2e-arm64/kho-arm64.sh, in both kernels of a case. Stage 1 (the initramfs
# carries /bundle.bin): stage 1 of upstream's luo_kexec_simple and luo_multi_session (each leaves
# a child holding its sessions), then kexec_file_load of lugate's loader.arm64 with the bundle as
# its initrd, and the jump. Stage 2 (the kernel the loader booted): stage 2 of both tests, and
# what came in (KHO, the lugate node and property). Every result is one "KHO64-" line.
/bin/busybox mkdir -p /proc /sys /dev /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
stage=2
[ -e /bundle.bin ] && stage=1
say() { echo "KHO64-STAGE$stage $*"; }
say "kernel=$(uname -r) kho_in=$([ -e /sys/kernel/debug/kho/in ] && echo yes || echo no)"
for t in luo_kexec_simple luo_multi_session; do
  /bin/$t -s $stage
  say "$t rc=$?"
done
if [ $stage = 1 ]; then
  /bin/kexec-file /loader.arm64 /bundle.bin
  say "kexec-file rc=$?"
  dmesg | tail -5 | sed "s/^/KHO64-STAGE1 dmesg: /"
else
  dt=/proc/device-tree
  [ -e $dt/chosen/lugate,handoff ] && say "chosen lugate,handoff present"
  for n in $dt/reserved-memory/lugate-handoff@*; do
    [ -e "$n/compatible" ] && say "node ${n##*/} compatible $(tr -d '\0' <"$n/compatible")"
  done
  [ -e $dt/chosen/linux,kho-fdt ] && say "chosen linux,kho-fdt present"
fi
say "done"
poweroff -f
