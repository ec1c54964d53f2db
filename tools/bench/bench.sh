#!/bin/sh
# rtvirt benchmark, run inside the test VM by `make bench`
# (tools/vm/run --add tools/bench -- /extra/bench.sh), and under Bochs for
# the VMX backend by `make bench-vmx` (no NVMe there: those sections say
# skipped).  Reports ratios and counts measured in this one run; passes or
# fails nothing.
#
# Sections: idle exit rate; the cost of one VM exit; stress-ng cpu and
# syscall native and demoted; for each NVMe controller of the test VM (the
# disk, and the one like a physical SSD, picked by serial number), fio
# random reads and writes at queue depths 1 and 32 with it native and
# virtualized (IOPS, bandwidth, ratio, VM exits and the controller's
# interrupts per I/O) and the hand-back stall over 100 flips under load
# (p50, p99, max), with direct and with mediated completions; an e1000e
# NIC under iperf3 native and virtualized (throughput, ratio, VM exits per
# packet) and its hand-back stall and UDP loss over 100 flips; launch and
# unlaunch time per CPU.
#
# RTVIRT_BENCH_SECONDS: length of each workload run (default 10).
SYSFS=/sys/kernel/rtvirt
# nvme_select: the controller of serial $RTVIRT_NVME_SERIAL (NVME_PCI,
# NVME_BLK), as the selftests find it.
. /rtvirt/selftests/nvme_lib.sh
secs=${RTVIRT_BENCH_SECONDS:-10}
cycles=${RTVIRT_BENCH_CYCLES:-20}

grep -qwE 'svm|vmx' /proc/cpuinfo || { echo "bench: needs SVM or VMX"; exit 0; }
insmod /rtvirt/rtvirt.ko launch=0 || exit 1

total_exits() {
	cat $SYSFS/cpus/cpu*/exits/total | awk '{ s += $1 } END { print s }'
}

# bogo ops per second (real time) of one stress-ng stressor
rate() {
	stress-ng --"$1" "$(nproc)" --timeout "$secs" --metrics-brief -Y /tmp/m.yaml > /dev/null 2>&1
	awk '/bogo-ops-per-second-real-time:/ { print $2; exit }' /tmp/m.yaml
}

echo "rtvirt benchmark: $(nproc) CPUs, $(uname -r), $secs s per workload"
echo

# Idle exit rate: the counters are read twice with nothing in between to
# measure what reading them costs, then across a quiet interval.
echo 1 > $SYSFS/virtualized
sleep 2
a=$(total_exits); b=$(total_exits)
cost=$((b - a))
a=$(total_exits); sleep "$secs"; b=$(total_exits)
idle=$((b - a - cost))
echo "exits while demoted and idle: $idle in $secs s = $(awk -v n=$idle -v s=$secs 'BEGIN { printf "%.1f", n / s }')/s (all CPUs; reading the counters costs $cost)"
# The hypercall round trip: the mean of 1000 pings on CPU 0, from ring 0
# (debugfs hypercall_ns).
if hc=$(taskset -c 0 cat /sys/kernel/debug/rtvirt/hypercall_ns); then
	echo "hypercall round trip (ping): $(awk -v n="$hc" 'BEGIN { printf "%.2f", n / 1000 }') us (mean of 1000 on CPU 0)"
else
	echo "hypercall round trip (ping): not measured (debugfs hypercall_ns unreadable)"
fi
echo 0 > $SYSFS/virtualized

# What one VM exit costs on this machine: CPUID of leaf 0 in a loop,
# each followed by reads of P distinct pages (the working set the kernel
# touches again after an exit), native and demoted.  Demoted, every CPUID
# exits; the difference is the exit's cost with that working set, and the
# growth with P what each page touched after an exit costs.
set -- $(/rtvirt/selftests/cpu_probe cpuid 20000 0) \
	$(/rtvirt/selftests/cpu_probe cpuid 20000 64) \
	$(/rtvirt/selftests/cpu_probe cpuid 20000 256)
