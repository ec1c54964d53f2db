// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit decoding: a VM exit's reason and information, as the VMCS
 * holds them, in the arch-neutral terms of vcpu_handle_exit(), and the
 * event an exit interrupted, to inject again.  Pure functions,
 * unit-tested in user space (tools/testing/unit/test_vmx.c).
 */
#include <vmm/vmm.h>
#include <vmm/vmx.h>
#include <vmm/x86.h>

static void decode_exception(const struct vmx_exit_info *x,
			     struct vcpu_exit *e)
{
	u32 type = x->intr_info & VMX_INTR_TYPE_MASK;

	if (!(x->intr_info & VMX_INTR_VALID))
		return;
	if (type == VMX_INTR_TYPE_NMI)
		e->reason = VCPU_EXIT_NMI;
	else if (type == VMX_INTR_TYPE_HW_EXC &&
		 (x->intr_info & VMX_INTR_VECTOR) == X86_TRAP_DB)
		e->reason = VCPU_EXIT_DEBUG;
}

/**
 * vmx_decode_exit() - one VM exit in the terms of vcpu_handle_exit()
 * @x:	the exit fields read from the VMCS
 * @e:	the decoded exit
 *
 * Exits the backend handles itself (interrupt and NMI windows) and those
 * the core has no handler for decode as VCPU_EXIT_UNKNOWN, as does a
 * failed VM entry.  Of the descriptor-table exits only LIDT has a meaning
 * (VCPU_EXIT_IDT_LOAD: kexec); LGDT, SGDT and SIDT exit together with it
 * where descriptor-table exiting is on, and decode as unknown.
 */
void vmx_decode_exit(const struct vmx_exit_info *x, struct vcpu_exit *e)
{
	*e = (struct vcpu_exit){
		.reason = VCPU_EXIT_UNKNOWN,
		.raw = { x->reason, x->qual, x->intr_info },
	};
	if (x->reason & VMX_EXIT_ENTRY_FAILED)
		return;
	switch (x->reason & VMX_EXIT_REASON_BASIC) {
	case VMX_EXIT_EXCEPTION_NMI:
		decode_exception(x, e);
		break;
	case VMX_EXIT_EXTERNAL_INTR:
		e->reason = VCPU_EXIT_INTERRUPT;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		e->reason = VCPU_EXIT_SHUTDOWN;
		break;
	case VMX_EXIT_CPUID:
		e->reason = VCPU_EXIT_CPUID;
		break;
	case VMX_EXIT_VMCALL:
		e->reason = VCPU_EXIT_HYPERCALL;
		break;
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_VMFUNC:
		e->reason = VCPU_EXIT_VIRT_INSN;
		break;
	case VMX_EXIT_IO:
		e->reason = VCPU_EXIT_IO;
		e->size = (x->qual & VMX_IO_SIZE_MASK) + 1;
		e->write = !(x->qual & VMX_IO_IN);
		e->string = x->qual & VMX_IO_STRING;
		e->port = (u16)(x->qual >> VMX_IO_PORT_SHIFT);
		break;
	case VMX_EXIT_RDMSR:
		e->reason = VCPU_EXIT_MSR;
		break;
	case VMX_EXIT_WRMSR:
		e->reason = VCPU_EXIT_MSR;
		e->write = true;
		break;
	case VMX_EXIT_GDTR_IDTR:
		if ((x->insn_info & VMX_DT_INSN_MASK) == VMX_DT_INSN_LIDT)
			e->reason = VCPU_EXIT_IDT_LOAD;
		break;
	case VMX_EXIT_EPT_VIOLATION:
		e->reason = VCPU_EXIT_NPF;
		e->gpa = x->gpa;
		e->write = x->qual & VMX_EPT_WRITE;
		e->fetch = x->qual & VMX_EPT_FETCH;
		e->raw[2] = x->gpa;
		break;
	}
}

/**
 * vmx_requeue_event() - what to inject again after an exit that hit while
 * an event was being delivered
 * @idt_info:	IDT_VECTORING_INFO_FIELD of the exit (its error code, where
 *		bit 11 says there is one, is in IDT_VECTORING_ERROR_CODE,
 *		which goes to VM_ENTRY_EXCEPTION_ERROR_CODE unchanged)
 *
 * External interrupts, NMIs and hardware exceptions go in again as they
 * were (the layout of the two fields is the same).  Software interrupts
 * (INTn), privileged software exceptions (INT1) and software exceptions
 * (INT3, INTO) do not: RIP still points at the instruction, which runs
 * again, as on SVM (svm_requeue_event()).  Reserved types are dropped.
 *
 * Return: the VM_ENTRY_INTR_INFO_FIELD value, or 0 for nothing to inject.
 */
u32 vmx_requeue_event(u32 idt_info)
{
	if (!(idt_info & VMX_INTR_VALID))
		return 0;
	switch (idt_info & VMX_INTR_TYPE_MASK) {
	case VMX_INTR_TYPE_EXT:
	case VMX_INTR_TYPE_NMI:
		return idt_info & (VMX_INTR_VALID | VMX_INTR_TYPE_MASK |
				   VMX_INTR_VECTOR);
	case VMX_INTR_TYPE_HW_EXC:
		return idt_info & (VMX_INTR_VALID | VMX_INTR_TYPE_MASK |
				   VMX_INTR_ERROR_CODE | VMX_INTR_VECTOR);
	default:
		return 0;
	}
}
