/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builder of nested page tables (AMD NPT, Intel EPT): identity or offset
 * mappings of guest-physical ranges with the largest pages that fit, split
 * on demand when part of a large page changes.
 */
#ifndef _VMM_PAGING_H
#define _VMM_PAGING_H

#include <vmm/types.h>

#define PT_ENTRIES		512
#define PT_PAGE_SIZE		4096ULL
#define PT_LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))
#define PT_LEVEL_SIZE(l)	(1ULL << PT_LEVEL_SHIFT(l))

/* Access rights and memory type of a mapping; 0 means not mapped. */
#define PT_READ		0x1U
#define PT_WRITE	0x2U
#define PT_EXEC		0x4U
#define PT_RWX		(PT_READ | PT_WRITE | PT_EXEC)
#define PT_UNCACHED	0x8U	/* memory type UC instead of WB */

/**
 * struct pt_format - encoding of one kind of nested page table entry
 * @name:	"npt" or "ept"
 * @table:	entry pointing to a next-level table at physical address @pa
 * @leaf:	leaf entry at @level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB) mapping
 *		@pa with @prot (PT_*), or 0 (not present) when @prot has no
 *		access bit; never called with an unrepresentable @prot
 * @present:	whether @entry maps or points to anything
 * @is_leaf:	whether the present @entry at @level is a leaf
 * @addr:	physical address an entry at @level points to or maps
 * @prot:	PT_* rights and type of a leaf entry
 */
struct pt_format {
	const char *name;
	u64 (*table)(u64 pa);
	u64 (*leaf)(int level, u64 pa, unsigned int prot);
	bool (*present)(u64 entry);
	bool (*is_leaf)(int level, u64 entry);
	u64 (*addr)(int level, u64 entry);
	unsigned int (*prot)(u64 entry);
};

extern const struct pt_format pt_format_npt;
extern const struct pt_format pt_format_ept;
extern const struct pt_format pt_format_host;

/**
 * struct pt - one nested page table hierarchy
 * @fmt:		entry encoding
 * @levels:		4 or 5
 * @max_leaf_level:	largest leaf used: 1, 2 or 3 (1 GiB)
 * @root:		physical address of the top-level table
 * @alloc_table:	returns a zeroed 4 KiB page and its physical address,
 *			or NULL when out of memory
 * @table_va:		address at which the builder can access a table page
 * @ctx:		argument of the two callbacks
 * @nr_tables:		table pages allocated so far (root included)
 */
struct pt {
	const struct pt_format *fmt;
	int levels;
	int max_leaf_level;
	u64 root;
	void *(*alloc_table)(void *ctx, u64 *pa);
	u64 *(*table_va)(void *ctx, u64 pa);
	void *ctx;
	unsigned long nr_tables;
};

int pt_init(struct pt *pt);
int pt_map(struct pt *pt, u64 gpa, u64 hpa, u64 size, unsigned int prot);
int pt_unmap(struct pt *pt, u64 gpa, u64 size);
unsigned int pt_lookup(struct pt *pt, u64 gpa, u64 *hpa, int *level);
int pt_copy_path(struct pt *view, u64 gpa, u64 own_start, u64 own_end);

#endif /* _VMM_PAGING_H */
