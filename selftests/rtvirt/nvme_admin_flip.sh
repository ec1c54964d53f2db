#!/bin/sh
# The NVMe disk flipped $RTVIRT_ADMIN_FLIPS times (default 50), and on
# until each command ran 10 times, while nvme-cli sends admin commands in a
# loop (id-ctrl, smart-log, get-feature 7 = number of queues, id-ns):
# every command succeeds, and id-ctrl, get-feature and id-ns print exactly
# what they printed before the module was loaded; no NVMe error in dmesg.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

nvme_require
n=${RTVIRT_ADMIN_FLIPS:-50}
nvme_plan 9
dmesg_mark
unload
# The commands, one a line: NAME ARGS...
cat > /tmp/admin.cmds <<EOT
id-ctrl id-ctrl $NVME_CTRL
smart-log smart-log $NVME_CTRL
get-feature get-feature -f 7 $NVME_CTRL
id-ns id-ns $NVME_BLK
EOT
# Reference output, native and without the module.
for c in id-ctrl get-feature id-ns; do
	nvme $(awk -v c=$c '$1 == c { $1 = ""; print }' /tmp/admin.cmds) > /tmp/admin.ref.$c 2>&1 ||
		echo "native nvme $c failed: $(cat /tmp/admin.ref.$c)"
done

nvme_load
check "native and not virtualized before the flips" nvme_is native 0

rm -f /tmp/admin.stop
(
	while [ ! -e /tmp/admin.stop ]; do
		while read -r name args; do
			if ! nvme $args > /tmp/admin.out 2>&1; then
				echo "FAIL $name: $(head -n 3 /tmp/admin.out)"
			elif [ -f /tmp/admin.ref.$name ] && ! cmp -s /tmp/admin.out /tmp/admin.ref.$name; then
				echo "DIFF $name:"
				diff /tmp/admin.ref.$name /tmp/admin.out | head -n 10
			else
				echo "OK $name"
			fi
		done < /tmp/admin.cmds
	done
) > /tmp/admin.log &
loop=$!
sleep 0.2
nvme_flips "$n"
# Then on until every command ran 10 times (at most 60 s more).
uptime_cs
end_cs=$((now_cs + 6000))
while [ "$(grep -cE '^(OK|FAIL|DIFF) ' /tmp/admin.log)" -lt 40 ] &&
      [ $now_cs -lt $end_cs ] && [ $flip_errors -lt 10 ]; do
	nvme_flips 10
	uptime_cs
done
touch /tmp/admin.stop
wait $loop
nvme_is native 0 || nvme_devirtualize || echo "final hand-back failed: $werr"
total=$(grep -cE '^(OK|FAIL|DIFF) ' /tmp/admin.log)
failed=$(grep -c '^FAIL ' /tmp/admin.log)
differ=$(grep -c '^DIFF ' /tmp/admin.log)
grep -vE '^OK ' /tmp/admin.log | head -n 40
echo "$total admin commands during the flips:" $(awk '$1 == "OK" { n[$2]++ }
	END { for (c in n) { printf "%s%s %d", s, c, n[c]; s = ", " } }' /tmp/admin.log)

check "$n flips while admin commands run ($flips done, $flip_errors errors)" \
	[ $flips -ge "$n" -a $flip_errors -eq 0 ]
check "every admin command succeeded ($failed of $total failed)" \
	[ "$total" -ge 4 -a "$failed" -eq 0 ]
check "id-ctrl, get-feature, id-ns output as when native ($differ differ)" [ "$differ" -eq 0 ]
check "native and not virtualized at the end" nvme_is native 0
nvme_print_stats
check_no_nvme_errors
check "rmmod" unload
finish
