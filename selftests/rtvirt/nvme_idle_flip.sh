#!/bin/sh
# The idle NVMe disk taken into emulation and handed back
# $RTVIRT_IDLE_FLIPS times (default 50) through its sysfs virtualized file;
# afterwards it is native, reads work, a short fio write-and-verify run
# passes, the counters count the flips and dmesg has no NVMe error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
n=${RTVIRT_IDLE_FLIPS:-50}
nvme_plan 10
dmesg_mark
nvme_load
check "native and not virtualized before the flips" nvme_is native 0
uptime_cs
t0=$now_cs
nvme_flips "$n"
uptime_cs
echo "$flips flips in $(( (now_cs - t0) / 100 )).$(( (now_cs - t0) % 100 / 10 )) s, $handback_retries hand-backs retried after ETIMEDOUT"
nvme_is native 0 || nvme_devirtualize || echo "final hand-back failed: $werr"
check "$n flips of the idle disk ($flips done, $flip_errors errors)" \
	[ $flips -ge "$n" -a $flip_errors -eq 0 ]
check "native and not virtualized after the flips" nvme_is native 0
nvme_print_stats
stats_count_flips() {
	stat_ge virtualizations $flips && stat_ge devirtualizations $flips
}
check "stats: virtualizations and devirtualizations >= $flips" stats_count_flips
check "direct reads of the disk work (1 MiB)" \
	sh -c "dd if=$NVME_BLK of=/dev/null bs=4096 count=256 iflag=direct 2>/dev/null"
check "fio write and verify on the disk (4 jobs x 4 MiB)" nvme_fio_verify idle 4 1
check_no_nvme_errors
check "rmmod" unload
finish
