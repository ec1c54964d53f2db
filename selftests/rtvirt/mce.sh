#!/bin/sh
# Machine checks in the VMM: a restartable one (MCG_STATUS.RIPV) that hits
# the VMM while it handles an exit reaches the kernel's #MC handler on the
# same CPU at its next entry, every time, on every CPU, also while the
# CPUs are busy; the kernel clears it and goes on, the VMM keeps
# answering.  The machine check is raised in the VMM on request (debugfs
# vmm_mce: MCG_STATUS set as the CPU sets it, then vector 18 through the
# VMM's IDT); the kernel's count of machine-check exceptions (MCE in
# /proc/interrupts) shows where its handler ran.  One that is not
# restartable ends in a kernel panic with the VMM's reason: kdump.sh with
# RTVIRT_KDUMP_CRASH=mce.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
grep -qw mce /proc/cpuinfo || skip_all "CPU has no machine-check exception"
rounds=${RTVIRT_MCE_ROUNDS:-20}
ncpu=$(nproc)
knob=/sys/kernel/debug/rtvirt/vmm_mce
plan 5

# Machine-check exceptions the kernel counted on CPU $1.
mce_count() {
	awk -v c=$(($1 + 2)) '$1 == "MCE:" { print $c }' /proc/interrupts
}

unload
check "without a launch the request is refused (ENODEV)" \
	sh -c "insmod '$RTVIRT_KO' launch=0 && ! echo 1 > $knob 2>/dev/null"
unload
insmod "$RTVIRT_KO"
check "a request other than 1 or 2 is refused (EINVAL)" \
	sh -c "! echo 3 > $knob 2>/dev/null"
# Where the CPU does not let MCG_STATUS be written (Bochs ignores the
# write), the VMM cannot raise a machine check that its own handler
# would recognise: it answers EOPNOTSUPP, and the rest cannot run.
# (dd reports the errno's text; the shell's echo says "I/O error" for all.)
err=$(echo 1 | dd of=$knob 2>&1 > /dev/null)
if echo "$err" | grep -q 'not supported'; then
	echo "# vmm_mce: $err"
	ok "machine checks in the VMM # SKIP this CPU does not let MCG_STATUS be written"
	ok "every CPU still a guest # SKIP no machine check raised"
	check "unlaunch and rmmod" unload
	finish
fi
stress-ng --cpu "$ncpu" --syscall 1 --timeout 120 > /dev/null 2>&1 &
stress=$!
sleep 1
bad=0
c=0
while [ $c -lt "$ncpu" ]; do
	before=$(mce_count $c)
	i=0
	while [ $i -lt "$rounds" ]; do
		taskset -c $c sh -c "echo 1 > $knob" || bad=$((bad + 1))
		i=$((i + 1))
	done
	after=$(mce_count $c)
	echo "# cpu $c: $((after - before)) machine-check exceptions of $rounds"
	[ $((after - before)) -eq "$rounds" ] || bad=$((bad + 1))
	c=$((c + 1))
done
kill $stress 2>/dev/null
wait $stress 2>/dev/null
check "$rounds restartable machine checks in the VMM on each CPU under load: the kernel's handler ran on that CPU for each" \
	[ $bad -eq 0 ]
check "every CPU still answers as a guest, no kernel panic or oops" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest && ! dmesg | grep -Eq 'Kernel panic|Oops|BUG:'"
check "unlaunch and rmmod" unload
finish
