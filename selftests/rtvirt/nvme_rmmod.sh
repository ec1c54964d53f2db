#!/bin/sh
# Leaving with the NVMe disk virtualized under I/O: fio writes and verifies
# while the disk is virtualized and rtvirt is removed (rmmod); then, loaded
# again, the VMM is unlaunched (echo 0 > /sys/kernel/rtvirt/virtualized)
# under the same load, which hands the disk back first: it is native and the
# module stays loaded.  Both fio runs finish with every block verified; no
# NVMe error in dmesg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
nvme_plan 13
dmesg_mark
nvme_load
# 4 x 8 MiB, at most 300 writes per second per job: 7 s at least, so
# that fio still runs 3 s after its start also where I/O is fast.
nvme_fio_job /tmp/rmmod.fio 8 1 300

nvme_fio_start rmmod1 /tmp/rmmod.fio
sleep 1
check "virtualize under fio I/O" nvme_virtualize
sleep 2
# under_io: the disk is virtualized and fio still runs.
under_io() {
	running=0 virt=0
	kill -0 $fio_pid 2>/dev/null && running=1
	nvme_is virtualized 1 && virt=1
	echo "state $st, virtualized $vz, fio running: $running"
}
under_io
rmmod rtvirt
rc=$?
check "rmmod while the disk is virtualized and fio runs" [ $rc -eq 0 -a $running = 1 -a $virt = 1 ]
check "module gone, $SYSFS gone" sh -c "! grep -q '^rtvirt ' /proc/modules && [ ! -e $SYSFS ]"
check "fio across the rmmod: exit 0, every block verified" nvme_fio_wait rmmod1

check "insmod again" insmod "$RTVIRT_KO"
nvme_find || bail "no NVMe device in $SYSFS/devices after the second insmod"
nvme_fio_start unlaunch /tmp/rmmod.fio
sleep 1
check "virtualize under fio I/O" nvme_virtualize
sleep 2
under_io
dev_write $SYSFS/virtualized 0
rc=$?
check "unlaunch while the disk is virtualized and fio runs${werr:+ ($werr)}" \
	[ $rc -eq 0 -a $running = 1 -a $virt = 1 ]
unlaunched_native() {
	nvme_is native 0 && loaded && [ "$(cat $SYSFS/virtualized)" = 0 ]
}
check "after the unlaunch: disk native, VMM unlaunched, module loaded" unlaunched_native
check "fio across the unlaunch: exit 0, every block verified" nvme_fio_wait unlaunch
nvme_print_stats
check_no_nvme_errors
check "rmmod" unload
finish
