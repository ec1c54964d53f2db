// SPDX-License-Identifier: GPL-2.0
/*
 * The events that wait in the VMX backend for the kernel: interrupts the
 * VMM accepted and NMIs it holds go in only when the kernel can take them
 * (VM entry refuses an external interrupt with RFLAGS.IF clear or in an
 * interrupt shadow, and an NMI under NMI blocking), else the interrupt or
 * NMI window makes the CPU exit as soon as it can.  Pure functions on
 * struct vmx_vcpu, unit-tested (tools/testing/unit/test_vmx.c).
 */
#include <vmm/vmm.h>
#include <vmm/vmx.h>
#include <vmm/x86.h>

#define IRQ_SLOTS	(sizeof(((struct vmx_vcpu *)0)->irq) / \
			 sizeof(((struct vmx_vcpu *)0)->irq[0]))

/**
 * vmx_queue_irq() - hold an interrupt the VMM accepted for the kernel
 * @x:		the CPU's VMX state
 * @vector:	the interrupt's vector
 *
 * The newest goes first: the local APIC delivered it while the others
 * were in service, so it has the higher priority class.
 *
 * Return: false where every slot is taken (one per priority class is
 * the most the local APIC can deliver before the kernel's EOIs).
 */
bool vmx_queue_irq(struct vmx_vcpu *x, u8 vector)
{
	if (x->irq[IRQ_SLOTS - 1])
		return false;
	for (unsigned int i = IRQ_SLOTS - 1; i; i--)
		x->irq[i] = x->irq[i - 1];
	x->irq[0] = VCPU_HELD_IRQ | vector;
	return true;
}

/**
 * vmx_irq_queue_full() - whether vmx_queue_irq() would refuse
 * @x:	the CPU's VMX state
 *
 * Return: true where no slot is free.
 */
bool vmx_irq_queue_full(const struct vmx_vcpu *x)
{
	return x->irq[IRQ_SLOTS - 1];
}

/**
 * vmx_pick_event() - what the next entry injects, and which windows open
 * @x:		the CPU's VMX state: @entry_info (an event re-queued or an
 *		exception raised at this exit), @nmi_waiting, @irq and
 *		@rflags; @entry_info is consumed, and what goes in now leaves
 *		@nmi_waiting or @irq
 * @state:	the guest's interruptibility state
 * @windows:	set to CPU_NMI_WINDOW_EXITING and CPU_INTR_WINDOW_EXITING
 *		for what still waits
 *
 * An event already chosen goes first; then a waiting NMI, without NMI,
 * STI or MOV SS blocking (some CPUs refuse NMI injection in an STI
 * shadow); then the newest waiting interrupt, with RFLAGS.IF set and
 * no interrupt shadow.
 *
 * Return: the VM-entry interruption information (0: nothing).
 */
u32 vmx_pick_event(struct vmx_vcpu *x, u32 state, u32 *windows)
{
	u32 info = x->entry_info;

	x->entry_info = 0;
	if (!(info & VMX_INTR_VALID) && x->nmi_waiting &&
	    !(state & (VMX_INTR_STATE_NMI | VMX_INTR_STATE_STI |
		       VMX_INTR_STATE_MOV_SS))) {
		info = X86_TRAP_NMI | VMX_INTR_TYPE_NMI | VMX_INTR_VALID;
		x->nmi_waiting = false;
	}
	if (!(info & VMX_INTR_VALID) && x->irq[0] &&
	    (x->rflags & X86_RFLAGS_IF) &&
	    !(state & (VMX_INTR_STATE_STI | VMX_INTR_STATE_MOV_SS))) {
		info = (x->irq[0] & 0xff) | VMX_INTR_TYPE_EXT | VMX_INTR_VALID;
		for (unsigned int i = 0; i + 1 < IRQ_SLOTS; i++)
			x->irq[i] = x->irq[i + 1];
		x->irq[IRQ_SLOTS - 1] = 0;
	}
	*windows = (x->nmi_waiting ? CPU_NMI_WINDOW_EXITING : 0) |
		   (x->irq[0] ? CPU_INTR_WINDOW_EXITING : 0);
	return info & VMX_INTR_VALID ? info : 0;
}
