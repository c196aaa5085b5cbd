# shellcheck shell=bash
# tests/e2e/lib.sh — shell helpers shared by the end-to-end suites (source it, do not run it).
#
#   . "$(dirname "$0")/lib.sh"
#
# Conventions: every function returns non-zero on failure and prints why on stderr; none exits
# the calling shell. Paths are relative to the repository top ($LUGATE_TOP, set here if the
# caller did not) unless absolute. Tunables (environment): E2E_TIMEOUT (seconds per QEMU run,
# default 120), E2E_MEM (guest RAM in MiB, default 1024), BUILD (default build).
#
# Why these shapes:
#  - QEMU always runs with -accel tcg: this machine's /dev/kvm (kvm-pvm) cannot run Linux.
#  - Every QEMU run is bounded by `timeout`, and its serial console goes to a log file that the
#    suite then asserts on: the guest's own words are the evidence, never QEMU's exit code alone.
#  - Guests are busybox-static initramfs images; dynamically linked tools (kexec) travel with the
#    libraries ldd lists.

[ -n "${E2E_LIB_LOADED:-}" ] && return 0
E2E_LIB_LOADED=1

: "${LUGATE_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=build}"
: "${E2E_TIMEOUT:=120}"
: "${E2E_MEM:=1024}"
case "$BUILD" in /*) E2E_BUILD=$BUILD ;; *) E2E_BUILD=$LUGATE_TOP/$BUILD ;; esac
export LUGATE_TOP BUILD

# ---- TAP ---------------------------------------------------------------------------------------
# tap_ok NAME / tap_not_ok NAME [REASON]: print one TAP line; not ok also counts a failure.
# tap_check NAME CMD [ARGS...]: run CMD (its output goes to stderr), print ok or not ok.
# tap_finish: print the plan and return 1 if anything failed (end a suite with `tap_finish; exit`).
E2E_TESTS=0
E2E_FAILED=0
tap_ok() {
  E2E_TESTS=$((E2E_TESTS + 1))
  echo "ok $E2E_TESTS - $1"
}
tap_not_ok() {
  E2E_TESTS=$((E2E_TESTS + 1)); E2E_FAILED=$((E2E_FAILED + 1))
  echo "not ok $E2E_TESTS - $1${2:+ # $2}"
}
tap_check() {
  local name=$1; shift
  if "$@" >&2; then tap_ok "$name"; else tap_not_ok "$name"; fi
}
tap_finish() {
  echo "1..$E2E_TESTS"
  [ "$E2E_TESTS" -gt 0 ] && [ "$E2E_FAILED" -eq 0 ]
}

# ---- prerequisites ------------------------------------------------------------------------------
# e2e_need TOOL...: each TOOL must be on PATH (or be an executable path). Prints the missing ones.
e2e_need() {
  local t missing=()
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "e2e: missing ${missing[*]} (run scripts/deps.sh e2e)" >&2
  return 1
}

# e2e_workdir NAME: print a fresh, empty directory build/e2e/NAME (old contents removed).
e2e_workdir() {
  local d=$E2E_BUILD/e2e/$1
  [ -n "$1" ] || { echo "e2e_workdir: empty name" >&2; return 1; }
  rm -rf "$d" && mkdir -p "$d" && echo "$d"
}

# e2e_kho_kernel: print the path of the cached KHO+LUO test kernel, building it on first use
# (scripts/kho-kernel.sh; several minutes the first time, instant afterwards).
e2e_kho_kernel() {
  "$LUGATE_TOP/scripts/kho-kernel.sh"
}

# e2e_luo_flb_compats SRC CONFIG: the FLB compatibles a kernel built from SRC with CONFIG
# serializes, one per line, read from its source: LIVEUPDATE_TEST's mock FLBs
# ("liveupdate-test-flb-v<i>", TEST_NFLBS of them), which ride every preserved file, when it is
# built in; nothing otherwise. Fails if the source does not say.
e2e_luo_flb_compats() {
  local src=$1 config=$2 prefix n i
  grep -qx 'CONFIG_LIVEUPDATE_TEST=y' "$config" || return 0
  prefix=$(sed -n 's/^#define LIVEUPDATE_TEST_FLB_COMPATIBLE(i)[[:space:]]*"\([^"]*\)" #i.*/\1/p' "$src/include/linux/kho/abi/luo.h")
  n=$(sed -n 's/^#define TEST_NFLBS[[:space:]]*\([0-9]*\)$/\1/p' "$src/lib/tests/liveupdate.c")
  [ -n "$prefix" ] && [ -n "$n" ] || return 1
  for ((i = 0; i < n; i++)); do echo "$prefix$i"; done
}

