#!/bin/sh
# On a CPU without SVM and VMX the module refuses to load, says why, and
# leaves nothing behind.  Needs such a CPU: tools/vm/run --cpu
# max,svm=off,vmx=off (make check does this); skipped elsewhere.
. "$(dirname "$0")/lib.sh"

if grep -qwE 'svm|vmx' /proc/cpuinfo; then
	skip_all "CPU offers SVM or VMX"
fi

plan 5
unload
dmesg -c > /dev/null
check "insmod fails" sh -c "! insmod '$RTVIRT_KO'"
check "dmesg says 'no SVM or VMX'" sh -c "dmesg | grep -q 'rtvirt: no SVM or VMX'"
check "module not loaded" sh -c "! grep -q '^rtvirt ' /proc/modules"
check "no sysfs directory or device node left" [ ! -e $SYSFS -a ! -e /dev/rtvirt ]
msg=$(rtvirtctl status 2>&1)
rc=$?
echo "$msg"
check "rtvirtctl explains the module is not loaded (exit 1)" \
	[ $rc -eq 1 -a -n "$(echo "$msg" | grep 'is the rtvirt module loaded?')" ]
finish
