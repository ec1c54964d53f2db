/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rtvirt user-space API: the /dev/rtvirt character device.
 *
 * Every request structure starts with a __u32 @size that the caller sets to
 * sizeof() the structure it was compiled against.  The kernel accepts any
 * size at least as large as the first published version of the structure
 * (RTVIRT_*_SIZE_VER0), reads or writes only the bytes both sides know, and
 * zero-fills the rest of what it returns.  In a larger input structure the
 * bytes the kernel does not know must be zero (else -EINVAL); GET_INFO reads
 * only @size.  New fields are only ever added at the end, so old binaries
 * keep working against new modules and vice versa.  The size encoded in the
 * ioctl number is ignored: the structure's own @size is what counts.
 *
 * Errors: -ENOTTY for an unknown request, -EINVAL for a bad @size or
 * malformed field, -EFAULT for an unreadable or unwritable user pointer,
 * -EPERM for a state-changing request without CAP_SYS_ADMIN, -ENODEV for a
 * device address that rtvirt does not manage, -ENOMEM when memory cannot be
 * had, -EBUSY/-ENODEV/-EIO/-ENOEXEC from a launch (another hypervisor uses
 * SVM, SVM disabled, a CPU failed, bad VMM image; see
 * Documentation/uapi.rst), and -EOPNOTSUPP for requests
 * whose implementation has not landed yet (see Documentation/uapi.rst).
 */
#ifndef _UAPI_LINUX_RTVIRT_H
#define _UAPI_LINUX_RTVIRT_H

#include <linux/ioctl.h>
#include <linux/rtvirt_exit.h>
#include <linux/types.h>

/* Bumped on every incompatible change; additions do not bump it. */
#define RTVIRT_ABI_VERSION	1

#define RTVIRT_DEVICE_PATH	"/dev/rtvirt"

#define RTVIRT_NAME_LEN		32	/* NUL-terminated strings below */
#define RTVIRT_ADDR_LEN		32	/* "dddd:bb:dd.f" PCI address */

/* rtvirt_info.features */
#define RTVIRT_FEAT_SVM		(1U << 0)	/* CPU offers usable AMD SVM */
#define RTVIRT_FEAT_VMX		(1U << 1)	/* CPU offers usable Intel VMX */
#define RTVIRT_FEAT_NPT		(1U << 2)	/* AMD nested page tables */
#define RTVIRT_FEAT_EPT		(1U << 3)	/* Intel extended page tables */

/* rtvirt_info.backend */
#define RTVIRT_BACKEND_NONE	0
#define RTVIRT_BACKEND_SVM	1
#define RTVIRT_BACKEND_VMX	2

/**
 * struct rtvirt_info - module, VMM image and machine summary
 * @size:		in: sizeof(struct rtvirt_info) as the caller knows it
 * @abi_version:	out: RTVIRT_ABI_VERSION of the module
 * @vmm_version:	out: version of the embedded VMM image (major << 16 | minor)
 * @features:		out: RTVIRT_FEAT_* bits found when the module loaded
 * @backend:		out: RTVIRT_BACKEND_* the module will launch with
 * @virtualized:	out: 1 while the VMM runs under the kernel, else 0
 * @nr_cpus:		out: online CPUs
 * @nr_devices:		out: devices listed under /sys/kernel/rtvirt/devices
 * @vmm_image_size:	out: bytes of the embedded VMM image
 * @version:		out: module version string
 */
struct rtvirt_info {
	__u32 size;
	__u32 abi_version;
	__u32 vmm_version;
	__u32 features;
	__u32 backend;
	__u32 virtualized;
	__u32 nr_cpus;
	__u32 nr_devices;
	__u64 vmm_image_size;
	char version[RTVIRT_NAME_LEN];
};
#define RTVIRT_INFO_SIZE_VER0	72

/* rtvirt_device.state */
#define RTVIRT_DEV_NATIVE		0
#define RTVIRT_DEV_VIRTUALIZING		1
#define RTVIRT_DEV_VIRTUALIZED		2
#define RTVIRT_DEV_DEVIRTUALIZING	3

/**
 * struct rtvirt_device - one device rtvirt can take into emulation
 * @address:	PCI address, e.g. "0000:00:04.0" (the sysfs directory name)
 * @name:	kernel name of the bound function ("nvme0", "eth1"), or ""
 * @model:	rtvirt device model that handles it ("nvme", "e1000e")
 * @vendor:	PCI vendor ID
 * @device:	PCI device ID
 * @class:	PCI class code (base << 16 | sub << 8 | prog-if)
 * @state:	RTVIRT_DEV_*
 * @virtualized: 1 while the VMM emulates the device, else 0
 */
