// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID and MSR policy of the VMM: pure functions, unit-tested in user
 * space (tools/testing/unit/test_policy.c).
 */
#include <vmm/policy.h>
#include <vmm/x86.h>

#define CPUID_EXT_SVM	(1U << 2)	/* 0x80000001 ECX */

/**
 * policy_filter_cpuid() - what CPUID returns to the demoted kernel
 * @leaf:	EAX the guest asked for
 * @a:		EAX of the real CPUID, changed in place
 * @b:		EBX, likewise
 * @c:		ECX, likewise
 * @d:		EDX, likewise
 *
 * SVM is hidden: the kernel cannot run a hypervisor under the VMM (no
 * nested virtualization).  (kvm_amd checks the feature flags cached at
 * boot; what makes it refuse to load is VM_CR reading SVMDIS, see
 * svm.c.)  Everything else passes through.
 */
void policy_filter_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	if (leaf == 0x80000001)
		*c &= ~CPUID_EXT_SVM;
	else if (leaf == 0x8000000a)
		*a = *b = *c = *d = 0;
}

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

/*
 * What the kernel could use to see, disable or move the VMM: EFER (SVME),
 * VM_CR (SVMDIS, lock) and VM_HSAVE_PA.  The VMM virtualizes exactly these.
 */
static const u32 virtualized_msrs[] = { MSR_EFER, MSR_VM_CR, MSR_VM_HSAVE_PA };

/**
 * policy_msr_virtualized() - whether the VMM emulates an MSR
 * @msr:	MSR number
 *
 * Return: true for the MSRs the VMM intercepts and emulates.
 */
bool policy_msr_virtualized(u32 msr)
{
	for (size_t i = 0; i < sizeof(virtualized_msrs) / sizeof(u32); i++)
		if (msr == virtualized_msrs[i])
			return true;
	return false;
}

/**
 * svm_msrpm_build() - the VMM's MSR intercepts on a zeroed map
 * @msrpm:	zeroed 8 KiB map
 *
 * Intercepts reads and writes of the virtualized MSRs, nothing else.
 *
 * Return: 0, or -22 if one of them were outside the map.
 */
int svm_msrpm_build(u8 *msrpm)
{
	int ret = 0;

	for (size_t i = 0; i < sizeof(virtualized_msrs) / sizeof(u32); i++)
		ret |= svm_msrpm_set(msrpm, virtualized_msrs[i], true, true);
	return ret;
}
