#!/bin/sh
# The VMM refuses a command whose data buffer lies in its own memory:
# /sys/kernel/debug/rtvirt/dma_probe makes the module submit a 4 KiB read
# into VMM memory on the NVMe disk.  While the disk is native the probe is
# refused (EBUSY); virtualized, the command completes with an error (the
# VMM gave the controller one it fails instead; the write fails with EIO),
# its memory is intact, dma_refused counts the refusal.  /sys/kernel/debug/rtvirt/rewrite_probe makes the
# module read four pages through a PRP list of its own and point the list
# at VMM memory right after the driver rang the doorbell (before the
# controller fetched it): the read succeeds into the pages the list named
# when the VMM checked it, and VMM memory is intact.  The disk keeps
# working under a fio write-and-verify run and is handed back native.  No
# NVMe error in dmesg outside the probe and no timeout, abort or reset at
# all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
P=/sys/kernel/debug/rtvirt/dma_probe
RW=/sys/kernel/debug/rtvirt/rewrite_probe
nvme_plan 14
dmesg_mark
nvme_load
[ -e $P ] || bail "no $P"

dev_write $P "$addr"
rc=$? e=$werr
check "dma_probe refused with EBUSY while the disk is native (${e:-succeeded})" \
	[ $rc -ne 0 -a "$e" = EBUSY ]
check "virtualize" nvme_virtualize
nvme_is virtualized 1 || bail "the disk is not virtualized (state $st, virtualized $vz; $werr)"
before=$(nvme_errors)
refused0=$(nvme_stat dma_refused)
dmesg_mark
dev_write $P "$addr"
rc=$? e=$werr
sleep 0.2
probe_log=$(dmesg_since)
dmesg_mark
check "dma_probe: the VMM refuses the command (write fails with EIO: ${e:-succeeded})" \
	[ $rc -ne 0 -a "$e" = EIO ]
line=$(cat $P)
echo "dma_probe: $line"
status=$(echo "$line" | sed -n 's/^status=\(0x[0-9a-fA-F]*\) .*/\1/p')
probe_line_ok() {
	[ -n "$status" ] && [ $((status)) -ne 0 ] &&
		echo "$line" | grep -qE '^status=0x[0-9a-fA-F]+ vmm_memory=intact$'
}
check "dma_probe: an error status (${status:-none}), vmm_memory=intact" probe_line_ok
refused1=$(nvme_stat dma_refused)
check "stats: dma_refused counts it ($refused0 -> $refused1)" stat_ge dma_refused $((refused0 + 1))
[ -z "$probe_log" ] || echo "$probe_log" | head -n 10
probe_bad=$(echo "$probe_log" | grep -E 'nvme.*(timeout|reset|abort)')
check "no NVMe timeout, abort or reset on the probe" [ -z "$probe_bad" ]
dmesg_mark
dev_write $RW "$addr"
rc=$? e=$werr
rw_line=$(cat $RW)
echo "rewrite_probe: $rw_line"
rw_ok() {
	[ $rc -eq 0 ] && echo "$rw_line" |
		grep -qE '^status=0x0000 rewritten=1 data=as-checked vmm_memory=intact tries=[0-9]+$'
}
check "rewrite_probe: a PRP list rewritten after the doorbell does not move the transfer (${e:-ok}: $rw_line)" rw_ok
rw_bad=$(dmesg_since | grep -E 'nvme.*(timeout|reset|abort)')
check "no NVMe timeout, abort or reset on the rewrite probe" [ -z "$rw_bad" ]
check "the disk still works: fio write and verify (4 jobs x 4 MiB)" nvme_fio_verify dma 4 1
nvme_print_stats
check "hand back: native and not virtualized" nvme_handback
errs="$before$(nvme_errors)"
[ -z "$errs" ] || echo "$errs" | head -n 20
check "no NVMe or block I/O errors in dmesg before and after the probe" [ -z "$errs" ]
check "rmmod" unload
finish
