# Shared helpers of rtvirt's NVMe selftests (sourced after lib.sh, not run).
#
# The controller under test is the one whose serial number is
# $RTVIRT_NVME_SERIAL (default rtvirt-disk0: the test VM's disk; rtvirt-ssd
# is its SSD-like controller).  The nvme driver probes asynchronously, so
# its instance names (nvme0, nvme1) and, with native multipath, the block
# devices' names may differ from boot to boot: nvme_select (run when this
# file is sourced, and by nvme_require until the controller is there)
# sets from sysfs
#   NVME_CTRL_NAME  the controller's name (nvme1; /sys/class/nvme/NAME)
#   NVME_CTRL       its character device (/dev/nvme1), for nvme-cli
#   NVME_PCI        its PCI address (0000:00:02.0)
#   NVME_BLK        the block device of its namespace 1 (/dev/nvme1n1)
#   NVME_BLK2       the block device of its namespace 2
#   NVME_BLK3       of namespace 3 (on the SSD-like controller: metadata
#                   with protection information in a separate buffer)
#   NVME_BLK4       of namespace 4 (protection information inline)
# each "" when not found (nvme_require waits for namespace 1 only; the
# driver may still be scanning namespace 2).  The namespaces are scratch
# images: the tests overwrite namespace 1.

RTVIRT_NVME_SERIAL=${RTVIRT_NVME_SERIAL:-rtvirt-disk0}
# Kernel log lines that must not appear: timeouts, aborts, controller
# resets, failed I/O, and completions the driver could not match to a
# request (corrupted or replayed completion queue entries).
NVME_ERRORS='nvme.*(timeout|reset|I/O error|abort)|blk_update_request|I/O error|genctr mismatch|invalid id .* completed'

# nvme_ns_blk CTRL NSID: print the block device (/dev/NAME) of namespace
# NSID of controller CTRL (nvmeN), or nothing.  The controller's sysfs
# directory holds a directory per namespace with its nsid file.  Without
# native multipath that is the block device itself (nvmeNnY).  With it,
# that is the hidden per-path disk (nvmeXcNnY), and the node to use is
# the namespace head: the nvme*n* entry with the same nsid in the
# directory of the controller's subsystem (/sys/class/nvme-subsystem/*,
# which links the controller by its name).
nvme_ns_blk() {
	for nb_p in /sys/class/nvme/"$1"/nvme*n*; do
		[ -r "$nb_p/nsid" ] && read -r nb_id < "$nb_p/nsid" || continue
		[ "$nb_id" = "$2" ] || continue
		case ${nb_p##*/} in
		nvme*c*n*)
			for nb_s in /sys/class/nvme-subsystem/*; do
				[ -e "$nb_s/$1" ] || continue
				for nb_h in "$nb_s"/nvme*n*; do
					[ -r "$nb_h/nsid" ] && read -r nb_id < "$nb_h/nsid" || continue
					[ "$nb_id" = "$2" ] || continue
					[ ! -b "/dev/${nb_h##*/}" ] || echo "/dev/${nb_h##*/}"
					return
				done
			done
			;;
		*)
			[ ! -b "/dev/${nb_p##*/}" ] || echo "/dev/${nb_p##*/}"
			;;
		esac
		return
	done
}

