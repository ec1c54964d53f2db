#!/bin/sh
# PCI hot removal and re-add (sysfs remove + rescan) keep devices/ and the
# LIST_DEVICES ioctl current, for one device of each model.
. "$(dirname "$0")/lib.sh"

expected=$(lspci_expected)
[ -n "$expected" ] || skip_all "no NVMe controller or e1000e NIC on this machine"
# The last device of each model (the second NIC, not the first).
victims=$(echo "$expected" | awk '{ last[$2] = $1 } END { for (m in last) print last[m] }' | sort)
nv=$(echo "$victims" | wc -l)
plan $((4 * nv + 2))
load || { fail "insmod"; finish; }
total=$(ls $SYSFS/devices | wc -l)

listed() {
	rtvirtctl devices | awk 'NR > 1 { print $1 }' | grep -qx "$1"
}

for a in $victims; do
	echo 1 > /sys/bus/pci/devices/"$a"/remove
	check "$a: removed from devices/ and LIST_DEVICES on hot removal" \
		sh -c "[ ! -e $SYSFS/devices/$a ] && [ \$(ls $SYSFS/devices | wc -l) -eq $((total - 1)) ] && ! rtvirtctl devices | grep -q '^$a '"
	echo 1 > /sys/bus/pci/rescan
	i=0
	while [ ! -e $SYSFS/devices/"$a" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "$a: back in devices/ after rescan" [ -e $SYSFS/devices/"$a" ]
	check "$a: back in LIST_DEVICES after rescan" listed "$a"
	i=0
	while [ -z "$(cat $SYSFS/devices/"$a"/name 2>/dev/null)" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "$a: driver name '$(cat $SYSFS/devices/"$a"/name 2>/dev/null)' after re-probe" \
		[ "$(cat $SYSFS/devices/"$a"/name 2>/dev/null)" = "$(pci_function_name "$a")" -a -n "$(pci_function_name "$a")" ]
done
check "device count back to $total" [ "$(ls $SYSFS/devices | wc -l)" -eq "$total" ]
check "rmmod succeeds" unload
finish
