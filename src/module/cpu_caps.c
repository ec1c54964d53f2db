// SPDX-License-Identifier: GPL-2.0
/*
 * Detection of AMD SVM and Intel VMX, and of firmware locks on them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "rtvirt.h"

#define CPUID_EXT_SVM		BIT(2)	/* CPUID 0x80000001 ECX */
#define CPUID_SVM_NPT		BIT(0)	/* CPUID 0x8000000A EDX */
#define CPUID_VMX		BIT(5)	/* CPUID 1 ECX */

#define MSR_VM_CR_ADDR		0xc0010114
#define VM_CR_SVMDIS		BIT(4)

#define MSR_FEAT_CTL_ADDR	0x0000003a
#define FEAT_CTL_LOCKED		BIT(0)
#define FEAT_CTL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_VMX_PROCBASED	0x00000482
#define MSR_VMX_PROCBASED2	0x0000048b
#define PROCBASED_SECONDARY	BIT(31)
#define PROCBASED2_EPT		BIT(1)

static int probe_svm(struct rtvirt_caps *caps)
{
	u64 vm_cr;

	if (rdmsrl_safe(MSR_VM_CR_ADDR, &vm_cr)) {
		pr_err("SVM advertised but VM_CR is unreadable; refusing\n");
		return -ENODEV;
	}
	if (vm_cr & VM_CR_SVMDIS) {
		pr_err("SVM disabled by firmware (VM_CR.SVMDIS); enable it in the BIOS setup\n");
		return -ENODEV;
	}
	caps->features = RTVIRT_FEAT_SVM;
	if (cpuid_eax(0x80000000) >= 0x8000000a &&
	    (cpuid_edx(0x8000000a) & CPUID_SVM_NPT))
		caps->features |= RTVIRT_FEAT_NPT;
	caps->backend = RTVIRT_BACKEND_SVM;
	return 0;
}

static int probe_vmx(struct rtvirt_caps *caps)
{
	u64 feat_ctl, ctls;

	if (rdmsrl_safe(MSR_FEAT_CTL_ADDR, &feat_ctl)) {
		pr_err("VMX advertised but IA32_FEATURE_CONTROL is unreadable; refusing\n");
		return -ENODEV;
	}
	if ((feat_ctl & FEAT_CTL_LOCKED) &&
	    !(feat_ctl & FEAT_CTL_VMX_OUTSIDE_SMX)) {
		pr_err("VMX disabled by firmware (IA32_FEATURE_CONTROL locked without VMX); enable it in the BIOS setup\n");
		return -ENODEV;
	}
	caps->features = RTVIRT_FEAT_VMX;
	if (!rdmsrl_safe(MSR_VMX_PROCBASED, &ctls) &&
	    (ctls >> 32) & PROCBASED_SECONDARY &&
	    !rdmsrl_safe(MSR_VMX_PROCBASED2, &ctls) &&
	    (ctls >> 32) & PROCBASED2_EPT)
		caps->features |= RTVIRT_FEAT_EPT;
	caps->backend = RTVIRT_BACKEND_VMX;
	return 0;
}

/**
 * rtvirt_probe_cpu() - find a usable hardware virtualization extension
 * @caps:	filled with what was found
 *
 * Reads CPUID directly rather than the kernel's feature flags, which a
 * kernel may clear for its own reasons (for example when KVM is not built).
 * Logs the reason when nothing is usable.
 *
 * Return: 0 if SVM or VMX can be used, -ENODEV otherwise.
 */
int rtvirt_probe_cpu(struct rtvirt_caps *caps)
{
	memset(caps, 0, sizeof(*caps));

	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON) {
		if (cpuid_eax(0x80000000) >= 0x80000001 &&
		    (cpuid_ecx(0x80000001) & CPUID_EXT_SVM))
			return probe_svm(caps);
	} else if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR) {
		if (cpuid_ecx(1) & CPUID_VMX)
			return probe_vmx(caps);
	}
	pr_err("no SVM or VMX: this CPU offers neither AMD SVM nor Intel VMX\n");
	return -ENODEV;
}
