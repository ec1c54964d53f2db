#!/bin/sh
# The devices rtvirt lists (sysfs, LIST_DEVICES ioctl as text and JSON)
# are exactly the NVMe controllers and e1000e NICs lspci shows, with the
# right model, the driver's name for each and the native state.
. "$(dirname "$0")/lib.sh"

expected=$(lspci_expected)
[ -n "$expected" ] || skip_all "no NVMe controller or e1000e NIC on this machine"
echo "lspci:"
echo "$expected"

load || { plan 1; fail "insmod"; finish; }
want_addrs=$(echo "$expected" | awk '{ print $1 }')
sysfs_addrs=$(ls $SYSFS/devices | sort)
ioctl_addrs=$(rtvirtctl devices | awk 'NR > 1 { print $1 }' | sort)
json_addrs=$(rtvirtctl --json devices | grep -o '"address": "[^"]*"' | cut -d'"' -f4 | sort)
n=$(echo "$want_addrs" | wc -l)

plan $((5 + 4 * n))
check "sysfs devices/ matches lspci" [ "$sysfs_addrs" = "$want_addrs" ]
check "LIST_DEVICES (text) matches lspci" [ "$ioctl_addrs" = "$want_addrs" ]
check "LIST_DEVICES (json) matches lspci" [ "$json_addrs" = "$want_addrs" ]
check "GET_INFO device count is $n" \
	[ "$(rtvirtctl status | awk -F': ' '$1 == "devices" { print $2 }')" = "$n" ]
rtvirtctl devices

while read -r addr model; do
	d=$SYSFS/devices/$addr
	name=$(pci_function_name "$addr")
	row=$(rtvirtctl devices | awk -v a="$addr" '$1 == a')
	check "$addr: model $model" [ "$(cat "$d/model")" = "$model" ]
	check "$addr: name '$name' from the driver" \
		[ -n "$name" -a "$(cat "$d/name")" = "$name" ]
	check "$addr: state native, virtualized 0" \
		[ "$(cat "$d/state")" = native -a "$(cat "$d/virtualized")" = 0 ]
	check "$addr: ioctl row agrees ($row)" \
		[ "$(echo "$row" | awk '{ print $2, $3, $4, $5 }')" = "$name $model native 0" ]
done <<EOF
$expected
EOF

check "rmmod succeeds" unload
finish
