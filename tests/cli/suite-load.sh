#!/usr/bin/env bash
# `lugate load` on this host, without a real kexec: a fake kexec-tools (a script that records
# its arguments and, like the kernel, sets kexec_loaded) and a fake system under
# LUGATE_SYSROOT (proc/sys files: kexec_load_disabled, lockdown, kexec_loaded, cmdline, KHO's
# debugfs). The real kexec inside a VM is tests/e2e/suite-load-vm.sh. Asserted here: a refusal
# never runs kexec, every blocker is exit 3 with one line, the staged command is exactly the
# one --dry-run prints, and the sealed table is the one `lugate seal` makes.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
EX=$PWD/examples
# a tiny bzImage of release 6.1.0-56-amd64, padded past its code to the 4 KiB lugate's loader
# needs of a bzImage (what follows syssize is not loaded); cmdline_size 2047
IMG=$W/tiny.img
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b + bytes(8192 - len(b)))' \
  tests/fuzz/corpus/image/seed-tiny-gzip "$IMG"

# ---- a fake system ---------------------------------------------------------------------------
S=$W/sysroot
fake_system() {  # fresh fake /proc and /sys: an x86_64 host, kexec allowed, nothing staged, no KHO
  rm -rf "$S"
  mkdir -p "$S/proc/sys/kernel" "$S/sys/kernel/security" "$S/sys/kernel/debug" "$S/dev"
  echo x86_64 >"$S/proc/sys/kernel/arch"   # the machine load stages for (else uname -m)
  echo 0 >"$S/proc/sys/kernel/kexec_load_disabled"
  echo "[none] integrity confidentiality" >"$S/sys/kernel/security/lockdown"
  echo 0 >"$S/sys/kernel/kexec_loaded"
  echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-55-amd64 root=/dev/vda1 ro quiet initrd=/boot/initrd.img" >"$S/proc/cmdline"
  # the running kernel and its image (KHO and LUO, no file handler: tests/cli/suite-outgoing.sh)
  echo 6.1.0-55-amd64 >"$S/proc/sys/kernel/osrelease"
  mkdir -p "$S/boot"; cp "$W/outgoing.img" "$S/boot/vmlinuz-6.1.0-55-amd64"
}
python3 tests/cli/mkkernel.py "$W/outgoing.img" --release 6.1.0-55-amd64 --literal kho-v4 --literal luo-v5
K=$W/fake-kexec
cat >"$K" <<'SH'
#!/bin/sh
# a stand-in for kexec-tools: record argv (one per line), then act as the kernel would
printf '%s\n' "$0" "$@" >"$FAKE_KEXEC_LOG"
[ "${FAKE_KEXEC_FAIL:-0}" = 1 ] && { echo "kexec_load failed: Operation not permitted" >&2; exit 255; }
[ "${FAKE_KEXEC_NOLOAD:-0}" = 1 ] || echo 1 >"$LUGATE_SYSROOT/sys/kernel/kexec_loaded"
exit 0
SH
chmod +x "$K"
export LUGATE_SYSROOT=$S FAKE_KEXEC_LOG=$W/kexec.log
R=$W/run    # runtime folder

# ---- inputs: a stamped target, an incompatible one, the outgoing table -------------------------
expect "embed the 6.1.0-56 manifest" 0 "$L" embed --manifest "$EX/target-6.1.0-56.json" "$IMG" -o "$W/target.img"
sed 's/6.1.0-56-amd64/6.1.0-56-amd64/; s/"max_version": 3/"max_version": 1/' "$EX/target-6.1.0-56.json" >"$W/old-schema.json"
expect "embed a manifest lacking schema version 2" 0 "$L" embed --manifest "$W/old-schema.json" "$IMG" -o "$W/bad.img"
# the legacy path cannot carry KHO: a table without KHO/LUO formats (and one with them)
python3 - "$EX/devices.json" "$W/devices.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("compatible"); json.dump(d, open(sys.argv[2], "w"))
PY
expect "handoff build (no KHO formats)" 0 "$L" handoff build --devices "$W/devices.json" -o "$W/t.bin"
expect "handoff build (kho-v1, luo-v1)" 0 "$L" handoff build --devices "$EX/devices.json" -o "$W/t-kho.bin"
cp "$IMG" "$W/fallback.img"; head -c 3000 /dev/urandom >"$W/initrd.img"
load() { "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$R" "$@"; }
LOADER=$B/loader.elf
[ -n "${LUGATE_LOADER:-}" ] && LOADER=$(realpath "$LUGATE_LOADER")
[ -s "$LOADER" ] || make -s --no-print-directory "${LOADER#"$PWD"/}" >/dev/null

# ---- usage --------------------------------------------------------------------------------------
expect "load --help" 0 "$L" load --help
expect_out "kexec -l --type multiboot2-x86"
expect "load without --kernel" 2 "$L" load --handoff "$W/t.bin"
expect_err_line "--kernel is required"
expect "load with both --handoff and --devices" 2 "$L" load --kernel "$W/target.img" --handoff "$W/t.bin" --devices "$W/devices.json"
expect_err_line "exactly one of --handoff"
expect "load with --append and --reuse-cmdline" 2 "$L" load --kernel "$W/target.img" --handoff "$W/t.bin" --append x --reuse-cmdline
expect_err_line "exclude each other"
expect "load --fallback-initrd without --fallback" 2 "$L" load --kernel "$W/target.img" --handoff "$W/t.bin" --fallback-initrd "$W/initrd.img"
expect_err_line "--fallback-initrd needs --fallback"
expect "load with a stray argument" 2 "$L" load --kernel "$W/target.img" --handoff "$W/t.bin" extra
expect_err_line "unexpected argument 'extra'"

# ---- refusal: nothing staged, kexec never started --------------------------------------------
fake_system; rm -f "$FAKE_KEXEC_LOG"
expect "load an incompatible target refuses (exit 1)" 1 load --kernel "$W/bad.img" --handoff "$W/t.bin" --append "root=/dev/vda1"
expect_out "refuse: 6.1.0-55-amd64 -> 6.1.0-56-amd64"
expect_out "schema-version"
check "the refusal did not run kexec" test ! -e "$FAKE_KEXEC_LOG"
check "the refusal wrote no sealed table" test ! -e "$R/table.sealed"
check "kexec_loaded stays 0" grep -qx 0 "$S/sys/kernel/kexec_loaded"
expect "load --json on refusal" 1 load --kernel "$W/bad.img" --handoff "$W/t.bin" --json
check "JSON refusal: verdict refuse, staged false, no command, every reason" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["verdict"]=="refuse" and j["staged"] is False and j["kexec_command"] is None and j["exit"]==1, j
assert len(j["reasons"])==2 and all(r["code"]=="schema-version" for r in j["reasons"]), j["reasons"]' "$OUT"
check "the JSON refusal did not run kexec either" test ! -e "$FAKE_KEXEC_LOG"