# nvme_select: set NVME_CTRL_NAME, NVME_CTRL, NVME_PCI and NVME_BLK to
# NVME_BLK4 for the first controller whose serial is $RTVIRT_NVME_SERIAL
# (sysfs pads it with blanks; read drops them).  Fails when there is none.
nvme_select() {
	NVME_CTRL_NAME="" NVME_CTRL="" NVME_PCI="" NVME_BLK="" NVME_BLK2=""
	NVME_BLK3="" NVME_BLK4=""
	for ns_c in /sys/class/nvme/nvme*; do
		[ -r "$ns_c/serial" ] && read -r ns_s < "$ns_c/serial" || continue
		[ "$ns_s" = "$RTVIRT_NVME_SERIAL" ] || continue
		NVME_CTRL_NAME=${ns_c##*/}
		NVME_CTRL=/dev/$NVME_CTRL_NAME
		NVME_PCI=$(readlink -f "$ns_c/device")
		NVME_PCI=${NVME_PCI##*/}
		NVME_BLK=$(nvme_ns_blk "$NVME_CTRL_NAME" 1)
		NVME_BLK2=$(nvme_ns_blk "$NVME_CTRL_NAME" 2)
		NVME_BLK3=$(nvme_ns_blk "$NVME_CTRL_NAME" 3)
		NVME_BLK4=$(nvme_ns_blk "$NVME_CTRL_NAME" 4)
		return 0
	done
	return 1
}
nvme_select || :

# nvme_pending: some NVMe controller may still be coming up: a PCI NVMe
# function without a controller yet, or a controller without its serial
# (read from Identify Controller) or not yet live.
nvme_pending() {
	np_pci=0 np_ctrl=0
	for np_d in /sys/bus/pci/devices/*; do
		[ "$(cat "$np_d/class")" = 0x010802 ] && np_pci=$((np_pci + 1))
	done
	for np_c in /sys/class/nvme/nvme*; do
		[ -e "$np_c" ] || continue
		np_ctrl=$((np_ctrl + 1))
		np_s=""
		[ ! -r "$np_c/serial" ] || read -r np_s < "$np_c/serial"
		[ -n "$np_s" ] && [ "$(cat "$np_c/state")" = live ] || return 0
	done
	[ $np_ctrl -lt $np_pci ]
}

# skip_all unless the CPU has SVM and the machine an NVMe controller with
# serial $RTVIRT_NVME_SERIAL and a block device for its namespace 1.  The
# driver probes and scans namespaces asynchronously: wait (at most 10 s)
# while the controller or its namespace may still be coming.
nvme_require() {
	grep -qw svm /proc/cpuinfo || skip_all "CPU offers no SVM"
	nr_i=0
	while ! nvme_select || [ -z "$NVME_BLK" ]; do
		[ $nr_i -lt 100 ] || break
		[ -n "$NVME_CTRL_NAME" ] || nvme_pending || break
		sleep 0.1
		nr_i=$((nr_i + 1))
	done
	[ -n "$NVME_CTRL_NAME" ] ||
		skip_all "no NVMe controller with serial $RTVIRT_NVME_SERIAL"
	[ -n "$NVME_BLK" ] ||
		skip_all "NVMe controller $NVME_CTRL_NAME (serial $RTVIRT_NVME_SERIAL) has no namespace 1 block device"
}

# nvme_find: after insmod, set $dev to the devices/ directory of the
# controller under test (of model nvme, named $NVME_CTRL_NAME, at
# $NVME_PCI) and $addr to its PCI address.  Fails when rtvirt lists no such
# controller.
nvme_find() {
	dev=""
	[ -n "$NVME_CTRL_NAME" ] || return 1
	for d in $SYSFS/devices/*; do
		[ "$(cat "$d/model" 2>/dev/null)" = nvme ] &&
			[ "$(cat "$d/name" 2>/dev/null)" = "$NVME_CTRL_NAME" ] || continue
		dev=$d
		break
	done
	addr=${dev##*/}
	[ -n "$dev" ] && [ "$addr" = "$NVME_PCI" ]
}

# dev_write FILE VALUE: write "VALUE\n" to FILE in one write(2).  On
# failure $werr is the errno's name (EBUSY, ETIMEDOUT, EOPNOTSUPP, EIO,
# EINVAL, ENODEV) or dd's message.  dash's echo reports every error as
# "I/O error", so busybox dd does the write and names the error (a here
# document costs no extra process; this runs twice per flip).
dev_write() {
	if dd of="$1" conv=notrunc 2> /tmp/dev_write.$$ <<-EOF
		$2
		EOF
	then
		werr=""
		return 0
	fi
	read -r werr < /tmp/dev_write.$$
	case "$werr" in
	*"timed out"*) werr=ETIMEDOUT ;;
	*"resource busy"*) werr=EBUSY ;;
	*"not supported"*) werr=EOPNOTSUPP ;;
	*"Input/output error"*) werr=EIO ;;
	*"Invalid argument"*) werr=EINVAL ;;
	*"No such device"*) werr=ENODEV ;;
	esac
	return 1
}

# Take the device into emulation.
nvme_virtualize() {
	dev_write "$dev/virtualized" 1
}

# Hand the device back; a hand-back that hit its stall bound (ETIMEDOUT)
# leaves it virtualized and is retried, at most $RTVIRT_HANDBACK_TRIES
# times (default 100); $handback_retries counts the retries.
handback_retries=0
nvme_devirtualize() {
	hb_tries=0
	while ! dev_write "$dev/virtualized" 0; do
		[ "$werr" = ETIMEDOUT ] || return 1
		handback_retries=$((handback_retries + 1))
		hb_tries=$((hb_tries + 1))
		[ $hb_tries -lt "${RTVIRT_HANDBACK_TRIES:-100}" ] || return 1
	done
}

# nvme_is STATE VIRTUALIZED: the device's state and virtualized files read
# so (shell built-ins only: cheap enough to call on every flip).
nvme_is() {
	read -r st < "$dev/state" && read -r vz < "$dev/virtualized" &&
		[ "$st" = "$1" ] && [ "$vz" = "$2" ]
}

# nvme_stat NAME: the counter stats/NAME (0 when unreadable).
nvme_stat() {
	cat "$dev/stats/$1" 2>/dev/null || echo 0
}

