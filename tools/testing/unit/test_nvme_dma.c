// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the NVMe data pointer checks (src/vmm/dev/nvme/nvme_dma.c): PRP
 * entries, PRP lists and their chaining, SGL descriptors and segments,
 * the copies of lists and segments the controller is given instead,
 * against a fake guest memory (a sparse map of 4 KiB pages) with
 * configurable off-limits byte ranges; and a differential test of random
 * PRP and SGL layouts against a simple model of the memory an NVMe
 * controller reaches for them (NVMe Base Specification, "Physical Region
 * Page Entry and List" and "Scatter Gather List").
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/nvme_dma.h>

#define PG		NVME_PAGE_SIZE
#define ENTRIES		(PG / 8)	/* PRP entries in a list page */
#define TOP		0xfffffffffffff000ULL	/* the last page below 2^64 */

/* SGL descriptor types (byte 15, bits 7:4) */
enum { DATA_BLOCK, BIT_BUCKET, SEGMENT, LAST_SEGMENT };

/* Where the hand-written layouts live; data pages need no contents. */
#define DATA	0x10000000ULL
#define DATA2	0x10100000ULL
#define LIST	0x20000000ULL
#define LISTB	0x20100000ULL
#define LISTC	0x20200000ULL
#define SEG	0x30000000ULL

/* --- fake guest memory --------------------------------------------------- */

#define MEM_PAGES	128
#define MEM_SLOTS	256	/* a power of two, well above MEM_PAGES */
#define MAX_DENIED	8

static struct {
	u64 pfn[MEM_PAGES];
	u8 data[MEM_PAGES][PG];
	int slot[MEM_SLOTS];	/* index + 1 into pfn and data; 0: free */
	int used;
	struct { u64 first, last; } denied[MAX_DENIED];	/* inclusive */
	int nr_denied;
	/* a synthetic PRP list region, see synth_entry() */
	u64 synth_base, synth_pages, synth_data;
	unsigned long reads;
} mem;

static void mem_reset(void)
{
	memset(mem.slot, 0, sizeof(mem.slot));
	mem.used = 0;
	mem.nr_denied = 0;
	mem.synth_pages = 0;
	mem.reads = 0;
}

static u8 *mem_page(u64 pfn, bool create)
{
	unsigned int s = ((pfn * 0x9e3779b97f4a7c15ULL) >> 32) % MEM_SLOTS;
	int i;

	while ((i = mem.slot[s])) {
		if (mem.pfn[i - 1] == pfn)
			return mem.data[i - 1];
		s = (s + 1) & (MEM_SLOTS - 1);
	}
	if (!create)
		return NULL;
	if (mem.used == MEM_PAGES)
		ck_abort_msg("fake memory full");
	i = mem.used++;
	mem.pfn[i] = pfn;
	memset(mem.data[i], 0, PG);
	mem.slot[s] = i + 1;
	return mem.data[i];
}

/*
 * A region of chained PRP list pages generated on the fly, for transfers
 * far larger than the fake memory: page j's entries are data pages, its
 * last entry points to page j + 1.
 */
static u64 synth_entry(u64 pa)
{
	u64 j = (pa - mem.synth_base) / PG, i = pa % PG / 8;

	if (i == ENTRIES - 1)
		return mem.synth_base + (j + 1) * PG;
	return mem.synth_data + (j * ENTRIES + i) * PG;
}

/*
 * Memory nothing was put in holds a fixed pseudo-random pattern, so that
 * taking a data page for a PRP list or SGL segment rarely goes unnoticed.
 */
static u8 unset_byte(u64 pa)
{
	u64 x = (pa >> 3) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x >> (pa % 8 * 8);
}

static u8 mem_byte(u64 pa)
{
	const u8 *p;

	if (mem.synth_pages && pa - mem.synth_base < mem.synth_pages * PG)
		return synth_entry(pa & ~7ULL) >> (pa % 8 * 8);
	p = mem_page(pa / PG, false);
	return p ? p[pa % PG] : unset_byte(pa);
}

static void mem_get(u64 pa, void *buf, u64 len)
{
	const u8 *p = NULL;

	if (mem.synth_pages && len == 8 && pa % 8 == 0 &&
	    pa - mem.synth_base < mem.synth_pages * PG) {
		u64 v = synth_entry(pa);

		memcpy(buf, &v, 8);
		return;
	}
	if (pa % PG + len <= PG)
		p = mem_page(pa / PG, false);
	if (p) {
		memcpy(buf, p + pa % PG, len);
		return;
	}
	for (u64 i = 0; i < len; i++)
		((u8 *)buf)[i] = mem_byte(pa + i);
}

static void mem_put(u64 pa, const void *buf, u64 len)
{
	for (u64 i = 0; i < len; i++)
		mem_page((pa + i) / PG, true)[(pa + i) % PG] = ((const u8 *)buf)[i];
}

static void put64(u64 pa, u64 v)
{
	mem_put(pa, &v, 8);
}

static u64 ref_rd64(u64 pa)
{
	u64 v;

	mem_get(pa, &v, 8);
	return v;
}

static void ref_rd(u64 pa, void *buf, u64 len)
{
	mem_get(pa, buf, len);
}

/* @n entries at @list: data pages @data, @data + PG, ... */
static void fill_list(u64 list, u64 data, u64 n)
{
	for (u64 i = 0; i < n; i++)
		put64(list + 8 * i, data + i * PG);
}

static void mkdesc(u8 *d, u64 addr, u32 len, unsigned int type)
{
	memset(d, 0, 16);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	d[15] = type << 4;
}

static void put_desc(u64 pa, u64 addr, u32 len, unsigned int type)
{
	u8 d[16];

	mkdesc(d, addr, len, type);
	mem_put(pa, d, 16);
}

static void deny_bytes(u64 first, u64 last)
{
	if (mem.nr_denied == MAX_DENIED)
		ck_abort_msg("too many denied ranges");
	mem.denied[mem.nr_denied].first = first;
	mem.denied[mem.nr_denied].last = last;
	mem.nr_denied++;
}

static void deny(u64 pa, u64 len)
{
	deny_bytes(pa, pa + len - 1);
}

static bool overlaps_denied(u64 first, u64 last)
{
	for (int i = 0; i < mem.nr_denied; i++)
		if (first <= mem.denied[i].last && mem.denied[i].first <= last)
			return true;
	return false;
}

static bool ref_denied(u64 pa, u64 len)
{
	u64 last = pa + len - 1;

	if (!len)
		return false;
	if (last < pa)		/* wraps around 2^64 */
		return overlaps_denied(pa, ~0ULL) || overlaps_denied(0, last);
	return overlaps_denied(pa, last);
}

static bool fake_denied(void *ctx, u64 pa, u64 len)
{
	(void)ctx;
	return ref_denied(pa, len);
}

/* Lists and segments may only be read where the checker was told it may. */
static void fake_read(void *ctx, u64 pa, void *buf, u64 len)
{
	(void)ctx;
	if (!len || pa + len < pa || ref_denied(pa, len))
		ck_abort_msg("read of %#llx+%llu: denied memory",
			     (unsigned long long)pa, (unsigned long long)len);
	mem.reads++;
	mem_get(pa, buf, len);
}

/*
 * Pages for copies: a region of their own, never denied, handed out in
 * order; at most pool.limit of them.
 */
#define POOL		0x7000000000ULL

static struct {
	unsigned int given, limit;
} pool;

static u64 fake_alloc(void *ctx)
{
	(void)ctx;
	if (pool.given == pool.limit)
		return 0;
	mem_page(POOL / PG + pool.given, true);
	return POOL + pool.given++ * PG;
}

static void fake_write(void *ctx, u64 pa, const void *buf, u64 len)
{
	(void)ctx;
	if (pa < POOL || pa - POOL + len > (u64)pool.given * PG)
		ck_abort_msg("copy written to %#llx+%llu: not a page it was given",
			     (unsigned long long)pa, (unsigned long long)len);
	mem_put(pa, buf, len);
}

static void pool_reset(unsigned int limit)
{
	pool.given = 0;
	pool.limit = limit;
}

static const struct nvme_dma_env env = {
	.denied = fake_denied,
	.read = fake_read,
	.alloc = fake_alloc,
	.write = fake_write,
};

static int prp(u64 prp1, u64 prp2, u64 len)
{
	return nvme_dma_check_prp(prp1, prp2, len, &env);
}

static int sgl(u64 addr, u32 len, unsigned int type)
{
	u8 d[16];

	mkdesc(d, addr, len, type);
	return nvme_dma_check_sgl(d, &env);
}

/* --- reference model ----------------------------------------------------- */

/*
 * What an NVMe controller reaches for a command, written from the
 * specification without regard to nvme_dma.c, in ../nvme_dma_ref.h (the
 * fuzz target uses it too).  Every byte range the controller
 * would read (PRP list entries, SGL segments) or transfer (data) goes
 * through ref_touch(); a layout the specification does not allow sets
 * ->refuse and ends the walk, as does a range that is denied or reaches
 * 2^64 (no range may end at or wrap past the top of the address space).
 * ref_denied(), ref_rd64() and ref_rd() read the fake memory directly.
 */
#include "../nvme_dma_ref.h"
	}
}