# ---- allow: dry run, then the real (fake) staging runs exactly that command -------------------
fake_system
expect "load --dry-run prints the command" 0 load --kernel "$W/target.img" --initrd "$W/initrd.img" --handoff "$W/t.bin" \
  --fallback "$W/fallback.img" --fallback-initrd "$W/initrd.img" --append "root=/dev/vda1 console=ttyS0" --dry-run
cp "$OUT" "$W/dry.out"
# mod PATH ROLE: a module argument as load writes it, "PATH role=ROLE" padded with spaces so that
# it and its NUL fill whole 8-byte units (kexec-tools sizes the Multiboot2 tags without padding).
mod() { local s="$1 role=$2"; while [ $(( (${#s} + 1) % 8 )) -ne 0 ]; do s="$s "; done; printf "'--module=%s'" "$s"; }
want="$K -l --type multiboot2-x86 $LOADER '--command-line=root=/dev/vda1 console=ttyS0 lugate.stop=reboot:10' $(mod "$W/target.img" kernel) $(mod "$R/table.sealed" table) $(mod "$W/initrd.img" initrd) $(mod "$W/fallback.img" fallback) $(mod "$W/initrd.img" fallback-initrd)"
check "dry run: verdict line, then exactly the kexec command" bash -c '[ "$(sed -n 1p "$1")" = "allow: 6.1.0-55-amd64 -> 6.1.0-56-amd64 (stable-next), 4 preserved devices supported" ] && [ "$(sed -n 2p "$1")" = "$2" ] && [ "$(wc -l <"$1")" = 2 ]' _ "$W/dry.out" "$want"
check "dry run did not run kexec" test ! -e "$FAKE_KEXEC_LOG"
expect "lugate seal with the same inputs" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/sealed.bin"
check "the dry run's sealed table is the one lugate seal makes" cmp "$R/table.sealed" "$W/sealed.bin"
rm -rf "$R"
expect "load stages (fake kexec, fake kernel)" 0 load --kernel "$W/target.img" --initrd "$W/initrd.img" --handoff "$W/t.bin" \
  --fallback "$W/fallback.img" --fallback-initrd "$W/initrd.img" --append "root=/dev/vda1 console=ttyS0"
expect_out "run \`kexec -e\` to jump"
check "kexec got exactly the dry run's command" bash -c 'eval "set -- $(sed -n 2p "$1")"; printf "%s\n" "$@" | cmp - "$2"' _ "$W/dry.out" "$FAKE_KEXEC_LOG"
check "the staged table is the sealed one" cmp "$R/table.sealed" "$W/sealed.bin"
check "the runtime folder is private (0700)" bash -c '[ "$(stat -c %a "$1")" = 700 ]' _ "$R"
check "kexec_loaded is 1" grep -qx 1 "$S/sys/kernel/kexec_loaded"

fake_system
expect "load --devices builds and seals the table itself" 0 load --kernel "$W/target.img" --devices "$W/devices.json" --dry-run
expect "lugate seal of that table, no fallback" 0 "$L" seal --handoff "$W/t.bin" --kernel "$W/target.img" -o "$W/sealed-nofb.bin"
check "... the same sealed table as seal of the --handoff table" cmp "$R/table.sealed" "$W/sealed-nofb.bin"
expect "load --reuse-cmdline --json" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline --json
check "JSON: allow, staged, the running command line without BOOT_IMAGE= and initrd=" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["verdict"]=="allow" and j["staged"] is True and j["exit"]==0, j
assert "--command-line=root=/dev/vda1 ro quiet lugate.stop=reboot:10" in j["kexec_command"], j["kexec_command"]
assert j["sealed_table"].endswith("/table.sealed") and j["loader"].endswith("loader.elf"), j' "$OUT"

# ---- the system refuses: exit 3, one line, nothing staged ------------------------------------------
blocked() {  # blocked NAME TEXT [load args...]
  local name=$1 text=$2; shift 2
  rm -f "$FAKE_KEXEC_LOG"
  expect "$name: exit 3" 3 load --kernel "$W/target.img" --handoff "$W/t.bin" "$@"
  expect_err_line "$text"
  check "$name: kexec not run" test ! -e "$FAKE_KEXEC_LOG"
}
fake_system; echo 1 >"$S/proc/sys/kernel/kexec_load_disabled"
blocked "kexec_load_disabled" "kernel.kexec_load_disabled = 1"
fake_system; echo "none [integrity] confidentiality" >"$S/sys/kernel/security/lockdown"
blocked "lockdown=integrity" "locked down, which forbids kexec_load"
fake_system
rm -f "$FAKE_KEXEC_LOG"
expect "kexec missing: exit 3" 3 "$L" load --kexec "$W/no-such-kexec" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "kexec-tools' \`kexec\` was not found"
expect "kexec fails: exit 3" 3 env FAKE_KEXEC_FAIL=1 "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin"
check "kexec's own error is shown, and lugate's" bash -c 'grep -q "Operation not permitted" "$1" && grep -q "lugate: kexec -l failed" "$1"' _ "$ERR"
expect "kexec succeeds but nothing is loaded: exit 3" 3 env FAKE_KEXEC_NOLOAD=1 "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "kexec_loaded is not 1"
if [ "$(id -u)" -ne 0 ]; then
  blocked "not root" "needs root"
else
  chmod -R a+rX "$T_TMP"
  expect "not root: exit 3" 3 setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$W/nobody-run" --kernel "$W/target.img" --handoff "$W/t.bin"
  expect_err_line "needs root"
fi
expect "runtime folder cannot be made: exit 3" 3 load --kernel "$W/target.img" --handoff "$W/t.bin" --runtime-dir /proc/no/such --dry-run
expect_err_line "cannot create the runtime folder /proc/no/such"

# ---- KHO: the kexec_file path (kexec -s of loader.bzImage with one bundle) -------------------------
# LUGATE_LIBDIR stands for PREFIX/lib/lugate: one with both loaders, one with loader.elf only.
# kexec is fake, so the bzImage loader only has to be a file here (the real one: tests/e2e).
mkdir -p "$W/lib" "$W/lib-elf"
cp "$LOADER" "$W/lib/loader.elf"; cp "$LOADER" "$W/lib-elf/loader.elf"
if [ -s "$B/loader.bzImage" ]; then cp "$B/loader.bzImage" "$W/lib/"; else head -c 4096 /dev/urandom >"$W/lib/loader.bzImage"; fi
loadk() { env LUGATE_LIBDIR="$W/lib" "$L" load --kexec "$K" --runtime-dir "$R" "$@"; }
kho_system() {  # KHO active: debugfs kho/out/fdt whose root compatible is $1
  fake_system; mkdir -p "$S/sys/kernel/debug/kho/out"
  printf '/dts-v1/;\n/ { compatible = "%s"; };\n' "$1" | dtc -q -I dts -O dtb -o "$S/sys/kernel/debug/kho/out/fdt" -
}
sed 's/"compatible": \["kho-v1", "luo-v1"\]/"compatible": ["kho-v4"]/' "$EX/target-6.1.0-56.json" >"$W/m-kho4.json"
expect "embed a manifest reviving kho-v4" 0 "$L" embed --manifest "$W/m-kho4.json" "$IMG" -o "$W/target-kho4.img"

kho_system kho-v4; rm -f "$FAKE_KEXEC_LOG"
expect "KHO active, loader.bzImage not installed: exit 2, nothing staged" 2 env LUGATE_LIBDIR="$W/lib-elf" \
  "$L" load --kexec "$K" --runtime-dir "$R" --kernel "$W/target-kho4.img" --handoff "$W/t.bin"
expect_err_line "only kexec_file_load (kexec -s) of loader.bzImage, which is not installed (looked in \$LUGATE_LIBDIR); install it, or pass --no-kho"
check "... kexec not run, nothing loaded" bash -c '[ ! -e "$1" ] && grep -qx 0 "$2"' _ "$FAKE_KEXEC_LOG" "$S/sys/kernel/kexec_loaded"

# KHO evidence that cannot be read (a FIFO where debugfs has kho/out/fdt) is an input error at
# once: the path is never chosen on a guess, nothing is staged
fake_system; mkdir -p "$S/sys/kernel/debug/kho/out"; mkfifo "$S/sys/kernel/debug/kho/out/fdt"; rm -f "$FAKE_KEXEC_LOG"
expect "a FIFO as debugfs kho/out/fdt: exit 2 at once" 2 timeout 5 "$L" load --kexec "$K" --loader "$LOADER" \
  --runtime-dir "$W/rd-fifo" --kernel "$W/target-kho4.img" --handoff "$W/t.bin"
expect_err_line "kho/out/fdt: not a regular file (a FIFO)"
check "... kexec not run, no runtime folder made" bash -c '[ ! -e "$1" ] && [ ! -e "$2" ]' _ "$FAKE_KEXEC_LOG" "$W/rd-fifo"
kho_system kho-v4

expect "KHO active: the dry run takes the kexec -s path" 0 loadk --kernel "$W/target-kho4.img" --initrd "$W/initrd.img" \
  --handoff "$W/t.bin" --fallback "$W/fallback.img" --append "root=/dev/vda1" --dry-run
check "dry run: kexec -s -l loader.bzImage --initrd=BUNDLE, nothing else" bash -c '[ "$(sed -n 2p "$1")" = "$2" ]' _ "$OUT" \
  "$K -s -l $W/lib/loader.bzImage --initrd=$R/bundle.bin --command-line=lugate.stop=reboot:10"
cp "$OUT" "$W/dry-kho.out"
# bundle_holds NAME KERNEL FALLBACK: the staged bundle's entries (table, kernel, initrd, command
# line root=/dev/vda1, fallback) all verify, and its table is the one `lugate seal` makes of them
bundle_holds() {
  expect "$1: the bundle lists its entries" 0 "$L" bundle show "$R/bundle.bin" --json
  check "$1: the sealed table, the kernel, initrd, command line, fallback, all verified" python3 -c '
import json,sys; j=json.load(open(sys.argv[1])); r={e["role"]:e for e in j["entries"]}
assert sorted(r)==["cmdline","fallback","initrd","kernel","table"], sorted(r)
assert all(e["verified"] for e in j["entries"]) and r["cmdline"]["text"]=="root=/dev/vda1", j' "$OUT"
  expect "$1: lugate seal of the same inputs" 0 "$L" seal --handoff "$W/t.bin" --kernel "$2" --fallback "$3" -o "$W/sealed-bundle.bin"
  check "$1: the bundle's table is the sealed one" cmp "$R/table.sealed" "$W/sealed-bundle.bin"
}
bundle_holds KHO "$W/target-kho4.img" "$W/fallback.img"
expect "KHO active: load stages with kexec -s" 0 loadk --kernel "$W/target-kho4.img" --initrd "$W/initrd.img" \
  --handoff "$W/t.bin" --fallback "$W/fallback.img" --append "root=/dev/vda1"
expect_out "staged (kexec_file_load, KHO kept): $W/lib/loader.bzImage with the bundle $R/bundle.bin"
check "kexec got exactly the dry run's command" bash -c 'eval "set -- $(sed -n 2p "$1")"; printf "%s\n" "$@" | cmp - "$2"' _ "$W/dry-kho.out" "$FAKE_KEXEC_LOG"

kho_system kho-v4; rm -f "$FAKE_KEXEC_LOG"
expect "KHO kho-v4 running, target revives only kho-v1: refused (exit 1)" 1 loadk --kernel "$W/target.img" --handoff "$W/t.bin"
expect_out "compat-missing: kho format 'kho-v4' of the outgoing kernel is not revived by the target: KHO revival is disabled"
check "... kexec not run, nothing loaded" bash -c '[ ! -e "$1" ] && grep -qx 0 "$2"' _ "$FAKE_KEXEC_LOG" "$S/sys/kernel/kexec_loaded"
expect "--json names the path and why" 1 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --json
check "JSON: kexec_path kexec_file_load, kho names debugfs, compat-missing" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["kexec_path"]=="kexec_file_load" and "kho/out/fdt" in j["kho"] and j["staged"] is False, j
assert [r["code"] for r in j["reasons"]]==["compat-missing"], j["reasons"]' "$OUT"

kho_system kho-v4
expect "--no-kho takes kexec -l anyway, with a warning" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --no-kho
expect_err_line "warning: KHO is active in the running kernel"
check "... through kexec -l" grep -qx -- "-l" "$FAKE_KEXEC_LOG"
fake_system
expect "a table preserved through kho-v1 (KHO not seen): the kexec -s path" 0 loadk --kernel "$W/target.img" --handoff "$W/t-kho.bin" --dry-run
expect_out "--initrd=$R/bundle.bin"
# The loader cannot decompress a kernel to scan it: on the KHO path the manifest alone must
# revive the formats, even where `check --kernel` finds them in the payload.
python3 - "$EX/target-6.1.0-56.json" "$W/m-nocompat.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m.pop("compatible"); json.dump(m, open(sys.argv[2], "w"))
PY
expect "embed a manifest without compatible" 0 "$L" embed --manifest "$W/m-nocompat.json" "$IMG" -o "$W/target-nocompat.img"
expect "check --kernel allows it: the payload scan finds kho-v1 and luo-v1" 0 "$L" check --handoff "$W/t-kho.bin" --kernel "$W/target-nocompat.img"
expect "load on the KHO path refuses it: the loader would (manifest only)" 1 loadk --kernel "$W/target-nocompat.img" --handoff "$W/t-kho.bin" --dry-run
expect_out "compat-missing: kho format 'kho-v1' of the outgoing kernel is not revived by the target: KHO revival is disabled"
expect "--kho forces the kexec -s path" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --kho --dry-run
expect_out " -s -l $W/lib/loader.bzImage"
expect "--kho with --no-kho" 2 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --kho --no-kho
expect_err_line "exclude each other"
# A host booted by UEFI (the kernel made /sys/firmware/efi): kexec -l of the Multiboot2 loader
# would boot the target without EFI, so the kexec -s path is taken with no KHO state at all,
# without scanning the outgoing image (nothing is preserved); --no-kho, or no loader.bzImage,
# keeps kexec -l with a warning.
fake_system; mkdir -p "$S/sys/firmware/efi"; rm -f "$S/boot/vmlinuz-6.1.0-55-amd64" "$FAKE_KEXEC_LOG"
expect "UEFI host, no KHO: the kexec -s path, no warning" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin"
expect_out "staged (kexec_file_load, EFI kept): $W/lib/loader.bzImage with the bundle $R/bundle.bin"
check "... stderr is empty (no outgoing-image warning: nothing preserved to scan for)" test ! -s "$ERR"
check "... kexec -s -l loader.bzImage --initrd=BUNDLE" bash -c '[ "$(sed -n 2,5p "$1" | tr "\n" " ")" = "-s -l $2/loader.bzImage --initrd=$3/bundle.bin " ]' \
  _ "$FAKE_KEXEC_LOG" "$W/lib" "$R"
fake_system; mkdir -p "$S/sys/firmware/efi"
expect "UEFI host --json: kexec_file_load, uefi true, kho null" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --json --dry-run
check "JSON: kexec_path, uefi, kho" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["kexec_path"]=="kexec_file_load" and j["uefi"] is True and j["kho"] is None, j' "$OUT"
fake_system; mkdir -p "$S/sys/firmware/efi"; rm -f "$FAKE_KEXEC_LOG"
expect "UEFI host, --no-kho: kexec -l, with a warning" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --no-kho
expect_err_line "warning: the host boots by UEFI, but --no-kho takes the kexec -l path: the target boots without the EFI memory map and runtime services"
check "... through kexec -l of loader.elf" bash -c 'grep -qx -- "-l" "$1" && grep -q "loader.elf" "$1"' _ "$FAKE_KEXEC_LOG"
fake_system; mkdir -p "$S/sys/firmware/efi"; rm -f "$FAKE_KEXEC_LOG"
expect "UEFI host, loader.bzImage not installed: kexec -l, with a warning" 0 env LUGATE_LIBDIR="$W/lib-elf" \
  "$L" load --kexec "$K" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "warning: the host boots by UEFI, but loader.bzImage is not installed: the target boots without the EFI memory map and runtime services"
check "... through kexec -l" grep -qx -- "-l" "$FAKE_KEXEC_LOG"
fake_system; printf 'x' >"$S/sys/firmware"; rm -f "$FAKE_KEXEC_LOG"
expect "no /sys/firmware/efi directory (a file there): kexec -l, no warning" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin"
check "... through kexec -l, stderr empty" bash -c 'grep -qx -- "-l" "$1" && [ ! -s "$2" ]' _ "$FAKE_KEXEC_LOG" "$ERR"
fake_system; echo "none [integrity] confidentiality" >"$S/sys/kernel/security/lockdown"
expect "lockdown allows the kexec -s path (the kernel checks signatures itself)" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --kho

# ---- an arm64 host (the fake /proc/sys/kernel/arch says aarch64): loader.arm64 on both paths ------
# A small arm64 Image (header: image_size 64 KiB, flags little-endian 4K pages, the magic) whose
# release string is the manifest's, stamped like the bzImage target. kexec is fake, so
# loader.arm64 only has to be a file here (the real one boots: tests/e2e-arm64).
python3 - "$W/arm64.raw" <<'PY'
import struct, sys
b = bytearray(16384)
struct.pack_into("<QQ", b, 16, 0x10000, 0xA)
b[56:60] = b"ARM\x64"
rel = b"Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP\n"
b[512:512 + len(rel)] = rel
open(sys.argv[1], "wb").write(bytes(b))
PY
expect "embed the 6.1.0-56 manifest into an arm64 Image" 0 "$L" embed --manifest "$EX/target-6.1.0-56.json" "$W/arm64.raw" -o "$W/arm64-target.img"
cp "$W/arm64.raw" "$W/arm64-fallback.img"
mkdir -p "$W/lib-arm64"
if [ -s "$B/loader.arm64" ]; then cp "$B/loader.arm64" "$W/lib-arm64/"; else head -c 4096 /dev/urandom >"$W/lib-arm64/loader.arm64"; fi
arm64_system() { fake_system; echo aarch64 >"$S/proc/sys/kernel/arch"; }
loada() { env LUGATE_LIBDIR="$W/lib-arm64" "$L" load --kexec "$K" --runtime-dir "$R" "$@"; }
ARM64_IN="--kernel $W/arm64-target.img --initrd $W/initrd.img --handoff $W/t.bin --fallback $W/arm64-fallback.img --append root=/dev/vda1"

arm64_system; rm -rf "$R" "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086 # ARM64_IN is a list of words
expect "arm64 host: the dry run stages loader.arm64 with kexec -l and the bundle" 0 loada $ARM64_IN --dry-run
check "arm64 dry run: kexec -l loader.arm64 --initrd=BUNDLE, the loader's own command line" bash -c '[ "$(sed -n 2p "$1")" = "$2" ]' _ "$OUT" \
  "$K -l $W/lib-arm64/loader.arm64 --initrd=$R/bundle.bin --command-line=lugate.stop=reboot:10"
cp "$OUT" "$W/dry-arm64.out"
bundle_holds arm64 "$W/arm64-target.img" "$W/arm64-fallback.img"
# shellcheck disable=SC2086
expect "arm64 host: load stages (fake kexec)" 0 loada $ARM64_IN
expect_out "staged: $W/lib-arm64/loader.arm64 with the bundle $R/bundle.bin; run \`kexec -e\` to jump"
check "arm64: kexec got exactly the dry run's command" bash -c 'eval "set -- $(sed -n 2p "$1")"; printf "%s\n" "$@" | cmp - "$2"' _ "$W/dry-arm64.out" "$FAKE_KEXEC_LOG"
arm64_system; mkdir -p "$S/sys/firmware/efi"; rm -f "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "arm64 host booted by UEFI: still kexec -l (the DTB carries EFI), no warning" 0 loada $ARM64_IN --json
check "arm64 JSON: kexec_load, uefi true, loader.arm64, a bundle, no -s" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["kexec_path"]=="kexec_load" and j["uefi"] is True and j["staged"] is True, j
assert j["loader"].endswith("/loader.arm64") and j["bundle"].endswith("/bundle.bin"), j
assert "-s" not in j["kexec_command"] and j["kexec_command"][1]=="-l", j["kexec_command"]' "$OUT"
check "... stderr is empty" test ! -s "$ERR"
expect "embed a manifest reviving kho-v4 into the arm64 Image" 0 "$L" embed --manifest "$W/m-kho4.json" "$W/arm64.raw" -o "$W/arm64-kho4.img"
kho_system kho-v4; echo aarch64 >"$S/proc/sys/kernel/arch"; rm -f "$FAKE_KEXEC_LOG"
expect "arm64 host with KHO active: kexec -s -l loader.arm64" 0 loada --kernel "$W/arm64-kho4.img" --handoff "$W/t.bin"
check "... kexec -s -l loader.arm64 --initrd=BUNDLE" bash -c '[ "$(sed -n 2,5p "$1" | tr "\n" " ")" = "-s -l $2/loader.arm64 --initrd=$3/bundle.bin " ]' \
  _ "$FAKE_KEXEC_LOG" "$W/lib-arm64" "$R"
expect_out "staged (kexec_file_load, KHO kept): $W/lib-arm64/loader.arm64 with the bundle $R/bundle.bin"
arm64_system; rm -rf "$R" "$FAKE_KEXEC_LOG"
expect "arm64 host, a bzImage kernel: exit 2, nothing staged" 2 loada --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "kernel $W/target.img: not an arm64 Image, the kind lugate's arm64 loader boots (this host is arm64; a vmlinuz must be decompressed first)"
expect "arm64 host, a bzImage fallback: exit 2" 2 loada --kernel "$W/arm64-target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img"
expect_err_line "fallback $W/fallback.img: not an arm64 Image"
check "... kexec not run, no runtime folder" bash -c '[ ! -e "$1" ] && [ ! -e "$2" ]' _ "$FAKE_KEXEC_LOG" "$R"
expect "arm64 host, loader.arm64 not installed: exit 2" 2 env LUGATE_LIBDIR="$W/lib" "$L" load --kexec "$K" --runtime-dir "$R" \
  --kernel "$W/arm64-target.img" --handoff "$W/t.bin" --dry-run
expect_err_line 'the loader (loader.arm64) is not installed (looked in $LUGATE_LIBDIR)'
fake_system
expect "x86_64 host, an arm64 Image kernel: exit 2" 2 loadk --kernel "$W/arm64-target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "kernel $W/arm64-target.img: lugate's loader cannot boot it"
fake_system; echo riscv64 >"$S/proc/sys/kernel/arch"
expect "a machine lugate has no loader for: exit 2" 2 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "load: lugate has no loader for this machine (riscv64); it stages on x86_64 and aarch64"
check "... kexec not run, no runtime folder" bash -c '[ ! -e "$1" ] && [ ! -e "$2" ]' _ "$FAKE_KEXEC_LOG" "$R"

# ---- unreadable inputs: exit 2, one line ------------------------------------------------------------
fake_system
expect "kernel missing" 2 load --kernel "$W/nope.img" --handoff "$W/t.bin"
expect_err_line "nope.img"
expect "initrd missing" 2 load --kernel "$W/target.img" --initrd "$W/nope.gz" --handoff "$W/t.bin" --dry-run
expect_err_line "initrd $W/nope.gz: No such file or directory"
mkdir -p "$W/with space"; cp "$W/initrd.img" "$W/with space/i.img"
expect "a path with a space" 2 load --kernel "$W/target.img" --initrd "$W/with space/i.img" --handoff "$W/t.bin" --dry-run
expect_err_line "cannot pass a path containing white space"
expect "loader not found" 2 env LUGATE_LIBDIR="$W/nolib" "$L" load --kexec "$K" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line 'the loader (loader.elf) is not installed (looked in $LUGATE_LIBDIR)'
head -c 100 "$W/t.bin" >"$W/trunc.bin"
expect "a truncated table" 2 load --kernel "$W/target.img" --handoff "$W/trunc.bin"
expect_err_line "trunc.bin"
expect "a corrupt kernel image" 2 load --kernel "$W/initrd.img" --handoff "$W/t.bin"
expect_err_line "initrd.img"

# ---- the runtime folder: the caller's own, private, not a symbolic link (else exit 3) -------------
snap() { stat -c '%i %Y %s' "$1" && sha256sum <"$1"; }   # inode, mtime, size, bytes
unstaged() {  # unstaged NAME DIR: kexec not run, DIR holds no staged file (nor a temporary one)
  check "$1: kexec not run, nothing written in $2" bash -c '[ ! -e "$1" ] && [ -z "$(ls -A "$2" 2>/dev/null)" ]' _ "$FAKE_KEXEC_LOG" "$2"
}
fake_system
D=$W/rd
if [ "$(id -u)" -eq 0 ]; then
  rm -rf "$D"; mkdir -m 0777 "$D"; chmod 0777 "$D"; chown 65534 "$D"; rm -f "$FAKE_KEXEC_LOG"
  expect "runtime dir mode 0777 owned by nobody: exit 3" 3 load --runtime-dir "$D" --kernel "$W/target.img" --handoff "$W/t.bin"
  expect_err_line "the runtime folder $D is owned by uid 65534, not by the caller (uid 0)"
  unstaged "runtime dir owned by nobody" "$D"
  chmod 0700 "$D"
  expect "runtime dir 0700 but owned by nobody: exit 3 (dry run too)" 3 load --runtime-dir "$D" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
  expect_err_line "is owned by uid 65534, not by the caller"
  unstaged "runtime dir owned by nobody, dry run" "$D"
fi
rm -rf "$D"; mkdir "$D"; chmod 0770 "$D"
expect "group-writable runtime dir: exit 3" 3 load --runtime-dir "$D" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "the runtime folder $D is writable by its group or others (mode 0770)"
unstaged "group-writable runtime dir" "$D"
chmod 0703 "$D"
expect "other-writable runtime dir: exit 3" 3 load --runtime-dir "$D" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "writable by its group or others (mode 0703)"
unstaged "other-writable runtime dir" "$D"
chmod 0700 "$D"; ln -sfn "$D" "$W/rd-link"
expect "symlinked runtime dir: exit 3" 3 load --runtime-dir "$W/rd-link" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "the runtime folder $W/rd-link is a symbolic link; lugate does not follow it"
unstaged "symlinked runtime dir (its target)" "$D"
ln -sfn "$W/nowhere" "$W/rd-dangling"
expect "a dangling symlink as runtime dir: exit 3, nothing made where it points" 3 load --runtime-dir "$W/rd-dangling" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "is a symbolic link"
check "... $W/nowhere was not created" test ! -e "$W/nowhere"
printf x >"$W/rd-file"
expect "a regular file as runtime dir: exit 3" 3 load --runtime-dir "$W/rd-file" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "cannot open the runtime folder $W/rd-file"
chmod 0755 "$D"
expect "an existing runtime dir of the caller, 0755: staged" 0 load --runtime-dir "$D" --kernel "$W/target.img" --handoff "$W/t.bin"
check "... with its sealed table and staged.id, and no temporary or backup file left" bash -c '[ "$(ls -A "$1" | xargs)" = "staged.id table.sealed" ] && grep -qxE -- "--module=$1/table.sealed role=table *" "$2"' _ "$D" "$FAKE_KEXEC_LOG"
check "... the folder's mode is left as it was" bash -c '[ "$(stat -c %a "$1")" = 755 ]' _ "$D"
# the default, /run/lugate: here under LUGATE_SYSROOT (the fake system's run/lugate)
fake_system; mkdir -p "$S/run"
expect "default runtime dir (/run/lugate): made 0700, staged there" 0 "$L" load --kexec "$K" --loader "$LOADER" --kernel "$W/target.img" --handoff "$W/t.bin"
check "... $S/run/lugate is 0700 with the sealed table, named on the kexec command line" bash -c '[ "$(stat -c %a "$1")" = 700 ] && [ -f "$1/table.sealed" ] && grep -qxE -- "--module=$1/table.sealed role=table *" "$2"' _ "$S/run/lugate" "$FAKE_KEXEC_LOG"
chmod 0777 "$S/run/lugate"; rm -f "$FAKE_KEXEC_LOG"; before=$(snap "$S/run/lugate/table.sealed")
expect "default runtime dir made world-writable: exit 3" 3 "$L" load --kexec "$K" --loader "$LOADER" --kernel "$W/target.img" --handoff "$W/t.bin"
expect_err_line "the runtime folder $S/run/lugate is writable by its group or others (mode 0777)"
check "... kexec not run, its sealed table untouched" bash -c '[ ! -e "$1" ] && [ "$(stat -c "%i %Y %s" "$2" && sha256sum <"$2")" = "$3" ]' _ "$FAKE_KEXEC_LOG" "$S/run/lugate/table.sealed" "$before"
rm -rf "$S/run/lugate"; ln -s "$W/rd" "$S/run/lugate"
expect "default runtime dir a symlink: exit 3" 3 "$L" load --kexec "$K" --loader "$LOADER" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_err_line "the runtime folder $S/run/lugate is a symbolic link"

# ---- a failed verb writes nothing: the previous table.sealed keeps its bytes, inode and mtime -------
fake_system; rm -rf "$R"
expect "stage once (the previous table)" 0 load --kernel "$W/target.img" --handoff "$W/t.bin"
touch -d 2020-01-01 "$R/table.sealed"; before=$(snap "$R/table.sealed"); cp "$R/staged.id" "$W/staged.id.before"
kept() {  # kept NAME: table.sealed and staged.id are the previous ones, alone in the folder
  check "$1: the previous table.sealed is unchanged (bytes, inode, mtime), staged.id too, nothing else in $R" bash -c \
    '[ "$(stat -c "%i %Y %s" "$1/table.sealed" && sha256sum <"$1/table.sealed")" = "$2" ] && [ "$(ls -A "$1" | xargs)" = "staged.id table.sealed" ] && cmp -s "$1/staged.id" "$3"' _ "$R" "$before" "$W/staged.id.before"
}
mkdir -p "$W/sp ace"; cp "$W/target.img" "$W/sp ace/target.img"; rm -f "$FAKE_KEXEC_LOG"
expect "a kernel path with a space: exit 2" 2 load --kernel "$W/sp ace/target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img"
expect_err_line "kernel $W/sp ace/target.img: kexec-tools cannot pass a path containing white space"
kept "kernel path with a space"
check "... kexec not run" test ! -e "$FAKE_KEXEC_LOG"
expect "a fallback path with a space: exit 2" 2 load --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/sp ace/target.img"
expect_err_line "cannot pass a path containing white space"
kept "fallback path with a space"
expect "a refused target: exit 1" 1 load --kernel "$W/bad.img" --handoff "$W/t.bin"
kept "refused target"
expect "the loader missing: exit 2" 2 load --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img" --loader "$W/no-loader"
kept "loader missing"
expect "kexec fails: exit 3" 3 env FAKE_KEXEC_FAIL=1 "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$R" \
  --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img"
check "kexec fails: kexec ran with the new table at the staged path" grep -qxE -- "--module=$R/table.sealed role=table *" "$FAKE_KEXEC_LOG"
kept "kexec failed: the previous table put back"
echo 0 >"$S/sys/kernel/kexec_loaded"
expect "kexec runs but nothing is loaded: exit 3" 3 env FAKE_KEXEC_NOLOAD=1 "$L" load --kexec "$K" --loader "$LOADER" --runtime-dir "$R" \
  --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img"
kept "nothing loaded: the previous table put back"
rm -rf "$W/fresh"
expect "kexec fails with a runtime dir this run made: exit 3" 3 env FAKE_KEXEC_FAIL=1 "$L" load --kexec "$K" --loader "$LOADER" \
  --runtime-dir "$W/fresh" --kernel "$W/target.img" --handoff "$W/t.bin"
check "... the folder it made is gone again" test ! -e "$W/fresh"
expect "stage again with the fallback: a new table replaces the previous" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/fallback.img"
check "... table.sealed is the new one (it seals the fallback), alone with a new staged.id" bash -c '! cmp -s "$1/table.sealed" "$2" && [ "$(ls -A "$1" | xargs)" = "staged.id table.sealed" ] && ! cmp -s "$1/staged.id" "$3"' _ "$R" "$W/sealed-nofb.bin" "$W/staged.id.before"

# ---- the command line: printable ASCII within both kernels' cmdline_size, on both paths -----------
# a fallback whose setup header declares cmdline_size 255 (the tiny target's is 2047)
python3 -c 'import sys, struct; b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into("<I", b, 0x238, 255); open(sys.argv[2], "wb").write(b)' \
  "$IMG" "$W/fallback-255.img"
long2047=$(head -c 2047 /dev/zero | tr '\0' x); long2048=${long2047}x; long3000=$(head -c 3000 /dev/zero | tr '\0' y)
fake_system; rm -rf "$R"; rm -f "$FAKE_KEXEC_LOG"
badline() {  # badline NAME TEXT LOADER-ARGS...: exit 2 with TEXT, nothing staged
  local name=$1 text=$2; shift 2
  expect "$name: exit 2" 2 "$@"
  expect_err_line "$text"
  check "$name: nothing staged" bash -c '[ ! -e "$1" ] && [ ! -e "$2" ]' _ "$FAKE_KEXEC_LOG" "$R"
}
for p in l s; do
  if [ $p = l ]; then run=load; pn="kexec -l"; else run=loadk; pn="kexec -s (KHO)"; fi
  pa=(); [ $p = s ] && pa=(--kho)
  badline "$pn: --append with a newline" "--append: byte 4 is 0x0a: a kernel command line must be printable ASCII" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$(printf 'root\nquiet')"
  badline "$pn: --append with a tab" "--append: byte 4 is 0x09" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$(printf 'root\tquiet')"
  badline "$pn: --append with non-ASCII" "--append: byte 8 is 0xc3" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$(printf 'console=\303\251')"
  badline "$pn: --append with an ESC" "--append: byte 0 is 0x1b" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$(printf '\033[31m')"
  badline "$pn: --append of 2048 characters, cmdline_size 2047" "--append: 2048 characters, more than the 2047 that $W/target.img accepts (its cmdline_size)" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$long2048"
  badline "$pn: --append of 3000 characters" "--append: 3000 characters, more than the 2047" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$long3000"
  badline "$pn: --append over the fallback's cmdline_size (255)" "--append: 300 characters, more than the 255 that $W/fallback-255.img accepts" \
    $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/fallback-255.img" --append "${long2047:0:300}"
  expect "$pn: --append of exactly 2047 characters is staged" 0 $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$long2047" --dry-run
  expect "$pn: 255 characters fit the fallback too" 0 $run "${pa[@]}" --kernel "$W/target.img" --handoff "$W/t.bin" \
    --fallback "$W/fallback-255.img" --append "${long2047:0:255}" --dry-run
  rm -rf "$R"
done
expect "bundle of the 2047-character line holds it whole" 0 bash -c 'loadk() { env LUGATE_LIBDIR="$1" "$2" load --kexec "$3" --runtime-dir "$4" "${@:5}"; }
  loadk "$@" --kho --dry-run && "$2" bundle show --json "$4/bundle.bin"' _ "$W/lib" "$L" "$K" "$R" --kernel "$W/target.img" --handoff "$W/t.bin" --append "$long2047"
python3 - "$OUT" <<'PY' && echo "ok - the bundle's cmdline entry is the whole 2047-character line" || echo "not ok - the bundle's cmdline entry is the whole 2047-character line"
import json, sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index("{"):])
c = [e for e in j["entries"] if e["role"] == "cmdline"][0]
assert c["text"] == "x" * 2047 and c["size"] == 2047, c["size"]
PY
rm -rf "$R"
# --reuse-cmdline: /proc/cmdline is read whole (it was cut at 4096 bytes), then the same rule
echo "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 $long3000" >"$S/proc/cmdline"
badline "--reuse-cmdline, /proc/cmdline over cmdline_size" "--reuse-cmdline: 3015 characters, more than the 2047 that $W/target.img accepts" \
  load --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline
head -c 5000 /dev/zero | tr '\0' z >"$S/proc/cmdline"
badline "--reuse-cmdline, a 5000-byte /proc/cmdline (once cut at 4096 without a word)" "--reuse-cmdline: 5000 characters, more than the 2047" \
  loadk --kho --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline
head -c 70000 /dev/zero | tr '\0' z >"$S/proc/cmdline"
badline "--reuse-cmdline, /proc/cmdline over 64 KiB" "--reuse-cmdline: the running kernel's command line ($S/proc/cmdline) is longer than 65536 bytes" \
  load --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline
printf 'root=/dev/vda1\tquiet\ncrash\n' >"$S/proc/cmdline"
badline "--reuse-cmdline, a newline inside /proc/cmdline" "--reuse-cmdline: byte 20 is 0x0a" \
  load --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline
rm -f "$S/proc/cmdline"
expect "--reuse-cmdline, /proc/cmdline unreadable: exit 3" 3 load --kernel "$W/target.img" --handoff "$W/t.bin" --reuse-cmdline
expect_err_line "cannot read the running kernel's command line ($S/proc/cmdline)"
check "... nothing staged" bash -c '[ ! -e "$1" ] && [ ! -e "$2" ]' _ "$FAKE_KEXEC_LOG" "$R"

# ---- images lugate's loader cannot boot are not staged ------------------------------------------
cp tests/fuzz/corpus/image/seed-tiny-gzip "$W/tiny-1536.img"
python3 -c 'import sys, struct; b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into("<H", b, 0x236, 0); open(sys.argv[2], "wb").write(b)' \
  "$IMG" "$W/no64.img"
fake_system; rm -rf "$R"; rm -f "$FAKE_KEXEC_LOG"
badline "a 32-bit-only kernel (no XLF_KERNEL_64)" "kernel $W/no64.img: lugate's loader cannot boot it: no 64-bit entry point" \
  load --kernel "$W/no64.img" --handoff "$W/t.bin"
badline "a fallback under 4 KiB" "fallback $W/tiny-1536.img: lugate's loader cannot boot it: too small for a bzImage" \
  load --kernel "$W/target.img" --handoff "$W/t.bin" --fallback "$W/tiny-1536.img"
# ---- --on-stop: what the loader does if it boots nothing (lugate.stop=) -------------------------
fake_system; rm -f "$FAKE_KEXEC_LOG"
expect "--on-stop halt" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --append "root=/dev/vda1" --on-stop halt --dry-run
expect_out "'--command-line=root=/dev/vda1 lugate.stop=halt' "
expect "--on-stop reboot:30" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --append "root=/dev/vda1" --on-stop reboot:30 --dry-run
expect_out "'--command-line=root=/dev/vda1 lugate.stop=reboot:30' "
expect "--on-stop reboot (the default delay, written out)" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --on-stop reboot --dry-run
expect_out " --command-line=lugate.stop=reboot:10 "
expect "--on-stop reboot:0 and reboot:3600" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --on-stop reboot:0 --on-stop reboot:3600 --dry-run
expect_out " --command-line=lugate.stop=reboot:3600 "
expect "no --on-stop: the loader's default, written out" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_out " --command-line=lugate.stop=reboot:10 "
expect "--on-stop halt on the KHO path: the loader's own command line" 0 loadk --kernel "$W/target.img" --handoff "$W/t.bin" --kho --on-stop halt --dry-run
check "KHO dry run: kexec -s -l ... --command-line=lugate.stop=halt" bash -c '[ "$(sed -n 2p "$1")" = "$2" ]' _ "$OUT" \
  "$K -s -l $W/lib/loader.bzImage --initrd=$R/bundle.bin --command-line=lugate.stop=halt"
expect "--on-stop staged: kexec gets the same word" 0 load --kernel "$W/target.img" --handoff "$W/t.bin" --on-stop reboot:5
check "the staged kexec command line ends in lugate.stop=reboot:5" grep -qx -- "--command-line=lugate.stop=reboot:5" "$FAKE_KEXEC_LOG"
for bad in "reboot:x" "reboot:" "reboot:3601" "reboot:99999999999" "reboot:-1" "reboot:+5" "halt:5" "HALT" "reboot 5" ""; do
  fake_system; rm -rf "$FAKE_KEXEC_LOG" "$R"
  expect "--on-stop '$bad' is bad input (exit 2)" 2 load --kernel "$W/target.img" --handoff "$W/t.bin" --on-stop "$bad" --dry-run
  expect_err_line "load: --on-stop $bad: want reboot, reboot:SECONDS (0-3600) or halt"
  check "--on-stop '$bad': nothing sealed, kexec not run" bash -c '[ ! -e "$1" ] && [ ! -e "$2/table.sealed" ]' _ "$FAKE_KEXEC_LOG" "$R"
done
expect "load --help names --on-stop" 0 "$L" load --help
expect_out "--on-stop WHAT"

# ---- idempotent staging: staged.id names what the kernel holds --------------------------------------
# json_field NAME: a field of the last --json run's output, for comparisons
json_field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v if v is not None else "null")' "$OUT" "$1"; }
fake_system; rm -rf "$R" "$FAKE_KEXEC_LOG"
IDEM="--kernel $W/target.img --initrd $W/initrd.img --handoff $W/t.bin --fallback $W/fallback.img --append root=/dev/vda1"
# shellcheck disable=SC2086 # IDEM is a list of words
expect "idempotent: a first load --json stages" 0 load $IDEM --json
check "first load: staged, not already_staged, a 64-digit staged_id" python3 -c '
import json,re,sys; j=json.load(open(sys.argv[1]))
assert j["staged"] is True and j["already_staged"] is False, j
assert re.fullmatch("[0-9a-f]{64}", j["staged_id"]), j["staged_id"]' "$OUT"
id1=$(json_field staged_id)
check "staged.id holds that id, mode 0600, beside the sealed table" bash -c '[ "$(cat "$1/staged.id")" = "$2" ] && [ "$(stat -c %a "$1/staged.id")" = 600 ]' _ "$R" "$id1"
check "the first load ran kexec" test -s "$FAKE_KEXEC_LOG"
rm -f "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "idempotent: the same load again" 0 load $IDEM --json
check "second load: staged, already_staged, the same id" python3 -c '
import json,sys; j=json.load(open(sys.argv[1]))
assert j["staged"] is True and j["already_staged"] is True and j["staged_id"]==sys.argv[2], j' "$OUT" "$id1"
check "the second load did not run kexec" test ! -e "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "idempotent: the same load, text" 0 load $IDEM
expect_out "already staged: "
# shellcheck disable=SC2086
expect "idempotent: the same load --dry-run --json" 0 load $IDEM --dry-run --json
check "dry run of what is staged: already_staged, staged false, kexec not run" bash -c '
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"already_staged\"] is True and j[\"staged\"] is False and j[\"staged_id\"]==sys.argv[2], j" "$1" "$2" && [ ! -e "$3" ]' _ "$OUT" "$id1" "$FAKE_KEXEC_LOG"
head -c 3000 /dev/urandom >"$W/initrd2.img"
# shellcheck disable=SC2086
expect "idempotent: another initrd's bytes stage anew" 0 load ${IDEM/initrd.img/initrd2.img} --json
check "a new initrd: not already_staged, a new id, kexec ran" bash -c '
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"already_staged\"] is False and j[\"staged_id\"]!=sys.argv[2], j" "$1" "$2" && [ -s "$3" ]' _ "$OUT" "$id1" "$FAKE_KEXEC_LOG"
id2=$(json_field staged_id)
rm -f "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "idempotent: the first inputs again" 0 load $IDEM --json
check "back to the first inputs: staged anew with the first id" bash -c '
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"already_staged\"] is False and j[\"staged_id\"]==sys.argv[2], j" "$1" "$2" && [ -s "$3" ]' _ "$OUT" "$id1" "$FAKE_KEXEC_LOG"
echo 0 >"$S/sys/kernel/kexec_loaded"; rm -f "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "idempotent: nothing in the kernel (kexec -u, or after the jump)" 0 load $IDEM --json
check "kexec_loaded 0: staged again although staged.id matches" bash -c '
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"already_staged\"] is False and j[\"staged\"] is True, j" "$1" && [ -s "$2" ]' _ "$OUT" "$FAKE_KEXEC_LOG"
cp "$R/staged.id" "$W/id-copy"; rm -f "$R/staged.id"; ln -s "$W/id-copy" "$R/staged.id"; rm -f "$FAKE_KEXEC_LOG"
# shellcheck disable=SC2086
expect "idempotent: staged.id a symbolic link" 0 load $IDEM --json
check "a symbolic link is not trusted: staged again, the link replaced by a regular file" bash -c '
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"already_staged\"] is False, j" "$1" && [ -s "$2" ] && [ ! -L "$3/staged.id" ] && [ -f "$3/staged.id" ] && [ "$(cat "$4")" = "$5" ]' _ "$OUT" "$FAKE_KEXEC_LOG" "$R" "$W/id-copy" "$id1"
# shellcheck disable=SC2086
FAKE_KEXEC_FAIL=1 expect "idempotent: a failed kexec of new inputs (exit 3)" 3 load ${IDEM/initrd.img/initrd2.img}
check "the failed kexec put staged.id back as it was" bash -c '[ "$(cat "$1/staged.id")" = "$2" ]' _ "$R" "$id1"
check "... and id2 is what the new inputs would have been" test -n "$id2"

# ---- the installed layout: PREFIX/sbin/lugate finds PREFIX/lib/lugate/loader.elf ------------------
[ -n "${LOAD_SUITE_NO_INSTALL:-}" ] && exit 0
D=$W/inst
make -s --no-print-directory install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
fake_system
expect "installed lugate finds its loader" 0 "$D/usr/sbin/lugate" load --kexec "$K" --runtime-dir "$R" --kernel "$W/target.img" --handoff "$W/t.bin" --dry-run
expect_out "$D/usr/lib/lugate/loader.elf"
if [ -s "$B/loader.arm64" ]; then
  check "make install puts loader.arm64 beside the others" cmp "$B/loader.arm64" "$D/usr/lib/lugate/loader.arm64"
  arm64_system
  expect "installed lugate on an arm64 host finds loader.arm64" 0 "$D/usr/sbin/lugate" load --kexec "$K" --runtime-dir "$R" \
    --kernel "$W/arm64-target.img" --handoff "$W/t.bin" --dry-run
  expect_out " -l $D/usr/lib/lugate/loader.arm64 --initrd="
fi
