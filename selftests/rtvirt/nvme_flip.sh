#!/bin/sh
# The NVMe disk taken into emulation and handed back under verified I/O:
# fio writes random data at random to the disk ($NVME_BLK, see nvme_lib.sh)
# and reads every block back to check it (4 jobs, iodepth 1, 4, 16 and 32,
# on disjoint 16 MiB ranges; see nvme_fio_job) while the disk is flipped, by
# its sysfs virtualized file, at least $RTVIRT_FLIPS times (default 200):
# virtualize, 0-20 ms, hand back (retried on ETIMEDOUT), 0-20 ms, and so
# on.  fio runs in rounds of one write-and-verify pass until enough flips
# are done; every round must finish without error with every written
# block read back and verified.  Afterwards the disk is native, the
# device's counters count every flip and dmesg has no NVMe error.
# RTVIRT_FLIP_SECONDS bounds the flipping (default 60 + RTVIRT_FLIPS / 2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
want=${RTVIRT_FLIPS:-200}
nvme_plan 11
dmesg_mark
nvme_load
check "native and not virtualized before the flips" nvme_is native 0

uptime_cs
start_cs=$now_cs
flip_deadline_cs=$((now_cs + ${RTVIRT_FLIP_SECONDS:-$((60 + want / 2))} * 100))
nvme_fio_job /tmp/flip.fio 16 1
round=0 fio_failed=0 verify_failed=0
# Rounds until enough flips, a failed fio round, 10 flip errors or the time limit.
while [ $flips -lt "$want" ] && [ $flip_errors -lt 10 ] && [ $now_cs -lt $flip_deadline_cs ] &&
      [ $fio_failed -eq 0 ] && [ $verify_failed -eq 0 ]; do
	round=$((round + 1))
	nvme_fio_start flip$round /tmp/flip.fio
	flip_until_pid=$fio_pid
	nvme_flips 1000000000
	wait $fio_pid
	rc=$?
	[ $rc -eq 0 ] || fio_failed=$((fio_failed + 1))
	nvme_fio_result flip$round || verify_failed=$((verify_failed + 1))
	uptime_cs
	echo "round $round: fio exit $rc, $flips flips, $flip_errors errors, $(( (now_cs - start_cs) / 100 )) s"
done
[ $now_cs -lt $flip_deadline_cs ] || echo "stopped at the time limit (RTVIRT_FLIP_SECONDS)"
echo "$flips flips in $(( (now_cs - start_cs) / 100 )) s, $handback_retries hand-backs retried after ETIMEDOUT"
# Leave the disk native even after a failed hand-back.
if ! nvme_is native 0; then
	nvme_devirtualize || echo "final hand-back failed: $werr"
fi

check "$want flips under fio I/O ($flips done, $flip_errors errors)" \
	[ $flips -ge "$want" -a $flip_errors -eq 0 ]
check "fio exited 0 in all $round rounds" [ $fio_failed -eq 0 ]
check "fio: every written block read back and verified, no error" [ $verify_failed -eq 0 ]
check "native and not virtualized at the end" nvme_is native 0
nvme_print_stats
check "stats: virtualizations >= $flips" stat_ge virtualizations $flips
check "stats: devirtualizations >= $flips" stat_ge devirtualizations $flips
check_no_nvme_errors
check "rmmod" unload
finish
