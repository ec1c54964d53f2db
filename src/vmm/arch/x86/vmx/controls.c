// SPDX-License-Identifier: GPL-2.0
/*
 * VMX control fields and fixed CR bits: what the VMCS may hold on this
 * CPU, from its capability MSRs (Intel SDM volume 3, appendix A.3 to A.8).
 * Pure functions, unit-tested in user space (tools/testing/unit/test_vmx.c).
 */
#include <vmm/vmx.h>

/**
 * vmx_adjust_ctls() - a control field value the CPU accepts
 * @cap:	the field's capability MSR (the TRUE_* one where
 *		IA32_VMX_BASIC has VMX_BASIC_TRUE_CTLS): bits 31:0 are the
 *		allowed 0-settings (a 1 there: the control must be 1), bits
 *		63:32 the allowed 1-settings (a 0 there: it must be 0)
 * @req:	what the VMM needs, wants and copes with
 * @val:	the value for the VMCS: @req's needed and wanted controls the
 *		CPU has, and the ones it forces on
 *
 * Return: 0 if @val can be used; otherwise the controls that stand in the
 * way: needed ones the CPU lacks, and ones it forces on that the VMM
 * neither asked for nor copes with (an exit it would not handle).
 */
u32 vmx_adjust_ctls(u64 cap, const struct vmx_ctls_req *req, u32 *val)
{
	u32 must = (u32)cap, may = (u32)(cap >> 32);
	u32 known = req->need | req->want | req->allow;

	*val = ((req->need | req->want) & may) | must;
	return (req->need & ~may) | (must & ~known);
}

/**
 * vmx_fix_cr() - CR0 or CR4 as VMX operation requires it
 * @val:	the value
 * @fixed0:	IA32_VMX_CR0_FIXED0 or _CR4_FIXED0: bits that must be 1
 * @fixed1:	IA32_VMX_CR0_FIXED1 or _CR4_FIXED1: bits that may be 1
 *
 * The caller compares the result with @val: the bits that differ are the
 * ones the guest/host mask and read shadow must hide from the kernel (CR4.
 * VMXE), or that make the value unusable.
 *
 * Return: @val with the fixed bits applied.
 */
u64 vmx_fix_cr(u64 val, u64 fixed0, u64 fixed1)
{
	return (val | fixed0) & fixed1;
}
