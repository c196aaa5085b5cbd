# Body of /init in the kernel the loader boots (tests/e2e/suite-kho.sh): what KHO delivered, the
# preserved memfd (every byte, then FINISH), then the lugate delivery record
# (tests/e2e/loader/guest-check.sh is appended after this body by the suite).
dmesg | grep -E 'KHO|luo|liveupdate' | sed 's/^/E2E-DMESG /'
echo "E2E-KHO-IN: $(ls /sys/kernel/debug/kho/in 2>&1 | tr '\n' ' ')"
/bin/luo-memfd kho-info in
/bin/luo-memfd verify
echo "E2E-STAGE2-RC=$?"
