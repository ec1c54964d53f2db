/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between rtvirt.ko and the VMM image: the boot information the
 * module hands over, the functions it calls in the image, and the
 * hypercall ABI the demoted kernel uses.
 */
#ifndef _RTVIRT_VMM_ABI_H
#define _RTVIRT_VMM_ABI_H

#define RTVIRT_VMM_MAX_CHUNKS	512U		/* 1 GiB */
#define RTVIRT_VMM_CHUNK_SIZE	(2UL << 20)	/* 2 MiB, physically contiguous */
/*
 * What the VMM allocates from its block, for rtvirt_vmm_mem_needed():
 * per possible CPU (its struct vcpu with GDT and TSS, a 4-page stack, the
 * NMI stack, 8 pages for the nested tables of its contained accesses, the
 * guest and host VMCBs, the host save area, the scratch page of contained
 * accesses), once (the MSR and I/O permission maps, the DMA canary page),
 * for all devices together (access logs, traces, model state, the pages
 * for copies of commands' PRP lists and SGL segments), and for device
 * queues per possible CPU (NVMe drivers create a queue per CPU: room for
 * two 1024-deep queues' completion copies, command records and the OS's
 * submission queue pages).
 */
#define RTVIRT_VMM_CPU_PAGES	18
#define RTVIRT_VMM_GLOBAL_PAGES	6
#define RTVIRT_VMM_DEV_RESERVE	(4UL << 20)
#define RTVIRT_VMM_DEV_CPU_PAGES	52
/*
 * Device registers (each device's BAR and configuration page) are mapped
 * uncached in a window of the VMM's address space: at most this many
 * ranges per launch, each with at most two table pages of its own, plus
 * the window's two shared ones.
 */
#define RTVIRT_VMM_IO_MAPS	(2 * RTVIRT_VMM_MAX_DEVICES)
#define RTVIRT_VMM_IO_TABLE_PAGES	(2 * RTVIRT_VMM_IO_MAPS + 2)

/*
 * Hypercalls: VMMCALL (VMCALL under VMX) with the number in RAX, arguments
 * in RBX, RCX, RDX.
 */
#define RTVIRT_HC_PING		1	/* RAX: RTVIRT_HC_PING_MAGIC, RBX: cpu, RCX: generation, RDX: VMM version */
#define RTVIRT_HC_UNLAUNCH	2	/* return this CPU to native execution */
#define RTVIRT_HC_STATS		3	/* RBX: physical address of a struct rtvirt_vmm_cpu_stats to fill */
#define RTVIRT_HC_FLUSH		4	/* flush this CPU's nested TLB, refresh its intercepts */
#define RTVIRT_HC_DEV_ATTACH	5	/* RBX: pa of a struct rtvirt_vmm_dev_info; returns the device id */
#define RTVIRT_HC_DEV_COMMENCE	6	/* RBX: id, RCX: pa of the model's takeover state (struct rtvirt_vmm_nvme_layout or rtvirt_vmm_e1000e_state), RDX: its size; take the device over (all other CPUs held) */
#define RTVIRT_HC_DEV_HANDBACK	7	/* RBX: id, RCX: RTVIRT_HB_* step, RDX: FINISH's state */
#define RTVIRT_HC_DEV_POLL	8	/* RBX: id; returns RTVIRT_POLL_* bits */
#define RTVIRT_HC_DEV_STATS	9	/* RBX: id, RCX: pa of a struct rtvirt_vmm_dev_stats */
#define RTVIRT_HC_DEV_TRACE	10	/* RBX: id, RCX: pa of a struct rtvirt_vmm_trace, RDX: its size in bytes */
#define RTVIRT_HC_DEV_INJECT	11	/* RBX: id, RCX: pa of a struct rtvirt_vmm_inject */
#define RTVIRT_HC_CANARY	12	/* RBX: 0 returns the pa of the DMA canary page, 1 returns 1 if it is intact */
#define RTVIRT_HC_PANIC_TEST	13	/* test: the VMM panics on this CPU (debugfs vmm_panic) */
#define RTVIRT_HC_MCE_TEST	14	/* test: RBX 1: a restartable machine check in the VMM on this CPU, 0: one that is not (debugfs vmm_mce) */
#define RTVIRT_HC_DEV_CAPTURE	15	/* RBX: id, RCX: pa of a struct rtvirt_vmm_capture_ring (0 stops the capture), RDX: its size in bytes */

