/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface between rtvirt.ko and the VMM image: the boot information the
 * module hands over, the functions it calls in the image, and the
 * hypercall ABI the demoted kernel uses.
 */
#ifndef _RTVIRT_VMM_ABI_H
#define _RTVIRT_VMM_ABI_H

#define RTVIRT_VMM_MAX_CPUS	64
#define RTVIRT_VMM_MAX_CHUNKS	64
#define RTVIRT_VMM_CHUNK_SIZE	(2UL << 20)	/* 2 MiB, physically contiguous */

/* Hypercalls: VMMCALL with the number in RAX, arguments in RBX, RCX, RDX. */
#define RTVIRT_HC_PING		1	/* RAX: RTVIRT_HC_PING_MAGIC, RBX: cpu, RCX: generation, RDX: VMM version */
#define RTVIRT_HC_UNLAUNCH	2	/* return this CPU to native execution */
#define RTVIRT_HC_STATS		3	/* RBX: physical address of a struct rtvirt_vmm_cpu_stats to fill */

#define RTVIRT_HC_PING_MAGIC	0x52545649ULL	/* "RTVI" */
#define RTVIRT_HC_ENOSYS	((unsigned long long)-38)
#define RTVIRT_HC_EINVAL	((unsigned long long)-22)

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
 */
struct rtvirt_vmm_boot {
	unsigned long long virt_base;
	unsigned long long size;
	unsigned int nr_chunks;
	unsigned int phys_bits;
	unsigned int la57;
	unsigned int nr_cpus;
	unsigned long long generation;
	unsigned long long chunk_pa[RTVIRT_VMM_MAX_CHUNKS];
};

/**
 * struct rtvirt_vmm_entry - functions of the image, at fixed offsets
 * @init:	builds the VMM's page tables, nested page tables and
 *		per-CPU structures; runs once in the kernel's context.
 *		Returns 0 or a negative errno.
 * @launch_cpu:	demotes the calling CPU: captures its state, resumes it as
 *		a guest at @guest_rip with @guest_rsp.  Returns only on
 *		failure, with a negative errno.
 */
struct rtvirt_vmm_entry {
	int (*init)(struct rtvirt_vmm_boot *boot);
	int (*launch_cpu)(unsigned int cpu, unsigned long long guest_rsp,
			  unsigned long long guest_rip);
};

#endif /* __ASSEMBLY__ */
#endif /* _RTVIRT_VMM_ABI_H */
