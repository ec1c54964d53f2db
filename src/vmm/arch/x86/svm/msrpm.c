// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM MSR permission map: the encoding of the VMM's MSR intercepts
 * (policy_msr_intercepts()) for SVM.  Pure functions, unit-tested in user
 * space (tools/testing/unit/test_policy.c).
 */
#include <vmm/policy.h>
#include <vmm/svm.h>

/* Bit offset of an MSR's read bit in the SVM MSR permission map. */
static int msrpm_bit(u32 msr)
{
	if (msr <= 0x1fff)
		return msr * 2;
	if (msr - 0xc0000000 <= 0x1fff)
		return 0x800 * 8 + (msr - 0xc0000000) * 2;
	if (msr - 0xc0010000 <= 0x1fff)
		return 0x1000 * 8 + (msr - 0xc0010000) * 2;
	return -1;
}

/**
 * svm_msrpm_set() - intercept reads and/or writes of an MSR
 * @msrpm:	the 8 KiB MSR permission map
 * @msr:	MSR number
 * @read:	intercept RDMSR
 * @write:	intercept WRMSR
 *
 * MSRs outside the three ranges the map covers always exit on SVM.
 *
 * Return: 0, or -22 for an MSR outside the map.
 */
int svm_msrpm_set(u8 *msrpm, u32 msr, bool read, bool write)
{
	int bit = msrpm_bit(msr);

	if (bit < 0)
		return -22;
	if (read)
		msrpm[bit / 8] |= 1U << (bit % 8);
	if (write)
		msrpm[(bit + 1) / 8] |= 1U << ((bit + 1) % 8);
	return 0;
}

/**
 * svm_msrpm_test() - whether an access to an MSR exits
 * @msrpm:	the MSR permission map
 * @msr:	MSR number
 * @write:	WRMSR rather than RDMSR
 *
 * Return: true if the access is intercepted.
 */
bool svm_msrpm_test(const u8 *msrpm, u32 msr, bool write)
{
	int bit = msrpm_bit(msr);

	if (bit < 0)
		return true;
	bit += write;
	return msrpm[bit / 8] & (1U << (bit % 8));
}

static int msrpm_set(void *msrpm, u32 msr, bool read, bool write)
{
	return svm_msrpm_set(msrpm, msr, read, write);
}

/**
 * svm_msrpm_build() - the VMM's MSR intercepts on a zeroed map
 * @msrpm:	zeroed 8 KiB map
 *
 * Return: 0, or -22 if one of them were outside the map.
 */
int svm_msrpm_build(u8 *msrpm)
{
	return policy_msr_intercepts(msrpm_set, msrpm);
}