# ---- initramfs ----------------------------------------------------------------------------------
# e2e_initramfs_new DIR: create DIR as an initramfs skeleton holding a static busybox as
# /bin/busybox and the usual mount points. A dynamic busybox would need its libraries too, so a
# non-static one is refused.
e2e_initramfs_new() {
  local dir=$1 bb
  bb=$(command -v busybox) || { echo "e2e: busybox not found (install busybox-static)" >&2; return 1; }
  if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
    # `file` may be absent: fall back to ldd, which fails on static binaries
    ldd "$bb" >/dev/null 2>&1 && { echo "e2e: $bb is not static (install busybox-static)" >&2; return 1; }
  fi
  rm -rf "$dir" &&
    mkdir -p "$dir"/{bin,sbin,proc,sys,dev,boot,tmp,etc,lib,lib64,run} &&
    cp "$bb" "$dir/bin/busybox" &&
    ln -s busybox "$dir/bin/sh"
}

# e2e_initramfs_add DIR SRC DEST [MODE]: copy the file SRC to DIR/DEST (parents created,
# symlinks followed); MODE (e.g. 0755) is applied if given.
e2e_initramfs_add() {
  local dir=$1 src=$2 dest=$3 mode=${4:-}
  [ -f "$src" ] || { echo "e2e_initramfs_add: no such file $src" >&2; return 1; }
  mkdir -p "$dir/$(dirname "$dest")" && cp -L "$src" "$dir/$dest" || return 1
  [ -z "$mode" ] || chmod "$mode" "$dir/$dest"
}

# e2e_initramfs_add_elf DIR BINARY [DEST]: copy a dynamically linked program to DIR/DEST
# (default: the same path as on the host) together with every library `ldd` lists, at the same
# paths, so the guest's loader finds them. Works for static binaries too (no libraries).
e2e_initramfs_add_elf() {
  local dir=$1 bin=$2 dest=${3:-$2} lib
  e2e_initramfs_add "$dir" "$bin" "$dest" 0755 || return 1
  if ldd "$bin" >/dev/null 2>&1; then
    for lib in $(ldd "$bin" | grep -oE '/[^ ]+'); do
      e2e_initramfs_add "$dir" "$lib" "$lib" || return 1
    done
  fi
}

# e2e_initramfs_add_kexec DIR: kexec-tools' /usr/sbin/kexec as DIR/sbin/kexec, with its libraries.
e2e_initramfs_add_kexec() {
  local k
  k=$(command -v kexec || echo /usr/sbin/kexec)
  [ -x "$k" ] || { echo "e2e: kexec not found (install kexec-tools)" >&2; return 1; }
  e2e_initramfs_add_elf "$1" "$k" /sbin/kexec
}

