// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page table builder, shared by the SVM (NPT) and VMX (EPT)
 * backends; only the entry encoding differs (struct pt_format).
 *
 * Mappings use the largest leaf whose span the range covers and whose
 * guest and host addresses are aligned to it.  Changing part of a large
 * leaf first splits it into a table of 512 next-smaller leaves with the
 * same rights, so the rest of its span keeps its mapping.  Tables are never
 * freed: the builder runs at launch and on rare changes, and all tables go
 * with the VMM's memory at unlaunch.
 */
#include <vmm/paging.h>

#define ERR_NOMEM	(-12)
#define ERR_INVAL	(-22)

/* --- AMD NPT: long-mode page table format, every level user-accessible -- */

#define X86_P		(1ULL << 0)
#define X86_RW		(1ULL << 1)
#define X86_US		(1ULL << 2)
#define X86_PWT		(1ULL << 3)
#define X86_PCD		(1ULL << 4)
#define X86_A		(1ULL << 5)
#define X86_D		(1ULL << 6)
#define X86_PS		(1ULL << 7)
#define X86_NX		(1ULL << 63)
#define X86_ADDR	0x000ffffffffff000ULL

/*
 * Accessed and dirty are set from the start, on tables and leaves: a CPU
 * then never writes an entry back while it walks.  A walker that sets them
 * with a plain read-modify-write (QEMU's TCG does) could otherwise undo an
 * entry the VMM changes at that moment on another CPU - a trap just
 * installed, or a split table pointer turned back into half of the old
 * large leaf.
 */
static u64 npt_table(u64 pa)
{
	/* Guest accesses are walked as user accesses: US on every level. */
	return (pa & X86_ADDR) | X86_P | X86_RW | X86_US | X86_A;
}

static u64 npt_leaf(int level, u64 pa, unsigned int prot)
{
	u64 e;

	if (!(prot & PT_READ))
		return 0;
	e = (pa & X86_ADDR) | X86_P | X86_US | X86_A | X86_D;
	if (level > 1)
		e |= X86_PS;
	if (prot & PT_WRITE)
		e |= X86_RW;
	if (!(prot & PT_EXEC))
		e |= X86_NX;
	if (prot & PT_UNCACHED)
		e |= X86_PCD | X86_PWT;
	return e;
}

static bool npt_present(u64 e)
{
	return e & X86_P;
}

static bool npt_is_leaf(int level, u64 e)
{
	return level == 1 || (e & X86_PS);
}

static u64 npt_addr(int level, u64 e)
{
	/* Large leaves keep their PAT bit at bit 12: mask it out. */
	if (level > 1 && (e & X86_PS))
		return e & X86_ADDR & ~(PT_LEVEL_SIZE(level) - 1);
	return e & X86_ADDR;
}

static unsigned int npt_prot(u64 e)
{
	unsigned int prot = PT_READ;

	if (e & X86_RW)
		prot |= PT_WRITE;
	if (!(e & X86_NX))
		prot |= PT_EXEC;
	if (e & X86_PCD)
		prot |= PT_UNCACHED;
	return prot;
}

const struct pt_format pt_format_npt = {
	.name = "npt",
	.table = npt_table,
	.leaf = npt_leaf,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.prot = npt_prot,
};

/* --- the VMM's own page tables: long-mode format, supervisor only -------- */

static u64 host_table(u64 pa)
{
	return (pa & X86_ADDR) | X86_P | X86_RW | X86_A;
}

static u64 host_leaf(int level, u64 pa, unsigned int prot)
{
	/* Same bits as an NPT leaf, but never user-accessible (SMEP/SMAP). */
	return npt_leaf(level, pa, prot) & ~X86_US;
}

const struct pt_format pt_format_host = {
	.name = "host",
	.table = host_table,
	.leaf = host_leaf,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.prot = npt_prot,
};

/* --- Intel EPT ------------------------------------------------------------ */

