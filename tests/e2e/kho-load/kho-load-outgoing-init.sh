# Body of /init in the outgoing KHO kernel (tests/e2e/suite-load-kho.sh): preserve a memfd through
# LUO, then, in luo-memfd's child (the session stays held open by luo-memfd), the admin's
# commands (admin.sh): `lugate load` sees KHO, checks, seals, bundles and stages
# `kexec -s -l loader.bzImage`; kexec -e jumps. If the load refuses, nothing is staged and this
# kernel carries on to print its marker.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# the kernel to update to, under the name the admin's commands use
cp "$(arg e2e_target)" /boot/vmlinuz-next
echo "E2E-KHO-OUT: $(ls /sys/kernel/debug/kho/out 2>&1 | tr '\n' ' ')"
/bin/luo-memfd preserve -- /bin/sh /etc/lugate/admin.sh
echo "E2E-STAGE1-RC=$?"
echo "E2E-STAGE1 still running $(uname -r): kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