# stat_ge NAME MIN: the counter stats/NAME is a number >= MIN.
stat_ge() {
	sg_v=$(cat "$dev/stats/$1" 2>/dev/null)
	case "$sg_v" in
	"" | *[!0-9]*) echo "stats/$1: '$sg_v' is not a number"; return 1 ;;
	esac
	[ "$sg_v" -ge "$2" ]
}

nvme_print_stats() {
	if [ ! -d "$dev/stats" ]; then
		echo "no $dev/stats/"
		return
	fi
	for f in "$dev"/stats/*; do
		printf '%s=%s ' "${f##*/}" "$(cat "$f")"
	done
	echo
}

# nvme_flips N: flip the device in and out N times (virtualize, sleep 0-20
# ms, hand back, sleep 0-20 ms), or fewer when $flip_until_pid (if set)
# exits or the uptime passes $flip_deadline_cs (if set).  Counts complete
# flips in $flips; a failed virtualize, a failed hand-back or a wrong state
# afterwards counts in $flip_errors and ends the loop after 10.
flips=0 flip_errors=0
rnd=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
nvme_flips() {
	nf_n=0
	while [ $nf_n -lt "$1" ] && [ $flip_errors -lt 10 ]; do
		if [ -n "${flip_until_pid:-}" ]; then
			kill -0 "$flip_until_pid" 2>/dev/null || break
		fi
		if [ -n "${flip_deadline_cs:-}" ]; then
			uptime_cs
			[ "$now_cs" -lt "$flip_deadline_cs" ] || break
		fi
		nf_n=$((nf_n + 1))
		if ! nvme_virtualize; then
			echo "flip $((flips + 1)): virtualize failed: $werr"
			flip_errors=$((flip_errors + 1))
			continue
		fi
		if ! nvme_is virtualized 1; then
			echo "flip $((flips + 1)): after virtualize: state $st, virtualized $vz"
			flip_errors=$((flip_errors + 1))
		fi
		rnd_sleep
		if ! nvme_devirtualize; then
			echo "flip $((flips + 1)): hand-back failed: $werr (after $hb_tries ETIMEDOUT retries)"
			flip_errors=$((flip_errors + 1))
			continue
		fi
		if ! nvme_is native 0; then
			echo "flip $((flips + 1)): after hand-back: state $st, virtualized $vz"
			flip_errors=$((flip_errors + 1))
			continue
		fi
		flips=$((flips + 1))
		[ $((flips % 100)) -ne 0 ] || echo "$flips flips"
		rnd_sleep
	done
}

# Pause 0-20 ms at random: an LCG in shell arithmetic and a spin on
# /proc/uptime (10 ms steps) with shell built-ins only, as starting a
# process (sleep) alone takes about 20 ms in the TCG test VM.
rnd_sleep() {
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	ms=$(( (rnd >> 16) % 21 ))
	[ $ms -ge 5 ] || return 0
	uptime_cs
	rs_end=$((now_cs + (ms + 5) / 10))
	while [ $now_cs -lt $rs_end ]; do
		uptime_cs
	done
}

