#!/bin/sh
# Descriptor-table instructions while demoted (VMX): the VMM turns
# descriptor-table exiting on for the kernel's LIDT (machine_kexec() on
# its way to another kernel), which makes SGDT, SIDT, SLDT and STR in
# ring 3 (CPUs without UMIP) and the kernel's LLDT (a process with an LDT
# switched in or out) exit too; each runs natively, one step.  Checks:
# what every CPU shows is what it showed natively; the instructions exit
# (exits/other and exits/debug grow); processes with and without an LDT
# take turns on each CPU with the LDT loaded and cleared each time; an
# SGDT that faults runs again after its handler, one left behind with
# siglongjmp leaves no single step behind (no SIGTRAP); after rmmod every
# CPU shows its native values again.
# RTVIRT_LDT_ROUNDS sets the turns per CPU (default 2000).
. "$(dirname "$0")/lib.sh"

[ "$VIRT" = vmx ] || skip_all "descriptor-table exiting is VMX's (CPU: ${VIRT:-neither SVM nor VMX})"
here=$(dirname "$0")
rounds=${RTVIRT_LDT_ROUNDS:-2000}
cpus=$(seq 0 $(($(nproc) - 1)))
n=$(echo "$cpus" | wc -w)
plan $((6 + 2 * n))
unload
dmesg -c > /dev/null

shows() {	# the values of every CPU, a line each
	for c in $cpus; do
		echo "cpu$c $("$here"/dt_probe show "$c")"
	done
}
exits() {	# exits CPU REASON
	cat "$SYSFS/cpus/cpu$1/exits/$2"
}

native=$(shows)
echo "$native" | sed 's/^/# native: /'
check "insmod: every CPU a guest" \
	sh -c "insmod '$RTVIRT_KO' && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
demoted=$(shows)
[ "$demoted" = "$native" ] || echo "$demoted" | sed 's/^/# demoted: /'
check "SGDT, SIDT, SLDT, STR show what they show natively, every CPU" \
	[ "$demoted" = "$native" ]

for c in $cpus; do
	other=$(exits "$c" other) debug=$(exits "$c" debug)
	out=$("$here"/dt_probe ldt "$c" "$rounds")
	rc=$?
	d_other=$(($(exits "$c" other) - other))
	d_debug=$(($(exits "$c" debug) - debug))
	echo "# cpu$c: $out of $rounds turns; exits: other +$d_other, debug +$d_debug"
	check "cpu$c: $rounds turns of processes with and without an LDT" \
		[ $rc -eq 0 ]
	# Two LLDTs a turn (in and out), each a descriptor-table exit
	# and the #DB of its step.
	check "cpu$c: the LLDTs exited and ran stepped (>= $((2 * rounds)) each)" \
		[ "$d_other" -ge $((2 * rounds)) -a "$d_debug" -ge $((2 * rounds)) ]
done

out=$("$here"/dt_probe fault)
rc=$?
echo "# $out"
check "SGDT runs again after its fault; one left behind leaves no step (no SIGTRAP)" \
	[ $rc -eq 0 ]
check "no kernel warning, bug or protection fault" \
	sh -c "! dmesg | grep -qE 'WARNING:|BUG:|general protection|traps:'"
check "rmmod" rmmod rtvirt
after=$(shows)
[ "$after" = "$native" ] || echo "$after" | sed 's/^/# after rmmod: /'
check "after rmmod every CPU shows its native values" [ "$after" = "$native" ]
finish
