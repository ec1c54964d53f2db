#!/bin/sh
# The takeover finds every queue of the controller from the nvme driver's
# own state, whatever the controller did since boot and however many
# queues and queue types the driver created:
#   - a layout the VMM cannot trust is refused whole (debugfs
#     nvme_layout_fault: a submission queue in VMM memory, a completion
#     queue phase that differs from the ring): EIO, one dmesg line, the
#     disk stays native and works;
#   - after 100 admin commands the controller is taken over, and again
#     after 100 more sent while it was virtualized;
#   - I/O on every queue type the driver has: libaio writes and reads
#     (default and read queues) and, where the driver has poll queues
#     (nvme.poll_queues=), polled I/O (io_uring --hipri), each verified
#     across flips; the trace shows the queue ids the VMM served;
#   - I/O on a second namespace with another block size, and a namespace
#     rescan while virtualized.
# make check runs it on both controllers, the SSD-like one with 16
# possible CPUs and write and poll queues (more than 16 I/O queues).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

DBG=/sys/kernel/debug/rtvirt

nvme_require
nvme_plan 17
dmesg_mark
nvme_load
[ -d $DBG ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
queues=$(dmesg | grep -o "$NVME_CTRL_NAME: [0-9/]* default/read/poll queues" | tail -n 1)
echo "driver: ${queues:-no queue summary in dmesg}"
npoll=$(echo "$queues" | sed -n 's|.*: [0-9]*/[0-9]*/\([0-9]*\) default.*|\1|p')

# layout_refused N WHAT: the takeover with fault N fails with EIO.
layout_refused() {
	echo "$1" > $DBG/nvme_layout_fault || return 1
	if nvme_virtualize; then
		echo "virtualize with $2 succeeded"
		nvme_devirtualize
		return 1
	fi
	echo "virtualize with $2: $werr"
	[ "$werr" = EIO ] && nvme_is native 0
}
check "a layout with a submission queue in VMM memory is refused (EIO)" \
	layout_refused 1 "a submission queue in VMM memory"
check "a layout whose completion queue phase differs from the ring is refused (EIO)" \
	layout_refused 2 "a wrong completion queue phase"
vmm_said() {
	dmesg_since | grep -a 'cannot take over' | tail -n 2
	dmesg_since | grep -aq 'cannot take over: .*queue memory not page-aligned RAM of the OS (queue 1)' &&
		dmesg_since | grep -aq 'cannot take over: .*completion queue phases differ .* (queue 1)'
}
check "one dmesg line each, with the VMM's reason" vmm_said

# admin N: N admin commands (SMART log, Identify) through the driver.
admin_fail=0
admin() {
	a_i=0
	while [ $a_i -lt "$1" ]; do
		nvme smart-log "$NVME_CTRL" > /dev/null 2>&1 || admin_fail=$((admin_fail + 1))
		nvme id-ctrl "$NVME_CTRL" > /dev/null 2>&1 || admin_fail=$((admin_fail + 1))
		a_i=$((a_i + 2))
	done
}
admin 100
check "takeover after 100 admin commands" nvme_virtualize
admin 100
check "100 admin commands while virtualized, all succeeded ($admin_fail failed)" \
	[ $admin_fail -eq 0 ]
check "hand back" nvme_handback
check "takeover again after 200 admin commands" nvme_virtualize

# flip_fio NAME ENGINE: the verify job with ENGINE under 40 flips.
flip_fio() {
	nvme_fio_job "/tmp/$1.fio" 4 4
	[ "$2" = libaio ] || nvme_fio_polled "/tmp/$1.fio" "$2"
	nvme_fio_start "$1" "/tmp/$1.fio"
	flip_until_pid=$fio_pid
	nvme_flips 40
	flip_until_pid=
	nvme_is virtualized 1 || nvme_virtualize
	rtvirtctl trace "$addr" -n 256 > /tmp/$1.trace 2>&1
	nvme_fio_wait "$1"
}
# served_queues: the I/O queue ids in the last trace.
served_queues() {
	awk 'NR > 1 && $0 ~ /read|write/ { for (i = 1; i <= NF; i++) if (h[i] == "queue") print $i }
	     NR == 1 { for (i = 1; i <= NF; i++) h[i] = tolower($i) }' "$1" | sort -nu | tr '\n' ' '
}
check "libaio write and verify across 40 flips" flip_fio queues-aio libaio
echo "queues served (libaio): $(served_queues /tmp/queues-aio.trace)"
if [ "${npoll:-0}" -gt 0 ]; then
	check "polled I/O (io_uring --hipri) write and verify across 40 flips" \
		flip_fio queues-poll io_uring
	polled=$(served_queues /tmp/queues-poll.trace)
	echo "queues served (polled): $polled"
	# The poll queues are the driver's last queue ids.
	top_poll() {
		for q in $polled; do
			[ "$q" -gt $(( $(echo "$queues" | awk -F'[ /]' '{ print $2 + $3 }') )) ] && return 0
		done
		return 1
	}
	check "the trace shows polled commands on the poll queues" top_poll
else
	ok "polled I/O # SKIP the driver has no poll queues (nvme.poll_queues=0)"
	ok "poll queues in the trace # SKIP no poll queues"
fi
# Namespace 2 (512-byte blocks on the SSD-like controller, whose
# namespace 1 has 4 KiB): its commands count in its own block size.
ns2_verify() {
	[ -b "$NVME_BLK2" ] || { echo "no namespace 2"; return 1; }
	echo "namespace 2: $NVME_BLK2, $(cat "/sys/block/${NVME_BLK2#/dev/}/queue/logical_block_size")-byte blocks"
	fio --name=ns2 --filename="$NVME_BLK2" --ioengine=libaio --direct=1 \
		--bs=4k --rw=randwrite --iodepth=8 --size=8m --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --eta=never > /tmp/ns2.out 2>&1
	ns2_rc=$?
	grep -E 'err=|verify' /tmp/ns2.out | head -n 3
	[ $ns2_rc -eq 0 ] && nvme_is virtualized 1
}
if [ -n "$NVME_BLK2" ]; then
	check "namespace 2 written and verified while virtualized" ns2_verify
else
	ok "namespace 2 # SKIP the controller has one namespace"
fi
# A namespace rescan (Identify commands through the admin queue) while
# virtualized: the controller stays virtualized and its disks work.
rescan() {
	nvme ns-rescan "$NVME_CTRL" || return 1
	sleep 0.5
	dd if="$NVME_BLK" of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null &&
		nvme_is virtualized 1
}
check "namespace rescan while virtualized" rescan
check "hand back" nvme_handback
nvme_print_stats
check_no_nvme_errors
check "rmmod" unload
finish
