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
	u64 *gdt;

	if (!vmm.ready || cpu >= vmm.boot.nr_cpus)
		return ERR_INVAL;
	/*
	 * A CPU launched again after going offline (hotplug) loads its TSS
	 * a second time: LTR needs the descriptor marked available.
	 */
	gdt = (u64 *)vmm.cpus[cpu]->gdtr_base;
	gdt[VMM_TSS / 8] &= ~(1ULL << 41);
	return vmm_arch->launch_cpu(vmm.cpus[cpu], guest_rsp, guest_rip, flags);
}

/* struct vmm_extable_entry: see rdmsr_safe() in x86.h. */
extern const u8 svm_vmrun_return[], svm_irq_window[];
extern const struct vmm_extable_entry __vmm_extable_start[],
	__vmm_extable_end[];

/**
 * vmm_exception() - an exception inside the VMM
 * @frame:	vector, error code, then the CPU's exception frame
 *
 * An interrupt in the interrupt window (svm_take_interrupt()) is recorded
 * in the window's RAX, and the window returns with IF clear.  An NMI in
 * the window, at its one instruction or inside the handler of the
 * interrupt it accepted (GIF is still set there), is recorded in the
 * vcpu's nmi_pending.  A #GP at an instruction of the exception table (an
 * MSR access tried on the kernel's behalf) continues at the instruction's
 * fixup, which reports the fault to its caller.  Anything else is a VMM
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
		vmm_panic("cpu %u: NMI taken through the VMM's IDT at rip %#llx outside the interrupt window\n",
			  v->id, (unsigned long long)frame[2]);
	}
	/* frame[-1] is the saved RAX, frame[4] the saved RFLAGS. */
	if (frame[2] == (u64)svm_irq_window && frame[0] >= 32) {
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
	 * #VMEXIT clears GIF, and the VMM runs with it clear (it sets GIF
	 * only in the interrupt window and to leave, with IF clear and the
	 * kernel's IDT loaded), so no other interrupt can reach the VMM's
	 * IDT.  Unpatched QEMU 10.0.2 TCG lets another vCPU's thread write
	 * CPU 0's old GIF back right after a #VMEXIT, and an interrupt then
	 * arrives at the first instruction after VMRUN or later in the VMM
	 * (Documentation/testing.rst, Dependencies; the other face is the
	 * "guest state lost" panic).
	 */
	if (frame[0] >= 32 && frame[2] == (u64)svm_vmrun_return)
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
