#!/usr/bin/env bash
# Build (once, cached) a small x86-64 Linux kernel with KHO (Kexec HandOver) and LUO (Live Update
# Orchestrator) from Debian's linux-source-7.3 package, and print the path of its bzImage.
#
# Usage: [KHO_ARCH=arm64] scripts/kho-kernel.sh [--refresh]
#   Prints build/kho-kernel/bzImage on success. Next to it: config (the kernel's .config),
#   version (the kernel release string, `uname -r` in the guest) and stamp (what the cache is keyed by).
#   --refresh  ask apt again which version of the package is current (the default trusts the cache).
#   KHO_ARCH=arm64 cross-builds the same kernel for arm64 (QEMU virt: PL011 console, generic PCI
#   host, /dev/mem) with Debian's gcc-aarch64-linux-gnu, in build/kho-kernel-arm64/ with a source
#   tree of its own, and prints its Image (the boot image arm64's kexec_file_load takes).
# Exit codes: 0 ok, 2 something needed is unavailable (one-line error on stderr), 64 bad usage.
#
# Why a private apt configuration: no Debian kernel enables KHO, and linux-source-7.3 lives only in
# trixie-backports, which the machine's apt sources do not list. We reuse the mirror URI and keyring
# the machine already uses (read at run time, never written into the repository) with apt's
# Dir::Etc::* and Dir::State::Lists pointed under build/apt/, so the system's apt state is untouched.
#
# Cache: build/kho-kernel/stamp holds the package version and a hash of the kernel options below.
# When it matches, the script returns at once. The source tree is kept under
# build/kho-kernel/src/<package version>/ so a new package version gets a fresh tree.
set -euo pipefail

PKG=linux-source-7.3
SUITE=trixie-backports

# Options on top of tinyconfig. Each must end up =y in the final .config or the build fails
# (a silently dropped option would give a kernel that cannot run the tests).
OPTIONS=(
  64BIT PRINTK EARLY_PRINTK TTY SERIAL_8250 SERIAL_8250_CONSOLE
  BLK_DEV_INITRD RD_GZIP BINFMT_ELF BINFMT_SCRIPT
  PROC_FS SYSFS DEVTMPFS DEBUG_FS MULTIUSER FUTEX EPOLL SIGNALFD TIMERFD EVENTFD UNIX NET
  KEXEC KEXEC_FILE RELOCATABLE
  KEXEC_HANDOVER KEXEC_HANDOVER_DEBUGFS KEXEC_HANDOVER_ENABLE_DEFAULT
  LIVEUPDATE LIVEUPDATE_MEMFD RUNTIME_TESTING_MENU LIVEUPDATE_TEST MEMFD_CREATE SHMEM TMPFS
  PCI ACPI HYPERVISOR_GUEST PARAVIRT KVM_GUEST
  EFI EFI_STUB
)
# arm64 (QEMU virt) drops the PC's options and adds its own
X86_ONLY=(EARLY_PRINTK SERIAL_8250 SERIAL_8250_CONSOLE ACPI HYPERVISOR_GUEST PARAVIRT KVM_GUEST)
# (kexec on arm64 takes the other CPUs down through CPU hotplug: ARCH_SUPPORTS_KEXEC needs
# PM_SLEEP_SMP, hence SMP and SUSPEND)
ARM64_OPTIONS=(SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE PCI_HOST_GENERIC DEVMEM SMP SUSPEND)

me=kho-kernel.sh
# shellcheck source=scripts/lib/cache-script.sh
. "$(dirname "$0")/lib/cache-script.sh" "$@"
case ${KHO_ARCH:-x86_64} in
  x86_64) karch=x86_64 cross="" image=bzImage image_src=arch/x86/boot/bzImage out=$build/kho-kernel ;;
  arm64)
    karch=arm64 cross=aarch64-linux-gnu- image=Image image_src=arch/arm64/boot/Image out=$build/kho-kernel-arm64
    kept=()
    for o in "${OPTIONS[@]}"; do [[ " ${X86_ONLY[*]} " == *" $o "* ]] || kept+=("$o"); done
    OPTIONS=("${kept[@]}" "${ARM64_OPTIONS[@]}") ;;
  *) die "KHO_ARCH=${KHO_ARCH}: only x86_64 and arm64 are built" ;;
