/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SVM world switches: entering the VMM and its VMRUN loop, and leaving it
 * for native execution.  The offsets of struct vcpu (vmm.h) and of the
 * VMCB (svm.h) are generated from the structures (asm-offsets.c).
 */
#include <rtvirt/vmm_image.h>

#include <vmm/asm.h>

#define MSR_EFER	0xc0000080
#define MSR_PAT		0x00000277
#define CR4_PGE		0x80

	.text

/*
 * svm_enter(vcpu): switch from the kernel's context to the VMM's (stack,
 * page tables, GDT, IDT, TSS) with GIF clear, and start the VMRUN loop.
 * Never returns: the kernel resumes at the guest RIP in the VMCB.
 */
	.globl	svm_enter
	.type	svm_enter, @function
svm_enter:
	clgi
	vmm_switch_in
	movq	VCPU_HOST_VMCB_PA(%rdi), %rax
	vmsave	%rax
	/* Host IF set for VMRUN; GIF stays clear outside the guest. */
	sti
	/* [rsp + 8] = vcpu for the whole loop; rsp stays 16-byte aligned. */
	pushq	%rdi
	subq	$8, %rsp
.Lrun:
	movq	8(%rsp), %rdi
	movq	VCPU_GUEST_VMCB_PA(%rdi), %rax
	vmload	%rax
	movq	VCPU_RBX(%rdi), %rbx
	movq	VCPU_RCX(%rdi), %rcx
	movq	VCPU_RDX(%rdi), %rdx
	movq	VCPU_RSI(%rdi), %rsi
	movq	VCPU_RBP(%rdi), %rbp
	movq	VCPU_R8(%rdi), %r8
	movq	VCPU_R9(%rdi), %r9
	movq	VCPU_R10(%rdi), %r10
	movq	VCPU_R11(%rdi), %r11
	movq	VCPU_R12(%rdi), %r12
	movq	VCPU_R13(%rdi), %r13
	movq	VCPU_R14(%rdi), %r14
	movq	VCPU_R15(%rdi), %r15
	movq	VCPU_RDI(%rdi), %rdi
	vmrun	%rax
	.globl	svm_vmrun_return
svm_vmrun_return:			/* the first instruction after #VMEXIT */
	pushq	%rdi
	movq	16(%rsp), %rdi
	movq	%rbx, VCPU_RBX(%rdi)
	movq	%rcx, VCPU_RCX(%rdi)
	movq	%rdx, VCPU_RDX(%rdi)
	movq	%rsi, VCPU_RSI(%rdi)
	movq	%rbp, VCPU_RBP(%rdi)
	movq	%r8, VCPU_R8(%rdi)
	movq	%r9, VCPU_R9(%rdi)
	movq	%r10, VCPU_R10(%rdi)
	movq	%r11, VCPU_R11(%rdi)
	movq	%r12, VCPU_R12(%rdi)
	movq	%r13, VCPU_R13(%rdi)
	movq	%r14, VCPU_R14(%rdi)
	movq	%r15, VCPU_R15(%rdi)
	popq	VCPU_RDI(%rdi)
	movq	VCPU_GUEST_VMCB_PA(%rdi), %rax
	vmsave	%rax
	movq	VCPU_HOST_VMCB_PA(%rdi), %rax
	vmload	%rax
	call	svm_handle_exit
	jmp	.Lrun
	.size	svm_enter, . - svm_enter

/*
 * u32 svm_take_interrupt(void): accept the physical interrupt that caused
 * an INTR intercept.  Setting GIF (IF is set in the VMM) lets it arrive
 * through the VMM's IDT right at svm_irq_window, where vmm_exception()
 * records it in the interrupted RAX (VMM_IRQ_* bits) and returns with IF
 * clear, so that at most one interrupt is accepted; clearing GIF again
 * ends the window.  An NMI can come at svm_irq_window too, or while the
 * interrupt's handler runs (GIF is set until the clgi): it runs on its
 * own stack and sets the vcpu's nmi_pending (the core sets irq_window
 * around the call).  Returns the recorded bits, 0 if the interrupt went
 * away.
 */
	.globl	svm_take_interrupt
	.type	svm_take_interrupt, @function
svm_take_interrupt:
	xorl	%eax, %eax
	stgi
	.globl	svm_irq_window
