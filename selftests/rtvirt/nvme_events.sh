#!/bin/sh
# Events while the NVMe disk is virtualized and fio verifies it: sysrq-l
# NMI backtraces reach the kernel on every CPU every time, a storm of NMIs
# sent one at a time (debugfs nmi_storm) arrives whole, also where an NMI
# meets the VMM accepting an interrupt in its window, a CPU goes
# offline and comes back (demoted again, with the port and interrupt
# intercepts), and the device's interrupts reach the kernel's handler,
# with direct completions without any interrupt exit, with mediated ones
# (the rest of the test) each through one interrupt exit (where the VMM
# posts the completions the handler then reads); fio verifies every block
# and dmesg has no NVMe error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
rounds=${RTVIRT_NMI_ROUNDS:-10}
storm=${RTVIRT_NMI_STORM:-100000}
ncpu=$(nproc)
nvme_plan 17
dmesg_mark
nvme_load
nvme_fio_job /tmp/events.fio 8 4
nvme_fio_start events /tmp/events.fio
# The controller's interrupts so far (its vectors are named nvmeNqM).
dev_irqs() {
	awk -v q="${NVME_CTRL_NAME}q" '$NF ~ "^" q {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts
}
intr_exits() {
	cat $SYSFS/cpus/cpu*/exits/interrupt | awk '{ s += $1 } END { print s }'
}
check "virtualize under fio I/O" nvme_virtualize
# Direct completions: the kernel reads the controller's completions, and
# the device's interrupts (all interrupts) reach it without an exit.
check "completions: direct ($(cat $dev/completions))" [ "$(cat $dev/completions)" = direct ]
intr0=$(intr_exits)
irq0=$(dev_irqs)
sleep 2
irq1=$(dev_irqs)
intr1=$(intr_exits)
check "direct: $((irq1 - irq0)) device interrupts reached the kernel, with $((intr1 - intr0)) interrupt exits" \
	[ $((irq1 - irq0)) -gt 0 -a $((intr1 - intr0)) -eq 0 ]
# The rest with mediated completions: every interrupt exits.
check "hand back under fio I/O" nvme_handback
echo 1 > /sys/module/rtvirt/parameters/mediate_completions
check "virtualize again, mediated_completions=1" nvme_virtualize
echo 0 > /sys/module/rtvirt/parameters/mediate_completions
check "completions: mediated ($(cat $dev/completions))" [ "$(cat $dev/completions)" = mediated ]
intr0=$(intr_exits)
irq0=$(dev_irqs)
bt0=$(dmesg | grep -c 'NMI backtrace for cpu')
i=0
while [ $i -lt "$rounds" ]; do
	echo l > /proc/sysrq-trigger
	sleep 0.3
	i=$((i + 1))
done
bt1=$(dmesg | grep -c 'NMI backtrace for cpu')
# Before the hotplug, which starts a CPU's exit counts from 0 again; a
# handler counted here exited before, so its exit is counted too.
irq1=$(dev_irqs)
intr1=$(intr_exits)
check "$rounds sysrq-l rounds: $((bt1 - bt0)) NMI backtraces of $((rounds * ncpu))" \
	[ $((bt1 - bt0)) -eq $((rounds * ncpu)) ]
# Each NMI waited for before the next: every one must arrive.  With every
# interrupt exiting, many come while the VMM accepts an interrupt.
t0=$(date +%s)
ok=1
echo "$storm" > /sys/kernel/debug/rtvirt/nmi_storm || ok=0
echo "nmi_storm: $(cat /sys/kernel/debug/rtvirt/nmi_storm) in $(($(date +%s) - t0)) s"
check "NMI storm: $storm NMIs to each CPU, one at a time, under fio: all arrived" \
	[ $ok -eq 1 ]
last=$((ncpu - 1))
hotplug_ok=0
if [ "$last" -gt 0 ] && [ -w /sys/devices/system/cpu/cpu$last/online ]; then
	hotplug_ok=1
	for j in 1 2 3; do
		echo 0 > /sys/devices/system/cpu/cpu$last/online || hotplug_ok=0
		sleep 0.2
		echo 1 > /sys/devices/system/cpu/cpu$last/online || hotplug_ok=0
		sleep 0.2
	done
fi
check "cpu$last offline and online 3 times while the disk is virtualized" \
	[ $hotplug_ok -eq 1 ]
check "every CPU answers as a guest" sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
# Every interrupt of every CPU exits, the device's among them (up to one
# handler per CPU may have been running, its exit counted, at the start).
check "$((irq1 - irq0)) device interrupts reached the kernel, with $((intr1 - intr0)) interrupt exits" \
	[ $((irq1 - irq0)) -gt 0 -a $((intr1 - intr0 + ncpu)) -ge $((irq1 - irq0)) ]
check "hand back" nvme_handback
check "fio across the events: exit 0, every block verified" nvme_fio_wait events
check_no_nvme_errors
check "rmmod" unload
finish
