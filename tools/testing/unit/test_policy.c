// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's CPUID and MSR policy (src/vmm/core/policy.c): SVM
 * and VMX hidden and nothing else changed; the SVM MSR permission map layout
 * (three ranges, two bits per MSR), the VMX MSR bitmap layout (two ranges,
 * read and write halves), and exactly the intended intercepts in both;
 * the rules for the kernel's MSR writes, for EFER and for the MTRRs.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/policy.h>
#include <vmm/svm.h>
#include <vmm/vmx.h>

START_TEST(cpuid_hides_svm_and_vmx_only)
{
	u32 a, b, c, d;

	a = 0x11; b = 0x22; c = 0xffffffff; d = 0x44;
	policy_filter_cpuid(0x80000001, &a, &b, &c, &d);
	ck_assert_uint_eq(c, 0xfffffffb);
	ck_assert_uint_eq(a, 0x11);
	ck_assert_uint_eq(b, 0x22);
	ck_assert_uint_eq(d, 0x44);

	a = b = c = d = 0xffffffff;
	policy_filter_cpuid(0x8000000a, &a, &b, &c, &d);
	ck_assert_uint_eq(a | b | c | d, 0);

	/* Leaf 1: VMX (ECX bit 5) goes, nothing else. */
	a = 0x11; b = 0x22; c = 0xffffffff; d = 0xffffffff;
	policy_filter_cpuid(1, &a, &b, &c, &d);
	ck_assert_uint_eq(c, 0xffffffdf);
	ck_assert_uint_eq(a, 0x11);
	ck_assert_uint_eq(b, 0x22);
	ck_assert_uint_eq(d, 0xffffffff);

	/* Other leaves pass through. */
	for (u32 leaf = 0; leaf < 0x20; leaf++) {
		if (leaf == 1)
			continue;
		a = b = c = d = 0xdeadbeef;
		policy_filter_cpuid(leaf, &a, &b, &c, &d);
		ck_assert_uint_eq(a & b & c & d, 0xdeadbeef);
	}
	a = b = c = d = 0xdeadbeef;
	policy_filter_cpuid(0x80000008, &a, &b, &c, &d);
	ck_assert_uint_eq(a & b & c & d, 0xdeadbeef);
}
END_TEST

START_TEST(msrpm_layout)
{
	u8 *pm = calloc(1, SVM_MSRPM_SIZE);

	/* APM: byte 0x000 MSR 0, byte 0x800 MSR C000_0000, 0x1000 C001_0000. */
	ck_assert_int_eq(svm_msrpm_set(pm, 0x0, true, false), 0);
	ck_assert_uint_eq(pm[0], 0x01);
	ck_assert_int_eq(svm_msrpm_set(pm, 0x3, false, true), 0);
	ck_assert_uint_eq(pm[0], 0x81);
	ck_assert_int_eq(svm_msrpm_set(pm, 0xc0000080, true, true), 0);
	ck_assert_uint_eq(pm[0x800 + 0x80 / 4], 0x03);
	ck_assert_int_eq(svm_msrpm_set(pm, 0xc0011fff, true, true), 0);
	ck_assert_uint_eq(pm[0x17ff], 0xc0);
	ck_assert_int_eq(svm_msrpm_set(pm, 0x1fff, true, true), 0);
	ck_assert_uint_eq(pm[0x7ff], 0xc0);
	/* Outside the three ranges: refused, and such MSRs always exit. */
	ck_assert_int_eq(svm_msrpm_set(pm, 0x2000, true, true), -22);
	ck_assert_int_eq(svm_msrpm_set(pm, 0xc0002000, true, true), -22);
	ck_assert_int_eq(svm_msrpm_set(pm, 0x40000000, true, true), -22);
	ck_assert(svm_msrpm_test(pm, 0x40000000, false));
	/* Nothing beyond the map was touched. */
	for (int i = 0x1800; i < SVM_MSRPM_SIZE; i++)
		ck_assert_uint_eq(pm[i], 0);
	free(pm);
}
END_TEST

/*
 * Reads and writes of EFER, VM_CR, VM_HSAVE_PA, PAT; writes only of
 * APIC_BASE, SYSCFG, TOM, TOM2, KVM's clock MSRs and the MTRRs but the fixed
 * ranges (variable ranges 0x200-0x24f, the default type).
 */