static bool ref_prp_refuses(u64 prp1, u64 prp2, u64 len)
{
	struct ref r = { 0 };

	ref_prp(&r, prp1, prp2, len);
	return r.refuse;
}

/* --- PRP ----------------------------------------------------------------- */

START_TEST(prp_len_zero)
{
	mem_reset();
	deny_bytes(0, ~0ULL);		/* everything */
	ck_assert_int_eq(prp(DATA, 0, 0), 0);
	ck_assert_int_eq(prp(TOP + 0xff0, 7, 0), 0);
	ck_assert_int_eq(prp(DATA, 0, 1), -1);
	ck_assert_uint_eq(mem.reads, 0);
}
END_TEST

START_TEST(prp_single_page)
{
	mem_reset();
	ck_assert_int_eq(prp(DATA, 0, PG), 0);
	ck_assert_int_eq(prp(DATA, 0xdead0007, 1), 0);	/* PRP2 unused */
	ck_assert_int_eq(prp(DATA + 0x800, 3, 0x800), 0);
	ck_assert_int_eq(prp(DATA + 0xffc, 5, 4), 0);
	ck_assert_uint_eq(mem.reads, 0);
	/* Exactly the bytes from the offset on. */
	deny(DATA, 0x800);
	ck_assert_int_eq(prp(DATA + 0x800, 0, 0x800), 0);
	ck_assert_int_eq(prp(DATA + 0x7ff, 0, 1), -1);
	deny(DATA + PG - 1, 1);
	ck_assert_int_eq(prp(DATA + 0x800, 0, 0x7ff), 0);
	ck_assert_int_eq(prp(DATA + 0x800, 0, 0x800), -1);
	ck_assert_int_eq(prp(DATA + 0xfff, 0, 1), -1);
}
END_TEST

START_TEST(prp_two_pages)
{
	static const u64 bad_off[] = { 1, 4, 8, 0x200, 0x800, 0xff8, 0xfff };

	mem_reset();
	ck_assert_int_eq(prp(DATA, DATA2, 2 * PG), 0);
	ck_assert_int_eq(prp(DATA, DATA2, PG + 1), 0);
	ck_assert_int_eq(prp(DATA + 0x200, DATA2, PG), 0);
	ck_assert_int_eq(prp(DATA + 0x200, DATA2, 0xe00 + PG), 0);
	/* PRP2 as a page must be page aligned. */
	for (unsigned int i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
		ck_assert_int_eq(prp(DATA, DATA2 + bad_off[i], 2 * PG), -1);
		ck_assert_int_eq(prp(DATA + 0x200, DATA2 + bad_off[i],
				     0xe00 + 0x201), -1);
	}
	ck_assert_uint_eq(mem.reads, 0);
	/* One byte more than PRP1's page and one page: PRP2 is a list. */
	fill_list(LIST, DATA2, 2);
	deny(DATA2 + PG, 1);
	ck_assert_int_eq(prp(DATA + 0x200, LIST, 0xe00 + PG), 0);
	ck_assert_uint_eq(mem.reads, 0);
	ck_assert_int_eq(prp(DATA + 0x200, LIST, 0xe00 + PG + 1), -1);
	ck_assert_uint_eq(mem.reads, 2);
}
END_TEST

START_TEST(prp_list)
{
	u64 len = 0xf00 + 3 * PG - 5;

	mem_reset();
	fill_list(LIST, DATA2, 3);
	/* Entries after the transfer's are never looked at. */
	put64(LIST + 3 * 8, DATA + 1);
	put64(LIST + 4 * 8, DATA);
	deny(DATA, 0x100);
	deny(LIST + 3 * 8, PG - 3 * 8);
	ck_assert_int_eq(prp(DATA + 0x100, LIST, len), 0);
	ck_assert_uint_eq(mem.reads, 3);
	/* The last page only as far as the transfer goes. */
	deny(DATA2 + 2 * PG + PG - 5, 1);
	ck_assert_int_eq(prp(DATA + 0x100, LIST, len), 0);
	ck_assert_int_eq(prp(DATA + 0x100, LIST, len + 1), -1);
	/* A list pointer at an offset: entries from there. */
	mem.nr_denied = 0;
	fill_list(LISTB + 0x40, DATA2, 3);
	ck_assert_int_eq(prp(DATA + 0x100, LISTB + 0x40, len), 0);
	deny(LISTB, 0x40);
	ck_assert_int_eq(prp(DATA + 0x100, LISTB + 0x40, len), 0);
	deny(LISTB + 0x40 + 2 * 8, 1);
	ck_assert_int_eq(prp(DATA + 0x100, LISTB + 0x40, len), -1);
}
END_TEST

START_TEST(prp_list_fills_page)
{
	mem_reset();
	/* 512 pages after PRP1's: all of the list page's entries are data. */
	fill_list(LIST, DATA2, ENTRIES);
	/* Were the last entry taken for a list pointer: junk there. */
	put64(DATA2 + (ENTRIES - 1) * PG, 1);
	ck_assert_int_eq(prp(DATA, LIST, PG + ENTRIES * PG), 0);
	ck_assert_uint_eq(mem.reads, ENTRIES);
	ck_assert_int_eq(prp(DATA, LIST, PG + (ENTRIES - 1) * PG + 1), 0);
	ck_assert_int_eq(prp(DATA + 0x10, LIST, PG - 0x10 + ENTRIES * PG), 0);
	/* One page more, and the last entry is a list pointer (to junk). */
	ck_assert_int_eq(prp(DATA, LIST, PG + ENTRIES * PG + 1), -1);
	/* With the list at an offset: 512 - 16 entries fill the page. */
	fill_list(LISTB + 16 * 8, DATA2, ENTRIES - 16);
	put64(DATA2 + (ENTRIES - 17) * PG, 1);
	ck_assert_int_eq(prp(DATA, LISTB + 16 * 8, PG + (ENTRIES - 16) * PG), 0);
	ck_assert_int_eq(prp(DATA, LISTB + 16 * 8, PG + (ENTRIES - 16) * PG + 1),
			 -1);
	/* The data page at the end of a full list may be denied. */
	deny(DATA2 + (ENTRIES - 1) * PG + PG - 1, 1);
	ck_assert_int_eq(prp(DATA, LIST, PG + ENTRIES * PG - 1), 0);
	ck_assert_int_eq(prp(DATA, LIST, PG + ENTRIES * PG), -1);
}
END_TEST