#define EPT_R		(1ULL << 0)
#define EPT_W		(1ULL << 1)
#define EPT_X		(1ULL << 2)
#define EPT_MT_SHIFT	3
#define EPT_MT_UC	0ULL
#define EPT_MT_WB	6ULL
#define EPT_MT_MASK	(7ULL << EPT_MT_SHIFT)
#define EPT_LARGE	(1ULL << 7)
#define EPT_ADDR	0x000ffffffffff000ULL

static u64 ept_table(u64 pa)
{
	return (pa & EPT_ADDR) | EPT_R | EPT_W | EPT_X;
}

static u64 ept_leaf(int level, u64 pa, unsigned int prot)
{
	u64 e;

	/* Write-only is reserved in EPT; mappings are at least readable. */
	if (!(prot & PT_READ))
		return 0;
	e = (pa & EPT_ADDR) | EPT_R;
	if (prot & PT_WRITE)
		e |= EPT_W;
	if (prot & PT_EXEC)
		e |= EPT_X;
	/* The guest's PAT still applies (IPAT clear): WB here defers to it. */
	e |= (prot & PT_UNCACHED ? EPT_MT_UC : EPT_MT_WB) << EPT_MT_SHIFT;
	if (level > 1)
		e |= EPT_LARGE;
	return e;
}

static bool ept_present(u64 e)
{
	return e & (EPT_R | EPT_W | EPT_X);
}

static bool ept_is_leaf(int level, u64 e)
{
	return level == 1 || (e & EPT_LARGE);
}

static u64 ept_addr(int level, u64 e)
{
	if (level > 1 && (e & EPT_LARGE))
		return e & EPT_ADDR & ~(PT_LEVEL_SIZE(level) - 1);
	return e & EPT_ADDR;
}

static unsigned int ept_prot(u64 e)
{
	unsigned int prot = 0;

	if (e & EPT_R)
		prot |= PT_READ;
	if (e & EPT_W)
		prot |= PT_WRITE;
	if (e & EPT_X)
		prot |= PT_EXEC;
	if (((e & EPT_MT_MASK) >> EPT_MT_SHIFT) == EPT_MT_UC)
		prot |= PT_UNCACHED;
	return prot;
}

const struct pt_format pt_format_ept = {
	.name = "ept",
	.table = ept_table,
	.leaf = ept_leaf,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.addr = ept_addr,
	.prot = ept_prot,
};

/* --- the builder -------------------------------------------------------------- */

static u64 *new_table(struct pt *pt, u64 *pa)
{
	u64 *t = pt->alloc_table(pt->ctx, pa);

	if (t)
		pt->nr_tables++;
	return t;
}

/* Replace the large leaf *entry at @level by a table of smaller leaves. */
static int split_leaf(struct pt *pt, int level, u64 *entry)
{
	u64 base = pt->fmt->addr(level, *entry);
	unsigned int prot = pt->fmt->prot(*entry);
	u64 child_size = PT_LEVEL_SIZE(level - 1);
	u64 pa, *t;
	int i;

	t = new_table(pt, &pa);
	if (!t)
		return ERR_NOMEM;
	for (i = 0; i < PT_ENTRIES; i++)
		t[i] = pt->fmt->leaf(level - 1, base + i * child_size, prot);
	*entry = pt->fmt->table(pa);
	return 0;
}

/*
 * Fill a table that was just allocated (all entries not present) with
 * leaves for [gpa, end), as far as whole aligned entries go; the leaves of
 * one level and rights differ only in their address bits.  The identity
 * maps of a wide physical address space are millions of such entries.
 * Return: the bytes mapped (0 when the range does not start that way).
 */
