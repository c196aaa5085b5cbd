# The hand-over of tests/e2e/suite-skew.sh, run in luo-memfd's child while every session of
# stage 1 is held. Modes (kernel command line e2e_mode=):
#   plain   upstream's way: kexec -s the target with the stage-2 initramfs, no lugate
#   load    the admin's way: `lugate load` each target in e2e_refuse (each must be refused:
#           its exit status and /sys/kernel/kexec_loaded are printed), then `lugate load` the
#           target e2e_target and kexec -e
#   loader  lugate's loader with a bundle sealed on the host (no pre-flight in the guest):
#           kexec -s the loader with /boot/bundle-<target>.bin as its initrd
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
CMDLINE=$(cat /proc/cmdline)
arg() { local w; for w in $CMDLINE; do case "$w" in "$1"=*) echo "${w#*=}"; return 0 ;; esac; done; return 1; }
run() { echo "SKEW-ADMIN \$ $*"; "$@"; rc=$?; echo "SKEW-ADMIN exit $rc: $1 ${2:-}"; return $rc; }
target=$(arg e2e_target)
case "$(arg e2e_mode)" in
  plain)
    /sbin/kexec -s -l "/boot/vmlinuz-$target" --initrd=/boot/stage2.gz \
      --append="console=ttyS0 panic=-1 kho=on liveupdate=on e2e_stage=2" || { echo "SKEW-KEXEC-LOAD-FAILED"; exit 1; }
    echo "SKEW-KEXEC-LOADED plain $target"
    /sbin/kexec -e ;;
  load)
    run lugate handoff build --from-running --devices /etc/lugate/devices.json -o /run/handoff.bin || exit 1
    for r in $(arg e2e_refuse | tr , ' '); do
      run lugate load --kernel "/boot/vmlinuz-$r" --initrd /boot/initrd.img-next --handoff /run/handoff.bin \
        --fallback /boot/vmlinuz-current --fallback-initrd /boot/initrd.img-current --reuse-cmdline
      loaded=$(cat /sys/kernel/kexec_loaded)
      echo "SKEW-LOAD target=$r exit=$rc kexec_loaded=$loaded"
      # a wrong "allow" must not leak into the next case
      [ "$loaded" = 0 ] || /sbin/kexec -s -u
    done
    run lugate load --kernel "/boot/vmlinuz-$target" --initrd /boot/initrd.img-next --handoff /run/handoff.bin \
      --fallback /boot/vmlinuz-current --fallback-initrd /boot/initrd.img-current --reuse-cmdline || exit 1
    echo "SKEW-LOAD target=$target exit=0 kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
    run kexec -e ;;
  loader)
    /sbin/kexec -s -l /boot/loader.bzImage --initrd="/boot/bundle-$target.bin" --append="console=ttyS0 lugate.vga=0" ||
      { echo "SKEW-KEXEC-LOAD-FAILED"; exit 1; }
    echo "SKEW-KEXEC-LOADED loader $target"
    /sbin/kexec -e ;;
  *) echo "SKEW-BAD-MODE" ;;
esac
echo "SKEW-KEXEC-EXEC-FAILED"
exit 1
