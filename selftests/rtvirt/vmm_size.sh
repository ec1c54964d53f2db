#!/bin/sh
# The VMM's memory is sized for the machine: the launch works with every
# possible CPU of the machine (more than 64 where the machine has them)
# and its physical address width; vmm_mem_mb=0 (the default) picks the
# size itself, at least 8 MiB; an explicit size that is odd, or too small
# for the machine, is refused with a message that says why.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
possible=$(cat /sys/devices/system/cpu/possible)
nposs=$(( ${possible##*-} + 1 ))
bits=$(awk '/^address sizes/ { print $4; exit }' /proc/cpuinfo)
echo "possible CPUs $possible ($nposs), online $(nproc), $bits-bit physical addresses"
plan 6
unload
dmesg -c > /dev/null

check "launch with $nposs possible CPUs" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
mb=$(( $(wc -l < /sys/kernel/debug/rtvirt/vmm_memory) * 2 ))
echo "VMM memory: $mb MiB"
check "the VMM's memory is sized automatically, at least 8 MiB ($mb)" [ "$mb" -ge 8 ]
check "every possible CPU has its sysfs directory" \
	[ "$(ls -d $SYSFS/cpus/cpu* | wc -l)" -eq "$nposs" ]
check "rmmod" unload

dmesg -c > /dev/null
check "vmm_mem_mb=5 is refused: not even" \
	sh -c "! insmod '$RTVIRT_KO' vmm_mem_mb=5 && dmesg | grep -q 'vmm_mem_mb=5: must be an even number'"
if [ "$nposs" -gt 64 ]; then
	dmesg -c > /dev/null
	check "vmm_mem_mb=4 is refused as too small for $nposs possible CPUs" \
		sh -c "! insmod '$RTVIRT_KO' vmm_mem_mb=4 && dmesg | grep 'vmm_mem_mb=4 is too small for this machine' | grep -q '$nposs possible CPUs'"
	dmesg | grep rtvirt
else
	ok "vmm_mem_mb too small for the machine # SKIP $nposs possible CPUs fit in 4 MiB"
fi
finish