static const struct { u32 msr; bool read; } intercepted[] = {
	{ 0xc0000080, true }, { 0xc0010114, true },
	{ 0xc0010117, true }, { 0x277, true }, { 0x1b, false },
	{ 0xc0010010, false },
	{ 0xc001001a, false }, { 0xc001001d, false }, { 0x11, false },
	{ 0x12, false },
};
#define NR_INTERCEPTED	(int)(sizeof(intercepted) / sizeof(intercepted[0]))

/* Every MSR of @ranges exits exactly as the policy says in @map. */
static void check_exactly(const u8 *map,
			  bool (*test)(const u8 *map, u32 msr, bool write),
			  const u32 (*ranges)[2], int nr_ranges)
{
	for (int r = 0; r < nr_ranges; r++) {
		for (u32 msr = ranges[r][0]; msr <= ranges[r][1]; msr++) {
			bool rd = false, wr = false;

			for (int i = 0; i < NR_INTERCEPTED; i++) {
				if (msr != intercepted[i].msr)
					continue;
				rd = intercepted[i].read;
				wr = true;
			}
			if ((msr >= 0x200 && msr < 0x250) || msr == 0x2ff)
				wr = true;
			if (test(map, msr, false) != rd ||
			    test(map, msr, true) != wr)
				ck_abort_msg("MSR %#x: intercept r%d w%d, want r%d w%d",
					     msr, test(map, msr, false),
					     test(map, msr, true), rd, wr);
		}
	}
}

START_TEST(vmm_intercepts_exactly)
{
	static const u32 ranges[][2] = {
		{ 0, 0x1fff }, { 0xc0000000, 0xc0001fff },
		{ 0xc0010000, 0xc0011fff },
	};
	u8 *pm = calloc(1, SVM_MSRPM_SIZE);

	ck_assert_int_eq(svm_msrpm_build(pm), 0);
	check_exactly(pm, svm_msrpm_test, ranges, 3);
	for (int i = 0; i < NR_INTERCEPTED; i++)
		ck_assert(policy_msr_emulated(intercepted[i].msr) ==
			  intercepted[i].read);
	free(pm);
}
END_TEST

START_TEST(vmx_msr_bitmap_layout)
{
	u8 *bm = calloc(1, VMX_MSR_BITMAP_SIZE);

	/* SDM 25.6.9: read low 0, read high 1024, write low 2048, high 3072. */
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0x0, true, false), 0);
	ck_assert_uint_eq(bm[0], 0x01);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0x9, false, true), 0);
	ck_assert_uint_eq(bm[2048 + 1], 0x02);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0xc0000080, true, true), 0);
	ck_assert_uint_eq(bm[1024 + 0x10], 0x01);
	ck_assert_uint_eq(bm[3072 + 0x10], 0x01);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0xc0001fff, true, true), 0);
	ck_assert_uint_eq(bm[2047], 0x80);
	ck_assert_uint_eq(bm[4095], 0x80);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0x1fff, false, true), 0);
	ck_assert_uint_eq(bm[1023], 0);
	ck_assert_uint_eq(bm[3071], 0x80);
	ck_assert(vmx_msr_bitmap_test(bm, 0x1fff, true));
	ck_assert(!vmx_msr_bitmap_test(bm, 0x1fff, false));
	ck_assert(!vmx_msr_bitmap_test(bm, 0x1ffe, true));
	/* Outside the two ranges (AMD's too): refused, always exits. */
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0x2000, true, true), -22);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0xc0002000, true, true), -22);
	ck_assert_int_eq(vmx_msr_bitmap_set(bm, 0xc0010114, true, true), -22);
	ck_assert(vmx_msr_bitmap_test(bm, 0xc0010114, false));
	ck_assert(vmx_msr_bitmap_test(bm, 0x40000000, true));
	free(bm);
}
END_TEST

