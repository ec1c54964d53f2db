// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the nested page table builder (src/vmm/arch/x86/paging.c): entry
 * encodings of NPT and EPT, large pages and their splitting, argument
 * checks, running out of table memory, and a differential test of random
 * map/unmap sequences against a simple model, for 4- and 5-level tables.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/paging.h>

/* Table pages come from an arena at a made-up physical address. */
#define ARENA_PA	0x7000000000ULL

struct arena {
	u64 *pages;
	size_t used, limit;
};

static void *arena_alloc(void *ctx, u64 *pa)
{
	struct arena *a = ctx;
	u64 *p;

	if (a->used == a->limit)
		return NULL;
	p = a->pages + a->used * PT_ENTRIES;
	memset(p, 0, PT_PAGE_SIZE);
	*pa = ARENA_PA + a->used * PT_PAGE_SIZE;
	a->used++;
	return p;
}

static u64 *arena_va(void *ctx, u64 pa)
{
	struct arena *a = ctx;

	ck_assert(pa >= ARENA_PA && pa < ARENA_PA + a->used * PT_PAGE_SIZE);
	return a->pages + (pa - ARENA_PA) / 8;
}

static struct arena arena;

static void setup_pt(struct pt *pt, const struct pt_format *fmt, int levels,
		     int max_leaf, size_t limit)
{
	free(arena.pages);
	arena.pages = aligned_alloc(PT_PAGE_SIZE, limit * PT_PAGE_SIZE);
	ck_assert_ptr_nonnull(arena.pages);
	arena.used = 0;
	arena.limit = limit;
	memset(pt, 0, sizeof(*pt));
	pt->fmt = fmt;
	pt->levels = levels;
	pt->max_leaf_level = max_leaf;
	pt->alloc_table = arena_alloc;
	pt->table_va = arena_va;
	pt->ctx = &arena;
	ck_assert_int_eq(pt_init(pt), 0);
}

static void teardown(void)
{
	free(arena.pages);
	arena.pages = NULL;
}

static void expect(struct pt *pt, u64 gpa, unsigned int prot, u64 hpa,
		   int level)
{
	u64 got_hpa = ~0ULL;
	int got_level = -1;
	unsigned int got = pt_lookup(pt, gpa, &got_hpa, &got_level);

	/*
	 * Every passing libcheck assertion costs a write to a pipe: check
	 * first, assert only to report a mismatch.
	 */
	if (got == prot && (!prot || (got_hpa == hpa &&
				      (!level || got_level == level))))
		return;
	ck_assert_msg(got == prot, "gpa %#llx: prot %#x, want %#x",
		      (unsigned long long)gpa, got, prot);
	if (!prot)
		return;
	ck_assert_msg(got_hpa == hpa, "gpa %#llx: hpa %#llx, want %#llx",
		      (unsigned long long)gpa, (unsigned long long)got_hpa,
		      (unsigned long long)hpa);
	if (level)
		ck_assert_msg(got_level == level, "gpa %#llx: level %d, want %d",
			      (unsigned long long)gpa, got_level, level);
}

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

START_TEST(init_geometry)
{
	struct pt pt = { .fmt = &pt_format_npt, .alloc_table = arena_alloc,
			 .table_va = arena_va, .ctx = &arena };

	arena.pages = aligned_alloc(PT_PAGE_SIZE, PT_PAGE_SIZE);
	arena.used = 0;
	arena.limit = 1;
	pt.levels = 3;
	pt.max_leaf_level = 3;
	ck_assert_int_eq(pt_init(&pt), -EINVAL);
	pt.levels = 4;
	pt.max_leaf_level = 4;
	ck_assert_int_eq(pt_init(&pt), -EINVAL);
	pt.max_leaf_level = 0;
	ck_assert_int_eq(pt_init(&pt), -EINVAL);
	pt.max_leaf_level = 3;
	ck_assert_int_eq(pt_init(&pt), 0);
	ck_assert_uint_eq(pt.nr_tables, 1);
	ck_assert_uint_eq(pt.root, ARENA_PA);
	arena.used = 1;
	ck_assert_int_eq(pt_init(&pt), -ENOMEM);
	teardown();
}
END_TEST