START_TEST(prp_list_chain)
{
	mem_reset();
	/* 513 pages: 511 + a pointer to the next list, holding 2. */
	fill_list(LIST, DATA2, ENTRIES - 1);
	put64(LIST + (ENTRIES - 1) * 8, LISTB);
	fill_list(LISTB, DATA2 + (ENTRIES - 1) * PG, 2);
	/* Were the list read on past its page: junk there. */
	put64(LIST + PG, 1);
	ck_assert_int_eq(prp(DATA, LIST, PG + 513 * PG), 0);
	ck_assert_uint_eq(mem.reads, 514);
	/* 511 + 512: the second list page is all data. */
	fill_list(LISTB, DATA2 + (ENTRIES - 1) * PG, ENTRIES);
	put64(DATA2 + (2 * ENTRIES - 2) * PG, 1);
	ck_assert_int_eq(prp(DATA, LIST, PG + (2 * ENTRIES - 1) * PG), 0);
	/* 511 + 511 + 2: three list pages. */
	put64(LISTB + (ENTRIES - 1) * 8, LISTC);
	fill_list(LISTC, DATA, 2);
	ck_assert_int_eq(prp(DATA, LIST, PG + (2 * ENTRIES) * PG), 0);
	ck_assert_int_eq(prp(DATA, LIST, PG + (2 * ENTRIES - 2) * PG + 1), 0);
	mem.reads = 0;
	ck_assert_int_eq(prp(DATA, LIST, PG + (2 * ENTRIES - 2) * PG + 2 * PG),
			 0);
	ck_assert_uint_eq(mem.reads, 2 * ENTRIES + 2);
	/* A list at an offset with two slots: one data entry and a pointer. */
	mem_reset();
	put64(LIST + PG - 16, DATA);
	put64(LIST + PG - 8, LISTB);
	fill_list(LISTB, DATA2, 2);
	ck_assert_int_eq(prp(DATA, LIST + PG - 16, 4 * PG), 0);
	ck_assert_int_eq(prp(DATA, LIST + PG - 16, 3 * PG), 0);	/* no chain */
	/* A single slot: nothing but the pointer, as more than a page is left. */
	ck_assert_int_eq(prp(DATA, LIST + PG - 8, 3 * PG), 0);
	ck_assert_uint_eq(mem.reads, 4 + 2 + 3);
}
END_TEST

START_TEST(prp_misaligned)
{
	mem_reset();
	fill_list(LIST, DATA2, ENTRIES - 1);
	put64(LIST + (ENTRIES - 1) * 8, LISTB);
	fill_list(LISTB, DATA2, 4);
	ck_assert_int_eq(prp(DATA, LIST, 4 * PG), 0);
	ck_assert_int_eq(prp(DATA, LIST + 8, 4 * PG), 0);
	/* the list pointer */
	ck_assert_int_eq(prp(DATA, LIST + 1, 4 * PG), -1);
	ck_assert_int_eq(prp(DATA, LIST + 2, 4 * PG), -1);
	ck_assert_int_eq(prp(DATA, LIST + 4, 4 * PG), -1);
	ck_assert_int_eq(prp(DATA, LIST + 0xffc, 4 * PG), -1);
	/* a data entry */
	put64(LIST + 8, DATA2 + PG + 8);
	ck_assert_int_eq(prp(DATA, LIST, 4 * PG), -1);
	put64(LIST + 8, DATA2 + PG + 1);
	ck_assert_int_eq(prp(DATA, LIST, 4 * PG), -1);
	put64(LIST + 8, DATA2 + PG + 0x800);
	ck_assert_int_eq(prp(DATA, LIST, 4 * PG), -1);
	ck_assert_int_eq(prp(DATA, LIST, 2 * PG), 0);	/* not reached */
	put64(LIST + 8, DATA2 + PG);
	/* the last, partial data entry */
	put64(LIST + 16, DATA2 + 2 * PG + 0x10);
	ck_assert_int_eq(prp(DATA, LIST, 3 * PG + 1), -1);
	put64(LIST + 16, DATA2 + 2 * PG);
	/* a list pointer in a list */
	ck_assert_int_eq(prp(DATA, LIST, PG + 515 * PG), 0);
	put64(LIST + (ENTRIES - 1) * 8, LISTB + 4);
	ck_assert_int_eq(prp(DATA, LIST, PG + 515 * PG), -1);
	put64(LIST + (ENTRIES - 1) * 8, LISTB + 1);
	ck_assert_int_eq(prp(DATA, LIST, PG + 515 * PG), -1);
}
END_TEST

/*
 * A PRP list pointer within a list must have a page offset of 0 ("If this
 * entry is not the first PRP entry in the command or a PRP List pointer in
 * a command, then the Offset portion of this field shall be cleared to
 * 0h"); QEMU fails such a command with Invalid PRP Offset, and a
 * controller that drops the offset reads the next list from the start of
 * the page, where the checker did not look.
 */
START_TEST(prp_chain_pointer_offset)
{
	mem_reset();
	fill_list(LIST, DATA2, ENTRIES - 1);
	put64(LIST + (ENTRIES - 1) * 8, LISTB + 8);
	put64(LISTB, 0);		/* denied, and where the offset is lost */
	fill_list(LISTB + 8, DATA2, 2);
	deny(0, PG);
	ck_assert(ref_prp_refuses(DATA, LIST, PG + 513 * PG));
	ck_assert_msg(prp(DATA, LIST, PG + 513 * PG) == -1,
		      "nvme_dma_check_prp(prp1=%#llx, prp2=%#llx, len=%#llx) accepts a chained list pointer with a page offset (%#llx)",
		      DATA, LIST, PG + 513 * PG, LISTB + 8);
}
END_TEST

START_TEST(prp_denied)
{
	const u64 p1 = DATA + 0x100, len = PG - 0x100 + 514 * PG;
	static const struct { u64 pa, len; bool refused; } cases[] = {
		{ DATA + 0x100, 1, true },		/* PRP1's page */
		{ DATA + PG - 1, 1, true },
		{ DATA, 0x100, false },			/* before PRP1 */
		{ DATA2 + 200 * PG + 0x123, 1, true },	/* data in the middle */
		{ DATA2 + 510 * PG, PG, true },		/* last of the first list */
		{ LIST, PG, true },			/* the list page */
		{ LIST + 300 * 8, 8, true },		/* one entry */
		{ LIST + 300 * 8 + 7, 1, true },
		{ LIST + 511 * 8, 8, true },		/* the pointer */
		{ LISTB, PG, true },			/* the chained list */
		{ LISTB + 2 * 8, 1, true },		/* its last entry */
		{ LISTB + 3 * 8, PG - 3 * 8, false },	/* after it */
		{ DATA2 + 513 * PG, PG, true },		/* the last page */
		{ DATA2 + 514 * PG, PG, false },
	};

	mem_reset();
	fill_list(LIST, DATA2, ENTRIES - 1);
	put64(LIST + (ENTRIES - 1) * 8, LISTB);
	fill_list(LISTB, DATA2 + (ENTRIES - 1) * PG, 3);
	ck_assert_int_eq(prp(p1, LIST, len), 0);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mem.nr_denied = 0;
		deny(cases[i].pa, cases[i].len);
		ck_assert_msg(prp(p1, LIST, len) == (cases[i].refused ? -1 : 0),
			      "case %u", i);
	}
	/* PRP2 as a page */
	mem.nr_denied = 0;
	deny(DATA2, 1);
	ck_assert_int_eq(prp(DATA, DATA2, PG + 1), -1);
	mem.nr_denied = 0;
	deny(DATA2 + 1, 1);
	ck_assert_int_eq(prp(DATA, DATA2, PG + 1), 0);
	ck_assert_int_eq(prp(DATA, DATA2, PG + 2), -1);
}
END_TEST

/* No range may wrap around 2^64, nor end there. */
START_TEST(prp_wrap)
{
	mem_reset();
	ck_assert_int_eq(prp(TOP + 0x800, 0, 0x7ff), 0);
	ck_assert_int_eq(prp(TOP + 0x800, 0, 0x800), -1);
	ck_assert_int_eq(prp(TOP, 0, PG), -1);
	ck_assert_int_eq(prp(DATA, TOP, PG + PG - 1), 0);
	ck_assert_int_eq(prp(DATA, TOP, 2 * PG), -1);
	put64(LIST, DATA2);
	put64(LIST + 8, TOP);
	ck_assert_int_eq(prp(DATA, LIST, 3 * PG - 1), 0);
	ck_assert_int_eq(prp(DATA, LIST, 3 * PG), -1);
	/* a list in the top page */
	put64(TOP + PG - 16, DATA);
	put64(TOP + PG - 8, DATA2);
	ck_assert_int_eq(prp(DATA, TOP + PG - 16, 3 * PG), -1);
	deny(0, PG);
	ck_assert_int_eq(sgl(TOP + 0x800, 0x7ff, DATA_BLOCK), 0);
	ck_assert_int_eq(sgl(TOP + 0x800, 0x800, DATA_BLOCK), -1);
	ck_assert_int_eq(sgl(TOP, 0x2000, DATA_BLOCK), -1);	/* into page 0 */
	ck_assert_int_eq(sgl(~0ULL, 1, DATA_BLOCK), -1);
	mem.nr_denied = 0;
	ck_assert_int_eq(sgl(TOP, 0x2000, DATA_BLOCK), -1);
	put_desc(TOP + PG - 16, DATA, 16, DATA_BLOCK);
	ck_assert_int_eq(sgl(TOP + PG - 16, 16, LAST_SEGMENT), -1);
	ck_assert_int_eq(sgl(TOP + PG - 16, 32, LAST_SEGMENT), -1);
}
END_TEST

