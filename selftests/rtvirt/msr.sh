#!/bin/sh
# MSRs while demoted behave as on bare metal: every MSR in the ranges Linux
# uses (the permission map's three ranges, Zen's scalable MCA banks, the
# paravirtual ranges of Hyper-V and KVM) reads the same way natively and
# demoted on every CPU -- a value where the CPU has one, #GP where it has
# none -- and the same value where it does not change by itself.  The only
# differences are the MSRs the VMM emulates: EFER reads with SVME set, VM_CR
# with SVMDIS and LOCK set.  The MSRs outside the map exit to the VMM, which
# tries them on the CPU with an exception fixup of its own.  Writes the VMM
# must refuse get #GP and harm nothing: a reserved EFER bit, the xAPIC page
# moved onto VMM memory, a variable MTRR that makes VMM memory
# write-combining (while one elsewhere, and Linux's MTRR update sequence,
# which disables them, pass).  PAT written while demoted stays after the
# unlaunch.
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
grep -qw svm /proc/cpuinfo || skip_all "CPU offers no SVM"
[ -c /dev/cpu/0/msr ] || skip_all "no /dev/cpu/0/msr (msr driver not loaded)"
RANGES="0 0x1fff 0xc0000000 0xc0001fff 0xc0010000 0xc0011fff
	0xc0002000 0xc00023ff 0x40000000 0x400001ff 0x4b564d00 0x4b564dff"
OUT_OF_MAP=$((0x400 + 0x200 + 0x100))
cpus=$(ls -d /sys/devices/system/cpu/cpu[0-9]* | sed 's/.*cpu//' | sort -n)
plan 13
unload

