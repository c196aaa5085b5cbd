#!/bin/busybox sh
# shellcheck shell=dash
# /init of the arm64 loader suite's guest (tests/e2e-arm64/suite-loader-arm64.sh): finds what
# build/loader.arm64 delivered in the DTB (/reserved-memory/lugate-handoff@..., /chosen
# lugate,handoff), reads the delivery record back through /dev/mem, and prints one
# "lugate-guest: " line per fact for the suite to assert. Then it powers the machine off.
# The record is no-map, so the kernel's linear map leaves it out: read() of /dev/mem faults
# there on arm64, and only an mmap of /dev/mem (busybox devmem) reaches it.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "lugate-guest: $*"; }
# read_phys ADDR BYTES: the bytes at physical ADDR (8-byte aligned), 64 bits per devmem, to
# stdout; each byte goes out as an octal escape computed without a subshell (a fork costs
# about 0.1 s under TCG)
read_phys() {
  i=0
  while [ "$i" -lt "$2" ]; do
    w=$(devmem $(($1 + i)) 64)
    for sh in 0 8 16 24 32 40 48 56; do
      [ $((i + sh / 8)) -lt "$2" ] || break
      b=$(((w >> sh) & 255))
      # shellcheck disable=SC2059 # the octal escape must be in the format to be a byte
      printf "\\$((b >> 6 & 7))$((b >> 3 & 7))$((b & 7))"
    done
    i=$((i + 8))
  done
}
dt=/proc/device-tree
say "uname $(uname -r)"
node=
for n in "$dt"/reserved-memory/lugate-handoff@*; do [ -e "$n" ] && node=$n && break; done
if [ -z "$node" ]; then
  say "no lugate-handoff node"
else
  say "node ${node#"$dt"}"
  say "compatible $(tr -d '\000' <"$node/compatible")"
  [ -e "$node/no-map" ] && say "no-map"
  say "reg $(od -An -tx1 -v "$node/reg" | tr -d ' \n')"
fi
if [ -e "$dt/chosen/lugate,handoff" ]; then
  pair=$(od -An -tx1 -v "$dt/chosen/lugate,handoff" | tr -d ' \n')
  say "chosen $pair"
  addr=$(printf '%d' "0x$(echo "$pair" | cut -c1-16)")
  size=$(printf '%d' "0x$(echo "$pair" | cut -c17-32)")
  read_phys "$addr" 200 >/tmp/rec
  say "magic $(head -c 8 /tmp/rec)"
  say "verdict-booted $(od -An -tu4 -j16 -N8 /tmp/rec | tr -s ' ')"
  tsize=$(od -An -tu4 -j28 -N4 /tmp/rec | tr -d ' ')
  [ "$tsize" -le $((size - 200)) ] || say "table_size $tsize does not fit the record"
  read_phys $((addr + 200)) "$tsize" >/tmp/table
  say "table $tsize bytes sha256 $(sha256sum /tmp/table | cut -d' ' -f1)"
  say "iomem $(grep -i "^ *$(printf '%08x' "$addr")-" /proc/iomem | tr -s ' ')"
else
  say "no /chosen lugate,handoff"
fi
# the CLI's own reading of the same record (/sys/firmware/fdt, /dev/mem), when the suite put it in
if [ -x /bin/lugate ]; then
  /bin/lugate status --json >/tmp/status.json 2>/tmp/status.err
  say "status-rc $?"
  say "status-json $(tr -d '\n' </tmp/status.json)"
  say "status-err $(head -c 300 /tmp/status.err | tr '\n' ' ')"
fi
say "done"
poweroff -f