struct rtvirt_device {
	char address[RTVIRT_ADDR_LEN];
	char name[RTVIRT_NAME_LEN];
	char model[RTVIRT_NAME_LEN];
	__u16 vendor;
	__u16 device;
	__u32 class;
	__u32 state;
	__u32 virtualized;
};

/**
 * struct rtvirt_device_list - snapshot of the managed devices
 * @size:	in: sizeof(struct rtvirt_device_list)
 * @entry_size:	in: sizeof(struct rtvirt_device) as the caller knows it
 *		(at least RTVIRT_DEVICE_SIZE_VER0)
 * @capacity:	in: number of entries @entries can hold (may be 0)
 * @count:	out: number of devices rtvirt manages; entries beyond
 *		@capacity are not written, so call again with a larger buffer
 *		when @count > @capacity
 * @entries:	in: user pointer to @capacity entries of @entry_size bytes
 */
struct rtvirt_device_list {
	__u32 size;
	__u32 entry_size;
	__u32 capacity;
	__u32 count;
	__u64 entries;
};
#define RTVIRT_DEVICE_LIST_SIZE_VER0	24
#define RTVIRT_DEVICE_SIZE_VER0		112

/**
 * struct rtvirt_device_request - change one device's virtualization state
 * @size:	in: sizeof(struct rtvirt_device_request)
 * @virtualize:	in: 1 to take the device into emulation, 0 to hand it back
 * @address:	in: PCI address of the device, NUL-terminated
 */
struct rtvirt_device_request {
	__u32 size;
	__u32 virtualize;
	char address[RTVIRT_ADDR_LEN];
};
#define RTVIRT_DEVICE_REQUEST_SIZE_VER0	40

/* rtvirt_cpu_stats.state */
#define RTVIRT_CPU_NATIVE	0	/* runs natively (VMM not launched on it) */
#define RTVIRT_CPU_GUEST	1	/* demoted: the VMM answered a ping on it */
#define RTVIRT_CPU_OFFLINE	2	/* CPU not online */
#define RTVIRT_CPU_NO_ANSWER	3	/* should be demoted, VMM did not answer */


/**
 * struct rtvirt_cpu_stats - one CPU's late-launch state and VM exit counts
 * @size:		in: sizeof(struct rtvirt_cpu_stats)
 * @cpu:		in: CPU number
 * @state:		out: RTVIRT_CPU_*; GUEST only if the VMM answered the
 *			ping hypercall on that CPU just now
 * @vmm_cpu:		out: CPU number the VMM answered for
 * @generation:		out: launch generation (counts launch attempts that
 *			reached VMM initialisation since load)
 * @launch_ns:		out: time the last launch took on this CPU (guest clock)
 * @unlaunch_ns:	out: time the last unlaunch took on this CPU
 * @total_exits:	out: VM exits on this CPU since the last launch
 * @denied_accesses:	out: accesses of the kernel to VMM memory refused
 * @exits:		out: VM exits by RTVIRT_EXIT_* reason
 */
struct rtvirt_cpu_stats {
	__u32 size;
	__u32 cpu;
	__u32 state;
	__u32 vmm_cpu;
	__u64 generation;
	__u64 launch_ns;
	__u64 unlaunch_ns;
	__u64 total_exits;
	__u64 denied_accesses;
	__u64 exits[RTVIRT_EXIT_REASONS];
};
#define RTVIRT_CPU_STATS_SIZE_VER0	184

/* Kinds of trapped device access counted in rtvirt_device_stats.traps. */
#define RTVIRT_TRAP_REGISTER	0	/* controller registers (BAR) */
#define RTVIRT_TRAP_DOORBELL	1	/* MMIO doorbell registers */
#define RTVIRT_TRAP_SHADOW_DB	2	/* shadow doorbells in memory */
#define RTVIRT_TRAP_QUEUE	3	/* the OS's completion queue memory */
#define RTVIRT_TRAP_MSIX	4	/* MSI-X table and pending bits */
#define RTVIRT_TRAP_CONFIG_IO	5	/* config space through 0xCF8/0xCFC */
#define RTVIRT_TRAP_CONFIG_MMIO	6	/* config space through ECAM */
#define RTVIRT_TRAP_PORT	7	/* the device's I/O BAR ports */
#define RTVIRT_TRAP_KINDS	8

