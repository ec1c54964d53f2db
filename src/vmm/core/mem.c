// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's memory, a leaf service for the rest of it: the global state
 * (struct vmm and the backend in use), the allocator over the VMM's block,
 * translations between the block's addresses, and which physical ranges
 * the VMM owns or reaches.
 */
#include <vmm/log.h>
#include <vmm/vmm.h>

struct vmm vmm;
/* Set by vmm_init() before anything else runs. */
const struct vmm_arch_ops *vmm_arch;

/**
 * vmm_va_to_pa() - physical address of a byte of the VMM's block
 * @va:	address inside the block
 *
 * Return: its physical address.
 */
u64 vmm_va_to_pa(const void *va)
{
	u64 off = (u64)va - vmm.boot.virt_base;

	return vmm.boot.chunk_pa[off / RTVIRT_VMM_CHUNK_SIZE] +
	       off % RTVIRT_VMM_CHUNK_SIZE;
}

/**
 * vmm_reaches() - whether the VMM can access a physical range
 * @pa:		first byte
 * @len:	bytes (at least 1)
 *
 * The VMM reaches physical memory through its identity map, which covers
 * 2^phys_bits bytes, or the lower canonical half of its address space when
 * that is smaller (47 bits with 4-level paging).
 *
 * Return: true if [@pa, @pa + @len) is inside the identity map.
 */
bool vmm_reaches(u64 pa, u64 len)
{
	return len && pa + len - 1 >= pa && pa + len - 1 < vmm.phys_end;
}

/**
 * vmm_owns_pa() - whether a physical address lies in the VMM's block
 * @pa:	physical address
 *
 * Return: true if the guest must not access @pa.
 */
bool vmm_owns_pa(u64 pa)
{
	for (unsigned int i = 0; i < vmm.boot.nr_chunks; i++)
		if (pa - vmm.boot.chunk_pa[i] < RTVIRT_VMM_CHUNK_SIZE)
			return true;
	return false;
}

/**
 * vmm_owns_range() - whether a physical range holds any of the VMM's block
 * @pa:		first byte
 * @len:	bytes
 *
 * Return: true if a byte of [@pa, @pa + @len) lies in the block; also for
 * an empty or wrapping range, which no caller may use.
 */
bool vmm_owns_range(u64 pa, u64 len)
{
	u64 last = pa + len - 1;

	if (!len || last < pa)
		return true;
	/* One comparison per chunk, whatever the length (up to 4 GiB). */
	for (unsigned int i = 0; i < vmm.boot.nr_chunks; i++) {
		u64 c = vmm.boot.chunk_pa[i];

		if (pa <= c + RTVIRT_VMM_CHUNK_SIZE - 1 && c <= last)
			return true;
	}
	return false;
}

/**
 * vmm_table_va() - the VMM's address of a page of its block
 * @ctx:	unused (the signature of struct pt's table_va)
 * @pa:		physical address in the block
 *
 * Return: its address; a panic for one outside the block.
 */
u64 *vmm_table_va(void *ctx, u64 pa)
{
	(void)ctx;
	for (unsigned int i = 0; i < vmm.boot.nr_chunks; i++)
		if (pa - vmm.boot.chunk_pa[i] < RTVIRT_VMM_CHUNK_SIZE)
			return (u64 *)(vmm.boot.virt_base +
				       i * RTVIRT_VMM_CHUNK_SIZE +
				       (pa - vmm.boot.chunk_pa[i]));
	vmm_panic("page table at %#llx outside the VMM block\n",
		  (unsigned long long)pa);
}

/**
 * vmm_alloc_pages() - zeroed, physically contiguous pages from the block
 * @n:	number of 4 KiB pages (at most one chunk)
 * @pa:	set to the physical address of the first page
 *
 * Return: the pages' virtual address, or NULL when the block is full.
 */
void *vmm_alloc_pages(unsigned int n, u64 *pa)
{
	u64 size = (u64)n * PT_PAGE_SIZE;
	u64 off;
	void *va;

	if (size > RTVIRT_VMM_CHUNK_SIZE)
		return NULL;
	/* CPUs allocate concurrently: under npt_lock, vdev_lock or neither. */
	spin_lock(&vmm.pool_lock);
	off = (vmm.pool_next + PT_PAGE_SIZE - 1) & ~(PT_PAGE_SIZE - 1);
	/* Physically contiguous only within a chunk. */
	if (off / RTVIRT_VMM_CHUNK_SIZE !=
	    (off + size - 1) / RTVIRT_VMM_CHUNK_SIZE)
		off = (off / RTVIRT_VMM_CHUNK_SIZE + 1) * RTVIRT_VMM_CHUNK_SIZE;
	if (off + size > vmm.boot.size) {
		spin_unlock(&vmm.pool_lock);
		return NULL;
	}
	vmm.pool_next = off + size;
	spin_unlock(&vmm.pool_lock);
	va = (void *)(vmm.boot.virt_base + off);
	memset(va, 0, size);
	*pa = vmm_va_to_pa(va);
	return va;
}
