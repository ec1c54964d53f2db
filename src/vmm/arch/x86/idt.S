/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's exception entry points: one 16-byte stub per vector.  The VMM
 * runs with GIF clear, so interrupts and NMIs reach it only in the
 * interrupt window (svm_take_interrupt()), where vmm_exception() records
 * them; NMIs, which can also interrupt the handler of the window's
 * interrupt, run on the CPU's NMI stack (IST1).  A fault at an instruction listed in the exception table
 * (rdmsr_safe(), wrmsr_safe()) resumes at its fixup; any other vector
 * arriving here is a VMM bug and ends in vmm_exception() (a panic).  Each stub starts with
 * ENDBR64: on a CPU with indirect branch tracking enabled by the kernel
 * (S_CET, which the VMM shares), IDT delivery must land on one.
 */
	.text
	.altmacro
	.macro	STUB vec
	.balign	16
0:	endbr64
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	.byte	0xe9			/* jmp rel32: a fixed size */
	.long	exception_common - . - 4
	.if	. - 0b > 16
	.error	"exception stub longer than 16 bytes"
	.endif
	.endm

	.balign	16
	.globl	vmm_exception_stubs
vmm_exception_stubs:
	.set	vec, 0
	.rept	256
	STUB	%vec
	.set	vec, vec + 1
	.endr

exception_common:
	/*
	 * [rsp] vector, [rsp+8] error code, then the CPU's frame.  Keep every
	 * register the C code may change: a fixed-up fault resumes the
	 * interrupted code as if the instruction had completed.
	 */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	leaq	80(%rsp), %rdi
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	vmm_exception		/* returns only after a fixup */
	movq	%rbx, %rsp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq
