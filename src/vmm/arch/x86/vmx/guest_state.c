// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-state fields of the VMCS that VM entry checks and the live kernel
 * does not hand over in their VMX form: segment access rights from the
 * kernel's descriptors, and the pending debug exceptions that must agree
 * with RFLAGS.TF while interrupts are blocked (Intel SDM volume 3,
 * 25.4.1 and 27.3.1.5).  Pure functions, unit-tested in user space
 * (tools/testing/unit/test_vmx.c).
 */
#include <vmm/vmx.h>
#include <vmm/x86.h>

#define DESC_PRESENT	(1ULL << 47)

/**
 * vmx_seg_ar() - a segment's VMCS access rights from its descriptor
 * @desc:	the 8-byte GDT descriptor @sel selects (ignored for a null
 *		selector)
 * @sel:	the selector the kernel has loaded
 *
 * Type, S, DPL and P (descriptor bits 40-47) and AVL, L, D/B and G (bits
 * 52-55) in the VMX layout; a null selector or a descriptor that is not
 * present gives an unusable segment.  (For SS the backend keeps the DPL
 * the CPL needs in an unusable segment too.)
 *
 * Return: the value for the segment's GUEST_*_AR_BYTES field.
 */
u32 vmx_seg_ar(u64 desc, u16 sel)
{
	if (!(sel & ~3U) || !(desc & DESC_PRESENT))
		return VMX_AR_UNUSABLE;
	return (u32)(desc >> 40) & VMX_AR_DESC_MASK;
}

/**
 * vmx_fix_pending_dbg() - pending debug exceptions as VM entry wants them
 * @pending:	GUEST_PENDING_DBG_EXCEPTIONS so far
 * @rflags:	the guest's RFLAGS for the entry
 * @debugctl:	the guest's IA32_DEBUGCTL
 * @intr_state:	GUEST_INTERRUPTIBILITY_INFO
 * @activity:	GUEST_ACTIVITY_STATE
 *
 * While blocking by STI or by MOV SS is in effect (or the CPU is halted),
 * VM entry requires BS to be 1 exactly when TF is 1 and DEBUGCTL.BTF is
 * 0.  The VMM sets TF itself to step a contained access (Bochs has no
 * monitor trap flag), also right after a kernel's STI or MOV SS, so BS
 * must follow TF both ways; at other times @pending is left alone.
 *
 * Return: @pending with BS set or cleared where the entry needs it.
 */
u64 vmx_fix_pending_dbg(u64 pending, u64 rflags, u64 debugctl,
			u32 intr_state, u32 activity)
{
	if (!(intr_state & (VMX_INTR_STATE_STI | VMX_INTR_STATE_MOV_SS)) &&
	    activity != VMX_ACTIVITY_HLT)
		return pending;
	if ((rflags & X86_RFLAGS_TF) && !(debugctl & VMX_DEBUGCTL_BTF))
		return pending | VMX_PENDING_DBG_BS;
	return pending & ~VMX_PENDING_DBG_BS;
}
