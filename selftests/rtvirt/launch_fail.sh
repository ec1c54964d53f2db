#!/bin/sh
# A CPU whose first entry fails (debugfs fail_launch makes the VMM build
# a state the CPU refuses: for VMRUN on SVM, for the VM entry on VMX) goes
# back to native cleanly instead of stopping in the VMM: a launch with
# such a CPU fails as a whole (EIO), leaves every CPU native and gives the
# memory back; a CPU that cannot be demoted while the VMM runs is refused
# online, since natively it could reach the VMM's memory.  Both work
# again afterwards.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
D=/sys/kernel/debug/rtvirt
plan 9
unload
insmod "$RTVIRT_KO" launch=0
dmesg -c > /dev/null

echo 1 > $D/fail_launch
check "a launch with a CPU whose first entry fails fails (EIO)" \
	sh -c "! echo 1 > $SYSFS/virtualized"
dmesg | grep rtvirt
check "dmesg says the launch failed on one CPU" \
	sh -c "dmesg | grep -q 'rtvirt: launch failed on 1 of [0-9]* CPUs (-5)'"
check "every CPU is native, nothing launched" \
	sh -c "[ \$(cat $SYSFS/virtualized) = 0 ] && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv native"
check "the next launch works" \
	sh -c "echo 1 > $SYSFS/virtualized && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"

cpu=$(ls -d /sys/devices/system/cpu/cpu[1-9]* 2>/dev/null | head -n 1)
if [ -n "$cpu" ] && [ -w "$cpu/online" ]; then
	n=$(basename "$cpu")
	echo 0 > "$cpu/online"
	dmesg -c > /dev/null
	echo 1 > $D/fail_launch
	check "$n is refused online when it cannot be demoted" \
		sh -c "! echo 1 > $cpu/online && [ \$(cat $cpu/online) = 0 ]"
	dmesg | grep rtvirt
	check "dmesg names the refused CPU" \
		sh -c "dmesg | grep -q 'rtvirt: cpu ${n#cpu}: launch failed (-5); refused online while the VMM runs'"
	check "$n comes online demoted the next time" \
		sh -c "echo 1 > $cpu/online && [ \$(cat $SYSFS/cpus/$n/state) = guest ]"
else
	ok "hotplug refusal # SKIP no CPU that can go offline"
	ok "hotplug refusal message # SKIP no CPU that can go offline"
	ok "online after a refusal # SKIP no CPU that can go offline"
fi
check "the VMM answers on every CPU" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "rmmod" unload
finish
