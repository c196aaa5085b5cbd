# Debian 12 managed nodes under QEMU TCG for the fleet suites (sourced from the top of the tree;
# it sources what a guest suite stands on: the TAP helpers with lugate's build in B, L and W,
# tests/e2e/lib.sh and tests/fleet/lib-ansible.sh).
# Each guest is scripts/debian-rootfs.sh --managed-node (systemd, sshd, python3) unpacked as its
# root from the initramfs, booted on 6.1.0-55-amd64 with a `make install`ed lugate, the target
# 6.1.0-56-amd64 stamped with its manifest, two PCI UARTs as the preserved devices, and an e1000
# NIC (its module, taken from Debian's linux-image package of each kernel) behind QEMU's user
# network: SSH reaches it on a forwarded loopback port with a key made for the test.
#   fleet_prepare DIR                         the collection, the loader and the images in DIR
#                                             (prints "not ok" and returns 1 when it cannot)
#   fleet_guest_build DIR [MANIFEST_SCHEMAS]  the images in DIR (first.img, key, kernels)
#   fleet_guest_variant NAME SCHEMAS          DIR/NAME.img: first.img whose target carries a
#                                             manifest of SCHEMAS instead (one guest's own /boot)
#   fleet_guest_start NAME PORT [INITRD]      boot a guest in the background (serial: DIR/NAME.log)
#   fleet_guest_wait NAME PORT SECONDS        until its sshd answers
#   fleet_guests_up SECONDS NAME:PORT[:INITRD]...  boot several, at most FLEET_BOOTING (2) at once
#   fleet_guest_stop NAME                     power it off (QEMU ends)
#   fleet_guest_state PORT                    its kernel, kexec_loaded and lugate's folders
#   gssh PORT CMD...                          run CMD on the guest as root (at most 120 s)
. tests/cli/tap.sh
tap_lugate
. tests/e2e/lib.sh
. tests/fleet/lib-ansible.sh
BUILD_ABS=$B
TARGET_REL=6.1.0-56-amd64
OUTGOING_REL=6.1.0-55-amd64
GUID_SER1=3c1d7a52-8b4e-4f60-9a2d-5e6f708192a3   # 0000:00:04.0
GUID_SER2=9e2f4b61-0c3d-4e5f-8a9b-0c1d2e3f4a5b   # 0000:00:05.0
E1000_KO=kernel/drivers/net/ethernet/intel/e1000/e1000.ko
FLEET_SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes
                -o ConnectTimeout=10)

# the e1000 module of Debian's linux-image-REL (cached in build/fleet/modules/REL/)
fleet_e1000() {
  local rel=$1 out=$E2E_BUILD/fleet/modules/$1 dl
  [ -s "$out/lib/modules/$rel/$E1000_KO" ] && return 0
  mkdir -p "$out" && dl=$(mktemp -d "$E2E_BUILD/fleet/.dl.XXXXXX") || return 1
  (cd "$dl" && apt-get download "linux-image-$rel" >/dev/null 2>&1) &&
    dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -x -C "$out" "./lib/modules/$rel/$E1000_KO"
  local rc=$?; rm -rf "$dl"; return $rc
}

fleet_pack() {  # DIR OUT: gzip'd newc archive with owners kept, padded to 512 bytes
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -1 -n) >"$2" && truncate -s %512 "$2"
}

# the schemas the target's manifest advertises by default: both UARTs' schemas, in range
FLEET_SCHEMAS_ALL="{\"guid\": \"$GUID_SER1\", \"min_version\": 1, \"max_version\": 3}, {\"guid\": \"$GUID_SER2\", \"min_version\": 1, \"max_version\": 1}"
fleet_embed() {  # KERNEL OUT [SCHEMAS]: KERNEL stamped with a manifest of SCHEMAS (OUT.manifest.json)
  printf '{"release": "%s", "schemas": [%s]}\n' "$TARGET_REL" "${3:-$FLEET_SCHEMAS_ALL}" >"$2.manifest.json" &&
    "$E2E_BUILD/lugate" embed --manifest "$2.manifest.json" "$1" -o "$2" >/dev/null
}

