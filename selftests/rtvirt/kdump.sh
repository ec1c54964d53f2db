#!/bin/sh
# kdump while demoted: with the kernel demoted under the VMM, a crash
# (sysrq-c) boots the crash kernel loaded with kexec -p, and the crash
# kernel runs natively (it sees SVM or VMX in CPUID, which the VMM hides
# from a demoted kernel) and can read the crashed kernel's memory
# (/proc/vmcore).  The kernel's own crash path turns SVM or VMX off on
# every CPU where it does (cpu_emergency_disable_virtualization(); Linux
# 6.1 always, later ones through KVM's callback), which makes the VMM
# leave each of them; the crashing CPU leaves at the latest where
# machine_kexec() loads an empty IDT.  With RTVIRT_KDUMP_CRASH=vmm the
# crash is a VMM panic instead (debugfs vmm_panic, on the CPU running
# this script): that CPU stops for good and the VMM makes the kernel
# panic from another CPU, with its reason ("rtvirt: the VMM stopped on
# CPU N: ..." on the console, which make check looks for), and kdump
# runs all the same; with one online CPU that CPU leaves the VMM and
# panics the kernel itself.  With RTVIRT_KDUMP_CRASH=mce the VMM panics
# for a machine check it cannot resume from (debugfs vmm_mce), with the
# same outcome.  With RTVIRT_KDUMP_CRASH=kexec there is no crash: kexec
# -e boots the same kernel and initramfs after the reboot notifier
# unlaunched, and the next kernel must run natively.  Run directly, not
# through run_tests, under
#   tools/vm/run --crash-kernel -- [env RTVIRT_KDUMP_CRASH=vmm] /rtvirt/selftests/kdump.sh
# The first two results come from this kernel, the rest from the crash
# (or next) kernel's /init (kdump_crash_init).
. "$(dirname "$0")/lib.sh"

grep -qwE 'svm|vmx' /proc/cpuinfo || skip_all "CPU offers neither SVM nor VMX"
[ -r /kdump/vmlinuz ] && [ -r /kdump/initrd.img ] ||
	skip_all "no crash kernel in /kdump (tools/vm/run --crash-kernel)"
grep -q crashkernel= /proc/cmdline || skip_all "no crashkernel= reservation"
crash=${RTVIRT_KDUMP_CRASH:-sysrq}
echo "# $(nproc) online CPUs"
case $crash in
sysrq) plan 5 ;;
vmm|mce) plan 6 ;;
kexec) plan 4 ;;
*) skip_all "RTVIRT_KDUMP_CRASH=$crash: sysrq, vmm, mce or kexec" ;;
esac
unload
check "rtvirt launched, every CPU a guest" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
args="console=ttyS0,115200 loglevel=5 printk.time=1 rdinit=/init nr_cpus=1 irqpoll reset_devices panic=-1 rtvirt_kdump=$crash"
if [ "$crash" = kexec ]; then
	check "next kernel loaded (kexec -l)" \
		kexec -l /kdump/vmlinuz --initrd=/kdump/initrd.img --append="$args"
else
	check "crash kernel loaded (kexec -p)" \
		kexec -p /kdump/vmlinuz --initrd=/kdump/initrd.img --append="$args"
fi
sync
if [ "$crash" = kexec ]; then
	echo "# kexec -e now (the reboot notifier unlaunches first); the next kernel reports the rest"
	kexec -e
elif [ "$crash" = vmm ]; then
	echo "# the VMM panics now; the crash kernel reports the rest"
	echo 1 > /sys/kernel/debug/rtvirt/vmm_panic
elif [ "$crash" = mce ]; then
	echo "# the VMM takes a machine check it cannot resume from now; the crash kernel reports the rest"
	echo 2 > /sys/kernel/debug/rtvirt/vmm_mce
else
	echo "# crashing now; the crash kernel reports the rest"
	echo c > /proc/sysrq-trigger
fi
fail "the crash did not happen"
finish
