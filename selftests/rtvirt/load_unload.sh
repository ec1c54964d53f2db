#!/bin/sh
# Load and unload rtvirt.ko many times: every load brings up sysfs and
# /dev/rtvirt, every unload removes them, and no memory is lost.
# RTVIRT_LOAD_CYCLES sets the number of cycles (default 50).
. "$(dirname "$0")/lib.sh"

cycles=${RTVIRT_LOAD_CYCLES:-50}
plan 4
unload
dmesg -c > /dev/null

# One warm-up cycle: first-time allocations (module loader, sysfs and
# kobject caches) are not leaks.
load && unload
before=$(memfree_kb)

i=0 bad=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	if ! insmod "$RTVIRT_KO"; then
		echo "cycle $i: insmod failed"
		bad=$((bad + 1))
		break
	fi
	if [ ! -r $SYSFS/version ] || [ ! -c /dev/rtvirt ] ||
	   [ ! -d $SYSFS/devices ] || ! rtvirtctl status > /dev/null; then
		echo "cycle $i: interfaces missing after load"
		bad=$((bad + 1))
	fi
	if ! rmmod rtvirt; then
		echo "cycle $i: rmmod failed"
		bad=$((bad + 1))
		break
	fi
	if [ -e $SYSFS ] || [ -e /dev/rtvirt ]; then
		echo "cycle $i: interfaces left behind after unload"
		bad=$((bad + 1))
	fi
done
check "$cycles load/unload cycles with interfaces up and down" [ $bad -eq 0 ]

after=$(memfree_kb)
lost=$((before - after))
echo "free memory (MemFree and per-CPU page lists) before ${before} kB, after ${after} kB, lost ${lost} kB"
check "free memory back within 1% after $cycles cycles" [ $lost -le $((before / 100)) ]

check "every load logged the module banner" \
	[ "$(dmesg | grep -c "rtvirt: version .* loaded")" -eq $((cycles + 1)) ]
# Raw records start with <level>: 0-3 are emerg, alert, crit and err.
check "no rtvirt error-level messages in dmesg" \
	sh -c "! dmesg -r | grep -E '^<[0-3]>' | grep -q 'rtvirt: '"
finish