/*
 * Lists far longer than the fake memory, up to the 4 GiB a read of 65536
 * blocks of 64 KiB moves: the walk must not stop short of a valid list's
 * end, wherever the list starts in its page.
 */
START_TEST(prp_long_lists)
{
	static const u64 offs[] = { 0, 8, 0x800, PG - 16, PG - 8 };
	static const u64 pages[] = {
		2, 3, 510, 511, 512, 513, 1022, 1023, 1024, 1025, 1533, 1534,
		1535, 5110, 5111, 5112, 65535, 65536, 65537, 1ULL << 20,
	};

	mem_reset();
	mem.synth_base = LIST;
	mem.synth_pages = 2100;
	mem.synth_data = 0x100000000ULL;
	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (unsigned int j = 0; j < sizeof(pages) / sizeof(pages[0]);
		     j++) {
			for (int d = -1; d <= 0; d++) {
				u64 len = PG + pages[j] * PG + d;

				ck_assert(!ref_prp_refuses(DATA, LIST + offs[i],
							   len));
				ck_assert_msg(!prp(DATA, LIST + offs[i], len),
					      "list at +%#llx, len %#llx refused",
					      (unsigned long long)offs[i],
					      (unsigned long long)len);
			}
		}
}
END_TEST

/* --- SGL ----------------------------------------------------------------- */

START_TEST(sgl_data_block)
{
	mem_reset();
	ck_assert_int_eq(sgl(DATA, 0x3000, DATA_BLOCK), 0);
	/* Up to NVME_MAX_XFER; a descriptor may name 4 GiB, which is not. */
	ck_assert_int_eq(sgl(DATA + 3, NVME_MAX_XFER, DATA_BLOCK), 0);
	ck_assert_int_eq(sgl(DATA + 3, NVME_MAX_XFER + 1, DATA_BLOCK), -1);
	ck_assert_int_eq(sgl(DATA + 3, 0xffffffff, DATA_BLOCK), -1);
	deny(DATA + 0x2fff, 1);
	ck_assert_int_eq(sgl(DATA, 0x3000, DATA_BLOCK), -1);
	ck_assert_int_eq(sgl(DATA, 0x2fff, DATA_BLOCK), 0);
	ck_assert_int_eq(sgl(DATA + 0x3000, 0x1000, DATA_BLOCK), 0);
	ck_assert_int_eq(sgl(DATA + 0x2fff, 0, DATA_BLOCK), 0);	/* no data */
	ck_assert_uint_eq(mem.reads, 0);
}
END_TEST

START_TEST(sgl_total_bounded)
{
	const u64 s1 = SEG;

	/* 4 GiB in data blocks of 4 MiB: refused at the third, unread after. */
	mem_reset();
	for (unsigned int i = 0; i < 255; i++)
		put_desc(s1 + 16 * i, DATA, 4 << 20, DATA_BLOCK);
	put_desc(s1 + 16 * 255, DATA, 0xffffffff, DATA_BLOCK);
	ck_assert_int_eq(sgl(s1, 32, LAST_SEGMENT), 0);
	ck_assert_int_eq(sgl(s1, 48, LAST_SEGMENT), -1);
	ck_assert_uint_eq(mem.reads, 2 + 3);
	ck_assert_int_eq(sgl(s1, PG, LAST_SEGMENT), -1);
	/* Bit buckets do not count. */
	put_desc(s1 + 16, 0, 0xffffffff, BIT_BUCKET);
	ck_assert_int_eq(sgl(s1, 48, LAST_SEGMENT), 0);
}
END_TEST

START_TEST(sgl_bit_bucket)
{
	mem_reset();
	deny_bytes(0, ~0ULL);
	ck_assert_int_eq(sgl(DATA, 0x1000, BIT_BUCKET), 0);
	ck_assert_int_eq(sgl(TOP, 0x2000, BIT_BUCKET), 0);
	ck_assert_uint_eq(mem.reads, 0);
}
END_TEST

START_TEST(sgl_segments)
{
	const u64 s1 = SEG, s2 = SEG + 0x100, s3 = SEG + PG - 16;

	mem_reset();
	put_desc(s1, DATA, 0x1000, DATA_BLOCK);
	put_desc(s1 + 16, 0, 0x200, BIT_BUCKET);
	put_desc(s1 + 32, s2, 32, LAST_SEGMENT);
	put_desc(s2, DATA2, 0x800, DATA_BLOCK);
	put_desc(s2 + 16, DATA2 + 0x1000, 0x10, DATA_BLOCK);
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), 0);
	ck_assert_uint_eq(mem.reads, 5);
	ck_assert_int_eq(sgl(s2, 32, LAST_SEGMENT), 0);
	ck_assert_int_eq(sgl(s2, 32, SEGMENT), 0);	/* ends without a chain */
	deny(DATA + 0x1000, 1);
	deny(DATA2 + 0x1010, 1);
	deny(s1 + 48, 1);
	deny(s2 + 32, 1);
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), 0);
	mem.nr_denied = 0;
	deny(DATA2 + 0x100f, 1);			/* the last data byte */
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
	mem.nr_denied = 0;
	deny(s2 + 31, 1);				/* the last segment */
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
	mem.nr_denied = 0;
	deny(s1 + 47, 1);				/* the first segment */
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
	mem.nr_denied = 0;
	deny(DATA + 0xfff, 1);
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
	/* Segment -> Segment -> Last Segment, one across a page boundary. */
	mem.nr_denied = 0;
	put_desc(s1 + 32, s3, 32, SEGMENT);
	put_desc(s3, DATA, 0x10, DATA_BLOCK);
	put_desc(s3 + 16, s2, 32, LAST_SEGMENT);
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), 0);
	deny(s3 + 16, 16);
	ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
}
END_TEST

START_TEST(sgl_chain_not_last)
{
	const u64 s1 = SEG, s2 = SEG + 0x100;

	mem_reset();
	put_desc(s2, DATA2, 0x800, DATA_BLOCK);
	for (unsigned int type = SEGMENT; type <= LAST_SEGMENT; type++) {
		put_desc(s1, DATA, 0x1000, DATA_BLOCK);
		put_desc(s1 + 16, s2, 16, type);
		put_desc(s1 + 32, DATA, 0x10, DATA_BLOCK);
		ck_assert_int_eq(sgl(s1, 32, SEGMENT), 0);
		ck_assert_int_eq(sgl(s1, 48, SEGMENT), -1);
		put_desc(s1, s2, 16, type);
		put_desc(s1 + 16, DATA, 0x1000, DATA_BLOCK);
		ck_assert_int_eq(sgl(s1, 32, SEGMENT), -1);
		ck_assert_int_eq(sgl(s1, 16, SEGMENT), 0);
	}
}
END_TEST

START_TEST(sgl_last_segment_chains)
{
	const u64 s1 = SEG, s2 = SEG + 0x100, s3 = SEG + 0x200;

	mem_reset();
	put_desc(s3, DATA, 0x10, DATA_BLOCK);
	for (unsigned int type = SEGMENT; type <= LAST_SEGMENT; type++) {
		put_desc(s1, DATA, 0x1000, DATA_BLOCK);
		put_desc(s1 + 16, s3, 16, type);
		ck_assert_int_eq(sgl(s1, 32, SEGMENT), 0);
		ck_assert_int_eq(sgl(s1, 32, LAST_SEGMENT), -1);
		/* the Last Segment further down the chain */
		put_desc(s1, s2, 16, LAST_SEGMENT);
		put_desc(s2, s3, 16, type);
		ck_assert_int_eq(sgl(s1, 16, SEGMENT), -1);
		put_desc(s1, s2, 16, SEGMENT);
		ck_assert_int_eq(sgl(s1, 16, SEGMENT), 0);
	}
}
END_TEST

