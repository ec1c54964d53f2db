/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX world switches: entering the VMM and its VMLAUNCH/VMRESUME loop,
 * the exit entry point, the interrupt window, and leaving the VMM for
 * native execution.  The offsets of struct vcpu (vmm.h) and struct
 * vmx_native (vmx.h) are generated from the structures (asm-offsets.c).
 */
#include <vmm/asm.h>

#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define CR4_PGE		0x80

/* The kernel's general-purpose registers from struct vcpu (%rdi last). */
.macro load_guest_regs
	movq	VCPU_RAX(%rdi), %rax
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
.endm

	.text

/*
 * vmx_enter(vcpu): switch from the kernel's context to the VMM's (stack,
 * page tables, GDT, IDT, TSS) with interrupts off and VMLAUNCH the VMCS
 * that vmx_launch_cpu() built.  Never returns: the kernel resumes at the
 * guest RIP, or, if the entry fails, natively (vmx_entry_failed()).
 */
	.globl	vmx_enter
	.type	vmx_enter, @function
vmx_enter:
	cli
	vmm_switch_in
	/* [rsp + 8] = vcpu for the whole loop: HOST_RSP is host_rsp - 16. */
	pushq	%rdi
	subq	$8, %rsp
	load_guest_regs
	vmlaunch
	jmp	.Lentry_failed

/* HOST_RIP: every VM exit comes here, on HOST_RSP, interrupts off. */
	.globl	vmx_exit_entry
vmx_exit_entry:
	pushq	%rdi
	movq	16(%rsp), %rdi
	movq	%rax, VCPU_RAX(%rdi)
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
	call	vmx_handle_exit
	movq	8(%rsp), %rdi
	load_guest_regs
	vmresume
.Lentry_failed:
	/* VMfail: RFLAGS says which; the registers hold the kernel's. */
	pushfq
	popq	%rsi
	movq	8(%rsp), %rdi
	call	vmx_entry_failed
	ud2
	.size	vmx_enter, . - vmx_enter

/*
 * u32 vmx_take_interrupt(void): accept the physical interrupt that caused
 * an external-interrupt exit.  STI opens the window after the NOP: the
 * interrupt arrives through the VMM's IDT right at vmx_irq_window, where
 * vmm_exception() records it in the interrupted RAX (VMM_IRQ_* bits) and
 * returns with IF clear, so that at most one interrupt is accepted.
 * Returns the recorded bits, 0 if the interrupt went away.
 */
	.globl	vmx_take_interrupt
	.type	vmx_take_interrupt, @function
vmx_take_interrupt:
	xorl	%eax, %eax
	sti
	nop
	.globl	vmx_irq_window
vmx_irq_window:
	cli
	ret
	.size	vmx_take_interrupt, . - vmx_take_interrupt

/*
 * vmx_unblock_nmi(void): an exit caused by an NMI leaves NMIs blocked
 * until the next IRET: an IRET to the next instruction ends that, so
 * that the kernel's next NMI is not held off while the VMM runs.
 */
	.globl	vmx_unblock_nmi
	.type	vmx_unblock_nmi, @function
vmx_unblock_nmi:
	movq	%rsp, %rax
	pushq	$VMM_DS
	pushq	%rax
	pushfq
	pushq	$VMM_CS
	leaq	1f(%rip), %rax
	pushq	%rax
	iretq
1:	ret
	.size	vmx_unblock_nmi, . - vmx_unblock_nmi

/*
 * vmx_leave(vcpu, native): give the CPU back to the kernel natively, in
 * the state @native and vcpu->regs hold, after VMXOFF; continue at the
 * kernel's RIP.  Runs on the VMM stack, which the kernel's page tables
 * map too.  TR, LDTR and the data segments are loaded while the VMM's
 * page tables are: through the kernel's GDT page in the identity map
 * (the kernel maps its GDT read-only, and LTR writes the busy bit; the
 * TSS descriptor was marked available).  FS and GS get their bases
 * before the kernel's IDT is loaded, so that its handlers find their
 * per-CPU data from the first instruction on.
 */
	.globl	vmx_leave
	.type	vmx_leave, @function
vmx_leave:
	movq	%rdi, %rbx
	movq	%rsi, %r12
	subq	$16, %rsp
	movw	VMXN_GDTR(%r12), %ax
	movw	%ax, 6(%rsp)
	movq	VMXN_GDT_PA(%r12), %rax
	movq	%rax, 8(%rsp)
	lgdt	6(%rsp)
	addq	$16, %rsp
	movq	VMXN_TR(%r12), %rax
	ltr	%ax
	movq	VMXN_LDTR(%r12), %rax
	lldt	%ax
	movq	VMXN_DS(%r12), %rax
	movl	%eax, %ds
	movq	VMXN_ES(%r12), %rax
	movl	%eax, %es
	/* Selectors first: loading one resets the base. */
	movq	VMXN_FS(%r12), %rax
	movl	%eax, %fs
	movq	VMXN_GS(%r12), %rax
	movl	%eax, %gs
	movl	$MSR_FS_BASE, %ecx
	movl	VMXN_FS_BASE(%r12), %eax
	movl	VMXN_FS_BASE+4(%r12), %edx
	wrmsr
	movl	$MSR_GS_BASE, %ecx
	movl	VMXN_GS_BASE(%r12), %eax
	movl	VMXN_GS_BASE+4(%r12), %edx
	wrmsr
	movq	VMXN_CR4(%r12), %rax
	movq	%rax, %cr4
	movq	VMXN_CR0(%r12), %rax
	movq	%rax, %cr0
	movq	VMXN_CR3(%r12), %rax
	movq	%rax, %cr3
	/* Flush every TLB entry, global ones included, of the VMM's tables. */
	movq	%cr4, %rax
	movq	%rax, %rcx
	xorq	$CR4_PGE, %rcx
	movq	%rcx, %cr4
	movq	%rax, %cr4
	/* The GDT at its own address, then the kernel's CS, SS and IDT. */
	lgdt	VMXN_GDTR(%r12)
	pushq	VMXN_CS(%r12)
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movq	VMXN_SS(%r12), %rax
	movl	%eax, %ss
	lidt	VMXN_IDTR(%r12)
	movq	VMXN_DR7(%r12), %rax
	movq	%rax, %dr7
	/* iretq frame: SS, RSP, RFLAGS, CS, RIP */
	pushq	VMXN_SS(%r12)
	pushq	VMXN_RSP(%r12)
	pushq	VMXN_RFLAGS(%r12)
	pushq	VMXN_CS(%r12)
	pushq	VMXN_RIP(%r12)
	movq	VCPU_RAX(%rbx), %rax
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
	.size	vmx_leave, . - vmx_leave
