# Body of the /init of tests/e2e-arm64/suite-efi-arm64.sh's guest (after tests/e2e/lib.sh's
# prologue, which mounts /proc, /sys and /dev): finds what build/lugate-aa64.efi delivered, by
# the route the app publishes, the EFI configuration table {17fa1e4e-7e9c-4fb8-8f81-e6cebf615530}.
#
# The kernel's EFI stub names the system table's physical address in the DTB it hands over
# (/chosen linux,uefi-system-table). AAVMF boots the kernel with ACPI, so the DTB is never
# unflattened into /proc/device-tree: the property is read from the raw blob, /sys/firmware/fdt
# (its 8-byte value after the FDT_PROP token, length 8 and the name's string offset). The suite boots with efi=novamap so the firmware never
# converts the table's pointers to virtual ones. The system table and the configuration table
# array are EfiRuntimeServicesData and the record EfiReservedMemoryType: on arm64 all three
# are "nomap" (outside the linear map, "reserved" in /proc/iomem), so only an mmap of /dev/mem
# (busybox devmem) reaches them. Prints
#   LUGATE-E2E kernel=<uname -r> st=0x.. entries=N config_table=0x.. record=0x.. iomem=<name>
#   LUGATE-E2E-REC <16 hex digits> ...    the record's 64-bit words as devmem reads them
#   LUGATE-E2E-REC-END words=N
# and the suite turns the words back into bytes and compares them with what it sealed.
rec_say() { echo "LUGATE-E2E $*"; }
rec_find() {
  local st ct n i base ptr=""
  [ -d /sys/firmware/efi ] || { rec_say "kernel=$(uname -r) FAIL not booted through EFI"; return; }
  st=$(od -An -tu1 -v /sys/firmware/fdt 2>/dev/null | tr -s ' \n' '\n\n' | grep . | awk '
    { b[NR - 1] = $1 + 0 }
    function be(o) { return ((b[o] * 256 + b[o + 1]) * 256 + b[o + 2]) * 256 + b[o + 3] }
    END {
      ds = be(8); dstr = be(12); name = -1
      for (o = dstr; o < NR; o = k + 1) {
        t = ""; for (k = o; k < NR && b[k] != 0; k++) t = t sprintf("%c", b[k])
        if (t == "linux,uefi-system-table") { name = o - dstr; break }
      }
      for (o = ds; name >= 0 && o + 20 <= NR; o += 4)
        if (be(o) == 3 && be(o + 4) == 8 && be(o + 8) == name) { printf "0x%08x%08x\n", be(o + 12), be(o + 16); exit }
    }')
  [ -n "$st" ] || { rec_say "kernel=$(uname -r) FAIL no linux,uefi-system-table in /sys/firmware/fdt"; return; }
  n=$(devmem $((st + 0x68)) 64)
  ct=$(devmem $((st + 0x70)) 64)
  i=0
  while [ "$i" -lt $((n)) ] && [ "$i" -lt 64 ]; do
    base=$((ct + 24 * i))
    if [ "$(devmem "$base" 64)" = 0x4FB87E9C17FA1E4E ] && [ "$(devmem $((base + 8)) 64)" = 0x305315F6CBE6818F ]; then
      ptr=$(devmem $((base + 16)) 64)
      break
    fi
    i=$((i + 1))
  done
  [ -n "$ptr" ] || { rec_say "kernel=$(uname -r) st=$st entries=$((n)) config_table=$ct FAIL no lugate table"; return; }
  rec_say "kernel=$(uname -r) st=$st entries=$((n)) config_table=$ct record=$ptr" \
    "iomem=$(grep -i "^ *$(printf '%08x' "$ptr")-" /proc/iomem | sed 's/.*: //' | tr ' ' _)"
  # the header (200 bytes), its table_size (offset 28), then the words of header and table
  n=$(( (200 + ($(devmem $((ptr + 24)) 64) >> 32) + 7) / 8 ))
  i=0 line=""
  while [ "$i" -lt "$n" ]; do
    line="$line $(devmem $((ptr + 8 * i)) 64)"
    i=$((i + 1))
    [ $((i % 8)) -eq 0 ] && { echo "LUGATE-E2E-REC$line"; line=""; }
  done
  [ -n "$line" ] && echo "LUGATE-E2E-REC$line"
  echo "LUGATE-E2E-REC-END words=$n"
}
rec_find
