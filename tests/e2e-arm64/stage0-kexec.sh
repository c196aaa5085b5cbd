#!/bin/busybox sh
# shellcheck shell=dash
# /init of the arm64 suite's "kexec" case: the outgoing kernel (Debian's arm64 6.1, booted by
# QEMU) loads build/loader.arm64 with the bundle as its initrd through kexec-tools and jumps.
# `kexec -l` (kexec_load), not `-s`: Debian's arm64 6.1 kernel is built without KEXEC_FILE and
# bookworm's kexec-tools 2.0.25 has no kexec_file_load on arm64.
/bin/busybox mkdir -p /proc /sys /dev /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "lugate-stage0: $(uname -r): kexec -l /loader.arm64 --initrd=/bundle.bin"
if /sbin/kexec -l /loader.arm64 --initrd=/bundle.bin --append=lugate; then
  echo "lugate-stage0: loaded"
  /sbin/kexec -e
fi
echo "lugate-stage0: kexec failed"
poweroff -f
