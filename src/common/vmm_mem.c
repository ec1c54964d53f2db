// SPDX-License-Identifier: GPL-2.0
/*
 * How much memory the VMM needs on a machine: built into the module, which
 * sizes the block from it, and into the unit tests.
 */
#include <rtvirt/common.h>
#include <rtvirt/vmm_abi.h>

#define PAGE_4K		4096ULL
#define SPAN_PDPT	(1ULL << 39)	/* one 1 GiB-leaf table: 512 GiB */
#define SPAN_PML4	(1ULL << 48)

static u64 div_up(u64 a, u64 b)
{
	return a / b + (a % b != 0);
}

/* Table pages of an identity map of [0, span) with 1 GiB leaves. */
static u64 identity_tables(u64 span, bool la57)
{
	return div_up(span, SPAN_PDPT) + div_up(span, SPAN_PML4) + (la57 ? 1 : 0);
}

/**
 * rtvirt_vmm_mem_needed() - bytes of memory the VMM needs
 * @image_bytes:	the image and its .bss
 * @phys_bits:		physical address width of the CPU (32-52)
 * @la57:		the kernel runs with 5-level paging
 * @nr_cpus:		possible CPUs
 *
 * Adds up what vmm_init() and the device models allocate from the block:
 * the image; the VMM's own identity map (lower canonical half) and the
 * nested tables (all of the physical address space the tables can
 * translate), each with 1 GiB leaves, plus the tables that split 1 GiB
 * pages around every 2 MiB chunk of the block and the 4 KiB tables that
 * contained accesses map into it; RTVIRT_VMM_CPU_PAGES for each possible
 * CPU; the SVM permission maps; RTVIRT_VMM_DEV_RESERVE for the devices,
 * RTVIRT_VMM_DEV_CPU_PAGES per possible CPU for their queues and
 * RTVIRT_VMM_IO_TABLE_PAGES for the window onto their registers.
 *
 * Return: the size in bytes, a multiple of RTVIRT_VMM_CHUNK_SIZE.
 */
u64 rtvirt_vmm_mem_needed(u64 image_bytes, unsigned int phys_bits, bool la57,
			  unsigned int nr_cpus)
{
	u64 phys = 1ULL << phys_bits;
	u64 npt_span = la57 ? phys : (phys < SPAN_PML4 ? phys : SPAN_PML4);
	u64 host_span = la57 ? (1ULL << 56) : (1ULL << 47);
	u64 pages, chunks = 0, prev;

	if (host_span > phys)
		host_span = phys;
	pages = div_up(image_bytes, PAGE_4K) +
		identity_tables(host_span, la57) +
		identity_tables(npt_span, la57) +
		(u64)nr_cpus * (RTVIRT_VMM_CPU_PAGES + RTVIRT_VMM_DEV_CPU_PAGES) +
		div_up(nr_cpus * 8ULL, PAGE_4K) +
		RTVIRT_VMM_GLOBAL_PAGES + RTVIRT_VMM_DEV_RESERVE / PAGE_4K +
		RTVIRT_VMM_IO_TABLE_PAGES;
	/*
	 * Per chunk: a 2 MiB-leaf table where the VMM maps it (and the
	 * upper-half path to it), one where the nested tables leave it out,
	 * one 4 KiB-leaf table for contained accesses, and what the allocator
	 * leaves unused at its end (an allocation never spans two chunks; the
	 * largest are the devices' traces and logs, below 16 pages).  The
	 * block's size depends on its own tables: settle it in a few rounds.
	 */
	do {
		prev = chunks;
		chunks = div_up((pages + (3 + 16) * prev + 3) * PAGE_4K,
				RTVIRT_VMM_CHUNK_SIZE);
	} while (chunks != prev);
	return chunks * RTVIRT_VMM_CHUNK_SIZE;
}
