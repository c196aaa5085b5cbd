#!/usr/bin/env bash
# Fetch a real Debian kernel image and print the path of its vmlinuz (cached under build/kernels/).
# Usage: scripts/debian-kernel.sh PACKAGE-SUFFIX [ARCH]  e.g. 6.1.0-56-amd64, 6.1.0-55-cloud-amd64,
#        or 6.1.0-50-arm64 arm64 (ARCH: the package's architecture; default the machine's)
# Uses the machine's configured apt sources (apt-get download); changes no system configuration.
# Another architecture's kernel comes through a private apt configuration (scripts/debian-file.sh).
# Exit 2 with a one-line error if the package cannot be had: tests that need it must then fail.
set -euo pipefail
rel=${1:?usage: debian-kernel.sh RELEASE [ARCH] (e.g. 6.1.0-56-amd64)}
arch=${2:-$(dpkg --print-architecture)}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
cache=${LUGATE_KERNEL_CACHE:-$build/kernels}
out=$cache/vmlinuz-$rel
[ -s "$out" ] && { echo "$out"; exit 0; }
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  exec "$top/scripts/debian-file.sh" "$arch" "linux-image-$rel" "./boot/vmlinuz-$rel" "$out"
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.dl.XXXXXX"); trap 'rm -rf "$work"' EXIT
pkg=linux-image-$rel
if ! (cd "$work" && apt-get download "$pkg" >/dev/null 2>"$work/err"); then
  # the package lists may be stale or absent on a fresh machine: refresh once and retry
  apt-get update -qq >/dev/null 2>&1 || true
  (cd "$work" && apt-get download "$pkg" >/dev/null 2>"$work/err") || {
    echo "debian-kernel.sh: cannot download $pkg: $(tail -1 "$work/err")" >&2; exit 2; }
fi
deb=$(ls "$work"/*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./boot/vmlinuz-"$rel"
# One rename from the private directory: two suites fetching the same kernel at once both
# succeed, and neither ever sees a partial file.
mv "$work/boot/vmlinuz-$rel" "$out"
echo "$out"
