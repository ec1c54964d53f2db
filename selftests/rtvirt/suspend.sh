#!/bin/sh
# Suspend while demoted: the module's PM notifier unlaunches before the
# system sleeps (PM_SUSPEND_PREPARE) and launches again after
# (PM_POST_SUSPEND).  The kernel's suspend test mode runs that path
# without a wake-up source: pm_test "devices" freezes the processes,
# suspends every device, waits (pm_test_delay, set to 1 s here) and
# resumes them, through suspend-to-idle.  RTVIRT_SUSPEND_ROUNDS rounds
# (default 3): each logs the unlaunch, none fails to relaunch, every CPU
# is a guest again after them with the launch generation grown by one per
# round, and rmmod works.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
[ -w /sys/power/pm_test ] || skip_all "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
grep -qw freeze /sys/power/state || skip_all "no suspend-to-idle in /sys/power/state"
rounds=${RTVIRT_SUSPEND_ROUNDS:-3}
delay=/sys/module/suspend/parameters/pm_test_delay
plan 6
unload

check "insmod: every CPU a guest" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
gen0=$(launch_generation)
old_delay=$(cat $delay 2>/dev/null)
[ -w $delay ] && echo 1 > $delay
dmesg -c > /dev/null
echo devices > /sys/power/pm_test
i=0 bad=0
while [ $i -lt "$rounds" ]; do
	i=$((i + 1))
	if ! echo freeze > /sys/power/state; then
		echo "# round $i: the suspend test failed"
		bad=$((bad + 1))
	fi
done
echo none > /sys/power/pm_test
[ -n "$old_delay" ] && [ -w $delay ] && echo "$old_delay" > $delay
check "$rounds suspend rounds (pm_test devices, suspend-to-idle)" [ $bad -eq 0 ]
n=$(dmesg | grep -c 'rtvirt: unlaunching for suspend')
echo "# unlaunches for suspend: $n"
check "each round unlaunched before the suspend" [ "$n" -eq "$rounds" ]
check "no relaunch failed" sh -c "! dmesg | grep -q 'relaunch after resume failed'"
gen1=$(launch_generation)
echo "# launch generation before $gen0, after $gen1"
check "every CPU a guest again, relaunched once per round" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest && [ '$gen1' = $((gen0 + rounds)) ]"
check "rmmod" rmmod rtvirt
finish
