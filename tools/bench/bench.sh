#!/bin/sh
# rtvirt benchmark, run inside the test VM by `make bench`
# (tools/vm/run --add tools/bench -- /extra/bench.sh).  Reports ratios and
# counts measured in this one run; passes or fails nothing.
#
# RTVIRT_BENCH_SECONDS: length of each workload run (default 10).
SYSFS=/sys/kernel/rtvirt
secs=${RTVIRT_BENCH_SECONDS:-10}
cycles=${RTVIRT_BENCH_CYCLES:-20}

grep -qw svm /proc/cpuinfo || { echo "bench: needs SVM"; exit 0; }
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
echo 0 > $SYSFS/virtualized

# Workloads: native first, then demoted, same VM, same binaries.
for w in cpu syscall; do
	n=$(rate $w)
	echo 1 > $SYSFS/virtualized
	v=$(rate $w)
	echo 0 > $SYSFS/virtualized
	echo "$w: native $n, demoted $v bogo ops/s: ratio $(awk -v n=$n -v v=$v 'BEGIN { printf "%.3f", v / n }')"
done

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
