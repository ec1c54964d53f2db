#!/bin/sh
# The demoted kernel cannot read or write the VMM's memory: through
# /sys/kernel/debug/rtvirt/probe the kernel reads and writes addresses in
# every range of vmm_memory; reads return 0, writes are discarded, every
# attempt is counted, one instruction may touch several VMM pages, every
# CPU may do so at once at the same address, and the VMM keeps working and
# unlaunches cleanly.
. "$(dirname "$0")/lib.sh"

[ -n "$VIRT" ] || skip_all "CPU offers neither SVM nor VMX"
D=/sys/kernel/debug/rtvirt
plan 9
unload
insmod "$RTVIRT_KO"
ranges=$(cat $D/vmm_memory)
echo "$ranges"
check "vmm_memory lists the VMM's ranges as 0xSTART-0xEND" \
	sh -c "[ -n '$ranges' ] && ! echo '$ranges' | grep -qvE '^0x[0-9a-f]+-0x[0-9a-f]+\$'"
denied() { cat $SYSFS/cpus/cpu*/denied_accesses | awk '{ s += $1 } END { print s }'; }
d0=$(denied)
n=0 nonzero=0
for r in $ranges; do
	s=${r%-*}
	e=${r#*-}
	for a in $s $(printf '0x%x' $((s + 0x1000))) $(printf '0x%x' $((e - 7))); do
		echo "read $a" > $D/probe
		[ "$(cut -d' ' -f2 $D/probe)" = 0x0 ] || nonzero=$((nonzero + 1))
		echo "write $a 0xdeadbeefcafef00d" > $D/probe
		[ "$(cut -d' ' -f2 $D/probe)" = 0x0 ] || nonzero=$((nonzero + 1))
		n=$((n + 3))	# read, write, read back
	done
done
d1=$(denied)
echo "$n accesses, $((d1 - d0)) denied"
check "every read of VMM memory returned 0" [ $nonzero -eq 0 ]
check "every access was counted as denied ($n)" [ $((d1 - d0)) -eq $n ]
# One instruction touching three VMM pages: a MOVSQ whose source crosses a
# page end and whose destination is a third page.
s=${ranges%%-*}
src=$(printf '0x%x' $((s + 0x1ffc)))
dst=$(printf '0x%x' $((s + 0x3000)))
d2=$(denied)
echo "movs $src $dst" > $D/probe
d3=$(denied)
echo "movs $src -> $dst: $(cat $D/probe), $((d3 - d2)) denied"
check "one MOVSQ across two VMM pages into a third is contained" \
	[ "$(cut -d' ' -f2 $D/probe)" = 0x0 -a $((d3 - d2)) -eq 4 ]
# Every CPU at once writes and reads one VMM address: each steps its
# accesses on nested tables of its own, so none reads what another wrote,
# none is refused, and every access is counted.
rounds=${RTVIRT_RACE_ROUNDS:-5000}
a=$(printf '0x%x' $((s + 0x2000)))
d4=$(denied)
ok=1
echo "race $a $(printf '%x' "$rounds")" > $D/probe || ok=0
d5=$(denied)
echo "race $a: $(nproc) CPUs, $rounds rounds each: $(cut -d' ' -f2 $D/probe) non-zero reads, $((d5 - d4)) denied"
check "every CPU at once, $rounds writes and reads each: all reads 0, all counted" \
	[ $ok -eq 1 -a "$(cut -d' ' -f2 $D/probe)" = 0x0 -a \
	  $((d5 - d4)) -eq $((rounds * 2 * $(nproc))) ]
check "probe refuses addresses outside the VMM" \
	sh -c "! echo 'read 0x1000' > $D/probe"
check "the VMM still answers on every CPU" \
	sh -c "! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "unlaunch and relaunch work" \
	sh -c "echo 0 > $SYSFS/virtualized && echo 1 > $SYSFS/virtualized && ! grep -hv offline $SYSFS/cpus/cpu*/state | grep -qv guest"
check "rmmod" unload
finish
