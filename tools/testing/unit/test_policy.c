// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the VMM's CPUID and MSR policy (src/vmm/policy.c): SVM
 * hidden and nothing else changed; the SVM MSR permission map layout
 * (three ranges, two bits per MSR) and exactly the intended intercepts.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <vmm/policy.h>

START_TEST(cpuid_hides_svm_only)
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

	/* Other leaves, including VMX's bit in leaf 1, pass through. */
	for (u32 leaf = 0; leaf < 0x20; leaf++) {
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

START_TEST(vmm_intercepts_exactly)
{
	static const u32 intercepted[] = { 0xc0000080, 0xc0010114, 0xc0010117 };
	static const u32 ranges[][2] = {
		{ 0, 0x1fff }, { 0xc0000000, 0xc0001fff },
		{ 0xc0010000, 0xc0011fff },
	};
	u8 *pm = calloc(1, SVM_MSRPM_SIZE);

	ck_assert_int_eq(svm_msrpm_build(pm), 0);
	for (int r = 0; r < 3; r++) {
		for (u32 msr = ranges[r][0]; msr <= ranges[r][1]; msr++) {
			bool want = false;

			for (int i = 0; i < 3; i++)
				want |= msr == intercepted[i];
			if (svm_msrpm_test(pm, msr, false) != want ||
			    svm_msrpm_test(pm, msr, true) != want)
				ck_abort_msg("MSR %#x: intercept %d, want %d", msr,
					     svm_msrpm_test(pm, msr, false), want);
		}
	}
	free(pm);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, cpuid_hides_svm_only);
	tcase_add_test(tc, msrpm_layout);
	tcase_add_test(tc, vmm_intercepts_exactly);
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