/* The same policy in the VMX encoding: the same accesses exit. */
START_TEST(vmx_intercepts_exactly)
{
	static const u32 ranges[][2] = {
		{ 0, 0x1fff }, { 0xc0000000, 0xc0001fff },
	};
	u8 *bm = calloc(1, VMX_MSR_BITMAP_SIZE);

	ck_assert_int_eq(vmx_msr_bitmap_build(bm), 0);
	check_exactly(bm, vmx_msr_bitmap_test, ranges, 2);
	/*
	 * The policy's AMD MSRs exit without a bit, reads too (vcpu_msr()
	 * passes those to the CPU).
	 */
	for (int i = 0; i < NR_INTERCEPTED; i++) {
		u32 msr = intercepted[i].msr;
		bool outside = msr >= 0xc0010000;

		ck_assert(vmx_msr_bitmap_test(bm, msr, true));
		ck_assert(vmx_msr_bitmap_test(bm, msr, false) ==
			  (intercepted[i].read || outside));
	}
	free(bm);
}
END_TEST

START_TEST(msr_write_rules)
{
	u64 addr = 0;
	u32 len = 0;

	/* Only SYSCFG, TOM and TOM2 need the current value. */
	ck_assert(policy_msr_write_needs_old(0xc0010010));
	ck_assert(policy_msr_write_needs_old(0xc001001a));
	ck_assert(policy_msr_write_needs_old(0xc001001d));
	ck_assert(!policy_msr_write_needs_old(0x1b));
	ck_assert(!policy_msr_write_needs_old(0x40000070));
	/* Anything not listed goes to the CPU, outside the map too. */
	ck_assert_int_eq(policy_msr_write(0xc0002000, 0, 5, &addr, &len),
			 POLICY_MSR_PASS);
	ck_assert_int_eq(policy_msr_write(0x10, 0, 5, &addr, &len),
			 POLICY_MSR_PASS);
	/* SYSCFG: only the fixed-range MTRR enables may change. */
	ck_assert_int_eq(policy_msr_write(0xc0010010, 0x740000, 0x7c0000,
					  &addr, &len), POLICY_MSR_PASS);
	ck_assert_int_eq(policy_msr_write(0xc0010010, 0x7c0000, 0x740000,
					  &addr, &len), POLICY_MSR_PASS);
	ck_assert_int_eq(policy_msr_write(0xc0010010, 0x740000, 0x40000,
					  &addr, &len), POLICY_MSR_GP);
	ck_assert_int_eq(policy_msr_write(0xc0010010, 0, 1ULL << 23,
					  &addr, &len), POLICY_MSR_GP);
	/* TOM, TOM2: no change. */
	ck_assert_int_eq(policy_msr_write(0xc001001a, 0x80000000, 0x80000000,
					  &addr, &len), POLICY_MSR_PASS);
	ck_assert_int_eq(policy_msr_write(0xc001001a, 0x80000000, 0x40000000,
					  &addr, &len), POLICY_MSR_GP);
	ck_assert_int_eq(policy_msr_write(0xc001001d, 0x880000000ULL, 0,
					  &addr, &len), POLICY_MSR_GP);
	/* APIC_BASE: the page, while the xAPIC is enabled. */
	ck_assert_int_eq(policy_msr_write(0x1b, 0, 0x3e000900, &addr, &len),
			 POLICY_MSR_CHECK_RANGE);
	ck_assert_uint_eq(addr, 0x3e000000);
	ck_assert_uint_eq(len, 4096);
	ck_assert_int_eq(policy_msr_write(0x1b, 0, 0x3e000100, &addr, &len),
			 POLICY_MSR_PASS);
	/* KVM's clock and steal time, Hyper-V's pages: when enabled. */
	ck_assert_int_eq(policy_msr_write(0x4b564d01, 0, 0x12345001, &addr,
					  &len), POLICY_MSR_CHECK_RANGE);
	ck_assert_uint_eq(addr, 0x12345000);
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(policy_msr_write(0x4b564d01, 0, 0x12345000, &addr,
					  &len), POLICY_MSR_PASS);
	ck_assert_int_eq(policy_msr_write(0x4b564d03, 0, 0x12345041, &addr,
					  &len), POLICY_MSR_CHECK_RANGE);
	ck_assert_uint_eq(addr, 0x12345040);
	ck_assert_uint_eq(len, 64);
	ck_assert_int_eq(policy_msr_write(0x11, 0, 0x5000, &addr, &len),
			 POLICY_MSR_CHECK_RANGE);
	ck_assert_uint_eq(addr, 0x5000);
	ck_assert_int_eq(policy_msr_write(0x40000001, 0, 0x7000123, &addr,
					  &len), POLICY_MSR_CHECK_RANGE);
	ck_assert_uint_eq(addr, 0x7000000);
	ck_assert_uint_eq(len, 4096);
}
END_TEST

