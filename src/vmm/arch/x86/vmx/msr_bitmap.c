// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX MSR bitmap: the encoding of the VMM's MSR intercepts
 * (policy_msr_intercepts()) for VMX (Intel SDM volume 3, 25.6.9).  One
 * page: read bitmaps for MSRs 0-0x1fff and 0xc0000000-0xc0001fff, then the
 * write bitmaps for the same ranges, one bit per MSR.  Accesses to MSRs
 * outside the two ranges always exit.  Pure functions, unit-tested in user
 * space (tools/testing/unit/test_policy.c).
 */
#include <vmm/policy.h>
#include <vmm/vmx.h>

#define VMX_MSR_HIGH	0xc0000000U
#define VMX_MSR_SPAN	0x2000U		/* MSRs per range */
#define VMX_MSR_WRITE	2048		/* byte offset of the write half */

/* Bit offset of an MSR in the read half, or -1 outside the two ranges. */
static int msr_bit(u32 msr)
{
	if (msr < VMX_MSR_SPAN)
		return msr;
	if (msr - VMX_MSR_HIGH < VMX_MSR_SPAN)
		return VMX_MSR_SPAN + (msr - VMX_MSR_HIGH);
	return -1;
}

/**
 * vmx_msr_bitmap_set() - intercept reads and/or writes of an MSR
 * @bitmap:	the 4 KiB MSR bitmap
 * @msr:	MSR number
 * @read:	intercept RDMSR
 * @write:	intercept WRMSR
 *
 * Return: 0, or -22 for an MSR outside the bitmap (its accesses exit
 * anyway).
 */
int vmx_msr_bitmap_set(u8 *bitmap, u32 msr, bool read, bool write)
{
	int bit = msr_bit(msr);

	if (bit < 0)
		return -22;
	if (read)
		bitmap[bit / 8] |= 1U << (bit % 8);
	if (write)
		bitmap[VMX_MSR_WRITE + bit / 8] |= 1U << (bit % 8);
	return 0;
}

/**
 * vmx_msr_bitmap_test() - whether an access to an MSR exits
 * @bitmap:	the MSR bitmap
 * @msr:	MSR number
 * @write:	WRMSR rather than RDMSR
 *
 * Return: true if the access is intercepted.
 */
bool vmx_msr_bitmap_test(const u8 *bitmap, u32 msr, bool write)
{
	int bit = msr_bit(msr);

	if (bit < 0)
		return true;
	return bitmap[(write ? VMX_MSR_WRITE : 0) + bit / 8] & (1U << (bit % 8));
}

/*
 * The policy's MSRs outside the bitmap (AMD's 0xc0010000 range: VM_CR,
 * VM_HSAVE_PA) exit on VMX without a bit: nothing to encode.
 */
static int bitmap_set(void *bitmap, u32 msr, bool read, bool write)
{
	if (msr_bit(msr) < 0)
		return 0;
	return vmx_msr_bitmap_set(bitmap, msr, read, write);
}

/**
 * vmx_msr_bitmap_build() - the VMM's MSR intercepts on a zeroed bitmap
 * @bitmap:	zeroed 4 KiB bitmap
 *
 * Return: 0 (every MSR of the policy is intercepted, in the bitmap or
 * because it lies outside it).
 */
int vmx_msr_bitmap_build(u8 *bitmap)
{
	return policy_msr_intercepts(bitmap_set, bitmap);
}
