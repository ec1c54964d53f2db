/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assembly shared by the backends' world switches (svm_asm.S,
 * vmx_asm.S); for .S files only.  Offsets and selectors come from the
 * generated header (asm-offsets.c).
 */
#ifndef _VMM_ASM_H
#define _VMM_ASM_H

#include <generated/asm-offsets.h>

/*
 * vmm_switch_in: switch from the kernel's context to the VMM's: the CPU's
 * VMM stack, the VMM's page tables, its GDT and IDT, CS, SS, DS and ES,
 * its TSS and a null LDT.  The caller holds interrupts off (IF or GIF
 * clear).  In: %rdi = the vcpu, preserved.  Clobbers %rax; the kernel's
 * stack is left behind.
 */
.macro vmm_switch_in
	movq	VCPU_HOST_RSP(%rdi), %rsp
	movq	VCPU_VMM_CR3(%rdi), %rax
	movq	%rax, %cr3
	lgdt	VCPU_GDTR(%rdi)
	pushq	%rdi
	call	vmm_idtr
	popq	%rdi
	lidt	(%rax)
	pushq	$VMM_CS
	leaq	.Lvmm_switch_in_cs\@(%rip), %rax
	pushq	%rax
	lretq
.Lvmm_switch_in_cs\@:
	movl	$VMM_DS, %eax
	movl	%eax, %ss
	movl	%eax, %ds
	movl	%eax, %es
	movl	$VMM_TSS, %eax
	ltr	%ax
	xorl	%eax, %eax
	lldt	%ax
.endm

#endif /* _VMM_ASM_H */
