#!/bin/sh
# CPU hotplug while demoted: a CPU going offline is returned to native
# first (CPU-hotplug offline callback), one coming online is demoted by the
# online callback, before the scheduler puts work on it.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
cpu=$(ls -d /sys/devices/system/cpu/cpu[1-9]* 2>/dev/null | head -n 1)
[ -n "$cpu" ] && [ -w "$cpu/online" ] || skip_all "no CPU that can go offline"
n=$(basename "$cpu")
cycles=${RTVIRT_HOTPLUG_CYCLES:-10}
plan 5
unload
check "insmod launches" sh -c "insmod '$RTVIRT_KO' && [ \$(cat $SYSFS/virtualized) = 1 ]"
i=0 bad=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	echo 0 > "$cpu/online" || { bad=$((bad + 1)); break; }
	[ "$(cat $SYSFS/cpus/$n/state)" = offline ] || { echo "cycle $i: $n not offline"; bad=$((bad + 1)); }
	echo 1 > "$cpu/online" || { bad=$((bad + 1)); break; }
	[ "$(cat $SYSFS/cpus/$n/state)" = guest ] || { echo "cycle $i: $n is $(cat $SYSFS/cpus/$n/state) after online"; bad=$((bad + 1)); }
done
check "$cycles offline/online cycles of $n while demoted" [ $bad -eq 0 ]
echo 0 > "$cpu/online"
echo 0 > $SYSFS/virtualized
echo 1 > "$cpu/online"
check "$n stays native when it comes online after an unlaunch" \
	[ "$(cat $SYSFS/cpus/$n/state)" = native ]
echo 1 > $SYSFS/virtualized
check "relaunch demotes every CPU" sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "rmmod" unload
finish
