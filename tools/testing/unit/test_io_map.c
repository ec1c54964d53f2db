// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the VMM's I/O window (src/vmm/core/mem.c): device
 * registers mapped uncached in the upper half, wherever they are below
 * the nested tables' reach, with the real page-table builder over a
 * block of test memory.
 */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/vmm.h>

#define PG		4096ULL
#define GIB		(1ULL << 30)
#define UPPER4		0xffff800000000000ULL	/* first upper-half slot, 4-level */
#define UPPER5		0xff00000000000000ULL	/* the same with 5-level paging */
#define MASK4		((1ULL << 48) - 1)

void spin_lock(int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		;
}

void spin_unlock(int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

void vmm_log(const char *fmt, ...)
{
	(void)fmt;
}

void vmm_panic(const char *fmt, ...)
{
	ck_abort_msg("vmm_panic: %s", fmt);
	abort();
}

static void *block;

static void *alloc_table(void *ctx, u64 *pa)
{
	(void)ctx;
	return vmm_alloc_pages(1, pa);
}

/* A 4-level host with 48 physical bits; the block is its own address. */
static void setup(void)
{
	memset(&vmm, 0, sizeof(vmm));
	block = aligned_alloc(RTVIRT_VMM_CHUNK_SIZE, RTVIRT_VMM_CHUNK_SIZE);
	ck_assert_ptr_nonnull(block);
	vmm.boot.nr_chunks = 1;
	vmm.boot.chunk_pa[0] = (u64)block;
	vmm.boot.virt_base = (u64)block;
	vmm.boot.size = RTVIRT_VMM_CHUNK_SIZE;
	vmm.boot.phys_bits = 48;
	vmm.phys_end = 1ULL << 47;
	vmm.npt.levels = 4;
	vmm.host_pt = (struct pt){
		.fmt = &pt_format_host, .levels = 4, .max_leaf_level = 3,
		.alloc_table = alloc_table, .table_va = vmm_table_va,
	};
	ck_assert_int_eq(pt_init(&vmm.host_pt), 0);
	vmm.io_base = vmm_io_window_base();
}

static void teardown(void)
{
	free(block);
}

/* What the VMM's tables map at @va: physical address, PT_* and level. */
static unsigned int lookup(u64 va, u64 *pa, int *level)
{
	return pt_lookup(&vmm.host_pt, va & MASK4, pa, level);
}

/*
 * The window is the guard hole's first slot, or the next one where the
 * block lies there; with 5-level paging the first slot of its upper half.
 */
START_TEST(window_base)
{
	ck_assert_uint_eq(vmm.io_base, UPPER4);
	vmm.boot.virt_base = UPPER4 + 5 * GIB;
	ck_assert_uint_eq(vmm_io_window_base(), UPPER4 + (1ULL << 39));
	vmm.boot.la57 = true;
	ck_assert_uint_eq(vmm_io_window_base(), UPPER5);
	vmm.boot.virt_base = UPPER5 + 7 * GIB;
	ck_assert_uint_eq(vmm_io_window_base(), UPPER5 + (1ULL << 48));
}
END_TEST

/*
 * Registers above the identity map (2^47) are reached uncached, never
 * executable, through the window; a range inside a map reuses it; what
 * was not mapped is the identity map's.
 */
START_TEST(maps_registers_above_identity)
{
	u64 bar = (1ULL << 47) + 0x3000000000ULL, pa;
	volatile void *va;
	unsigned int prot;
	int level;

	ck_assert_int_eq(vmm_io_map(bar, 4 * PG), 0);
	va = vmm_io_va(bar + PG + 8, 4);
	ck_assert_uint_eq((u64)va, vmm.io_base + PG + 8);
	prot = lookup((u64)va & ~(PG - 1), &pa, &level);
	ck_assert_uint_eq(pa, bar + PG);
	ck_assert_uint_eq(prot, PT_READ | PT_WRITE | PT_UNCACHED);
	ck_assert_uint_eq(lookup(vmm.io_base + 4 * PG, &pa, &level), 0);

	ck_assert_int_eq(vmm_io_map(bar, 4 * PG), 0);
	ck_assert_int_eq(vmm_io_map(bar + 2 * PG, PG), 0);
	ck_assert_uint_eq(vmm.nr_io_maps, 1);
	/* The last byte of the map, and an access that runs past it. */
	ck_assert_uint_eq((u64)vmm_io_va(bar + 4 * PG - 4, 4),
			  vmm.io_base + 4 * PG - 4);
	ck_assert_uint_eq((u64)vmm_io_va(bar + 4 * PG - 4, 8),
			  bar + 4 * PG - 4);
	ck_assert_uint_eq((u64)vmm_io_va(0x1000, 4), 0x1000);
}
END_TEST

/* A naturally aligned BAR takes large pages; a second map goes above. */
START_TEST(aligned_bar_takes_large_pages)
{
	u64 bar = 0xfe00000000ULL, pa;
	int level;

	ck_assert_int_eq(vmm_io_map(0xfebf0000ULL, PG), 0);
	/* 1 GiB leaves: the window's next GiB. */
	ck_assert_int_eq(vmm_io_map(bar, 2 * GIB), 0);
	ck_assert_uint_eq((u64)vmm_io_va(bar, 8), vmm.io_base + GIB);
	ck_assert_uint_ne(lookup(vmm.io_base + 2 * GIB + 5 * PG, &pa, &level),
			  0);
	ck_assert_uint_eq(pa, bar + GIB + 5 * PG);
	ck_assert_int_eq(level, 3);
	/* 2 MiB leaves, right above. */
	ck_assert_int_eq(vmm_io_map(bar + 2 * GIB, 4ULL << 20), 0);
	ck_assert_uint_eq((u64)vmm_io_va(bar + 2 * GIB + 0x200010, 4),
			  vmm.io_base + 3 * GIB + 0x200010);
	ck_assert_uint_ne(lookup(vmm.io_base + 3 * GIB, &pa, &level), 0);
	ck_assert_uint_eq(pa, bar + 2 * GIB);
	ck_assert_int_eq(level, 2);
}
END_TEST

/*
 * Ranges the kernel cannot reach through the nested tables, malformed
 * ones, and more than the window holds are refused; the tables of a full
 * window stay within RTVIRT_VMM_IO_TABLE_PAGES, which the module reserves.
 */
START_TEST(refuses_and_bounds)
{
	unsigned long tables = vmm.host_pt.nr_tables;
	u64 pa = 1ULL << 40;

	ck_assert_int_eq(vmm_io_map(1ULL << 48, PG), ERR_INVAL);
	ck_assert_int_eq(vmm_io_map((1ULL << 48) - PG, 2 * PG), ERR_INVAL);
	ck_assert_int_eq(vmm_io_map(pa + 8, PG), ERR_INVAL);
	ck_assert_int_eq(vmm_io_map(pa, 8), ERR_INVAL);
	ck_assert_int_eq(vmm_io_map(pa, 0), ERR_INVAL);
	ck_assert_int_eq(vmm_io_map(~0ULL - PG + 1, PG), ERR_INVAL);
	vmm.boot.phys_bits = 40;
	ck_assert_int_eq(vmm_io_map(pa, PG), ERR_INVAL);
	ck_assert(vmm_io_reaches(pa - PG, PG));
	vmm.boot.phys_bits = 52;
	vmm.npt.levels = 5;
	ck_assert(vmm_io_reaches(1ULL << 48, PG));
	ck_assert(!vmm_io_reaches(1ULL << 52, PG));
	vmm.npt.levels = 4;
	ck_assert(!vmm_io_reaches(1ULL << 48, PG));

	/* Worst case for tables: a page, then a GiB, in turn. */
	for (unsigned int i = 0; i < RTVIRT_VMM_IO_MAPS; i++)
		ck_assert_int_eq(vmm_io_map(i % 2 ? pa + i * GIB : pa + i * PG,
					    i % 2 ? GIB : PG), 0);
	ck_assert_uint_le(vmm.host_pt.nr_tables - tables,
			  RTVIRT_VMM_IO_TABLE_PAGES);
	ck_assert_int_eq(vmm_io_map(pa + 100 * GIB, PG), ERR_NOMEM);
	/* Ranges already mapped are still served. */
	ck_assert_int_eq(vmm_io_map(pa + PG * 2, PG), 0);

	memset(&vmm.io_maps, 0, sizeof(vmm.io_maps));
	vmm.nr_io_maps = 0;
	ck_assert_int_eq(vmm_io_map(pa, VMM_IO_WINDOW), ERR_NOMEM);
	ck_assert_uint_eq(vmm.nr_io_maps, 0);
}
END_TEST

/* The identity map's test, at its end and at the end of the space. */
START_TEST(identity_reach)
{
	ck_assert(vmm_reaches((1ULL << 47) - PG, PG));
	ck_assert(!vmm_reaches((1ULL << 47) - PG, PG + 1));
	ck_assert(!vmm_reaches(~0ULL - PG + 1, PG));
	ck_assert(!vmm_reaches(~0ULL, 1));
	ck_assert(!vmm_reaches(PG, 0));
	ck_assert(!vmm_reaches(PG, ~0ULL));
}
END_TEST

static Suite *io_map_suite(void)
{
	Suite *s = suite_create("io_map");
	TCase *tc = tcase_create("window");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, window_base);
	tcase_add_test(tc, maps_registers_above_identity);
	tcase_add_test(tc, aligned_bar_takes_large_pages);
	tcase_add_test(tc, refuses_and_bounds);
	tcase_add_test(tc, identity_reach);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(io_map_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
