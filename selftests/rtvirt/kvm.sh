#!/bin/sh
# KVM and rtvirt on one host, as on every server where udev loads kvm_amd at
# boot: a KVM guest runs natively; while the kernel is demoted KVM refuses
# to create a VM cleanly (EFER.SVME reads as set: SVM is taken) with no
# kernel BUG; it runs again after rmmod.  With a VM running, the launch is
# refused with one dmesg line that names the reason and the way out, and
# nothing is left behind; it succeeds once the VM is gone.
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
grep -qw svm /proc/cpuinfo || skip_all "CPU offers no SVM"
[ -c /dev/kvm ] || skip_all "no /dev/kvm (kvm_amd not loaded)"
plan 11
unload
dmesg -c > /dev/null

check "a KVM guest runs natively" "$here"/kvm_guest run

insmod "$RTVIRT_KO"
"$here"/kvm_guest run
rc=$?
check "while demoted, KVM refuses the VM (exit 3, not a crash: $rc)" [ $rc -eq 3 ]
dmesg | grep -E 'kvm|rtvirt' | tail -n 5
check "KVM says virtualization could not be enabled" \
	sh -c "dmesg | grep -q 'kvm: enabling virtualization on CPU[0-9]* failed'"
check "no kernel BUG, Oops or spurious fault" \
	sh -c "! dmesg | grep -qE 'BUG:|Oops|kvm_spurious_fault|invalid opcode'"
check "every CPU still answers as a guest" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "rmmod" unload
check "a KVM guest runs again after rmmod" "$here"/kvm_guest run

dmesg -c > /dev/null
"$here"/kvm_guest hold 120 > /tmp/kvm_hold.out &
hold=$!
i=0
while [ $i -lt 100 ] && ! grep -q held /tmp/kvm_hold.out; do
	sleep 0.1
	i=$((i + 1))
done
check "insmod fails while a KVM VM runs" sh -c "! insmod '$RTVIRT_KO'"
dmesg | grep rtvirt
check "dmesg names kvm_amd and the way out" \
	sh -c "dmesg | grep 'rtvirt: launch failed: SVM is in use by another hypervisor' | grep -q 'kvm_amd'"
check "nothing left behind: module not loaded, no sysfs" \
	sh -c "! grep -q '^rtvirt ' /proc/modules && [ ! -e $SYSFS ]"
kill $hold 2>/dev/null
wait $hold 2>/dev/null
check "the launch works once the VM is gone" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest && rmmod rtvirt"
finish