esac
aptdir=$build/apt
# The stamp records the tree's path for the suites: name it without symlinks. A worktree may reach
# build/kho-kernel through a link; the real path stays valid when that worktree is gone.
canon() { [ -d "$out" ] && out=$(cd "$out" && pwd -P); true; }
canon

cfg_hash=$(printf '%s\n' "$PKG" "${OPTIONS[@]}" ${cross:+"$karch"} | sha256sum | cut -c1-16)

# Fast path: a finished build whose options match. The stamp is written last, so its presence
# means bzImage, config and version are complete.
cached() {
  [ -s "$out/stamp" ] && [ -s "$out/$image" ] && [ -s "$out/vmlinux" ] && [ -s "$out/config" ] && [ -s "$out/version" ] &&
    grep -qx "options=$cfg_hash" "$out/stamp"
}
if [ "$refresh" = 0 ] && cached; then echo "$out/$image"; exit 0; fi

mkdir -p "$out" || die "cannot create $out"
canon
# Serialise concurrent callers (several e2e suites may ask for the kernel at once).
exec 9>"$out/.lock"
flock 9 || die "cannot lock $out/.lock"
if [ "$refresh" = 0 ] && cached; then echo "$out/$image"; exit 0; fi

for tool in apt-get apt-cache dpkg-deb tar xz make gcc "${cross}gcc" flex bison bc; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh e2e)"
done
[ -e /usr/include/libelf.h ] || [ -e /usr/include/gelf.h ] || die "libelf headers missing (run scripts/deps.sh e2e)"

# --- the mirror the machine already uses ------------------------------------------------------
# First "deb" entry for a Debian main archive suite (not -security); deb822 .sources first,
# then the one-line sources.list format. Prints "URI<TAB>KEYRING" (keyring may be empty).
. "$top/scripts/lib/apt-sources.sh"
system_mirror() { apt_system_entries | awk -F'\t' '$2 !~ /-security$/ { printf "%s\t%s\n", $1, $4; exit }'; }

mirror_line=$(system_mirror | head -1)
mirror=${mirror_line%%$'\t'*}
keyring=${mirror_line#*$'\t'}
[ -n "$mirror" ] || die "no Debian mirror URI found in /etc/apt/sources.list.d/*.sources or sources.list"

# --- private apt configuration under build/apt --------------------------------------------------
mkdir -p "$aptdir/lists/partial" "$aptdir/parts"
opts=""
[ -n "$keyring" ] && [ -r "$keyring" ] && opts="[signed-by=$keyring] "
printf 'deb %s%s %s main\n' "$opts" "$mirror" "$SUITE" >"$aptdir/sources.list.new"
mv "$aptdir/sources.list.new" "$aptdir/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=$aptdir/parts"
          -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
          -o "APT::Sandbox::User=root")

