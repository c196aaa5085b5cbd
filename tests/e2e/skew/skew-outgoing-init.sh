# Body of /init in the outgoing (base) kernel of tests/e2e/suite-skew.sh. Stage 1 of upstream's
# liveupdate selftests luo_kexec_simple and luo_multi_session (each leaves a child holding its
# sessions), then a memfd with known bytes preserved by luo-memfd, in whose child jump.sh hands
# over to the target the command line names (e2e_mode=plain|load|loader, e2e_target=VARIANT).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "SKEW-STAGE1 kernel=$(uname -r) mode=$(arg e2e_mode) target=$(arg e2e_target)"
for t in luo_kexec_simple luo_multi_session; do
  /bin/$t -s 1
  echo "SKEW-STAGE1 $t rc=$?"
done
/bin/luo-memfd preserve -- /bin/sh /etc/skew/jump.sh
echo "SKEW-STAGE1 luo-memfd rc=$?"
echo "SKEW-STAGE1 still running $(uname -r): kexec_loaded=$(cat /sys/kernel/kexec_loaded)"