/* Steps of RTVIRT_HC_DEV_HANDBACK, in order; ABORT instead of FINISH. */
#define RTVIRT_HB_BEGIN		0	/* hold the OS's submissions */
#define RTVIRT_HB_DRAIN		1	/* returns 1 once nothing is outstanding */
#define RTVIRT_HB_FINISH	2	/* restore, replay, stop trapping */
#define RTVIRT_HB_ABORT		3	/* stay virtualized, release the held */

/* RTVIRT_HC_DEV_POLL result bits. */
#define RTVIRT_POLL_VIRTUALIZED	(1U << 0)	/* the device is virtualized */
#define RTVIRT_POLL_HANDBACK	(1U << 1)	/* the OS changed the device's mode: hand it back */

#define RTVIRT_HC_PING_MAGIC	0x52545649ULL	/* "RTVI" */
#define RTVIRT_HC_ENOSYS	((unsigned long long)-38)
#define RTVIRT_HC_EINVAL	((unsigned long long)-22)
#define RTVIRT_HC_EBUSY		((unsigned long long)-16)
#define RTVIRT_HC_ENODEV	((unsigned long long)-19)
#define RTVIRT_HC_ENOMEM	((unsigned long long)-12)
#define RTVIRT_HC_EIO		((unsigned long long)-5)
#define RTVIRT_HC_EOPNOTSUPP	((unsigned long long)-95)

#define RTVIRT_VMM_MAX_DEVICES	8

#include <linux/rtvirt_exit.h>

#define RTVIRT_EXIT_KINDS	RTVIRT_EXIT_REASONS

#ifndef __ASSEMBLY__

/**
 * struct rtvirt_vmm_cpu_stats - per-CPU counters returned by RTVIRT_HC_STATS
 * @exits:		exits by enum rtvirt_exit_kind
 * @total_exits:	all exits
 * @denied_accesses:	guest accesses to VMM memory that were refused
 */
struct rtvirt_vmm_cpu_stats {
	unsigned long long exits[RTVIRT_EXIT_KINDS];
	unsigned long long total_exits;
	unsigned long long denied_accesses;
};

/**
 * struct rtvirt_vmm_dev_info - a PCI device the module hands the VMM
 * @model:		enum rtvirt_model value
 * @bdf:		bus << 8 | device << 3 | function (segment 0)
 * @bar_pa:		physical address of the register BAR
 * @bar_size:		its size in bytes
 * @ecam_pa:		physical address of its 4 KiB ECAM config page, or 0
 * @msix_table:		offset of the MSI-X table in the BAR, and bytes
 * @msix_table_size:
 * @msix_pba:		offset of the MSI-X pending bits in the BAR, and bytes
 * @msix_pba_size:
 * @tsc_khz:		TSC frequency, for the trace's nanoseconds
 * @io_port:		first port of its I/O BAR, and ports (0: none)
 * @io_size:
 *
 * An NVMe controller's namespaces are described at every takeover, in
 * struct rtvirt_vmm_nvme_layout.
 */

struct rtvirt_vmm_dev_info {
	unsigned int model;
	unsigned int bdf;
	unsigned long long bar_pa;
	unsigned long long bar_size;
	unsigned long long ecam_pa;
	unsigned int msix_table;
	unsigned int msix_table_size;
	unsigned int msix_pba;
	unsigned int msix_pba_size;
	unsigned int tsc_khz;
	unsigned int io_port;
	unsigned int io_size;
};

/* Queue identifiers below this (the admin queue's 0 included) are handled. */
#define RTVIRT_VMM_NVME_MAX_QUEUES	1024
#define RTVIRT_VMM_NVME_Q_POLLED	(1U << 0)	/* created without interrupts */
/*
 * Layout flag: the OS reads its I/O completions from the VMM's copies,
 * which the VMM fills as it reaps (and may give another status); without
 * it the OS reads the controller's completion queues directly.
 */
