# The admin's commands on a KHO host, run by kho-load-outgoing-init.sh in luo-memfd's child; each is echoed
# with its exit status for the suite to assert. The `run` lines between the walk-through markers
# are, word for word, the block in docs/live-update.md ("KHO hosts"); the suite compares them.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
run() { echo "E2E-ADMIN \$ $*"; "$@"; rc=$?; echo "E2E-ADMIN exit $rc: $1 ${2:-}"; return $rc; }
# ---- walk-through begin ----
run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin || exit 1
run lugate handoff show /run/handoff.bin
run lugate load --kernel /boot/vmlinuz-next --initrd /boot/initrd.img-next --handoff /run/handoff.bin --fallback /boot/vmlinuz-current --fallback-initrd /boot/initrd.img-current --reuse-cmdline --dry-run
run lugate load --kernel /boot/vmlinuz-next --initrd /boot/initrd.img-next --handoff /run/handoff.bin --fallback /boot/vmlinuz-current --fallback-initrd /boot/initrd.img-current --reuse-cmdline || exit 1
echo "E2E-ADMIN kexec_loaded=$(cat /sys/kernel/kexec_loaded) sealed_sha256=$(sha256sum /run/lugate/table.sealed | cut -d' ' -f1)"
run kexec -e
# ---- walk-through end ----
echo "E2E-ADMIN kexec -e returned"
exit 1