n0=$1 n64=$2 n256=$3
echo 1 > $SYSFS/virtualized
set -- $(/rtvirt/selftests/cpu_probe cpuid 2000 0) \
	$(/rtvirt/selftests/cpu_probe cpuid 2000 64) \
	$(/rtvirt/selftests/cpu_probe cpuid 2000 256)
echo 0 > $SYSFS/virtualized
awk -v n0=$n0 -v n64=$n64 -v n256=$n256 -v d0=$1 -v d64=$2 -v d256=$3 'BEGIN {
	printf "VM exit (CPUID) then 0 pages read: native %.2f us, demoted %.2f us: %.1f us per exit\n", n0 / 1000, d0 / 1000, (d0 - n0) / 1000
	printf "VM exit (CPUID) then 64 pages read: native %.2f us, demoted %.2f us: %.1f us per exit\n", n64 / 1000, d64 / 1000, (d64 - n64) / 1000
	printf "VM exit (CPUID) then 256 pages read: native %.2f us, demoted %.2f us: %.1f us per exit\n", n256 / 1000, d256 / 1000, (d256 - n256) / 1000
	printf "each page touched after a VM exit: %.2f us more (from 0 to 256 pages)\n", ((d256 - n256) - (d0 - n0)) / 256 / 1000
}'

# Workloads: native first, then demoted, same VM, same binaries.
for w in cpu syscall; do
	n=$(rate $w)
	echo 1 > $SYSFS/virtualized
	v=$(rate $w)
	echo 0 > $SYSFS/virtualized
	echo "$w: native $n, demoted $v bogo ops/s: ratio $(awk -v n=$n -v v=$v 'BEGIN { printf "%.3f", v / n }')"
done

# --- NVMe: the disk native and virtualized ---------------------------------
# fio 4 KiB random reads and writes, iodepth 1 and 32, libaio, direct, $secs s,
# with the VMM launched both times: first the disk native, then
# virtualized.  Then 100 flips under fio load for the hand-back stalls.

# devw FILE VALUE: one write(2) of "VALUE\n"; the error message in $werr.
devw() {
	werr=$(printf '%s\n' "$2" | dd of="$1" conv=notrunc 2>&1 > /dev/null) && werr=""
	[ -z "$werr" ] && return 0
	werr=$(echo "$werr" | head -n 1)
	return 1
}

# Hand the disk back, retrying hand-backs stopped at the stall bound.
bench_handback() {
	hb=0
	while ! devw "$ndev/virtualized" 0; do
		case "$werr" in *"timed out"*) ;; *) return 1 ;; esac
		retries=$((retries + 1))
		hb=$((hb + 1))
		[ $hb -lt 100 ] || return 1
	done
}

# flip_stalls: 100 takeovers and hand-backs of the device at $ndev, 10 ms
# apart (stopping after 5 failures); each hand-back's stall goes into
# /tmp/stalls, $bad counts the failed flips, $retries the retried
# hand-backs.
flip_stalls() {
	retries=0
	: > /tmp/stalls
	i=0 bad=0
	while [ $i -lt 100 ] && [ $bad -lt 5 ]; do
		i=$((i + 1))
		if ! devw "$ndev/virtualized" 1; then
			bad=$((bad + 1))
			continue
		fi
		sleep 0.01
		if ! bench_handback; then
			bad=$((bad + 1))
			continue
		fi
		cat "$ndev/stats/last_stall_ns" >> /tmp/stalls
		sleep 0.01
	done
}

# nvme_irqs: interrupts the controller of $NVME_BLK raised so far (all its
# queues' vectors, all CPUs, from /proc/interrupts).
nvme_irqs() {
	c=${NVME_BLK#/dev/}
	c=${c%n[0-9]*}
	awk -v q="${c}q" '$NF ~ "^" q "[0-9]+$" {
		for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break }
		END { print s + 0 }' /proc/interrupts
}