#define RTVIRT_VMM_NVME_MEDIATE		(1U << 0)

/**
 * struct rtvirt_vmm_nvme_queue - one queue pair as the OS's driver keeps it
 * @sq:		submission queue address (64-byte entries)
 * @cq:		completion queue address (16-byte entries)
 * @depth:	entries of both
 * @qid:	queue identifier (the SQ's and its CQ's)
 * @vector:	MSI-X vector of the CQ
 * @sq_tail:	SQ tail the driver last gave the controller
 * @cq_head:	next CQ entry the driver reads
 * @cq_phase:	the phase bit it expects there
 * @flags:	RTVIRT_VMM_NVME_Q_*
 * @next_tail:	the driver's own SQ tail: the slot its next command goes
 *		to (its entries up to here, and perhaps one being written
 *		there, are not all given to the controller yet)
 * @pad:
 */
struct rtvirt_vmm_nvme_queue {
	unsigned long long sq;
	unsigned long long cq;
	unsigned int depth;
	unsigned short qid;
	unsigned short vector;
	unsigned short sq_tail;
	unsigned short cq_head;
	unsigned char cq_phase;
	unsigned char flags;
	unsigned short next_tail;
	unsigned char pad[4];
};

#define RTVIRT_VMM_NVME_MAX_NS	64	/* namespaces of one controller */
#define RTVIRT_VMM_NVME_NS_EXT	(1U << 0)	/* metadata inline with the data */

/**
 * struct rtvirt_vmm_nvme_ns - the format of one namespace as the OS's
 * driver uses it
 * @nsid:	namespace id
 * @ms:		metadata bytes per logical block, 0 for none
 * @pi_size:	bytes of protection information in the metadata, 0 for none
 * @lba_shift:	log2 of the data bytes of a logical block (9 to 16)
 * @flags:	RTVIRT_VMM_NVME_NS_*
 * @pad:
 */
struct rtvirt_vmm_nvme_ns {
	unsigned int nsid;
	unsigned short ms;
	unsigned short pi_size;
	unsigned char lba_shift;
	unsigned char flags;
	unsigned char pad[6];
};

/**
 * struct rtvirt_vmm_nvme_layout - RTVIRT_HC_DEV_COMMENCE for an NVMe
 * controller: its queues as the OS's driver holds them, read by the module
 * from the driver's own state with every other CPU stopped.  The VMM
 * copies it and checks every value against the controller before use.
 * @dbs:	shadow doorbell buffer (Doorbell Buffer Config), or 0
 * @eis:	event index buffer, or 0
 * @db_stride:	bytes between doorbell registers, as the driver uses them
 * @nr_queues:	entries in @q: the admin queue first, then every I/O queue
 * @nr_ns:	entries in @ns: every namespace the driver has a disk for
 * @flags:	RTVIRT_VMM_NVME_MEDIATE or 0
 * @refusal:	set by the VMM when it refuses the takeover: why, in words
 *		(NUL-terminated), for the module's dmesg line
 * @ns:		the namespaces' formats; an I/O command with a data
 *		transfer for any other namespace is refused
 * @q:		the queues
 */
struct rtvirt_vmm_nvme_layout {
	unsigned long long dbs;
	unsigned long long eis;
	unsigned int db_stride;
	unsigned int nr_queues;
	unsigned int nr_ns;
	unsigned int flags;
	char refusal[96];
	struct rtvirt_vmm_nvme_ns ns[RTVIRT_VMM_NVME_MAX_NS];
	struct rtvirt_vmm_nvme_queue q[];
};

/**
 * struct rtvirt_vmm_e1000e_state - RTVIRT_HC_DEV_COMMENCE for an e1000e
 * NIC.  The VMM takes the descriptor rings from the controller's own
 * registers (read with every other CPU held), so the module hands over
 * nothing but room for the answer.
 * @refusal:	set by the VMM when it refuses the takeover: why, in words
 *		(NUL-terminated), for the module's dmesg line
 */
struct rtvirt_vmm_e1000e_state {
	char refusal[96];
};