candidate() { apt-cache "${APT_OPTS[@]}" policy "$PKG" 2>/dev/null | awk '/Candidate:/ { print $2 }'; }
ver=$(candidate || true)
if [ "$refresh" = 1 ] || [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
  apt-get "${APT_OPTS[@]}" -qq update >"$out/apt-update.log" 2>&1 ||
    die "apt-get update of the private $SUITE list failed (see $out/apt-update.log)"
  ver=$(candidate || true)
fi
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
  # apt-get update exits 0 on fetch failures (warnings only): name the first one if any
  why=$(grep -m1 -E '^(W|E): Failed to fetch' "$out/apt-update.log" 2>/dev/null | cut -c1-200)
  die "$PKG not found in $SUITE at $mirror${why:+ ($why)}"
fi
# --refresh found the version already built: nothing to do.
if cached && grep -qx "version=$ver" "$out/stamp"; then echo "$out/$image"; exit 0; fi

# --- source tree, keyed by the package version ----------------------------------------------------
srcdir() { printf '%s' "$out/src/${1//[^A-Za-z0-9._-]/_}"; }   # Kbuild dislikes ~ + : in paths
srcroot=$(srcdir "$ver")
ksrc=$srcroot/$PKG
fetch_secs=0
if [ ! -e "$srcroot/.extracted" ]; then
  t_fetch=$(date +%s)
  rm -rf "$srcroot" "$out/dl"
  mkdir -p "$out/dl" "$srcroot"
  fetch() { (cd "$out/dl" && apt-get "${APT_OPTS[@]}" -qq download "$PKG=$ver") >"$out/apt-download.log" 2>&1; }
  if ! fetch; then
    # the private lists may be stale: refresh once and retry with the then-current version
    apt-get "${APT_OPTS[@]}" -qq update >"$out/apt-update.log" 2>&1 ||
      die "apt-get update of the private $SUITE list failed (see $out/apt-update.log)"
    ver=$(candidate || true); srcroot=$(srcdir "$ver"); ksrc=$srcroot/$PKG
    mkdir -p "$srcroot"
    fetch || die "apt-get download $PKG=$ver failed (see $out/apt-download.log)"
  fi
  debs=("$out"/dl/*.deb)
  deb=${debs[0]}
  [ -f "$deb" ] || die "apt-get download $PKG=$ver produced no .deb"
  # Stream the inner tarball straight out of the .deb. Left out: other architectures' device trees
  # (the bulk of arch/; their Kconfig files must stay, crypto/Kconfig sources them) and all of
  # Documentation/ except Documentation/Kconfig, which the top Kconfig sources.
  excl=()
  for a in alpha arc arm csky hexagon loongarch m68k microblaze mips nios2 openrisc parisc \
           powerpc riscv s390 sh sparc um xtensa arm64; do
    [ "$a" = "$karch" ] || excl+=(--exclude="$PKG/arch/$a/boot/dts")
  done
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
    tar -xJ -C "$srcroot" "${excl[@]}" --exclude="$PKG/Documentation/[!K]*" ||
    die "cannot extract $PKG.tar.xz from $deb"
  if [ ! -f "$ksrc/Makefile" ] || [ ! -d "$ksrc/arch/${karch%_64}" ]; then
    die "$deb did not contain the expected kernel tree"
  fi
  rm -rf "$out/dl"
  touch "$srcroot/.extracted"
  fetch_secs=$(( $(date +%s) - t_fetch ))
fi

# --- configure ----------------------------------------------------------------------------------
log=$out/build.log
: >"$log"
kmake() { make -C "$ksrc" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} "$@" >>"$log" 2>&1; }
kmake tinyconfig || die "make tinyconfig failed (see $log)"
args=()
for o in "${OPTIONS[@]}"; do args+=(--enable "$o"); done
"$ksrc/scripts/config" --file "$ksrc/.config" "${args[@]}" || die "scripts/config failed"
kmake olddefconfig || die "make olddefconfig failed (see $log)"
for o in "${OPTIONS[@]}"; do
  grep -qx "CONFIG_$o=y" "$ksrc/.config" || die "CONFIG_$o is not =y after olddefconfig (dependency missing?)"
done

# --- build ----------------------------------------------------------------------------------------
start=$(date +%s)
kmake -j"$(nproc)" "$image" || die "kernel build failed (see $log)"
secs=$(( $(date +%s) - start ))
release=$(make -s --no-print-directory -C "$ksrc" ARCH="$karch" kernelrelease 2>/dev/null) || die "make kernelrelease failed"
[ -n "$release" ] || die "empty kernel release string"

rm -f "$out/stamp"
cp "$ksrc/$image_src" "$out/$image.new" && mv "$out/$image.new" "$out/$image"
# The tree's vmlinux is the last build's: scripts/kho-family.sh builds its variants there, so
# the base kernel's ELF is kept beside its bzImage.
cp "$ksrc/vmlinux" "$out/vmlinux.new" && mv "$out/vmlinux.new" "$out/vmlinux"
cp "$ksrc/.config" "$out/config"
echo "$release" >"$out/version"
printf 'package=%s\nversion=%s\noptions=%s\nfetch_seconds=%s\nbuild_seconds=%s\nsource=%s\n' \
  "$PKG" "$ver" "$cfg_hash" "$fetch_secs" "$secs" "$ksrc" >"$out/stamp"
# Trees of older package versions are dead weight (about 1.7 GB each) once this one is built.
for old in "$out"/src/*; do [ "$old" = "$srcroot" ] || rm -rf "$old"; done
echo "$out/$image"
