#!/usr/bin/env bash
# TAP suite: the freestanding build of the core is fit for bare metal (loader, EFI app).
#
# Proves, on $BUILD/freestanding/liblugate-core.a (handoff/*.c + libfdt, -ffreestanding):
#  - the only symbols it leaves undefined are the small libc below (plus the linker-made
#    _GLOBAL_OFFSET_TABLE_ that -fpie code names); every one of them is defined by
#    liblugate-libc.a, with memcpy and memset in objects of their own (the EFI app drops them
#    for gnu-efi's);
#  - no stack-protector canary reads (%fs:0x28) and no __stack_chk_fail: there is no TLS;
#  - position independence: no R_X86_64_32/32S relocation in any loadable section;
#  - the freestanding smoke program (core + libc linked like the loader, no libc) computes
#    the same results as the host build.
#
# The allowed undefined set (keep in sync with LUGATE_LIBC_SYMBOLS in mk/20-freestanding.mk
# and handoff/freestanding/string.h):
#   memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strchr strrchr
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
B=${BUILD:-build}
CORE=$B/freestanding/liblugate-core.a
LIBC=$B/freestanding/liblugate-libc.a
SMOKE=$B/freestanding/smoke
ALLOWED="memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strchr strrchr"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; }

for f in "$CORE" "$LIBC" "$SMOKE"; do
  if [ -s "$f" ]; then ok "$f built"; else nok "$f built (run make freestanding / make check)"; fi
done
[ -s "$CORE" ] && [ -s "$LIBC" ] || exit 1

# Defined and undefined global symbols of the whole archive.
nm "$CORE" 2>/dev/null | awk '$1=="U"{print $2}' | sort -u >"$tmp/undef"
nm "$CORE" 2>/dev/null | awk 'NF==3 && $2 ~ /^[TDRBVWC]$/ {print $3}' | sort -u >"$tmp/def"
comm -23 "$tmp/undef" "$tmp/def" >"$tmp/external"
printf '%s\n' $ALLOWED _GLOBAL_OFFSET_TABLE_ | sort -u >"$tmp/allowed"
extra=$(comm -23 "$tmp/external" "$tmp/allowed" | tr '\n' ' ')
if [ -z "$extra" ]; then ok "core leaves only libc symbols undefined ($(tr '\n' ' ' <"$tmp/external"))"
else nok "core references symbols outside the documented set: $extra"; fi

# Sanity of the check itself: the archive must really reference some of the libc set.
if grep -qx memcpy "$tmp/external" && grep -qx strlen "$tmp/external"; then
  ok "undefined-symbol check sees the libc references"
else nok "undefined-symbol check saw no memcpy/strlen reference: nm output unusable?"; fi

nm "$LIBC" 2>/dev/null | awk 'NF==3 && $2=="T"{print $3}' | sort -u >"$tmp/libc_def"
missing=$(comm -13 "$tmp/libc_def" <(printf '%s\n' $ALLOWED | sort -u) | tr '\n' ' ')
if [ -z "$missing" ]; then ok "liblugate-libc.a defines the whole allowed set"
else nok "liblugate-libc.a lacks: $missing"; fi

for fn in memcpy memset; do
  members=$(nm -A "$LIBC" 2>/dev/null | awk -F: -v s="$fn" '$0 ~ (" T " s "$") {print $2}')
  defs=$(nm "$LIBC" 2>/dev/null | awk -v m="$fn.o:" '$0==m{on=1;next} /\.o:$/{on=0} on && NF==3 && $2=="T"{print $3}' | tr '\n' ' ')
  if [ "$members" = "$fn.o" ] && [ "$defs" = "$fn " ]; then ok "$fn alone in $fn.o (EFI can omit it)"
  else nok "$fn must be alone in $fn.o: defined in '$members', $fn.o defines '$defs'"; fi
done

NOMEM=$B/freestanding/liblugate-libc-nomem.a
if [ -s "$NOMEM" ]; then
  nomem_defs=$(nm "$NOMEM" 2>/dev/null | awk 'NF==3 && $2=="T"{print $3}' | sort -u | tr '\n' ' ')
  want=$(printf '%s\n' $ALLOWED | grep -vx 'memcpy\|memset' | sort -u | tr '\n' ' ')
  if [ "$nomem_defs" = "$want" ]; then ok "liblugate-libc-nomem.a has the set minus memcpy/memset (for gnu-efi)"
  else nok "liblugate-libc-nomem.a defines '$nomem_defs', want '$want'"; fi
else
  nok "$NOMEM built"
fi

canary=$(objdump -d "$CORE" "$LIBC" 2>/dev/null | grep -c '%fs:')
if [ "$canary" -eq 0 ]; then ok "no %fs (stack canary) access"; else nok "$canary %fs accesses (stack protector?)"; fi
if grep -qx __stack_chk_fail "$tmp/external"; then nok "__stack_chk_fail referenced"; else ok "no __stack_chk_fail"; fi

abs32=$(objdump -r "$CORE" "$LIBC" 2>/dev/null | awk '
  /^RELOCATION RECORDS FOR \[/ { sec=$4; gsub(/[\[\]:]/, "", sec); next }
  sec !~ /^\.debug/ && ($2=="R_X86_64_32" || $2=="R_X86_64_32S") { n++ } END { print n+0 }')
if [ "$abs32" -eq 0 ]; then ok "no 32-bit absolute relocations outside debug info (position-independent)"
else nok "$abs32 R_X86_64_32/32S relocations in loadable sections (not -fpie?)"; fi

# The loader's entry-independent objects must be position-independent too (the bzImage64 entry
# reuses them wherever kexec_file puts it); only loader/entry/multiboot.S is tied to 1 MiB.
lobjs=$(ls "$B"/loader/obj/loader/*.o 2>/dev/null)
if [ -n "$lobjs" ]; then
  # shellcheck disable=SC2086
  labs=$(objdump -r $lobjs "$B/loader/liblugate-core.a" 2>/dev/null | awk '
    /^RELOCATION RECORDS FOR \[/ { sec=$4; gsub(/[\[\]:]/, "", sec); next }
    sec !~ /^\.debug/ && ($2=="R_X86_64_32" || $2=="R_X86_64_32S") { n++ } END { print n+0 }')
  if [ "$labs" -eq 0 ]; then ok "loader objects (all but the multiboot stub) have no 32-bit absolute relocations"
  else nok "$labs R_X86_64_32/32S relocations in the loader's common objects"; fi
else
  nok "loader objects not built ($B/loader/obj/loader/*.o)"
fi

if [ -x "$SMOKE" ]; then
  "$SMOKE" >"$tmp/smoke" 2>&1; rc=$?
  cat "$tmp/smoke"
  n=$(grep -c '^ok - ' "$tmp/smoke")
  if [ "$rc" -eq 0 ] && [ "$n" -ge 10 ]; then ok "freestanding smoke program exits 0 ($n checks)"
  else nok "freestanding smoke program exit $rc with $n passing checks"; fi
else
  nok "freestanding smoke program not built"
fi

