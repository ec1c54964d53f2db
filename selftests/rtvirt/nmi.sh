#!/bin/sh
# NMIs while demoted: sysrq-l NMI backtraces, repeated under load, reach
# the kernel on every CPU every time, and so does every NMI of a storm sent
# one at a time (debugfs nmi_storm); the VMM keeps answering.
. "$(dirname "$0")/lib.sh"

grep -qw svm /proc/cpuinfo || skip_all "CPU offers no SVM"
rounds=${RTVIRT_NMI_ROUNDS:-10}
ncpu=$(nproc)
storm=${RTVIRT_NMI_STORM:-20000}
plan 4
unload
insmod "$RTVIRT_KO"
stress-ng --cpu "$ncpu" --syscall 1 --timeout 120 > /dev/null 2>&1 &
stress=$!
sleep 1
dmesg -c > /dev/null
i=0
while [ $i -lt "$rounds" ]; do
	echo l > /proc/sysrq-trigger
	sleep 0.5
	i=$((i + 1))
done
ok=1
echo "$storm" > /sys/kernel/debug/rtvirt/nmi_storm || ok=0
echo "nmi_storm: $(cat /sys/kernel/debug/rtvirt/nmi_storm)"
kill $stress 2>/dev/null
wait $stress 2>/dev/null
bad=0
c=0
while [ $c -lt "$ncpu" ]; do
	got=$(dmesg | grep -c "NMI backtrace for cpu $c\$")
	echo "cpu $c: $got NMI backtraces of $rounds"
	[ "$got" -eq "$rounds" ] || bad=$((bad + 1))
	c=$((c + 1))
done
check "$rounds sysrq-l rounds: every CPU's NMI backtrace arrived" [ $bad -eq 0 ]
check "NMI storm: $storm NMIs to each CPU, one at a time, under load: all arrived" \
	[ $ok -eq 1 ]
check "every CPU still answers as a guest" sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "unlaunch and rmmod" unload
finish