START_TEST(sgl_bad_segment)
{
	static const struct { u64 off; u32 len; } bad[] = {
		{ 0, 0 }, { 0, 8 }, { 0, 24 }, { 0, 17 }, { 0, 15 },
		{ 8, 16 }, { 1, 16 }, { 4, 32 }, { 0xf, 16 },
	};
	const u64 s1 = SEG, s2 = SEG + 0x100;

	mem_reset();
	put_desc(s2, DATA, 0x10, DATA_BLOCK);
	put_desc(s2 + 16, DATA, 0x10, DATA_BLOCK);
	put_desc(s2 + 32, DATA, 0x10, DATA_BLOCK);
	ck_assert_int_eq(sgl(s2, 48, LAST_SEGMENT), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* in the command */
		ck_assert_msg(sgl(s2 + bad[i].off, bad[i].len, SEGMENT) == -1,
			      "case %u", i);
		ck_assert_msg(sgl(s2 + bad[i].off, bad[i].len,
				  LAST_SEGMENT) == -1, "case %u", i);
		/* in a segment */
		put_desc(s1, s2 + bad[i].off, bad[i].len, LAST_SEGMENT);
		ck_assert_msg(sgl(s1, 16, SEGMENT) == -1, "case %u", i);
	}
}
END_TEST

/* A chain of @n segments of one descriptor each, the last a data block. */
static void seg_chain(unsigned int n)
{
	for (unsigned int i = 0; i + 1 < n; i++)
		put_desc(SEG + 16 * i, SEG + 16 * (i + 1), 16,
			 i + 2 == n ? LAST_SEGMENT : SEGMENT);
	put_desc(SEG + 16 * (n - 1), DATA, 0x100, DATA_BLOCK);
}

START_TEST(sgl_max_segments)
{
	mem_reset();
	seg_chain(1);
	ck_assert_int_eq(sgl(SEG, 16, LAST_SEGMENT), 0);
	seg_chain(NVME_SGL_MAX_SEGMENTS);
	mem.reads = 0;
	ck_assert_int_eq(sgl(SEG, 16, SEGMENT), 0);
	ck_assert_uint_eq(mem.reads, NVME_SGL_MAX_SEGMENTS);
	seg_chain(NVME_SGL_MAX_SEGMENTS + 1);
	ck_assert_int_eq(sgl(SEG, 16, SEGMENT), -1);
	ck_assert_int_eq(sgl(SEG + 16, 16, SEGMENT), 0);
	seg_chain(NVME_SGL_MAX_SEGMENTS + 2);
	ck_assert_int_eq(sgl(SEG, 16, SEGMENT), -1);
	/* a segment that chains to itself */
	put_desc(SEG, SEG, 16, SEGMENT);
	ck_assert_int_eq(sgl(SEG, 16, SEGMENT), -1);
}
END_TEST

START_TEST(sgl_unknown_type)
{
	mem_reset();
	put_desc(SEG, DATA, 0x10, DATA_BLOCK);
	put_desc(SEG + 16, DATA, 0x10, DATA_BLOCK);
	ck_assert_int_eq(sgl(SEG, 32, LAST_SEGMENT), 0);
	for (unsigned int type = 4; type < 16; type++) {
		ck_assert_msg(sgl(DATA, 0x10, type) == -1, "type %u", type);
		ck_assert_msg(sgl(DATA, 0, type) == -1, "type %u", type);
		put_desc(SEG + 16, DATA, 0x10, type);
		ck_assert_msg(sgl(SEG, 32, LAST_SEGMENT) == -1, "type %u", type);
		ck_assert_msg(sgl(SEG, 16, LAST_SEGMENT) == 0, "type %u", type);
	}
}
END_TEST

/* --- copies ------------------------------------------------------------- */

START_TEST(copy_prp_no_list)
{
	u64 prp2 = DATA2;

	mem_reset();
	pool_reset(4);
	/* One or two pages: nothing to copy, PRP2 stays. */
	ck_assert_int_eq(nvme_dma_copy_prp(DATA, &prp2, 2 * PG, &env), 0);
	ck_assert_uint_eq(prp2, DATA2);
	ck_assert_uint_eq(pool.given, 0);
	deny(DATA2, 1);
	ck_assert_int_eq(nvme_dma_copy_prp(DATA, &prp2, 2 * PG, &env), -1);
}
END_TEST

START_TEST(copy_prp_list)
{
	u64 prp2 = LIST + 0x40, len = 0xf00 + 3 * PG;

	mem_reset();
	pool_reset(4);
	fill_list(LIST + 0x40, DATA2, 3);
	ck_assert_int_eq(nvme_dma_copy_prp(DATA + 0x100, &prp2, len, &env), 0);
	/* A list of its own, at the start of a page, with the same entries. */
	ck_assert_uint_eq(prp2, POOL);
	ck_assert_uint_eq(pool.given, 1);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_uint_eq(ref_rd64(POOL + 8 * i), DATA2 + i * PG);
	/* The OS's list changing afterwards changes nothing of the copy. */
	put64(LIST + 0x40, DATA);
	ck_assert_uint_eq(ref_rd64(POOL), DATA2);
	/* A denied entry: refused. */
	pool_reset(4);
	prp2 = LIST + 0x40;
	deny(DATA, 1);
	ck_assert_int_eq(nvme_dma_copy_prp(DATA + 0x100, &prp2, len, &env), -1);
}
END_TEST

START_TEST(copy_prp_chain)
{
	/* 1023 data entries over three list pages of the OS, at an offset. */
	u64 prp2 = LIST + PG - 16, n = 1023;

	mem_reset();
	pool_reset(4);
	put64(LIST + PG - 16, DATA);
	put64(LIST + PG - 8, LISTB);
	fill_list(LISTB, DATA2, ENTRIES - 1);
	put64(LISTB + PG - 8, LISTC);
	fill_list(LISTC, DATA2 + (ENTRIES - 1) * PG, n - ENTRIES);
	ck_assert_int_eq(prp(DATA, prp2, PG + n * PG), 0);
	ck_assert_int_eq(nvme_dma_copy_prp(DATA, &prp2, PG + n * PG, &env), 0);
	/* 511 entries and a pointer, then the other 512 fill a page. */
	ck_assert_uint_eq(prp2, POOL);
	ck_assert_uint_eq(pool.given, 2);
	ck_assert_uint_eq(ref_rd64(POOL), DATA);
	ck_assert_uint_eq(ref_rd64(POOL + 8), DATA2);
	ck_assert_uint_eq(ref_rd64(POOL + PG - 8), POOL + PG);
	ck_assert_uint_eq(ref_rd64(POOL + PG), DATA2 + (ENTRIES - 2) * PG);
	ck_assert_uint_eq(ref_rd64(POOL + 2 * PG - 8),
			  DATA2 + (n - 2) * PG);
	/* The copy is a valid list for the same transfer. */
	ck_assert_int_eq(prp(DATA, prp2, PG + n * PG), 0);
	/* Without a second page for the copy: NVME_DMA_NOMEM. */
	pool_reset(1);
	prp2 = LIST + PG - 16;
	ck_assert_int_eq(nvme_dma_copy_prp(DATA, &prp2, PG + n * PG, &env),
			 NVME_DMA_NOMEM);
	pool_reset(0);
	prp2 = LIST + PG - 16;
	ck_assert_int_eq(nvme_dma_copy_prp(DATA, &prp2, PG + n * PG, &env),
			 NVME_DMA_NOMEM);
}
END_TEST

