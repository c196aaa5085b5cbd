# Body of the EFI e2e guest's /init, run before tests/e2e/loader/guest-check.sh (which then
# checks the setup_data delivery record and powers off). This part proves the second route of
# lugate.efi's delivery: the EFI configuration table {17fa1e4e-7e9c-4fb8-8f81-e6cebf615530}.
#
# Linux does not export unknown configuration tables, but x86 publishes the physical address of
# the table array in /sys/firmware/efi/config_table (for kexec). The array (24-byte entries:
# GUID, then the 64-bit VendorTable pointer) lives in EfiRuntimeServicesData and the record in
# EfiReservedMemoryType pages: both are e820 "reserved", not RAM, so /dev/mem may read them
# (STRICT_DEVMEM only forbids RAM). Prints:
#   LUGATE-EFI efi=yes config_table=0x... entry=N record=0x... record_size=N sha256=... same_as_setup_data=yes|no
#   LUGATE-EFI FAIL <why>     (this part never powers off: guest-check.sh still reports)
efi_say() { echo "LUGATE-EFI $*"; }
efi_le64() { sed 's/../& /g' | awk '{ s = ""; for (i = NF; i > 0; i--) s = s $i; print s }'; }
efi_check() {
  local guid=4e1efa179c7eb84f8f81e6cbf6155330 ct i line ptr tsize total d sd=""
  [ -d /sys/firmware/efi ] || { efi_say "FAIL the kernel was not booted through EFI (no /sys/firmware/efi)"; return; }
  ct=$(cat /sys/firmware/efi/config_table 2>/dev/null) || { efi_say "FAIL no /sys/firmware/efi/config_table"; return; }
  dd if=/dev/mem bs=1 skip=$((ct)) count=$((64 * 24)) 2>/dev/null | od -An -v -tx1 -w24 | tr -d ' ' >/tmp/efi-ct
  [ -s /tmp/efi-ct ] || { efi_say "FAIL cannot read the configuration table array at $ct from /dev/mem"; return; }
  i=0 ptr=""
  while read -r line; do
    case "$line" in "$guid"*) ptr=$(echo "$line" | cut -c33-48 | efi_le64); break ;; esac
    i=$((i + 1))
  done </tmp/efi-ct
  [ -n "$ptr" ] || { efi_say "FAIL no lugate configuration table among the first 64 entries at $ct"; return; }
  dd if=/dev/mem bs=1 skip=$((0x$ptr)) count=200 2>/dev/null >/tmp/efi-head
  tsize=$(od -An -tu4 -j 28 -N 4 /tmp/efi-head | tr -d ' ')
  [ "$(head -c 8 /tmp/efi-head)" = LUGDELIV ] && [ -n "$tsize" ] ||
    { efi_say "FAIL no LUGDELIV record at 0x$ptr"; return; }
  total=$((200 + tsize))
  dd if=/dev/mem bs=1 skip=$((0x$ptr)) count=$total 2>/dev/null >/tmp/efi-record
  for d in /sys/kernel/boot_params/setup_data/*/; do
    [ "$(cat "$d/type" 2>/dev/null)" = 0x4c554741 ] && sd=$d/data
  done
  same=no
  [ -n "$sd" ] && cmp -s /tmp/efi-record "$sd" && same=yes
  efi_say "efi=yes config_table=$ct entry=$i record=0x$ptr record_size=$(wc -c </tmp/efi-record | tr -d ' ') sha256=$(sha256sum /tmp/efi-record | cut -d' ' -f1) same_as_setup_data=$same"
}
efi_check
