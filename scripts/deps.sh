#!/usr/bin/env bash
# Install lugate's build and test dependencies from Debian's packages.
# Idempotent: installs only what is missing; never touches the system's apt configuration.
# Usage: scripts/deps.sh [--check] [build|test|e2e|arm64|fleet|all]   (default: all)
#   arm64    the cross compiler that builds build/loader.arm64 and build/lugate-aa64.efi, the QEMU that
#            runs them and AAVMF (qemu-efi-aarch64) for the app; GNU-EFI for aarch64 comes from
#            scripts/gnu-efi-arm64.sh (another architecture's package, not installed);
#            `make` builds the arm64 parts only when `deps.sh --check arm64` passes
#   --check  install nothing: name what is missing and exit 2. Plain `make` uses it, so a build
#            of a source tree never changes the system; `make deps`, `make demo` and `make check`
#            are the only targets that install.
set -euo pipefail

check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; shift; fi

build_pkgs=(make gcc binutils pkg-config libfdt-dev device-tree-compiler libjson-c-dev libssl-dev
            zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev gnu-efi)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev cppcheck clang-tidy python3 xz-utils osslsigncode sbsigntool
           binutils-aarch64-linux-gnu file zstd)
e2e_pkgs=(qemu-system-x86 ovmf gnu-efi kexec-tools busybox-static cpio mtools dosfstools
          systemd-boot-efi flex bison libelf-dev bc mmdebstrap)
arm64_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-system-arm qemu-efi-aarch64)
# contrib/ansible and tests/fleet: Debian 12's Ansible (ansible-core 2.14), its linter, and SSH
# to the guests (a key made for the test with ssh-keygen).
fleet_pkgs=(ansible-core ansible-lint openssh-client python3-yaml)

want=()
case "${1:-all}" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  arm64) want=("${arm64_pkgs[@]}") ;;
  fleet) want=("${fleet_pkgs[@]}") ;;
  e2e) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${e2e_pkgs[@]}" "${arm64_pkgs[@]}") ;;
  all) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${e2e_pkgs[@]}" "${arm64_pkgs[@]}" "${fleet_pkgs[@]}") ;;
  *) echo "deps.sh: unknown set '$1' (build|test|e2e|arm64|fleet|all)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$check_only" = 1 ]; then
  echo "deps.sh: missing Debian packages: ${missing[*]} (run 'make deps' as root to install them)" >&2
  exit 2
fi

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "deps.sh: missing packages (${missing[*]}) and not root: install them or run as root" >&2; exit 2
  fi
else SUDO=; fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
