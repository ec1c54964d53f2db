// SPDX-License-Identifier: GPL-2.0
/*
 * The image's function table and the entry points behind it.
 */
#include <rtvirt/vmm_abi.h>
#include <vmm/log.h>
#include <vmm/vmm.h>
#include <vmm/x86.h>


static int vmm_launch_cpu(unsigned int cpu, unsigned long long guest_rsp,
			  unsigned long long guest_rip, unsigned int flags)
{
	struct vcpu *v;
	u64 *gdt;

	if (!vmm.ready || cpu >= vmm.boot.nr_cpus)
		return ERR_INVAL;
	/*
	 * A CPU launched again after going offline (hotplug) loads its TSS
	 * a second time: LTR needs the descriptor marked available.
	 */
	v = vmm.cpus[cpu];
	gdt = (u64 *)v->gdtr_base;
	gdt[VMM_TSS / 8] &= ~(1ULL << 41);
	/* This launch's state and counters start afresh. */
	v->stepping = 0;
	v->entered = false;
	v->nmi_pending = false;
	v->mce_pending = false;
	v->irq_window = false;
	v->held_irq = 0;
	v->nr_exits = 0;
	memset(&v->regs, 0, sizeof(v->regs));
	memset(&v->stats, 0, sizeof(v->stats));
	return vmm_arch->launch_cpu(v, guest_rsp, guest_rip, flags);
}

/* struct vmm_extable_entry: see rdmsr_safe() in x86.h. */
extern const struct vmm_extable_entry __vmm_extable_start[],
	__vmm_extable_end[];

/*
 * A machine check while the VMM runs: the kernel's handler must see it,
 * as it would on bare metal.  Restartable (MCG_STATUS.RIPV), the VMM goes
 * on with what it was doing and the backend gives the kernel #MC at this
 * CPU's next entry (mce_pending); the banks and MCG_STATUS stay as the CPU
 * set them, for the kernel's handler to read and clear.  Not restartable,
 * nothing can go on: a VMM panic, which the kernel turns into its own.
 * Without MCG_STATUS.MCIP it was no machine check (INT 18): false.
 */
static bool machine_check(const u64 *frame)
{
	struct vcpu *v = this_vcpu();
	u64 mcg;

	if (rdmsr_safe(MSR_IA32_MCG_STATUS, &mcg) || !(mcg & MCG_STATUS_MCIP))
		return false;
	if (!(mcg & MCG_STATUS_RIPV) || !v || !READ_ONCE(v->demoted))
		vmm_panic("cpu %d: machine check in the VMM at rip %#llx (MCG_STATUS %#llx), not restartable\n",
			  v ? (int)v->id : -1, (unsigned long long)frame[2],
			  (unsigned long long)mcg);
	vmm_log("cpu %u: machine check in the VMM at rip %#llx (MCG_STATUS %#llx): for the kernel at its next entry\n",
		v->id, (unsigned long long)frame[2], (unsigned long long)mcg);
	WRITE_ONCE(v->mce_pending, true);
	return true;
}

/**
 * vmm_machine_check_test() - take a machine check in the VMM (test hook)
 * @restartable: with MCG_STATUS.RIPV set
 *
 * Sets MCG_STATUS as the CPU does when it signals #MC (MCIP, and RIPV if
 * @restartable) and raises vector 18 through the VMM's IDT, so that
 * machine_check() runs on a hypercall's exit as it would for a real one.
 *
 * Return: 0, or RTVIRT_HC_EOPNOTSUPP where MCG_STATUS cannot be written
 * (the write faults, or is ignored).
 */
u64 vmm_machine_check_test(bool restartable)
{
	u64 mcg = MCG_STATUS_MCIP | (restartable ? MCG_STATUS_RIPV : 0), back;

	/* Some CPUs (and Bochs) ignore the write: machine_check() reads it. */
	if (wrmsr_safe(MSR_IA32_MCG_STATUS, mcg) ||
	    rdmsr_safe(MSR_IA32_MCG_STATUS, &back) || back != mcg)
		return RTVIRT_HC_EOPNOTSUPP;
	asm volatile("int %0" : : "i"(X86_TRAP_MC) : "memory");
	return 0;
}