START_TEST(copy_sgl)
{
	const u64 s1 = SEG, s2 = SEG + 0x100, s3 = SEG + PG - 16;
	u8 d[16], c[16];
	u64 addr;

	mem_reset();
	pool_reset(4);
	/* A data block needs no copy. */
	mkdesc(d, DATA, 0x1000, DATA_BLOCK);
	ck_assert_int_eq(nvme_dma_copy_sgl(d, &env), 0);
	ck_assert_uint_eq(pool.given, 0);
	/* Segment -> Segment -> Last Segment. */
	put_desc(s1, DATA, 0x1000, DATA_BLOCK);
	put_desc(s1 + 16, 0, 0x200, BIT_BUCKET);
	put_desc(s1 + 32, s3, 32, SEGMENT);
	put_desc(s3, DATA, 0x10, DATA_BLOCK);
	put_desc(s3 + 16, s2, 32, LAST_SEGMENT);
	put_desc(s2, DATA2, 0x800, DATA_BLOCK);
	put_desc(s2 + 16, DATA2 + 0x1000, 0x10, DATA_BLOCK);
	mkdesc(d, s1, 48, SEGMENT);
	ck_assert_int_eq(nvme_dma_copy_sgl(d, &env), 0);
	memcpy(&addr, d, 8);
	ck_assert_uint_eq(addr, POOL);
	ck_assert_uint_eq(d[15] >> 4, SEGMENT);
	ck_assert_uint_eq(pool.given, 1);	/* 112 bytes: one page */
	/* Same descriptors, chained through the copy. */
	ref_rd(POOL, c, 16);
	memcpy(&addr, c, 8);
	ck_assert_uint_eq(addr, DATA);
	ref_rd(POOL + 32, c, 16);
	memcpy(&addr, c, 8);
	ck_assert_uint_eq(addr, POOL + 48);
	ck_assert_uint_eq(c[15] >> 4, SEGMENT);
	ref_rd(POOL + 64, c, 16);
	memcpy(&addr, c, 8);
	ck_assert_uint_eq(addr, POOL + 80);
	ck_assert_uint_eq(c[15] >> 4, LAST_SEGMENT);
	ref_rd(POOL + 96, c, 16);
	memcpy(&addr, c, 8);
	ck_assert_uint_eq(addr, DATA2 + 0x1000);
	ck_assert_int_eq(nvme_dma_check_sgl(d, &env), 0);
	/* Refused and out of pages. */
	mkdesc(d, s1, 48, SEGMENT);
	deny(DATA2 + 0x100f, 1);
	pool_reset(4);
	ck_assert_int_eq(nvme_dma_copy_sgl(d, &env), -1);
	mem.nr_denied = 0;
	pool_reset(0);
	ck_assert_int_eq(nvme_dma_copy_sgl(d, &env), NVME_DMA_NOMEM);
}
END_TEST

/*
 * The copy of an accepted layout must be a layout the model accepts, whose
 * data ranges (everything it touches outside the copy's pages) come, in
 * order, from what the original touched.
 */
static struct ref_range copy_rec[4096];

static void check_copy(const struct ref *orig, const struct ref *copy,
		       unsigned long it)
{
	size_t j = 0;

	ck_assert_msg(!copy->refuse, "iteration %lu: the copy is refused", it);
	for (size_t i = 0; i < copy->nr; i++) {
		const struct ref_range *c = &copy->rec[i];

		if (c->pa >= POOL && c->pa < POOL + (u64)pool.given * PG)
			continue;
		while (j < orig->nr && (orig->rec[j].pa != c->pa ||
					orig->rec[j].len != c->len))
			j++;
		ck_assert_msg(j < orig->nr,
			      "iteration %lu: the copy touches %#llx+%llu",
			      it, (unsigned long long)c->pa,
			      (unsigned long long)c->len);
		j++;
	}
}

/* --- differential -------------------------------------------------------- */

static u64 rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u64 below(u64 n)
{
	return rnd() % n;
}

/* Random layouts live in a 16 MiB window at 4 GiB. */
#define WIN		0x100000000ULL
#define WIN_PAGES	4096

static u64 frame(void)
{
	return WIN + below(WIN_PAGES) * PG;
}

/* A list page not yet in the fake memory, full of junk. */
static u64 new_list_page(void)
{
	u64 pa;
	u8 *p;

	do
		pa = frame();
	while (mem_page(pa / PG, false));
	p = mem_page(pa / PG, true);
	for (unsigned int i = 0; i < ENTRIES; i++) {
		u64 junk = below(2) ? frame() + (below(4) ? 0 : below(PG))
				    : rnd();

		memcpy(p + 8 * i, &junk, 8);
	}
	return pa;
}

#define MAX_REC	2048

static struct ref_range rec[MAX_REC];

/*
 * Off-limits ranges for a layout: most often at, just inside or just
 * outside one of the ranges the model says the controller touches.
 */
static void deny_random(size_t nr)
{
	unsigned int n = below(4);

	mem.nr_denied = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct ref_range *t = nr ? &rec[below(nr)] : NULL;

		if (!t || !below(5)) {
			deny(frame(), 1 + below(3 * PG));
			continue;
		}
		switch (below(6)) {
		case 0:
			deny(t->pa & ~(PG - 1), PG);
			break;
		case 1:
			deny(t->pa + t->len - 1, 1);
			break;
		case 2:
			deny(t->pa + t->len, 1 + below(PG));
			break;
		case 3:
			if (t->pa)
				deny_bytes(t->pa - 1 - below(PG) % t->pa,
					   t->pa - 1);
			break;
		case 4:
			deny(t->pa, 1);
			break;
		default:
			deny(t->pa + below(t->len), 1);
			break;
		}
	}
}

struct prp_layout {
	u64 prp1, prp2, len;
	u64 data_at[1100], chain_at[8];	/* where entries were written */
	unsigned int nr_data, nr_chain;
};

static void gen_prp(struct prp_layout *l)
{
	u64 off = below(4) ? below(PG) & ~3ULL : 0, first, rem, npages;
	u64 list_off = below(3) ? 0 : below(ENTRIES) * 8;

	if (!below(16))
		off = below(PG);
	first = PG - off;
	switch (below(5)) {
	case 0:
		l->len = 1 + below(3 * PG);
		break;
	case 1:
		l->len = first + below(520) * PG + below(3);
		if (l->len > 1)
			l->len -= 1;
		break;
	case 2:		/* around the end of the first list page */
		npages = ENTRIES - list_off / 8 + below(3) - 1 +
			 (below(2) ? ENTRIES - 1 : 0);
		if (npages < 2)
			npages = 2;
		l->len = first + (npages - 1) * PG + 1 + below(PG);
		if (below(2))
			l->len = first + npages * PG;
		break;
	default:
		l->len = 1 + below(2 << 20);
		break;
	}
	l->prp1 = frame() + off;
	l->nr_data = l->nr_chain = 0;
	l->prp2 = rnd();
	rem = l->len > first ? l->len - first : 0;
	npages = (rem + PG - 1) / PG;
	if (npages == 1) {
		l->prp2 = frame();
	} else if (npages > 1) {
		u64 ptr = new_list_page() + list_off, left = npages;

		l->prp2 = ptr;
		while (left) {
			u64 slots = (PG - ptr % PG) / 8;
			u64 here = left <= slots ? left : slots - 1;

			for (u64 i = 0; i < here; i++) {
				l->data_at[l->nr_data++] = ptr + 8 * i;
				put64(ptr + 8 * i, frame());
			}
			left -= here;
			if (left) {
				u64 next = new_list_page();

				l->chain_at[l->nr_chain++] = ptr + 8 * here;
				put64(ptr + 8 * here, next);
				ptr = next;
			}
		}
	}
	if (below(8))
		return;
	/* Malformed layouts, and ones at the top of the address space. */
	switch (below(6)) {
	case 0:
		l->prp2 += npages == 1 ? 1 + below(PG - 1) : 1 + below(7);
		break;
	case 1:
		if (l->nr_data)
			put64(l->data_at[below(l->nr_data)],
			      frame() + 1 + below(PG - 1));
		break;
	case 2:
		/*
		 * Only the low three bits: a qword-aligned page offset is
		 * prp_chain_pointer_offset's business.
		 */
		if (l->nr_chain) {
			u64 at = l->chain_at[below(l->nr_chain)];

			put64(at, ref_rd64(at) + 1 + below(7));
		}
		break;
	case 3:
		l->prp1 = TOP + off;
		break;
	case 4:
		if (npages == 1)
			l->prp2 = TOP;
		else if (l->nr_data)
			put64(l->data_at[below(l->nr_data)], TOP);
		break;
	default:
		if (npages > 1)
			l->prp2 = TOP + PG - 8 * (1 + below(3));
		break;
	}
}

