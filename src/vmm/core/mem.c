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
 * vmm_io_window_base() - where the I/O window starts in the VMM's space
 *
 * At the first top-level slot of the upper half that holds none of the
 * block (the kernel keeps the first ones, from 0xffff800000000000 with
 * 4-level paging, as a guard hole for hypervisors).
 *
 * Return: its address (canonical).
 */
u64 vmm_io_window_base(void)
{
	int levels = vmm.boot.la57 ? 5 : 4;
	u64 va_mask = PT_LEVEL_SIZE(levels + 1) - 1;
	u64 slot = PT_LEVEL_SIZE(levels), base;
	bool used;

	for (base = (va_mask + 1) / 2; base < va_mask; base += slot) {
		used = false;
		for (unsigned int i = 0; i < vmm.boot.nr_chunks; i++) {
			u64 va = (vmm.boot.virt_base +
				  i * RTVIRT_VMM_CHUNK_SIZE) & va_mask;

			used |= va >= base && va - base < slot;
		}
		if (!used)
			break;
	}
	return base | ~va_mask;
}

/**
 * vmm_io_reaches() - whether the VMM can serve device registers at a range
 * @pa:		first byte
 * @len:	bytes (at least 1)
 *
 * Registers are mapped in the I/O window (vmm_io_map()), wherever they
 * are below 2^phys_bits; what counts is that the kernel reaches them
 * through the nested tables, which translate 48 bits with 4-level paging.
 *
 * Return: true if [@pa, @pa + @len) is below both ends.
 */
bool vmm_io_reaches(u64 pa, u64 len)
{
	u64 end = PT_LEVEL_SIZE(vmm.npt.levels + 1);

	if (end > 1ULL << vmm.boot.phys_bits)
		end = 1ULL << vmm.boot.phys_bits;
	return len && pa + len - 1 >= pa && pa + len - 1 < end;
}

/* The map holding [@pa, @pa + @len), or NULL. */
static const struct vmm_io_map *io_map_find(u64 pa, u64 len)
{
	unsigned int n = __atomic_load_n(&vmm.nr_io_maps, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++) {
		const struct vmm_io_map *m = &vmm.io_maps[i];

		if (pa >= m->pa && pa - m->pa < m->len && len <= m->len &&
		    pa - m->pa <= m->len - len)
			return m;
	}
	return NULL;
}

/**
 * vmm_io_map() - map device registers uncached in the VMM's I/O window
 * @pa:		first byte, page-aligned
 * @len:	bytes, a multiple of 4 KiB
 *
 * The identity map is write-back and, with 4-level paging, ends at 2^47;
 * registers are reached through the window instead, wherever they are.
 * A range is placed at an address as aligned as itself (up to 1 GiB) so
 * that a naturally aligned BAR takes large pages.  Maps last until the
 * next launch: the window's addresses are never reused, so no CPU can
 * hold a stale translation of one.  A range inside an existing map
 * reuses it.  Any CPU may call it while the others run the kernel: it
 * only fills entries that were not present, which needs no TLB flush.
 *
 * Return: 0; ERR_INVAL for a malformed or unreachable range
 * (vmm_io_reaches()); ERR_NOMEM when RTVIRT_VMM_IO_MAPS ranges are
 * mapped, the window is full or the block has no page for a table.
 */
int vmm_io_map(u64 pa, u64 len)
{
	u64 va_mask = PT_LEVEL_SIZE(vmm.host_pt.levels + 1) - 1;
	u64 align = PT_PAGE_SIZE, off;
	struct vmm_io_map *m;
	int ret = 0;

	if ((pa | len) & (PT_PAGE_SIZE - 1) || !vmm_io_reaches(pa, len))
		return ERR_INVAL;
	while (align < PT_LEVEL_SIZE(3) && align < len && !(pa & align))
		align <<= 1;
	spin_lock(&vmm.io_lock);
	if (io_map_find(pa, len))
		goto out;
	off = (vmm.io_next + align - 1) & ~(align - 1);
	if (vmm.nr_io_maps == RTVIRT_VMM_IO_MAPS || off > VMM_IO_WINDOW ||
	    len > VMM_IO_WINDOW - off) {
		ret = ERR_NOMEM;
		goto out;
	}
	/* Even on failure: a half-filled range is never filled again. */
	vmm.io_next = off + len;
	ret = pt_map(&vmm.host_pt, (vmm.io_base + off) & va_mask, pa, len,
		     PT_READ | PT_WRITE | PT_UNCACHED);
	if (ret)
		goto out;
	m = &vmm.io_maps[vmm.nr_io_maps];
	*m = (struct vmm_io_map){ .pa = pa, .len = len,
				  .va = vmm.io_base + off };
	__atomic_store_n(&vmm.nr_io_maps, vmm.nr_io_maps + 1, __ATOMIC_RELEASE);
	vmm_log("device registers %#llx-%#llx mapped at %#llx\n",
		(unsigned long long)pa, (unsigned long long)(pa + len - 1),
		(unsigned long long)m->va);
out:
	spin_unlock(&vmm.io_lock);
	return ret;
}

/**
 * vmm_io_va() - the VMM's address of device registers or of RAM
 * @pa:		physical address
 * @size:	bytes accessed there
 *
 * Return: the I/O window's address for registers vmm_io_map() mapped,
 * else the identity map's (RAM, whose callers checked vmm_reaches()).
 */
volatile void *vmm_io_va(u64 pa, unsigned int size)
{
	const struct vmm_io_map *m = io_map_find(pa, size);

	return (volatile void *)(m ? m->va + (pa - m->pa) : pa);
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
