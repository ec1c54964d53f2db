// SPDX-License-Identifier: GPL-2.0
/*
 * The structure offsets the VMM's assembly code uses, generated from the C
 * structures at build time: this file is only compiled to assembly, where
 * each DEFINE() leaves a line "->NAME value" that the Makefile turns into
 * #define NAME value in build/vmm/include/generated/asm-offsets.h.  The
 * assembly includes that header and copies no offset by hand.
 */
#include <vmm/svm.h>
#include <vmm/vmm.h>
#include <vmm/vmx.h>
#include <vmm/x86.h>

#define DEFINE(sym, val)						\
	asm volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))
#define OFFSET(sym, str, mem)	DEFINE(sym, __builtin_offsetof(struct str, mem))

void asm_offsets(void);

void asm_offsets(void)
{
	/* The selectors of the VMM's GDT (x86.h; setup.c builds it). */
	DEFINE(VMM_CS, VMM_CS);
	DEFINE(VMM_DS, VMM_DS);
	DEFINE(VMM_TSS, VMM_TSS);

	/* struct vcpu: the guest's registers, then the world switch's. */
	OFFSET(VCPU_RAX, vcpu, regs.rax);
	OFFSET(VCPU_RBX, vcpu, regs.rbx);
	OFFSET(VCPU_RCX, vcpu, regs.rcx);
	OFFSET(VCPU_RDX, vcpu, regs.rdx);
	OFFSET(VCPU_RSI, vcpu, regs.rsi);
	OFFSET(VCPU_RDI, vcpu, regs.rdi);
	OFFSET(VCPU_RBP, vcpu, regs.rbp);
	OFFSET(VCPU_R8, vcpu, regs.r8);
	OFFSET(VCPU_R9, vcpu, regs.r9);
	OFFSET(VCPU_R10, vcpu, regs.r10);
	OFFSET(VCPU_R11, vcpu, regs.r11);
	OFFSET(VCPU_R12, vcpu, regs.r12);
	OFFSET(VCPU_R13, vcpu, regs.r13);
	OFFSET(VCPU_R14, vcpu, regs.r14);
	OFFSET(VCPU_R15, vcpu, regs.r15);
	OFFSET(VCPU_GUEST_VMCB_PA, vcpu, arch.svm.guest_vmcb_pa);
	OFFSET(VCPU_HOST_VMCB_PA, vcpu, arch.svm.host_vmcb_pa);
	OFFSET(VCPU_HOST_RSP, vcpu, host_rsp);
	OFFSET(VCPU_VMM_CR3, vcpu, vmm_cr3);
	OFFSET(VCPU_EXIT_EFER, vcpu, exit_efer);
	OFFSET(VCPU_GDTR, vcpu, gdtr_limit);	/* limit, then base: lgdt */
	OFFSET(VCPU_VMCB, vcpu, arch.svm.vmcb);

	/* The kernel's state vmx_leave() loads natively. */
	OFFSET(VMXN_CR0, vmx_native, cr0);
	OFFSET(VMXN_CR3, vmx_native, cr3);
	OFFSET(VMXN_CR4, vmx_native, cr4);
	OFFSET(VMXN_GDTR, vmx_native, gdtr_limit);	/* limit, then base */
	OFFSET(VMXN_IDTR, vmx_native, idtr_limit);
	OFFSET(VMXN_CS, vmx_native, cs);
	OFFSET(VMXN_SS, vmx_native, ss);
	OFFSET(VMXN_DS, vmx_native, ds);
	OFFSET(VMXN_ES, vmx_native, es);
	OFFSET(VMXN_FS, vmx_native, fs);
	OFFSET(VMXN_GS, vmx_native, gs);
	OFFSET(VMXN_TR, vmx_native, tr);
	OFFSET(VMXN_LDTR, vmx_native, ldtr);
	OFFSET(VMXN_FS_BASE, vmx_native, fs_base);
	OFFSET(VMXN_GS_BASE, vmx_native, gs_base);
	OFFSET(VMXN_RSP, vmx_native, rsp);
	OFFSET(VMXN_RIP, vmx_native, rip);
	OFFSET(VMXN_RFLAGS, vmx_native, rflags);
	OFFSET(VMXN_DR7, vmx_native, dr7);
	OFFSET(VMXN_GDT_PA, vmx_native, gdt_pa);

	/* The VMCB's save area: what svm_leave() restores natively. */
	OFFSET(VMCB_ES, vmcb, save.es);
	OFFSET(VMCB_CS, vmcb, save.cs);
	OFFSET(VMCB_SS, vmcb, save.ss);
	OFFSET(VMCB_DS, vmcb, save.ds);
	OFFSET(VMCB_GDTR, vmcb, save.gdtr);
	OFFSET(VMCB_IDTR, vmcb, save.idtr);
	OFFSET(VMCB_CR4, vmcb, save.cr4);
	OFFSET(VMCB_CR3, vmcb, save.cr3);
	OFFSET(VMCB_CR0, vmcb, save.cr0);
	OFFSET(VMCB_DR7, vmcb, save.dr7);
	OFFSET(VMCB_DR6, vmcb, save.dr6);
	OFFSET(VMCB_RFLAGS, vmcb, save.rflags);
	OFFSET(VMCB_RIP, vmcb, save.rip);
	OFFSET(VMCB_RSP, vmcb, save.rsp);
	OFFSET(VMCB_RAX, vmcb, save.rax);
	OFFSET(VMCB_CR2, vmcb, save.cr2);
	OFFSET(VMCB_GPAT, vmcb, save.g_pat);
	OFFSET(VMCB_SEG_SELECTOR, vmcb_seg, selector);
	OFFSET(VMCB_SEG_LIMIT, vmcb_seg, limit);
	OFFSET(VMCB_SEG_BASE, vmcb_seg, base);
}
