#!/usr/bin/env bash
# Fetch what the arm64 e2e suite boots, from Debian's arm64 packages, and print its path
# (cached under $LUGATE_KERNEL_CACHE/arm64, default build/kernels/arm64):
#   scripts/debian-arm64.sh image      the Image of linux-image-arm64's current 6.1 kernel
#                                      (its vmlinuz is the Image itself; a gzip-compressed one
#                                      is decompressed)
#   scripts/debian-arm64.sh busybox    busybox-static's static arm64 busybox
#   scripts/debian-arm64.sh kexec      a directory holding kexec-tools' arm64 /sbin/kexec and the
#                                      libraries it loads (libc, zlib, and the Xen control
#                                      libraries Debian links it with), to copy into a guest
#   scripts/debian-arm64.sh sysroot    a directory holding the arm64 headers and static libraries
#                                      the CLI links (libfdt, json-c, zlib, xz, zstd, lz4, bzip2),
#                                      for a static cross build of `lugate` (mk/31-tools-arm64.mk)
# Why a private apt configuration: the machine's apt knows amd64 only, and adding an
# architecture would change the system. The mirrors are the ones the machine's apt sources name
# (read at run time, never written into the repository); the lists live under build/apt-arm64/,
# shared with scripts/debian-file.sh under one lock (scripts/lib/apt-sources.sh, apt_private).
# Exit 2 with a one-line error if a package cannot be had.
set -euo pipefail
what=${1:?usage: debian-arm64.sh image|busybox|kexec|sysroot}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
cache=${LUGATE_KERNEL_CACHE:-$build/kernels}/arm64
die() { echo "debian-arm64.sh: $*" >&2; exit 2; }

case "$what" in
  image) out=$cache/Image-6.1-arm64 ;;
  busybox) out=$cache/busybox ;;
  kexec) out=$cache/kexec-root ;;
  sysroot) out=$cache/sysroot ;;
  *) die "unknown item '$what' (image|busybox|kexec|sysroot)" ;;
esac
[ -s "$out" ] || [ -x "$out/sbin/kexec" ] || [ -s "$out/complete" ] && { echo "$out"; exit 0; }
mkdir -p "$cache"

# shellcheck source=scripts/lib/apt-sources.sh
. "$top/scripts/lib/apt-sources.sh"
apt_private arm64
if [ ! -s "$aptdir/updated" ]; then
  apt-get "${APT_OPTS[@]}" -qq update >"$aptdir/update.log" 2>&1 || die "apt-get update failed (see $aptdir/update.log)"
  date -u >"$aptdir/updated"
fi

work=$(mktemp -d "$cache/.dl.XXXXXX"); trap 'rm -rf "$work"' EXIT
download() { (cd "$work" && apt-get "${APT_OPTS[@]}" -qq download "$1:arm64") >"$work/dl.log" 2>&1 ||
  die "apt-get download $1:arm64 failed: $(tail -1 "$work/dl.log")"; }
case "$what" in
  image)
    pkg=$(apt-cache "${APT_OPTS[@]}" depends linux-image-arm64 2>/dev/null |
          awk '/Depends: linux-image-6\.1\.[0-9.]+-[0-9]+-arm64/ { print $2; exit }')
    pkg=${pkg%:arm64}
    [ -n "$pkg" ] || die "linux-image-arm64 names no 6.1 kernel package"
    download "$pkg"
    dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
    if gzip -t "$work"/boot/vmlinuz-* 2>/dev/null; then gzip -dc "$work"/boot/vmlinuz-* >"$work/Image"
    else mv "$work"/boot/vmlinuz-* "$work/Image"; fi
    [ "$(od -An -tx1 -j56 -N4 "$work/Image" | tr -d ' ')" = 41524d64 ] || die "$pkg's Image has no ARM\\x64 magic"
    mv "$work/Image" "$out" ;;
  busybox)
    download busybox-static
    dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" ./bin/busybox
    mv "$work/bin/busybox" "$out" ;;
  kexec)
    # kexec's NEEDED closure: libxenctrl (libxenmisc4.17) and the libraries it loads
    for p in kexec-tools libc6 zlib1g libxenmisc4.17 libxentoollog1 libxencall1 libxenevtchn1 \
             libxengnttab1 libxenforeignmemory1 libxendevicemodel1 libxentoolcore1; do download "$p"; done
    mkdir -p "$work/root"
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
    rm -rf "$work/root/usr/lib/aarch64-linux-gnu/gconv" "$work/root/usr/share" "$work/root/usr/lib/xen"
    [ -x "$work/root/sbin/kexec" ] || die "kexec-tools:arm64 has no /sbin/kexec"
    mv "$work/root" "$out" ;;
  sysroot)
    for p in libfdt-dev libjson-c-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev; do download "$p"; done
    mkdir -p "$work/root"
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
    lib=$work/root/usr/lib/aarch64-linux-gnu
    for a in fdt json-c z lzma zstd lz4 bz2; do
      [ -s "$lib/lib$a.a" ] || die "the arm64 -dev packages hold no static lib$a.a"
    done
    rm -rf "$work/root/usr/share"
    ls "$work"/*.deb | xargs -n1 basename >"$work/root/complete"
    rm -rf "$out" && mv "$work/root" "$out" ;;
esac
echo "$out"