START_TEST(pat_rules)
{
	/* Linux's PAT, all-WB, all-UC: fine. */
	ck_assert(policy_pat_valid(0x0407050600070106ULL));
	ck_assert(policy_pat_valid(0x0606060606060606ULL));
	ck_assert(policy_pat_valid(0));
	/* Types 2 and 3, and the upper bits of any entry: reserved. */
	for (int i = 0; i < 8; i++) {
		ck_assert(!policy_pat_valid(2ULL << (i * 8)));
		ck_assert(!policy_pat_valid(3ULL << (i * 8)));
		ck_assert(!policy_pat_valid(0x08ULL << (i * 8)));
		ck_assert(!policy_pat_valid(0x80ULL << (i * 8)));
	}
}
END_TEST

START_TEST(efer_rules)
{
	/* A Zen-like CPU: SYSCALL, NX, LM, FFXSR; SVM; TCE; AutoIBRS. */
	u64 w = policy_efer_writable(1U << 2 | 1U << 17,
				     1U << 11 | 1U << 20 | 1U << 25 | 1U << 29,
				     1U << 20, 1U << 8);
	u64 cur = 0x1d01, out = 0;	/* SCE LME LMA NXE SVME */

	ck_assert_uint_eq(w, 0x20dd01);
	/* Without EferLmsleUnsupported, LMSLE is writable. */
	ck_assert(policy_efer_writable(0, 1U << 29, 0, 0) & (1ULL << 13));
	/* Reserved bits: #GP. */
	ck_assert(!policy_efer_write(cur, 0xd01 | 2, w, true, &out));
	ck_assert(!policy_efer_write(cur, 0xd01 | 1ULL << 13, w, true, &out));
	ck_assert(!policy_efer_write(cur, 0xd01 | 1ULL << 63, w, true, &out));
	ck_assert_uint_eq(out, 0);
	/* LME may not change while paging. */
	ck_assert(!policy_efer_write(cur, 0x801, w, true, &out));
	ck_assert(policy_efer_write(cur, 0x801, w, false, &out));
	ck_assert_uint_eq(out, 0x1c01);	/* LMA kept, SVME kept */
	/* SVME stays set whatever the kernel writes; LMA is read-only. */
	ck_assert(policy_efer_write(cur, 0x901, w, true, &out));
	ck_assert_uint_eq(out, 0x1d01);
	ck_assert(policy_efer_write(cur, 0x100 | 1ULL << 21, w, true, &out));
	ck_assert_uint_eq(out, 0x201500);
}
END_TEST

#define GIB	(1ULL << 30)
#define MIB2	(2ULL << 20)

/* An MTRR state: enabled, default @def, 8 variable ranges, 40 bits. */
static struct policy_mtrr mtrr(u8 def)
{
	return (struct policy_mtrr){ .def_type = 1ULL << 11 | def,
				     .nr_var = 8, .phys_bits = 40 };
}

/* Variable range @i: @size bytes (a power of two) at @base, type @type. */
static void mtrr_range(struct policy_mtrr *s, int i, u64 base, u64 size,
		       u8 type)
{
	policy_mtrr_set(s, 0x200 + 2 * i, base | type);
	policy_mtrr_set(s, 0x201 + 2 * i,
			(~(size - 1) & ((1ULL << 40) - 1)) | 1ULL << 11);
}

