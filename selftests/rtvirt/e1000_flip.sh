#!/bin/sh
# An 82540EM NIC (Linux's e1000 driver; the e1000e model serves its
# register interface) taken into emulation and handed back while it
# pings a peer: on the Bochs machine the NIC of the VMX runs, whose peer
# is Bochs's own network (vnet, 192.168.10.1, which answers pings), so
# that the device trap paths run under VMX: register accesses through EPT
# violations on the BAR pages, configuration cycles and the I/O BAR
# through the I/O bitmap, every interrupt through an exit.  Checks: pings
# answered and counted by the VMM while virtualized; register, config and
# port traps and interrupt exits counted; a frame sent from the VMM's
# memory and a receive descriptor into it refused (debugfs nic_probe),
# the VMM's memory intact; a driver reset (ethtool -r: the e1000 driver
# resets an 82540 through the I/O BAR), an MTU change and a link down and
# up in place; $RTVIRT_NIC_FLIPS flips (default 20) with pings between
# them, at most 10 % lost; no driver hang or watchdog timeout; rmmod
# while virtualized leaves the NIC native and working.
# RTVIRT_E1000_PEER (default 192.168.10.1) and RTVIRT_E1000_ADDR
# (default 192.168.10.15/24) name another network.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nvme_lib.sh"

flips=${RTVIRT_NIC_FLIPS:-20}
PEER=${RTVIRT_E1000_PEER:-192.168.10.1}
ADDR=${RTVIRT_E1000_ADDR:-192.168.10.15/24}
NIC_ERRORS='Detected Tx Unit Hang|Reset adapter|NETDEV WATCHDOG|transmit queue .* timed out|e1000.*(Hardware Error|failed)|rtvirt: [0-9a-f]{4}:.*(cannot|keeps failing)'

A=""
for f in /sys/bus/pci/devices/*; do
	[ "$(cat "$f/vendor")" = 0x8086 ] && [ "$(cat "$f/device")" = 0x100e ] &&
		A=${f##*/} && break
done
[ -n "$A" ] || skip_all "needs an 82540EM NIC (the Bochs machine has one)"
IF=$(pci_function_name "$A")
[ -n "$IF" ] || skip_all "$A has no interface (e1000 driver not loaded)"
ip addr flush dev "$IF"
ip addr add "$ADDR" dev "$IF"
ip link set "$IF" up
link_ok() {
	i=0
	while [ $i -lt 20 ]; do
		ping -c 1 -W 1 "$PEER" > /dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	return 1
}
link_ok || skip_all "no peer at $PEER answers pings on $IF"

nvme_plan 15
dmesg_mark
unload
check "insmod" insmod "$RTVIRT_KO"
loaded || bail "rtvirt.ko did not load"
dev=$SYSFS/devices/$A
echo "NIC under test: $A ($IF), peer $PEER, backend $(rtvirtctl status 2> /dev/null | awk -F": " '$1 == "backend" { print $2 }')"
check "$A is listed, with the e1000e model" \
	[ "$(cat "$dev/model" 2> /dev/null)" = e1000e ]

# Interrupt exits of all CPUs.
irq_exits() {
	cat $SYSFS/cpus/cpu*/exits/interrupt | awk '{ s += $1 } END { print s + 0 }'
}
still_virtualized() {
	[ "$(cat "$dev/state")" = virtualized ]
}

check "virtualize" dev_write "$dev/virtualized" 1
[ "$(cat "$dev/state")" = virtualized ] || bail "not virtualized: ${werr:-?}"
tx0=$(nvme_stat tx_frames) rx0=$(nvme_stat rx_frames)
reg0=$(nvme_stat traps_register) irq0=$(irq_exits)
ping -c 5 -i 0.2 -W 2 "$PEER" > /tmp/e1000_ping 2>&1
ping_rc=$?
tx1=$(nvme_stat tx_frames) rx1=$(nvme_stat rx_frames)
reg1=$(nvme_stat traps_register) irq1=$(irq_exits)
echo "5 pings: rc $ping_rc; frames through the VMM: tx +$((tx1 - tx0)), rx +$((rx1 - rx0)); register traps +$((reg1 - reg0)), interrupt exits +$((irq1 - irq0))"
check "5 pings answered while virtualized, through the VMM (tx +$((tx1 - tx0)), rx +$((rx1 - rx0)))" \
	[ $ping_rc -eq 0 -a $((tx1 - tx0)) -ge 5 -a $((rx1 - rx0)) -ge 5 ]