#define RTVIRT_VMM_TRAP_KINDS	8
#define RTVIRT_VMM_TRACE_RING	1024
#define RTVIRT_VMM_TRACE_INJECTED	(1U << 0)	/* as RTVIRT_TRACE_* */
#define RTVIRT_VMM_TRACE_REFUSED	(1U << 1)
#define RTVIRT_VMM_TRACE_ADMIN		(1U << 2)

/**
 * struct rtvirt_vmm_dev_stats - RTVIRT_HC_DEV_STATS; fields as in the
 * UAPI's struct rtvirt_device_stats, @state is a RTVIRT_DEV_* value
 */
struct rtvirt_vmm_dev_stats {
	unsigned int state;
	unsigned int pad;
	unsigned long long traps[RTVIRT_VMM_TRAP_KINDS];
	unsigned long long ios;
	unsigned long long virtualizations;
	unsigned long long devirtualizations;
	unsigned long long replayed;
	unsigned long long last_stall_ns;
	unsigned long long max_stall_ns;
	unsigned long long dma_refused;
	unsigned long long injected;
	unsigned long long handback_retries;
	unsigned long long tx_frames;
	unsigned long long rx_frames;
	unsigned long long tx_bytes;
	unsigned long long rx_bytes;
};

/** struct rtvirt_vmm_trace_entry - laid out as the UAPI's struct rtvirt_trace_entry */
struct rtvirt_vmm_trace_entry {
	unsigned long long seq;
	unsigned long long submit_ns;
	unsigned long long latency_ns;
	unsigned long long lba;
	unsigned int bytes;
	unsigned short queue;
	unsigned short cid;
	unsigned short status;
	unsigned char opcode;
	unsigned char flags;
	unsigned int pad;
};

/**
 * struct rtvirt_vmm_trace - RTVIRT_HC_DEV_TRACE buffer header
 * @count:	out: entries that follow, oldest first
 * @dropped:	out: entries traced but overwritten since
 * @entries:	out
 */
struct rtvirt_vmm_trace {
	unsigned int count;
	unsigned int pad;
	unsigned long long dropped;
	struct rtvirt_vmm_trace_entry entries[];
};

/* Frame capture (RTVIRT_HC_DEV_CAPTURE): record directions. */
#define RTVIRT_VMM_CAPTURE_TX		1	/* given to the NIC */
#define RTVIRT_VMM_CAPTURE_RX		2	/* received by the NIC */
#define RTVIRT_VMM_CAPTURE_MIN		(64U << 10)	/* ring bytes, header included */
#define RTVIRT_VMM_CAPTURE_MAX		(4U << 20)
#define RTVIRT_VMM_CAPTURE_SNAPLEN	65535U	/* the most kept of a frame */

/**
 * struct rtvirt_vmm_capture_ring - the frames of a captured NIC, in the
 * OS's memory: the VMM writes records, the module reads them
 * @head:	VMM: bytes of records written, counted from 0; a record is
 *		whole before @head passes it
 * @tail:	module: bytes of records read; the VMM writes no record
 *		that would pass @tail + the data bytes
 * @frames:	VMM: frames written
 * @dropped:	VMM: frames not written for want of room
 * @snaplen:	module: bytes kept of each frame (the VMM reads it once,
 *		when the ring is given, and keeps 64 to
 *		RTVIRT_VMM_CAPTURE_SNAPLEN)
 * @pad:
 * @data:	records from here to the end of the ring, each a struct
 *		rtvirt_vmm_capture_rec, its bytes and zeros to a multiple
 *		of 8, at @head modulo the data bytes (a record may wrap)
 */
struct rtvirt_vmm_capture_ring {
	unsigned long long head;
	unsigned long long tail;
	unsigned long long frames;
	unsigned long long dropped;
	unsigned int snaplen;
	unsigned int pad[7];
	unsigned char data[];
};

/**
 * struct rtvirt_vmm_capture_rec - one captured frame
 * @tsc:	TSC when the VMM saw it (the tail write or the write-back)
 * @len:	the frame's length in bytes
 * @caplen:	bytes of it that follow (at most the snap length)
 * @dir:	RTVIRT_VMM_CAPTURE_*
 * @pad:
 */