/**
 * struct rtvirt_device_stats - counters of one managed device
 * @size:		in: sizeof(struct rtvirt_device_stats)
 * @state:		out: RTVIRT_DEV_*
 * @address:		in: PCI address, NUL-terminated
 * @traps:		out: trapped accesses by RTVIRT_TRAP_* kind
 * @ios:		out: commands the VMM's driver submitted to the device
 * @virtualizations:	out: completed takeovers (native -> virtualized)
 * @devirtualizations:	out: completed hand-backs (virtualized -> native)
 * @replayed:		out: accesses logged during hand-backs and replayed
 * @last_stall_ns:	out: how long the last hand-back held the OS's
 *			submissions
 * @max_stall_ns:	out: the longest such hold
 * @dma_refused:	out: OS commands refused because their data pointers
 *			reached the VMM's memory
 * @injected:		out: commands completed with an injected status or
 *			delayed by fault injection
 * @handback_retries:	out: hand-backs abandoned at the stall bound and
 *			tried again
 * @tx_frames:		out: NICs: frames given to the NIC while virtualized
 * @rx_frames:		out: NICs: frames received while virtualized
 * @tx_bytes:		out: NICs: their bytes
 * @rx_bytes:		out: NICs: their bytes
 *
 * Size versions: VER0 ends at @handback_retries, VER1 (the NIC counters)
 * at @rx_bytes.
 */
struct rtvirt_device_stats {
	__u32 size;
	__u32 state;
	char address[RTVIRT_ADDR_LEN];
	__u64 traps[RTVIRT_TRAP_KINDS];
	__u64 ios;
	__u64 virtualizations;
	__u64 devirtualizations;
	__u64 replayed;
	__u64 last_stall_ns;
	__u64 max_stall_ns;
	__u64 dma_refused;
	__u64 injected;
	__u64 handback_retries;
	__u64 tx_frames;
	__u64 rx_frames;
	__u64 tx_bytes;
	__u64 rx_bytes;
};
#define RTVIRT_DEVICE_STATS_SIZE_VER0	176
#define RTVIRT_DEVICE_STATS_SIZE_VER1	208

/* rtvirt_trace_entry.flags */
#define RTVIRT_TRACE_INJECTED	(1U << 0)	/* status or delay injected */
#define RTVIRT_TRACE_REFUSED	(1U << 1)	/* data pointers refused */
#define RTVIRT_TRACE_ADMIN	(1U << 2)	/* admin command */

/**
 * struct rtvirt_trace_entry - one completed command of a virtualized device
 * @seq:	sequence number, counted from the launch (the ring lives in
 *		the VMM and goes with it at unlaunch)
 * @submit_ns:	when the VMM read the command, ns on the VMM's clock
 * @latency_ns:	from then until the VMM saw its completion
 * @lba:	first logical block (reads, writes; 0 otherwise)
 * @bytes:	data length in bytes (reads, writes; 0 otherwise)
 * @queue:	the OS's queue id (0: admin)
 * @cid:	the OS's command identifier
 * @status:	status field the OS saw (SC | SCT << 8 | CRD << 11 |
 *		MORE << 13 | DNR << 14, i.e. the CQE status without the
 *		phase bit)
 * @opcode:	command opcode
 * @flags:	RTVIRT_TRACE_*
 */
struct rtvirt_trace_entry {
	__u64 seq;
	__u64 submit_ns;
	__u64 latency_ns;
	__u64 lba;
	__u32 bytes;
	__u16 queue;
	__u16 cid;
	__u16 status;
	__u8 opcode;
	__u8 flags;
	__u32 pad;
};
#define RTVIRT_TRACE_ENTRY_SIZE_VER0	48

/**
 * struct rtvirt_trace - read the recent commands of a device
 * @size:	in: sizeof(struct rtvirt_trace)
 * @entry_size:	in: sizeof(struct rtvirt_trace_entry)
 * @address:	in: PCI address, NUL-terminated
 * @capacity:	in: entries the buffer at @entries holds
 * @count:	out: entries written, oldest first
 * @dropped:	out: commands traced before the first returned one (no
 *		longer in the ring, or beyond @capacity)
 * @entries:	in: user pointer to the buffer
 *
 * The ring keeps the last RTVIRT_TRACE_RING commands; reading does not
 * consume them.  When the ring holds more than @capacity entries, the
 * newest @capacity are returned.
 */
struct rtvirt_trace {
	__u32 size;
	__u32 entry_size;
	char address[RTVIRT_ADDR_LEN];
	__u32 capacity;
	__u32 count;
	__u64 dropped;
	__u64 entries;
};
#define RTVIRT_TRACE_SIZE_VER0		64
#define RTVIRT_TRACE_RING		1024