START_TEST(mtrr_rules)
{
	struct policy_mtrr s;
	const u64 chunk = 3 * GIB;	/* a chunk of the VMM's memory */

	/* Which writes are checked: the default type and VCNT ranges. */
	ck_assert(policy_mtrr_msr(0x2ff, 8));
	ck_assert(policy_mtrr_msr(0x200, 8));
	ck_assert(policy_mtrr_msr(0x20f, 8));
	ck_assert(!policy_mtrr_msr(0x210, 8));
	ck_assert(policy_mtrr_msr(0x24f, 255));
	ck_assert(!policy_mtrr_msr(0x250, 255));	/* fixed ranges */
	ck_assert(!policy_mtrr_msr(0xfe, 8));

	/* Default WB; disabled (Linux's update sequence): UC, both usable. */
	s = mtrr(6);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 6);
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));
	policy_mtrr_set(&s, 0x2ff, 6);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 0);
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));

	/* Default UC with RAM covered WB, as many firmwares set it. */
	s = mtrr(0);
	mtrr_range(&s, 0, 0, 4 * GIB, 6);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 6);
	ck_assert_uint_eq(policy_mtrr_type(&s, 5 * GIB), 0);
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));

	/* WC over the chunk, over one of its pages, next to it. */
	mtrr_range(&s, 1, chunk, MIB2, 1);
	ck_assert(!policy_mtrr_range_ok(&s, chunk, MIB2));
	mtrr_range(&s, 1, chunk + 0x123000, 0x1000, 1);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk + 0x123000), 0xff);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk + 0x124000), 6);
	ck_assert(!policy_mtrr_range_ok(&s, chunk, MIB2));
	ck_assert(policy_mtrr_range_ok(&s, chunk, 0x123000));
	ck_assert(policy_mtrr_range_ok(&s, chunk + 0x124000, 0x1000));
	mtrr_range(&s, 1, chunk + MIB2, MIB2, 1);
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));
	/* A mask that is not valid is no range. */
	policy_mtrr_set(&s, 0x203, 0);
	mtrr_range(&s, 1, chunk, MIB2, 1);
	policy_mtrr_set(&s, 0x203, s.mask[1] & ~(1ULL << 11));
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));

	/* Overlaps: UC wins, WT over WB gives WT, WC over WB undefined. */
	mtrr_range(&s, 1, chunk, MIB2, 0);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 0);
	ck_assert(policy_mtrr_range_ok(&s, chunk, MIB2));
	mtrr_range(&s, 1, chunk, MIB2, 4);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 4);
	ck_assert(!policy_mtrr_range_ok(&s, chunk, MIB2));
	mtrr_range(&s, 1, chunk, MIB2, 1);
	mtrr_range(&s, 2, chunk, 4 * GIB, 0);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 0);	/* UC wins */

	/* A mask with a hole matches twice: 1 GiB above the chunk too. */
	s = mtrr(6);
	policy_mtrr_set(&s, 0x200, (chunk - GIB) | 1);
	policy_mtrr_set(&s, 0x201, ((~(MIB2 - 1) & ~GIB) &
				    ((1ULL << 40) - 1)) | 1ULL << 11);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk - GIB), 1);
	ck_assert_uint_eq(policy_mtrr_type(&s, chunk), 1);
	ck_assert(!policy_mtrr_range_ok(&s, chunk, MIB2));
	ck_assert(policy_mtrr_range_ok(&s, chunk + MIB2, MIB2));

	/* Base bits above the physical address width do not count. */
	s = mtrr(6);
	mtrr_range(&s, 0, chunk | 1ULL << 45, MIB2, 1);
	ck_assert(!policy_mtrr_range_ok(&s, chunk, MIB2));

	/* AMD: SYSCFG forces WB between 4 GiB and TOM2 by default. */
	ck_assert_uint_eq(policy_mtrr_tom2_wb(3ULL << 21, 8 * GIB), 8 * GIB);
	ck_assert_uint_eq(policy_mtrr_tom2_wb(1ULL << 21, 8 * GIB), 0);
	s = mtrr(1);
	s.tom2_wb = 8 * GIB;
	ck_assert_uint_eq(policy_mtrr_type(&s, 5 * GIB), 6);
	ck_assert_uint_eq(policy_mtrr_type(&s, 9 * GIB), 1);
	ck_assert(policy_mtrr_range_ok(&s, 5 * GIB, GIB));
	ck_assert(!policy_mtrr_range_ok(&s, 4 * GIB - MIB2, 2 * MIB2));
	ck_assert(!policy_mtrr_range_ok(&s, 8 * GIB - MIB2, 2 * MIB2));
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, cpuid_hides_svm_and_vmx_only);
	tcase_add_test(tc, msrpm_layout);
	tcase_add_test(tc, vmm_intercepts_exactly);
	tcase_add_test(tc, vmx_msr_bitmap_layout);
	tcase_add_test(tc, vmx_intercepts_exactly);
	tcase_add_test(tc, msr_write_rules);
	tcase_add_test(tc, efer_rules);
	tcase_add_test(tc, pat_rules);
	tcase_add_test(tc, mtrr_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
