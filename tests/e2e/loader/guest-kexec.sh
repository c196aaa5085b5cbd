# Body of the stage-1 guest's /init for the loader's kexec cases: a running Linux loads
# build/loader.elf with kexec-tools as a Multiboot (lugate_e2e.kexec=mb1) or Multiboot2
# (lugate_e2e.kexec=mb2) image, with the modules under /boot, and jumps. kexec-tools puts the
# small modules and the boot information below 1 MiB. The loader's command line is read from
# /boot/loader.cmdline. Prints LUGATE-E2E-STAGE1 lines; a failure prints LUGATE-E2E FAIL.
mode=$(arg lugate_e2e.kexec)
case "$mode" in
  mb1) type=multiboot-x86 ;;
  mb2) type=multiboot2-x86 ;;
  *) echo "LUGATE-E2E FAIL stage 1: lugate_e2e.kexec=$mode"; poweroff -f ;;
esac
echo "LUGATE-E2E-STAGE1 kernel=$(uname -r) kexec --type $type /boot/loader.elf"
if ! kexec -l --type "$type" /boot/loader.elf --command-line="$(cat /boot/loader.cmdline)" \
     --module="/boot/target.img role=kernel" --module="/boot/table.bin role=table" \
     --module="/boot/initrd.gz role=initrd"; then
  echo "LUGATE-E2E FAIL stage 1: kexec -l --type $type failed"
  poweroff -f
fi
echo "LUGATE-E2E-STAGE1 loaded, executing"
kexec -e
echo "LUGATE-E2E FAIL stage 1: kexec -e returned"