# nvme_fio RW QD: one fio run on the disk; sets iops, bw (bytes/s), ios and
# irqs (the controller's interrupts during the run).
nvme_fio() {
	i0=$(nvme_irqs)
	fio --name=bench --filename="$NVME_BLK" --ioengine=libaio --direct=1 \
		--bs=4k --iodepth="$2" --rw="$1" --time_based --runtime="$secs" \
		--eta=never --output-format=json --output=/tmp/nvme.json > /dev/null 2>&1
	irqs=$(($(nvme_irqs) - i0))
	case "$1" in *read) d=read ;; *) d=write ;; esac
	set -- $(awk -v want=$d '
		/^ *"(read|write|trim|sync)" : \{/ { d = $1; gsub(/"/, "", d) }
		d == want && /^ *"iops" :/ { v = $3; gsub(/,/, "", v); iops = v }
		d == want && /^ *"bw_bytes" :/ { v = $3; gsub(/,/, "", v); bw = v }
		d == want && /^ *"total_ios" :/ { v = $3; gsub(/,/, "", v); ios = v }
		END { printf "%d %d %d\n", iops, bw, ios }' /tmp/nvme.json 2>/dev/null)
	iops=${1:-0} bw=${2:-0} ios=${3:-0}
}

# nvme_report LABEL EXITS: IOPS, bandwidth, VM exits and interrupts per
# I/O of the last nvme_fio run; EXITS has the idle rate and the counter
# reads taken off already.
nvme_report() {
	awk -v s="$RTVIRT_NVME_SERIAL" -v l="$1" -v x=$2 -v i=$iops -v b=$bw -v n=$ios -v q=$irqs 'BEGIN {
		printf "nvme %s %s %d IOPS, %.1f MiB/s, %.2f VM exits per I/O, %.2f interrupts per I/O (%d I/Os)\n",
			s, l, i, b / 1048576, n ? x / n : 0, n ? q / n : 0, n }'
}

for RTVIRT_NVME_SERIAL in rtvirt-disk0 rtvirt-ssd; do
nvme_select
ndev=$SYSFS/devices/$NVME_PCI
echo
if [ -z "$NVME_PCI" ] || [ ! -d "$ndev" ] || [ ! -b "$NVME_BLK" ]; then
	echo "nvme $RTVIRT_NVME_SERIAL: no such NVMe controller managed by rtvirt: skipped"
else
	echo "nvme $RTVIRT_NVME_SERIAL: ${ndev##*/} ($(cat "$ndev/name"), $NVME_BLK), fio 4 KiB, iodepth 1 and 32, libaio, direct, $secs s; VMM launched in both runs"
	echo 1 > $SYSFS/virtualized
	retries=0
	for qd in 1 32; do
	for rw in randread randwrite; do
		a=$(total_exits)
		nvme_fio $rw $qd
		b=$(total_exits)
		n_iops=$iops
		nvme_report "$rw QD$qd, disk native:" $((b - a - cost - idle))
		if ! devw "$ndev/virtualized" 1; then
			echo "nvme $rw QD$qd, disk virtualized: virtualize failed: $werr"
			continue
		fi
		a=$(total_exits)
		nvme_fio $rw $qd
		b=$(total_exits)
		bench_handback || echo "nvme: hand-back failed: $werr"
		nvme_report "$rw QD$qd, disk virtualized:" $((b - a - cost - idle))
		awk -v s="$RTVIRT_NVME_SERIAL" -v rw=$rw -v qd=$qd -v n=$n_iops -v v=$iops 'BEGIN {
			printf "nvme %s %s QD%d: virtualized/native IOPS ratio %.3f\n", s, rw, qd, n ? v / n : 0 }'
	done
	done

	# Hand-back stalls: 100 flips under a fio random read/write load,
	# with direct completions, then 100 with mediated ones.
	fio --name=load --filename="$NVME_BLK" --ioengine=libaio --direct=1 \
		--bs=4k --iodepth=16 --rw=randrw --time_based --runtime=3600 \
		--eta=never > /dev/null 2>&1 &
	load=$!
	sleep 1
	for mode in direct mediated; do
		[ $mode = direct ] && m=0 || m=1
		echo $m > /sys/module/rtvirt/parameters/mediate_completions
		flip_stalls
		sort -n /tmp/stalls | awk -v s="$RTVIRT_NVME_SERIAL" -v bad=$bad -v r=$retries \
		    -v mode=$mode '
			{ v[NR] = $1 }
			END {
				if (!NR) { printf "nvme %s hand-back stall, %s completions: no flips (%d failed)\n", s, mode, bad; exit }
				p50 = v[int((NR * 50 + 99) / 100)]; p99 = v[int((NR * 99 + 99) / 100)]
				printf "nvme %s hand-back stall, %s completions, over %d flips under fio: p50 %.1f us, p99 %.1f us, max %.1f us (%d hand-backs retried, %d flips failed)\n",
					s, mode, NR, p50 / 1000, p99 / 1000, v[NR] / 1000, r, bad
			}'
	done
	echo 0 > /sys/module/rtvirt/parameters/mediate_completions
	kill $load 2>/dev/null
	wait $load 2>/dev/null
	echo 0 > $SYSFS/virtualized
fi
done

# --- e1000e: a NIC native and virtualized -----------------------------------
# The test VM's two e1000e NICs are wired to each other; the second goes
# into a network namespace.  iperf3 TCP from the first NIC for $secs s,
# native and virtualized (VMM launched both times): throughput, its ratio,
# VM exits per packet (packets from ethtool -S, both directions).  Then
# 100 flips under an iperf3 UDP stream of 50 Mbit/s: the hand-back stall
# (p50, p99, max) and the datagrams lost per flip, next to the loss of the
# same stream without flips.
set -- $(lspci -Dn | awk '$3 == "8086:10d3" { print $1 }')
echo
if [ $# -lt 2 ] || [ ! -d "$SYSFS/devices/$1" ] || ! command -v iperf3 > /dev/null; then
	echo "e1000e: no two wired e1000e NICs managed by rtvirt (or no iperf3): skipped"
else
	ndev=$SYSFS/devices/$1
	IF_A=$(ls /sys/bus/pci/devices/$1/net)
	IF_B=$(ls /sys/bus/pci/devices/$2/net)
	mkdir -p /run/netns
	ip netns add rtvirt-bench
	ip link set "$IF_B" netns rtvirt-bench
	ip addr add 10.9.1.1/24 dev "$IF_A"
	ip link set "$IF_A" up
	ip netns exec rtvirt-bench ip addr add 10.9.1.2/24 dev "$IF_B"
	ip netns exec rtvirt-bench ip link set "$IF_B" up
	ip netns exec rtvirt-bench iperf3 -s -D -I /tmp/bench_iperf3.pid > /dev/null 2>&1
	i=0
	while ! ping -c 1 -W 1 10.9.1.2 > /dev/null 2>&1 && [ $i -lt 20 ]; do
		i=$((i + 1))
	done
	echo "e1000e: ${ndev##*/} ($IF_A), iperf3 TCP to the peer NIC, $secs s; VMM launched in both runs"
	echo 1 > $SYSFS/virtualized
	nic_packets() {
		ethtool -S "$IF_A" | awk '/^ *(rx|tx)_packets:/ { s += $2 } END { print s + 0 }'
	}
	# Exits of one reason, all CPUs.
	reason_exits() {
		cat $SYSFS/cpus/cpu*/exits/"$1" | awk '{ s += $1 } END { print s + 0 }'
	}
	# Interrupts of the NIC under test (its vectors, all CPUs).
	nic_irqs() {
		awk -v n="$IF_A" '$NF ~ "^" n "(-|$)" {
			for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; else break }
			END { print s + 0 }' /proc/interrupts
	}
	nic_tcp() {
		p0=$(nic_packets)
		q0=$(nic_irqs)
		t0=$(cat "$ndev/stats/traps_register")
		i0=$(reason_exits interrupt)
		a=$(total_exits)
		iperf3 -c 10.9.1.2 -t "$secs" -J > /tmp/nic.json 2>&1
		b=$(total_exits)
		pk=$(($(nic_packets) - p0))
		irq=$(($(nic_irqs) - q0))
		traps=$(($(cat "$ndev/stats/traps_register") - t0))
		iex=$(($(reason_exits interrupt) - i0))
		ex=$((b - a - cost - idle))
		bps=$(sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' /tmp/nic.json | tail -1)
		awk -v l="$1" -v b="${bps:-0}" -v p=$pk -v x=$ex -v t=$traps -v q=$irq -v ie=$iex 'BEGIN {
			printf "e1000e TCP, NIC %s: %.1f Mbit/s, %.3f VM exits per packet (%d packets): register traps %.3f, interrupt exits %.3f per packet; the NIC raised %.3f interrupts per packet\n",
				l, b / 1e6, p ? x / p : 0, p, p ? t / p : 0, p ? ie / p : 0, p ? q / p : 0 }'
	}
	nic_tcp native
	n_bps=$bps
	if devw "$ndev/virtualized" 1; then
		nic_tcp virtualized
		retries=0
		bench_handback || echo "e1000e: hand-back failed: $werr"
		awk -v n="${n_bps:-0}" -v v="${bps:-0}" 'BEGIN {
			printf "e1000e TCP: virtualized/native throughput ratio %.3f\n", n ? v / n : 0 }'
	else
		echo "e1000e: virtualize failed: $werr"
	fi
	# Loss of the UDP stream without flips, then with 100.
	udp_lost() {
		sed -n 's/.*"lost_packets":[[:space:]]*\([0-9]*\).*/\1/p' /tmp/nic_udp.json | tail -1
	}
	iperf3 -c 10.9.1.2 -u -b 50M -t "$secs" -J > /tmp/nic_udp.json 2>&1
	base=$(udp_lost)
	iperf3 -c 10.9.1.2 -u -b 50M -t 600 -J > /tmp/nic_udp.json 2>&1 &
	udp=$!
	sleep 1
	flip_stalls
	kill -INT $udp 2> /dev/null
	wait $udp 2> /dev/null
	lost=$(udp_lost)
	sort -n /tmp/stalls | awk -v bad=$bad -v r=$retries -v lost="${lost:-0}" -v base="${base:-0}" -v secs="$secs" '
		{ v[NR] = $1 }
		END {
			if (!NR) { printf "e1000e hand-back stall: no flips (%d failed)\n", bad; exit }
			p50 = v[int((NR * 50 + 99) / 100)]; p99 = v[int((NR * 99 + 99) / 100)]
			printf "e1000e hand-back stall over %d flips under iperf3 UDP 50 Mbit/s: p50 %.1f us, p99 %.1f us, max %.1f us (%d hand-backs retried, %d flips failed)\n",
				NR, p50 / 1000, p99 / 1000, v[NR] / 1000, r, bad
			printf "e1000e UDP datagrams lost: %d over %d flips (%.2f per flip); %d in %d s of the same stream without flips\n",
				lost, NR, lost / NR, base, secs
		}'
	kill "$(cat /tmp/bench_iperf3.pid)" 2> /dev/null
	ip netns del rtvirt-bench
	echo 0 > $SYSFS/virtualized
fi
echo

# Launch and unlaunch time per CPU (guest clock, from sysfs).
l=0 u=0 k=0
i=0
while [ $i -lt "$cycles" ]; do
	echo 1 > $SYSFS/virtualized
	echo 0 > $SYSFS/virtualized
	for c in $SYSFS/cpus/cpu*; do
		l=$((l + $(cat $c/launch_ns)))
		u=$((u + $(cat $c/unlaunch_ns)))
		k=$((k + 1))
	done
	i=$((i + 1))
done
echo "launch per CPU: $((l / k / 1000)) us, unlaunch per CPU: $((u / k / 1000)) us (mean of $k, $cycles cycles)"
rmmod rtvirt