/**
 * vmm_exception() - an exception inside the VMM
 * @frame:	vector, error code, then the CPU's exception frame
 *
 * An interrupt in the backend's interrupt window (&vmm_arch_ops.irq_window,
 * svm_take_interrupt(), vmx_take_interrupt()) is recorded in the window's
 * RAX, and the window returns with IF clear.  An NMI in the window, at
 * its one instruction or inside the handler of the interrupt it accepted,
 * is recorded in the vcpu's nmi_pending; anywhere else it is the
 * backend's to hold for the kernel (&vmm_arch_ops.host_nmi; VMX does not
 * hold NMIs off while the VMM runs) or, where the backend cannot get one
 * there (SVM), a VMM bug.  A #GP at an instruction of the exception table
 * (an MSR access tried on the kernel's behalf) continues at the
 * instruction's fixup, which reports the fault to its caller.  A machine
 * check goes to the kernel (machine_check()).  Anything else is a VMM
 * bug: report and stop.
 */
void vmm_exception(u64 *frame)
{
	const struct vmm_extable_entry *e;
	u64 cr2;

	if (frame[0] == X86_TRAP_NMI) {
		struct vcpu *v = (struct vcpu *)frame[VMM_NMI_FRAME_VCPU];

		if (READ_ONCE(v->irq_window)) {
			WRITE_ONCE(v->nmi_pending, true);
			return;
		}
		if (vmm_arch->host_nmi) {
			vmm_arch->host_nmi(v);
			return;
		}
		vmm_panic("cpu %u: NMI taken through the VMM's IDT at rip %#llx outside the interrupt window\n",
			  v->id, (unsigned long long)frame[2]);
	}
	if (frame[0] == X86_TRAP_MC && machine_check(frame))
		return;
	/* frame[-1] is the saved RAX, frame[4] the saved RFLAGS. */
	if (frame[0] >= 32 && vmm_arch->irq_window &&
	    frame[2] == (u64)vmm_arch->irq_window) {
		frame[-1] |= VMM_IRQ_TAKEN | frame[0];
		frame[4] &= ~X86_RFLAGS_IF;
		return;
	}
	for (e = __vmm_extable_start; e < __vmm_extable_end; e++) {
		if (frame[0] != X86_TRAP_GP ||
		    (u64)&e->insn + e->insn != frame[2])
			continue;
		frame[2] = (u64)&e->fixup + e->fixup;
		return;
	}
	/*
	 * No other interrupt can reach the VMM's IDT.  On SVM, #VMEXIT
	 * clears GIF, and the VMM runs with it clear (it sets GIF only in
	 * the interrupt window and to leave, with IF clear and the kernel's
	 * IDT loaded).  Unpatched QEMU 10.0.2 TCG lets another vCPU's thread write
	 * CPU 0's old GIF back right after a #VMEXIT, and an interrupt then
	 * arrives at the first instruction after VMRUN or later in the VMM
	 * (Documentation/testing.rst, Dependencies; the other face is the
	 * "guest state lost" panic).
	 */
	if (frame[0] >= 32 && frame[2] == (u64)vmm_arch->exit_rip)
		vmm_panic("interrupt %llu taken at the #VMEXIT with GIF clear (emulator bug)\n",
			  (unsigned long long)frame[0]);
	if (frame[0] >= 32)
		vmm_panic("interrupt %llu taken through the VMM's IDT at rip %#llx with GIF clear (emulator bug)\n",
			  (unsigned long long)frame[0],
			  (unsigned long long)frame[2]);
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	vmm_panic("exception %llu error %#llx at rip %#llx cr2 %#llx\n",
		  (unsigned long long)frame[0], (unsigned long long)frame[1],
		  (unsigned long long)frame[2], (unsigned long long)cr2);
}

/* Found by the module through the image header's entry_offset. */
const struct rtvirt_vmm_entry vmm_entry_table __used = {
	.init = vmm_init,
	.launch_cpu = vmm_launch_cpu,
};
