#!/bin/sh
# The nvme driver unloaded and loaded again, with other queue types, while
# rtvirt stays loaded: after rmmod nvme and insmod nvme.ko write_queues=2
# poll_queues=2 the controller is found again (its name may change) and
# taken over with the new driver's queues, read from the new driver's
# state; libaio I/O is written and verified across 40 flips, polled I/O
# (io_uring --hipri, on the driver's poll queues) across at least
# $RTVIRT_POLL_FLIPS (default 200), fio running in rounds until they are
# done.  Then the driver is loaded again with the
# parameters it had at boot (nvme.* on the kernel command line, as the test
# VM's init gives them), a takeover and hand-back work as well, and the
# tests after this one find the driver as make check set it up.  The
# controller ends native; dmesg has no NVMe error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
NVME_KO=$(grep '/nvme\.ko$' /etc/rtvirt-modules 2>/dev/null | head -n 1)
[ -n "$NVME_KO" ] || skip_all "no nvme.ko in /etc/rtvirt-modules (nvme built in?)"
nvme_plan 12
dmesg_mark
nvme_load

# reload ARGS...: the nvme driver again, with ARGS; wait for the
# controller under test and its namespace 1, and find it in rtvirt again.
reload() {
	rmmod nvme || return 1
	insmod "$NVME_KO" "$@" || return 1
	nvme_require
	nvme_find || return 1
	echo "driver: $(dmesg | grep -o "$NVME_CTRL_NAME: [0-9/]* default/read/poll queues" | tail -n 1)"
}
check "nvme reloaded with write_queues=2 poll_queues=2, controller found again ($NVME_CTRL_NAME)" \
	reload write_queues=2 poll_queues=2
npoll=$(dmesg | grep -o "$NVME_CTRL_NAME: [0-9/]* default/read/poll queues" | tail -n 1 |
	sed -n 's|.*: [0-9]*/[0-9]*/\([0-9]*\) default.*|\1|p')
check "the new driver has poll queues (${npoll:-none})" [ "${npoll:-0}" -gt 0 ]

# flip_fio NAME ENGINE N: the verify job with ENGINE, in rounds, until N
# flips are done (at most 10 rounds); every round must verify.
flip_fio() {
	nvme_fio_job "/tmp/$1.fio" 4 4
	[ "$2" = libaio ] || nvme_fio_polled "/tmp/$1.fio" "$2"
	flips=0 flip_errors=0 ff_round=0
	while [ $flips -lt "$3" ] && [ $ff_round -lt 10 ]; do
		ff_round=$((ff_round + 1))
		nvme_fio_start "$1" "/tmp/$1.fio"
		flip_until_pid=$fio_pid
		nvme_flips $(($3 - flips))
		flip_until_pid=
		nvme_fio_wait "$1" && [ $flip_errors -eq 0 ] || return 1
	done
	echo "$1: $flips flips in $ff_round fio rounds"
	[ $flips -ge "$3" ]
}
poll_flips=${RTVIRT_POLL_FLIPS:-200}
check "libaio write and verify across 40 flips after the reload" \
	flip_fio reload-aio libaio 40
check "polled I/O (io_uring --hipri) write and verify across $poll_flips flips" \
	flip_fio reload-poll io_uring "$poll_flips"
if ! nvme_is native 0; then
	nvme_devirtualize || echo "hand-back failed: $werr"
fi
boot_params=""
for w in $(cat /proc/cmdline); do
	case "$w" in nvme.*=*) boot_params="$boot_params ${w#nvme.}" ;; esac
done
# shellcheck disable=SC2086 # one word per parameter
check "nvme reloaded as at boot (${boot_params:-no parameters}), controller found again" \
	reload $boot_params
check "takeover with the boot's queues" nvme_virtualize
check "the disk works while virtualized" \
	dd if="$NVME_BLK" of=/dev/null bs=4096 count=256 iflag=direct
check "hand back" nvme_handback
check_no_nvme_errors
check "rmmod" unload
finish
