#!/bin/sh
# The kernel's driver changes the controller's mode while it is virtualized:
# a controller reset (sysfs reset_controller) under fio --verify.  The
# VMM holds the driver's CC write, the module hands the disk back, the
# held write is replayed and the reset runs natively: the disk ends
# native, the replay is counted, fio verifies every block, and a new
# takeover after the reset (queues created anew) works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
nvme_plan 11
dmesg_mark
nvme_load
ctrl=/sys/class/nvme/$NVME_CTRL_NAME
[ -w "$ctrl/reset_controller" ] || bail "no $ctrl/reset_controller"
nvme_fio_job /tmp/reset.fio 8 4
nvme_fio_start reset /tmp/reset.fio
check "virtualize under fio I/O" nvme_virtualize
rep0=$(nvme_stat replayed)
check "reset_controller while virtualized" \
	sh -c "echo 1 > $ctrl/reset_controller"
# The hand-back runs from the module's poll; give it a moment.
i=0
while ! nvme_is native 0 && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "handed back to the driver for the reset (state $(cat "$dev/state"))" \
	nvme_is native 0
check "stats: the held register write was replayed ($rep0 -> $(nvme_stat replayed))" \
	stat_ge replayed $((rep0 + 1))
check "virtualize again after the reset" nvme_virtualize
check "hand back again" nvme_handback
check "fio across the reset: exit 0, every block verified" nvme_fio_wait reset
# A reset logs nothing about timeouts or aborts; the driver's own reset
# lines are not errors here.
check_no_nvme_errors "no NVMe timeout, abort or I/O error in dmesg" \
	'nvme.*(timeout|I/O error|abort)|blk_update_request|I/O error|genctr mismatch|invalid id .* completed'
check "rmmod" unload
finish