START_TEST(identity_1g_then_hole)
{
	const struct pt_format *fmts[] = { &pt_format_npt, &pt_format_ept };

	for (int f = 0; f < 2; f++) {
		for (int levels = 4; levels <= 5; levels++) {
			struct pt pt;
			unsigned long tables;

			setup_pt(&pt, fmts[f], levels, 3, 64);
			ck_assert_int_eq(pt_map(&pt, 0, 0, 64 * GiB, PT_RWX), 0);
			/* Root, then one table per level down to 1 GiB. */
			ck_assert_uint_eq(pt.nr_tables, levels - 2);
			expect(&pt, 0, PT_RWX, 0, 3);
			expect(&pt, 5 * GiB + 0x1234, PT_RWX, 5 * GiB + 0x1234, 3);
			expect(&pt, 64 * GiB, 0, 0, 0);

			/* A 4 KiB hole splits one 1 GiB and one 2 MiB page. */
			tables = pt.nr_tables;
			ck_assert_int_eq(pt_unmap(&pt, 0x12345000, PT_PAGE_SIZE), 0);
			ck_assert_uint_eq(pt.nr_tables, tables + 2);
			expect(&pt, 0x12345000, 0, 0, 0);
			expect(&pt, 0x12345fff, 0, 0, 0);
			expect(&pt, 0x12344fff, PT_RWX, 0x12344fff, 1);
			expect(&pt, 0x12346000, PT_RWX, 0x12346000, 1);
			expect(&pt, 0x12200000, PT_RWX, 0x12200000, 1);
			expect(&pt, 0x12400000, PT_RWX, 0x12400000, 2);
			expect(&pt, 0x3fffffff, PT_RWX, 0x3fffffff, 2);
			expect(&pt, 1 * GiB, PT_RWX, 1 * GiB, 3);

			/* Mapping it again needs no new table. */
			ck_assert_int_eq(pt_map(&pt, 0x12345000, 0x12345000,
						PT_PAGE_SIZE, PT_READ), 0);
			ck_assert_uint_eq(pt.nr_tables, tables + 2);
			expect(&pt, 0x12345000, PT_READ, 0x12345000, 1);
			teardown();
		}
	}
}
END_TEST

START_TEST(max_leaf_and_alignment)
{
	struct pt pt;

	setup_pt(&pt, &pt_format_npt, 4, 2, 64);
	ck_assert_int_eq(pt_map(&pt, 0, 0, 2 * GiB, PT_RWX), 0);
	expect(&pt, GiB + 2 * MiB, PT_RWX, GiB + 2 * MiB, 2);
	/* Host address aligned to 4 KiB only: 4 KiB pages. */
	ck_assert_int_eq(pt_map(&pt, 4 * GiB, 0x100001000ULL, 4 * MiB,
				PT_READ | PT_WRITE), 0);
	expect(&pt, 4 * GiB, PT_READ | PT_WRITE, 0x100001000ULL, 1);
	expect(&pt, 4 * GiB + 4 * MiB - 1, PT_READ | PT_WRITE,
	       0x100001000ULL + 4 * MiB - 1, 1);
	/* Offset mapping with 2 MiB alignment: 2 MiB pages. */
	ck_assert_int_eq(pt_map(&pt, 8 * GiB, 0x40000000ULL + 2 * MiB, 4 * MiB,
				PT_READ | PT_UNCACHED), 0);
	expect(&pt, 8 * GiB + 3 * MiB, PT_READ | PT_UNCACHED,
	       0x40000000ULL + 5 * MiB, 2);
	teardown();
}
END_TEST