/* rtvirt_inject.match: commands (NVMe) or frames (NICs), not both */
#define RTVIRT_INJECT_READS	(1U << 0)
#define RTVIRT_INJECT_WRITES	(1U << 1)
#define RTVIRT_INJECT_TX	(1U << 2)	/* frames the driver sends */
#define RTVIRT_INJECT_RX	(1U << 3)	/* frames the NIC receives */

/* rtvirt_inject.action, for frames */
#define RTVIRT_INJECT_DROP	1
#define RTVIRT_INJECT_CORRUPT	2	/* received frames only */
#define RTVIRT_INJECT_DELAY	3	/* hold them @delay_us */
#define RTVIRT_INJECT_PROBABILITY_ONE	1000000U	/* millionths */

/**
 * struct rtvirt_inject - fault injection on a virtualized device
 * @size:	in: sizeof(struct rtvirt_inject)
 * @match:	in: RTVIRT_INJECT_* bits: which commands are affected
 * @address:	in: PCI address, NUL-terminated
 * @count:	in: how many of the next matching commands; 0 cancels
 * @status:	in: status to complete them with, as in
 *		rtvirt_trace_entry.status; 0 completes them normally
 * @delay_us:	in: commands: hold each one this long before the device
 *		sees it (at most 10000000, ten seconds); frames, with
 *		RTVIRT_INJECT_DELAY: hold each one this long before the
 *		wire or the driver gets it (1 to 500000, half a second)
 * @pad:	ignored
 * @pad2:	ignored
 * @action:	in: frames: RTVIRT_INJECT_DROP, RTVIRT_INJECT_CORRUPT or
 *		RTVIRT_INJECT_DELAY; commands: 0
 * @probability: in: frames: each matching frame is affected with this
 *		probability, in millionths (1 to
 *		RTVIRT_INJECT_PROBABILITY_ONE; 0 for every one); commands: 0
 *
 * Commands (NVMe, @match READS and/or WRITES): a failed command never
 * reaches the medium: the VMM sends the device a harmless command in its
 * place and completes the OS's command with @status.  Frames (NICs,
 * @match TX and/or RX, @status 0): a dropped frame never reaches the wire
 * or the driver, a corrupted received one reaches the driver with its
 * last byte inverted and a checksum error, a delayed one reaches them
 * @delay_us late, and the frames behind it in its ring wait for it (the
 * rings are in order).  The setting lasts until @count commands or frames
 * were affected, or the device is handed back (which releases held
 * frames).  Size versions: VER0 ends at @pad2, VER1 at @probability.
 */
struct rtvirt_inject {
	__u32 size;
	__u32 match;
	char address[RTVIRT_ADDR_LEN];
	__u32 count;
	__u16 status;
	__u16 pad;
	__u32 delay_us;
	__u32 pad2;
	__u32 action;
	__u32 probability;
};
#define RTVIRT_INJECT_SIZE_VER0		56
#define RTVIRT_INJECT_SIZE_VER1		64
#define RTVIRT_INJECT_MAX_DELAY_US	10000000U
/* below the e1000e driver's transmit hang check (one second) */
#define RTVIRT_INJECT_MAX_FRAME_DELAY_US	500000U

/* rtvirt_capture.op */
#define RTVIRT_CAPTURE_START	1	/* start capturing @address on this file */
#define RTVIRT_CAPTURE_READ	2	/* copy out the frames captured since */
#define RTVIRT_CAPTURE_STOP	3	/* stop; closing the file stops too */

/* rtvirt_capture_record.dir */
#define RTVIRT_CAPTURE_TX	1	/* the driver gave it to the NIC */
#define RTVIRT_CAPTURE_RX	2	/* the NIC received it */

#define RTVIRT_CAPTURE_SNAPLEN_MIN	64
#define RTVIRT_CAPTURE_SNAPLEN_MAX	65535
#define RTVIRT_CAPTURE_RING_KIB_MIN	64
#define RTVIRT_CAPTURE_RING_KIB_MAX	4096
#define RTVIRT_CAPTURE_RING_KIB_DEFAULT	4096

