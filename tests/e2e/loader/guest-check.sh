# Body of the e2e guest's /init (appended to tests/e2e/lib.sh's prologue by e2e_initramfs_init).
# Finds the lugate delivery record under /sys/kernel/boot_params/setup_data/*/ (type
# 0x4c554741), decodes its header (docs/loader.md, "Delivery record"), checks the table bytes'
# SHA-256 against lugate_e2e.table_sha256= and the verdict/booted fields against
# lugate_e2e.expect=<allowed|refused>,<target|fallback>, and prints:
#   LUGATE-E2E kernel=... entry=<dir> verdict=N booted=N flags=0x.. reasons=a,b table_size=N table_sha256=...
#   LUGATE-E2E setup_data_addr=0x... (head of the chain, from /sys/kernel/boot_params/data)
#   LUGATE-E2E dmesg: <e820 lines>
#   LUGATE-E2E PASS  or  LUGATE-E2E FAIL <why>
fail() { echo "LUGATE-E2E FAIL $*"; poweroff -f; }
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
want_sha=$(arg lugate_e2e.table_sha256)
want=$(arg lugate_e2e.expect)
entry=""
for d in /sys/kernel/boot_params/setup_data/*/; do
  [ -f "$d/type" ] || continue
  t=$(cat "$d/type")
  echo "LUGATE-E2E setup_data ${d%/} type=$t"
  [ "$t" = "0x4c554741" ] && entry=$d
done
[ -n "$entry" ] || fail "no setup_data entry of type 0x4c554741"
data=$entry/data
cp "$data" /tmp/record || fail "cannot read $data"
magic=$(head -c 8 /tmp/record)
version=$(u32 /tmp/record 8); hsize=$(u32 /tmp/record 12); verdict=$(u32 /tmp/record 16)
booted=$(u32 /tmp/record 20); flags=$(u32 /tmp/record 24); tsize=$(u32 /tmp/record 28)
rcount=$(u32 /tmp/record 32); rtotal=$(u32 /tmp/record 36)
reasons=""
i=0
while [ "$i" -lt "$rcount" ] && [ "$i" -lt 32 ]; do
  reasons="$reasons${reasons:+,}$(u32 /tmp/record $((72 + 4 * i)))"; i=$((i + 1))
done
tail -c +$((hsize + 1)) /tmp/record > /tmp/table
got_size=$(wc -c < /tmp/table | tr -d ' ')
got_sha=$(sha256sum /tmp/table | cut -d' ' -f1)
bp_sd=$(od -An -tx8 -j $((0x250)) -N 8 /sys/kernel/boot_params/data | tr -d ' ')
echo "LUGATE-E2E kernel=$(uname -r) entry=${entry%/} magic=$magic version=$version verdict=$verdict booted=$booted flags=$(printf 0x%x "$flags") reasons=$reasons reason_total=$rtotal table_size=$tsize table_sha256=$got_sha"
echo "LUGATE-E2E setup_data_addr=0x$bp_sd"
dmesg | grep -E 'BIOS-e820|reserve setup_data' | sed 's/^/LUGATE-E2E dmesg: /'
[ "$magic" = "LUGDELIV" ] || fail "bad magic '$magic'"
[ "$version" = 1 ] || fail "bad version $version"
[ "$got_size" = "$tsize" ] || fail "table is $got_size bytes, record says $tsize"
[ -z "$want_sha" ] || [ "$got_sha" = "$want_sha" ] || fail "table sha256 $got_sha, expected $want_sha"
case "$want" in
  allowed,target) [ "$verdict" = 1 ] && [ "$booted" = 1 ] || fail "verdict=$verdict booted=$booted, expected allowed,target" ;;
  refused,fallback) [ "$verdict" = 2 ] && [ "$booted" = 2 ] || fail "verdict=$verdict booted=$booted, expected refused,fallback" ;;
  "") ;;
  *) fail "unknown lugate_e2e.expect=$want" ;;
esac
echo "LUGATE-E2E PASS"
