#!/bin/sh
# NMIs while demoted: sysrq-l NMI backtraces, repeated under load, reach
# the kernel on every CPU every time, and so does every NMI of a storm sent
# one at a time (debugfs nmi_storm); the VMM keeps answering.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
rounds=${RTVIRT_NMI_ROUNDS:-10}
ncpu=$(nproc)
storm=${RTVIRT_NMI_STORM:-20000}
plan 4
unload
insmod "$RTVIRT_KO"
stress-ng --cpu "$ncpu" --syscall 1 --timeout 120 > /dev/null 2>&1 &
stress=$!
sleep 1
dmesg -c > /dev/null
nmis_before=$(grep '^ *NMI:' /proc/interrupts)
i=0
while [ $i -lt "$rounds" ]; do
	echo l > /proc/sysrq-trigger
	sleep 0.5
	i=$((i + 1))
done
nmis_after=$(grep '^ *NMI:' /proc/interrupts)
ok=1
echo "$storm" > /sys/kernel/debug/rtvirt/nmi_storm || ok=0
echo "nmi_storm: $(cat /sys/kernel/debug/rtvirt/nmi_storm)"
kill $stress 2>/dev/null
wait $stress 2>/dev/null
# Each round starts with sysrq's own line; a CPU answers with "NMI
# backtrace for cpu N", or "... skipped: idling at ..." where the NMI
# found it idle (it arrived all the same).  Per CPU: answers, idle ones,
# and the rounds it did not answer; then, if one is missing, how long each
# round's answers took.
log=$(mktemp)
dmesg | awk -v ncpu="$ncpu" -v rounds="$rounds" '
	function stamp() {
		if (!match($0, /^\[ *[0-9]+\.[0-9]+\]/))
			return 0
		return substr($0, RSTART + 1, RLENGTH - 2) + 0
	}
	/sysrq: Show backtrace of all active CPUs/ { start[++r] = stamp() }
	/NMI backtrace for cpu [0-9]+( skipped: idling at .*)?$/ {
		for (i = 1; i <= NF; i++)
			if ($i == "cpu") { c = $(i + 1); break }
		if (r > 0 && !seen[r, c]++) {
			last[r] = stamp()
			got[c]++
			if ($0 ~ /skipped: idling/)
				idle[c]++
		}
	}
	END {
		bad = 0
		for (c = 0; c < ncpu; c++) {
			miss = ""
			for (i = 1; i <= rounds; i++)
				if (!seen[i, c])
					miss = miss " " i
			printf "cpu %d: %d NMI backtraces of %d (%d idle)%s\n",
				c, got[c] + 0, rounds, idle[c] + 0,
				miss == "" ? "" : ", none in round" miss
			if (got[c] != rounds)
				bad++
		}
		# How long the answers of each round took (the sender waits
		# 10 s for all of them), where one is missing.
		if (bad)
			for (i = 1; i <= r; i++)
				printf "round %d: answers within %.3f s\n", i,
					last[i] - start[i]
		if (r != rounds) {
			printf "%d sysrq-l rounds in the log, %d written\n", r,
				rounds
			bad++
		}
		print "bad " bad
	}' > "$log"
grep -v '^bad ' "$log"
bad=$(sed -n 's/^bad //p' "$log")
# NMIs the kernel took per CPU in the rounds (the sender takes none for
# itself): tells an NMI that never came from one whose backtrace is missing.
echo "NMIs taken in the rounds, per CPU:$(printf '%s\n%s\n' "$nmis_before" \
	"$nmis_after" | awk -v ncpu="$ncpu" '
	NR == 1 { for (c = 0; c < ncpu; c++) b[c] = $(c + 2) }
	NR == 2 { for (c = 0; c < ncpu; c++) printf " %d", $(c + 2) - b[c] }')"
rm -f "$log"
check "$rounds sysrq-l rounds: every CPU's NMI backtrace arrived" [ "$bad" -eq 0 ]
check "NMI storm: $storm NMIs to each CPU, one at a time, under load: all arrived" \
	[ $ok -eq 1 ]
check "every CPU still answers as a guest" sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "unlaunch and rmmod" unload
finish