/**
 * struct rtvirt_capture - capture every frame of a virtualized NIC
 * @size:	in: sizeof(struct rtvirt_capture)
 * @op:		in: RTVIRT_CAPTURE_*
 * @address:	in (START): PCI address, NUL-terminated
 * @snaplen:	in (START): bytes kept of each frame,
 *		RTVIRT_CAPTURE_SNAPLEN_MIN to _MAX, 0 for the maximum; out
 *		(READ): the snap length in use
 * @ring_kib:	in (START): ring size in KiB, RTVIRT_CAPTURE_RING_KIB_MIN
 *		to _MAX, 0 for _DEFAULT (physically contiguous); out
 *		(START, READ): the size allocated, which may be smaller
 *		when memory is fragmented (at least the minimum)
 * @buf:	in (READ): user pointer to a buffer for records
 * @buf_size:	in (READ): its size in bytes
 * @bytes:	out (READ): bytes of whole records written to @buf
 * @frames:	out (READ, STOP): frames captured since START
 * @dropped:	out (READ, STOP): frames not captured because the ring
 *		was full (read more often, or use a larger ring)
 *
 * A capture belongs to the file that started it: one per file and one per
 * device; READ and STOP act on the file's own.  Frames are captured while
 * the device is virtualized (the VMM sees them) across any number of flips
 * and launches; the native periods in between have none.  READ copies
 * records, each a struct rtvirt_capture_record followed by its bytes and
 * zeros to a multiple of 8, oldest first, and never blocks; it answers
 * -EMSGSIZE when the oldest record does not fit in @buf_size.
 */
struct rtvirt_capture {
	__u32 size;
	__u32 op;
	char address[RTVIRT_ADDR_LEN];
	__u32 snaplen;
	__u32 ring_kib;
	__u64 buf;
	__u32 buf_size;
	__u32 bytes;
	__u64 frames;
	__u64 dropped;
};
#define RTVIRT_CAPTURE_SIZE_VER0	80

/**
 * struct rtvirt_capture_record - one captured frame in a READ buffer
 * @ts_ns:	when the VMM saw it, ns since the epoch (CLOCK_REALTIME as
 *		it was at START): a transmitted frame when the driver gave
 *		it to the NIC (its tail write), a received one when the VMM
 *		copied its completion to the driver
 * @len:	the frame's length on the wire, without the FCS (for a TCP
 *		segmentation offload, the whole unsegmented frame the
 *		driver gave, as a capture on the interface shows it)
 * @caplen:	bytes of the frame that follow (at most the snap length)
 * @dir:	RTVIRT_CAPTURE_TX or _RX
 * @pad:	zero
 */
struct rtvirt_capture_record {
	__u64 ts_ns;
	__u32 len;
	__u32 caplen;
	__u8 dir;
	__u8 pad[7];
};
#define RTVIRT_CAPTURE_RECORD_SIZE_VER0	24

#define RTVIRT_IOC_MAGIC	0xB7

/* Implemented. */
#define RTVIRT_GET_INFO		_IOWR(RTVIRT_IOC_MAGIC, 0x00, struct rtvirt_info)
#define RTVIRT_LIST_DEVICES	_IOWR(RTVIRT_IOC_MAGIC, 0x01, struct rtvirt_device_list)

/*
 * Late launch: LAUNCH demotes every online CPU under the VMM (0 when
 * already launched; -EOPNOTSUPP where the backend has no launch yet, i.e.
 * VMX), UNLAUNCH returns them to native execution (0 when native).
 */
#define RTVIRT_LAUNCH		_IO(RTVIRT_IOC_MAGIC, 0x02)
#define RTVIRT_UNLAUNCH		_IO(RTVIRT_IOC_MAGIC, 0x03)
/*
 * Per-device virtualization.  Until it lands, asking for virtualization
 * returns -EOPNOTSUPP and asking for the native state succeeds.
 */
#define RTVIRT_SET_DEVICE	_IOW(RTVIRT_IOC_MAGIC, 0x04, struct rtvirt_device_request)
#define RTVIRT_GET_CPU_STATS	_IOWR(RTVIRT_IOC_MAGIC, 0x05, struct rtvirt_cpu_stats)

#define RTVIRT_GET_DEVICE_STATS	_IOWR(RTVIRT_IOC_MAGIC, 0x06, struct rtvirt_device_stats)
#define RTVIRT_READ_TRACE	_IOWR(RTVIRT_IOC_MAGIC, 0x07, struct rtvirt_trace)
#define RTVIRT_INJECT		_IOW(RTVIRT_IOC_MAGIC, 0x08, struct rtvirt_inject)
#define RTVIRT_CAPTURE		_IOWR(RTVIRT_IOC_MAGIC, 0x09, struct rtvirt_capture)

/* Numbers 0x0a-0x0f are reserved. */

#endif /* _UAPI_LINUX_RTVIRT_H */
