#!/bin/sh
# NMIs while demoted: sysrq-l NMI backtraces, repeated under load, reach
# the kernel on every CPU every time; the VMM keeps answering.
. "$(dirname "$0")/lib.sh"

grep -qw svm /proc/cpuinfo || skip_all "CPU offers no SVM"
rounds=${RTVIRT_NMI_ROUNDS:-10}
ncpu=$(nproc)
plan 3
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
check "every CPU still answers as a guest" sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "unlaunch and rmmod" unload
finish
