#!/usr/bin/env bash
# Build (once, cached) a small Debian 12 (bookworm) root file system with systemd and kexec-tools
# from Debian's packages, and print the path of it as a gzip-compressed newc cpio archive: the
# kernel unpacks it as its initramfs and, with no /etc/initrd-release in it, systemd runs it as
# the real root (no disk, no kernel modules, no initramfs generator needed).
#
# Usage: scripts/debian-rootfs.sh [--refresh] [--managed-node]
#   Prints build/debian-rootfs/rootfs.cpio.gz. Next to it: packages (what dpkg installed, with
#   versions), seconds (how long the build took) and stamp (what the cache is keyed by).
#   --refresh       build again even if the cache matches (a newer point release of a package).
#   --managed-node  a host Ansible can manage over SSH (tests/fleet): the same image plus
#                   MANAGED_NODE_PACKAGES, cached apart in build/debian-rootfs-managed-node/.
#                   No key is in it: the test that boots it adds its own authorized_keys.
# Exit codes: 0 ok, 2 something needed is unavailable (one-line error on stderr), 64 bad usage.
#
# lugate is not in the image: it changes with every commit, the image should not. The test
# that boots the image appends a second cpio archive holding a `make install`ed lugate (the
# kernel unpacks concatenated archives in order), so this cache survives lugate's changes.
#
# Mirror: the URI of the machine's bookworm entry, read from its apt sources at run time (never
# written into the repository). mmdebstrap writes its own apt configuration inside the new root;
# the system's apt configuration and state are untouched. mmdebstrap's root mode needs root.
#
# Cache: stamp holds a hash of the package list and of this script; when it matches, the script
# returns at once.
set -euo pipefail

SUITE=bookworm
# systemd as init (systemd-sysv: /sbin/init), kexec-tools, and the libraries lugate links
# (libfdt, json-c, zlib, xz, zstd, lz4, bzip2). No recommends: no udev, no dbus.
PACKAGES=(systemd systemd-sysv kexec-tools libfdt1 libjson-c5 zlib1g liblzma5 libzstd1 liblz4-1 libbz2-1.0)
# A managed node: sshd (its postinst makes the host keys and enables ssh.service), Python for
# Ansible's modules, and ip and insmod to bring up a NIC whose driver the test supplies.
MANAGED_NODE_PACKAGES=(openssh-server python3 iproute2 kmod)

me=debian-rootfs.sh
die() { echo "$me: $*" >&2; exit 2; }

refresh=0 variant=debian-rootfs
for arg in "$@"; do
  case "$arg" in
    --refresh) refresh=1 ;;
    --managed-node) variant=debian-rootfs-managed-node; PACKAGES+=("${MANAGED_NODE_PACKAGES[@]}") ;;
    *) echo "$me: unknown argument '$arg' (usage: $me [--refresh] [--managed-node])" >&2; exit 64 ;;
  esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
out=$build/$variant
key=$( { printf '%s\n' "$SUITE" "${PACKAGES[@]}"; cat "$0"; } | sha256sum | cut -c1-16)

cached() { [ -s "$out/rootfs.cpio.gz" ] && [ -s "$out/stamp" ] && grep -qx "key=$key" "$out/stamp"; }
if [ "$refresh" = 0 ] && cached; then echo "$out/rootfs.cpio.gz"; exit 0; fi

mkdir -p "$out" || die "cannot create $out"
exec 9>"$out/.lock"
flock 9 || die "cannot lock $out/.lock"
if [ "$refresh" = 0 ] && cached; then echo "$out/rootfs.cpio.gz"; exit 0; fi

for tool in mmdebstrap cpio gzip; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh e2e)"
done
[ "$(id -u)" = 0 ] || die "mmdebstrap's root mode needs root (the image's files must belong to root)"

# The machine's Debian mirror: the URI of the first deb822 stanza or one-line entry that lists
# the suite itself (not -updates, not -security).
mirror_uri() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v suite="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      {
        types = uris = suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^[ \t]*#/ || !match($i, /^[A-Za-z-]+:/)) continue
          k = tolower(substr($i, 1, RLENGTH - 1)); v = substr($i, RLENGTH + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", v)
          if (k == "types") types = v; else if (k == "uris") uris = v; else if (k == "suites") suites = v
        }
        if (types !~ /(^| )deb( |$)/) next
        if ((" " suites " ") ~ (" " suite " ")) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk -v suite="$SUITE" '$1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) for (; i <= NF; i++) if ($i ~ /\]$/) { i++; break }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
}
mirror=$(mirror_uri | head -1)
[ -n "$mirror" ] || die "no apt source for $SUITE found in /etc/apt/sources.list{,.d/}"

t0=$(date +%s)
tree=$out/tree
rm -rf "$tree" "$out/rootfs.cpio.gz" "$out/stamp"
includes=$(IFS=,; echo "${PACKAGES[*]}")
# Documentation, manual pages and translations are dropped at unpack time (path-exclude): the
# image is unpacked into RAM on every boot, and smaller is faster under TCG.
mmdebstrap --mode=root --variant=essential --include="$includes" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='chroot "$1" dpkg-query -W -f "\${Package} \${Version}\n" >"$1/.packages"' \
  "$SUITE" "$tree" "$mirror" >"$out/mmdebstrap.log" 2>&1 ||
  die "mmdebstrap failed (see $out/mmdebstrap.log)"
mv "$tree/.packages" "$out/packages"

# The kernel runs /init from an initramfs; systemd is the system's init here.
ln -sfn /lib/systemd/systemd "$tree/init"
echo lugate-guest >"$tree/etc/hostname"
: >"$tree/etc/machine-id"
# No udev in the image, so no device units: a getty on the serial console would wait 90 s for
# dev-ttyS0.device. The console is for the kernel's and the test's lines only.
ln -sfn /dev/null "$tree/etc/systemd/system/getty.target"
ln -sfn /dev/null "$tree/etc/systemd/system/serial-getty@.service"
rm -rf "$tree/var/cache/apt"/*.bin "$tree/var/lib/apt/lists"/*_Packages

(cd "$tree" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -6 -n >"$out/rootfs.cpio.gz.tmp") ||
  die "cannot pack $tree"
mv "$out/rootfs.cpio.gz.tmp" "$out/rootfs.cpio.gz"
rm -rf "$tree"
echo $(($(date +%s) - t0)) >"$out/seconds"
printf 'key=%s\nsuite=%s\n' "$key" "$SUITE" >"$out/stamp"
echo "$out/rootfs.cpio.gz"
