#!/bin/sh
# The VMM refuses a command whose data buffer lies in its own memory:
# /sys/kernel/debug/rtvirt/dma_probe makes the module submit a 4 KiB read
# into VMM memory on the NVMe disk.  While the disk is native the probe is
# refused (EBUSY); virtualized, the VMM completes the command with an
# error (the write fails with EIO), its memory is intact, dma_refused
# counts the refusal, the disk keeps working under a fio write-and-verify
# run and is handed back native.  No NVMe error in dmesg outside the probe
# and no timeout, abort or reset at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
P=/sys/kernel/debug/rtvirt/dma_probe
nvme_plan 12
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
check "the disk still works: fio write and verify (4 jobs x 4 MiB)" nvme_fio_verify dma 4 1
nvme_print_stats
check "hand back: native and not virtualized" nvme_handback
errs="$before$(nvme_errors)"
[ -z "$errs" ] || echo "$errs" | head -n 20
check "no NVMe or block I/O errors in dmesg before and after the probe" [ -z "$errs" ]
check "rmmod" unload
finish
