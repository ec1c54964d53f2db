#!/bin/sh
# KVM and rtvirt on one host, as on every server where udev loads kvm_amd
# or kvm_intel at boot: a KVM guest runs natively; while the kernel is
# demoted KVM refuses to create a VM cleanly (SVM: EFER.SVME reads as set;
# VMX: CR4.VMXE is set in the kernel's CR4 shadow: the extension is taken)
# with no kernel BUG; it runs again after rmmod.  With a VM running, the
# launch is refused with one dmesg line that names the reason and the way
# out, and nothing is left behind; it succeeds once the VM is gone.  Where
# kvm enables virtualization at its load (Linux 6.12,
# kvm.enable_virt_at_load), the launch is refused while KVM's vendor module
# is loaded and works after rmmod of it and kvm.
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
case "$VIRT" in
svm) kvm_mod=kvm_amd kvm_ko=kvm-amd EXT=SVM ;;
vmx) kvm_mod=kvm_intel kvm_ko=kvm-intel EXT=VMX ;;
*) skip_all "CPU offers neither SVM nor VMX" ;;
esac
[ -c /dev/kvm ] || skip_all "no /dev/kvm ($kvm_mod not loaded)"
unload
dmesg -c > /dev/null

# Linux 6.12 and later enable virtualization when kvm loads
# (kvm.enable_virt_at_load, default on): the launch must be refused while
# KVM's vendor module is loaded, with the way out in dmesg, and work once
# it is gone.
if [ "$(cat /sys/module/kvm/parameters/enable_virt_at_load 2>/dev/null)" = Y ]; then
	plan 5
	check "with $kvm_mod enabling $EXT at load, insmod fails" \
		sh -c "! insmod '$RTVIRT_KO'"
	dmesg | grep rtvirt | tail -n 1
	check "dmesg names $kvm_mod and the way out" \
		sh -c "dmesg | grep 'rtvirt: launch failed: $EXT is in use by another hypervisor' | grep -q 'rmmod $kvm_mod'"
	check "a KVM guest runs" "$here"/kvm_guest run
	check "after rmmod $kvm_mod kvm the launch works" \
		sh -c "rmmod $kvm_mod && rmmod kvm && insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
	unload
	for m in $(grep -E "/kvm(-${kvm_ko#kvm-})?\.ko\$" /etc/rtvirt-modules); do insmod "$m"; done
	check "$kvm_mod loads again after rmmod rtvirt and runs a guest" "$here"/kvm_guest run
	finish
fi

plan 11

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
check "dmesg names $kvm_mod and the way out" \
	sh -c "dmesg | grep 'rtvirt: launch failed: $EXT is in use by another hypervisor' | grep -q '$kvm_mod'"
check "nothing left behind: module not loaded, no sysfs" \
	sh -c "! grep -q '^rtvirt ' /proc/modules && [ ! -e $SYSFS ]"
kill $hold 2>/dev/null
wait $hold 2>/dev/null
check "the launch works once the VM is gone" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest && rmmod rtvirt"
finish
