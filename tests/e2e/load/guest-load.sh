# Body of the stage-1 guest's /init for tests/e2e/suite-load-vm.sh: a running Debian kernel (the
# outgoing 6.1.0-55-amd64) with `make install`ed lugate, kexec-tools and two kernels under /boot
# does what an admin does before a live update (README.md, "Admin walk-through": the lines
# between the walk-through markers below are those commands, word for word; the suite compares
# them). lugate_e2e.case=allow: the load stages, `kexec -e` jumps into lugate's loader, which
# boots 6.1.0-56 (its /init is tests/e2e/loader/guest-check.sh). lugate_e2e.case=refuse: the
# 6.1.0-56 image under /boot is one whose manifest lacks a schema; `lugate load` must exit 1,
# stage nothing, and this kernel goes on and prints its marker.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "LUGATE-E2E-STAGE1 $*"; }
run() {  # run CMD...: echo it, run it, report its exit status in $rc
  say "\$ $*"
  "$@"
  rc=$?
  say "exit $rc: $*"
  return 0
}
case=$(arg lugate_e2e.case)
mkdir -p /etc/lugate
if [ "$case" = refuse ]; then
  # the admin was handed a build of 6.1.0-56 whose drivers do not know schema version 2
  mv /boot/incompatible/vmlinuz-6.1.0-56-amd64 /boot/vmlinuz-6.1.0-56-amd64
fi
say "case=$case kernel=$(uname -r) kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
# ---- walk-through begin ----
run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin
run lugate handoff show /run/handoff.bin
run lugate load --kernel /boot/vmlinuz-6.1.0-56-amd64 --initrd /boot/initrd.img-6.1.0-56-amd64 --handoff /run/handoff.bin --fallback /boot/vmlinuz-6.1.0-55-amd64 --fallback-initrd /boot/initrd.img-6.1.0-55-amd64 --reuse-cmdline --dry-run
run lugate load --kernel /boot/vmlinuz-6.1.0-56-amd64 --initrd /boot/initrd.img-6.1.0-56-amd64 --handoff /run/handoff.bin --fallback /boot/vmlinuz-6.1.0-55-amd64 --fallback-initrd /boot/initrd.img-6.1.0-55-amd64 --reuse-cmdline
run cat /sys/kernel/kexec_loaded
if [ "$(cat /sys/kernel/kexec_loaded)" != 1 ]; then
  say "still running $(uname -r) after the refusal: nothing staged, nothing lost"
  poweroff -f
fi
say "sealed table sha256=$(sha256sum /run/lugate/table.sealed | cut -d' ' -f1)"
run kexec -e
# ---- walk-through end ----
say "FAIL kexec -e returned"
