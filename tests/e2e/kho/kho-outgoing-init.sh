# Body of /init in the first (outgoing) kernel (tests/e2e/suite-kho.sh): preserve memfds through
# /dev/liveupdate in two sessions ("lugate-e2e": one 4 MiB memfd; "vm-guest-ram": three small
# ones), then, in the innermost luo-memfd's child (each session stays held by its luo-memfd),
# load lugate's bzImage64 loader with the bundle through kexec_file_load and jump.
echo "E2E-KHO-OUT: $(ls /sys/kernel/debug/kho/out 2>&1 | tr '\n' ' ')"
echo "E2E-KHO-SCRATCH phys=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_phys) len=$(tr '\n' ' ' </sys/kernel/debug/kho/out/scratch_len)"
/bin/luo-memfd kho-info out
/bin/luo-memfd preserve -- /bin/luo-memfd preserve --session vm-guest-ram --token 0x1000 --files 3 --size 8197 -- /bin/e2e-kexec
echo "E2E-STAGE1-RC=$?"