# e2e_initramfs_init DIR: write DIR/init from a standard prologue plus the body read on stdin,
# followed by `poweroff -f` (so a guest whose body falls through ends the QEMU run at once).
# The prologue installs the busybox applets, mounts proc, sysfs, devtmpfs and debugfs, and prints
#   E2E-INIT kernel=<uname -r> cmdline=<cmdline>
# The body can use $CMDLINE (the kernel command line) and the helper `arg NAME` (value of
# NAME=... on the command line, empty if absent).
e2e_initramfs_init() {
  local dir=$1
  {
    cat <<'PROLOGUE'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
CMDLINE=$(cat /proc/cmdline)
arg() { local w; for w in $CMDLINE; do case "$w" in "$1"=*) echo "${w#*=}"; return 0 ;; esac; done; return 1; }
echo "E2E-INIT kernel=$(uname -r) cmdline=$CMDLINE"
PROLOGUE
    cat
    printf '\necho E2E-INIT-END\npoweroff -f\n'
  } >"$dir/init" && chmod 0755 "$dir/init"
}

# e2e_initramfs_pack DIR OUT: pack DIR as a gzip-compressed newc cpio archive OUT (what the
# kernel's initramfs unpacker and kexec --initrd expect). Files are listed in sorted order and
# owned by root, so equal trees give equal archives.
e2e_initramfs_pack() {
  local dir=$1 out=$2
  case "$out" in /*) ;; *) out=$PWD/$out ;; esac
  (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
     cpio --quiet -o -H newc -R 0:0 | gzip -6 -n >"$out.tmp") && mv "$out.tmp" "$out"
}

# ---- QEMU ---------------------------------------------------------------------------------------
# e2e_qemu LOG KERNEL INITRD APPEND [QEMU ARGS...]: boot KERNEL with INITRD and the command line
# APPEND under TCG, serial console to LOG, no network, no display, no reboot (a guest reboot or
# poweroff ends QEMU). Bounded by `timeout $E2E_TIMEOUT`. Returns QEMU's status (124 = timed out);
# E2E_QEMU_SECONDS holds the wall time. QEMU's own stderr goes to LOG.qemu.
# APPEND should contain console=ttyS0, or LOG stays empty.
e2e_qemu() {
  local log=$1 kernel=$2 initrd=$3 append=$4 rc t0
  shift 4
  e2e_need qemu-system-x86_64 timeout || return 1
  : >"$log"
  t0=$(date +%s.%N)
  timeout --kill-after=5 "$E2E_TIMEOUT" qemu-system-x86_64 -accel tcg -m "$E2E_MEM" \
    -kernel "$kernel" -initrd "$initrd" -append "$append" \
    -display none -monitor none -net none -no-reboot -serial "file:$log" "$@" \
    </dev/null >"$log.qemu" 2>&1
  rc=$?
  E2E_QEMU_SECONDS=$(echo "$(date +%s.%N) - $t0" | bc)
  E2E_QEMU_SECONDS=$(printf '%.2f' "$E2E_QEMU_SECONDS")
  [ "$rc" -eq 124 ] && echo "e2e: QEMU timed out after ${E2E_TIMEOUT}s (log: $log)" >&2
  return "$rc"
}

# ---- OVMF (UEFI) --------------------------------------------------------------------------------
# Real servers boot through UEFI, so the suites that prove the jump boot their first kernel under
# OVMF too: QEMU loads -kernel/-initrd through OVMF's direct kernel boot, the kernel's EFI stub
# runs, and the kernel comes up with efi_info, the EFI memory map and /sys/firmware/efi. OVMF is
# Debian's ovmf package (scripts/deps.sh e2e); OVMF_CODE and OVMF_VARS name other builds.
: "${OVMF_CODE:=/usr/share/OVMF/OVMF_CODE_4M.fd}"
: "${OVMF_VARS:=/usr/share/OVMF/OVMF_VARS_4M.fd}"

# e2e_ovmf_copies DIR: copy OVMF's code and a fresh variable store to DIR/ovmf-code.fd and
# DIR/ovmf-vars.fd (each run writes its own store; the system's files are never written).
e2e_ovmf_copies() {
  local dir=$1
  [ -s "$OVMF_CODE" ] && [ -s "$OVMF_VARS" ] ||
    { echo "e2e: OVMF not found ($OVMF_CODE, $OVMF_VARS; install ovmf)" >&2; return 1; }
  mkdir -p "$dir" && cp "$OVMF_CODE" "$dir/ovmf-code.fd" && cp "$OVMF_VARS" "$dir/ovmf-vars.fd"
}

# e2e_qemu_ovmf LOG KERNEL INITRD APPEND [QEMU ARGS...]: e2e_qemu under OVMF, with fresh copies
# of its code and variable store beside LOG (LOG.ovmf/).
e2e_qemu_ovmf() {
  local log=$1 fw=$1.ovmf
  e2e_ovmf_copies "$fw" || return 1
  e2e_qemu "$@" -drive if=pflash,format=raw,unit=0,readonly=on,file="$fw/ovmf-code.fd" \
    -drive if=pflash,format=raw,unit=1,file="$fw/ovmf-vars.fd"
}

# e2e_efi_probe_sh: print the guest's side of the EFI checks, a POSIX sh function for busybox and
# Debian alike. `efi_probe` prints, on stdout,
#   E2E-EFI kernel=<uname -r> firmware_efi=yes|no runtime_map=<entries> fw_platform_size=<bits>
#   E2E-EFI-DMESG kernel=<uname -r> <each kernel line about EFI or Secure Boot>
# The kernel's own words: "efi: EFI v2.7 by EDK II" (the system table efi_info points at), "efi:
# ACPI=... SMBIOS=..." (the configuration tables, which a kexec'd kernel finds through the
# SETUP_EFI setup_data), "efi: mem<N>: ..." (the EFI memory map, printed under efi=debug) and
# "Secure boot disabled" (boot_params.secure_boot; "could not be determined" if it was lost).
e2e_efi_probe_sh() {
  cat <<'PROBE'
efi_probe() {
  k=$(uname -r)
  fe=no; [ -d /sys/firmware/efi ] && fe=yes
  rm=$(ls /sys/firmware/efi/runtime-map 2>/dev/null | wc -l)
  echo "E2E-EFI kernel=$k firmware_efi=$fe runtime_map=$rm fw_platform_size=$(cat /sys/firmware/efi/fw_platform_size 2>/dev/null || echo none)"
  dmesg | grep -E 'efi: |Secure boot' | sed "s/^/E2E-EFI-DMESG kernel=$k /"
}
PROBE
}

# e2e_efi_verify LOG RELEASE OK NOT_OK: the EFI checks on LOG, for the kernel RELEASE that the
# loader booted (the efi_probe lines) and for the loader itself (its lugate-loader: lines). Each
# check calls `OK NAME` or `NOT_OK NAME WHY` (the suite's own TAP functions). Eight checks.
e2e_efi_verify() {
  local log=$1 rel=$2 ok=$3 bad=$4 line n sm
  e2e_efi_check_() { if eval "$3"; then "$ok" "$1"; else "$bad" "$1" "$2"; fi; }
  e2e_efi_check_ "the loader got efi_info from an EFI stub ('EL64') and carried it" "no efi_info 'EL64' line" \
    "e2e_log_has_re '$log' \"lugate-loader: boot_params: .*efi_info 'EL64', secure_boot (disabled|enabled|unknown): carried\""
  e2e_efi_check_ "the loader kept and forwarded the EFI memory map (descriptors counted)" "no 'EFI memory map: N descriptors' line" \
    "e2e_log_has_re '$log' 'lugate-loader: EFI memory map: [1-9][0-9]* descriptors of [0-9]+ bytes'"
  e2e_efi_check_ "the loader forwarded the EFI setup_data (SETUP_EFI: fw_vendor, tables, smbios)" "no 'EFI setup_data: fw_vendor' line" \
    "e2e_log_has '$log' 'lugate-loader: EFI setup_data: fw_vendor 0x'"
  line=$(tr -d '\r' <"$log" | grep -a "E2E-EFI kernel=$rel " | tail -1)
  e2e_efi_check_ "after the jump $rel has /sys/firmware/efi (64-bit EFI)" "probe: ${line:-no E2E-EFI line for $rel}" \
    "case \"\$line\" in *firmware_efi=yes*fw_platform_size=64*) true ;; *) false ;; esac"
  n=$(printf '%s\n' "$line" | sed -n 's/.* runtime_map=\([0-9]*\) .*/\1/p')
  e2e_efi_check_ "after the jump $rel has the EFI runtime map (${n:-0} regions)" "probe: ${line:-none}" \
    "[ \"\${n:-0}\" -gt 0 ]"
  e2e_efi_check_ "after the jump $rel reads the firmware's system table (efi: EFI v...)" "no E2E-EFI-DMESG line 'efi: EFI v'" \
    "e2e_log_has_re '$log' 'E2E-EFI-DMESG kernel=$rel .*efi: EFI v[0-9]'"
  sm=$(tr -d '\r' <"$log" | sed -n 's/^lugate-loader: EFI setup_data: .*, smbios \(0x[0-9a-f]*\): .*/\1/p' | tail -1)
  e2e_efi_check_ "after the jump $rel finds the firmware's tables through SETUP_EFI (SMBIOS=${sm:-?}, as the loader forwarded it, and ACPI)" \
    "no 'efi: ... SMBIOS=${sm:-?} ... ACPI=' line of $rel" \
    "[ -n \"\$sm\" ] && e2e_log_has_re '$log' \"E2E-EFI-DMESG kernel=$rel .*efi: .*SMBIOS=\$sm .*ACPI=\""
  e2e_efi_check_ "after the jump $rel prints the EFI memory map (efi: mem<N>) and Secure Boot's state" "no 'efi: mem' or 'Secure boot' line" \
    "e2e_log_has_re '$log' 'E2E-EFI-DMESG kernel=$rel .*efi: mem[0-9]+: ' && e2e_log_has_re '$log' 'E2E-EFI-DMESG kernel=$rel .*Secure boot (disabled|enabled)'"
  unset -f e2e_efi_check_
}

