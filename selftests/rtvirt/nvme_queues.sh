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
#   - I/O on a second namespace with another block size, on namespaces
#     with metadata (protection information in a separate buffer, and
#     inline), and a namespace rescan while virtualized;
#   - a Format NVM while virtualized (namespace 2, 512 B to 4 KiB blocks
#     and back) hands the device back before it reaches the controller;
#     the next takeover counts the namespace's commands in the new size.
# make check runs it on both controllers, the SSD-like one with 16
# possible CPUs and write and poll queues (more than 16 I/O queues).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

DBG=/sys/kernel/debug/rtvirt

nvme_require
nvme_plan 27
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
# ns_verify DEV: random writes of 4 KiB verified on DEV, virtualized.
# Namespace 2 (512-byte blocks on the SSD-like controller, whose
# namespace 1 has 4 KiB) counts in its own block size; namespace 3 moves
# 8 bytes of protection information per block through a separate buffer
# (the metadata pointer), namespace 4 inline (the controller inserts and
# strips it: PRACT).
ns_verify() {
	[ -b "$1" ] || { echo "no such namespace"; return 1; }
	nv_sys=/sys/block/${1#/dev/}
	echo "$1: $(cat "$nv_sys/queue/logical_block_size")-byte blocks, integrity $(cat "$nv_sys/integrity/format" 2>/dev/null || echo none), $(cat "$nv_sys/size") sectors"
	fio --name=ns --filename="$1" --ioengine=libaio --direct=1 \
		--bs=4k --rw=randwrite --iodepth=8 --size=8m --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --eta=never > /tmp/ns.out 2>&1
	nv_rc=$?
	grep -E 'err=|verify' /tmp/ns.out | head -n 3
	[ $nv_rc -eq 0 ] && nvme_is virtualized 1
}
ns_check() {	# ns_check NSID DEV WHAT
	if [ -n "$2" ]; then
		check "namespace $1 ($3) written and verified while virtualized" \
			ns_verify "$2"
	else
		ok "namespace $1 ($3) # SKIP the controller has no namespace $1"
	fi
}
ns_check 2 "$NVME_BLK2" "another block size"
ns_check 3 "$NVME_BLK3" "protection information apart"
ns_check 4 "$NVME_BLK4" "protection information inline"
# A namespace rescan (Identify commands through the admin queue) while
# virtualized: the controller stays virtualized and its disks work.
rescan() {
	nvme ns-rescan "$NVME_CTRL" || return 1
	sleep 0.5
	dd if="$NVME_BLK" of=/dev/null bs=4096 count=64 iflag=direct 2>/dev/null &&
		nvme_is virtualized 1
}
check "namespace rescan while virtualized" rescan

# Format NVM of namespace 2 while virtualized, to 4 KiB blocks and back
# to 512 bytes: the command waits for the hand-back, then runs natively;
# the next takeover counts the namespace's commands in the new size (in
# the old one, 4 KiB would count as 32 KiB and be refused).
lbaf_of() {	# lbaf_of SHIFT: the LBA format with 2^SHIFT bytes, no metadata
	nvme id-ns "$NVME_BLK2" 2>/dev/null |
		sed -n "s/^lbaf *\([0-9]*\) *: *ms:0 *lbads:$1 .*/\1/p" | head -n 1
}
format_to() {	# format_to BYTES SHIFT
	f=$(lbaf_of "$2")
	[ -n "$f" ] || { echo "no LBA format of $1 bytes without metadata"; return 1; }
	nvme format "$NVME_CTRL" -n 2 -l "$f" -f || return 1
	nvme_is native 0 || { echo "still virtualized after the format"; return 1; }
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(cat "/sys/block/${NVME_BLK2#/dev/}/queue/logical_block_size")" = "$1" ] &&
			return 0
		sleep 0.5
	done
	echo "block size still $(cat "/sys/block/${NVME_BLK2#/dev/}/queue/logical_block_size")"
	return 1
}
# read64k: a 64 KiB direct read of namespace 2 is in the VMM's trace as
# 65536 bytes (trace columns: seq queue opcode cid lba bytes ...).
read64k() {
	dd if="$NVME_BLK2" of=/dev/null bs=65536 count=1 skip=7 iflag=direct 2>/dev/null ||
		return 1
	rtvirtctl trace "$addr" -n 16 > /tmp/read64k.trace 2>&1
	tail -n 3 /tmp/read64k.trace
	awk 'tolower($3) == "read" && $6 == 65536 { found = 1 } END { exit !found }' \
		/tmp/read64k.trace
}
for fmt in "4096 12" "512 9"; do
	set -- $fmt
	if [ -n "$NVME_BLK2" ]; then
		check "Format NVM to $1-byte blocks while virtualized hands the device back first" \
			format_to "$1" "$2"
		check "takeover after the format" nvme_virtualize
		check "a 64 KiB read counts 65536 bytes in $1-byte blocks" read64k
		ns_check 2 "$NVME_BLK2" "$1-byte blocks after the format"
	else
		ok "Format NVM while virtualized # SKIP the controller has one namespace"
		ok "takeover after the format # SKIP"
		ok "a 64 KiB read after the format # SKIP"
		ok "namespace 2 after the format # SKIP"
	fi
done
check "hand back" nvme_handback
nvme_print_stats
check_no_nvme_errors
check "rmmod" unload
finish