START_TEST(encodings)
{
	struct pt pt;
	u64 *root, *l3, *l2, *l1, e;

	/* EPT: R W X bits, memory type 6 (WB) or 0 (UC), bit 7 large. */
	setup_pt(&pt, &pt_format_ept, 4, 3, 16);
	ck_assert_int_eq(pt_map(&pt, 0, 0, GiB, PT_RWX), 0);
	ck_assert_int_eq(pt_map(&pt, GiB, GiB, 2 * MiB, PT_READ | PT_UNCACHED), 0);
	ck_assert_int_eq(pt_map(&pt, GiB + 2 * MiB, 0x5000, PT_PAGE_SIZE,
				PT_READ | PT_EXEC), 0);
	root = arena_va(&arena, pt.root);
	ck_assert_uint_eq(root[0] & 0xfff, 0x7);
	l3 = arena_va(&arena, root[0] & ~0xfffULL);
	ck_assert_uint_eq(l3[0], 0x0ULL | 0x7 | (6 << 3) | 0x80);
	l2 = arena_va(&arena, l3[1] & ~0xfffULL);
	ck_assert_uint_eq(l2[0], GiB | 0x1 | (0 << 3) | 0x80);
	l1 = arena_va(&arena, l2[1] & ~0xfffULL);
	ck_assert_uint_eq(l1[0], 0x5000 | 0x1 | 0x4 | (6 << 3));
	teardown();

	/*
	 * NPT: P, RW, US and Accessed on every level, Dirty on leaves (so no
	 * walker ever writes an entry back), PS for large, NX, PCD|PWT for UC.
	 */
	setup_pt(&pt, &pt_format_npt, 4, 3, 16);
	ck_assert_int_eq(pt_map(&pt, 0, 0, GiB, PT_RWX), 0);
	ck_assert_int_eq(pt_map(&pt, GiB, GiB, 2 * MiB, PT_READ | PT_UNCACHED), 0);
	ck_assert_int_eq(pt_map(&pt, GiB + 2 * MiB, 0x5000, PT_PAGE_SIZE,
				PT_READ | PT_WRITE), 0);
	root = arena_va(&arena, pt.root);
	ck_assert_uint_eq(root[0] & 0xfff, 0x27);
	l3 = arena_va(&arena, root[0] & ~0xfffULL);
	ck_assert_uint_eq(l3[0], 0x0ULL | 0x7 | 0x60 | 0x80);
	l2 = arena_va(&arena, l3[1] & ~0xfffULL);
	ck_assert_uint_eq(l3[1] & 0xfff, 0x27);
	e = l2[0];
	ck_assert_uint_eq(e, GiB | 0x1 | 0x4 | 0x8 | 0x10 | 0x60 | 0x80 |
			  (1ULL << 63));
	l1 = arena_va(&arena, l2[1] & ~0xfffULL);
	ck_assert_uint_eq(l1[0], 0x5000 | 0x7 | 0x60 | (1ULL << 63));
	teardown();
}
END_TEST

START_TEST(bad_arguments)
{
	struct pt pt;

	setup_pt(&pt, &pt_format_npt, 4, 3, 16);
	ck_assert_int_eq(pt_map(&pt, 0x800, 0, PT_PAGE_SIZE, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0x800, PT_PAGE_SIZE, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0, 0x800, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0, 0, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0, PT_PAGE_SIZE, PT_WRITE), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0, PT_PAGE_SIZE, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, 0, 0, PT_PAGE_SIZE, 0x40), -EINVAL);
	/* 4 levels cover 256 TiB: nothing may reach past that. */
	ck_assert_int_eq(pt_map(&pt, 1ULL << 48, 0, PT_PAGE_SIZE, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, (1ULL << 48) - PT_PAGE_SIZE, 0,
				2 * PT_PAGE_SIZE, PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, PT_PAGE_SIZE, 0, ~0ULL & ~0xfffULL,
				PT_RWX), -EINVAL);
	ck_assert_int_eq(pt_unmap(&pt, 0x800, PT_PAGE_SIZE), -EINVAL);
	ck_assert_uint_eq(pt.nr_tables, 1);
	/* Unmapping what was never mapped allocates nothing. */
	ck_assert_int_eq(pt_unmap(&pt, 0x3000, 8 * GiB), 0);
	ck_assert_uint_eq(pt.nr_tables, 1);
	ck_assert_uint_eq(pt_lookup(&pt, 1ULL << 48, NULL, NULL), 0);
	teardown();
}
END_TEST

START_TEST(out_of_tables)
{
	struct pt pt;

	/* Root plus two tables: a 4 KiB mapping needs three below the root. */
	setup_pt(&pt, &pt_format_npt, 4, 3, 3);
	ck_assert_int_eq(pt_map(&pt, 0, 0, PT_PAGE_SIZE, PT_RWX), -ENOMEM);
	ck_assert_uint_eq(pt_lookup(&pt, 0, NULL, NULL), 0);
	teardown();

	/* Splitting a large page fails cleanly and keeps the old mapping. */
	setup_pt(&pt, &pt_format_npt, 4, 3, 3);
	ck_assert_int_eq(pt_map(&pt, 0, 0, GiB, PT_RWX), 0);
	ck_assert_uint_eq(pt.nr_tables, 2);
	ck_assert_int_eq(pt_unmap(&pt, 0, PT_PAGE_SIZE), -ENOMEM);
	teardown();
}
END_TEST