scan() {	# scan TAG: every range on every CPU into /tmp/msr.TAG
	out=/tmp/msr.$1
	: > "$out"
	for c in $cpus; do
		set -- $RANGES
		while [ $# -ge 2 ]; do
			"$here"/msr_scan read "$c" "$1" "$2" | sed "s/^/$c /" >> "$out"
			shift 2
		done
	done
}
efer_svme() {	# efer_svme TAG: SVME of CPU 0's EFER in that scan
	echo $(( $(awk '$1 == 0 && $2 == "0xc0000080" { print $3 }' /tmp/msr.$1) >> 12 & 1 ))
}

scan native1
scan native2
msr_exits() { cat $SYSFS/cpus/cpu*/exits/msr_read | awk '{ s += $1 } END { print s }'; }
insmod "$RTVIRT_KO"
e0=$(msr_exits)
scan demoted
e1=$(msr_exits)
rmmod rtvirt
scan native3

n=$(wc -l < /tmp/msr.native1)
echo "$n MSR reads per scan; $(grep -c ' gp$' /tmp/msr.native1) fault natively"
# Same outcome (value or #GP) natively and demoted, MSR by MSR.
awk '{ print $1, $2, ($3 == "gp" ? "gp" : "ok") }' /tmp/msr.native1 > /tmp/msr.kind.native
awk '{ print $1, $2, ($3 == "gp" ? "gp" : "ok") }' /tmp/msr.demoted > /tmp/msr.kind.demoted
diff /tmp/msr.kind.native /tmp/msr.kind.demoted | head -n 20
check "every MSR reads or faults the same way natively and demoted ($n reads)" \
	cmp -s /tmp/msr.kind.native /tmp/msr.kind.demoted
# Values that stayed the same in three native scans must read the same
# demoted, but for EFER (SVME) and VM_CR (SVMDIS, LOCK).  FS_BASE, GS_BASE
# and KERNEL_GS_BASE are not compared: they hold the segment bases of
# whatever task the CPU runs when the msr driver's IPI reads them (the
# idle task in one scan, a user process in the next).
PER_TASK=' 0xc0000100 | 0xc0000101 | 0xc0000102 '
paste -d' ' /tmp/msr.native1 /tmp/msr.native2 /tmp/msr.native3 /tmp/msr.demoted |
	grep -vE "$PER_TASK" |
	awk '$3 == $6 && $3 == $9 && $3 != $12 { print $1, $2, "native", $3, "demoted", $12 }' \
	> /tmp/msr.changed
stable=$(paste -d' ' /tmp/msr.native1 /tmp/msr.native2 /tmp/msr.native3 |
	 grep -vE "$PER_TASK" | awk '$3 == $6 && $3 == $9 && $3 != "gp"' | wc -l)
cat /tmp/msr.changed
check "stable MSR values read the same demoted ($stable MSRs), but EFER and VM_CR" \
	sh -c "! grep -vE ' 0xc0000080 | 0xc0010114 ' /tmp/msr.changed | grep -q ."
check "EFER reads with SVME set while demoted" [ "$(efer_svme demoted)" = 1 ]
check "EFER reads with SVME clear natively after rmmod" [ "$(efer_svme native3)" = 0 ]
ncpu=$(echo $cpus | wc -w)
echo "MSR read exits during the demoted scan: $((e1 - e0)), MSRs outside the map: $((OUT_OF_MAP * ncpu))"
check "MSRs outside the permission map exit to the VMM and are tried there" \
	[ $((e1 - e0)) -ge $((OUT_OF_MAP * ncpu)) ]

# Writes.  An MSR that faults on this CPU (natively) faults demoted too.
gp=$(awk '$1 == 0 && $3 == "gp" { print $2; exit }' /tmp/msr.native1)
native_rc=0
[ -z "$gp" ] || { "$here"/msr_scan write 0 "$gp" 0; native_rc=$?; }
insmod "$RTVIRT_KO"
dmesg -c > /dev/null
if [ -n "$gp" ]; then
	"$here"/msr_scan write 0 "$gp" 0
	rc=$?
	check "WRMSR $gp (absent) faults demoted as natively ($native_rc, $rc)" \
		[ $rc -eq 3 -a $native_rc -eq 3 ]
else
	ok "WRMSR of an absent MSR # SKIP every MSR tried exists"
fi
efer=$("$here"/msr_scan read 0 0xc0000080 0xc0000080 | cut -d' ' -f2)
"$here"/msr_scan write 0 0xc0000080 $((efer | 2))
rc=$?
check "WRMSR EFER with a reserved bit gets #GP (exit 3: $rc), no VMM panic" \
	sh -c "[ $rc -eq 3 ] && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
vmm=$(head -n 1 /sys/kernel/debug/rtvirt/vmm_memory | cut -d- -f1)
apic=$("$here"/msr_scan read 0 0x1b 0x1b | cut -d' ' -f2)
loc0=$(awk '/LOC:/ { print $2 }' /proc/interrupts)
"$here"/msr_scan write 0 0x1b $(( (vmm & ~0xfff) | (apic & 0xfff) ))
rc=$?
sleep 1
loc1=$(awk '/LOC:/ { print $2 }' /proc/interrupts)
apic1=$("$here"/msr_scan read 0 0x1b 0x1b | cut -d' ' -f2)
echo "APIC_BASE $apic, after the write $apic1; cpu0 timer interrupts $loc0 -> $loc1"
check "WRMSR APIC_BASE onto VMM memory gets #GP; the xAPIC stays and ticks" \
	[ $rc -eq 3 -a "$apic1" = "$apic" -a "$loc1" -gt "$loc0" ]
# MTRRs: a free variable range (valid bit clear) made WC over the VMM's
# first chunk is refused at the mask write; the same 2 MiB at 64 GiB,
# where no RAM is, is accepted and cleared again.  Then the default type
# is written with the MTRRs disabled and restored, as Linux's
# prepare_set()/post_set() do.
rd() { "$here"/msr_scan read 0 "$1" "$1" | cut -d' ' -f2; }
vcnt=$(( $(rd 0xfe) & 0xff ))
bits=$(awk '/^address sizes/ { print $4; exit }' /proc/cpuinfo)
free=""
i=0
while [ $i -lt $vcnt ]; do
	if [ $(( $(rd $((0x201 + 2 * i))) & 0x800 )) -eq 0 ]; then
		free=$i
		break
	fi
	i=$((i + 1))
done
if [ -n "$free" ] && [ -n "$bits" ]; then
	b=$((0x200 + 2 * free)) m=$((0x201 + 2 * free))
	oldb=$(rd $b)
	mask=$(( (((1 << bits) - 1) & ~0x1fffff) | 0x800 ))
	"$here"/msr_scan write 0 $b $(( (vmm & ~0x1fffff) | 1 ))
	"$here"/msr_scan write 0 $m $mask
	rc=$?
	m1=$(rd $m)
	echo "MTRR $free: WC over $(printf '%#x' $((vmm & ~0x1fffff))): exit $rc, mask after $m1"
	check "WRMSR of an MTRR making VMM memory WC gets #GP (exit 3: $rc), range stays off" \
		[ $rc -eq 3 -a $(( m1 & 0x800 )) -eq 0 ]
	"$here"/msr_scan write 0 $m 0	# had it passed: off again
	"$here"/msr_scan write 0 $b $(( (1 << 36) | 1 ))
	"$here"/msr_scan write 0 $m $mask
	rc=$?
	"$here"/msr_scan write 0 $m 0
	rc2=$?
	"$here"/msr_scan write 0 $b "$oldb"
	check "WRMSR of an MTRR making 64 GiB WC, then clearing it, passes ($rc, $rc2)" \
		[ $rc -eq 0 -a $rc2 -eq 0 ]
else
	ok "WRMSR of an MTRR making VMM memory WC # SKIP no free variable MTRR"
	ok "WRMSR of an MTRR elsewhere # SKIP no free variable MTRR"
fi
def=$(rd 0x2ff)
"$here"/msr_scan write 0 0x2ff $(( def & ~0xcff ))
rc=$?
"$here"/msr_scan write 0 0x2ff "$def"
rc2=$?
check "MTRRs disabled and restored as Linux updates them ($rc, $rc2; $def after $(rd 0x2ff))" \
	[ $rc -eq 0 -a $rc2 -eq 0 -a "$(rd 0x2ff)" = "$def" ]
# PAT is the kernel's own while demoted (the guest PAT): what it writes
# then is its PAT after the unlaunch, not the value of the launch.  PA6
# goes from UC- to UC for the test, then back.
pat=$("$here"/msr_scan read 0 0x277 0x277 | cut -d' ' -f2)
newpat=$(printf '0x%x' $(( (pat & ~(0xff << 48)) )))
"$here"/msr_scan write 0 0x277 "$newpat"
check "rmmod" unload
pat1=$("$here"/msr_scan read 0 0x277 0x277 | cut -d' ' -f2)
"$here"/msr_scan write 0 0x277 "$pat"
echo "PAT $pat, written demoted $newpat, after the unlaunch $pat1"
check "a PAT written while demoted stays after the unlaunch" [ "$pat1" = "$newpat" ]
finish
