# Shared helpers of rtvirt's shell selftests (sourced, not run).
# Tests print TAP version 13 and exit 0 (pass), 1 (fail) or 4 (skip).

KSFT_SKIP=4
RTVIRT_KO=${RTVIRT_KO:-/rtvirt/rtvirt.ko}
SYSFS=/sys/kernel/rtvirt
export PATH="$PATH:/rtvirt:$(cd "$(dirname "$0")/../../tools/rtvirtctl" 2>/dev/null && pwd)"

# The CPU's virtualization extension (VIRT: svm or vmx, empty without
# one) and the hypercall instruction that goes with it (HYPERCALL).
if grep -qw svm /proc/cpuinfo; then
	VIRT=svm HYPERCALL=vmmcall
elif grep -qw vmx /proc/cpuinfo; then
	VIRT=vmx HYPERCALL=vmcall
else
	VIRT= HYPERCALL=
fi

t_n=0
t_failed=0

plan() {
	t_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n $*"
}

fail() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n $*"
}

# check DESCRIPTION COMMAND...: one TAP line for COMMAND's success.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# The results must match the plan: a test that ran fewer or more checks
# than it announced fails, as a TAP consumer would count it.
finish() {
	if [ -n "${t_planned:-}" ] && [ "$t_n" -ne "$t_planned" ]; then
		echo "# planned $t_planned results, gave $t_n"
		exit 1
	fi
	[ $t_failed -eq 0 ] && exit 0
	exit 1
}

loaded() {
	grep -q '^rtvirt ' /proc/modules
}

load() {
	loaded || insmod "$RTVIRT_KO"
}

# The launch generation every guest CPU answers with (one line per
# distinct value: one line when all agree).
launch_generation() {
	rtvirtctl --json status | grep '"state": "guest"' |
		grep -o '"generation": [0-9]*' | cut -d' ' -f2 | sort -u
}

unload() {
	! loaded || rmmod rtvirt
}

# Free memory in kB after dropping clean caches and compacting, so that
# caches do not count as leaks: MemFree plus the pages waiting in the
# per-CPU page lists (the "count:" of every pageset in /proc/zoneinfo).
# Freed 2 MiB blocks (the VMM's) wait there without counting in MemFree,
# and neither dropping caches nor compacting drains them: 200 launch
# cycles moved 16 MiB from MemFree into those lists, 184 kB in all.
# Shortly after boot MemFree still moves by tens of MB on its own: wait
# (at most 10 s) until two readings a second apart agree within 1 MB.
memfree_once() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
	awk '/^MemFree:/ { free = $2 }
	     FILENAME == "/proc/zoneinfo" && $1 == "count:" { pcp += $2 }
	     END { print free + pcp * 4 }' /proc/meminfo /proc/zoneinfo
}

memfree_kb() {
	prev=$(memfree_once)
	tries=0
	while [ $tries -lt 10 ]; do
		sleep 1
		cur=$(memfree_once)
		diff=$((cur - prev))
		[ ${diff#-} -lt 1024 ] && break
		prev=$cur
		tries=$((tries + 1))
	done
	echo "$cur"
}

# Devices rtvirt must manage, from lspci: "ADDRESS MODEL" lines, sorted.
lspci_expected() {
	lspci -Dvmmn | awk 'BEGIN { RS = ""; FS = "\n" }
	{
		slot = class = vendor = device = progif = ""
		for (i = 1; i <= NF; i++) {
			split($i, kv, ":\t")
			if (kv[1] == "Slot") slot = kv[2]
			else if (kv[1] == "Class") class = kv[2]
			else if (kv[1] == "Vendor") vendor = kv[2]
			else if (kv[1] == "Device") device = kv[2]
			else if (kv[1] == "ProgIf") progif = kv[2]
		}
		if (class == "0108" && progif == "02")
			print slot, "nvme"
		else if (vendor == "8086" && (device == "10d3" || device == "10f6" || device == "150c" || device == "100e"))
			print slot, "e1000e"
	}' | sort
}

# The kernel name the driver gave a PCI function ("eth0", "nvme0"), or "".
pci_function_name() {
	for c in net nvme; do
		for n in /sys/bus/pci/devices/"$1"/"$c"/*; do
			[ -e "$n" ] && { basename "$n"; return; }
		done
	done
	echo ""
}
