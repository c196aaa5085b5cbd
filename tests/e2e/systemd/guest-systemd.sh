#!/bin/sh
# The admin's side of tests/e2e/suite-systemd.sh, run by lugate-e2e.service in a Debian 12 guest
# booted with systemd as init. Every line for the suite starts "SD-E2E " and goes to the serial
# console; the suite asserts on those lines only.
#
# Stage 1 (the image that still carries /boot/initrd.img-*, i.e. before any jump):
#   case allow:   lugate handoff build --from-running, lugate load, systemctl kexec.
#   case changed: lugate load --dry-run seals the table and prints the kexec command; then the
#                 target image changes (one byte), the printed command is run as printed, and
#                 systemctl kexec: the loader must refuse (image-mismatch) and boot the fallback.
# Stage 2 (the kernel the loader booted): what systemd's boot assessment and lugate say.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TARGET=6.1.0-56-amd64
FALLBACK=6.1.0-55-amd64
say() { echo "SD-E2E $*"; }
run() {  # run CMD...: echo it, run it with each output line prefixed, report its exit status
  say "\$ $*"
  "$@" >/run/e2e.out 2>&1
  rc=$?
  sed 's/^/SD-E2E | /' /run/e2e.out
  say "exit $rc: $*"
  return 0
}
case_=$(sed -n 's/.*lugate_e2e\.case=\([a-z]*\).*/\1/p' /proc/cmdline)
LOAD="lugate load --kernel /boot/vmlinuz-$TARGET --initrd /boot/initrd.img-$TARGET --handoff /run/handoff.bin --fallback /boot/vmlinuz-$FALLBACK --fallback-initrd /boot/initrd.img-$FALLBACK --reuse-cmdline"
LOAD2="lugate load --kernel /boot/vmlinuz-$TARGET --handoff /run/handoff.bin --fallback /boot/vmlinuz-$FALLBACK --reuse-cmdline"

if [ -e "/boot/initrd.img-$TARGET" ]; then
  say "stage=1 case=$case_ kernel=$(uname -r) init=$(cat /proc/1/comm) systemd=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') kexec_loaded=$(cat /sys/kernel/kexec_loaded) firmware_efi=$([ -d /sys/firmware/efi ] && echo yes || echo no)"
  say "LOAD_KEXEC: $(grep -s '^LOAD_KEXEC' /etc/default/kexec || echo unset)"
  run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin
  run lugate handoff show /run/handoff.bin
  if [ "$case_" = changed ]; then
    $LOAD --dry-run >/run/kexec-command 2>/run/e2e.err
    say "exit $?: $LOAD --dry-run"
    sed 's/^/SD-E2E | /' /run/kexec-command /run/e2e.err
    # A package upgrade rewrites the image after the table was sealed to it.
    size=$(stat -c %s "/boot/vmlinuz-$TARGET")
    printf 'X' | dd of="/boot/vmlinuz-$TARGET" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    say "changed one byte of /boot/vmlinuz-$TARGET after sealing"
    grep '^/' /run/kexec-command >/run/kexec-command.sh   # the command; the verdict line is above it
    run sh /run/kexec-command.sh
  else
    run $LOAD
  fi
  say "kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
  # systemctl decides here whether to load a kernel of its own; its debug log says which.
  say "\$ systemctl kexec"
  SYSTEMD_LOG_LEVEL=debug systemctl kexec 2>&1 | sed 's/^/SD-E2E | /'
  say "systemctl kexec returned"
  exit 0
fi

# ---- stage 2 ----
say "stage=2 case=$case_ kernel=$(uname -r) kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
say "lugate-status: ActiveState=$(systemctl show -P ActiveState lugate-status.service) Result=$(systemctl show -P Result lugate-status.service)"
run systemctl is-active lugate-status
run systemctl is-active boot-complete.target
run lugate status --json
run lugate status
run lugate history
run lugate history --json
# The EFI checks (tests/e2e/lib.sh e2e_efi_probe_sh): what the firmware handed on reached this kernel.
. /usr/libexec/lugate-e2e/efi-probe.sh
efi_probe | sed 's/^/SD-E2E /'
if [ "$case_" = changed ]; then
  # The same pair again, with the image the table was sealed to: known-bad now.
  run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin
  run lugate check --handoff /run/handoff.bin --kernel "/boot/vmlinuz-$TARGET"
  # The image is the one sealed (this boot's /boot is fresh); no initrd: the pair is the point.
  run $LOAD2
  say "kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
fi
say "END"
systemctl poweroff --force --force
