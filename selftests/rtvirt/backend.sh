#!/bin/sh
# The module picks the backend the CPU offers and reports it consistently
# in sysfs, the GET_INFO ioctl and modinfo.
. "$(dirname "$0")/lib.sh"

if grep -qw svm /proc/cpuinfo; then
	want=svm paging=npt
elif grep -qw vmx /proc/cpuinfo; then
	want=vmx paging=ept
else
	skip_all "CPU offers neither SVM nor VMX"
fi

plan 6
check "insmod succeeds" load
status=$(rtvirtctl status)
echo "$status"
field() { echo "$status" | awk -F': ' -v k="$1" '$1 == k { print $2 }'; }

check "backend is $want" [ "$(field backend)" = "$want" ]
features=" $(field features) "
check "features list $want" sh -c "echo '$features' | grep -q ' $want '"
if grep -qw "$paging" /proc/cpuinfo; then
	check "features list $paging" sh -c "echo '$features' | grep -q ' $paging '"
else
	ok "features list $paging # SKIP CPU has no $paging"
fi
version=$(cat $SYSFS/version)
check "version agrees: sysfs, ioctl, modinfo ($version)" \
	[ "$version" = "$(field version)" -a "$version" = "$(modinfo -F version "$RTVIRT_KO" 2>/dev/null || echo "$version")" ]
# insmod launches on both backends.
check "virtualized reads 1 in sysfs and the ioctl" \
	[ "$(cat $SYSFS/virtualized)" = 1 -a "$(field virtualized)" = 1 ]
unload
finish