struct rtvirt_vmm_capture_rec {
	unsigned long long tsc;
	unsigned int len;
	unsigned short caplen;
	unsigned char dir;
	unsigned char pad;
};

#define RTVIRT_VMM_INJECT_READS		(1U << 0)
#define RTVIRT_VMM_INJECT_WRITES	(1U << 1)
#define RTVIRT_VMM_INJECT_TX		(1U << 2)
#define RTVIRT_VMM_INJECT_RX		(1U << 3)
#define RTVIRT_VMM_INJECT_DROP		1
#define RTVIRT_VMM_INJECT_CORRUPT	2
#define RTVIRT_VMM_INJECT_DELAY		3
#define RTVIRT_VMM_INJECT_ALWAYS	1000000U	/* probability: every frame */
#define RTVIRT_VMM_MAX_DELAY_US		10000000U
#define RTVIRT_VMM_MAX_FRAME_DELAY_US	500000U

/** struct rtvirt_vmm_inject - RTVIRT_HC_DEV_INJECT; fields as in struct rtvirt_inject */
struct rtvirt_vmm_inject {
	unsigned int match;
	unsigned int count;
	unsigned short status;
	unsigned short pad;
	unsigned int delay_us;
	unsigned int action;
	unsigned int probability;
};

/**
 * struct rtvirt_vmm_boot - what the module tells the VMM at init
 * @virt_base:		kernel virtual address the image is mapped and
 *			relocated at (the VMM maps itself there too)
 * @size:		bytes of the VMM's memory block
 * @nr_chunks:		number of 2 MiB physically contiguous chunks
 * @chunk_pa:		physical address of each chunk, in virtual order
 * @phys_bits:		physical address width of the CPU
 * @la57:		the kernel runs with 5-level paging
 * @nr_cpus:		CPUs the VMM may run on (indices 0..nr_cpus-1)
 * @generation:		launch generation, counted by the module
 * @panic_note_pa:	physical address of the module's struct
 *			rtvirt_vmm_panic_note, or 0
 */
struct rtvirt_vmm_boot {
	unsigned long long virt_base;
	unsigned long long size;
	unsigned int nr_chunks;
	unsigned int phys_bits;
	unsigned int la57;
	unsigned int nr_cpus;
	unsigned long long generation;
	unsigned long long panic_note_pa;
	unsigned long long chunk_pa[RTVIRT_VMM_MAX_CHUNKS];
};

/**
 * struct rtvirt_vmm_panic_note - how a VMM panic reaches the kernel
 * @cpu:	0, or the CPU whose VMM panicked first, plus one
 * @msg:	its reason, NUL-terminated
 *
 * The VMM writes it, then sends an NMI to every other CPU; the module's
 * NMI handler panics the kernel with the reason (and so runs kdump).
 */
struct rtvirt_vmm_panic_note {
	unsigned int cpu;
	unsigned int pad;
	char msg[248];
};

/* @flags of launch_cpu */
#define RTVIRT_LAUNCH_FAIL_VMRUN	(1U << 0)	/* test: the first VMRUN fails */

/**
 * struct rtvirt_vmm_entry - functions of the image, at fixed offsets
 * @init:	builds the VMM's page tables, nested page tables and
 *		per-CPU structures; runs once in the kernel's context.
 *		Returns 0 or a negative errno.
 * @launch_cpu:	demotes the calling CPU: captures its state, resumes it as
 *		a guest at @guest_rip with @guest_rsp and RAX 0.  Returns a
 *		negative errno when it cannot start; when the first VMRUN
 *		fails, the CPU resumes natively at @guest_rip with the
 *		negative errno in RAX.  @flags: RTVIRT_LAUNCH_*.
 */
struct rtvirt_vmm_entry {
	int (*init)(struct rtvirt_vmm_boot *boot);
	int (*launch_cpu)(unsigned int cpu, unsigned long long guest_rsp,
			  unsigned long long guest_rip, unsigned int flags);
};

#endif /* __ASSEMBLY__ */
#endif /* _RTVIRT_VMM_ABI_H */
