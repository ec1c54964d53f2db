#!/bin/sh
# Late launch (SVM or VMX): launch=0 loads without demoting; many
# launch/unlaunch cycles under CPU, memory and syscall stress give every
# CPU back and lose no memory; while demoted every CPU answers the VMM's
# ping, CPUID hides the extension, ring 3 gets #UD for the hypercall
# instruction (VMMCALL or VMCALL), debugfs hypercall_ns times pings on a
# demoted CPU and refuses on a native one; rmmod works under load.
# RTVIRT_LAUNCH_CYCLES sets the number of cycles (default 200).
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
cycles=${RTVIRT_LAUNCH_CYCLES:-200}
here=$(dirname "$0")
plan 14
unload

check "insmod launch=0 loads without demoting" \
	sh -c "insmod '$RTVIRT_KO' launch=0 && [ \$(cat $SYSFS/virtualized) = 0 ]"
check "every CPU native after launch=0" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv native"

dmesg -c > /dev/null
stressors="--cpu $(nproc) --vm 1 --vm-bytes 64M --syscall 1 --temp-path /tmp"
# A short warm-up, so stress-ng's own first-time allocations are not counted.
stress-ng $stressors --timeout 3 > /dev/null 2>&1
before=$(memfree_kb)
stress-ng $stressors --timeout 900 > /dev/null 2>&1 &
stress=$!
sleep 1
i=0 bad=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	if ! echo 1 > $SYSFS/virtualized; then
		echo "cycle $i: launch failed"
		bad=$((bad + 1))
		break
	fi
	if [ $((i % 25)) -eq 0 ] && grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest; then
		echo "cycle $i: a CPU did not answer as a guest:"
		grep . $SYSFS/cpus/cpu*/state
		bad=$((bad + 1))
	fi
	if ! echo 0 > $SYSFS/virtualized; then
		echo "cycle $i: unlaunch failed"
		bad=$((bad + 1))
		break
	fi
done
check "$cycles launch/unlaunch cycles under stress-ng" [ $bad -eq 0 ]
check "every CPU native after the cycles" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv native"
kill $stress 2>/dev/null
wait $stress 2>/dev/null
rm -rf /tmp/tmp-stress-ng-*
after=$(memfree_kb)
lost=$((before - after))
echo "free memory (MemFree and per-CPU page lists) before ${before} kB, after ${after} kB, lost ${lost} kB"
check "free memory back within 1% after $cycles cycles" [ $lost -le $((before / 100)) ]

echo 1 > $SYSFS/virtualized
grep . $SYSFS/cpus/cpu*/state $SYSFS/cpus/cpu*/launch_ns
check "every online CPU answers the VMM's ping as a guest" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
gens=$(launch_generation)
echo "generation answered by the VMM: $gens (launches since load: $((cycles + 1)))"
check "launch generation counts every launch" [ "$gens" = $((cycles + 1)) ]
check "CPUID hides $VIRT while demoted" [ "$("$here"/cpu_probe $VIRT)" = 0 ]
check "$HYPERCALL from ring 3 gets #UD (SIGILL)" "$here"/cpu_probe $HYPERCALL
hc=$(taskset -c 0 cat /sys/kernel/debug/rtvirt/hypercall_ns)
echo "hypercall round trip on CPU 0: ${hc:-?} ns (mean of 1000 pings)"
check "debugfs hypercall_ns times pings while demoted" [ "${hc:-0}" -gt 0 ]
echo 0 > $SYSFS/virtualized
check "debugfs hypercall_ns refuses on a native CPU" \
	sh -c "! taskset -c 0 cat /sys/kernel/debug/rtvirt/hypercall_ns 2>/dev/null"
echo 1 > $SYSFS/virtualized

t0=$(cat $SYSFS/cpus/cpu*/exits/total | awk '{ s += $1 } END { print s }')
sleep 5
t1=$(cat $SYSFS/cpus/cpu*/exits/total | awk '{ s += $1 } END { print s }')
echo "VM exits while idle: $((t1 - t0)) in 5 s (all CPUs, including the sysfs reads)"

stress-ng --cpu "$(nproc)" --syscall 1 --timeout 60 > /dev/null 2>&1 &
stress=$!
sleep 1
check "rmmod while demoted and under load" rmmod rtvirt
kill $stress 2>/dev/null
wait $stress 2>/dev/null
check "CPUID shows $VIRT again after rmmod" [ "$("$here"/cpu_probe $VIRT)" = 1 ]
check "no rtvirt errors, no VMM panic in dmesg" \
	sh -c "! dmesg -r | grep -E '^<[0-3]>' | grep -q 'rtvirt: '"
finish