fleet_guest_build() {
  local G=$1 schemas=${2:-}
  local rootfs target outgoing A=$1/overlay-a B=$1/overlay-b rel
  rootfs=$(scripts/debian-rootfs.sh --managed-node) || return 1
  target=$(scripts/debian-kernel.sh "$TARGET_REL") && outgoing=$(scripts/debian-kernel.sh "$OUTGOING_REL") || return 1
  fleet_e1000 "$TARGET_REL" && fleet_e1000 "$OUTGOING_REL" || return 1
  mkdir -p "$G" "$E2E_BUILD/fleet"
  [ -s "$E2E_BUILD/fleet/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C lugate-fleet-test -f "$E2E_BUILD/fleet/id_ed25519" || return 1
  FLEET_KEY=$E2E_BUILD/fleet/id_ed25519
  cat >"$G/devices.json" <<JSON
{"devices": [
  {"address": "0000:00:04.0", "schema": "$GUID_SER1", "schema_version": 2},
  {"address": "0000:00:05.0", "schema": "$GUID_SER2", "schema_version": 1}]}
JSON
  fleet_embed "$target" "$G/target.img" "$schemas" || return 1
  rm -rf "$A" "$B" && mkdir -p "$A/etc/lugate" "$A/boot" "$A/root/.ssh" "$A/etc/systemd/system/multi-user.target.wants" "$B/boot" || return 1
  make -s --no-print-directory install DESTDIR="$A" PREFIX=/usr >&2 || return 1
  # /lib is the image's link to usr/lib (merged /usr): an overlay's own lib/ would replace it
  mkdir -p "$A/usr/lib/modules" || return 1
  for rel in "$TARGET_REL" "$OUTGOING_REL"; do
    cp -a "$E2E_BUILD/fleet/modules/$rel/lib/modules/$rel" "$A/usr/lib/modules/" || return 1
  done
  install -m 0600 "$FLEET_KEY.pub" "$A/root/.ssh/authorized_keys" && chmod 0700 "$A/root/.ssh" &&
  install -m 0644 "$G/devices.json" "$A/etc/lugate/devices.json" &&
  install -m 0644 "$G/target.img" "$A/boot/vmlinuz-$TARGET_REL" &&
  install -m 0644 "$outgoing" "$A/boot/vmlinuz-$OUTGOING_REL" || return 1
  # No udev in the image: the NIC's module is loaded and QEMU's user network (10.0.2.0/24)
  # set up by hand, before sshd starts.
  cat >"$A/etc/systemd/system/lugate-fleet-net.service" <<'UNIT'
[Unit]
Description=e1000 NIC on QEMU's user network (lugate fleet test)
Before=ssh.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'insmod /lib/modules/$(uname -r)/kernel/drivers/net/ethernet/intel/e1000/e1000.ko; for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 1; done; ip link set lo up; ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2'
[Install]
WantedBy=multi-user.target
UNIT
  ln -s /etc/systemd/system/lugate-fleet-net.service "$A/etc/systemd/system/multi-user.target.wants/" &&
  fleet_pack "$A" "$G/overlay-a.cpio.gz" &&
  cp "$rootfs" "$G/second.img" && truncate -s %512 "$G/second.img" && cat "$G/overlay-a.cpio.gz" >>"$G/second.img" &&
  ln "$G/second.img" "$B/boot/initrd.img-$TARGET_REL" && ln "$G/second.img" "$B/boot/initrd.img-$OUTGOING_REL" &&
  (cd "$B" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) >"$G/overlay-b.cpio" &&
  cat "$G/second.img" "$G/overlay-b.cpio" >"$G/first.img" && rm -rf "$B" "$G/overlay-b.cpio" &&
  FLEET_OUTGOING=$outgoing FLEET_TARGET_KERNEL=$target FLEET_DIR=$G
}

# One guest's own /boot: first.img and one more (uncompressed) archive after it holding
# boot/vmlinuz-TARGET stamped with SCHEMAS; the kernel unpacks archives in order, so this file
# replaces the common target in that guest's root only.
fleet_guest_variant() {
  local name=$1 v=$FLEET_DIR/variant-$1
  rm -rf "$v" && mkdir -p "$v/boot" &&
    fleet_embed "$FLEET_TARGET_KERNEL" "$v/boot/vmlinuz-$TARGET_REL" "$2" && rm "$v/boot/vmlinuz-$TARGET_REL.manifest.json" &&
    cp "$FLEET_DIR/first.img" "$FLEET_DIR/$name.img" &&
    (cd "$v" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc) >>"$FLEET_DIR/$name.img" && rm -rf "$v"
}

fleet_guest_start() {
  local name=$1 port=$2 initrd=${3:-$FLEET_DIR/first.img}
  : >"$FLEET_DIR/$name.log"
  timeout --kill-after=5 "${FLEET_GUEST_TIMEOUT:-1200}" qemu-system-x86_64 -accel tcg -m "${FLEET_MEM:-2048}" \
    -kernel "$FLEET_OUTGOING" -initrd "$initrd" -append "console=ttyS0 panic=-1 quiet" \
    -display none -monitor none -no-reboot -serial "file:$FLEET_DIR/$name.log" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device e1000,netdev=n0 \
    -device pci-serial,addr=04.0 -device pci-serial,addr=05.0 </dev/null >"$FLEET_DIR/$name.qemu" 2>&1 &
  eval "FLEET_PID_$name=$!"
}

gssh() { local port=$1; shift; timeout 120 ssh "${FLEET_SSH_OPTS[@]}" -i "$FLEET_KEY" -p "$port" root@127.0.0.1 "$@"; }

fleet_guest_wait() {
  local name=$1 port=$2 until=$(($(date +%s) + $3))
  while [ "$(date +%s)" -lt "$until" ]; do
    gssh "$port" true 2>/dev/null && return 0
    sleep 3
  done
  echo "# $name: no SSH on port $port after $3 s; serial log tail:" >&2
  e2e_log_tail "$FLEET_DIR/$name.log" 10
  return 1
}

# Under TCG each booting guest keeps a core busy; once up, a guest idles. So no more than
# FLEET_BOOTING guests boot at once: the next starts when the oldest booting one answers SSH.
fleet_guests_up() {
  local secs=$1 g booting=() name port initrd; shift
  for g in "$@"; do
    IFS=: read -r name port initrd <<<"$g"
    if [ ${#booting[@]} -ge "${FLEET_BOOTING:-2}" ]; then
      fleet_guest_wait "${booting[0]%%:*}" "${booting[0]#*:}" "$secs" || return 1
      booting=("${booting[@]:1}")
    fi
    fleet_guest_start "$name" "$port" "$initrd"
    booting+=("$name:$port")
  done
  for g in "${booting[@]}"; do fleet_guest_wait "${g%%:*}" "${g#*:}" "$secs" || return 1; done
}

fleet_guest_state() {  # PORT: what a staging or a jump would change on the guest
  gssh "$1" 'uname -r; cat /sys/kernel/kexec_loaded; ls -lA --time-style=full-iso /run/lugate /var/lib/lugate 2>&1'
}

fleet_guest_stop() {
  local pid_var=FLEET_PID_$1
  [ -n "${!pid_var:-}" ] && kill "${!pid_var}" 2>/dev/null
  wait "${!pid_var}" 2>/dev/null
}

# Everything a fleet suite needs before its guests boot; "not ok" and 1 when something is missing.
fleet_prepare() {
  e2e_need qemu-system-x86_64 timeout cpio gzip ssh ssh-keygen ansible-playbook || { echo "not ok - tools missing (scripts/deps.sh e2e fleet)"; return 1; }
  fleet_collection "$W/collections" || { echo "not ok - the collection does not build or install"; return 1; }
  [ -s "$B/loader.elf" ] || make -s --no-print-directory build/loader.elf >&2
  fleet_guest_build "$1" >&2 || { echo "not ok - the guest images cannot be built (debian-rootfs.sh --managed-node, kernels, e1000)"; return 1; }
  export ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=/dev/null -o ControlMaster=auto -o ControlPersist=60s"
}

# PB: the playbook on INVENTORY towards the target, its reports under REPORTS, at most
# FLEET_PB_TIMEOUT seconds (a run waits for each wave's jump and reconnect)
fleet_playbook() {
  # shellcheck disable=SC2034  # PB is the suites'
  PB=(timeout --kill-after=10 "${FLEET_PB_TIMEOUT:-1800}" ansible-playbook -i "$1" lugate.live_update.live_update
      -e "lugate_report_root=$2" -e lugate_reconnect_timeout=400
      -e "lugate_target_kernel=/boot/vmlinuz-$TARGET_REL" -e "lugate_target_initrd=/boot/initrd.img-$TARGET_REL")
}

fleet_inventory() {  # OUT NAME:PORT...: an INI inventory of the guests
  local out=$1 g; shift
  echo "[lugate_fleet]" >"$out"
  for g in "$@"; do
    echo "${g%%:*} ansible_host=127.0.0.1 ansible_port=${g#*:} ansible_user=root ansible_ssh_private_key_file=$FLEET_KEY ansible_python_interpreter=/usr/bin/python3" >>"$out"
  done
}