# ---- logs ---------------------------------------------------------------------------------------
# e2e_log_has LOG TEXT: LOG contains the fixed string TEXT (carriage returns ignored).
# e2e_log_has_re LOG REGEX: LOG contains a line matching the extended regex REGEX.
# e2e_log_count LOG TEXT: print how many lines of LOG contain TEXT.
# e2e_log_tail LOG [N]: the last N (default 15) lines of LOG on stderr, each prefixed "# ", to
#   explain a failure in the suite's own log.
e2e_log_has()    { tr -d '\r' <"$1" | grep -qF -- "$2"; }
e2e_log_has_re() { tr -d '\r' <"$1" | grep -qE -- "$2"; }
e2e_log_count()  { tr -d '\r' <"$1" | grep -cF -- "$2"; }
e2e_log_tail()   { tr -d '\r' <"$1" | tail -n "${2:-15}" | sed 's/^/# /' >&2; }

# ---- documents --------------------------------------------------------------------------------
# e2e_walkthrough_matches SCRIPT DOC MARKER OUTDIR: the `run CMD` lines between SCRIPT's
# "# ---- walk-through begin/end" lines (less a trailing "|| exit 1") equal, in order, the
# command lines (lugate, kexec, cat) between DOC's "<!-- MARKER begin/end -->" lines. A diff on
# stderr when not; prints the number of commands when they match.
e2e_walkthrough_matches() {
  local script=$1 doc=$2 marker=$3 out=$4
  sed -n '/^# ---- walk-through begin/,/^# ---- walk-through end/s/^run //p' "$script" | sed 's/ || exit 1$//' >"$out/walk-test.txt"
  sed -n "/^<!-- $marker begin -->/,/^<!-- $marker end -->/p" "$doc" | grep -E '^(lugate|kexec|cat) ' >"$out/walk-doc.txt"
  [ -s "$out/walk-test.txt" ] && diff -u "$out/walk-test.txt" "$out/walk-doc.txt" >&2 && wc -l <"$out/walk-test.txt"
}