struct tally {
	unsigned long accepted, denied, malformed;
};

static void check_tally(const struct tally *t, unsigned long n)
{
	ck_assert_msg(t->accepted > n / 5 && t->denied > n / 5 &&
		      t->malformed > n / 50,
		      "accepted %lu, denied %lu, malformed %lu",
		      t->accepted, t->denied, t->malformed);
}

START_TEST(differential_prp)
{
	static struct prp_layout l;
	struct tally t = { 0 };
	const unsigned long n = 100000;

	rng = 0x5eed0000c0ffeeULL;
	for (unsigned long it = 0; it < n; it++) {
		struct ref r = { .rec = rec, .max = MAX_REC };
		int got;

		mem_reset();
		gen_prp(&l);
		ref_prp(&r, l.prp1, l.prp2, l.len);
		deny_random(r.nr);
		r = (struct ref){ 0 };
		ref_prp(&r, l.prp1, l.prp2, l.len);
		got = prp(l.prp1, l.prp2, l.len);
		if ((got != 0 && got != -1) || (got == -1) != r.refuse)
			ck_abort_msg("iteration %lu: prp1 %#llx prp2 %#llx len %#llx: got %d, model %s",
				     it, (unsigned long long)l.prp1,
				     (unsigned long long)l.prp2,
				     (unsigned long long)l.len, got,
				     r.refuse ? "refuses" : "accepts");
		if (!(it % 4)) {
			/* The copy: same verdict, and an equivalent list. */
			struct ref o = { .rec = rec, .max = MAX_REC };
			struct ref c = { .rec = copy_rec, .max = 4096 };
			u64 prp2 = l.prp2;

			pool_reset(8);
			ck_assert_int_eq(nvme_dma_copy_prp(l.prp1, &prp2, l.len,
							   &env), got);
			if (!got) {
				ref_prp(&o, l.prp1, l.prp2, l.len);
				ref_prp(&c, l.prp1, prp2, l.len);
				check_copy(&o, &c, it);
			}
		}
		if (r.malformed)
			t.malformed++;
		else if (r.refuse)
			t.denied++;
		else
			t.accepted++;
	}
	check_tally(&t, n);
}
END_TEST

static u64 random_data_desc(u8 *d)
{
	u64 addr = below(16) ? frame() + below(PG) : ~0ULL - below(PG);
	u32 len;

	switch (below(6)) {
	case 0:
		len = 0;
		break;
	case 1:		/* beyond the VMM's bound now and then */
		len = below(8) ? 1 + below(NVME_MAX_XFER) : rnd();
		break;
	default:
		len = 1 + below(3 * PG);
		break;
	}
	mkdesc(d, addr, len, below(8) ? DATA_BLOCK : BIT_BUCKET);
	return addr;
}

#define MAX_SEGS	(NVME_SGL_MAX_SEGMENTS + 8)

static void gen_sgl(u8 *d1)
{
	u64 at[MAX_SEGS], cursor = frame() + below(PG / 16) * 16;
	unsigned int n[MAX_SEGS], types[MAX_SEGS], nseg;
	u8 d[16];

	switch (below(20)) {
	case 0:
		mkdesc(d1, frame(), below(64) * 16, 4 + below(12));
		return;
	case 1 ... 5:
		random_data_desc(d1);
		return;
	}
	nseg = below(8) ? 1 + below(4) : NVME_SGL_MAX_SEGMENTS - 4 + below(9);
	for (unsigned int s = 0; s < nseg; s++) {
		n[s] = nseg > 8 ? 1 + below(2) : 1 + below(8);
		at[s] = cursor;
		cursor += 16 * (n[s] + below(2));
		/* A Last Segment is the last; a Segment may be, too. */
		types[s] = s + 1 < nseg || below(2) ? SEGMENT : LAST_SEGMENT;
	}
	for (unsigned int s = 0; s < nseg; s++)
		for (unsigned int i = 0; i < n[s]; i++) {
			if (i + 1 == n[s] && s + 1 < nseg)
				mkdesc(d, at[s + 1], 16 * n[s + 1], types[s + 1]);
			else
				random_data_desc(d);
			mem_put(at[s] + 16 * i, d, 16);
		}
	mkdesc(d1, at[0], 16 * n[0], types[0]);
	if (below(8))
		return;
	/* Malformed: pick a segment and break it or the pointer to it. */
	{
		unsigned int s = below(nseg);
		u8 *p = s ? d : d1;
		u64 where = s ? at[s - 1] + 16 * (n[s - 1] - 1) : 0, addr;
		u32 len;

		if (s)
			ref_rd(where, d, 16);
		memcpy(&addr, p, 8);
		memcpy(&len, p + 8, 4);
		switch (below(6)) {
		case 0:
			len = 0;
			break;
		case 1:
			len += below(2) ? 8 : -8;
			break;
		case 2:
			addr += 1 + below(15);
			break;
		case 3:		/* a Last Segment that is not */
			p[15] = LAST_SEGMENT << 4;
			break;
		case 4:		/* a chain before the segment's end */
			if (s && n[s - 1] > 1) {
				u8 other[16];
				u64 prev = where - 16 * (1 + below(n[s - 1] - 1));

				ref_rd(prev, other, 16);
				mem_put(prev, d, 16);
				mem_put(where, other, 16);
				return;
			}
			break;
		default:
			if (s) {
				u64 i = below(n[s]);

				ref_rd(at[s] + 16 * i, d, 16);
				d[15] = (4 + below(12)) << 4;
				mem_put(at[s] + 16 * i, d, 16);
				return;
			}
			p[15] = (4 + below(12)) << 4;
			break;
		}
		memcpy(p, &addr, 8);
		memcpy(p + 8, &len, 4);
		if (s)
			mem_put(where, d, 16);
	}
}

START_TEST(differential_sgl)
{
	struct tally t = { 0 };
	const unsigned long n = 100000;
	u8 d1[16];

	rng = 0x5eed0000f00dULL;
	for (unsigned long it = 0; it < n; it++) {
		struct ref r = { .rec = rec, .max = MAX_REC };
		int got;

		mem_reset();
		gen_sgl(d1);
		ref_sgl(&r, d1);
		deny_random(r.nr);
		r = (struct ref){ 0 };
		ref_sgl(&r, d1);
		got = nvme_dma_check_sgl(d1, &env);
		if ((got != 0 && got != -1) || (got == -1) != r.refuse) {
			u64 addr;
			u32 len;

			memcpy(&addr, d1, 8);
			memcpy(&len, d1 + 8, 4);
			ck_abort_msg("iteration %lu: sgl1 type %u addr %#llx len %#x: got %d, model %s",
				     it, d1[15] >> 4, (unsigned long long)addr,
				     len, got, r.refuse ? "refuses" : "accepts");
		}
		if (!(it % 4)) {
			struct ref o = { .rec = rec, .max = MAX_REC };
			struct ref c = { .rec = copy_rec, .max = 4096 };
			u8 copy[16];

			memcpy(copy, d1, 16);
			pool_reset(NVME_SGL_MAX_SEGMENTS);
			ck_assert_int_eq(nvme_dma_copy_sgl(copy, &env), got);
			if (!got) {
				ref_sgl(&o, d1);
				ref_sgl(&c, copy);
				check_copy(&o, &c, it);
			}
		}
		if (r.malformed)
			t.malformed++;
		else if (r.refuse)
			t.denied++;
		else
			t.accepted++;
	}
	check_tally(&t, n);
}
END_TEST

/* --- transfer lengths ---------------------------------------------------- */

static struct nvme_sqe cmd(u8 opcode)
{
	return (struct nvme_sqe){ .opcode = opcode, .prp1 = DATA };
}

static const struct nvme_lbaf f7 = { .lba_shift = 7 };
static const struct nvme_lbaf f9 = { .lba_shift = 9 };
static const struct nvme_lbaf f12 = { .lba_shift = 12 };

