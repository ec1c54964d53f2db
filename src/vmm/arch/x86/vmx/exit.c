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
 * (VCPU_EXIT_IDT_LOAD: kexec); the others exit together with it where
 * descriptor-table exiting is on, run natively (vmx_dt_runs_native()), and
 * decode as unknown.
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
 * vmx_dt_runs_native() - whether an exit is a descriptor-table instruction
 * the VMM lets run natively
 * @x:	the exit fields read from the VMCS
 *
 * Descriptor-table exiting is on for LIDT alone (vmx_decode_exit()), but
 * LGDT, SGDT, SIDT, LLDT, LTR, SLDT and STR exit with it.
 *
 * Return: true for those seven.
 */
bool vmx_dt_runs_native(const struct vmx_exit_info *x)
{
	if (x->reason & VMX_EXIT_ENTRY_FAILED)
		return false;
	switch (x->reason & VMX_EXIT_REASON_BASIC) {
	case VMX_EXIT_GDTR_IDTR:
		return (x->insn_info & VMX_DT_INSN_MASK) != VMX_DT_INSN_LIDT;
	case VMX_EXIT_LDTR_TR:
		return true;
	default:
		return false;
	}
}

/**
 * vmx_dt_step_end() - what an exit means for the step of a
 * descriptor-table instruction that runs natively
 * @x:		the exit fields read from the VMCS
 * @rip:	the guest's RIP at the exit
 * @step_rip:	the stepped instruction
 *
 * Return: VMX_DT_STEP_DONE for a #DB (the single step: the instruction is
 * done), VMX_DT_STEP_AGAIN for any other exit at @step_rip, else
 * VMX_DT_STEP_AWAY.
 */
enum vmx_dt_step vmx_dt_step_end(const struct vmx_exit_info *x, u64 rip,
				 u64 step_rip)
{
	if (!(x->reason & VMX_EXIT_ENTRY_FAILED) &&
	    (x->reason & VMX_EXIT_REASON_BASIC) == VMX_EXIT_EXCEPTION_NMI &&
	    (x->intr_info & (VMX_INTR_VALID | VMX_INTR_TYPE_MASK |
			     VMX_INTR_VECTOR)) ==
	    (VMX_INTR_VALID | VMX_INTR_TYPE_HW_EXC | X86_TRAP_DB))
		return VMX_DT_STEP_DONE;
	return rip == step_rip ? VMX_DT_STEP_AGAIN : VMX_DT_STEP_AWAY;
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