# $now_cs: uptime in hundredths of a second.
uptime_cs() {
	read -r up _ < /proc/uptime
	now_cs=$(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# dmesg_mark: log a marker line; dmesg_since prints the kernel log after
# the latest marker of this test, nvme_errors the NVMe and block errors in it.
dmesg_mark() {
	dmesg_n=$(( ${dmesg_n:-0} + 1 ))
	dmesg_tag="rtvirt-selftest: ${0##*/} $$ mark $dmesg_n."
	echo "<6>$dmesg_tag" > /dev/kmsg
}

dmesg_since() {
	dmesg | awk -v t="$dmesg_tag" 'seen { print } index($0, t) { seen = 1 }'
}

nvme_errors() {
	dmesg_since | grep -E "${1:-$NVME_ERRORS}"
}

# check_no_nvme_errors [DESCRIPTION [REGEX]]: no line since the marker
# matches REGEX (default: $NVME_ERRORS), as one TAP line; prints any found.
check_no_nvme_errors() {
	errs=$(nvme_errors "${2:-}")
	[ -z "$errs" ] || echo "$errs" | head -n 20
	check "${1:-no NVMe or block I/O errors in dmesg}" [ -z "$errs" ]
}

# nvme_fio_job FILE SIZE_MB LOOPS [IOPS]: fio's verify job on 4 jobs,
# iodepth 1, 4, 16 and 32, each on its own SIZE_MB range from the start of
# the disk: random 4 KiB writes of random data, each block read back and
# checked (CRC32C of the data, and a header with the block's offset and the
# write's sequence number, which catches stale data from a lost write)
# after at most 64 more writes of its job, and the rest at the end of each
# loop.  The random map makes every block written exactly once per loop.
# IOPS caps the I/Os per second of each job (fio's rate_iops), so that a
# run takes a known time at least also where I/O is fast (QEMU with KVM).
nvme_fio_job() {
	{
		cat <<-EOF
		[global]
		filename=$NVME_BLK
		ioengine=libaio
		direct=1
		bs=4k
		rw=randwrite
		randrepeat=0
		verify=crc32c
		do_verify=1
		verify_fatal=1
		verify_backlog=64
		size=${2}m
		loops=$3
		EOF
		[ -z "${4:-}" ] || echo "rate_iops=$4"
		j=0
		for qd in 1 4 16 32; do
			printf '[qd%s]\niodepth=%s\noffset=%sm\n' $qd $qd $((j * $2))
			j=$((j + 1))
		done
	} > "$1"
}

# nvme_fio_polled FILE ENGINE: make the job in FILE use ENGINE with polled
# completions (hipri=1, an option of the engine, so after its ioengine line).
nvme_fio_polled() {
	awk -v e="$2" '/^ioengine=/ { print "ioengine=" e; print "hipri=1"; next }
		{ print }' "$1" > "$1.new" && mv "$1.new" "$1"
}

# nvme_fio_start NAME JOBFILE: start fio in the background ($fio_pid),
# JSON results in /tmp/NAME.json, messages in /tmp/NAME.err.
nvme_fio_start() {
	fio --eta=never --output-format=json --output="/tmp/$1.json" "$2" \
		> /dev/null 2> "/tmp/$1.err" &
	fio_pid=$!
}

# nvme_fio_result NAME: 0 when fio's JSON shows at least one job, every job
# with error 0 and as many bytes read (verified) as written, and fio said
# nothing about verification or errors.  Prints a summary.
nvme_fio_result() {
	fr_bad=0
	if grep -iE 'verify|error|fail' "/tmp/$1.err"; then
		fr_bad=1
	fi
	awk '
	/"jobname" :/ { j = $3; gsub(/[",]/, "", j); jobs[++n] = j }
	/^ *"error" :/ { e = $3; gsub(/,/, "", e); err[j] = e }
	/^ *"(read|write|trim)" : \{/ { d = $1; gsub(/"/, "", d) }
	/^ *"io_bytes" :/ { b = $3; gsub(/,/, "", b); io[j, d] = b }
	END {
		bad = n == 0
		for (i = 1; i <= n; i++) {
			j = jobs[i]
			printf "fio %s: error %s, written %d KiB, read back %d KiB\n",
				j, err[j], io[j, "write"] / 1024, io[j, "read"] / 1024
			if (err[j] != 0 || io[j, "write"] == 0 || io[j, "read"] != io[j, "write"])
				bad = 1
		}
		exit bad
	}' "/tmp/$1.json" || fr_bad=1
	return $fr_bad
}

# nvme_fio_verify NAME SIZE_MB LOOPS: run the verify job in the foreground.
nvme_fio_verify() {
	nvme_fio_job "/tmp/$1.fio" "$2" "$3"
	nvme_fio_start "$1" "/tmp/$1.fio"
	nvme_fio_wait "$1"
}

# nvme_plan N: plan N tests; bail REASON then fails the tests not yet run
# (so that the plan holds) and ends the test.
nvme_plan() {
	t_planned=$1
	plan "$1"
}

bail() {
	echo "bailing out: $*"
	while [ $t_n -lt $t_planned ]; do
		fail "not run: $*"
	done
	finish
}

# nvme_load: insmod as the first test, find the controller as the second;
# bails out if either fails.
nvme_load() {
	unload
	check "insmod" insmod "$RTVIRT_KO"
	loaded || bail "rtvirt.ko did not load"
	if nvme_find; then
		ok "rtvirt manages the NVMe controller: $addr, $(cat "$dev/name") ($(cat "$dev/model")), serial $RTVIRT_NVME_SERIAL, $NVME_BLK ($(cat /sys/block/${NVME_BLK#/dev/}/queue/logical_block_size)-byte blocks)"
	else
		ls -l $SYSFS/devices/
		fail "rtvirt manages the NVMe controller $NVME_CTRL_NAME ($NVME_PCI, serial $RTVIRT_NVME_SERIAL)"
		bail "no NVMe device named $NVME_CTRL_NAME at $NVME_PCI in $SYSFS/devices"
	fi
}

# Hand the device back and check it is native.
nvme_handback() {
	nvme_devirtualize && nvme_is native 0
}

# nvme_fio_wait NAME: wait for the fio started by nvme_fio_start; succeeds
# when it exited 0 and nvme_fio_result NAME passes.
nvme_fio_wait() {
	wait $fio_pid
	fw_rc=$?
	echo "fio $1: exit $fw_rc"
	nvme_fio_result "$1" && [ $fw_rc -eq 0 ]
}
