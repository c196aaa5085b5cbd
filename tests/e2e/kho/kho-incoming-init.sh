# Body of /init in the kernel the loader boots (tests/e2e/suite-kho.sh): what KHO delivered, the
# preserved memfds of both sessions (every byte, then FINISH), then the lugate delivery record
# (tests/e2e/loader/guest-check.sh is appended after this body by the suite).
dmesg | grep -E 'KHO|luo|liveupdate' | sed 's/^/E2E-DMESG /'
echo "E2E-KHO-IN: $(ls /sys/kernel/debug/kho/in 2>&1 | tr '\n' ' ')"
/bin/luo-memfd kho-info in
/bin/luo-memfd verify
echo "E2E-STAGE2-RC=$?"
/bin/luo-memfd verify --session vm-guest-ram --token 0x1000 --files 3 --size 8197
echo "E2E-STAGE2-VM-RC=$?"
