# Body of /init in the first (outgoing) kernel (tests/e2e/suite-kho.sh): preserve a memfd through
# /dev/liveupdate, then, in luo-memfd's child (the session stays held), load lugate's bzImage64
# loader with the bundle through kexec_file_load and jump.
echo "E2E-KHO-OUT: $(ls /sys/kernel/debug/kho/out 2>&1 | tr '\n' ' ')"
echo "E2E-KHO-SCRATCH phys=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_phys) len=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_len)"
/bin/luo-memfd kho-info out
/bin/luo-memfd preserve -- /bin/e2e-kexec
echo "E2E-STAGE1-RC=$?"
