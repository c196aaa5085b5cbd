# The admin's commands on a KHO host (docs/live-update.md, "KHO hosts"), run by stage1.sh in
# luo-memfd's child. Each is echoed with its exit status for the suite to assert.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
run() { echo "E2E-ADMIN \$ $*"; "$@"; rc=$?; echo "E2E-ADMIN exit $rc: $1 ${2:-}"; return $rc; }
target=$(cat /etc/lugate/target)
run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin || exit 1
run lugate handoff show /run/handoff.bin
run lugate load --kernel "$target" --initrd /boot/initrd.img --handoff /run/handoff.bin \
  --fallback /boot/vmlinuz-fallback --fallback-initrd /boot/initrd.img --reuse-cmdline --dry-run
run lugate load --kernel "$target" --initrd /boot/initrd.img --handoff /run/handoff.bin \
  --fallback /boot/vmlinuz-fallback --fallback-initrd /boot/initrd.img --reuse-cmdline || exit 1
echo "E2E-ADMIN kexec_loaded=$(cat /sys/kernel/kexec_loaded) sealed_sha256=$(sha256sum /run/lugate/table.sealed | cut -d' ' -f1)"
run kexec -e
echo "E2E-ADMIN kexec -e returned"
exit 1
