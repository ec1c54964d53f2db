/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM's exception entry points: one 16-byte stub per vector.  The VMM
 * runs with GIF clear but for the moment svm_take_interrupt() opens to
 * take one physical interrupt (while a device is virtualized): vectors 32
 * and up return their number in EAX and come back with interrupts off, so
 * that exactly one is taken; an NMI sets EDX to 1.  Any other vector is a
 * VMM bug and ends in vmm_exception() (a panic).
 */
	.text
	.altmacro
	.macro	STUB vec
	.balign	16
	.if (\vec >= 32)
	movl	$\vec, %eax
	btrq	$9, 16(%rsp)		/* RFLAGS.IF of the interrupted code */
	iretq
	.exitm
	.endif
	.if (\vec == 2)
	movl	$1, %edx
	iretq
	.exitm
	.endif
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exception_common
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
	/* [rsp] vector, [rsp+8] error code, then the CPU's frame */
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	vmm_exception
1:	hlt
	jmp	1b