START_TEST(io_lengths)
{
	struct nvme_sqe c = cmd(OP_READ);

	c.cdw12 = 7;			/* 8 blocks */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f9), 4096);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 32768);
	c.opcode = OP_WRITE;
	c.cdw12 = 0x40000000 | 0;	/* FUA, 1 block: only bits 15:0 count */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 4096);
	c.opcode = OP_ZONE_APPEND;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 4096);
	/* 65536 blocks of 4 KiB: 256 MiB, more than any Linux command. */
	c.opcode = OP_READ;
	c.cdw12 = 0xffff;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f7), 8ULL << 20);	/* the limit */
	c = cmd(OP_DSM);
	c.cdw10 = 255;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 256 * 16);
	c = cmd(OP_COPY);
	c.cdw12 = 3;			/* 4 ranges, format 0 */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 128);
	c.cdw12 = 1 << 8 | 3;		/* format 1 */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 160);
	c.cdw12 = 2 << 8;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
	c = cmd(OP_RESV_REPORT);
	c.cdw10 = 1023;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 4096);
	c = cmd(OP_ZONE_MGMT_RECV);
	c.cdw12 = 0xffffffff;		/* 16 GiB */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
	c = cmd(OP_ZONE_MGMT_SEND);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 0);
	c.cdw13 = 0x10;			/* Set Zone Descriptor Extension */
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
	/* No data: flush, write zeroes, verify, and unknown 0b..00 opcodes. */
	c = cmd(OP_FLUSH);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 0);
	c = cmd(OP_WRITE_ZEROES);
	c.cdw12 = 0xffff;
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 0);
	c = cmd(OP_VERIFY);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 0);
	c = cmd(0x20);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), 0);
	/* Vendor specific and reserved opcodes with data are refused. */
	for (unsigned int op = 0x80; op <= 0xff; op++) {
		c = cmd(op);
		if (op & 3)
			ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
	}
	c = cmd(0x03);
	ck_assert_uint_eq(nvme_io_bytes(&c, &f12), NVME_XFER_REFUSE);
}
END_TEST

START_TEST(io_lengths_metadata)
{
	/* 4 KiB blocks with 8 bytes of PI, apart and inline; 16 bytes of
	 * metadata of which 8 are PI, inline. */
	const struct nvme_lbaf apart = { .lba_shift = 12, .ms = 8, .pi_size = 8 };
	const struct nvme_lbaf ext = { .lba_shift = 12, .ms = 8, .pi_size = 8,
				       .ext = true };
	const struct nvme_lbaf ext16 = { .lba_shift = 12, .ms = 16,
					 .pi_size = 8, .ext = true };
	const struct nvme_lbaf nopi = { .lba_shift = 9, .ms = 64 };
	struct nvme_sqe c = cmd(OP_WRITE);

	c.cdw12 = 3;			/* 4 blocks, PRACT clear */
	ck_assert_uint_eq(nvme_io_bytes(&c, &apart), 16384);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &apart), 32);
	ck_assert_uint_eq(nvme_io_bytes(&c, &ext), 4 * 4104);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &ext), 0);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &nopi), 256);
	c.cdw12 |= 1U << 29;		/* PRACT: the controller adds the PI */
	ck_assert_uint_eq(nvme_io_bytes(&c, &apart), 16384);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &apart), 0);
	ck_assert_uint_eq(nvme_io_bytes(&c, &ext), 16384);
	/* More metadata than PI: it still moves, inline. */
	ck_assert_uint_eq(nvme_io_bytes(&c, &ext16), 4 * 4112);
	/* PRACT means nothing without PI. */
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &nopi), 256);
	/* A namespace the VMM does not know: logical blocks refused. */
	ck_assert_uint_eq(nvme_io_bytes(&c, NULL), NVME_XFER_REFUSE);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, NULL), NVME_XFER_REFUSE);
	c = cmd(OP_FLUSH);
	ck_assert_uint_eq(nvme_io_bytes(&c, NULL), 0);
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, NULL), 0);
	c = cmd(OP_DSM);
	ck_assert_uint_eq(nvme_io_bytes(&c, NULL), 16);
	/* 65536 blocks of 512 bytes with 64 of metadata: 4 MiB apart. */
	c = cmd(OP_READ);
	c.cdw12 = 0xffff;
	ck_assert_uint_eq(nvme_io_meta_bytes(&c, &nopi), 4ULL << 20);
	ck_assert_uint_eq(nvme_io_bytes(&c, &ext16), NVME_XFER_REFUSE);
}
END_TEST

START_TEST(admin_lengths)
{
	struct nvme_sqe c = cmd(ADM_IDENTIFY);

	ck_assert_uint_eq(nvme_admin_bytes(&c), 4096);
	c = cmd(ADM_GET_LOG);
	c.cdw10 = 127 << 16;		/* NUMDL: 128 dwords */
	ck_assert_uint_eq(nvme_admin_bytes(&c), 512);
	c.cdw11 = 0xffff;		/* NUMDU: 16 GiB */
	ck_assert_uint_eq(nvme_admin_bytes(&c), NVME_XFER_REFUSE);
	c = cmd(ADM_CREATE_SQ);
	c.cdw10 = 1023 << 16 | 1;
	ck_assert_uint_eq(nvme_admin_bytes(&c), 1024 * 64);
	c = cmd(ADM_CREATE_CQ);
	c.cdw10 = 1023 << 16 | 1;
	ck_assert_uint_eq(nvme_admin_bytes(&c), 1024 * 16);
	c = cmd(ADM_FW_DOWNLOAD);
	c.cdw10 = 1023;
	ck_assert_uint_eq(nvme_admin_bytes(&c), 4096);
	c = cmd(ADM_SECURITY_RECV);
	c.cdw11 = 512;
	ck_assert_uint_eq(nvme_admin_bytes(&c), 512);
	c = cmd(ADM_SET_FEATURES);
	c.cdw10 = 0x07;			/* Number of Queues: no data, a page at most */
	ck_assert_uint_eq(nvme_admin_bytes(&c), 4096);
	c.cdw10 = FEAT_HOST_MEM_BUF;	/* memory by address: refused */
	ck_assert_uint_eq(nvme_admin_bytes(&c), NVME_XFER_REFUSE);
	c = cmd(ADM_DBBUF);
	ck_assert_uint_eq(nvme_admin_bytes(&c), 0);
	c = cmd(ADM_KEEP_ALIVE);
	ck_assert_uint_eq(nvme_admin_bytes(&c), 0);
	/* Vendor specific admin commands (C0h-FFh) are refused. */
	for (unsigned int op = 0xc0; op <= 0xff; op++) {
		c = cmd(op);
		ck_assert_uint_eq(nvme_admin_bytes(&c), NVME_XFER_REFUSE);
	}
}
END_TEST


static Suite *nvme_dma_suite(void)
{
	Suite *s = suite_create("nvme_dma");
	TCase *tc = tcase_create("nvme_dma");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, prp_len_zero);
	tcase_add_test(tc, prp_single_page);
	tcase_add_test(tc, prp_two_pages);
	tcase_add_test(tc, prp_list);
	tcase_add_test(tc, prp_list_fills_page);
	tcase_add_test(tc, prp_list_chain);
	tcase_add_test(tc, prp_misaligned);
	tcase_add_test(tc, prp_chain_pointer_offset);
	tcase_add_test(tc, prp_denied);
	tcase_add_test(tc, prp_wrap);
	tcase_add_test(tc, prp_long_lists);
	tcase_add_test(tc, sgl_data_block);
	tcase_add_test(tc, sgl_total_bounded);
	tcase_add_test(tc, sgl_bit_bucket);
	tcase_add_test(tc, sgl_segments);
	tcase_add_test(tc, sgl_chain_not_last);
	tcase_add_test(tc, sgl_last_segment_chains);
	tcase_add_test(tc, sgl_bad_segment);
	tcase_add_test(tc, sgl_max_segments);
	tcase_add_test(tc, sgl_unknown_type);
	tcase_add_test(tc, copy_prp_no_list);
	tcase_add_test(tc, copy_prp_list);
	tcase_add_test(tc, copy_prp_chain);
	tcase_add_test(tc, copy_sgl);
	tcase_add_test(tc, differential_prp);
	tcase_add_test(tc, differential_sgl);
	tcase_add_test(tc, io_lengths);
	tcase_add_test(tc, io_lengths_metadata);
	tcase_add_test(tc, admin_lengths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nvme_dma_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
