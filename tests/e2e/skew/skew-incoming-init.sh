# Body of /init in whichever kernel comes up after the hand-over (tests/e2e/suite-skew.sh):
# stage 2 of upstream's two selftests, then the memfd's bytes, then whether /dev/liveupdate
# opens at all (the selftests report a failed open as a skip, which the suite counts as the loss
# it is). Every result is one marker line.
echo "SKEW-STAGE2 kernel=$(uname -r)"
for t in luo_kexec_simple luo_multi_session; do
  /bin/$t -s 2
  echo "SKEW-STAGE2 $t rc=$?"
done
/bin/luo-memfd verify
echo "SKEW-STAGE2 luo-memfd rc=$?"
if err=$( (exec 3<>/dev/liveupdate) 2>&1 ); then echo "SKEW-STAGE2 liveupdate-open ok"
else echo "SKEW-STAGE2 liveupdate-open failed: $err"; fi