svm_irq_window:
	clgi
	sti				/* host IF set for VMRUN, as before */
	ret
	.size	svm_take_interrupt, . - svm_take_interrupt

/*
 * svm_leave(vcpu): give the CPU back to the kernel natively, in the state
 * the guest VMCB and vcpu->regs hold, and continue at the guest's RIP.
 * Runs on the VMM stack, which the kernel's page tables map too.
 */
	.globl	svm_leave
	.type	svm_leave, @function
svm_leave:
	movq	%rdi, %rbx
	movq	VCPU_VMCB(%rbx), %r12
	movq	VCPU_GUEST_VMCB_PA(%rbx), %rax
	vmload	%rax			/* FS, GS, TR, LDTR and their MSRs */
	movq	VMCB_CR4(%r12), %rax
	movq	%rax, %cr4
	movq	VMCB_CR0(%r12), %rax
	movq	%rax, %cr0
	movq	VMCB_CR3(%r12), %rax
	movq	%rax, %cr3
	movq	VMCB_CR2(%r12), %rax
	movq	%rax, %cr2
	/* Flush every TLB entry, global ones included, of the VMM's tables. */
	movq	%cr4, %rax
	movq	%rax, %rcx
	xorq	$CR4_PGE, %rcx
	movq	%rcx, %cr4
	movq	%rax, %cr4
	subq	$16, %rsp
	movw	VMCB_GDTR+VMCB_SEG_LIMIT(%r12), %ax
	movw	%ax, 6(%rsp)
	movq	VMCB_GDTR+VMCB_SEG_BASE(%r12), %rax
	movq	%rax, 8(%rsp)
	lgdt	6(%rsp)
	movw	VMCB_IDTR+VMCB_SEG_LIMIT(%r12), %ax
	movw	%ax, 6(%rsp)
	movq	VMCB_IDTR+VMCB_SEG_BASE(%r12), %rax
	movq	%rax, 8(%rsp)
	lidt	6(%rsp)
	addq	$16, %rsp
	/* The kernel's code segment, before an NMI could need it. */
	movzwq	VMCB_CS+VMCB_SEG_SELECTOR(%r12), %rax
	pushq	%rax
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movw	VMCB_SS+VMCB_SEG_SELECTOR(%r12), %ax
	movw	%ax, %ss
	movw	VMCB_DS+VMCB_SEG_SELECTOR(%r12), %ax
	movw	%ax, %ds
	movw	VMCB_ES+VMCB_SEG_SELECTOR(%r12), %ax
	movw	%ax, %es
	movq	VMCB_DR6(%r12), %rax
	movq	%rax, %dr6
	movq	VMCB_DR7(%r12), %rax
	movq	%rax, %dr7
	movl	$MSR_PAT, %ecx
	movl	VMCB_GPAT(%r12), %eax
	movl	VMCB_GPAT+4(%r12), %edx
	wrmsr
	/* iretq frame: SS, RSP, RFLAGS, CS, RIP */
	movzwq	VMCB_SS+VMCB_SEG_SELECTOR(%r12), %rax
	pushq	%rax
	pushq	VMCB_RSP(%r12)
	pushq	VMCB_RFLAGS(%r12)
	movzwq	VMCB_CS+VMCB_SEG_SELECTOR(%r12), %rax
	pushq	%rax
	pushq	VMCB_RIP(%r12)
	/* GIF on with interrupts off; iretq restores the guest's IF. */
	cli
	stgi
	movl	$MSR_EFER, %ecx
	movq	VCPU_EXIT_EFER(%rbx), %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	movq	VMCB_RAX(%r12), %rax
	movq	VCPU_RCX(%rbx), %rcx
	movq	VCPU_RDX(%rbx), %rdx
	movq	VCPU_RSI(%rbx), %rsi
	movq	VCPU_RDI(%rbx), %rdi
	movq	VCPU_RBP(%rbx), %rbp
	movq	VCPU_R8(%rbx), %r8
	movq	VCPU_R9(%rbx), %r9
	movq	VCPU_R10(%rbx), %r10
	movq	VCPU_R11(%rbx), %r11
	movq	VCPU_R12(%rbx), %r12
	movq	VCPU_R13(%rbx), %r13
	movq	VCPU_R14(%rbx), %r14
	movq	VCPU_R15(%rbx), %r15
	movq	VCPU_RBX(%rbx), %rbx
	iretq
	.size	svm_leave, . - svm_leave