check "register accesses trapped (+$((reg1 - reg0))) and interrupts exit (+$((irq1 - irq0)))" \
	[ $((reg1 - reg0)) -gt 0 -a $((irq1 - irq0)) -gt 0 ]

# A configuration read goes through the trapped ports (or ECAM).
cfg0=$(($(nvme_stat traps_config_io) + $(nvme_stat traps_config_mmio)))
cmd=$(setpci -s "$A" COMMAND 2> /dev/null)
cfg1=$(($(nvme_stat traps_config_io) + $(nvme_stat traps_config_mmio)))
check "a configuration read trapped (command register $cmd, +$((cfg1 - cfg0)))" \
	[ -n "$cmd" -a $((cfg1 - cfg0)) -gt 0 ]

# A frame sent from the VMM's canary page and a receive descriptor into
# it (debugfs nic_probe): both refused, the canary intact once 300
# received frames have taken the ring (256 descriptors) past the slot.
P=/sys/kernel/debug/rtvirt/nic_probe
refused0=$(nvme_stat dma_refused)
dev_write $P "$A"
probe_rc=$?
ping -c 300 -i 0.01 -W 1 "$PEER" > /dev/null 2>&1
line=$(cat $P 2> /dev/null)
refused1=$(nvme_stat dma_refused)
echo "nic_probe: ${line:-unreadable} (${werr:-ok}); dma_refused $refused0 -> $refused1"
check "nic_probe: descriptors into VMM memory refused (+$((refused1 - refused0))), VMM memory intact" \
	eval '[ $probe_rc -eq 0 ] && echo "$line" | grep -q "^posted=2 .*vmm_memory=intact$" && [ $((refused1 - refused0)) -ge 2 ]'

port0=$(nvme_stat traps_port)
ethtool -r "$IF"
nway_rc=$?
port1=$(nvme_stat traps_port)
check "ethtool -r while virtualized: through the I/O BAR (port traps +$((port1 - port0))), in place, pings answered" \
	eval '[ $nway_rc -eq 0 -a $((port1 - port0)) -ge 2 ] && still_virtualized && link_ok'
ip link set "$IF" mtu 1400
check "MTU 1400 while virtualized: in place ($(cat "$dev/state")), pings answered" \
	eval 'still_virtualized && link_ok && ping -c 3 -W 2 $PEER > /dev/null'
ip link set "$IF" mtu 1500
ip link set "$IF" down
ip link set "$IF" up
check "link down and up while virtualized: in place ($(cat "$dev/state")), pings answered" \
	eval 'still_virtualized && link_ok'
check "hand back" nvme_devirtualize

# Flips with pings between them.
sent=0 got=0 bad=0 n=0
while [ $n -lt "$flips" ]; do
	dev_write "$dev/virtualized" 1 || bad=$((bad + 1))
	out=$(ping -c 2 -i 0.2 -W 1 "$PEER" 2>&1 | grep -o '[0-9]* packets received')
	got=$((got + ${out%% *})) sent=$((sent + 2))
	nvme_devirtualize || bad=$((bad + 1))
	out=$(ping -c 1 -W 1 "$PEER" 2>&1 | grep -o '[0-9]* packets received')
	got=$((got + ${out%% *})) sent=$((sent + 1))
	n=$((n + 1))
done
echo "$flips flips: $bad failed; pings $got of $sent answered ($handback_retries hand-backs retried)"
check "$flips flips with pings between them: none failed, $((sent - got)) of $sent pings lost (at most 10 %)" \
	[ $bad -eq 0 -a $(((sent - got) * 10)) -le $sent ]

errs=$(dmesg_since | grep -E "$NIC_ERRORS")
[ -z "$errs" ] || echo "$errs" | head -n 20
check "no driver hang, reset or watchdog timeout in dmesg" [ -z "$errs" ]

# rmmod while virtualized, pinging: the NIC native and working after.
dev_write "$dev/virtualized" 1
ping -c 20 -i 0.1 -W 1 "$PEER" > /dev/null 2>&1 &
pid=$!
sleep 0.5
check "rmmod while virtualized under pings" rmmod rtvirt
wait $pid
check "the NIC works natively after rmmod" link_ok
finish
