#!/bin/sh
# Fault injection on the virtualized NVMe disk (rtvirtctl inject): taken
# with direct completions, a delay of 200 ms on the next 3 reads makes
# each take that long and succeed; a status injection takes the disk over
# anew with mediated completions, and the next reads fail with
# Unrecovered Read Error and DNR (status 0x281 | 1 << 14): a direct read
# fails, the kernel logs the error, the injected counter and the trace
# show it; after --clear reads work again.  The disk is handed back
# native.  The injected errors are expected in dmesg, but no
# NVMe timeout, abort or controller reset.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
nvme_plan 20
dmesg_mark
nvme_load

# read_at BLOCK: one direct 4 KiB read; its time in hundredths of a second
# in $took, dd's messages in $msg.
read_at() {
	uptime_cs
	ra_t0=$now_cs
	msg=$(dd if=$NVME_BLK of=/dev/null bs=4096 skip="$1" count=1 iflag=direct 2>&1)
	ra_rc=$?
	uptime_cs
	took=$((now_cs - ra_t0))
	return $ra_rc
}

check "virtualize" nvme_virtualize
nvme_is virtualized 1 || bail "the disk is not virtualized (state $st, virtualized $vz; $werr)"
check "completions: direct ($(cat $dev/completions))" [ "$(cat $dev/completions)" = direct ]
inj0=$(nvme_stat injected)
check "inject: delay the next 3 reads by 200 ms" \
	rtvirtctl inject "$addr" --reads --count 3 --delay-us 200000
slow=0 times=""
for b in 200 201 202; do
	read_at $b && [ $took -ge 19 ] && slow=$((slow + 1))
	times="$times $((took * 10))"
done
read_at 203
echo "delayed reads took$times ms (the next one $((took * 10)) ms)"
check "each of the 3 delayed reads succeeds and takes >= 0.2 s" [ $slow -eq 3 ]
injd=$(nvme_stat injected)
check "stats: injected counts the delays ($inj0 -> $injd)" stat_ge injected $((inj0 + 3))
check "inject: the next 4 reads fail with status 0x281 and DNR" \
	rtvirtctl inject "$addr" --reads --count 4 --status 0x281 --dnr
check "completions: mediated for the status ($(cat $dev/completions))" \
	[ "$(cat $dev/completions)" = mediated ]
mediated_logged() {
	dmesg_since | grep -q 'taken over again with mediated completions'
}
check "dmesg: taken over again with mediated completions" mediated_logged
if read_at 100; then
	fail "a direct 4 KiB read fails (it succeeded)"
else
	ok "a direct 4 KiB read fails: $(echo "$msg" | head -n 1)"
fi
sleep 0.2
errs=$(dmesg_since | grep -E 'critical medium error|Unrecovered Read|I/O Error|I/O error|blk_update_request')
echo "$errs" | head -n 5
check "dmesg shows the read error" [ -n "$errs" ]
inj1=$(nvme_stat injected)
check "stats: injected counts it ($injd -> $inj1)" stat_ge injected $((injd + 1))
trace=$(rtvirtctl trace "$addr" -n 64)
echo "$trace" | tail -n 8
# Columns: seq queue opcode cid lba bytes status latency flags; the
# status shown as 0x4281 or 0x281 with DNR, the flag as injected.
injected_read_traced() {
	echo "$trace" | awk 'tolower($0) ~ /read/ && /281/ && tolower($0) ~ /inj/ { found = 1 }
		END { exit !found }'
}
check "trace: a read completed with status 0x4281 (281), flagged injected" injected_read_traced
check "inject --clear" rtvirtctl inject "$addr" --clear
good=0
for b in 101 102 103 104 105; do
	read_at $b && good=$((good + 1))
done
check "after --clear, 5 direct reads succeed ($good did)" [ $good -eq 5 ]

nvme_print_stats
check "hand back: native and not virtualized" nvme_handback
check "completions: - while native ($(cat $dev/completions))" [ "$(cat $dev/completions)" = - ]
check_no_nvme_errors "no NVMe timeout, abort or reset in dmesg" 'nvme.*(timeout|reset|abort)'
check "rmmod" unload
finish