static u64 fill_fresh(struct pt *pt, u64 *table, int level, u64 gpa, u64 end,
		      u64 hpa, unsigned int prot)
{
	u64 span = PT_LEVEL_SIZE(level);
	unsigned int i = (gpa >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
	u64 e, done = 0;

	if (!prot || level > pt->max_leaf_level || (gpa & (span - 1)) ||
	    (hpa & (span - 1)))
		return 0;
	e = pt->fmt->leaf(level, hpa, prot);
	for (; i < PT_ENTRIES && end - gpa - done >= span; i++, done += span)
		table[i] = e + done;
	return done;
}

static int set_range(struct pt *pt, u64 *table, int level, u64 gpa, u64 end,
		     u64 hpa, unsigned int prot, bool fresh)
{
	u64 span = PT_LEVEL_SIZE(level);

	if (fresh) {
		u64 done = fill_fresh(pt, table, level, gpa, end, hpa, prot);

		gpa += done;
		hpa += done;
	}
	while (gpa < end) {
		u64 *entry = &table[(gpa >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1)];
		u64 entry_end = (gpa & ~(span - 1)) + span;
		u64 stop = end < entry_end ? end : entry_end;
		bool whole = !(gpa & (span - 1)) && stop == entry_end;
		int ret;

		if (whole && level <= pt->max_leaf_level &&
		    !(hpa & (span - 1)) &&
		    (!pt->fmt->present(*entry) ||
		     pt->fmt->is_leaf(level, *entry))) {
			*entry = pt->fmt->leaf(level, hpa, prot);
		} else if (level == 1) {
			*entry = pt->fmt->leaf(1, hpa, prot);
		} else {
			bool new = false;
			u64 pa;

			if (!pt->fmt->present(*entry)) {
				if (!prot)	/* unmapping what is not mapped */
					goto next;
				if (!new_table(pt, &pa))
					return ERR_NOMEM;
				*entry = pt->fmt->table(pa);
				new = true;
			} else if (pt->fmt->is_leaf(level, *entry)) {
				ret = split_leaf(pt, level, entry);
				if (ret)
					return ret;
			}
			ret = set_range(pt, pt->table_va(pt->ctx,
					pt->fmt->addr(level, *entry)),
					level - 1, gpa, stop, hpa, prot, new);
			if (ret)
				return ret;
		}
next:
		hpa += stop - gpa;
		gpa = stop;
	}
	return 0;
}

static bool range_ok(struct pt *pt, u64 gpa, u64 size)
{
	u64 limit = PT_LEVEL_SIZE(pt->levels + 1);

	return !(gpa & (PT_PAGE_SIZE - 1)) && !(size & (PT_PAGE_SIZE - 1)) &&
	       size && gpa < limit && size <= limit - gpa;
}

/**
 * pt_init() - allocate the root table
 * @pt:	hierarchy with @fmt, @levels, @max_leaf_level and the callbacks set
 *
 * Return: 0, -EINVAL for an unsupported geometry, -ENOMEM.
 */
int pt_init(struct pt *pt)
{
	if ((pt->levels != 4 && pt->levels != 5) || pt->max_leaf_level < 1 ||
	    pt->max_leaf_level > 3)
		return ERR_INVAL;
	pt->nr_tables = 0;
	return new_table(pt, &pt->root) ? 0 : ERR_NOMEM;
}

/**
 * pt_map() - map a guest-physical range
 * @pt:		the hierarchy
 * @gpa:	first guest-physical address (4 KiB aligned)
 * @hpa:	host-physical address it maps to (4 KiB aligned)
 * @size:	bytes (multiple of 4 KiB, non-zero, within the address width)
 * @prot:	PT_* rights and type; must include PT_READ
 *
 * Return: 0, -EINVAL for a bad range or rights, -ENOMEM when a table could
 * not be allocated (the part of the range before the failure is mapped).
 */
int pt_map(struct pt *pt, u64 gpa, u64 hpa, u64 size, unsigned int prot)
{
	if (!range_ok(pt, gpa, size) || (hpa & (PT_PAGE_SIZE - 1)) ||
	    !(prot & PT_READ) || (prot & ~(PT_RWX | PT_UNCACHED)))
		return ERR_INVAL;
	return set_range(pt, pt->table_va(pt->ctx, pt->root), pt->levels,
			 gpa, gpa + size, hpa, prot, false);
}

/**
 * pt_unmap() - make a guest-physical range not present
 * @pt:		the hierarchy
 * @gpa:	first guest-physical address (4 KiB aligned)
 * @size:	bytes (multiple of 4 KiB, non-zero)
 *
 * Return: 0, -EINVAL for a bad range, -ENOMEM when a large page could not
 * be split.
 */
int pt_unmap(struct pt *pt, u64 gpa, u64 size)
{
	if (!range_ok(pt, gpa, size))
		return ERR_INVAL;
	return set_range(pt, pt->table_va(pt->ctx, pt->root), pt->levels,
			 gpa, gpa + size, 0, 0, false);
}

/**
 * pt_copy_path() - make the walk to one address private to a view
 * @view:	a hierarchy whose root table is a copy of a shared one's
 * @gpa:	guest-physical address
 * @own_start:	first physical address of the pages @view allocates from
 * @own_end:	end of them
 *
 * Every table on the walk from @view's root to @gpa that lies outside
 * [@own_start, @own_end), and so belongs to the shared hierarchy, is
 * replaced in @view by a copy from @view->alloc_table.  pt_map() and
 * pt_unmap() on @view for that address then change only @view's tables.
 * The caller keeps the shared tables from changing meanwhile.
 *
 * Return: 0, -EINVAL for an address beyond the width, -ENOMEM.
 */
int pt_copy_path(struct pt *view, u64 gpa, u64 own_start, u64 own_end)
{
	u64 *table = view->table_va(view->ctx, view->root);
	int l;

	if (gpa >= PT_LEVEL_SIZE(view->levels + 1))
		return ERR_INVAL;
	for (l = view->levels; l > 1; l--) {
		u64 *e = &table[(gpa >> PT_LEVEL_SHIFT(l)) & (PT_ENTRIES - 1)];
		u64 pa, copy_pa, *copy;

		if (!view->fmt->present(*e) || view->fmt->is_leaf(l, *e))
			return 0;	/* pt_map() allocates or splits */
		pa = view->fmt->addr(l, *e);
		table = view->table_va(view->ctx, pa);
		if (pa >= own_start && pa < own_end)
			continue;
		copy = new_table(view, &copy_pa);
		if (!copy)
			return ERR_NOMEM;
		for (int i = 0; i < PT_ENTRIES; i++)
			copy[i] = table[i];
		*e = view->fmt->table(copy_pa);
		table = copy;
	}
	return 0;
}

/**
 * pt_lookup() - translate one guest-physical address
 * @pt:		the hierarchy
 * @gpa:	guest-physical address
 * @hpa:	set to the host-physical address when mapped (may be NULL)
 * @level:	set to the level of the leaf when mapped (may be NULL)
 *
 * Return: the PT_* rights of the mapping, 0 when not mapped.
 */
unsigned int pt_lookup(struct pt *pt, u64 gpa, u64 *hpa, int *level)
{
	u64 *table = pt->table_va(pt->ctx, pt->root);
	int l;

	if (gpa >= PT_LEVEL_SIZE(pt->levels + 1))
		return 0;
	for (l = pt->levels; l >= 1; l--) {
		u64 e = table[(gpa >> PT_LEVEL_SHIFT(l)) & (PT_ENTRIES - 1)];

		if (!pt->fmt->present(e))
			return 0;
		if (pt->fmt->is_leaf(l, e)) {
			if (hpa)
				*hpa = pt->fmt->addr(l, e) +
				       (gpa & (PT_LEVEL_SIZE(l) - 1));
			if (level)
				*level = l;
			return pt->fmt->prot(e);
		}
		table = pt->table_va(pt->ctx, pt->fmt->addr(l, e));
	}
	return 0;
}