/* --- differential test against a last-writer-wins model ------------------- */

struct op {
	u64 gpa, hpa, size;
	unsigned int prot;
};

static unsigned long long rng = 0x2545F4914F6CDD1DULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u64 rnd_aligned(u64 limit)
{
	static const u64 aligns[] = { PT_PAGE_SIZE, 2 * MiB, GiB };
	u64 a = aligns[rnd() % 3];

	return (rnd() % (limit / a)) * a;
}

static unsigned int model_lookup(const struct op *ops, int n, u64 gpa,
				 u64 *hpa)
{
	for (int i = n - 1; i >= 0; i--) {
		if (gpa >= ops[i].gpa && gpa - ops[i].gpa < ops[i].size) {
			*hpa = ops[i].hpa + (gpa - ops[i].gpa);
			return ops[i].prot;
		}
	}
	return 0;
}

START_TEST(differential_random)
{
	static const unsigned int prots[] = {
		PT_RWX, PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC,
		PT_READ | PT_WRITE | PT_UNCACHED, 0, 0,
	};
	const struct pt_format *fmts[] = { &pt_format_npt, &pt_format_ept };
	struct op ops[100];

	/* Each format, table depth and largest leaf size once. */
	for (int round = 0; round < 12; round++) {
		int max_leaf = 1 + (round / 4) % 3;
		const u64 window = max_leaf == 1 ? 2 * GiB : 16 * GiB;
		struct pt pt;
		int n = 0;

		setup_pt(&pt, fmts[round % 2], 4 + (round / 2) % 2, max_leaf,
			 9000);
		/* 4 KiB leaves only: each GiB is 262144 entries, do fewer. */
		int n_ops = max_leaf == 1 ? 25 : 100;

		while (n < n_ops) {
			struct op *o = &ops[n];

			o->gpa = rnd_aligned(window - GiB);
			o->size = rnd_aligned(window - o->gpa) + PT_PAGE_SIZE *
				  (rnd() % 3 ? 0 : 1 + rnd() % 600);
			if (!o->size)
				o->size = PT_PAGE_SIZE;
			if (o->gpa + o->size > window)
				o->size = window - o->gpa;
			o->prot = prots[rnd() % 7];
			/*
			 * Identity, offset by whole GiB (large pages stay
			 * possible), or misaligned (4 KiB pages only; kept
			 * small so that a round stays fast).
			 */
			switch (o->prot ? rnd() % 3 : 3) {
			case 0:
				o->hpa = o->gpa;
				break;
			case 1:
				o->hpa = (rnd() % 1024) * GiB + o->gpa;
				break;
			case 2:
				o->hpa = rnd_aligned(1ULL << 40) + PT_PAGE_SIZE;
				if (o->size > 64 * MiB)
					o->size = 64 * MiB;
				break;
			default:
				o->hpa = 0;
			}
			if (o->prot)
				ck_assert_int_eq(pt_map(&pt, o->gpa, o->hpa,
							o->size, o->prot), 0);
			else
				ck_assert_int_eq(pt_unmap(&pt, o->gpa, o->size), 0);
			n++;
		}
		/* Every op boundary and its neighbours, and random points. */
		for (int i = 0; i < n; i++) {
			u64 pts[] = { ops[i].gpa, ops[i].gpa + ops[i].size,
				      ops[i].gpa - 1, ops[i].gpa + ops[i].size - 1,
				      ops[i].gpa + ops[i].size / 2 };

			for (int j = 0; j < 5; j++) {
				u64 want_hpa = 0;
				unsigned int want;

				if (pts[j] >= window)
					continue;
				want = model_lookup(ops, n, pts[j], &want_hpa);
				expect(&pt, pts[j], want, want_hpa, 0);
			}
		}
		for (int i = 0; i < 20000; i++) {
			u64 gpa = rnd() % window, want_hpa = 0;
			unsigned int want = model_lookup(ops, n, gpa, &want_hpa);

			expect(&pt, gpa, want, want_hpa, 0);
		}
		teardown();
	}
}
END_TEST

/*
 * A view whose walk to one address is private: the VMM maps its scratch
 * page there for one CPU's step while the other CPUs keep the shared
 * tables, which must not change.
 */
START_TEST(private_path)
{
	const struct pt_format *fmts[] = { &pt_format_npt, &pt_format_ept };

	for (int f = 0; f < 2; f++) {
		for (int levels = 4; levels <= 5; levels++) {
			const u64 hole = 1 * GiB + 6 * MiB, gpa = hole + 0x3000;
			struct pt base, view;
			size_t shared, i;
			u64 *snap, own;

			setup_pt(&base, fmts[f], levels, 3, 64);
			ck_assert_int_eq(pt_map(&base, 0, 0, 8 * GiB, PT_RWX), 0);
			ck_assert_int_eq(pt_unmap(&base, hole, 2 * MiB), 0);
			shared = arena.used;
			snap = malloc(shared * PT_PAGE_SIZE);
			ck_assert_ptr_nonnull(snap);
			memcpy(snap, arena.pages, shared * PT_PAGE_SIZE);

			view = base;
			own = ARENA_PA + shared * PT_PAGE_SIZE;
			ck_assert_ptr_nonnull(arena_alloc(&arena, &view.root));
			memcpy(arena_va(&arena, view.root),
			       arena_va(&arena, base.root), PT_PAGE_SIZE);
			/* A hole page, then a page inside a 1 GiB leaf. */
			ck_assert_int_eq(pt_copy_path(&view, gpa, own,
						      ARENA_PA + 64 * PT_PAGE_SIZE), 0);
			ck_assert_int_eq(pt_map(&view, gpa, 0x5000, PT_PAGE_SIZE,
						PT_RWX), 0);
			ck_assert_int_eq(pt_copy_path(&view, 5 * GiB, own,
						      ARENA_PA + 64 * PT_PAGE_SIZE), 0);
			ck_assert_int_eq(pt_map(&view, 5 * GiB, 0x6000,
						PT_PAGE_SIZE, PT_RWX), 0);
			/* Again: the path is private already, nothing copied. */
			i = arena.used;
			ck_assert_int_eq(pt_copy_path(&view, gpa + 0x1000, own,
						      ARENA_PA + 64 * PT_PAGE_SIZE), 0);
			ck_assert_uint_eq(arena.used, i);

			expect(&view, gpa, PT_RWX, 0x5000, 1);
			expect(&view, gpa + 0x1000, 0, 0, 0);
			expect(&view, hole, 0, 0, 0);
			expect(&view, 5 * GiB, PT_RWX, 0x6000, 1);
			expect(&view, 5 * GiB + 0x1000, PT_RWX, 5 * GiB + 0x1000, 0);
			expect(&view, 0x1000, PT_RWX, 0x1000, 0);
			expect(&view, 3 * GiB, PT_RWX, 3 * GiB, 3);
			expect(&base, gpa, 0, 0, 0);
			expect(&base, 5 * GiB, PT_RWX, 5 * GiB, 3);
			/* Not one byte of the shared tables changed. */
			ck_assert_int_eq(memcmp(snap, arena.pages,
						shared * PT_PAGE_SIZE), 0);
			/* Out of pages for the view; beyond the width. */
			arena.limit = arena.used;
			ck_assert_int_eq(pt_copy_path(&view, 2 * GiB + 6 * MiB,
						      own, ARENA_PA + 64 * PT_PAGE_SIZE),
					 0);
			ck_assert_int_eq(pt_map(&view, 7 * GiB, 0x7000,
						PT_PAGE_SIZE, PT_RWX), -ENOMEM);
			ck_assert_int_eq(pt_copy_path(&view,
						      PT_LEVEL_SIZE(levels + 1),
						      own, own), -EINVAL);
			free(snap);
		}
	}
	teardown();
}
END_TEST

static Suite *paging_suite(void)
{
	Suite *s = suite_create("paging");
	TCase *tc = tcase_create("paging");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, init_geometry);
	tcase_add_test(tc, identity_1g_then_hole);
	tcase_add_test(tc, max_leaf_and_alignment);
	tcase_add_test(tc, encodings);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, out_of_tables);
	tcase_add_test(tc, differential_random);
	tcase_add_test(tc, private_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(paging_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
